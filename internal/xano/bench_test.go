package xano

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
)

// Run with: go test -run '^$' -bench . -benchtime 3x ./internal/xano/
// B/op and allocs/op must not grow with the archive size.

var benchSizes = []int64{64 << 20, 512 << 20}

// patternReader yields n bytes of a fixed pattern without allocating.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for i := range p {
		p[i] = byte(i)
	}
	r.left -= int64(len(p))
	return len(p), nil
}

func (r *patternReader) Close() error { return nil }

func BenchmarkExport(b *testing.B) {
	chunk := make([]byte, 1<<20)
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			srv := newServer(b, func(w http.ResponseWriter, r *http.Request, path string) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
				for left := size; left > 0; left -= int64(len(chunk)) {
					if _, err := w.Write(chunk[:min(left, int64(len(chunk)))]); err != nil {
						return
					}
				}
			})
			c, _ := newTestClient(b, srv.URL, func(cfg *Config) { cfg.Logger = nil })
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n, err := c.Export(context.Background(), 1, ExportOptions{}, io.Discard)
				if err != nil || n != size {
					b.Fatalf("%d bytes, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkImport uploads a lazily generated archive, chunked (size unknown) and with a
// declared ArchiveSource.Size (Content-Length).
func BenchmarkImport(b *testing.B) {
	for _, sized := range []bool{false, true} {
		for _, size := range benchSizes {
			name := fmt.Sprintf("chunked/%dMiB", size>>20)
			if sized {
				name = fmt.Sprintf("sized/%dMiB", size>>20)
			}
			b.Run(name, func(b *testing.B) { benchImport(b, size, sized) })
		}
	}
}

func benchImport(b *testing.B, size int64, sized bool) {
	srv := newServer(b, func(w http.ResponseWriter, r *http.Request, path string) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n < size || (sized && r.ContentLength != n) || (!sized && r.ContentLength != -1) {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", fmt.Sprintf("body of %d bytes, Content-Length %d", n, r.ContentLength))
			return
		}
		writeJSON(w, 200, `{"id":1,"name":"w","branch":{"label":"v1"}}`)
	})
	c, _ := newTestClient(b, srv.URL, func(cfg *Config) { cfg.Logger = nil })
	src := ArchiveSource{Name: "big.tar.gz", Open: func() (io.ReadCloser, error) {
		return &patternReader{left: size}, nil
	}}
	if sized {
		src.Size = size
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Import(context.Background(), 1, ImportInput{File: src}); err != nil {
			b.Fatal(err)
		}
	}
}
