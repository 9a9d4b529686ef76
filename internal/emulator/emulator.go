// Package emulator is a local, faithful stand-in for the Xano Metadata API's workspace, branch,
// export and import routes (see DESIGN.md and the reference notes' emulator contract), plus enough
// of tables, functions, API groups, endpoints and tasks to change a workspace out of band, and an
// optional control API for tests and demos (faults, request log, reset, seed).
//
// A Fixture seeds workspaces, their branches (functions, API groups with their endpoints, tasks:
// shaped as the routes below create them) and tables; DemoFixture is the demo seed.
//
// # Metadata API (under /api:meta and /api%3Ameta; Authorization: Bearer <token>)
//
//	GET    /auth/me
//	GET    /workspace                               bare array of workspaces (as GET /workspace/{id})
//	GET    /workspace/{id}                          {id,name,description,swagger,documentation,branch}
//	GET    /workspace/{id}/branch                   rows {created_at,label,backup,live}; creation order; one live
//	POST   /workspace/{id}/branch                   {label, source_branch="v1", description, color}
//	GET    /workspace/{id}/branch/{label}           labels are URL-decoded ("a%2Fb" is "a/b")
//	PUT    /workspace/{id}/branch/{label}           {label, description, color}
//	DELETE /workspace/{id}/branch/{label}
//	POST   /workspace/{id}/branch/{label}/live
//	POST   /workspace/{id}/export-schema            {branch, password}: gzip(tar) of workspace.json (type "schema")
//	POST   /workspace/{id}/export                   {branch, password, records, vault}: workspace.json + content/
//	POST   /workspace/{id}/import-schema            multipart file, newbranch, setlive, password
//	POST   /workspace/{id}/import                   multipart file, password (replaces the workspace)
//	GET    /workspace/{id}/table, POST {name}       workspace-wide tables
//	GET    /workspace/{id}/table/{table_id}
//	GET    /workspace/{id}/function                 ?branch= page per_page search sort order (paged)
//	POST   /workspace/{id}/function                 {name, body, description, docs, branch}: create, or replace
//	GET|PUT|DELETE /workspace/{id}/function/{function_id}
//	GET    /workspace/{id}/apigroup                 ?branch= page per_page search sort order (paged)
//	POST   /workspace/{id}/apigroup                 {name, description, docs, swagger, tag, branch}
//	GET|PUT|DELETE /workspace/{id}/apigroup/{apigroup_id}     DELETE also deletes its endpoints
//	GET    /workspace/{id}/apigroup/{apigroup_id}/api         page per_page search sort order (paged)
//	POST   /workspace/{id}/apigroup/{apigroup_id}/api         {name (the path), verb, description, docs, tag}
//	GET|PUT|DELETE /workspace/{id}/apigroup/{apigroup_id}/api/{api_id}   PUT answers {}
//	GET    /workspace/{id}/task                     ?branch= page per_page search sort order (paged)
//	POST   /workspace/{id}/task                     {name, description, docs, datasource, active, branch}
//	GET|PUT|DELETE /workspace/{id}/task/{task_id}
//	GET    /workspace/{id}/audit_log                page per_page (paged, newest first): every change
//	                                                 made through these routes, by the token's user
//
// The routes are a table (metaRoutes) of Go ServeMux patterns, one line per route of the
// OpenAPI file, every handler a func(*Server, *call) error; the five routes of each object kind
// (function, API group, endpoint, task) come from one table of kinds (objectKindTable, kinds.go).
// Wildcards match escaped path segments, so a label "a%2Fb" is one segment.
//
// Inferred behaviours (not in the OpenAPI file):
//   - Paged lists answer {itemsReceived, curPage, nextPage, prevPage, offset, items}: per_page
//     defaults to 50, page to 1 (below 1: 400 naming the param); past the end items is [] and
//     nextPage null; prevPage is null on page 1. search is a case-insensitive substring of the
//     name; sort (created_at, updated_at, name; default name) and order (asc, desc) else 400.
//   - branch ("" = the live branch) picks the branch of lists and creations; an unknown one is
//     404 "Invalid branch.". The by-id routes have no branch parameter: route ids are unique in
//     the instance (a branch clone or import gives its copies new ids), so the id names the
//     branch. An endpoint lives on the branch of its API group.
//   - POST /function replaces the body of a function of that name on the branch (it is how a
//     person's edit is replayed); API groups and tasks refuse a duplicate name, endpoints a
//     duplicate (verb, name) in their group, with 400 "duplicate record". description is not
//     required. Function answers also carry body; no object answer carries cache.
//   - Exports list functions (sorted by name), API groups (payload "app"), endpoints ("query")
//     and tasks ("task") in creation order, each {id, guid, name, ...}: id is the payload id,
//     given at creation (one more than the largest in its list on the branch), kept by branch
//     clones and taken from the archive on import, so that export, import, export keeps the
//     content hash. An API group the emulator makes is exported without id (as real exports
//     are), and its endpoints name it by guid, app: {id: "<guid>"}; an imported endpoint may name
//     it by app_id, apigroup_id or app: {id} (an id or a guid), and is exported as it came. Every other
//     member of an object (description, docs, tag, active, datasource, and whatever an archive
//     brought) is kept and re-exported as it is. An imported list that is not a list of named
//     objects is kept verbatim and cannot be edited (400).
//   - import-schema adds to the workspace only the archive's tables that it does not have yet:
//     a table with the same guid or the same name is the workspace's own (tables are
//     workspace-wide, reference notes section 4) and is kept as it is, definition and rows.
//
// Reads need a token with the "read" (or "write") scope, writes (branch create, update, delete
// and live, import-schema, import, table and function changes) the "write" scope; a token bound
// to a workspace gets 403 on every other one. Errors use Xano's {code, message, payload} envelope;
// a 404 is exactly {"code":"ERROR_CODE_NOT_FOUND","message":""} (no payload), and a request body
// that is not JSON gets 400 {"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error: unexpected
// \u0027x\u0027","payload":{"char","line","col"}}. Every answer is written as the engine writes
// JSON (archive.PHPJSON: ' as \u0027, members in the engine's order). See "Where the shapes come
// from" below for which of these are recorded, documented or inferred.
//
// Bodies are bounded: 1 MiB for the JSON routes, Options.MaxUploadBytes for the imports (413
// beyond), whose uploads keep only newbranch, setlive and password (64 KiB of fields, 32 parts at
// most). Options.DoubleGzip and Options.OmitLiveOnNonLive reproduce two quirks of the real engine.
// After Close every request gets 503.
//
// Exports are built in full before the first byte is sent, as Xano builds its archive
// (reference notes, section 3), into a file, then sent with a Content-Length at the
// connection's speed, or at Options.ExportBytesPerSecond (-export-bytes-per-second) to stand
// for a real download. Rows of fixture tables are generated from (table guid, row kind, row
// index), rows of imported tables are spooled to disk as signed pages and copied back: neither
// is ever held in memory whole. The bundle payload holds no branch label and no time, so exports
// of an unchanged branch have the same archive.ContentSHA256; the gzip header time advances by at
// least a second from one export to the next, so their bytes always differ.
//
// Inferred behaviours of exports (not in the OpenAPI file nor the reference notes):
//   - A built archive is reused while what it is made of (bundle, rows) is unchanged: only its
//     gzip header time is rewritten. Xano may rebuild each time; the content is the same.
//   - An unencrypted export has a Content-Length; an encrypted one is encrypted while it is
//     sent, and is chunked.
//   - Generated rows of RowKindRealistic (the default) gzip about 3.5:1, a guess at real
//     tables (the issue that asked for it measured 3.7:1 on one); RowKindRepetitive and
//     RowKindRandom bound it from both sides.
//
// Imports check every signature (the root document's and each content page's) before they
// change anything. A plain archive is read as it arrives: inflated on a goroutine of its own,
// each page verified in one pass (archive.VerifyPage) and appended to a spool file, so the
// archive is never stored or read twice; an encrypted one (or a *.enc.gz) is spooled first,
// since its password may come after it. Each 8 MiB of the spool is handed to the kernel's
// writeback as it is written (sync_file_range on Linux), so the fsync that ends the import has
// little left to wait for. The pages are verified and written on one goroutine: writing them
// on another (a pipeline of a few page buffers) was measured and did not pay, the writes being
// a small part of the walk beside inflating (BENCHMARKS.md). Inferred behaviours of imports:
//   - A refused archive (bad signature, not an archive) is answered once the whole upload was
//     read, with the same error whether its fields came before or after the file.
//   - A content page larger than 16 MiB is refused (Xano's are about 512 KB).
//
// # Where the shapes come from
//
// Recorded on a live Xano instance (the official CLI's recorded responses, and an engine-signed
// workspace.json; reference notes, section 8); the conformance tests assert these byte for byte:
//   - GET /workspace/{id}: exactly {"id","name","description","swagger":false,"documentation":null,
//     "branch":"<live label>"}.
//   - A row of GET /workspace/{id}/branch: exactly {"created_at":"2026-01-07 09:11:54+0000",
//     "label","backup","live"}.
//   - 404 for a missing table, API group, endpoint, function (and addon, which the emulator does
//     not serve): exactly {"code":"ERROR_CODE_NOT_FOUND","message":""}, no payload.
//   - 400 ERROR_CODE_SYNTAX_ERROR {"code","message":"Syntax error: unexpected \u0027...\u0027",
//     "payload":{"char","line","col"}}, and JSON strings escaped as PHP does (' as \u0027).
//   - Guids: 27 characters of websafe base64.
//   - Exports: the envelope {app:"xano", version:"1.03", type, payload, sig} and its signature;
//     the payload's members and their order (partial, action_package_install, addon, app, branch,
//     channel, dbo, env, function, market_item, message, microservice, middleware, query,
//     realtime_server, run_install, task, tool, knowledge, knowledge_file, toolset, trigger,
//     vault, workflow_test, service, workspace); a full workspace record (checksum, iv, salt,
//     secret, crypto, settings, release, git); references by guid (an endpoint's
//     "app": {"id": "<api group guid>"}; an API group has no id); "branch": {"id": 0} on every
//     object and the record; tables in creation order.
//
// Documented (the OpenAPI file and the reference notes, not seen on a live instance): the routes
// and their parameters; the paged list shape; the error envelope {code, message, payload} of the
// codes not recorded (400 input errors, 401, 403, 429, 500 keep payload, "" when there is none);
// import-schema's and import's multipart fields; the import answer; a signature mismatch as 500
// "Invalid workspace signature".
//
// The audit log's row shape is recorded; its route and paging are seen in client code; what it
// records, and its paged answer, are inferred (see audit.go).
//
// Inferred (neither recorded nor documented; listed here and above so that they can be checked,
// e.g. with `xano-emulator conformance` against a real instance):
//   - A missing workspace or branch (including an unknown ?branch= and source_branch) answers the
//     recorded 404 shape; an unknown route answers 404 "Unable to locate request.".
//   - GET /workspace lists rows shaped as GET /workspace/{id}.
//   - The single-branch answers (GET, POST, PUT, live) are the list row plus description and
//     color (which those routes set).
//   - A request body that is not JSON answers the recorded syntax-error shape (the recording was a
//     XanoScript error).
//   - The emulator's own workspace record: its secrets read "FAKE-emulator-not-a-secret-..." and
//     it holds no time (Xano's has created_at), so that content hashes stay stable. After a full
//     import the record is the archive's, with the workspace's name and description.
//   - Every member of an imported object is kept and re-exported; an imported branch's exports
//     have the archive's payload members in its order, so a real export imported then exported
//     has the same content hash. import-schema keeps the workspace's own record (workspace-wide).
//   - Functions carry their code as "body" (the engine's member name for it is not recorded).
//
// # Control API (Options.Control; unauthenticated: bind to localhost)
//
// Every POST must carry Content-Type: application/json (415 otherwise), so that a web page cannot
// post to it cross-site.
//
//	POST   /_emulator/faults     a Fault: the next Count requests matching it misbehave
//	GET    /_emulator/faults     the armed faults
//	DELETE /_emulator/faults
//	GET    /_emulator/requests   the request log ([]RequestRecord)
//	DELETE /_emulator/requests
//	POST   /_emulator/reset      back to the initial seed; faults and request log cleared
//	POST   /_emulator/seed       a Fixture replaces the state
package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
)

