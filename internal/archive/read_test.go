package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestInspectRoundTripWriter(t *testing.T) {
	t.Parallel()
	entries := exportFixture(t)
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, e := range entries {
		if err := w.AddFile(e.name, int64(len(e.body)), bytes.NewReader(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddJSON("extra/meta.json", map[string]int{"b": 2, "a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	info := inspectBytes(t, buf.Bytes())
	if info.Encrypted || info.GzipLayers != 1 || info.Type != "workspace" || info.Entries != 5 {
		t.Fatalf("Inspect = %+v, want 1 layer, type workspace, 5 entries", info)
	}
	if len(info.ContentSHA256) != 64 || strings.ToLower(info.ContentSHA256) != info.ContentSHA256 {
		t.Fatalf("ContentSHA256 = %q, want 64 lower-case hex digits", info.ContentSHA256)
	}
	// The same content built by hand hashes the same.
	same := append(exportFixture(t), tEntry{name: "extra/meta.json", body: []byte(`{"a":1,"b":2}`)})
	if got := inspectBytes(t, build(t, same, buildOpts{layers: 1})).ContentSHA256; got != info.ContentSHA256 {
		t.Fatalf("hand-built archive hashes %s, Writer's %s", got, info.ContentSHA256)
	}
	sum, err := ContentSHA256(bytes.NewReader(buf.Bytes()))
	if err != nil || sum != info.ContentSHA256 {
		t.Fatalf("ContentSHA256() = %q, %v; want %q", sum, err, info.ContentSHA256)
	}
}

// TestContentHashKnownAnswer pins the definition documented on ContentSHA256.
func TestContentHashKnownAnswer(t *testing.T) {
	t.Parallel()
	entries := []tEntry{
		{name: "b.bin", body: []byte("hello")},
		{name: "a.json", body: []byte(`{"z": 1.0, "a": ["x\u003c", true, null]}`)},
		{name: "s.json", body: []byte(`{"sig":"abc","app":"xano","type":"schema"}`)},
	}
	// Computed independently with sha256sum:
	//   printf '{"a":["x<",true,null],"z":1.0}' | sha256sum
	//   printf '{"app":"xano","type":"schema"}' | sha256sum
	//   printf hello | sha256sum
	lines := "a.json\x00" + sha256Hex(`{"a":["x<",true,null],"z":1.0}`) + "\n" +
		"b.bin\x00" + sha256Hex("hello") + "\n" +
		"s.json\x00" + sha256Hex(`{"app":"xano","type":"schema"}`) + "\n"
	info := inspectBytes(t, build(t, entries, buildOpts{layers: 1}))
	if want := sha256Hex(lines); info.ContentSHA256 != want {
		t.Fatalf("ContentSHA256 = %s, want %s", info.ContentSHA256, want)
	}
	if info.Type != "schema" || info.Entries != 3 {
		t.Fatalf("Inspect = %+v, want type schema and 3 entries", info)
	}
	empty := inspectBytes(t, build(t, nil, buildOpts{layers: 1}))
	if want := sha256Hex(""); empty.ContentSHA256 != want || empty.Entries != 0 {
		t.Fatalf("empty archive: %+v, want hash %s", empty, want)
	}
}

func TestContentHashStable(t *testing.T) {
	t.Parallel()
	base := exportFixture(t)
	want := inspectBytes(t, build(t, base, buildOpts{layers: 1})).ContentSHA256
	reversed := slices.Clone(base)
	slices.Reverse(reversed)
	resigned := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"sig":"`), []byte(`"sig":"another-signature`), 1)
	}
	cases := map[string][]byte{
		"gzip mtime, name, OS, level": build(t, base, buildOpts{layers: 1,
			gzipTime: time.Unix(1700000000, 0), gzipName: "workspace.tar", gzipOS: 3, gzipLevel: gzip.BestSpeed}),
		"double gzip":          build(t, base, buildOpts{layers: 2}),
		"bare tar":             build(t, base, buildOpts{layers: 0}),
		"four gzip layers":     build(t, base, buildOpts{layers: 4}),
		"tar metadata (PAX)":   build(t, base, buildOpts{layers: 1, tarTime: time.Unix(1, 5), uid: 1000, mode: 0o600, format: tar.FormatPAX}),
		"tar metadata (GNU)":   build(t, base, buildOpts{layers: 1, tarTime: time.Unix(99, 0), format: tar.FormatGNU}),
		"entry order":          build(t, reversed, buildOpts{layers: 1}),
		"./ prefix":            build(t, base, buildOpts{layers: 1, prefix: "./"}),
		"/ prefix":             build(t, base, buildOpts{layers: 1, prefix: "/"}),
		"JSON key order, ws":   build(t, jsonReformatted(t, base), buildOpts{layers: 1}),
		"different signatures": build(t, replaceEntry(replaceEntry(base, "workspace.json", resigned), "content/aaaa-1.json", resigned), buildOpts{layers: 1}),
		"with directory entries": build(t, append([]tEntry{
			{name: "content/", typ: tar.TypeDir}, {name: "./", typ: tar.TypeDir},
			{name: "content/link", typ: tar.TypeSymlink, link: "aaaa-1.json"},
		}, base...), buildOpts{layers: 1}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if got := inspectBytes(t, data).ContentSHA256; got != want {
				t.Fatalf("ContentSHA256 = %s, want %s (unchanged content)", got, want)
			}
		})
	}
}

// jsonReformatted re-encodes every JSON entry with another key order and whitespace.
func jsonReformatted(t testing.TB, entries []tEntry) []tEntry {
	out := slices.Clone(entries)
	for i := range out {
		if strings.HasSuffix(out[i].name, ".json") {
			out[i].body = reformatJSON(t, out[i].body)
			if bytes.Equal(out[i].body, entries[i].body) {
				t.Fatal("reformatJSON left the bytes unchanged")
			}
		}
	}
	return out
}

func TestContentHashSensitive(t *testing.T) {
	t.Parallel()
	base := exportFixture(t)
	want := inspectBytes(t, build(t, base, buildOpts{layers: 1})).ContentSHA256
	renamed := slices.Clone(base)
	renamed[3].name = "vault/abc/logo2.png"
	cases := map[string][]tEntry{
		"one byte of a row page": replaceEntry(base, "content/aaaa-1.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte("a@example.com"), []byte("a@example.con"), 1)
		}),
		"a number's spelling": replaceEntry(base, "content/aaaa-1.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"score":2`), []byte(`"score":2.0`), 1)
		}),
		"a function body": replaceEntry(base, "workspace.json", func(b []byte) []byte {
			return bytes.Replace(b, []byte("return $a + $b;"), []byte("return $a - $b;"), 1)
		}),
		"a vault file": replaceEntry(base, "vault/abc/logo.png", func(b []byte) []byte {
			b[len(b)-1] ^= 1
			return b
		}),
		"a renamed entry":     renamed,
		"an added entry":      append(slices.Clone(base), tEntry{name: "content/aaaa-3.json", body: []byte(`[]`)}),
		"a removed entry":     base[:3],
		"an empty extra":      append(slices.Clone(base), tEntry{name: "empty"}),
		"sig in a non-bundle": append(slices.Clone(base), tEntry{name: "x.json", body: []byte(`{"sig":"a"}`)}),
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			if got := inspectBytes(t, build(t, entries, buildOpts{layers: 1})).ContentSHA256; got == want {
				t.Fatalf("ContentSHA256 unchanged (%s) after changing the content", got)
			}
		})
	}
	// A non-bundle's "sig" is content: changing it changes the hash.
	a := inspectBytes(t, build(t, []tEntry{{name: "x.json", body: []byte(`{"sig":"a"}`)}}, buildOpts{})).ContentSHA256
	b := inspectBytes(t, build(t, []tEntry{{name: "x.json", body: []byte(`{"sig":"b"}`)}}, buildOpts{})).ContentSHA256
	if a == b {
		t.Fatal(`"sig" of an object without "app" must be hashed`)
	}
}

