package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/writeback"
)

const spoolSuffix = ".pages"

var (
	errPasswordRequired  = errInput("A password is required to decrypt this file.")
	errPasswordIncorrect = errInput("The password is incorrect.")
	errNotAnArchive      = errInput("The file is not a valid workspace archive.")
)

// upload is a multipart request read as a stream: its known fields kept as strings, its file
// part either read as it arrives (see walkUpload) or spooled to a temporary file.
type upload struct {
	fields   map[string]string
	file     *os.File // the spooled file part
	filename string

	// walk, when set, reads a file part that is a plain archive as it arrives, instead of
	// spooling it (an encrypted one needs the password, which may come after the file).
	walk     func(io.Reader) (*parsedArchive, error)
	walked   bool           // the file part was given to walk
	parsed   *parsedArchive // what walk returned, until readArchive hands it over
	walkErr  error          // walk's error, mapped by readArchive once every field is known
	dropPage func(spool string)
}

// hasFile reports whether the request had a file part.
func (u *upload) hasFile() bool { return u.file != nil || u.walked }

func (u *upload) close() {
	if u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
	}
	if u.parsed != nil && u.parsed.spool != "" && u.dropPage != nil {
		u.dropPage(u.parsed.spool) // read, but the request failed before using it
	}
}

// Bounds of an upload besides Options.MaxUploadBytes, so that what is held in memory does not
// depend on the client.
const (
	// maxUploadParts is the largest number of parts (the file included): the routes take four.
	maxUploadParts = 32
	// maxUploadFieldBytes is the largest total of the parts other than the file (known or not):
	// a label, a boolean and a password.
	maxUploadFieldBytes = 64 << 10
	// maxDrainBytes is how much of the rest of a refused upload is read and thrown away, so
	// that a client still sending gets the answer rather than a reset; past it the connection
	// is closed.
	maxDrainBytes = 64 << 20
)

// uploadFields are the fields the upload routes read; other fields are read and discarded.
var uploadFields = map[string]bool{"newbranch": true, "setlive": true, "password": true}

var (
	errUploadTooLarge = errTooLarge("The upload is too large.")
	errUploadParse    = errInput("Unable to parse the multipart body.")
)

// archiveUse says what a route reads of an uploaded archive.
type archiveUse int

const (
	archiveSpooled archiveUse = iota // nothing yet: the file part is spooled whole
	archiveSchema                    // the root document (a plain archive is read as it arrives)
	archiveFull                      // the root document and the content pages (likewise)
)

// readUpload reads a multipart body part by part (the file part may come before or after the
// other fields), within s's MaxUploadBytes and the bounds above. early is called after each
// known field that arrives before the file: an error it returns stops the request before the
// archive is read. use says whether a plain archive is read as it arrives (see walkUpload).
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request, early func(fields map[string]string) error, use archiveUse) (_ *upload, err error) {
	u := &upload{fields: map[string]string{}}
	if use != archiveSpooled {
		u.walk = func(rd io.Reader) (*parsedArchive, error) { return s.walkArchive(rd, use == archiveFull) }
		u.dropPage = func(spool string) { s.dropSpool(spool, true) }
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return u, nil // no file: the caller reports the missing param
	}
	if r.ContentLength > s.maxUpload {
		w.Header().Set("Connection", "close") // nothing of the body is read
		return nil, errUploadTooLarge
	}
	limitBody(w, r, s.maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errUploadParse
	}
	defer func() {
		if err == nil {
			return
		}
		u.close()
		if isTooLarge(err) {
			err = errUploadTooLarge // the server closes the connection after the answer
			return
		}
		// Discard (without storing or reading it) the rest of the upload, so that the
		// client, still sending, gets this answer rather than a reset.
		drain(w, r.Body)
	}()
	fieldBudget := int64(maxUploadFieldBytes)
	for parts := 1; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return u, nil
		}
		if err != nil {
			if isTooLarge(err) {
				return nil, err
			}
			return nil, errUploadParse
		}
		if parts > maxUploadParts {
			return nil, errInput("The multipart body has more than " + strconv.Itoa(maxUploadParts) + " parts.")
		}
		// A part is closed only once read: Close reads the rest of it, without bound.
		name := part.FormName()
		if name == "file" && !u.hasFile() {
			err = u.readFile(part)
		} else {
			err = u.readField(part, name, &fieldBudget)
		}
		if err != nil {
			return nil, err
		}
		part.Close()
		if !u.hasFile() && early != nil && uploadFields[name] {
			if err := early(u.fields); err != nil {
				return nil, err
			}
		}
	}
}

