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

// runBench runs one decode per iteration and reports, besides the wall-clock MB/s, "cpu-MB/s":
// the bytes decoded per second of CPU time the process used (on Linux), which a shared,
// loaded machine disturbs far less.
func runBench(b *testing.B, decode func() error) {
	start := cpuNanos()
	n := 0
	for b.Loop() {
		if err := decode(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if used := cpuNanos() - start; used > 0 {
		b.ReportMetric(float64(benchSize)*float64(n)/(float64(used)/1e9)/1e6, "cpu-MB/s")
	}
}

func BenchmarkInflateStdlib(b *testing.B) {
	data := benchData(b)
	runBench(b, func() error {
		z, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf)
		return err
	})
}

func BenchmarkInflateKlauspost(b *testing.B) {
	data := benchData(b)
	runBench(b, func() error {
		z, err := kgzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf)
		return err
	})
}

func BenchmarkInflateOurs(b *testing.B) {
	data := benchData(b)
	z := new(GzipReader)
	runBench(b, func() error {
		if err := z.Reset(bytes.NewReader(data)); err != nil {
			return err
		}
		_, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{z}, copyBuf)
		return err
	})
}
