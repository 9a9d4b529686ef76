package emulator

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The state is copy-on-write: a published *state is never modified again. Mutations clone it,
// change the clone, persist it and then publish it (see Server.mutate). Readers (and streaming
// exports) may therefore keep using a state they took under the lock after releasing the lock.

// Row storage kinds of a table.
const (
	storageGenerated = "generated" // rows generated on the fly from (guid, index)
	storageSpooled   = "spooled"   // signed content pages stored in a spool file
)

const (
	defaultColor    = "#ebc346"
	defaultRowBytes = 128
	timeLayout      = "2006-01-02 15:04:05-0700"
)

type state struct {
	Workspaces []*workspace   `json:"workspaces"`
	Tokens     []FixtureToken `json:"tokens,omitempty"`
	NextID     int64          `json:"next_id"`
	// NextAuditID is the id of the last audit log row (ids are instance-wide, as Xano's are).
	NextAuditID int64 `json:"next_audit_id,omitempty"`
}

type workspace struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	GUID        string    `json:"guid"`
	CreatedAt   time.Time `json:"created_at"`
	Live        string    `json:"live"` // label of the live branch
	Branches    []*branch `json:"branches"`
	Tables      []*table  `json:"tables"`
	// Record is the workspace record (the payload's "workspace" member) of the last archive
	// imported over the workspace, re-exported as it came but for its id, name and description,
	// which are the workspace's. Nil: exports carry the emulator's own record (workspaceRecord).
	Record json.RawMessage `json:"record,omitempty"`
	// Audit is the workspace's audit log, oldest first (audit.go). Never appended to in place:
	// a published state may share its array.
	Audit []auditEntry `json:"audit,omitempty"`
}

