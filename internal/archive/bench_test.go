package archive

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// benchArchiveSize is the uncompressed size of the benchmark archives.
const benchArchiveSize = 256 << 20

// BenchmarkInspect hashes 256 MiB archives generated lazily through a pipe, so the only large
// memory is Inspect's own. It reports the uncompressed bytes per operation, the bytes allocated
// (B/op) and the peak live heap: the peak stays flat as the archive grows.
func BenchmarkInspect(b *testing.B) {
	b.Run("row pages", func(b *testing.B) { benchInspect(b, writeRowPages) })
	b.Run("vault files", func(b *testing.B) { benchInspect(b, writeVaultFiles) })
}

func benchInspect(b *testing.B, gen func(*tar.Writer, int64) (int64, error)) {
	b.ReportAllocs()
	var size int64
	var peak uint64
	for b.Loop() {
		pr, pw := io.Pipe()
		go func() {
			zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
			tw := tar.NewWriter(zw)
			n, err := gen(tw, benchArchiveSize)
			if err == nil {
				err = tw.Close()
			}
			if err == nil {
				err = zw.Close()
			}
			size = n
			pw.CloseWithError(err)
		}()
		stop := sampleHeap(&peak)
		info, err := Inspect(pr, Limits{})
		stop()
		if err != nil || info.Entries == 0 {
			b.Fatalf("Inspect = %+v, %v", info, err)
		}
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size), "uncompressed-bytes/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// sampleHeap records the largest live heap seen into *peak until the returned func is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// writeRowPages writes workspace.json and content/<guid>-<n>.json row pages of about 512 KiB,
// like a full export, until size bytes were written. It reuses one page buffer.
func writeRowPages(tw *tar.Writer, size int64) (int64, error) {
	ws := []byte(`{"app":"xano","version":"1.03","type":"workspace","payload":{"dbo":[{"id":1,"guid":"bench"}]},"sig":"x"}`)
	if err := writeEntry(tw, "workspace.json", ws); err != nil {
		return 0, err
	}
	total := int64(len(ws))
	page := make([]byte, 0, 600<<10)
	row := 0
	for n := 1; total < size; n++ {
		page = append(page[:0], `{"app":"xano","version":"1.03","type":"content","payload":[`...)
		for first := true; len(page) < 512<<10; first = false {
			if !first {
				page = append(page, ',')
			}
			row++
			page = append(page, `{"id":`...)
			page = strconv.AppendInt(page, int64(row), 10)
			page = append(page, `,"created_at":`...)
			page = strconv.AppendInt(page, 1700000000000+int64(row)*7919, 10)
			page = append(page, `,"name":"user `...)
			page = strconv.AppendInt(page, int64(row*31%100003), 36)
			page = append(page, `","email":"u`...)
			page = strconv.AppendInt(page, int64(row), 16)
			page = append(page, `@example.com","score":`...)
			page = strconv.AppendFloat(page, float64(row%1000)*0.37, 'f', -1, 64)
			page = append(page, `,"active":true,"tags":["a","b"]}`...)
		}
		page = append(page, `],"sig":"x"}`...)
		if err := writeEntry(tw, "content/bench-"+strconv.Itoa(n)+".json", page); err != nil {
			return total, err
		}
		total += int64(len(page))
	}
	return total, nil
}

// writeVaultFiles writes 8 MiB stored files of pseudo-random bytes until size bytes were written.
func writeVaultFiles(tw *tar.Writer, size int64) (int64, error) {
	buf := make([]byte, 8<<20)
	x := uint64(88172645463325252)
	var total int64
	for n := 1; total < size; n++ {
		for i := range buf {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			buf[i] = byte(x)
		}
		if err := writeEntry(tw, "vault/bench/"+strconv.Itoa(n)+".bin", buf); err != nil {
			return total, err
		}
		total += int64(len(buf))
	}
	return total, nil
}

func writeEntry(tw *tar.Writer, name string, body []byte) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(body)), Mode: 0o644}); err != nil {
		return err
	}
	_, err := tw.Write(body)
	return err
}