// DevToken is the documented development admin token used when Options.AdminToken is empty.
const DevToken = "xano-emulator-dev-token"

// Options configures a Server.
type Options struct {
	// AdminToken is a token with every scope on every workspace. Empty: DevToken.
	AdminToken string
	// Control enables the control API under /_emulator/.
	Control bool
	// ControlAnyHost lets the control API answer requests addressed to any host. Without it, it
	// answers only requests whose Host is a loopback address or localhost, so that a web page
	// whose name was rebound to 127.0.0.1 (DNS rebinding) cannot drive it from a browser.
	ControlAnyHost bool
	// StateDir, when set, persists the state across restarts (atomic writes). Empty: memory only.
	StateDir string
	// Seed is "" (empty instance) or "demo" (workspace 1 "staging" with tables, rows and
	// functions; workspace 2 "production").
	Seed string
	// Fixture, when set, is the initial seed instead of Seed (and what POST /_emulator/reset
	// returns to).
	Fixture *Fixture
	// Now is the clock (default time.Now).
	Now func() time.Time
	// DoubleGzip gzips exports twice, as Xano sometimes does (reference notes, section 6,
	// export): clients must peel every layer.
	DoubleGzip bool
	// OmitLiveOnNonLive leaves "live" out of the rows of GET /workspace/{id}/branch that are not
	// live, as Xano's engine does, instead of sending live:false.
	OmitLiveOnNonLive bool
	// MaxUploadBytes is the largest request body of the import routes (the multipart body,
	// archive included); a larger one gets 413. 0: DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// ExportBytesPerSecond, when positive, limits how fast an export is sent (a built archive
	// otherwise goes at the connection's speed), to stand for a real-world download.
	ExportBytesPerSecond int64
}