func TestInvalidJSONEntryHashedRaw(t *testing.T) {
	t.Parallel()
	bad := []byte(`{"a":1,}`)
	info := inspectBytes(t, build(t, []tEntry{{name: "vault/x/user.json", body: bad}}, buildOpts{layers: 1}))
	want := sha256Hex("vault/x/user.json\x00" + sha256Hex(string(bad)) + "\n")
	if info.ContentSHA256 != want {
		t.Fatalf("ContentSHA256 = %s, want the raw bytes' hash %s", info.ContentSHA256, want)
	}
}

func TestInspectTypePrefersWorkspaceJSON(t *testing.T) {
	t.Parallel()
	entries := []tEntry{
		{name: "content/x-1.json", body: bundleJSON(t, "content", []any{})},
		{name: "other.json", body: bundleJSON(t, "share", nil)},
		{name: "workspace.json", body: bundleJSON(t, "workspace", map[string]any{})},
	}
	if got := inspectBytes(t, build(t, entries, buildOpts{layers: 1})).Type; got != "workspace" {
		t.Fatalf("Type = %q, want workspace", got)
	}
	if got := inspectBytes(t, build(t, entries[:2], buildOpts{layers: 1})).Type; got != "share" {
		t.Fatalf("Type = %q, want the first root bundle's type (share)", got)
	}
	if got := inspectBytes(t, build(t, entries[:1], buildOpts{layers: 1})).Type; got != "" {
		t.Fatalf("Type = %q, want empty (no root bundle)", got)
	}
}