// readFile reads the file part: a plain archive as it arrives when u.walk is set (see
// walkUpload), anything else into a temporary file.
func (u *upload) readFile(part *multipart.Part) error {
	u.filename = part.FileName()
	br := bufio.NewReaderSize(part, 64<<10)
	if u.walk != nil {
		if prefix, _ := br.Peek(64); !archive.IsEncrypted(prefix) && !namedEncrypted(u.filename) {
			return u.walkUpload(br)
		}
	}
	f, err := os.CreateTemp("", "xano-emulator-upload-*")
	if err != nil {
		return errFatal("Unable to store the upload.")
	}
	u.file = f
	if _, err := io.Copy(f, br); err != nil {
		if isTooLarge(err) {
			return err
		}
		return errInput("Unable to read the uploaded file.")
	}
	return nil
}

// walkUpload reads a plain archive straight from the request: inflating, verifying the
// signatures and spooling the content pages keep pace with the upload, and the archive is
// never written whole. It fails only for the upload itself (too large, cut short); what is
// wrong with the archive is kept for readArchive, which answers once every field is read, as
// it does for a spooled file.
func (u *upload) walkUpload(br io.Reader) error {
	src := &readErrors{r: br}
	u.walked = true
	u.parsed, u.walkErr = u.walk(src)
	if src.err == nil {
		_, src.err = io.Copy(io.Discard, src) // what the walk left, e.g. after a refused page
	}
	if src.err != nil && src.err != io.EOF {
		if isTooLarge(src.err) {
			return src.err
		}
		return errInput("Unable to read the uploaded file.")
	}
	return nil
}

// readErrors remembers the first error of its reader.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.r.Read(p)
	e.err = err
	return n, err
}

var errFieldsTooLarge = errInput("The fields of the upload are larger than " + strconv.Itoa(maxUploadFieldBytes>>10) + " KiB.")

// readField reads a part other than the file within what is left of budget, and keeps it
// when it is a known field.
func (u *upload) readField(part *multipart.Part, name string, budget *int64) error {
	keep := uploadFields[name]
	lr := io.LimitReader(part, *budget+1)
	var v bytes.Buffer
	var n int64
	var err error
	if keep {
		n, err = v.ReadFrom(lr)
	} else {
		n, err = io.Copy(io.Discard, lr)
	}
	if isTooLarge(err) {
		return err
	}
	if err != nil {
		return errInput("Unable to read the field " + name + ".")
	}
	if *budget -= n; *budget < 0 {
		return errFieldsTooLarge
	}
	if keep {
		u.fields[name] = v.String()
	}
	return nil
}

// drain reads and discards the rest of a refused request's body, up to maxDrainBytes; when
// more may remain, the connection is closed after the answer.
func drain(w http.ResponseWriter, body io.Reader) {
	if _, err := io.CopyN(io.Discard, body, maxDrainBytes); err == nil {
		w.Header().Set("Connection", "close")
	}
}

// parsedArchive is what an import takes from an archive.
type parsedArchive struct {
	typ       string
	tables    []*table // guid, name, def; pages and rows when rows were read
	functions []*function
	objects   map[string][]*object // app, query and task lists (see parseObjects)
	extra     map[string]json.RawMessage
	workspace json.RawMessage // the payload's workspace record (compacted), nil when not an object
	members   []string        // the payload's member names, in the archive's order
	spool     string          // pending spool file holding the pages ("" when none)
}

