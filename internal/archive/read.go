package archive

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/inflate"
)

// Info describes an archive read by Inspect: it is the one result of an archive's inspection,
// in either view (see BranchView).
type Info struct {
	// Branch is true for the branch view (Inspect with BranchView): then ContentSHA256 is the
	// branch content hash (see BranchView) and Objects the branch's inventory, without what the
	// workspace's branches share (tables and the workspace record).
	Branch bool
	// Encrypted is true for an archive exported with a password, that is, bytes (or the content
	// of a gzip layer) that LooksEncrypted judges encrypted; then nothing else is known and
	// ContentSHA256 is empty.
	Encrypted bool
	// GzipLayers is how many gzip layers were peeled.
	GzipLayers int
	// Type is the "type" of the root document ("workspace" or "schema"), chosen by the rule of
	// RootDocumentRank; empty if there is no root document or it is not a signed bundle.
	Type string
	// Entries is the number of regular-file tar entries.
	Entries int
	// ContentSHA256 is the canonical content hash (see ContentSHA256), lowercase hex. It is
	// empty when Encrypted or Incomplete.
	ContentSHA256 string
	// Objects is the object inventory of the root document (see the package doc): inventory key
	// -> canonical SHA-256 of the object, lowercase hex. It is nil when Encrypted or Incomplete,
	// and empty when the archive has no root bundle or its payload lists nothing.
	Objects map[string]string
	// Facts are the facts of the objects (see ChangeDetails), by inventory key, when Inspect was
	// asked for them (WithFacts); nil otherwise, and when Objects is.
	Facts map[string]Facts
	// RowPages counts the row pages (content/...) of each table, by table guid; nil when there
	// are none. See TablePages.
	RowPages map[string]int
	// Incomplete is the limit that stopped the inspection of the content, nil when the content
	// was inspected whole. The archive itself is complete: Inspect still read it to its end and
	// verified the outer gzip layer's checksums (damaged bytes are an error, not Incomplete).
	// Then ContentSHA256 is empty and Type and Entries describe only what was read.
	Incomplete *LimitError
}

// Inspect streams an archive once and reports what it is, its canonical content hash and its
// object inventory, in the whole-archive view or, with BranchView, in the branch view.
// An encrypted archive is not an error: Info.Encrypted is set. Zero-valued limits take defaults.
//
// Nor is a limit: when one stops the inspection, Inspect reads the rest of r, verifies the
// outermost gzip layer (its checksums and length), and returns Info.Incomplete set, an empty
// ContentSHA256 and a nil error; a truncated or corrupt archive is still an error wrapping
// ErrNotArchive, and an error of r itself is returned as such.
//
// The root document whose type is reported is chosen by the rule of RootDocumentRank:
// workspace.json, else schema.json, else the first signed bundle at the root of the tar.
func Inspect(r io.Reader, lim Limits, opts ...Option) (Info, error) {
	var cfg inspectConfig
	for _, o := range opts {
		o(&cfg)
	}
	w := newWalker(lim)
	defer w.close()
	h := newContentHasher(w.lim)
	defer h.close()
	h.wantFacts = cfg.facts
	fn := h.add
	if cfg.branch {
		h.branchOnly = true
		fn = branchEntryFunc(h)
	}
	le, err := w.inspect(r, fn)
	if errors.Is(err, ErrEncrypted) {
		return Info{Branch: cfg.branch, Encrypted: true, GzipLayers: w.layers}, nil
	}
	if err != nil {
		return Info{}, err
	}
	if le != nil {
		return Info{Branch: cfg.branch, GzipLayers: w.layers, Type: h.bundleType, Entries: len(h.entries), Incomplete: le}, nil
	}
	return Info{
		Branch:        cfg.branch,
		GzipLayers:    w.layers,
		Type:          h.bundleType,
		Entries:       len(h.entries),
		ContentSHA256: h.sum(),
		Objects:       h.inventory(),
		Facts:         h.objectFacts(),
		RowPages:      h.pages,
	}, nil
}

// Option chooses what Inspect reports.
type Option func(*inspectConfig)

// inspectConfig is what the Options chose.
type inspectConfig struct {
	branch bool
	facts  bool // WithFacts (details.go)
}

