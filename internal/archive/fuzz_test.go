package archive

import (
	"archive/tar"
	"bytes"
	"crypto/sha1" //nolint:gosec // Xano's bundle signature is defined over SHA-1.
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
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
		if err != nil || !reflect.DeepEqual(again, info) {
			t.Fatalf("Inspect is not deterministic: %+v then %+v, %v", info, again, err)
		}
		if info.Encrypted {
			if info.ContentSHA256 != "" || info.Objects != nil {
				t.Fatal("an encrypted archive has a content hash or an inventory")
			}
			return
		}
		if len(info.ContentSHA256) != 64 {
			t.Fatalf("ContentSHA256 = %q", info.ContentSHA256)
		}
		if info.Objects == nil {
			t.Fatal("an archive with a content hash has a nil inventory")
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
		if err := referencePHPJSON(&php, data); err != nil {
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
	// Nested objects, read by sortedObject when already in canonical order, and read again
	// when a key turns out to be out of order, duplicated or escaped.
	`[{"a":1,"b":{"c":2,"d":[{"e":1,"f":2}]}}]`, `[{"a":1,"b":2,"a":3}]`, `[{"b":1,"a":2}]`,
	`[{"a":1,"b":{"d":1,"c":2}}]`, `[{"a":{"x":[1,2,{"q":1}]},"b":1,"a":2}]`, `[{"a":1 ,"b" : 2 }]`,
	`[{"a":1,"b":2,}]`, `[{"a":1,"a":1}]`, `[{"a":1,"\u0062":2}]`, `{"x":{"a":1,"b":2}}`, `[{"a":1,"b":2]`,
	`[{"a":1,"b"}]`, `[{"a":1,"b":}]`, `[{ }]`, `[{"":1,"a":2}]`, `[{"a":1,"b":2}`, `[{"a":1}{"b":2}]`,
}

func FuzzVerify(f *testing.F) {
	f.Add(bundleJSON(f, "schema", map[string]any{"a": "<b>"}))
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"app":"xano","sig":"x","payload":[{"z":1,"a":2}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"app":"xano","payload":[1,[2],{"a":3}],"sig":"x"}`))
	f.Add([]byte(`{"payload":null,"sig":"x"}`))
	f.Add([]byte(`{"payload":{"a":1},"sig":"x","sig":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ok, rows, err := verify(data)
		if err == nil && ok && !json.Valid(data) {
			t.Fatalf("Verify accepted invalid JSON %q", data)
		}
		wantOK, wantRows, wantErr := referenceVerify(data)
		if ok != wantOK || (err == nil) != (wantErr == nil) || (err == nil && rows != wantRows) {
			t.Fatalf("verify(%q) = %v, %d, %v; reference %v, %d, %v", data, ok, rows, err, wantOK, wantRows, wantErr)
		}
	})
}

// FuzzVerifySigned signs any JSON payload by the reference rule and checks that Verify accepts
// the bundle and VerifyPage counts its rows: the signed forms agree on every valid document,
// however it is spaced, escaped or ordered.
func FuzzVerifySigned(f *testing.F) {
	for _, s := range append(slices.Clone(canonicalSeeds), phpSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !json.Valid(payload) {
			return
		}
		bundle := signByReference(payload)
		if bundle == nil {
			return // deeper than PHP's limit
		}
		ok, rows, err := VerifyPage(bundle)
		_, wantRows, _ := referenceVerify(bundle)
		if wantRows < 0 {
			if err == nil {
				t.Fatalf("VerifyPage(%q) accepted a payload that is not a list", bundle)
			}
			return
		}
		if err != nil || !ok || rows != wantRows {
			t.Fatalf("VerifyPage(%q) = %v, %d, %v; want true, %d", bundle, ok, rows, err, wantRows)
		}
	})
}

// phpSeeds exercise what the PHP form escapes.
var phpSeeds = []string{
	`[{"name":"O'Brien & <Co>","note":"a\u2028b\/c"}]`, "[\"\u2028\u2029\", \"\\u2029\"]",
	`[{"b":1,"a":2,"b":3}]`, ` [ 1 , 2.50 , -0 , 1E+3 ] `, `[["\u003c"],{"k'":"'"}]`, "[\"\xff\xfe\"]",
	`null`, `{"row":1}`, `"\ud83d\ude00\ud800"`, `[]`, `[{"\u0022":"\"\\"}]`,
}

// signByReference returns a content bundle of payload signed by referenceVerify's rule, or nil
// when PHP could not encode the payload.
func signByReference(payload []byte) []byte {
	var php bytes.Buffer
	php.WriteString(`{"app":"xano","payload":`)
	if err := referencePHPJSON(&php, payload); err != nil {
		return nil
	}
	php.WriteString(`,"type":"content","version":"1.03"}`)
	sum := sha1.Sum(php.Bytes()) //nolint:gosec // required by the format
	return fmt.Appendf(nil, `{"app":"xano","version":"1.03","type":"content","payload":%s,"sig":%q}`,
		payload, websafeBase64(sum[:]))
}

// FuzzPHPPlainRun checks the word-at-a-time scan against a byte loop.
func FuzzPHPPlainRun(f *testing.F) {
	f.Add([]byte(`abcdefgh<ijklmnop&q'r>s"t\\`), 0)
	f.Add([]byte("0123456789abcdef\x7f\x80\x1f"), 3)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := i
		for want < len(s) && !phpSpecial(s[want]) {
			want++
		}
		if got := phpPlainRun(s, i); got != want {
			t.Fatalf("phpPlainRun(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

func FuzzPlainRun(f *testing.F) {
	f.Add([]byte(`abcdefgh"ijklmnop\q`), 0)
	f.Add([]byte("0123456789abcdef\x7f\x80\x1f"), 3)
	f.Fuzz(func(t *testing.T, s []byte, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := i
		for want < len(s) && s[want] != '"' && s[want] != '\\' && s[want] >= 0x20 && s[want] < 0x80 {
			want++
		}
		if got := plainRun(s, i); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