// openArchive returns a reader of the archive's plaintext (decrypted when needed).
func openArchive(f *os.File, filename, password string) (io.Reader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, errFatal("Unable to read the upload.")
	}
	br := bufio.NewReaderSize(f, 64<<10)
	prefix, _ := br.Peek(64)
	isGzip := len(prefix) >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b
	named := namedEncrypted(filename)
	encrypted := archive.IsEncrypted(prefix)
	if !encrypted && !named {
		return br, nil
	}
	if password == "" {
		return nil, errPasswordRequired
	}
	if !encrypted { // named .enc.gz but not in the encrypted format
		if isGzip {
			return br, nil
		}
		return nil, errPasswordIncorrect
	}
	dr, err := archive.Decrypt(br, password)
	if err != nil {
		return nil, mapArchiveError(err)
	}
	pr := bufio.NewReaderSize(dr, 64<<10)
	if _, err := pr.Peek(1); err != nil && err != io.EOF {
		return nil, mapArchiveError(err)
	}
	return pr, nil
}

// namedEncrypted reports whether an upload's file name says it is encrypted (*.enc.gz).
func namedEncrypted(filename string) bool {
	return strings.HasSuffix(strings.ToLower(filename), ".enc.gz")
}

func mapArchiveError(err error) error {
	var ae *apiError
	var le *archive.LimitError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, archive.ErrWrongPassword):
		return errPasswordIncorrect
	case errors.Is(err, archive.ErrEncrypted):
		return errPasswordRequired
	case errors.As(err, &le):
		return errInput(le.Error())
	default:
		return errNotAnArchive
	}
}

// readArchive validates a whole archive (signatures included) without touching the state.
// With rows, the content pages are verified and copied into a new pending spool file. An
// archive walked as it arrived (walkUpload) is not read again: its outcome is handed over.
func (s *Server) readArchive(u *upload, password string, rows bool) (*parsedArchive, error) {
	if u.walked {
		pa, err := u.parsed, u.walkErr
		u.parsed = nil
		return pa, walkError(err, password)
	}
	rd, err := openArchive(u.file, u.filename, password)
	if err != nil {
		return nil, err
	}
	pa, err := s.walkArchive(rd, rows)
	return pa, walkError(err, password)
}

// walkArchive reads an archive's plaintext once: the root document, and with rows the
// content pages, verified and copied into a new pending spool file.
func (s *Server) walkArchive(rd io.Reader, rows bool) (_ *parsedArchive, err error) {
	ar := &archiveReader{s: s, rows: rows, rootRank: -1, pages: map[string]map[int]pageAt{}}
	defer func() { ar.releaseSpool(err != nil) }()
	if err := archive.Walk(rd, archive.Limits{}, ar.entry); err != nil {
		return nil, err
	}
	return ar.result()
}

// walkError is the answer to a walk's error.
func walkError(err error, password string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, archive.ErrEncrypted) && password != "":
		// Bytes that are neither an archive nor this emulator's encrypted format: for the
		// client, a password that does not open them.
		return errPasswordIncorrect
	default:
		return mapArchiveError(err)
	}
}

// pageAt is where a verified content page was spooled, and how many rows it holds.
type pageAt struct {
	ref  pageRef
	rows int64
}

// archiveReader is the state of one pass of archive.Walk over an uploaded archive: the root
// document, and the content pages copied so far into a pending spool file.
type archiveReader struct {
	s        *Server
	rows     bool         // copy the content pages (full imports)
	root     []byte       // the best root document so far
	rootRank int          // its archive.RootDocumentRank; -1 before one is found
	buf      bytes.Buffer // the current content page
	spool    *os.File
	spoolOff int64                     // bytes written to spool
	flushed  int64                     // of which handed to the kernel's writeback (see addPage)
	pages    map[string]map[int]pageAt // table guid -> page number -> where
	kept     bool                      // the spool file is handed over to the parsedArchive
}