// BranchView makes Inspect report what an archive holds of one branch (Info.Branch): its
// ContentSHA256 is the branch content hash, computed as the content hash is (see ContentSHA256)
// over the archive without what the workspace's branches share:
//
//   - entries under content/ and vault/ (table rows and stored files) are left out;
//   - in a signed bundle at the root of the tar (a ".json" entry without "/" in its name, whose
//     top-level object holds "app" and "sig") with an object "payload", the payload members
//     "dbo" (the tables) and "workspace" (the workspace's own record) are removed before the
//     bundle is canonicalised;
//
// and its Objects leave out the tables and the workspace record (see the package doc).
//
// Xano's tables are workspace-wide: an export-schema of any branch lists every table of the
// workspace. Two exports of a branch whose own content (functions, APIs, tasks, ...) did not
// change therefore have the same branch content hash even if tables were added to the workspace
// in between, while their whole-archive content hashes differ. An archive without any of these
// parts has the same content hash in both views.
func BranchView() Option {
	return func(c *inspectConfig) { c.branch = true }
}

// Entry is one regular file of an archive, as Walk yields it.
type Entry struct {
	Name string // normalised: no leading "./" or "/"
	Size int64
}

// Walk peels the gzip layers of r and calls fn for every regular file in the tar, in archive
// order, with a reader limited to that entry. It reads an archive's entries; it is not an
// inspection (Inspect is): it has no result but fn's, and a limit is its error. fn must not keep the reader after it returns.
// Walk returns ErrEncrypted for an encrypted archive and ErrNotArchive for other non-archives.
//
// The Limits apply while fn reads: a body read that crosses a limit fails with the *LimitError,
// and Walk returns that error even if fn swallowed it. The body of an entry whose name ends in
// ".json" never yields more than MaxJSONEntryBytes, so fn may read it whole. An error returned
// by fn stops the walk and is returned unchanged.
func Walk(r io.Reader, lim Limits, fn func(e Entry, body io.Reader) error) error {
	w := newWalker(lim)
	defer w.close()
	return w.run(r, fn)
}

