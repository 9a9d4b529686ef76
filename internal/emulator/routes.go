package emulator

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// call is what a route's handler gets: the request's token and workspace id.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	tok  tokenInfo
	st   *state
	wsID int64
}

// metaRoute is one line of the route table: a Go ServeMux pattern (method, path with
// {name} wildcards, as the OpenAPI file spells them), whether it needs the "write" scope, and
// its handler. Routes without {workspace_id} check no scope themselves.
type metaRoute struct {
	pattern string
	write   bool
	fn      func(s *Server, c *call) error
}

// metaRoutes is the route table, one line per route of the OpenAPI file (and the branch routes
// of the reference notes that the file does not list); the routes of the object kinds (functions,
// API groups, endpoints, tasks) come from objectKindTable (kinds.go). Every handler has the one
// signature func(*Server, *call) error.
var metaRoutes = append([]metaRoute{
	{"GET /auth/me", false, (*Server).authMe},
	{"GET /workspace", false, (*Server).listWorkspaces},
	{"GET /workspace/{workspace_id}", false, (*Server).getWorkspace},
	{"GET /workspace/{workspace_id}/branch", false, (*Server).listBranches},
	{"POST /workspace/{workspace_id}/branch", true, (*Server).createBranch},
	{"GET /workspace/{workspace_id}/branch/{branch_label}", false, (*Server).getBranch},
	{"PUT /workspace/{workspace_id}/branch/{branch_label}", true, (*Server).updateBranch},
	{"DELETE /workspace/{workspace_id}/branch/{branch_label}", true, (*Server).deleteBranch},
	{"POST /workspace/{workspace_id}/branch/{branch_label}/live", true, (*Server).setLive},
	{"POST /workspace/{workspace_id}/export-schema", false, (*Server).exportSchema},
	{"POST /workspace/{workspace_id}/export", false, (*Server).exportFull},
	{"POST /workspace/{workspace_id}/import-schema", true, (*Server).importSchema},
	{"POST /workspace/{workspace_id}/import", true, (*Server).importWorkspace},
	{"GET /workspace/{workspace_id}/table", false, (*Server).listTables},
	{"POST /workspace/{workspace_id}/table", true, (*Server).createTable},
	{"GET /workspace/{workspace_id}/table/{table_id}", false, (*Server).getTable},
	{"GET /workspace/{workspace_id}/audit_log", false, (*Server).listAuditLog},
}, kindRoutes()...)

type callKey struct{}

// metaMux is the ServeMux built from metaRoutes. ServeMux matches wildcards against the escaped
// path segments, so a label "a%2Fb" is one segment, and PathValue gives it back unescaped.
var metaMux = func() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range metaRoutes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			c, ok := r.Context().Value(callKey{}).(*call)
			if !ok {
				writeError(w, errFatal("The route was reached without its request context."))
				return
			}
			c.r = r
			if err := c.serve(rt); err != nil {
				writeError(w, err)
			}
		})
	}
	return mux
}()

// serve checks the workspace id and the token's scope, then runs the route.
func (c *call) serve(rt metaRoute) error {
	s := c.s
	if strings.Contains(rt.pattern, "{workspace_id}") {
		id, err := pathID(c.r, "workspace_id")
		if err != nil {
			return err
		}
		c.wsID = id
		if err := c.tok.allow(id, rt.write); err != nil {
			return err
		}
	}
	return rt.fn(s, c)
}

// pathID parses a positive integer path wildcard, or answers Xano's 400 naming it.
func pathID(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, &apiError{Status: http.StatusBadRequest, Code: codeInputError,
			Message: "Value is not properly formed.", Payload: map[string]string{"param": name}}
	}
	return v, nil
}