// entry is the archive.Walk callback.
func (ar *archiveReader) entry(e archive.Entry, body io.Reader) error {
	if strings.HasPrefix(e.Name, "content/") {
		if !ar.rows {
			return nil
		}
		return ar.addPage(e, body)
	}
	return ar.considerRoot(e, body)
}

// addPage verifies a content page and appends it to the spool file.
func (ar *archiveReader) addPage(e archive.Entry, body io.Reader) error {
	guid, page, ok := parsePageName(e.Name)
	if !ok {
		return nil
	}
	if e.Size > maxContentPageBytes {
		return errPageTooLarge
	}
	ar.buf.Reset()
	// The page's size is known (at most maxContentPageBytes): room for it and the final
	// read's MinRead, rather than ReadFrom's doubling, keeps the buffer about a page.
	ar.buf.Grow(int(max(e.Size, 0)) + bytes.MinRead)
	n, err := ar.buf.ReadFrom(io.LimitReader(body, maxContentPageBytes+1))
	if err != nil {
		return err
	}
	if n > maxContentPageBytes {
		return errPageTooLarge
	}
	raw := ar.buf.Bytes()
	ok, rows, err := archive.VerifyPage(raw)
	if err != nil {
		return errNotAnArchive
	}
	if !ok {
		return errBadSignature
	}
	if ar.spool == nil {
		if ar.spool, err = ar.s.newSpool(); err != nil {
			return errFatal("Unable to store the table rows.")
		}
	}
	if _, err := ar.spool.Write(raw); err != nil {
		return errFatal("Unable to store the table rows.")
	}
	// Hand what is written to the disk as the import goes, so that the fsync that ends it
	// (result) has little left to wait for.
	writeback.Advance(ar.spool, &ar.flushed, ar.spoolOff+int64(len(raw)))
	if ar.pages[guid] == nil {
		ar.pages[guid] = map[int]pageAt{}
	}
	ar.pages[guid][page] = pageAt{
		ref:  pageRef{File: filepath.Base(ar.spool.Name()), Offset: ar.spoolOff, Length: int64(len(raw))},
		rows: int64(rows),
	}
	ar.spoolOff += int64(len(raw))
	return nil
}

// maxContentPageBytes is the largest content page an import reads. Xano's pages are about
// 512 KB (and the emulator's at most 1.5 MiB); reading and verifying one costs a few times its
// size, so archive.DefaultMaxJSONEntryBytes (256 MiB) would let one hostile page cost
// gigabytes.
const maxContentPageBytes = 16 << 20

var errPageTooLarge = errInput("A content page of the archive is larger than 16 MiB.")

