package inflate

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"sync"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// The decoder benchmarks inflate one archive with compress/gzip, klauspost/compress and this
// package (all with their checksums), so their ratios come from one run. The archive is the
// file INFLATE_BENCH_FILE names (e.g. one written by `go run ./scripts/bench-hash -generate`),
// or 16 MiB of realistic rows made here. Compare on one core:
//
//	taskset -c 1 go test -run '^$' -bench Inflate -count 5 ./internal/inflate

var (
	benchOnce sync.Once
	benchGz   []byte
	benchSize int64
)

func benchData(b *testing.B) []byte {
	benchOnce.Do(func() {
		if f := os.Getenv("INFLATE_BENCH_FILE"); f != "" {
			data, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			benchGz = data
		} else {
			content := sample(21, 16<<20, 1)
			var buf bytes.Buffer
			w, _ := kgzip.NewWriterLevel(&buf, kgzip.DefaultCompression)
			_, _ = w.Write(content)
			_ = w.Close()
			benchGz = buf.Bytes()
		}
		z, err := NewGzipReader(bytes.NewReader(benchGz))
		if err != nil {
			panic(err)
		}
		benchSize, err = io.Copy(io.Discard, z)
		if err != nil {
			panic(err)
		}
	})
	b.SetBytes(benchSize)
	b.ReportAllocs()
	return benchGz
}

var copyBuf = make([]byte, 256<<10)

func BenchmarkInflateStdlib(b *testing.B) {
	data := benchData(b)
	for b.Loop() {
		z, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInflateKlauspost(b *testing.B) {
	data := benchData(b)
	for b.Loop() {
		z, err := kgzip.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInflateOurs(b *testing.B) {
	data := benchData(b)
	z := new(GzipReader)
	for b.Loop() {
		if err := z.Reset(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf); err != nil {
			b.Fatal(err)
		}
	}
}
