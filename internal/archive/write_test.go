package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1" //nolint:gosec // the format's signature
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestPHPString(t *testing.T) {
	t.Parallel()
	in := "\"<a href='x'>&</a>/é\\\u2028\u2029\n\t\x01\x7f😀"
	want := `"\u0022\u003Ca href=\u0027x\u0027\u003E\u0026\u003C/a\u003E/é\\\u2028\u2029\n\t\u0001` + "\x7f😀\""
	if got := string(appendPHPString(nil, []byte(in))); got != want {
		t.Fatalf("appendPHPString = %s\nwant             %s", got, want)
	}
}

// TestSignedFormKeepsOrderAndNumbers: below the top level, members keep their order (duplicates
// included) and numbers their spelling; the top level is sorted and loses "sig".
func TestSignedFormKeepsOrderAndNumbers(t *testing.T) {
	t.Parallel()
	raw := ` { "z" : [1.50, -0, 1e3, true, null, {}, []], "sig": "x", "a": {"y": "/", "b": "\u003c", "y": 1} } `
	err := readBundle([]byte(raw), func(f bundleForm) error {
		if want := `{"a":{"y":"/","b":"\u003C","y":1},"z":[1.50,-0,1e3,true,null,{},[]]}`; string(f.signed) != want {
			t.Errorf("signed form = %s, want %s", f.signed, want)
		}
		if string(f.sig) != `"x"` || f.tooDeep {
			t.Errorf("sig %s, tooDeep %v", f.sig, f.tooDeep)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"a":}`, `{"a":[1,2}`, `{} 2`, `[1]`, `"x"`, `null`} {
		if err := readBundle([]byte(bad), func(bundleForm) error { return nil }); err == nil {
			t.Errorf("readBundle(%q) succeeded", bad)
		}
	}
	// PHP encodes 512 levels and refuses a 513th: a bundle nesting deeper cannot have been signed.
	for depth, deep := range map[int]bool{512: false, 513: true} {
		raw := `{"app":"xano","payload":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `,"sig":"x"}`
		err := readBundle([]byte(raw), func(f bundleForm) error {
			if f.tooDeep != deep {
				t.Errorf("depth %d: tooDeep = %v", depth, f.tooDeep)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ref bytes.Buffer
		if refErr := referencePHPJSON(&ref, []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth))); (refErr != nil) != deep {
			t.Errorf("depth %d: the reference says %v", depth, refErr)
		}
	}
}

// TestSignKnownAnswer checks Sign against the signature computed by hand from the PHP
// serialisation spelled out literally.
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	payload := struct {
		Name string         `json:"name"`
		Tags []string       `json:"tags"`
		Meta map[string]any `json:"meta"`
	}{"O'Brien <b>&", []string{"a/b", "é"}, map[string]any{"z": 1, "a": 2.5}}
	b, err := NewBundle("schema", payload)
	if err != nil {
		t.Fatal(err)
	}
	php := `{"app":"xano","payload":{"name":"O\u0027Brien \u003Cb\u003E\u0026","tags":["a/b","é"],"meta":{"a":2.5,"z":1}},"type":"schema","version":"1.03"}`
	sum := sha1.Sum([]byte(php)) //nolint:gosec
	want := strings.NewReplacer("+", "-", "/", "_", "=", ".").Replace(base64.StdEncoding.EncodeToString(sum[:]))
	if b.Sig != want {
		t.Fatalf("Sig = %s, want %s", b.Sig, want)
	}
	if len(b.Sig) != 28 || !strings.HasSuffix(b.Sig, ".") || strings.ContainsAny(b.Sig, "+/=") {
		t.Fatalf("Sig %q is not websafe base64 of a SHA-1 with '.' padding", b.Sig)
	}
	if b.App != "xano" || b.Version != "1.03" || b.Type != "schema" {
		t.Fatalf("bundle = %+v", b)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	raw := bundleJSON(t, "workspace", map[string]any{"function": []any{map[string]any{"name": "f", "body": "return 1;"}}})
	if ok, err := Verify(raw); err != nil || !ok {
		t.Fatalf("Verify(fresh bundle) = %v, %v", ok, err)
	}
	// Top-level key order and whitespace do not matter: the top level is sorted.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	reordered := `{ "sig": ` + string(top["sig"]) + `, "version": ` + string(top["version"]) + `, "type": ` + string(top["type"]) +
		`, "payload": ` + string(top["payload"]) + `, "app": "xano" }`
	if ok, err := Verify([]byte(reordered)); err != nil || !ok {
		t.Fatalf("Verify(reordered top level) = %v, %v", ok, err)
	}
	tampered := map[string][]byte{
		"payload":          bytes.Replace(raw, []byte("return 1;"), []byte("return 2;"), 1),
		"type":             bytes.Replace(raw, []byte(`"workspace"`), []byte(`"schema"`), 1),
		"sig":              bytes.Replace(raw, []byte(`"sig":"`), []byte(`"sig":"A`), 1),
		"nested key order": bytes.Replace(raw, []byte(`{"body":"return 1;","name":"f"}`), []byte(`{"name":"f","body":"return 1;"}`), 1),
		"no sig":           []byte(`{"app":"xano","version":"1.03","type":"schema","payload":null}`),
		"sig not a string": []byte(`{"app":"xano","sig":5}`),
	}
	for name, data := range tampered {
		if bytes.Equal(data, raw) {
			t.Fatalf("%s: the test did not change the bundle", name)
		}
		if ok, err := Verify(data); err != nil || ok {
			t.Fatalf("Verify(%s tampered) = %v, %v; want false, nil", name, ok, err)
		}
	}
	for _, bad := range []string{"", "[]", "null", `{"a":1} x`, "{"} {
		if _, err := Verify([]byte(bad)); err == nil {
			t.Fatalf("Verify(%q) did not fail", bad)
		}
	}
}

func TestWriterHeaders(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var buf bytes.Buffer
	w := NewWriter(&buf, mod)
	if err := w.AddJSON("workspace.json", map[string]any{"b": "<&>", "a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddFile("vault/x/file.bin", 5, iotest.HalfReader(strings.NewReader("12345"))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.Equal(mod) {
		t.Fatalf("gzip ModTime = %v, want %v", zr.ModTime, mod)
	}
	tr := tar.NewReader(zr)
	var bodies []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hdr.ModTime.Equal(mod) || hdr.Mode != 0o644 || hdr.Typeflag != tar.TypeReg {
			t.Fatalf("tar header %+v, want mode 0644 and mtime %v", hdr, mod)
		}
		b, _ := io.ReadAll(tr)
		bodies = append(bodies, hdr.Name+"="+string(b))
	}
	want := []string{`workspace.json={"a":1,"b":"\u003c\u0026\u003e"}`, "vault/x/file.bin=12345"}
	if strings.Join(bodies, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries = %q, want %q", bodies, want)
	}
}

func TestWriterSameContentSameHash(t *testing.T) {
	t.Parallel()
	write := func(mod time.Time) []byte {
		var buf bytes.Buffer
		w := NewWriter(&buf, mod)
		for _, e := range exportFixture(t) {
			if err := w.AddFile(e.name, int64(len(e.body)), bytes.NewReader(e.body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := write(time.Unix(1, 0)), write(time.Unix(2_000_000_000, 0))
	if bytes.Equal(a, b) {
		t.Fatal("archives written at different times are byte-identical")
	}
	if inspectBytes(t, a).ContentSHA256 != inspectBytes(t, b).ContentSHA256 {
		t.Fatal("archives of the same content written at different times hash differently")
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	w := NewWriter(io.Discard, time.Now())
	err := w.AddFile("short", 10, strings.NewReader("123"))
	if err == nil || !strings.Contains(err.Error(), "3 of 10") {
		t.Fatalf("short source: %v", err)
	}
	if err2 := w.AddJSON("next.json", 1); !errors.Is(err2, err) && err2 != err {
		t.Fatalf("after an error, AddJSON = %v, want the first error", err2)
	}
	if err2 := w.Close(); err2 != err {
		t.Fatalf("Close = %v, want the first error", err2)
	}
	w = NewWriter(io.Discard, time.Now())
	if err := w.AddJSON("bad.json", func() {}); err == nil {
		t.Fatal("AddJSON of a func succeeded")
	}
	if err := w.AddFile("", 0, nil); err == nil {
		t.Fatal("AddFile with an empty name succeeded")
	}
}

// TestWriterRefusesNamesReadersChange checks that the Writer only writes names that Walk
// yields unchanged: an entry written as "../x", "/x" or "a//b" would be refused by readers or
// come back under another name.
func TestWriterRefusesNamesReadersChange(t *testing.T) {
	t.Parallel()
	bad := []string{
		"", "..", "../etc/passwd", "a/../../b", "a/../b", "/workspace.json", "//x",
		"a//b", "content/", "./workspace.json", "a/./b", ".", "a/.", "a\x00b",
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Unix(0, 0))
	for _, name := range bad {
		if err := w.AddFile(name, 1, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "name") {
			t.Errorf("AddFile(%q) = %v, want a refusal of the name", name, err)
		}
		if err := w.AddJSON(name, 1); err == nil {
			t.Errorf("AddJSON(%q) succeeded", name)
		}
		if n, err := normaliseName(name); err == nil && n == name && name != "" && !strings.ContainsRune(name, 0) {
			t.Errorf("%q is refused by the Writer but readers keep it as it is", name)
		}
	}
	// A refused name does not spoil the Writer; accepted names come back unchanged.
	good := []string{"workspace.json", "content/aaaa-1.json", "vault/a b/..x/logo.png", "..json", ".hidden/x"}
	for _, name := range good {
		if err := w.AddFile(name, 1, strings.NewReader("x")); err != nil {
			t.Fatalf("AddFile(%q) = %v", name, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := Walk(bytes.NewReader(buf.Bytes()), Limits{}, func(e Entry, _ io.Reader) error {
		got = append(got, e.Name)
		return nil
	})
	if err != nil || strings.Join(got, "|") != strings.Join(good, "|") {
		t.Fatalf("Walk = %q, %v; want %q", got, err, good)
	}
}

// TestBundleRoundTripThroughArchive signs bundles, archives them and checks Verify on what Walk reads.
func TestBundleRoundTripThroughArchive(t *testing.T) {
	t.Parallel()
	data := build(t, exportFixture(t), buildOpts{layers: 2})
	n := 0
	err := Walk(bytes.NewReader(data), Limits{}, func(e Entry, body io.Reader) error {
		if !strings.HasSuffix(e.Name, ".json") {
			return nil
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		ok, err := Verify(raw)
		if err != nil || !ok {
			t.Errorf("%s: Verify = %v, %v", e.Name, ok, err)
		}
		n++
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("Walk = %v after verifying %d bundles, want 3", err, n)
	}
}