func TestInspectEncrypted(t *testing.T) {
	t.Parallel()
	plain := build(t, exportFixture(t), buildOpts{layers: 1})
	enc := encryptBytes(t, plain, "hunter2")
	info, err := Inspect(bytes.NewReader(enc), Limits{})
	if err != nil || !info.Encrypted || info.ContentSHA256 != "" || info.GzipLayers != 0 {
		t.Fatalf("Inspect(encrypted) = %+v, %v; want Encrypted and no hash", info, err)
	}
	if err := Walk(bytes.NewReader(enc), Limits{}, func(Entry, io.Reader) error { return nil }); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("Walk(encrypted) = %v, want ErrEncrypted", err)
	}
	if _, err := ContentSHA256(bytes.NewReader(enc)); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("ContentSHA256(encrypted) = %v, want ErrEncrypted", err)
	}
	// Encrypted bytes inside gzip (an ".enc.gz") are recognised too.
	info = inspectBytes(t, gzipBytes(t, enc, buildOpts{}))
	if !info.Encrypted || info.GzipLayers != 1 {
		t.Fatalf("Inspect(gzip(encrypted)) = %+v, want Encrypted under 1 layer", info)
	}
	// Decrypting gives back the archive and its hash.
	r, err := Decrypt(bytes.NewReader(enc), "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Inspect(r, Limits{})
	if err != nil || got.ContentSHA256 != inspectBytes(t, plain).ContentSHA256 {
		t.Fatalf("Inspect(Decrypt(...)) = %+v, %v", got, err)
	}
}

func TestInspectNotArchive(t *testing.T) {
	t.Parallel()
	valid := build(t, exportFixture(t), buildOpts{layers: 1})
	badCRC := bytes.Clone(valid)
	badCRC[len(badCRC)-6] ^= 0xff // inside the CRC-32 of the gzip trailer
	jsonErr := []byte(`{"code":"ERROR_FATAL","message":"Invalid workspace signature"}`)
	badTar := build(t, exportFixture(t), buildOpts{})
	badTar[0] ^= 0xff // the first header's checksum no longer matches; its "ustar" magic does
	cases := map[string][]byte{
		"empty":                   nil,
		"JSON error":              jsonErr,
		"HTML page":               []byte("<!DOCTYPE html>\n<html><head><title>502</title></head><body>Bad Gateway</body></html>\n"),
		"gzip of a JSON error":    gzipBytes(t, jsonErr, buildOpts{}),
		"tar with a bad checksum": badTar,
		"gzip of empty":           gzipBytes(t, nil, buildOpts{}),
		"truncated gzip":          valid[:len(valid)/2],
		"gzip without trailer":    valid[:len(valid)-8],
		"bad gzip checksum":       badCRC,
		"bad gzip header":         append([]byte{0x1f, 0x8b, 99}, valid[3:]...),
		"truncated tar":           build(t, exportFixture(t), buildOpts{})[:700],
		"escaping name":           build(t, []tEntry{{name: "../etc/passwd", body: []byte("x")}}, buildOpts{layers: 1}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Inspect(bytes.NewReader(data), Limits{})
			if !errors.Is(err, ErrNotArchive) {
				t.Fatalf("Inspect = %v, want ErrNotArchive", err)
			}
			if err := Walk(bytes.NewReader(data), Limits{}, func(Entry, io.Reader) error { return nil }); !errors.Is(err, ErrNotArchive) {
				t.Fatalf("Walk = %v, want ErrNotArchive", err)
			}
		})
	}
	for _, body := range []string{`{"code":"ERROR_FATAL"}`, "<html>" + strings.Repeat("<p>busy</p>", 100)} {
		_, err := Inspect(strings.NewReader(body), Limits{})
		if err == nil || !strings.Contains(err.Error(), "error response") {
			t.Fatalf("a saved error response should be named as such, got %v", err)
		}
	}
}

