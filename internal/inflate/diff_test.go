package inflate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// stdInflate decodes with compress/flate, the reference.
func stdInflate(data []byte) ([]byte, error) {
	return io.ReadAll(flate.NewReader(bytes.NewReader(data)))
}

// readers feed the same bytes in different shapes, to reach every input boundary.
var readers = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"onebyte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"half", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
	{"dataerr", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
}

// checkSame decodes data with compress/flate and with this package (several input shapes,
// Read and WriteTo) and fails unless both succeed with the same output or both fail, the
// output of each being a prefix of the other's.
func checkSame(t *testing.T, data []byte) {
	t.Helper()
	want, werr := stdInflate(data)
	shapes := readers
	if len(data) > 1<<16 || (raceEnabled && len(data) > 1<<12) {
		shapes = shapes[:1] // the one-byte shapes of big inputs are covered by small ones
	}
	for _, rd := range shapes {
		got, gerr := io.ReadAll(NewReader(rd.wrap(data)))
		compare(t, rd.name+"/Read", want, werr, got, gerr)
	}
	var buf bytes.Buffer
	_, gerr := NewReader(bytes.NewReader(data)).WriteTo(&buf)
	compare(t, "WriteTo", want, werr, buf.Bytes(), gerr)
}

func compare(t *testing.T, how string, want []byte, werr error, got []byte, gerr error) {
	t.Helper()
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: compress/flate error %v, inflate error %v (outputs %d and %d bytes)", how, werr, gerr, len(want), len(got))
	}
	if werr == nil {
		if !bytes.Equal(want, got) {
			t.Fatalf("%s: outputs differ: compress/flate %d bytes, inflate %d bytes, first difference at %d", how, len(want), len(got), firstDiff(want, got))
		}
		return
	}
	n := min(len(want), len(got))
	if !bytes.Equal(want[:n], got[:n]) {
		t.Fatalf("%s: both failed (%v / %v) but their outputs differ at %d", how, werr, gerr, firstDiff(want, got))
	}
	var ce CorruptInputError
	if !errors.As(gerr, &ce) && !errors.Is(gerr, io.ErrUnexpectedEOF) && !errors.Is(gerr, iotest.ErrTimeout) {
		t.Fatalf("%s: unexpected error type %T: %v", how, gerr, gerr)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// sample makes test data of several kinds from a seed.
func sample(seed uint64, n int, kind int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, 0, n)
	switch kind % 5 {
	case 0: // random
		for len(b) < n {
			b = append(b, byte(r.Uint32()))
		}
	case 1: // text-like rows
		words := []string{"id", "name", "created_at", "\"email\":", "null", "true", "12345", "{\"", "\"}", ",", "xano", "workspace", "table"}
		for len(b) < n {
			b = append(b, words[r.IntN(len(words))]...)
			if r.IntN(8) == 0 {
				b = append(b, byte('0'+r.IntN(10)))
			}
		}
	case 2: // runs of short periods
		for len(b) < n {
			p := 1 + r.IntN(9)
			pat := make([]byte, p)
			for i := range pat {
				pat[i] = byte(r.Uint32())
			}
			for range r.IntN(300) {
				b = append(b, pat...)
			}
		}
	case 3: // skewed bytes (long Huffman codes)
		for len(b) < n {
			x := r.ExpFloat64() * 3
			b = append(b, byte(x))
		}
	case 4: // far repeats (32 KiB distances)
		for len(b) < n {
			if len(b) > 40000 && r.IntN(2) == 0 {
				d := 32768 - r.IntN(16)
				l := 3 + r.IntN(300)
				for range l {
					b = append(b, b[len(b)-d])
				}
			} else {
				b = append(b, byte(r.Uint32()))
			}
		}
	}
	return b[:n]
}

var levels = []int{flate.HuffmanOnly, flate.DefaultCompression, flate.NoCompression, 1, 2, 3, 4, 5, 6, 7, 8, 9}

func compress(t testing.TB, data []byte, level int) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLevels(t *testing.T) {
	sizes := []int{0, 1, 100, 70000, 600000}
	if raceEnabled || testing.Short() {
		sizes = sizes[:4] // the race detector makes big inputs slow; the fuzzers cover them
	}
	for kind := range 5 {
		for _, n := range sizes {
			data := sample(uint64(kind*1000+n), n, kind)
			for _, level := range levels {
				c := compress(t, data, level)
				checkSame(t, c)
				got, err := io.ReadAll(NewReader(bytes.NewReader(c)))
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("kind %d n %d level %d: round trip failed: %v", kind, n, level, err)
				}
			}
		}
	}
}

// TestTruncatedAndCorrupt cuts and damages valid streams.
func TestTruncatedAndCorrupt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tries := 20
	if raceEnabled || testing.Short() {
		tries = 4
	}
	for kind := range 5 {
		data := sample(uint64(kind), 20000, kind)
		for _, level := range levels {
			c := compress(t, data, level)
			for range tries {
				checkSame(t, c[:r.IntN(len(c)+1)])
				d := bytes.Clone(c)
				d[r.IntN(len(d))] ^= byte(1 << r.IntN(8))
				checkSame(t, d)
			}
		}
	}
}

