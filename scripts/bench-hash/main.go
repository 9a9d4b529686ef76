// Command bench-hash computes the canonical content hash of export archives the way the
// provider does (archive.Inspect) and reports, per file, the hash, the file's size and the
// seconds it took:
//
//	go run ./scripts/bench-hash FILE...
//
// With -generate it writes instead a realistic export archive to measure on: a workspace.json
// bundle and content/ row pages of varied rows (names, emails, numbers, text) that compress
// about 3.7:1, like real tables:
//
//	go run ./scripts/bench-hash -generate /tmp/export.tar.gz -rows-bytes 1073741824
//
// Compare with `gzip -dc FILE | sha256sum` on the same file (see make bench). With -inflate it
// only inflates the outer gzip layer, with the same decoder, and reports the seconds: the floor
// under any inspection of the archive that has to read its content. -decoder chooses the
// decoder of -inflate: builtin (internal/inflate), klauspost or stdlib (compress/gzip); by
// default the one XANO_INFLATE chooses, as the provider does.
//
//	go run ./scripts/bench-hash -inflate [-decoder stdlib] FILE...
package main

import (
	"bufio"
	stdgzip "compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/inflate"
)

func main() {
	generate := flag.String("generate", "", "write a generated export archive to this file instead of hashing")
	rowsBytes := flag.Int64("rows-bytes", 1<<30, "with -generate: bytes of JSON rows to write")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the hashing to this file")
	inflateOnly := flag.Bool("inflate", false, "only inflate the outer gzip layer (the floor under the hash)")
	flag.StringVar(&decoder, "decoder", "", "with -inflate: builtin, klauspost or stdlib (default: as XANO_INFLATE chooses)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-hash:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	if *generate != "" {
		if err := generateArchive(*generate, *rowsBytes); err != nil {
			fmt.Fprintln(os.Stderr, "bench-hash:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: bench-hash FILE... | bench-hash -generate FILE [-rows-bytes N]")
		os.Exit(2)
	}
	failed := false
	measure := hashFile
	if *inflateOnly {
		measure = inflateFile
	}
	for _, name := range flag.Args() {
		if err := measure(name); err != nil {
			fmt.Fprintf(os.Stderr, "bench-hash: %s: %v\n", name, err)
			failed = true
		}
	}
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var decoder string

func hashFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	start := time.Now()
	info, err := archive.Inspect(f, archive.Limits{})
	secs := time.Since(start).Seconds()
	if err != nil {
		return err
	}
	sum := info.ContentSHA256
	switch {
	case info.Encrypted:
		sum = "encrypted"
	case info.Incomplete != nil:
		sum = "incomplete (" + info.Incomplete.Error() + ")"
	}
	fmt.Printf("content_sha256=%s bytes=%d seconds=%.3f file=%s\n", sum, st.Size(), secs, name)
	return nil
}

// inflateFile inflates a file's outer gzip layer and reports the bytes and seconds.
func inflateFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	src := bufio.NewReaderSize(f, 64<<10)
	var zr io.Reader
	switch decoder {
	case "":
		zr, err = inflate.NewGzip(src, false)
	case inflate.SwitchBuiltin:
		zr, err = inflate.NewGzipReader(src)
	case inflate.SwitchKlauspost:
		zr, err = gzip.NewReader(src)
	case "stdlib":
		zr, err = stdgzip.NewReader(src)
	default:
		err = fmt.Errorf("-decoder %q: want builtin, klauspost or stdlib", decoder)
	}
	if err != nil {
		return err
	}
	// Read, as the inspection does (not WriteTo), in 256 KiB buffers.
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{zr}, make([]byte, 256<<10))
	secs := time.Since(start).Seconds()
	if err != nil {
		return err
	}
	fmt.Printf("inflated=%d seconds=%.3f file=%s\n", n, secs, name)
	return nil
}

// generateArchive writes an export of rows rows-bytes large to name.
func generateArchive(name string, rowsBytes int64) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := archive.NewWriter(bw, time.Unix(1_700_000_000, 0).UTC())
	ws, err := archive.NewBundle("workspace", map[string]any{
		"dbo": []any{map[string]any{"id": 1, "guid": "bench-users", "name": "users"}},
	})
	if err == nil {
		err = w.AddJSON("workspace.json", ws)
	}
	g := rowGen{x: 0x9e3779b97f4a7c15}
	var written int64
	for page := 1; err == nil && written < rowsBytes; page++ {
		rows := make([]any, 0, 1024)
		size := 0
		for size < 512<<10 {
			row := g.row()
			rows = append(rows, row)
			size += g.last
		}
		var b archive.Bundle
		if b, err = archive.NewBundle("content", rows); err == nil {
			err = w.AddJSON("content/bench-users-"+strconv.Itoa(page)+".json", b)
		}
		written += int64(size)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

var words = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
	"kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
	"uniform", "victor", "whiskey", "xray", "yankee", "zulu", "order", "invoice", "shipped",
	"pending", "refund", "customer", "premium", "basic", "annual", "monthly", "berlin", "paris",
	"lisbon", "oslo", "madrid", "rome", "vienna", "prague", "dublin", "warsaw",
}

// rowGen makes varied rows from a xorshift generator.
type rowGen struct {
	x    uint64
	id   int64
	last int // approximate JSON size of the last row
}

func (g *rowGen) next() uint64 {
	g.x ^= g.x << 13
	g.x ^= g.x >> 7
	g.x ^= g.x << 17
	return g.x
}

func (g *rowGen) word() string { return words[g.next()%uint64(len(words))] }

func (g *rowGen) row() map[string]any {
	g.id++
	text := make([]byte, 0, 160)
	for range 4 + g.next()%16 {
		text = append(text, g.word()...)
		text = append(text, ' ')
	}
	token := strconv.FormatUint(g.next(), 36) + strconv.FormatUint(g.next()>>20, 36)
	row := map[string]any{
		"id":         g.id,
		"created_at": 1_700_000_000_000 + int64(g.next()%100_000_000_000),
		"name":       g.word() + " " + g.word(),
		"email":      g.word() + "." + strconv.FormatUint(g.next()%100000, 10) + "@example.com",
		"score":      float64(g.next()%1_000_000) / 100,
		"active":     g.next()%2 == 0,
		"status":     g.word(),
		"note":       string(text),
		"token":      token,
		"tags":       []string{g.word(), g.word()},
		"ref":        strconv.FormatUint(g.next()>>16, 16),
	}
	g.last = 175 + len(text) + len(token)
	return row
}