// resolved returns l with every zero (or negative) field replaced by its default.
func (l Limits) resolved() Limits {
	if l.MaxGzipLayers <= 0 {
		l.MaxGzipLayers = DefaultMaxGzipLayers
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxJSONEntryBytes <= 0 {
		l.MaxJSONEntryBytes = DefaultMaxJSONEntryBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = DefaultMaxDuration
	}
	return l
}

// ioBufferSize is the read-ahead of every layer.
const ioBufferSize = 64 << 10

// walker holds the state of one pass over an archive: the counters the Limits are judged on,
// and the names seen so far (to refuse duplicates).
type walker struct {
	lim Limits

	layers     int   // gzip layers peeled
	stream     int64 // bytes of the decompressed tar stream read
	entryBytes int64 // entry body bytes actually read (sparse entries can exceed stream)
	declared   int64 // sum of the regular entries' header sizes
	headers    int   // tar headers seen, of any type

	names    map[string]struct{}
	hint     string // what the innermost layer looks like, when it is not a tar
	ioErr    error  // the first error of the caller's reader, other than io.EOF
	limitErr error  // the first *LimitError raised inside a reader

	deadline time.Time    // when MaxDuration runs out
	outer    io.Reader    // the outermost layer's content (see drain)
	async    *asyncReader // the outermost gzip layer, inflated on its own goroutine
}

func newWalker(lim Limits) *walker {
	lim = lim.resolved()
	return &walker{lim: lim, names: make(map[string]struct{}), deadline: time.Now().Add(lim.MaxDuration)}
}

// close stops the inflating goroutine, if any, and waits for it: the caller's reader is not
// read once Inspect or Walk returned.
func (w *walker) close() {
	if w.async != nil {
		w.async.Close()
	}
}

// inspect runs the walk for an inspection: a limit that stops it is returned as le, not as an
// error, once drain has verified that the archive itself is complete (a damaged one is an error).
func (w *walker) inspect(r io.Reader, fn func(Entry, io.Reader) error) (le *LimitError, err error) {
	err = w.run(r, fn)
	if !errors.As(err, &le) {
		return nil, err
	}
	if derr := w.drain(); derr != nil {
		return nil, derr
	}
	return le, nil
}

// drain reads the outermost layer to its end after a limit stopped the walk, so that a
// complete archive is told from a truncated or corrupt one without inspecting its content: the
// outer gzip layer's checksums and length are verified (inner layers are not decompressed).
func (w *walker) drain() error {
	if w.outer == nil {
		return nil
	}
	if _, err := io.CopyBuffer(io.Discard, w.outer, make([]byte, 32<<10)); err != nil {
		w.limitErr = nil
		return w.fail(err, "reading the rest of the archive after an inspection limit")
	}
	return nil
}

// run walks r, calling fn for every regular entry.
func (w *walker) run(r io.Reader, fn func(Entry, io.Reader) error) error {
	src, err := w.open(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(src)
	for first := true; ; first = false {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if first {
				return w.fail(err, "not a tar archive"+w.hint)
			}
			return w.fail(err, "reading a tar header")
		}
		if err := w.entry(tr, hdr, fn); err != nil {
			return err
		}
	}
	// Reading to the end verifies every gzip layer's checksum and length, so a truncated or
	// corrupted download is refused even when the damage lies after the tar's end marker.
	if _, err := io.CopyBuffer(io.Discard, src, make([]byte, 32<<10)); err != nil {
		return w.fail(err, "reading past the end of the tar")
	}
	return nil
}

// open peels the gzip layers of r and returns the tar stream, wrapped so that reads are
// counted and timed. It returns ErrEncrypted when the input or the content of a gzip layer
// looks encrypted (see LooksEncrypted), and ErrNotArchive when the innermost layer is too short
// to be a tar.
func (w *walker) open(r io.Reader) (io.Reader, error) {
	if _, err := inflate.Decoder(); err != nil {
		return nil, err // a misconfigured diagnostic switch, not a damaged archive
	}
	br := bufio.NewReaderSize(&countingReader{r: r, w: w}, ioBufferSize)
	w.outer = br
	for {
		head, err := br.Peek(SniffBytes)
		if err != nil && err != io.EOF {
			what := "the input"
			if w.layers > 0 {
				what = fmt.Sprintf("gzip layer %d", w.layers)
			}
			return nil, w.fail(err, "reading "+what)
		}
		if LooksEncrypted(head) {
			return nil, ErrEncrypted
		}
		if !isGzip(head) {
			break
		}
		if w.layers == w.lim.MaxGzipLayers {
			return nil, &LimitError{Limit: "MaxGzipLayers", Value: int64(w.lim.MaxGzipLayers)}
		}
		zr, err := newGzipLayer(br)
		if err != nil {
			return nil, w.fail(err, fmt.Sprintf("gzip layer %d has a bad header", w.layers+1))
		}
		w.layers++
		if w.layers == 1 {
			// Inflate the outer layer on its own goroutine while this one reads the tar and
			// hashes: the two halves of the work then use two cores.
			w.async = newAsyncReader(zr)
			w.outer = w.async
			br = bufio.NewReaderSize(w.async, ioBufferSize)
		} else {
			br = bufio.NewReaderSize(zr, ioBufferSize)
		}
	}
	head, err := br.Peek(tarBlockSize)
	if err != nil && err != io.EOF {
		return nil, w.fail(err, "reading the tar")
	}
	if len(head) < tarBlockSize {
		return nil, fmt.Errorf("%w: %s", ErrNotArchive, describeShort(head, w.layers))
	}
	w.hint = responseHint(head)
	return &streamReader{r: br, w: w}, nil
}

// describeShort explains why bytes too short for a tar header are not an archive.
func describeShort(head []byte, layers int) string {
	what := "the input"
	if layers > 0 {
		what = fmt.Sprintf("the content of gzip layer %d", layers)
	}
	if len(head) == 0 {
		return what + " is empty"
	}
	return fmt.Sprintf("%s is %d bytes, too short for a tar archive%s", what, len(head), responseHint(head))
}

// responseHint names bytes that look like a JSON or HTML response rather than an archive.
func responseHint(head []byte) string {
	if looksLikeResponse(head) {
		return " (it looks like JSON or HTML: an error response saved as the archive?)"
	}
	return ""
}

// newGzipLayer decompresses one gzip layer: one or more concatenated gzip members. Bytes after
// the last member that do not start another member are ignored, as gzip(1) and tar(1) do; every
// member's checksum and length are verified. The decoder is internal/inflate's, or
// klauspost/compress's when the diagnostic switch XANO_INFLATE=klauspost is set.
func newGzipLayer(src *bufio.Reader) (io.Reader, error) {
	return inflate.NewGzip(src, true)
}

// isGzip reports whether b starts with the gzip magic number.
func isGzip(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

// entry checks one tar header against the limits and, for a regular file, calls fn.
func (w *walker) entry(tr *tar.Reader, hdr *tar.Header, fn func(Entry, io.Reader) error) error {
	w.headers++
	if w.headers > w.lim.MaxEntries {
		return &LimitError{Limit: "MaxEntries", Value: int64(w.lim.MaxEntries)}
	}
	if !isRegular(hdr.Typeflag) {
		return nil
	}
	name, err := normaliseName(hdr.Name)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotArchive, err)
	}
	if _, dup := w.names[name]; dup {
		return fmt.Errorf("%w: two entries are named %q (after removing leading \"./\" and \"/\"); refusing an ambiguous archive", ErrNotArchive, name)
	}
	w.names[name] = struct{}{}
	w.declared += hdr.Size
	if w.declared > w.lim.MaxTotalBytes {
		return &LimitError{Limit: "MaxTotalBytes", Value: w.lim.MaxTotalBytes, Entry: name}
	}
	body := &entryReader{r: tr, w: w, name: name, max: -1}
	if isJSONName(name) {
		if hdr.Size > w.lim.MaxJSONEntryBytes {
			return &LimitError{Limit: "MaxJSONEntryBytes", Value: w.lim.MaxJSONEntryBytes, Entry: name}
		}
		body.max = w.lim.MaxJSONEntryBytes
	}
	err = fn(Entry{Name: name, Size: hdr.Size}, body)
	if w.limitErr != nil {
		return w.limitErr
	}
	return err
}

