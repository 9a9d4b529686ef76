package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

func bigFixture(rows int64, rowBytes int) *emulator.Fixture {
	return &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: 1, Name: "big",
		Tables: []emulator.FixtureTable{{Name: "rows", Rows: rows, RowBytes: rowBytes}},
	}}}
}

// download exports workspace 1 over real HTTP into io.Discard and returns the archive size.
func download(tb testing.TB, in *emulatortest.Instance) int64 {
	req, _ := http.NewRequest("POST", in.URL+"/api:meta/workspace/1/export", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+in.Token)
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("status %d", resp.StatusCode)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func benchmarkExport(b *testing.B, rows int64, rowBytes int) {
	in := emulatortest.Start(b, bigFixture(rows, rowBytes))
	b.SetBytes(rows * int64(rowBytes))
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		size = download(b, in)
	}
	b.ReportMetric(float64(size), "archive-bytes")
}

// BenchmarkExport1GiB exports a table of about 1 GiB of generated rows over HTTP. Its B/op
// must stay about the same as BenchmarkExport64MiB's: rows are generated and streamed, never
// held.
func BenchmarkExport1GiB(b *testing.B)  { benchmarkExport(b, 1<<20, 1024) }
func BenchmarkExport64MiB(b *testing.B) { benchmarkExport(b, 1<<16, 1024) }

// allocatedBy returns the bytes allocated (by the whole process) while fn runs.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// archiveEntryCost measures what archive.Writer.AddFile itself allocates per entry of a few
// hundred KiB (outside this package's control; see the report on io.CopyN's buffer).
func archiveEntryCost(t *testing.T) uint64 {
	w := archive.NewWriter(io.Discard, timeZero)
	page := bytes.Repeat([]byte("x"), 512<<10)
	rd := bytes.NewReader(page)
	if err := w.AddFile("warm-up", int64(len(page)), rd); err != nil { // the compressor is set up lazily
		t.Fatal(err)
	}
	const n = 20
	cost := allocatedBy(func() {
		for i := 0; i < n; i++ {
			rd.Reset(page)
			if err := w.AddFile("content/x-1.json", int64(len(page)), rd); err != nil {
				t.Fatal(err)
			}
		}
	})
	w.Close()
	return cost / n
}

func TestExportAllocationDoesNotScale(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("exports 64 MiB; allocation counts are not meaningful under the race detector")
	}
	small := emulatortest.Start(t, bigFixture(4<<10, 1024))  // 4 MiB of rows
	large := emulatortest.Start(t, bigFixture(64<<10, 1024)) // 64 MiB of rows
	download(t, small)                                       // warm up pools and connections
	download(t, large)
	a := allocatedBy(func() { download(t, small) })
	b := allocatedBy(func() { download(t, large) })
	perEntry := archiveEntryCost(t)
	extraPages := uint64(60 << 20 / (512 << 10)) // about 120 more content pages
	t.Logf("allocated: 4 MiB export %d KiB, 64 MiB export %d KiB; archive.Writer.AddFile allocates %d B per entry",
		a>>10, b>>10, perEntry)
	if perEntry > 4<<10 {
		t.Logf("archive.Writer.AddFile allocates per entry (io.CopyN's 32 KiB buffer): exports allocate about %d KiB per GiB of rows because of it", perEntry*2048>>10)
	}
	// What this package allocates must not grow with the rows: 60 more MiB may cost a little per
	// page (entry names), not per byte.
	growth := int64(b) - int64(a) - int64(extraPages*perEntry)
	if growth > 1<<20 {
		t.Fatalf("allocation grows with the export: %d KiB for 4 MiB of rows, %d KiB for 64 MiB (archive's share %d KiB)",
			a>>10, b>>10, extraPages*perEntry>>10)
	}
}
