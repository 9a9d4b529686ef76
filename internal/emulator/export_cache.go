package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Xano builds a whole export before it sends the first byte (reference notes, section 3), and
// so does the emulator: the archive is written to a file, then sent with its Content-Length at
// the speed of the connection (or of Options.ExportBytesPerSecond). A built archive is kept
// while what it was built from is unchanged, so that exporting a large unchanged workspace
// again costs only the sending.
//
// "Unchanged" is decided by a fingerprint of everything the archive is made of (the signed
// bundle, which holds the branch's schema and objects, and each table's rows: generator
// parameters or spooled page locations), not by hooks on every mutation: a change that reaches
// an export changes its fingerprint, whatever route made it.

// maxBuiltExports is how many built archives are kept (the least recently used goes first).
const maxBuiltExports = 4

// exportSlot names the archives that replace each other: one per workspace, branch and kind.
type exportSlot struct {
	ws      int64
	branch  string
	full    bool
	records bool
}

// builtExport is one built archive. mu is held while it is built, so that a second export of
// the same slot waits for the first one's archive rather than building its own.
type builtExport struct {
	mu   sync.Mutex
	key  [sha256.Size]byte
	path string // "" until built
	size int64
	used time.Time
}

type exportCache struct {
	mu      sync.Mutex
	dir     string // created when first needed; removed by Close
	entries map[exportSlot]*builtExport
}

// fingerprint is the cache key of an export: what its bytes are made of, except the
// modification time stamped in it.
func (job *exportJob) fingerprint(typ string, bundleJSON []byte) [sha256.Size]byte {
	h := sha256.New()
	var flags [2]byte
	if job.records {
		flags[0] = 1
	}
	if job.doubleGzip {
		flags[1] = 1
	}
	h.Write([]byte(typ))
	h.Write(flags[:])
	_ = binary.Write(h, binary.LittleEndian, int64(len(bundleJSON)))
	h.Write(bundleJSON)
	if job.records {
		// The table fields that make the rows (Def is in the bundle already).
		for _, t := range job.tables {
			rows, _ := json.Marshal(struct {
				GUID, Storage, RowKind string
				Rows                   int64
				RowBytes               int
				Pages                  []pageRef
			}{t.GUID, t.Storage, t.RowKind, t.Rows, t.RowBytes, t.Pages})
			h.Write(rows)
		}
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// builtArchive returns an open file holding the archive of job (unencrypted), building it
// unless the slot's archive has the same fingerprint, and the file's size.
func (s *Server) builtArchive(job *exportJob, slot exportSlot, typ string, bundleJSON []byte, build func(io.Writer) error) (*os.File, int64, error) {
	key := job.fingerprint(typ, bundleJSON)
	c := &s.exports
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[exportSlot]*builtExport{}
	}
	e := c.entries[slot]
	if e == nil {
		e = &builtExport{}
		c.entries[slot] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.path != "" && e.key == key {
		if f, err := os.Open(e.path); err == nil {
			s.noteUsed(e)
			return f, e.size, nil
		}
	}
	dir, err := s.exportDir()
	if err != nil {
		return nil, 0, err
	}
	f, err := os.CreateTemp(dir, "export-*.tar.gz")
	if err != nil {
		return nil, 0, err
	}
	if err := build(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	if e.path != "" {
		os.Remove(e.path) // an export still sending it keeps its open file
	}
	e.key, e.path, e.size = key, f.Name(), size
	s.noteUsed(e)
	return f, size, nil
}

// noteUsed marks e as just used and drops the least recently used archives beyond
// maxBuiltExports (never one being built or read under its lock).
func (s *Server) noteUsed(e *builtExport) {
	c := &s.exports
	c.mu.Lock()
	defer c.mu.Unlock()
	e.used = time.Now()
	var built []*builtExport
	for _, o := range c.entries {
		if o != e && o.path != "" {
			built = append(built, o)
		}
	}
	sort.Slice(built, func(i, j int) bool { return built[i].used.Before(built[j].used) })
	for i := 0; i < len(built)+1-maxBuiltExports; i++ {
		o := built[i]
		if !o.mu.TryLock() {
			continue
		}
		os.Remove(o.path)
		o.path = ""
		o.mu.Unlock()
	}
}

// exportDir returns the folder of built archives, creating it when first needed.
func (s *Server) exportDir() (string, error) {
	c := &s.exports
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "xano-emulator-exports-*")
		if err != nil {
			return "", err
		}
		c.dir = dir
	}
	return c.dir, nil
}

// closeExports removes the built archives.
func (s *Server) closeExports() error {
	c := &s.exports
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir == "" {
		return nil
	}
	err := os.RemoveAll(c.dir)
	c.dir, c.entries = "", nil
	return err
}

// sendArchive copies a built archive to w, its gzip header's modification time set to modTime
// (gzip's checksum covers the data, not the header), so that two exports never have the same
// bytes, as when each is built anew.
func sendArchive(w io.Writer, f io.Reader, modTime time.Time) error {
	var head [10]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return err
	}
	if n == len(head) && head[0] == 0x1f && head[1] == 0x8b {
		binary.LittleEndian.PutUint32(head[4:8], uint32(modTime.Unix()))
	}
	if _, err := w.Write(head[:n]); err != nil {
		return err
	}
	bp, ok := copyBufs.Get().(*[]byte)
	if !ok {
		b := make([]byte, copyBufSize)
		bp = &b
	}
	defer copyBufs.Put(bp)
	_, err = io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{f}, *bp)
	return err
}

// pacedWriter writes no faster than its limiter allows (Options.ExportBytesPerSecond).
type pacedWriter struct {
	ctx context.Context
	w   io.Writer
	lim *rate.Limiter
}

// pacedChunk is the largest write a pacedWriter makes at once: the limiter's burst.
const pacedChunk = 64 << 10

func newPacedWriter(ctx context.Context, w io.Writer, bytesPerSecond int64) io.Writer {
	if bytesPerSecond <= 0 {
		return w
	}
	return &pacedWriter{ctx: ctx, w: w, lim: rate.NewLimiter(rate.Limit(bytesPerSecond), pacedChunk)}
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		chunk := b[:min(len(b), pacedChunk)]
		if err := p.lim.WaitN(p.ctx, len(chunk)); err != nil {
			return written, err
		}
		n, err := p.w.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
		b = b[n:]
	}
	return written, nil
}
