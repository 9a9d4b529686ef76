package emulator_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// saveExport downloads a full export of workspace 1 into a file and returns its path and size.
func saveExport(tb testing.TB, in *emulatortest.Instance, dir string) (string, int64) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, in.MetaURL()+"/workspace/1/export", http.NoBody)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("export: status %d", resp.StatusCode)
	}
	path := filepath.Join(dir, "export.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path, n
}

// importFile streams a file as the multipart upload of POST /workspace/{ws}/import: neither side
// holds the archive in memory.
func importFile(tb testing.TB, in *emulatortest.Instance, ws int, path string) {
	tb.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			part, err := mw.CreateFormFile("file", "export.tar.gz")
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, in.MetaURL()+"/workspace/"+strconv.Itoa(ws)+"/import", pr)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("import: %d %s", resp.StatusCode, data)
	}
}

// heapSampler samples the heap in use (runtime.MemStats.HeapInuse: the spans holding objects,
// live or not yet swept) until stopped and keeps the peak. It reads runtime/metrics, which does
// not stop the world as runtime.ReadMemStats does: every 2 ms, that preempted every goroutine
// of the import, charged both its CPU time and its wall time, and more so the more goroutines
// the import runs.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func sampleHeap(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		samples := []metrics.Sample{
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			metrics.Read(samples)
			h.peak = max(h.peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Peak returns the highest HeapInuse seen; it stops the sampler.
func (h *heapSampler) Peak() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}

// BenchmarkImport imports a full export holding 256 MiB of rows (1 KiB each, in ~512 KB signed
// pages) over HTTP, the archive streamed from a file. peak-heap-MiB is the highest HeapInuse
// of the whole process (client and server) sampled during the imports; archive-MB/s is the
// rate the archive itself is accepted at (MB/s counts the rows); cpu-ms/op is the CPU time
// (user and system, client and server) of one import, which a shared machine does not inflate
// as it does the wall time. B/op must not grow with the rows: the upload and the pages are
// spooled to disk, a few pages at a time in memory.
func BenchmarkImport(b *testing.B) {
	const rows, rowBytes = 256 << 10, 1024
	in := emulatortest.Start(b, bigFixture(rows, rowBytes))
	path, size := saveExport(b, in, b.TempDir())
	b.SetBytes(rows * rowBytes)
	b.ReportAllocs()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	hs := sampleHeap(2 * time.Millisecond)
	start, cpu := time.Now(), cpuNanos()
	for b.Loop() {
		importFile(b, in, 1, path)
	}
	perImport := time.Since(start).Seconds() / float64(b.N)
	if used := cpuNanos() - cpu; used > 0 {
		b.ReportMetric(float64(used)/1e6/float64(b.N), "cpu-ms/op")
	}
	peak := hs.Peak()
	b.ReportMetric(float64(size)/(1<<20), "archive-MiB")
	b.ReportMetric(float64(size)/1e6/perImport, "archive-MB/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "start-heap-MiB")
}