// isRegular reports whether a tar type flag denotes a regular file's content.
func isRegular(flag byte) bool {
	switch flag {
	case tar.TypeReg, '\x00', tar.TypeCont, tar.TypeGNUSparse:
		return true
	}
	return false
}

// isJSONName reports whether an entry is canonicalised as JSON.
func isJSONName(name string) bool { return strings.HasSuffix(name, ".json") }

// normaliseName removes leading "./" and "/" from a tar name and cleans it. Names that are
// empty or climb out of the archive's root are refused.
func normaliseName(name string) (string, error) {
	n := name
	for {
		switch {
		case strings.HasPrefix(n, "./"):
			n = n[2:]
		case strings.HasPrefix(n, "/"):
			n = n[1:]
		default:
			n = path.Clean(n)
			if n == "." || n == ".." || strings.HasPrefix(n, "../") {
				return "", fmt.Errorf("entry name %q does not name a file inside the archive", name)
			}
			return n, nil
		}
	}
}

// fail turns an error met while reading into the error to return: the limit that tripped,
// the caller's own read error, or ErrNotArchive with what was being done.
func (w *walker) fail(err error, doing string) error {
	if w.limitErr != nil {
		return w.limitErr
	}
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	if w.ioErr != nil {
		return fmt.Errorf("reading the archive: %w", w.ioErr)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s: the archive is truncated: %w", ErrNotArchive, doing, err)
	}
	if inflate.IsCorrupt(err) {
		return fmt.Errorf("%w: %s: a gzip layer is corrupt: %w", ErrNotArchive, doing, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrNotArchive, doing, err)
}

// checkTime records a MaxDuration violation.
func (w *walker) checkTime() error {
	if w.limitErr == nil && time.Now().After(w.deadline) {
		w.limitErr = &LimitError{Limit: "MaxDuration", Value: int64(w.lim.MaxDuration)}
	}
	return w.limitErr
}

// countingReader remembers the first error of the caller's reader. It may run on the
// inflating goroutine: the error reaches the walker through asyncReader's channel, after it was
// recorded.
type countingReader struct {
	r io.Reader
	w *walker
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.w.ioErr == nil {
		c.w.ioErr = err
	}
	return n, err
}

// streamReader counts the decompressed tar stream and enforces MaxDuration on it.
type streamReader struct {
	r io.Reader
	w *walker
}

func (c *streamReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.w.stream += int64(n)
	if lerr := c.w.checkTime(); lerr != nil {
		return n, lerr
	}
	return n, err
}

// entryReader is the body of one entry: it counts what is read against MaxTotalBytes,
// MaxDuration and (for JSON entries) MaxJSONEntryBytes, and explains read errors.
type entryReader struct {
	r    io.Reader
	w    *walker
	name string
	read int64
	max  int64 // largest body accepted, -1 for no per-entry limit
}

func (e *entryReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.read += int64(n)
	e.w.entryBytes += int64(n)
	if lerr := e.check(); lerr != nil {
		return n, lerr
	}
	if err != nil && err != io.EOF {
		err = e.w.fail(err, fmt.Sprintf("reading entry %q", e.name))
	}
	return n, err
}

// check enforces the limits on the bytes read so far, without trusting the tar header.
func (e *entryReader) check() error {
	w := e.w
	switch {
	case w.limitErr != nil:
	case e.max >= 0 && e.read > e.max:
		w.limitErr = &LimitError{Limit: "MaxJSONEntryBytes", Value: e.max, Entry: e.name}
	case w.entryBytes > w.lim.MaxTotalBytes:
		w.limitErr = &LimitError{Limit: "MaxTotalBytes", Value: w.lim.MaxTotalBytes, Entry: e.name}
	default:
		return w.checkTime()
	}
	return w.limitErr
}