func TestInspectDuplicateNames(t *testing.T) {
	t.Parallel()
	for _, names := range [][2]string{{"a.json", "./a.json"}, {"x/b", "/x//b"}, {"c", "c"}} {
		data := build(t, []tEntry{{name: names[0], body: []byte("1")}, {name: names[1], body: []byte("2")}}, buildOpts{layers: 1})
		_, err := Inspect(bytes.NewReader(data), Limits{})
		if err == nil || !strings.Contains(err.Error(), "two entries are named") {
			t.Fatalf("%q and %q: Inspect = %v, want a duplicate-name error", names[0], names[1], err)
		}
	}
}

func TestInspectReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	data := build(t, exportFixture(t), buildOpts{layers: 1})
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(boom))
	_, err := Inspect(r, Limits{})
	if !errors.Is(err, boom) || errors.Is(err, ErrNotArchive) {
		t.Fatalf("Inspect = %v, want the reader's own error, not ErrNotArchive", err)
	}
}

func TestInspectOneByteReader(t *testing.T) {
	t.Parallel()
	data := build(t, exportFixture(t), buildOpts{layers: 2})
	a := inspectBytes(t, data)
	b, err := Inspect(iotest.OneByteReader(bytes.NewReader(data)), Limits{})
	if err != nil || a != b {
		t.Fatalf("Inspect(OneByteReader) = %+v, %v; want %+v", b, err, a)
	}
}

