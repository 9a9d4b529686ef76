package emulator

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

const (
	bundleApp     = archive.BundleApp
	bundleVersion = archive.BundleVersion
	// pageTarget is the approximate size of one content page (Xano's pages are about 512 KB).
	pageTarget = 512 << 10
)

// exportSchema answers POST /workspace/{id}/export-schema, export an export (full) or an
// export-schema of a workspace branch: the archive is
// built first (or reused, see export_cache.go), then sent with its Content-Length, encrypted
// on the way when a password is set.
func (s *Server) exportSchema(c *call) error { return s.export(c, false) }

// exportFull answers POST /workspace/{id}/export.
func (s *Server) exportFull(c *call) error { return s.export(c, true) }

func (s *Server) export(c *call, full bool) error {
	w, r, wsID := c.w, c.r, c.wsID
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	label, _ := p.str("branch")
	password, _ := p.str("password")
	job, err := s.prepareExport(wsID, label, full && p.boolean("records", true))
	if err != nil {
		return err
	}
	job.doubleGzip = s.opts.DoubleGzip
	defer job.close()

	// Both exports hold workspace.json: a bundle of type "schema" or "workspace".
	typ, fname := "schema", job.ws.Name+"-schema.tar.gz"
	if full {
		typ, fname = "workspace", job.ws.Name+".tar.gz"
	}
	payload := bundlePayload(job.ws, job.b, job.tables)
	bundle, err := archive.NewBundle(typ, payload)
	if err != nil {
		return errFatal("Unable to sign the export.")
	}
	bundleJSON, err := json.Marshal(bundle)
	if err != nil {
		return errFatal("Unable to build the export.")
	}
	modTime := s.exportTime()
	slot := exportSlot{ws: wsID, branch: job.b.Label, full: full, records: job.records}
	f, size, err := s.builtArchive(job, slot, typ, bundleJSON, func(dst io.Writer) error {
		return job.stream(dst, modTime, bundle)
	})
	if err != nil {
		return errFatal("Unable to build the export.")
	}
	defer f.Close()

	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+safeFilename(fname)+`"`)
	h.Set("Cache-Control", "no-store")
	if password == "" {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)

	// From here on the status is sent: a failure can only cut the stream.
	out := newPacedWriter(r.Context(), w, s.opts.ExportBytesPerSecond)
	if err := sendEncrypted(out, f, password, modTime); err != nil && !errors.Is(err, errCut) {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// sendEncrypted sends a built archive, encrypted with password unless it is empty.
func sendEncrypted(w io.Writer, f io.Reader, password string, modTime time.Time) error {
	if password == "" {
		return sendArchive(w, f, modTime)
	}
	enc, err := archive.Encrypt(w, password)
	if err != nil {
		return err
	}
	if err := sendArchive(enc, f, modTime); err != nil {
		return err
	}
	return enc.Close()
}

// exportJob is what an export reads, taken under the lock: the state itself is immutable, and
// the spool files are opened then so that a concurrent import cannot remove them under it.
type exportJob struct {
	ws      *workspace
	b       *branch
	tables  []*table // in creation order
	records bool
	files   map[string]*os.File // spool files by base name
	// doubleGzip wraps the gzip(tar) in a second gzip layer (Options.DoubleGzip).
	doubleGzip bool
}

func (s *Server) prepareExport(wsID int64, label string, records bool) (*exportJob, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.st.workspace(wsID)
	if ws == nil {
		return nil, errNoWorkspace
	}
	b := branchOf(ws, label)
	if b == nil {
		return nil, errNoBranch
	}
	job := &exportJob{ws: ws, b: b, records: records, files: map[string]*os.File{}}
	job.tables = append([]*table(nil), ws.Tables...) // creation order, as real exports list dbo
	if !records {
		return job, nil
	}
	for _, t := range job.tables {
		for _, pg := range t.Pages {
			if job.files[pg.File] != nil {
				continue
			}
			f, err := os.Open(filepath.Join(s.rowsDir, pg.File))
			if err != nil {
				job.close()
				return nil, errFatal("Unable to read the table rows.")
			}
			job.files[pg.File] = f
		}
	}
	return job, nil
}

func (job *exportJob) close() {
	for _, f := range job.files {
		f.Close()
	}
}

// stream writes the archive: the bundle as workspace.json, then the content pages of every table when
// the job has records.
func (job *exportJob) stream(w io.Writer, modTime time.Time, bundle archive.Bundle) error {
	out := w
	var outer *gzip.Writer
	if job.doubleGzip {
		// The outer layer compresses compressed bytes: the fastest level loses nothing.
		outer, _ = gzip.NewWriterLevel(out, gzip.BestSpeed) // a valid level: no error
		outer.ModTime = modTime
		out = outer
	}
	aw := archive.NewWriter(out, modTime)
	if err := aw.AddJSON("workspace.json", bundle); err != nil {
		return err
	}
	if job.records {
		pe := newPageEncoder()
		for _, t := range job.tables {
			var err error
			switch t.Storage {
			case storageGenerated:
				err = pe.writeGenerated(aw, t)
			default:
				err = writeSpooled(aw, t, job.files)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := aw.Close(); err != nil {
		return err
	}
	if outer != nil {
		return outer.Close()
	}
	return nil
}

func safeFilename(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
}

// bundlePayload builds the payload of a schema or workspace bundle as a real export has it: every
// member of payloadMembers in the engine's order (members an archive brought that the list does
// not name follow, sorted), tables in creation order, the full workspace record. It holds no
// branch label and no time, so that exports of an unchanged branch have the same content.
func bundlePayload(ws *workspace, b *branch, tables []*table) ordered {
	dbo := make([]json.RawMessage, 0, len(tables))
	for _, t := range tables {
		dbo = append(dbo, t.Def)
	}
	fs := append([]*function(nil), b.Functions...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	record := workspaceRecord(ws)
	value := func(k string) any {
		switch k {
		case "dbo":
			return dbo
		case "function":
			return payloadList("function", fs)
		case "workspace":
			return record
		}
		raw, verbatim := b.Extra[k] // as imported
		if isObjectKind(k) && (!verbatim || len(*b.objects(k)) > 0) {
			return payloadList(k, *b.objects(k))
		}
		if verbatim {
			return raw
		}
		if k == "partial" {
			return false
		}
		return []any{}
	}
	keys := payloadMembers
	if b.Members != nil {
		// An imported branch: the archive's members, in its order.
		keys = append([]string(nil), b.Members...)
		for _, k := range []string{"dbo", "function", "app", "query", "task", "workspace"} {
			if !slices.Contains(keys, k) && (!isObjectKind(k) || len(*b.objects(k)) > 0) {
				keys = append(keys, k)
			}
		}
	}
	p := make(ordered, 0, len(keys)+len(b.Extra))
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
		p = append(p, member{k, value(k)})
	}
	var more []string
	for k := range b.Extra {
		if !known[k] {
			more = append(more, k)
		}
	}
	sort.Strings(more)
	for _, k := range more {
		p = append(p, member{k, b.Extra[k]})
	}
	return p
}

// workspaceRecord is the payload's "workspace" member: the record an archive imported over the
// workspace brought (ws.Record), else the emulator's own, shaped as a real export's (the engine
// state checksum, iv, salt, secret, crypto, settings, release and git, and "branch": {"id": 0}),
// whose secrets are plainly fake. Either way name and description are the workspace's. It
// holds no time, so that the content hash of an unchanged branch stays the same.
func workspaceRecord(ws *workspace) ordered {
	if len(ws.Record) > 0 {
		var rec ordered
		if err := json.Unmarshal(ws.Record, &rec); err == nil {
			if rec.get("name") != nil {
				rec = rec.set("name", ws.Name)
			}
			if rec.get("description") != nil {
				rec = rec.set("description", ws.Description)
			}
			return rec
		}
	}
	fake := "FAKE-emulator-not-a-secret-" + stableGUID("workspace-secret", ws.ID)[:8]
	return ordered{
		{"id", ws.ID}, {"name", ws.Name}, {"description", ws.Description},
		{"checksum", stableGUID("workspace-checksum", ws.ID)},
		{"iv", fake}, {"salt", fake}, {"secret", fake},
		{"crypto", ordered{{"algo", "FAKE-emulator"}, {"key", fake}}},
		{"settings", ordered{{"swagger", false}, {"documentation", nil}}},
		{"release", ordered{{"id", 0}}},
		{"git", ordered{{"enabled", false}}},
		{"branch", branchRef},
	}
}

func decodeAny(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// pageEncoder writes generated rows as signed content pages. Its buffers are reused from page
// to page, so an export allocates the same whatever the number of rows.
type pageEncoder struct {
	rows    []byte   // "[row,row,...]"
	pattern []byte   // filler source of the current table (RowKindRepetitive)
	words   [][]byte // vocabulary of the current table (RowKindRealistic)
	h       hash.Hash
	sum     []byte
	sig     []byte
	tail    []byte
	parts   sliceReader
}

func newPageEncoder() *pageEncoder {
	return &pageEncoder{
		rows: make([]byte, 0, pageTarget+4096),
		h:    sha1.New(),
		sum:  make([]byte, 0, sha1.Size),
		sig:  make([]byte, base64.URLEncoding.EncodedLen(sha1.Size)),
	}
}

var (
	canonHead = []byte(`{"app":"` + bundleApp + `","payload":`)
	canonTail = []byte(`,"type":"content","version":"` + bundleVersion + `"}`)
	pageHead  = []byte(`{"app":"` + bundleApp + `","version":"` + bundleVersion + `","type":"content","payload":`)
)

// patternSpan is the length of a repetitive table's filler source.
const patternSpan = 8192

// tableSeed is the pseudo-random seed of a table's rows, derived from its guid (never 0).
func tableSeed(guid string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(guid))
	return h.Sum64() | 1
}

// xorshift is the generators' pseudo-random step (Marsaglia's xorshift64).
func xorshift(x uint64) uint64 {
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	return x
}

// setPattern makes the filler source of a repetitive table: patternSpan pseudo-random
// lowercase letters, extended so that any window of n bytes fits.
func (pe *pageEncoder) setPattern(guid string, n int) {
	size := patternSpan + n
	if cap(pe.pattern) < size {
		pe.pattern = make([]byte, size)
	}
	pe.pattern = pe.pattern[:size]
	x := tableSeed(guid)
	for i := 0; i < patternSpan; i++ {
		x = xorshift(x)
		pe.pattern[i] = 'a' + byte(x%26)
	}
	for i := patternSpan; i < size; i++ {
		pe.pattern[i] = pe.pattern[i-patternSpan]
	}
}

// vocabularySize is the number of words of a realistic table; numberEvery is how often (one
// token in numberEvery) a realistic row holds a number instead of a word. Together they give
// about 3.5:1 under gzip for 1 KiB rows.
const (
	vocabularySize = 256
	numberEvery    = 16
)

// setVocabulary makes the words of a realistic table: vocabularySize words of 3 to 10
// lowercase letters.
func (pe *pageEncoder) setVocabulary(guid string) {
	if pe.words == nil {
		pe.words = make([][]byte, vocabularySize)
	}
	x := tableSeed(guid)
	for i := range pe.words {
		x = xorshift(x)
		w := pe.words[i][:0]
		for n := 3 + int(x%8); n > 0; n-- {
			x = xorshift(x)
			w = append(w, 'a'+byte(x%26))
		}
		pe.words[i] = w
	}
}

// appendFiller appends the fill bytes of row n of a table of the given kind; seed is the
// table's. Every byte is a lowercase letter, a digit or a space, so that the row's PHP-style
// encoding is the bytes themselves.
func (pe *pageEncoder) appendFiller(dst []byte, kind string, seed uint64, n int64, fill int) []byte {
	start := len(dst)
	x := seed ^ (uint64(n) * 0x9e3779b97f4a7c15)
	if x == 0 {
		x = seed
	}
	switch kind {
	case RowKindRealistic:
		for len(dst)-start < fill {
			x = xorshift(x)
			if x%numberEvery == 0 {
				dst = strconv.AppendUint(dst, (x>>8)%1000000, 10)
			} else {
				// Squaring a uniform index favours the first words, as real text does.
				u := (x >> 20) % vocabularySize
				dst = append(dst, pe.words[u*u/vocabularySize]...)
			}
			dst = append(dst, ' ')
		}
		return dst[:start+fill]
	case RowKindRandom:
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
		for len(dst)-start < fill {
			x = xorshift(x)
			for v, k := x, 0; k < 12; k++ { // 36^12 < 2^64: twelve letters of one draw
				dst = append(dst, alphabet[v%36])
				v /= 36
			}
		}
		return dst[:start+fill]
	default: // RowKindRepetitive, and "" (states saved before row kinds)
		off := int((uint64(n) * 2654435761) % patternSpan)
		return append(dst, pe.pattern[off:off+fill]...)
	}
}

// writeGenerated writes the rows of a generated table: row n (1-based) is
// {"data":"<filler>","id":n}, a pure function of (guid, kind, n). Rows are added to a page
// until it reaches pageTarget; a page always takes its first row, so a row larger than
// pageTarget (up to MaxFixtureRowBytes) is alone in its page.
func (pe *pageEncoder) writeGenerated(aw *archive.Writer, t *table) error {
	if t.Rows <= 0 {
		return nil
	}
	fill := t.RowBytes - 24
	if fill < 8 {
		fill = 8
	}
	switch t.RowKind {
	case RowKindRealistic:
		pe.setVocabulary(t.GUID)
	case RowKindRandom:
	default:
		pe.setPattern(t.GUID, fill)
	}
	seed := tableSeed(t.GUID)
	page := 0
	for n := int64(1); n <= t.Rows; {
		pe.rows = append(pe.rows[:0], '[')
		for first := true; n <= t.Rows && (first || len(pe.rows) < pageTarget); n++ {
			if !first {
				pe.rows = append(pe.rows, ',')
			}
			first = false
			pe.rows = append(pe.rows, `{"data":"`...)
			pe.rows = pe.appendFiller(pe.rows, t.RowKind, seed, n, fill)
			pe.rows = append(pe.rows, `","id":`...)
			pe.rows = strconv.AppendInt(pe.rows, n, 10)
			pe.rows = append(pe.rows, '}')
		}
		pe.rows = append(pe.rows, ']')
		page++
		if err := pe.writePage(aw, t.GUID, page); err != nil {
			return err
		}
	}
	return nil
}

// writePage signs pe.rows as a content bundle (sig over the sorted keys, see archive.Sign) and
// writes it. The rows are ASCII letters, digits and JSON punctuation only, so their PHP-style
// encoding is the bytes themselves.
func (pe *pageEncoder) writePage(aw *archive.Writer, guid string, page int) error {
	pe.h.Reset()
	pe.h.Write(canonHead)
	pe.h.Write(pe.rows)
	pe.h.Write(canonTail)
	pe.sum = pe.h.Sum(pe.sum[:0])
	base64.URLEncoding.Encode(pe.sig, pe.sum)
	for i, c := range pe.sig {
		if c == '=' {
			pe.sig[i] = '.'
		}
	}
	pe.tail = append(pe.tail[:0], `,"sig":"`...)
	pe.tail = append(pe.tail, pe.sig...)
	pe.tail = append(pe.tail, `"}`...)
	pe.parts.reset(pageHead, pe.rows, pe.tail)
	size := int64(len(pageHead) + len(pe.rows) + len(pe.tail))
	return aw.AddFile(pageName(guid, page), size, &pe.parts)
}

func pageName(guid string, page int) string {
	return "content/" + guid + "-" + strconv.Itoa(page) + ".json"
}

// writeSpooled streams the stored content pages of a spooled table.
func writeSpooled(aw *archive.Writer, t *table, files map[string]*os.File) error {
	for i, pg := range t.Pages {
		f := files[pg.File]
		if f == nil {
			return errors.New("spool file not open")
		}
		sr := &sectionWriterTo{io.NewSectionReader(f, pg.Offset, pg.Length)}
		if err := aw.AddFile(pageName(t.GUID, i+1), pg.Length, sr); err != nil {
			return err
		}
	}
	return nil
}

// sliceReader reads a few byte slices in sequence; WriteTo avoids io.Copy's buffer.
type sliceReader struct {
	bufs [3][]byte
	i    int
}

func (r *sliceReader) reset(a, b, c []byte) {
	r.bufs = [3][]byte{a, b, c}
	r.i = 0
}

func (r *sliceReader) Read(p []byte) (int, error) {
	for r.i < len(r.bufs) && len(r.bufs[r.i]) == 0 {
		r.i++
	}
	if r.i == len(r.bufs) {
		return 0, io.EOF
	}
	n := copy(p, r.bufs[r.i])
	r.bufs[r.i] = r.bufs[r.i][n:]
	return n, nil
}

func (r *sliceReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for ; r.i < len(r.bufs); r.i++ {
		if len(r.bufs[r.i]) == 0 {
			continue
		}
		n, err := w.Write(r.bufs[r.i])
		total += int64(n)
		r.bufs[r.i] = r.bufs[r.i][n:]
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

const copyBufSize = 64 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// sectionWriterTo copies a file section with a pooled buffer.
type sectionWriterTo struct{ *io.SectionReader }

func (s *sectionWriterTo) WriteTo(w io.Writer) (int64, error) {
	bp, ok := copyBufs.Get().(*[]byte)
	if !ok { // the pool only ever holds *[]byte; allocate rather than panic if that changes
		b := make([]byte, copyBufSize)
		bp = &b
	}
	defer copyBufs.Put(bp)
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{s.SectionReader}, *bp)
}