func TestGzipMembersAndHeaders(t *testing.T) {
	var all bytes.Buffer
	var want []byte
	for i, kind := range []int{0, 1, 2, 3, 4} {
		data := sample(uint64(i), 1000+i*50000, kind)
		w, _ := gzip.NewWriterLevel(&all, levels[i])
		w.Name = "name-é.json"
		w.Comment = "a comment"
		w.Extra = []byte{'A', 'B', 3, 0, 1, 2, 3}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want = append(want, data...)
	}
	for _, rd := range readers[:3] {
		z, err := NewGzipReader(rd.wrap(all.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if z.Header.Name != "name-é.json" || z.Header.Comment != "a comment" || len(z.Header.Extra) != 7 {
			t.Fatalf("header %+v", z.Header)
		}
		got, err := io.ReadAll(z)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %v, %d bytes, want %d", rd.name, err, len(got), len(want))
		}
	}
	// Every single-bit flip of a small member is caught (or changes nothing compress/gzip sees).
	var one bytes.Buffer
	w := gzip.NewWriter(&one)
	w.Name = "x"
	_, _ = w.Write(sample(3, 300, 1))
	_ = w.Close()
	for i := range one.Len() * 8 {
		d := bytes.Clone(one.Bytes())
		d[i/8] ^= 1 << (i % 8)
		checkGzipSame(t, d)
	}
}

// checkGzipSame decodes gzip data with compress/gzip and this package (strict mode): same
// output, or both fail.
func checkGzipSame(t *testing.T, data []byte) {
	t.Helper()
	var want []byte
	zr, werr := gzip.NewReader(bytes.NewReader(data))
	if werr == nil {
		want, werr = io.ReadAll(zr)
	}
	var got []byte
	z, gerr := NewGzipReader(bytes.NewReader(data))
	if gerr == nil {
		got, gerr = io.ReadAll(z)
	}
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("compress/gzip error %v, inflate error %v", werr, gerr)
	}
	if werr == nil && !bytes.Equal(want, got) {
		t.Fatalf("outputs differ")
	}
}

func TestGzipChecksum(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte("hello, hello, hello"))
	_ = w.Close()
	c := b.Bytes()
	for _, at := range []int{len(c) - 8, len(c) - 1} {
		d := bytes.Clone(c)
		d[at] ^= 1
		z, err := NewGzipReader(bytes.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(z); !errors.Is(err, ErrChecksum) {
			t.Fatalf("byte %d changed: error %v, want ErrChecksum", at, err)
		}
	}
	// Trailing bytes: strict mode refuses them, lenient mode ends there.
	d := append(bytes.Clone(c), "trailing garbage"...)
	z, _ := NewGzipReader(bytes.NewReader(d))
	if _, err := io.ReadAll(z); !errors.Is(err, ErrHeader) {
		t.Fatalf("strict: %v, want ErrHeader", err)
	}
	z, _ = NewGzipReader(bytes.NewReader(d))
	z.Lenient()
	if got, err := io.ReadAll(z); err != nil || string(got) != "hello, hello, hello" {
		t.Fatalf("lenient: %q %v", got, err)
	}
	if _, err := NewGzipReader(bytes.NewReader(nil)); err != io.EOF {
		t.Fatalf("empty: %v, want io.EOF", err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data[:min(len(f.data), 100)])
	f.data = f.data[n:]
	return n, nil
}

// TestSourceErrorAndReuse: an error of the source is returned as such, by both readers, and a
// reader Reset after any error decodes the next stream correctly.
func TestSourceErrorAndReuse(t *testing.T) {
	boom := errors.New("boom")
	data := sample(9, 50000, 1)
	c := compress(t, data, 6)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(data)
	_ = w.Close()

	z := NewReader(&failingReader{data: c[:len(c)/2], err: boom})
	if _, err := io.ReadAll(z); !errors.Is(err, boom) {
		t.Fatalf("deflate: %v, want the source's error", err)
	}
	g, err := NewGzipReader(&failingReader{data: gz.Bytes()[:gz.Len()/2], err: boom})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(g); !errors.Is(err, boom) {
		t.Fatalf("gzip: %v, want the source's error", err)
	}

	bad := bytes.Clone(c)
	bad[len(bad)/3] ^= 0xff
	for _, src := range [][]byte{bad, c[:len(c)/2], c} {
		z.Reset(bytes.NewReader(src))
		_, _ = io.ReadAll(z)
		z.Reset(bytes.NewReader(c))
		if got, err := io.ReadAll(z); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("deflate after Reset: %v", err)
		}
		if err := g.Reset(bytes.NewReader(gz.Bytes())); err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(g); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("gzip after Reset: %v", err)
		}
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestNoProgress: a source that keeps returning nothing is an error, not a hang.
func TestNoProgress(t *testing.T) {
	if _, err := io.ReadAll(NewReader(emptyReader{})); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("%v, want io.ErrNoProgress", err)
	}
	if _, err := NewGzipReader(emptyReader{}); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("gzip: %v, want io.ErrNoProgress", err)
	}
}