// route dispatches an /api:meta request; rest is the escaped path below /api:meta.
func (s *Server) route(w http.ResponseWriter, r *http.Request, rest string) {
	if err := s.dispatch(w, r, rest); err != nil {
		writeError(w, err)
	}
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rest string) error {
	if len(rest) > 1 && strings.HasSuffix(rest, "/") { // tolerate one trailing slash
		rest = rest[:len(rest)-1]
	}
	unescaped, err := url.PathUnescape(rest)
	if err != nil {
		return errInput("Invalid path encoding.")
	}
	for _, seg := range strings.Split(rest, "/")[1:] {
		if _, err := url.PathUnescape(seg); err != nil {
			return errInput("Invalid path encoding.")
		}
	}
	st := s.snapshot()
	tok, err := s.authenticate(r, st)
	if err != nil {
		return err
	}
	// ServeMux would redirect a path that is not clean (//, ., ..): those are no route here.
	if path.Clean(rest) != rest {
		return errNotFound("Unable to locate request.")
	}
	u := *r.URL
	u.Path, u.RawPath = unescaped, rest
	r2 := r.WithContext(context.WithValue(r.Context(), callKey{}, &call{s: s, w: w, tok: tok, st: st}))
	r2.URL = &u
	if _, pattern := metaMux.Handler(r2); pattern == "" {
		return errNotFound("Unable to locate request.")
	}
	metaMux.ServeHTTP(w, r2)
	return nil
}

// ---- JSON shapes ----

func tableJSON(t *table) map[string]any {
	return map[string]any{"id": t.ID, "guid": t.GUID, "name": t.Name, "rows": t.Rows, "storage": t.Storage}
}

// ---- auth and workspaces ----

func (s *Server) authMe(c *call) error {
	w, st, tok := c.w, c.st, c.tok
	wss := []map[string]any{}
	for _, ws := range st.Workspaces {
		if tok.sees(ws.ID) {
			wss = append(wss, map[string]any{"id": ws.ID, "guid": ws.GUID})
		}
	}
	role, name := "admin", "Emulator Admin"
	if !tok.admin {
		role, name = "member", "Emulator Token"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": tok.userID, "name": name, "email": tok.email,
		"extras": map[string]any{"instance": map[string]any{
			"id": 1, "name": "xano-emulator", "display": "Xano Emulator",
			"membership": map[string]any{"role": role, "workspace": wss},
		}},
	})
	return nil
}