// considerRoot keeps e as the root document when it ranks better than the one kept so far, by
// archive.RootDocumentRank's rule: workspace.json, else schema.json, else the first other
// root-level *.json that is a signed bundle; never an entry in a folder or an AppleDouble
// "._*" file. Only the best candidate is held in memory.
func (ar *archiveReader) considerRoot(e archive.Entry, body io.Reader) error {
	rank := archive.RootDocumentRank(e.Name)
	if rank < 0 || rank <= ar.rootRank {
		return nil
	}
	if e.Size > archive.DefaultMaxJSONEntryBytes {
		return errInput("The workspace document of the archive is too large.")
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if rank == 0 && !archive.IsSignedBundle(data) {
		return nil // e.g. an unsigned README.json
	}
	ar.root, ar.rootRank = data, rank
	return nil
}

// result parses the root document, gives each table its pages (1, 2, ... until one is
// missing) and makes the spool file durable.
func (ar *archiveReader) result() (*parsedArchive, error) {
	if ar.root == nil {
		return nil, errInput("The archive holds no workspace document (workspace.json or schema.json).")
	}
	ok, err := archive.Verify(ar.root)
	if err != nil {
		return nil, errNotAnArchive
	}
	if !ok {
		return nil, errBadSignature
	}
	pa := &parsedArchive{}
	if err := pa.parseRoot(ar.root); err != nil {
		return nil, err
	}
	used := false
	for _, t := range pa.tables {
		t.Storage = storageSpooled
		for n := 1; ; n++ {
			p, ok := ar.pages[t.GUID][n]
			if !ok {
				break
			}
			t.Pages = append(t.Pages, p.ref)
			t.Rows += p.rows
			used = true
		}
	}
	if ar.spool == nil || !used {
		return pa, nil
	}
	if err := ar.spool.Sync(); err != nil {
		return nil, errFatal("Unable to store the table rows.")
	}
	if err := syncDir(filepath.Dir(ar.spool.Name())); err != nil { // persist the new name
		return nil, errFatal("Unable to store the table rows.")
	}
	pa.spool = filepath.Base(ar.spool.Name())
	ar.kept = true
	return pa, nil
}

// releaseSpool closes the spool file, and removes it unless result handed it over.
func (ar *archiveReader) releaseSpool(failed bool) {
	if ar.spool == nil {
		return
	}
	ar.spool.Close()
	if failed || !ar.kept {
		ar.s.dropSpool(filepath.Base(ar.spool.Name()), true)
	}
}

func parsePageName(name string) (guid string, page int, ok bool) {
	base, ok := strings.CutSuffix(strings.TrimPrefix(name, "content/"), ".json")
	if !ok || strings.Contains(base, "/") {
		return "", 0, false
	}
	i := strings.LastIndexByte(base, '-')
	if i <= 0 {
		return "", 0, false
	}
	page, err := strconv.Atoi(base[i+1:])
	if err != nil || page < 1 {
		return "", 0, false
	}
	return base[:i], page, true
}

func (pa *parsedArchive) parseRoot(raw []byte) error {
	var doc struct {
		Type    string                     `json:"type"`
		Payload map[string]json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Payload == nil {
		return errNotAnArchive
	}
	if doc.Type != "schema" && doc.Type != "workspace" {
		return errInput("The archive is a " + strconv.Quote(doc.Type) + " bundle, not a workspace or schema export.")
	}
	pa.typ = doc.Type
	var order struct {
		Payload ordered `json:"payload"`
	}
	if json.Unmarshal(raw, &order) == nil {
		pa.members = make([]string, 0, len(order.Payload))
		for _, m := range order.Payload {
			pa.members = append(pa.members, m.k)
		}
	}
	if err := pa.parseTables(doc.Payload["dbo"]); err != nil {
		return err
	}
	if err := pa.parseFunctions(doc.Payload["function"]); err != nil {
		return err
	}
	pa.parseObjects(doc.Payload)
	if raw := bytes.TrimSpace(doc.Payload["workspace"]); len(raw) > 0 && raw[0] == '{' {
		var c bytes.Buffer
		if json.Compact(&c, raw) == nil {
			pa.workspace = c.Bytes()
		}
	}
	return pa.keepExtra(doc.Payload)
}

// parseTables reads the dbo list: each entry, kept as it is (with a guid added when it has
// none), is a table; a guid seen before is skipped.
func (pa *parsedArchive) parseTables(raw json.RawMessage) error {
	var dbo []json.RawMessage
	if len(raw) > 0 && !isNull(raw) {
		if err := json.Unmarshal(raw, &dbo); err != nil {
			return errInput("The archive's dbo list is malformed.")
		}
	}
	seen := map[string]bool{}
	for _, d := range dbo {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(d))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil || m == nil {
			return errInput("The archive's dbo list is malformed.")
		}
		guid, _ := m["guid"].(string)
		name, _ := m["name"].(string)
		if guid == "" {
			guid = randomGUID()
			m["guid"] = guid
		}
		if !validTableGUID(guid) {
			// An export names the table's pages content/<guid>-<n>.json: such a guid would
			// write outside content/ wherever the archive is unpacked.
			return errInput("A table of the archive has an invalid guid: " + strconv.Quote(guid) + ".")
		}
		if seen[guid] {
			continue
		}
		seen[guid] = true
		def, err := json.Marshal(m)
		if err != nil {
			return errInput("The archive's dbo list is malformed.")
		}
		pa.tables = append(pa.tables, &table{GUID: guid, Name: name, Def: def})
	}
	return nil
}

// parseFunctions reads the function list: every member of a function is kept (as parseObjectList
// keeps them) and re-exported as it came; a name seen before is skipped.
func (pa *parsedArchive) parseFunctions(raw json.RawMessage) error {
	var items []map[string]json.RawMessage
	if len(raw) > 0 && !isNull(raw) {
		if err := json.Unmarshal(raw, &items); err != nil {
			return errInput("The archive's function list is malformed.")
		}
	}
	for _, it := range items {
		var name string
		if it == nil || json.Unmarshal(it["name"], &name) != nil || name == "" {
			return errInput("A function of the archive has no name.")
		}
	}
	list, ok := parseObjectList("function", raw)
	if !ok {
		return errInput("The archive's function list is malformed.")
	}
	seen := map[string]bool{}
	for _, f := range list {
		if seen[f.Name] {
			continue
		}
		seen[f.Name] = true
		pa.functions = append(pa.functions, f)
	}
	return nil
}

// keepExtra keeps, verbatim (compacted), every payload member that an import does not handle
// itself, whatever its value, so that an export of the imported branch gives it back: the
// business-logic lists (query, addon, task, trigger, middleware...), app, tool, env,
// microservice and whatever sections Xano adds. dbo and function become tables and functions;
// workspace is the name and description of the workspace exported.
func (pa *parsedArchive) keepExtra(payload map[string]json.RawMessage) error {
	for k, raw := range payload {
		if handledPayloadKeys[k] {
			continue
		}
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return errNotAnArchive
		}
		if pa.extra == nil {
			pa.extra = map[string]json.RawMessage{}
		}
		pa.extra[k] = c.Bytes()
	}
	return nil
}