// DefaultMaxUploadBytes is the default Options.MaxUploadBytes.
const DefaultMaxUploadBytes = 8 << 30

// Server is the emulator. It is an http.Handler serving /api:meta (and /api%3Ameta) and,
// when enabled, /_emulator/.
type Server struct {
	opts      Options
	admin     string
	now       func() time.Time
	initial   *Fixture
	rowsDir   string // where spool files live ("" until first needed when there is no StateDir)
	tempRows  bool   // rowsDir is a temporary directory removed by Close
	maxUpload int64

	mu         sync.Mutex
	st         *state
	pending    map[string]bool // spool files being written by in-flight imports
	lastExport time.Time       // see exportTime
	// closed is set by Close (under mu, so that a mutation after Close sees it); ServeHTTP
	// reads it without the lock.
	closed atomic.Bool

	fmu      sync.Mutex
	faults   []*Fault
	requests requestLog

	exports exportCache // built archives (export_cache.go)
}

const stateFile = "state.json"

// maxRequestLog bounds the request log (oldest entries are dropped).
const maxRequestLog = 100_000

// New returns a Server with its initial state (loaded from StateDir, or seeded).
func New(opts Options) (*Server, error) {
	s := &Server{
		opts: opts, admin: opts.AdminToken, now: opts.Now, pending: map[string]bool{},
		requests: newRequestLog(maxRequestLog),
	}
	if s.admin == "" {
		s.admin = DevToken
	}
	if i := strings.IndexFunc(s.admin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		// Such a token could never be sent intact in an Authorization header.
		return nil, fmt.Errorf("emulator: the admin token holds whitespace or a control character (at byte %d)", i)
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch s.maxUpload = opts.MaxUploadBytes; {
	case s.maxUpload == 0:
		s.maxUpload = DefaultMaxUploadBytes
	case s.maxUpload < 0:
		return nil, fmt.Errorf("emulator: negative MaxUploadBytes %d", opts.MaxUploadBytes)
	}
	switch {
	case opts.Fixture != nil:
		s.initial = opts.Fixture
	case opts.Seed == "":
		s.initial = &Fixture{}
	case opts.Seed == "demo":
		s.initial = DemoFixture()
	default:
		return nil, fmt.Errorf("emulator: unknown seed %q (want \"\" or \"demo\")", opts.Seed)
	}
	if opts.StateDir != "" {
		s.rowsDir = filepath.Join(opts.StateDir, "rows")
		if err := os.MkdirAll(s.rowsDir, 0o700); err != nil {
			return nil, fmt.Errorf("emulator: state dir: %w", err)
		}
		st, err := loadState(filepath.Join(opts.StateDir, stateFile))
		if err != nil {
			return nil, err
		}
		if st != nil {
			s.st = st
			s.gcSpoolsLocked(true)
			return s, nil
		}
	}
	st, err := stateFromFixture(s.initial, s.now())
	if err != nil {
		return nil, fmt.Errorf("emulator: seed: %w", err)
	}
	s.st = st
	if err := s.persist(st); err != nil {
		return nil, err
	}
	return s, nil
}

// AdminToken returns the admin token the server accepts: Options.AdminToken, or DevToken when
// that was empty.
func (s *Server) AdminToken() string { return s.admin }

// errClosed answers every request, and refuses every change, once Close was called.
var errClosed = &apiError{Status: http.StatusServiceUnavailable, Code: codeFatal, Message: "The emulator is shut down."}

// ServeHTTP implements http.Handler. After Close it answers 503 with Xano's envelope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.closed.Load() {
		writeError(w, errClosed)
		return
	}
	p := r.URL.EscapedPath()
	if s.opts.Control && (p == "/_emulator" || strings.HasPrefix(p, "/_emulator/")) {
		s.serveControl(w, r, strings.TrimPrefix(p, "/_emulator"))
		return
	}
	for _, prefix := range []string{"/api:meta", "/api%3Ameta", "/api%3ameta"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && (rest == "" || rest[0] == '/') {
			s.serveMeta(w, r, rest)
			return
		}
	}
	if p == "/" && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "xano-emulator: the Xano Metadata API is served under /api:meta")
		return
	}
	writeError(w, errNotFound("Unable to locate request."))
}