func (s *Server) listWorkspaces(c *call) error {
	w, st, tok := c.w, c.st, c.tok
	out := []ordered{}
	for _, ws := range st.Workspaces {
		if tok.sees(ws.ID) {
			out = append(out, workspaceJSON(ws))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWorkspace(c *call) error {
	w, id := c.w, c.wsID
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	writeJSON(w, http.StatusOK, workspaceJSON(ws))
	return nil
}

// ---- branches ----

func (s *Server) listBranches(c *call) error {
	w, id := c.w, c.wsID
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	out := make([]ordered, 0, len(ws.Branches))
	for _, b := range ws.Branches {
		row := branchRowJSON(ws, b)
		if s.opts.OmitLiveOnNonLive && b.Label != ws.Live {
			row = row.without("live")
		}
		out = append(out, row)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getBranch(c *call) error {
	w, id, label := c.w, c.wsID, c.r.PathValue("branch_label")
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	b := ws.branch(label)
	if b == nil {
		return errNoBranch
	}
	writeJSON(w, http.StatusOK, branchJSON(ws, b))
	return nil
}

// checkNewLabel applies the rules for a label that is about to be created or renamed to.
func checkNewLabel(ws *workspace, label string) error {
	if isV1(label) {
		return errBadRequest("The branch v1 already exists and cannot be created or renamed to.")
	}
	if ws.branch(label) != nil {
		return errBadRequest("duplicate record")
	}
	return nil
}

func (s *Server) createBranch(c *call) error {
	w, r, id := c.w, c.r, c.wsID
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	label, err := p.required("label")
	if err != nil {
		return err
	}
	source, _ := p.str("source_branch")
	if source == "" {
		source = "v1"
	}
	desc, _ := p.str("description")
	color, _ := p.str("color")
	if color == "" {
		color = defaultColor
	}
	var out ordered
	err = s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		if err := checkNewLabel(ws, label); err != nil {
			return err
		}
		src := ws.branch(source)
		if src == nil {
			return errMissingObject
		}
		now := s.now()
		b := &branch{
			ID: st.newID(), GUID: randomGUID(), Label: label, Description: desc, Color: color,
			CreatedAt: now, UpdatedAt: now,
		}
		cl := src.clone()
		for _, l := range [][]*object{cl.Functions, cl.Apps, cl.Queries, cl.Tasks} {
			for _, o := range l {
				o.ID = st.newID()
			}
		}
		b.Functions, b.Extra, b.Members = cl.Functions, cl.Extra, cl.Members
		b.Apps, b.Queries, b.Tasks = cl.Apps, cl.Queries, cl.Tasks
		ws.Branches = append(ws.Branches, b)
		c.audit(st, ws, b, "branch:create", "Branch created: "+b.Label)
		out = branchJSON(ws, b)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) updateBranch(c *call) error {
	w, r, id, label := c.w, c.r, c.wsID, c.r.PathValue("branch_label")
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	var out ordered
	err = s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		b := ws.branch(label)
		if b == nil {
			return errNoBranch
		}
		if nl, ok := p.str("label"); ok && nl != "" && nl != b.Label {
			if b.Label == "v1" {
				return errBadRequest("The branch v1 cannot be renamed.")
			}
			if err := checkNewLabel(ws, nl); err != nil {
				return err
			}
			if ws.Live == b.Label {
				ws.Live = nl
			}
			b.Label = nl
		}
		if d, ok := p.str("description"); ok {
			b.Description = d
		}
		if c, ok := p.str("color"); ok && c != "" {
			b.Color = c
		}
		b.UpdatedAt = s.now()
		c.audit(st, ws, b, "branch:update", "Branch updated: "+b.Label)
		out = branchJSON(ws, b)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteBranch(c *call) error {
	w, id, label := c.w, c.wsID, c.r.PathValue("branch_label")
	err := s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		b := ws.branch(label)
		if b == nil {
			return errNoBranch
		}
		if b.Label == "v1" || b.Label == ws.Live {
			return errBadRequest("Cannot delete the default branch or currently live branch.")
		}
		for i, x := range ws.Branches {
			if x == b {
				ws.Branches = append(ws.Branches[:i:i], ws.Branches[i+1:]...)
				break
			}
		}
		c.audit(st, ws, b, "branch:delete", "Branch deleted: "+b.Label)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

func (s *Server) setLive(c *call) error {
	w, id, label := c.w, c.wsID, c.r.PathValue("branch_label")
	var out ordered
	err := s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		b := ws.branch(label)
		if b == nil {
			return errNoBranch
		}
		ws.Live = b.Label
		c.audit(st, ws, b, "branch:live", "Branch set live: "+b.Label)
		out = branchJSON(ws, b)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ---- tables and functions (out-of-band changes, as a person in the UI would make them) ----

func (s *Server) listTables(c *call) error {
	w, id := c.w, c.wsID
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	out := make([]map[string]any, 0, len(ws.Tables))
	for _, t := range ws.Tables {
		out = append(out, tableJSON(t))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getTable(c *call) error {
	id, err := pathID(c.r, "table_id")
	if err != nil {
		return err
	}
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	for _, t := range ws.Tables {
		if t.ID == id {
			writeJSON(c.w, http.StatusOK, tableJSON(t))
			return nil
		}
	}
	return errMissingObject
}

func (s *Server) createTable(c *call) error {
	w, r, id := c.w, c.r, c.wsID
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	var out map[string]any
	err = s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		for _, t := range ws.Tables {
			if t.Name == name {
				return errBadRequest("duplicate record")
			}
		}
		guid := randomGUID()
		t := &table{ID: st.newID(), GUID: guid, Name: name, Def: tableDef(guid, name),
			Storage: storageGenerated, RowBytes: defaultRowBytes, RowKind: RowKindRealistic}
		ws.Tables = append(ws.Tables, t)
		c.audit(st, ws, nil, "table:create", "Table created: "+name)
		out = tableJSON(t)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