type branch struct {
	ID          int64       `json:"id"`
	GUID        string      `json:"guid"`
	Label       string      `json:"label"`
	Description string      `json:"description"`
	Color       string      `json:"color"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	Backup      bool        `json:"backup,omitempty"`
	Functions   []*function `json:"functions"`
	// Apps (API groups), Queries (their endpoints) and Tasks of the branch: the payload lists
	// app, query and task of its exports (see objects.go).
	Apps    []*object `json:"apps,omitempty"`
	Queries []*object `json:"queries,omitempty"`
	Tasks   []*object `json:"tasks,omitempty"`
	// Extra holds every payload member of an imported archive other than dbo, function and
	// workspace (query, addon, task, trigger, middleware, app, tool, env...), compacted JSON
	// re-emitted verbatim on export.
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
	// Members are the payload's member names of the archive the branch was imported from, in
	// its order: its exports have those members, in that order (and dbo, function, workspace and
	// the modelled lists when it lacked them), so that an imported archive is exported unchanged.
	// Nil for a branch the emulator made: its exports have payloadMembers.
	Members []string `json:"members,omitempty"`
}

// function is a function of a branch (an object whose Body is its XanoScript).
type function = object

type table struct {
	ID   int64  `json:"id"`
	GUID string `json:"guid"`
	Name string `json:"name"`
	// Def is the table's entry of the bundle's dbo list (it always carries guid and name).
	Def     json.RawMessage `json:"def"`
	Storage string          `json:"storage"`
	Rows    int64           `json:"rows"`
	// RowBytes is the approximate size of a generated row.
	RowBytes int `json:"row_bytes,omitempty"`
	// RowKind is how generated rows are made (a FixtureTable.RowKind). Empty in a state saved
	// before row kinds existed: those rows were RowKindRepetitive, and stay so.
	RowKind string `json:"row_kind,omitempty"`
	// Pages are the signed content pages of a spooled table, in page order.
	Pages []pageRef `json:"pages,omitempty"`
}

// pageRef locates one content page (a complete signed bundle) in a spool file.
type pageRef struct {
	File   string `json:"file"` // base name of the spool file
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
}

// payloadMembers are the members of an export's payload, in the order of a real Xano export
// (recorded): every export has them all; a list the emulator does not model is empty unless an
// imported archive brought it (branch.Extra). partial is false, branch is [] (it describes the
// export), workspace is the workspace record.
var payloadMembers = []string{"partial", "action_package_install", "addon", "app", "branch", "channel", "dbo",
	"env", "function", "market_item", "message", "microservice", "middleware", "query", "realtime_server",
	"run_install", "task", "tool", "knowledge", "knowledge_file", "toolset", "trigger", "vault", "workflow_test",
	"service", "workspace"}

// branchRef is the "branch" member of every object of a real export and of its workspace record:
// {"id": 0}.
var branchRef = json.RawMessage(`{"id":0}`)

func (st *state) clone() *state {
	c := &state{NextID: st.NextID, NextAuditID: st.NextAuditID}
	c.Tokens = append([]FixtureToken(nil), st.Tokens...)
	for i := range c.Tokens {
		c.Tokens[i].Scopes = append([]string(nil), c.Tokens[i].Scopes...)
	}
	for _, w := range st.Workspaces {
		c.Workspaces = append(c.Workspaces, w.clone())
	}
	return c
}

func (w *workspace) clone() *workspace {
	c := *w
	c.Branches = make([]*branch, 0, len(w.Branches))
	for _, b := range w.Branches {
		c.Branches = append(c.Branches, b.clone())
	}
	c.Tables = make([]*table, 0, len(w.Tables))
	for _, t := range w.Tables {
		tc := *t
		tc.Pages = append([]pageRef(nil), t.Pages...)
		c.Tables = append(c.Tables, &tc)
	}
	return &c
}

func (b *branch) clone() *branch {
	c := *b
	c.Functions = cloneObjects(b.Functions)
	c.Members = append([]string(nil), b.Members...)
	if b.Members == nil {
		c.Members = nil
	}
	c.Apps, c.Queries, c.Tasks = cloneObjects(b.Apps), cloneObjects(b.Queries), cloneObjects(b.Tasks)
	if b.Extra != nil {
		c.Extra = make(map[string]json.RawMessage, len(b.Extra))
		for k, v := range b.Extra {
			c.Extra[k] = v
		}
	}
	return &c
}

func (st *state) newID() int64 {
	st.NextID++
	return st.NextID
}

func (st *state) workspace(id int64) *workspace {
	for _, w := range st.Workspaces {
		if w.ID == id {
			return w
		}
	}
	return nil
}

func (w *workspace) branch(label string) *branch {
	for _, b := range w.Branches {
		if b.Label == label {
			return b
		}
	}
	return nil
}

func (w *workspace) liveBranch() *branch { return w.branch(w.Live) }

// hasTable reports whether the workspace has a table with this guid or this name: tables are
// workspace-wide, so an import-schema that brings one of them does not add it twice.
func (w *workspace) hasTable(guid, name string) bool {
	for _, t := range w.Tables {
		if t.GUID == guid || t.Name == name {
			return true
		}
	}
	return false
}

// spoolFiles returns the spool files the state refers to.
func (st *state) spoolFiles() map[string]bool {
	m := map[string]bool{}
	for _, w := range st.Workspaces {
		for _, t := range w.Tables {
			for _, p := range t.Pages {
				m[p.File] = true
			}
		}
	}
	return m
}

func isV1(label string) bool { return strings.EqualFold(label, "v1") }

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// randomGUID returns a Xano-looking guid (websafe base64 of 20 random bytes, no padding).
func randomGUID() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// stableGUID returns a guid derived from its parts, so that a seed always yields the same
// guids (and therefore the same content hashes) across resets and restarts.
func stableGUID(parts ...any) string {
	sum := sha1.Sum([]byte(fmt.Sprint(parts...)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tableDef builds the dbo entry of a table the emulator creates itself.
func tableDef(guid, name string) json.RawMessage {
	def := map[string]any{
		"guid":   guid,
		"name":   name,
		"branch": branchRef,
		"schema": []map[string]any{
			{"name": "id", "type": "int"},
			{"name": "data", "type": "text"},
		},
	}
	raw, err := json.Marshal(def)
	if err != nil {
		panic(err)
	}
	return raw
}

// DemoFixture returns the "demo" seed: workspace 1 "staging" (v1 live; tables user and order;
// two functions; API group public with GET users and GET legacy; tasks nightly_sync and
// weekly_report) and workspace 2 "production" (v1 live; table user; one function).
func DemoFixture() *Fixture {
	return &Fixture{Workspaces: []FixtureWorkspace{
		{
			ID: 1, Name: "staging", Description: "Staging workspace (emulator demo seed)",
			Branches: []FixtureBranch{{Label: "v1", Live: true, Functions: []FixtureFunction{
				{Name: "send_welcome_email", Body: "// send_welcome_email\nvar user = $input.user\nemail.send(user.email, \"Welcome!\")\n"},
				{Name: "compute_invoice_total", Body: "// compute_invoice_total\nreturn $input.lines|sum:\"amount\"\n"},
			}, APIGroups: []FixtureAPIGroup{{Name: "public", Description: "the public API", Endpoints: []FixtureEndpoint{
				{Verb: "GET", Path: "users", Description: "lists the users"},
				{Verb: "GET", Path: "legacy", Description: "the old listing"},
			}}}, Tasks: []FixtureTask{
				{Name: "nightly_sync", Description: "syncs every night", Active: true},
				{Name: "weekly_report", Description: "mails a report"},
			}}},
			Tables: []FixtureTable{{Name: "user", Rows: 50}, {Name: "order", Rows: 200}},
		},
		{
			ID: 2, Name: "production", Description: "Production workspace (emulator demo seed)",
			Branches: []FixtureBranch{{Label: "v1", Live: true, Functions: []FixtureFunction{
				{Name: "send_welcome_email", Body: "// send_welcome_email\nvar user = $input.user\nemail.send(user.email, \"Welcome!\")\n"},
			}}},
			Tables: []FixtureTable{{Name: "user", Rows: 10}},
		},
	}}
}

// stateFromFixture validates a fixture and builds the state it describes.
func stateFromFixture(fx *Fixture, now time.Time) (*state, error) {
	st := &state{}
	if fx == nil {
		return st, nil
	}
	ids, err := fixtureWorkspaceIDs(fx.Workspaces)
	if err != nil {
		return nil, err
	}
	for i, fw := range fx.Workspaces {
		w, err := buildWorkspace(st, fw, ids[i], now)
		if err != nil {
			return nil, err
		}
		st.Workspaces = append(st.Workspaces, w)
	}
	sort.SliceStable(st.Workspaces, func(i, j int) bool { return st.Workspaces[i].ID < st.Workspaces[j].ID })
	if st.Tokens, err = fixtureTokens(fx.Tokens); err != nil {
		return nil, err
	}
	return st, nil
}

// fixtureWorkspaceIDs returns the id of each fixture workspace: its own, or (for 0) the next
// one above every id in use.
func fixtureWorkspaceIDs(fws []FixtureWorkspace) ([]int64, error) {
	used := map[int64]bool{}
	var maxID int64
	for _, fw := range fws {
		if fw.ID < 0 {
			return nil, fmt.Errorf("workspace %q: negative id", fw.Name)
		}
		if fw.ID != 0 {
			if used[fw.ID] {
				return nil, fmt.Errorf("duplicate workspace id %d", fw.ID)
			}
			used[fw.ID] = true
			maxID = max(maxID, fw.ID)
		}
	}
	ids := make([]int64, len(fws))
	for i, fw := range fws {
		ids[i] = fw.ID
		if ids[i] == 0 {
			maxID++
			ids[i] = maxID
		}
	}
	return ids, nil
}

// buildWorkspace builds workspace id of a fixture, its branches and tables.
func buildWorkspace(st *state, fw FixtureWorkspace, id int64, now time.Time) (*workspace, error) {
	name := fw.Name
	if name == "" {
		name = fmt.Sprintf("workspace-%d", id)
	}
	w := &workspace{
		ID: id, Name: name, Description: fw.Description,
		GUID: stableGUID("workspace", id), CreatedAt: now,
	}
	fbs, err := fixtureBranchOrder(fw.Branches, id)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, fb := range fbs {
		if fb.Label == "" {
			return nil, fmt.Errorf("workspace %d: a branch has an empty label", id)
		}
		if seen[fb.Label] {
			return nil, fmt.Errorf("workspace %d: duplicate branch label %q", id, fb.Label)
		}
		seen[fb.Label] = true
		if fb.Live {
			if w.Live != "" {
				return nil, fmt.Errorf("workspace %d: more than one live branch", id)
			}
			w.Live = fb.Label
		}
		b, err := buildBranch(st, fb, id, now)
		if err != nil {
			return nil, err
		}
		w.Branches = append(w.Branches, b)
	}
	if w.Live == "" {
		w.Live = "v1"
	}
	if err := buildTables(st, w, fw.Tables); err != nil {
		return nil, err
	}
	return w, nil
}

// fixtureBranchOrder returns the branches of a fixture workspace with v1 first (added when
// missing; an unlabelled first branch is v1), the others in their order.
func fixtureBranchOrder(in []FixtureBranch, wsID int64) ([]FixtureBranch, error) {
	fbs := append([]FixtureBranch(nil), in...)
	if len(fbs) > 0 && fbs[0].Label == "" {
		fbs[0].Label = "v1"
	}
	v1At := -1
	for i, fb := range fbs {
		if isV1(fb.Label) {
			if v1At >= 0 {
				return nil, fmt.Errorf("workspace %d: branch v1 listed twice", wsID)
			}
			v1At = i
		}
	}
	if v1At < 0 {
		return append([]FixtureBranch{{Label: "v1"}}, fbs...), nil
	}
	v1 := fbs[v1At]
	v1.Label = "v1"
	rest := append(fbs[:v1At:v1At], fbs[v1At+1:]...)
	return append([]FixtureBranch{v1}, rest...), nil
}

// buildBranch builds one fixture branch and its functions.
func buildBranch(st *state, fb FixtureBranch, wsID int64, now time.Time) (*branch, error) {
	if fb.Backup && fb.Label == "v1" {
		return nil, fmt.Errorf("workspace %d: v1 cannot be a backup branch", wsID)
	}
	b := &branch{
		ID: st.newID(), GUID: stableGUID("branch", wsID, fb.Label), Label: fb.Label,
		Color: defaultColor, CreatedAt: now, UpdatedAt: now, Backup: fb.Backup,
	}
	names := map[string]bool{}
	for _, ff := range fb.Functions {
		if ff.Name == "" {
			return nil, fmt.Errorf("workspace %d branch %q: a function has no name", wsID, fb.Label)
		}
		if names[ff.Name] {
			return nil, fmt.Errorf("workspace %d branch %q: duplicate function %q", wsID, fb.Label, ff.Name)
		}
		names[ff.Name] = true
		f := &function{
			ID: st.newID(), PID: int64(len(b.Functions) + 1), CreatedAt: now, UpdatedAt: now, GUID: stableGUID("function", wsID, ff.Name), Name: ff.Name, Body: ff.Body,
		}
		f.setRest("branch", branchRef)
		b.Functions = append(b.Functions, f)
	}
	if err := buildAPIGroups(st, b, fb.APIGroups, wsID, now); err != nil {
		return nil, err
	}
	if err := buildTasks(st, b, fb.Tasks, wsID, now); err != nil {
		return nil, err
	}
	return b, nil
}

// buildAPIGroups adds a fixture branch's API groups and their endpoints, shaped as the routes
// create them (description, canonical; endpoints: verb, name, description, app_id).
func buildAPIGroups(st *state, b *branch, groups []FixtureAPIGroup, wsID int64, now time.Time) error {
	where := fmt.Sprintf("workspace %d branch %q", wsID, b.Label)
	for _, fg := range groups {
		if fg.Name == "" {
			return fmt.Errorf("%s: an API group has no name", where)
		}
		if nameTaken(b.Apps, fg.Name, nil) {
			return fmt.Errorf("%s: duplicate API group %q", where, fg.Name)
		}
		g := newAPIGroup(st.newID(), nextPID(b.Apps), stableGUID("apigroup", wsID, fg.Name), fg.Name, now)
		g.setRest("description", fg.Description)
		b.Apps = append(b.Apps, g)
		for _, fe := range fg.Endpoints {
			verb := strings.ToUpper(fe.Verb)
			if !verbs[verb] {
				return fmt.Errorf("%s API group %q: endpoint %q has verb %q, want GET, POST, PUT, PATCH, DELETE or HEAD",
					where, fg.Name, fe.Path, fe.Verb)
			}
			if fe.Path == "" {
				return fmt.Errorf("%s API group %q: an endpoint has no path", where, fg.Name)
			}
			if endpointTaken(endpointsOf(b, g), verb, fe.Path, nil) {
				return fmt.Errorf("%s API group %q: duplicate endpoint %s %s", where, fg.Name, verb, fe.Path)
			}
			e := newEndpoint(st.newID(), nextPID(b.Queries), stableGUID("endpoint", wsID, fg.Name, verb, fe.Path), g, verb, fe.Path, now)
			e.setRest("description", fe.Description)
			b.Queries = append(b.Queries, e)
		}
	}
	return nil
}

// buildTasks adds a fixture branch's tasks, shaped as POST /task creates them.
func buildTasks(st *state, b *branch, tasks []FixtureTask, wsID int64, now time.Time) error {
	for _, ft := range tasks {
		if ft.Name == "" {
			return fmt.Errorf("workspace %d branch %q: a task has no name", wsID, b.Label)
		}
		if nameTaken(b.Tasks, ft.Name, nil) {
			return fmt.Errorf("workspace %d branch %q: duplicate task %q", wsID, b.Label, ft.Name)
		}
		t := newTask(st.newID(), nextPID(b.Tasks), stableGUID("task", wsID, ft.Name), ft.Name, now)
		t.setRest("description", ft.Description)
		t.setRest("active", ft.Active)
		b.Tasks = append(b.Tasks, t)
	}
	return nil
}

// buildTables adds the generated tables of a fixture workspace.
func buildTables(st *state, w *workspace, fts []FixtureTable) error {
	names := map[string]bool{}
	for _, ft := range fts {
		if ft.Name == "" {
			return fmt.Errorf("workspace %d: a table has no name", w.ID)
		}
		if names[ft.Name] {
			return fmt.Errorf("workspace %d: duplicate table %q", w.ID, ft.Name)
		}
		names[ft.Name] = true
		if ft.Rows < 0 {
			return fmt.Errorf("workspace %d table %q: rows is %d, want 0 or more", w.ID, ft.Name, ft.Rows)
		}
		if ft.RowBytes < 0 || ft.RowBytes > MaxFixtureRowBytes {
			return fmt.Errorf("workspace %d table %q: row_bytes is %d, want 0 (the default, %d) to %d (1 MiB)",
				w.ID, ft.Name, ft.RowBytes, defaultRowBytes, MaxFixtureRowBytes)
		}
		rb := ft.RowBytes
		if rb == 0 {
			rb = defaultRowBytes
		}
		kind, err := rowKind(ft.RowKind)
		if err != nil {
			return fmt.Errorf("workspace %d table %q: %w", w.ID, ft.Name, err)
		}
		guid := stableGUID("table", w.ID, ft.Name)
		w.Tables = append(w.Tables, &table{
			ID: st.newID(), GUID: guid, Name: ft.Name, Def: tableDef(guid, ft.Name),
			Storage: storageGenerated, Rows: ft.Rows, RowBytes: rb, RowKind: kind,
		})
	}
	return nil
}

// fixtureTokens validates and copies the extra tokens of a fixture.
func fixtureTokens(in []FixtureToken) ([]FixtureToken, error) {
	var out []FixtureToken
	for _, tok := range in {
		if tok.Token == "" {
			return nil, fmt.Errorf("a token is empty")
		}
		for _, sc := range tok.Scopes {
			if sc != "read" && sc != "write" {
				return nil, fmt.Errorf("token scope %q: want \"read\" or \"write\"", sc)
			}
		}
		t := tok
		t.Scopes = append([]string(nil), tok.Scopes...)
		out = append(out, t)
	}
	return out, nil
}
