package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMain makes Encrypt cheap for the tests; TestEncryptRecommendedKDF covers the real setting.
func TestMain(m *testing.M) {
	defaultKDF = kdfParams{time: 1, memoryKiB: 64, threads: 1}
	os.Exit(m.Run())
}

// tEntry is one tar entry of a test archive.
type tEntry struct {
	name string
	body []byte
	typ  byte // 0 means tar.TypeReg
	link string
}

// buildOpts varies everything the content hash must ignore.
type buildOpts struct {
	layers    int       // gzip layers around the tar (0: bare tar)
	gzipTime  time.Time // gzip header mtime
	gzipName  string    // gzip header name
	gzipOS    byte
	gzipLevel int
	tarTime   time.Time
	format    tar.Format
	prefix    string // prepended to every entry name ("./", "/")
	uid       int
	mode      int64
}

// build writes entries as tar, wrapped in o.layers gzip layers.
func build(t testing.TB, entries []tEntry, o buildOpts) []byte {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	mode := o.mode
	if mode == 0 {
		mode = 0o644
	}
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{
			Typeflag: typ, Name: o.prefix + e.name, Linkname: e.link, Mode: mode,
			ModTime: o.tarTime, Uid: o.uid, Format: o.format,
		}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("tar header %q: %v", e.name, err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := tb.Bytes()
	for range o.layers {
		data = gzipBytes(t, data, o)
	}
	return data
}

// gzipBytes compresses data once with the header fields of o.
func gzipBytes(t testing.TB, data []byte, o buildOpts) []byte {
	t.Helper()
	level := o.gzipLevel
	if level == 0 {
		level = gzip.DefaultCompression
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.ModTime, zw.Name, zw.OS = o.gzipTime, o.gzipName, o.gzipOS
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// mustJSON marshals v or fails the test.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bundleJSON returns the JSON of a signed bundle.
func bundleJSON(t testing.TB, typ string, payload any) []byte {
	t.Helper()
	b, err := NewBundle(typ, payload)
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, b)
}

// exportFixture is a small full export: the workspace bundle, two row pages and a vault file.
func exportFixture(t testing.TB) []tEntry {
	t.Helper()
	workspace := map[string]any{
		"partial":   false,
		"workspace": map[string]any{"id": 7, "name": "shop", "branch": map[string]any{"id": 0}},
		"dbo":       []any{map[string]any{"id": 1, "name": "user", "guid": "aaaa"}},
		"function": []any{map[string]any{
			"id": 3, "name": "total", "body": "return $a + $b; // <b>&'\"</b>",
		}},
		"query": []any{map[string]any{"id": 9, "verb": "GET", "path": "/users"}},
	}
	return []tEntry{
		{name: "workspace.json", body: bundleJSON(t, "workspace", workspace)},
		{name: "content/aaaa-1.json", body: bundleJSON(t, "content", []any{
			map[string]any{"id": 1, "email": "a@example.com", "score": 1.5},
			map[string]any{"id": 2, "email": "b@example.com", "score": 2},
		})},
		{name: "content/aaaa-2.json", body: bundleJSON(t, "content", []any{
			map[string]any{"id": 3, "email": "c@example.com", "score": 1e300},
		})},
		{name: "vault/abc/logo.png", body: []byte("\x89PNG\r\n\x1a\nnot really a png")},
	}
}

// replaceEntry returns a copy of entries with name's body replaced by fn(body).
func replaceEntry(entries []tEntry, name string, fn func([]byte) []byte) []tEntry {
	out := append([]tEntry(nil), entries...)
	for i := range out {
		if out[i].name == name {
			out[i].body = fn(bytes.Clone(out[i].body))
		}
	}
	return out
}

// reformatJSON re-encodes a JSON document with object keys in reverse order and indentation,
// so that it is byte-wise different but the same JSON.
func reformatJSON(t testing.TB, raw []byte) []byte {
	t.Helper()
	v, ok := parseJSON(raw)
	if !ok {
		t.Fatalf("reformatJSON: invalid JSON %q", raw)
	}
	var b strings.Builder
	writeReversed(&b, v, "\n")
	return []byte(" \t" + b.String() + "\n\n")
}

func writeReversed(b *strings.Builder, v any, nl string) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(keys)))
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(nl + "  ")
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteString(" : ")
			writeReversed(b, t[k], nl+"  ")
		}
		b.WriteString(nl + "}")
	case []any:
		b.WriteString("[ ")
		for i, x := range t {
			if i > 0 {
				b.WriteString(" , ")
			}
			writeReversed(b, x, nl+"  ")
		}
		b.WriteString(" ]")
	default:
		vb, _ := json.Marshal(v) // escapes <>& as \u003c: a different but equal spelling
		b.Write(vb)
	}
}

// inspectBytes runs Inspect with the default limits and fails the test on error.
func inspectBytes(t testing.TB, data []byte) Info {
	t.Helper()
	info, err := Inspect(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return info
}

// zeroReader yields zero bytes forever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// tarHeaderBlock returns the tar header bytes of one regular entry of the given size, and the
// padding that follows its body.
func tarHeaderBlock(t testing.TB, name string, size int64) (hdr, pad []byte) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), make([]byte, (512-size%512)%512)
}

// lazyTar returns a reader of a bare tar holding one entry of size zero bytes, generated as read.
func lazyTar(t testing.TB, name string, size int64) io.Reader {
	hdr, pad := tarHeaderBlock(t, name, size)
	return io.MultiReader(bytes.NewReader(hdr), io.LimitReader(zeroReader{}, size),
		bytes.NewReader(pad), bytes.NewReader(make([]byte, 1024)))
}