// handledPayloadKeys are the payload members an import turns into state of its own.
var handledPayloadKeys = map[string]bool{"dbo": true, "function": true, "workspace": true}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// newSpool creates a spool file, registered as pending (under the lock, before any clean-up can
// see it) so that no clean-up removes it.
func (s *Server) newSpool() (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir, err := s.spoolDirLocked()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "import-*"+spoolSuffix)
	if err != nil {
		return nil, err
	}
	s.pending[filepath.Base(f.Name())] = true
	return f, nil
}

// dropSpool forgets a pending spool file; with remove it also deletes it.
func (s *Server) dropSpool(name string, remove bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pending, name)
	if remove && s.rowsDir != "" {
		os.Remove(filepath.Join(s.rowsDir, name))
	}
}

func (s *Server) importSchema(c *call) error {
	w, r, wsID := c.w, c.r, c.wsID
	checkLabel := func(label string) error {
		ws := s.snapshot().workspace(wsID)
		if ws == nil {
			return errNoWorkspace
		}
		return checkNewLabel(ws, label)
	}
	u, err := s.readUpload(w, r, func(f map[string]string) error {
		if nb, ok := f["newbranch"]; ok && nb != "" {
			return checkLabel(nb)
		}
		return nil
	}, archiveSchema)
	if err != nil {
		return err
	}
	defer u.close()
	if !u.hasFile() {
		return errMissing("file")
	}
	newbranch := u.fields["newbranch"]
	if newbranch == "" {
		return errMissing("newbranch")
	}
	if err := checkLabel(newbranch); err != nil {
		return err
	}
	setlive := parseBool(u.fields["setlive"], false)
	pa, err := s.readArchive(u, u.fields["password"], false)
	if err != nil {
		return err
	}
	err = s.mutate(func(st *state) error {
		ws := st.workspace(wsID)
		if ws == nil {
			return errNoWorkspace
		}
		if err := checkNewLabel(ws, newbranch); err != nil {
			return err
		}
		now := s.now()
		b := &branch{
			ID: st.newID(), GUID: randomGUID(), Label: newbranch, Color: defaultColor,
			CreatedAt: now, UpdatedAt: now, Extra: pa.extra, Members: pa.members,
		}
		for _, f := range pa.functions {
			fc := *f
			fc.ID = st.newID()
			b.Functions = append(b.Functions, &fc)
		}
		pa.addObjects(st, b, now)
		ws.Branches = append(ws.Branches, b)
		for _, t := range pa.tables {
			if ws.hasTable(t.GUID, t.Name) {
				continue
			}
			ws.Tables = append(ws.Tables, &table{
				ID: st.newID(), GUID: t.GUID, Name: t.Name, Def: t.Def, Storage: storageSpooled,
			})
		}
		if setlive {
			ws.Live = newbranch
		}
		c.audit(st, ws, b, "workspace:import_schema", "Schema imported into branch: "+newbranch)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

func (s *Server) importWorkspace(c *call) error {
	w, r, wsID := c.w, c.r, c.wsID
	if s.snapshot().workspace(wsID) == nil {
		return errNoWorkspace
	}
	u, err := s.readUpload(w, r, nil, archiveFull)
	if err != nil {
		return err
	}
	defer u.close()
	if !u.hasFile() {
		return errMissing("file")
	}
	pa, err := s.readArchive(u, u.fields["password"], true)
	if err != nil {
		return err
	}
	if pa.spool != "" {
		defer s.dropSpool(pa.spool, false) // referenced by the state once committed
	}
	var out map[string]any
	err = s.mutate(func(st *state) error {
		ws := st.workspace(wsID)
		if ws == nil {
			return errNoWorkspace
		}
		now := s.now()
		ws.Tables = ws.Tables[:0:0]
		for _, t := range pa.tables {
			tc := *t
			tc.ID = st.newID()
			ws.Tables = append(ws.Tables, &tc)
		}
		v1 := &branch{
			ID: st.newID(), GUID: randomGUID(), Label: "v1", Color: defaultColor,
			CreatedAt: now, UpdatedAt: now, Extra: pa.extra, Members: pa.members,
		}
		for _, f := range pa.functions {
			fc := *f
			fc.ID = st.newID()
			v1.Functions = append(v1.Functions, &fc)
		}
		pa.addObjects(st, v1, now)
		ws.Branches = []*branch{v1}
		ws.Record = pa.workspace
		ws.Live = "v1"
		c.audit(st, ws, nil, "workspace:import", "Workspace imported")
		out = importAnswer(ws, v1)
		return nil
	})
	if err != nil {
		if pa.spool != "" {
			s.dropSpool(pa.spool, true)
		}
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// importAnswer is the answer of POST /workspace/{id}/import: the workspace and its new v1.
func importAnswer(ws *workspace, v1 *branch) map[string]any {
	return map[string]any{
		"id": ws.ID, "name": ws.Name, "description": ws.Description,
		"branch": map[string]any{
			"id": v1.ID, "created_at": formatTime(v1.CreatedAt), "updated_at": formatTime(v1.UpdatedAt),
			"description": v1.Description, "label": v1.Label, "backup": false, "color": v1.Color,
			"parent_id": 0, "guid": v1.GUID, "is_service": false,
			"workspace": map[string]any{"id": ws.ID},
			"user":      map[string]any{"id": 1, "name": "Emulator Admin", "email": "admin@xano-emulator.local"},
			"defaults":  map[string]any{"db_primary_key": "int"},
		},
	}
}