// Close flushes persisted state and releases spooled files. From then on requests get 503 and
// no change is made (one in flight when Close is called fails).
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil
	}
	s.closed.Store(true)
	var err error
	if s.opts.StateDir != "" {
		err = s.persist(s.st)
	}
	if s.tempRows && s.rowsDir != "" {
		if rerr := os.RemoveAll(s.rowsDir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if rerr := s.closeExports(); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// snapshot returns the current (immutable) state.
func (s *Server) snapshot() *state {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// mutate runs fn on a copy of the state; when fn succeeds the copy is persisted and published.
// On any error nothing changes.
func (s *Server) mutate(fn func(st *state) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mutateLocked(fn)
}

func (s *Server) mutateLocked(fn func(st *state) error) error {
	if s.closed.Load() {
		return errClosed
	}
	c := s.st.clone()
	if err := fn(c); err != nil {
		return err
	}
	if err := c.validate(); err != nil { // a bug: never persist a state that cannot be loaded
		return errFatal("The change would leave an invalid state: " + err.Error())
	}
	if err := s.persist(c); err != nil {
		return errFatal("Unable to persist the emulator state.")
	}
	s.st = c
	s.gcSpoolsLocked(false)
	return nil
}

// persist writes st to StateDir atomically (temp file, fsync, rename, fsync of the directory).
func (s *Server) persist(st *state) error {
	if s.opts.StateDir == "" {
		return nil
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.opts.StateDir, stateFile), data)
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	// The rename is visible; a failure to make it durable is still a failure to persist.
	return syncDir(dir)
}

// syncDir fsyncs a directory, so that a file just created or renamed in it survives a crash.
//
// On Windows it does nothing: a directory handle cannot be flushed there (FlushFileBuffers on
// one opened for reading fails with "Access is denied"), and NTFS journals the rename itself.
// A file system that does not support fsync on a directory (EINVAL, or EBADF for a read-only
// descriptor, as some network and FUSE file systems answer) is not a failure either, as
// PostgreSQL also treats it: the file's own data was already synced.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EBADF) {
		return nil
	}
	return err
}

