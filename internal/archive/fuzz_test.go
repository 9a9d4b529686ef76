package archive

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// fuzzSeeds returns small valid and invalid archives; `go test` runs them as ordinary tests.
func fuzzSeeds(t testing.TB) [][]byte {
	small := []tEntry{
		{name: "workspace.json", body: bundleJSON(t, "workspace", map[string]any{"dbo": []any{}})},
		{name: "content/t-1.json", body: []byte(`[{"id":1,"n":1.50}]`)},
		{name: "vault/a/b.bin", body: []byte{0, 1, 2}},
	}
	valid := build(t, small, buildOpts{layers: 1})
	enc := encryptBytes(t, valid, "pw")
	return [][]byte{
		valid,
		build(t, small, buildOpts{layers: 2, prefix: "./"}),
		build(t, small, buildOpts{layers: 0}),
		build(t, nil, buildOpts{layers: 1}),
		build(t, []tEntry{{name: "d/", typ: tar.TypeDir}, {name: "l", typ: tar.TypeSymlink, link: "x"}}, buildOpts{layers: 1}),
		build(t, []tEntry{{name: "a.json", body: []byte("{")}, {name: "b.json", body: []byte(`{"app":1,"sig":2}`)}}, buildOpts{layers: 1}),
		build(t, []tEntry{{name: "a", body: []byte("1")}, {name: "./a", body: []byte("2")}}, buildOpts{layers: 1}),
		build(t, small, buildOpts{layers: 1, format: tar.FormatPAX}),
		valid[:len(valid)/2],
		enc,
		gzipBytes(t, enc, buildOpts{}),
		gzipBytes(t, []byte("not a tar"), buildOpts{}),
		[]byte(`{"code":"ERROR_FATAL","message":"x"}`),
		{0x1f, 0x8b},
		nil,
	}
}

// fuzzLimits keep each fuzz execution small.
var fuzzLimits = Limits{MaxGzipLayers: 3, MaxEntries: 64, MaxJSONEntryBytes: 64 << 10, MaxTotalBytes: 1 << 20}

func FuzzInspect(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(bytes.NewReader(data), fuzzLimits)
		if err != nil {
			var le *LimitError
			if !errors.Is(err, ErrNotArchive) && !errors.As(err, &le) {
				t.Fatalf("Inspect error is neither ErrNotArchive nor a *LimitError: %v", err)
			}
			return
		}
		again, err := Inspect(bytes.NewReader(data), fuzzLimits)
		if err != nil || again != info {
			t.Fatalf("Inspect is not deterministic: %+v then %+v, %v", info, again, err)
		}
		if info.Encrypted {
			if info.ContentSHA256 != "" {
				t.Fatal("an encrypted archive has a content hash")
			}
			return
		}
		if len(info.ContentSHA256) != 64 {
			t.Fatalf("ContentSHA256 = %q", info.ContentSHA256)
		}
		n := 0
		err = Walk(bytes.NewReader(data), fuzzLimits, func(e Entry, body io.Reader) error {
			got, err := io.Copy(io.Discard, body)
			if err == nil && got != e.Size {
				t.Errorf("entry %q: read %d bytes, Size %d", e.Name, got, e.Size)
			}
			n++
			return err
		})
		if err != nil || n != info.Entries {
			t.Fatalf("Walk saw %d entries (%v), Inspect %d", n, err, info.Entries)
		}
	})
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	var c canonicalizer
	f.Fuzz(func(t *testing.T, data []byte) {
		want, bundle, typ, ok := referenceCanonical(t, data)
		got, err := c.canonicalize(data)
		if ok != (err == nil) {
			t.Fatalf("canonicalize(%q) error %v, but encoding/json valid = %v", data, err, ok)
		}
		if !ok {
			return
		}
		if !bytes.Equal(got, want) || c.bundle != bundle || c.bundleType != typ {
			t.Fatalf("canonicalize(%q) = %q (bundle %v %q), reference %q (bundle %v %q)",
				data, got, c.bundle, c.bundleType, want, bundle, typ)
		}
		again, err := c.canonicalize(bytes.Clone(got))
		if err != nil || !bytes.Equal(again, want) {
			t.Fatalf("canonical form %q is not a fixed point: %q, %v", want, again, err)
		}
		var php bytes.Buffer
		if err := writePHPJSON(&php, data); err != nil {
			return // deeper than PHP's limit
		}
		fromPHP, _, _, ok := referenceCanonical(t, php.Bytes())
		if !ok || (!bundle && !bytes.Equal(fromPHP, want)) {
			t.Fatalf("PHP-style form %q does not decode to the same value as %q", php.Bytes(), data)
		}
	})
}

// canonicalSeeds exercise every branch of the canonicalizer.
var canonicalSeeds = []string{
	`{"b":1,"a":[1.0,"x\u0000\"<"]}`, `"\ud800"`, `"\ud83d\ude00 \udc00\ud800\u0041"`, `[]`, `{}`,
	`{"a":{"a":{}}}`, "\"\xff\xfe\"", ` 1e-7 `, `-0.5E+3`, `{"a":1,"a":2}`, `{"b":1,"a":2,"b":3}`,
	`{"sig":"x","app":"xano","type":"schema","payload":{"sig":1,"app":2}}`, `{"app":1,"sig":2,"type":3}`,
	`[true,false,null]`, `"tab\t\/\b\f\n\r"`, "\"\u2028é\"", `01`, `[1,]`, `{"a" 1}`, `{"a":1,}`,
	`tru`, `"\x"`, `"\u12"`, "\"a\x01\"", `1 2`, `[`, ``, `  `, `{"é":1,"e":2,"z":3}`,
	`{"a\"b":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":1,"\u0061":2}`, "{\"k\xff\":1,\"k\":2}", "{\"a\x01\":1}",
	`{"b":{"z":[{"y":1,"x":"v"}],"a":0},"a":[]}`, `{"a":1,"b`, `{"a`,
}

func FuzzVerify(f *testing.F) {
	f.Add(bundleJSON(f, "schema", map[string]any{"a": "<b>"}))
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"app":"xano","sig":"x","payload":[{"z":1,"a":2}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ok, err := Verify(data)
		if err == nil && ok && !json.Valid(data) {
			t.Fatalf("Verify accepted invalid JSON %q", data)
		}
	})
}
