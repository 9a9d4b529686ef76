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
// of the reference notes that the file does not list).
var metaRoutes = []metaRoute{
	{"GET /auth/me", false, func(s *Server, c *call) error { return s.authMe(c.w, c.st, c.tok) }},
	{"GET /workspace", false, func(s *Server, c *call) error { return s.listWorkspaces(c.w, c.st, c.tok) }},
	{"GET /workspace/{workspace_id}", false, func(s *Server, c *call) error { return s.getWorkspace(c.w, c.wsID) }},
	{"GET /workspace/{workspace_id}/branch", false, func(s *Server, c *call) error { return s.listBranches(c.w, c.wsID) }},
	{"POST /workspace/{workspace_id}/branch", true, func(s *Server, c *call) error { return s.createBranch(c.w, c.r, c.wsID) }},
	{"GET /workspace/{workspace_id}/branch/{branch_label}", false, func(s *Server, c *call) error {
		return s.getBranch(c.w, c.wsID, c.r.PathValue("branch_label"))
	}},
	{"PUT /workspace/{workspace_id}/branch/{branch_label}", true, func(s *Server, c *call) error {
		return s.updateBranch(c.w, c.r, c.wsID, c.r.PathValue("branch_label"))
	}},
	{"DELETE /workspace/{workspace_id}/branch/{branch_label}", true, func(s *Server, c *call) error {
		return s.deleteBranch(c.w, c.wsID, c.r.PathValue("branch_label"))
	}},
	{"POST /workspace/{workspace_id}/branch/{branch_label}/live", true, func(s *Server, c *call) error {
		return s.setLive(c.w, c.wsID, c.r.PathValue("branch_label"))
	}},
	{"POST /workspace/{workspace_id}/export-schema", false, func(s *Server, c *call) error { return s.export(c.w, c.r, c.wsID, false) }},
	{"POST /workspace/{workspace_id}/export", false, func(s *Server, c *call) error { return s.export(c.w, c.r, c.wsID, true) }},
	{"POST /workspace/{workspace_id}/import-schema", true, func(s *Server, c *call) error { return s.importSchema(c.w, c.r, c.wsID) }},
	{"POST /workspace/{workspace_id}/import", true, func(s *Server, c *call) error { return s.importWorkspace(c.w, c.r, c.wsID) }},
	{"GET /workspace/{workspace_id}/table", false, func(s *Server, c *call) error { return s.listTables(c.w, c.wsID) }},
	{"POST /workspace/{workspace_id}/table", true, func(s *Server, c *call) error { return s.createTable(c.w, c.r, c.wsID) }},
	{"GET /workspace/{workspace_id}/table/{table_id}", false, (*Server).getTable},

	{"GET /workspace/{workspace_id}/function", false, (*Server).listFunctions},
	{"POST /workspace/{workspace_id}/function", true, (*Server).createOrReplaceFunction},
	{"GET /workspace/{workspace_id}/function/{function_id}", false, (*Server).getFunction},
	{"PUT /workspace/{workspace_id}/function/{function_id}", true, (*Server).updateFunction},
	{"DELETE /workspace/{workspace_id}/function/{function_id}", true, (*Server).deleteFunction},

	{"GET /workspace/{workspace_id}/apigroup", false, (*Server).listAPIGroups},
	{"POST /workspace/{workspace_id}/apigroup", true, (*Server).createAPIGroup},
	{"GET /workspace/{workspace_id}/apigroup/{apigroup_id}", false, (*Server).getAPIGroup},
	{"PUT /workspace/{workspace_id}/apigroup/{apigroup_id}", true, (*Server).updateAPIGroup},
	{"DELETE /workspace/{workspace_id}/apigroup/{apigroup_id}", true, (*Server).deleteAPIGroup},
	{"GET /workspace/{workspace_id}/apigroup/{apigroup_id}/api", false, (*Server).listEndpoints},
	{"POST /workspace/{workspace_id}/apigroup/{apigroup_id}/api", true, (*Server).createEndpoint},
	{"GET /workspace/{workspace_id}/apigroup/{apigroup_id}/api/{api_id}", false, (*Server).getEndpoint},
	{"PUT /workspace/{workspace_id}/apigroup/{apigroup_id}/api/{api_id}", true, (*Server).updateEndpoint},
	{"DELETE /workspace/{workspace_id}/apigroup/{apigroup_id}/api/{api_id}", true, (*Server).deleteEndpoint},

	{"GET /workspace/{workspace_id}/task", false, (*Server).listTasks},
	{"POST /workspace/{workspace_id}/task", true, (*Server).createTask},
	{"GET /workspace/{workspace_id}/task/{task_id}", false, (*Server).getTask},
	{"PUT /workspace/{workspace_id}/task/{task_id}", true, (*Server).updateTask},
	{"DELETE /workspace/{workspace_id}/task/{task_id}", true, (*Server).deleteTask},
}

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

func (s *Server) authMe(w http.ResponseWriter, st *state, tok tokenInfo) error {
	wss := []map[string]any{}
	for _, ws := range st.Workspaces {
		if tok.sees(ws.ID) {
			wss = append(wss, map[string]any{"id": ws.ID, "guid": ws.GUID})
		}
	}
	role := "admin"
	name, email := "Emulator Admin", "admin@xano-emulator.local"
	if !tok.admin {
		role, name, email = "member", "Emulator Token", "token@xano-emulator.local"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1, "name": name, "email": email,
		"extras": map[string]any{"instance": map[string]any{
			"id": 1, "name": "xano-emulator", "display": "Xano Emulator",
			"membership": map[string]any{"role": role, "workspace": wss},
		}},
	})
	return nil
}

func (s *Server) listWorkspaces(w http.ResponseWriter, st *state, tok tokenInfo) error {
	out := []ordered{}
	for _, ws := range st.Workspaces {
		if tok.sees(ws.ID) {
			out = append(out, workspaceJSON(ws))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWorkspace(w http.ResponseWriter, id int64) error {
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	writeJSON(w, http.StatusOK, workspaceJSON(ws))
	return nil
}

// ---- branches ----

func (s *Server) listBranches(w http.ResponseWriter, id int64) error {
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

func (s *Server) getBranch(w http.ResponseWriter, id int64, label string) error {
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

func (s *Server) createBranch(w http.ResponseWriter, r *http.Request, id int64) error {
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
		out = branchJSON(ws, b)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) updateBranch(w http.ResponseWriter, r *http.Request, id int64, label string) error {
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
		out = branchJSON(ws, b)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteBranch(w http.ResponseWriter, id int64, label string) error {
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
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

func (s *Server) setLive(w http.ResponseWriter, id int64, label string) error {
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

func (s *Server) listTables(w http.ResponseWriter, id int64) error {
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

func (s *Server) createTable(w http.ResponseWriter, r *http.Request, id int64) error {
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
		out = tableJSON(t)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