func loadState(path string) (*state, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: read state: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("emulator: parse %s: %w", path, err)
	}
	// The file may have been edited, or come from elsewhere: what the server relies on (page
	// files inside the rows directory, one live v1-rooted branch list, unique ids) is checked
	// before anything is served or removed.
	if err := st.validate(); err != nil {
		return nil, fmt.Errorf("emulator: %s is not a valid state: %w", path, err)
	}
	return &st, nil
}

// spoolDirLocked returns the directory of spool files, creating a temporary one when there is
// no StateDir.
func (s *Server) spoolDirLocked() (string, error) {
	if s.closed.Load() {
		return "", errClosed // a temporary rows directory is already removed
	}
	if s.rowsDir != "" {
		return s.rowsDir, nil
	}
	d, err := os.MkdirTemp("", "xano-emulator-rows-*")
	if err != nil {
		return "", err
	}
	s.rowsDir, s.tempRows = d, true
	return d, nil
}

// gcSpoolsLocked removes spool files that the state no longer refers to. An export streaming
// from such a file keeps its own open handle. With all set, every unreferenced file of the rows
// directory is removed (used at start-up).
func (s *Server) gcSpoolsLocked(all bool) {
	if s.rowsDir == "" {
		return
	}
	used := s.st.spoolFiles()
	entries, err := os.ReadDir(s.rowsDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if used[name] || s.pending[name] || e.IsDir() {
			continue
		}
		if !all && !strings.HasSuffix(name, spoolSuffix) {
			continue
		}
		os.Remove(filepath.Join(s.rowsDir, name))
	}
}

// exportTime returns the modification time stamped into an export: now, but always at least one
// second after the previous export's, so that two exports never have the same bytes (gzip
// stores whole seconds) while their content hashes stay equal.
func (s *Server) exportTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.now().Truncate(time.Second)
	if !t.After(s.lastExport) {
		t = s.lastExport.Add(time.Second)
	}
	s.lastExport = t
	return t
}