func TestWalk(t *testing.T) {
	t.Parallel()
	entries := append([]tEntry{{name: "dir/", typ: tar.TypeDir}}, exportFixture(t)...)
	data := build(t, entries, buildOpts{layers: 2, prefix: "./"})
	var got []string
	err := Walk(bytes.NewReader(data), Limits{}, func(e Entry, body io.Reader) error {
		b, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		if int64(len(b)) != e.Size {
			t.Errorf("%s: read %d bytes, Size %d", e.Name, len(b), e.Size)
		}
		got = append(got, fmt.Sprintf("%s:%d", e.Name, len(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries[1:] {
		want = append(want, fmt.Sprintf("%s:%d", e.name, len(e.body)))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Walk yielded %q, want %q (archive order, normalised names, no directories)", got, want)
	}

	stop := errors.New("stop")
	calls := 0
	err = Walk(bytes.NewReader(data), Limits{}, func(Entry, io.Reader) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("Walk = %v after %d calls, want fn's error unchanged after 1 call", err, calls)
	}
}

func TestLimitErrors(t *testing.T) {
	t.Parallel()
	five := build(t, exportFixture(t), buildOpts{layers: 5})
	many := make([]tEntry, 11)
	for i := range many {
		many[i] = tEntry{name: fmt.Sprintf("e%d", i), body: []byte{byte(i)}}
	}
	bigJSON := []tEntry{{name: "content/big.json", body: bytes.Repeat([]byte(" "), 2<<20)}}
	cases := []struct {
		name  string
		data  func() io.Reader
		lim   Limits
		limit string
		entry string
	}{
		{"too many gzip layers", func() io.Reader { return bytes.NewReader(five) }, Limits{}, "MaxGzipLayers", ""},
		{"too many entries", func() io.Reader { return bytes.NewReader(build(t, many, buildOpts{layers: 1})) }, Limits{MaxEntries: 10}, "MaxEntries", ""},
		{"huge JSON entry", func() io.Reader { return bytes.NewReader(build(t, bigJSON, buildOpts{layers: 1})) }, Limits{MaxJSONEntryBytes: 1 << 20}, "MaxJSONEntryBytes", "content/big.json"},
		{"total bytes by header", func() io.Reader { return gzipBomb(t, 64<<20, 1) }, Limits{MaxTotalBytes: 1 << 20}, "MaxTotalBytes", "bomb.bin"},
		{"total bytes, two layers", func() io.Reader { return gzipBomb(t, 64<<20, 2) }, Limits{MaxTotalBytes: 1 << 20}, "MaxTotalBytes", "bomb.bin"},
		{"duration", func() io.Reader { return bytes.NewReader(build(t, exportFixture(t), buildOpts{layers: 1})) }, Limits{MaxDuration: time.Nanosecond}, "MaxDuration", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Inspect keeps a complete archive stopped by a limit: Incomplete, no error.
			info, err := Inspect(c.data(), c.lim)
			if err != nil || info.Incomplete == nil || info.ContentSHA256 != "" {
				t.Fatalf("Inspect = %+v, %v; want Incomplete, no hash, no error", info, err)
			}
			checkLimit(t, "Inspect", info.Incomplete, c.limit, c.entry)
			err = Walk(c.data(), c.lim, func(_ Entry, body io.Reader) error {
				_, err := io.Copy(io.Discard, body)
				return err
			})
			checkLimit(t, "Walk", err, c.limit, c.entry)
		})
	}
	if info, err := Inspect(bytes.NewReader(five), Limits{MaxGzipLayers: 5}); err != nil || info.GzipLayers != 5 {
		t.Fatalf("five layers with MaxGzipLayers 5: %+v, %v", info, err)
	}
}

func checkLimit(t *testing.T, fn string, err error, limit, entry string) {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("%s = %v, want a *LimitError", fn, err)
	}
	if le.Limit != limit || le.Entry != entry || le.Value <= 0 {
		t.Fatalf("%s: %+v, want limit %s on entry %q", fn, le, limit, entry)
	}
	if !strings.Contains(err.Error(), limit) {
		t.Fatalf("%s: message %q does not name the limit", fn, err)
	}
}

// TestWalkJSONLimitIgnoredByFn checks that Walk reports a limit even when fn swallows it.
func TestWalkJSONLimitIgnoredByFn(t *testing.T) {
	t.Parallel()
	data := build(t, []tEntry{{name: "a.json", body: make([]byte, 100)}}, buildOpts{layers: 1})
	err := Walk(bytes.NewReader(data), Limits{MaxJSONEntryBytes: 10}, func(Entry, io.Reader) error { return nil })
	checkLimit(t, "Walk", err, "MaxJSONEntryBytes", "a.json")
}

// gzipBomb returns a lazily generated gzip bomb: a tar holding one entry of size zero bytes,
// gzipped layers times. The inner layer is a concatenation of identical gzip members (valid
// multistream gzip), so nothing large is ever compressed or held.
func gzipBomb(t testing.TB, size int64, layers int) io.Reader {
	t.Helper()
	const unit = 1 << 20
	member := gzipBytes(t, make([]byte, unit), buildOpts{gzipLevel: gzip.BestCompression})
	hdr, _ := tarHeaderBlock(t, "bomb.bin", size)
	r := io.MultiReader(bytes.NewReader(gzipBytes(t, hdr, buildOpts{})), &repeatReader{b: member, n: size / unit})
	for range layers - 1 {
		pr, pw := io.Pipe()
		go func(src io.Reader) {
			zw := gzip.NewWriter(pw)
			_, err := io.Copy(zw, src)
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}(r)
		r = pr
		t.Cleanup(func() { pr.Close() })
	}
	return r
}

// repeatReader yields b n times.
type repeatReader struct {
	b   []byte
	n   int64
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.b[r.off:])
	if r.off += k; r.off == len(r.b) {
		r.off, r.n = 0, r.n-1
	}
	return k, nil
}

// TestInspectStreamsLargeEntry checks that a large non-JSON entry is streamed, not buffered.
func TestInspectStreamsLargeEntry(t *testing.T) {
	const size = 256 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := Inspect(lazyTar(t, "vault/big.bin", size), Limits{})
	runtime.ReadMemStats(&after)
	if err != nil || info.Entries != 1 || info.GzipLayers != 0 {
		t.Fatalf("Inspect = %+v, %v", info, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("Inspect of a %d MiB entry allocated %d KiB: it must stream", size>>20, alloc>>10)
	}
}

func TestGzipMembersAndTrailingBytes(t *testing.T) {
	t.Parallel()
	entries := exportFixture(t)
	want := inspectBytes(t, build(t, entries, buildOpts{layers: 1})).ContentSHA256
	tarBytes := build(t, entries, buildOpts{})
	cut := len(tarBytes) / 3
	members := append(gzipBytes(t, tarBytes[:cut], buildOpts{}), gzipBytes(t, tarBytes[cut:], buildOpts{})...)
	trailing := append(build(t, entries, buildOpts{layers: 1}), make([]byte, 700)...)
	garbage := append(build(t, entries, buildOpts{layers: 2}), "garbage after the last member"...)
	for name, data := range map[string][]byte{
		"two gzip members":          members,
		"zero padding after gzip":   trailing,
		"garbage after gzip":        garbage,
		"members inside gzip":       gzipBytes(t, members, buildOpts{}),
		"bare tar with zero blocks": append(bytes.Clone(tarBytes), make([]byte, 10240)...),
	} {
		if got := inspectBytes(t, data).ContentSHA256; got != want {
			t.Errorf("%s: ContentSHA256 = %s, want %s", name, got, want)
		}
	}
	// A member cut short is still refused.
	truncated := members[:len(members)-10]
	if _, err := Inspect(bytes.NewReader(truncated), Limits{}); !errors.Is(err, ErrNotArchive) {
		t.Fatalf("truncated second member: %v, want ErrNotArchive", err)
	}
}
