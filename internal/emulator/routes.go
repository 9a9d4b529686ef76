package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// route dispatches an /api:meta request; rest is the escaped path below /api:meta.
func (s *Server) route(w http.ResponseWriter, r *http.Request, rest string) {
	if err := s.dispatch(w, r, rest); err != nil {
		writeError(w, err)
	}
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rest string) error {
	raw := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if n := len(raw); n > 1 && raw[n-1] == "" { // tolerate one trailing slash
		raw = raw[:n-1]
	}
	seg := make([]string, len(raw))
	for i, x := range raw {
		u, err := url.PathUnescape(x)
		if err != nil {
			return errInput("Invalid path encoding.")
		}
		seg[i] = u
	}
	st := s.snapshot()
	tok, err := s.authenticate(r, st)
	if err != nil {
		return err
	}
	m := r.Method
	notFound := errNotFound("Unable to locate request.")

	if len(seg) == 2 && seg[0] == "auth" && seg[1] == "me" {
		if m != http.MethodGet {
			return notFound
		}
		return s.authMe(w, st, tok)
	}
	if len(seg) == 0 || seg[0] != "workspace" {
		return notFound
	}
	if len(seg) == 1 {
		if m != http.MethodGet {
			return notFound
		}
		return s.listWorkspaces(w, st, tok)
	}
	wsID, err := strconv.ParseInt(seg[1], 10, 64)
	if err != nil || wsID <= 0 {
		return &apiError{Status: http.StatusBadRequest, Code: codeInputError,
			Message: "Value is not properly formed.", Payload: map[string]string{"param": "workspace_id"}}
	}

	type handler struct {
		write bool
		fn    func() error
	}
	var h *handler
	switch {
	case len(seg) == 2 && m == http.MethodGet:
		h = &handler{false, func() error { return s.getWorkspace(w, wsID) }}
	case len(seg) == 3 && seg[2] == "branch" && m == http.MethodGet:
		h = &handler{false, func() error { return s.listBranches(w, wsID) }}
	case len(seg) == 3 && seg[2] == "branch" && m == http.MethodPost:
		h = &handler{true, func() error { return s.createBranch(w, r, wsID) }}
	case len(seg) == 4 && seg[2] == "branch" && m == http.MethodGet:
		h = &handler{false, func() error { return s.getBranch(w, wsID, seg[3]) }}
	case len(seg) == 4 && seg[2] == "branch" && m == http.MethodPut:
		h = &handler{true, func() error { return s.updateBranch(w, r, wsID, seg[3]) }}
	case len(seg) == 4 && seg[2] == "branch" && m == http.MethodDelete:
		h = &handler{true, func() error { return s.deleteBranch(w, wsID, seg[3]) }}
	case len(seg) == 5 && seg[2] == "branch" && seg[4] == "live" && m == http.MethodPost:
		h = &handler{true, func() error { return s.setLive(w, wsID, seg[3]) }}
	case len(seg) == 3 && seg[2] == "export-schema" && m == http.MethodPost:
		h = &handler{false, func() error { return s.export(w, r, wsID, false) }}
	case len(seg) == 3 && seg[2] == "export" && m == http.MethodPost:
		h = &handler{false, func() error { return s.export(w, r, wsID, true) }}
	case len(seg) == 3 && seg[2] == "import-schema" && m == http.MethodPost:
		h = &handler{true, func() error { return s.importSchema(w, r, wsID) }}
	case len(seg) == 3 && seg[2] == "import" && m == http.MethodPost:
		h = &handler{true, func() error { return s.importWorkspace(w, r, wsID) }}
	case len(seg) == 3 && seg[2] == "table" && m == http.MethodGet:
		h = &handler{false, func() error { return s.listTables(w, wsID) }}
	case len(seg) == 3 && seg[2] == "table" && m == http.MethodPost:
		h = &handler{true, func() error { return s.createTable(w, r, wsID) }}
	case len(seg) == 3 && seg[2] == "function" && m == http.MethodGet:
		h = &handler{false, func() error { return s.listFunctions(w, r, wsID) }}
	case len(seg) == 3 && seg[2] == "function" && m == http.MethodPost:
		h = &handler{true, func() error { return s.createOrReplaceFunction(w, r, wsID) }}
	case len(seg) == 4 && seg[2] == "function" && (m == http.MethodGet || m == http.MethodPut):
		fid, err := strconv.ParseInt(seg[3], 10, 64)
		if err != nil || fid <= 0 {
			return &apiError{Status: http.StatusBadRequest, Code: codeInputError,
				Message: "Value is not properly formed.", Payload: map[string]string{"param": "function_id"}}
		}
		if m == http.MethodGet {
			h = &handler{false, func() error { return s.getFunction(w, wsID, fid) }}
		} else {
			h = &handler{true, func() error { return s.updateFunction(w, r, wsID, fid) }}
		}
	}
	if h == nil {
		return notFound
	}
	if err := tok.allow(wsID, h.write); err != nil {
		return err
	}
	return h.fn()
}

// ---- JSON shapes ----

func workspaceJSON(w *workspace) map[string]any {
	return map[string]any{
		"id": w.ID, "name": w.Name, "description": w.Description, "branch": w.Live,
		"created_at": formatTime(w.CreatedAt),
	}
}

func branchJSON(w *workspace, b *branch) map[string]any {
	return map[string]any{
		"id":          b.ID,
		"created_at":  formatTime(b.CreatedAt),
		"updated_at":  formatTime(b.UpdatedAt),
		"label":       b.Label,
		"description": b.Description,
		"color":       b.Color,
		"live":        b.Label == w.Live,
		"backup":      b.Backup,
	}
}

func functionJSON(b *branch, f *function) map[string]any {
	return map[string]any{"id": f.ID, "guid": f.GUID, "name": f.Name, "body": f.Body, "branch": b.Label}
}

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
	out := []map[string]any{}
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
	out := make([]map[string]any, 0, len(ws.Branches))
	for _, b := range ws.Branches {
		row := branchJSON(ws, b)
		if s.opts.OmitLiveOnNonLive && b.Label != ws.Live {
			delete(row, "live")
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
	var out map[string]any
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
			return errNotFound("Invalid source branch.")
		}
		now := s.now()
		b := &branch{
			ID: st.newID(), GUID: randomGUID(), Label: label, Description: desc, Color: color,
			CreatedAt: now, UpdatedAt: now,
		}
		cl := src.clone()
		for _, f := range cl.Functions {
			f.ID = st.newID()
		}
		b.Functions, b.Extra = cl.Functions, cl.Extra
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
	var out map[string]any
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
	var out map[string]any
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
			Storage: storageGenerated, RowBytes: defaultRowBytes}
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

// branchOf resolves a branch label ("" = live).
func branchOf(ws *workspace, label string) *branch {
	if label == "" {
		return ws.liveBranch()
	}
	return ws.branch(label)
}

func (s *Server) listFunctions(w http.ResponseWriter, r *http.Request, id int64) error {
	label := r.URL.Query().Get("branch")
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	b := branchOf(ws, label)
	if b == nil {
		return errNoBranch
	}
	fs := append([]*function(nil), b.Functions...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	out := make([]map[string]any, 0, len(fs))
	for _, f := range fs {
		out = append(out, functionJSON(b, f))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getFunction(w http.ResponseWriter, id, fid int64) error {
	ws := s.snapshot().workspace(id)
	if ws == nil {
		return errNoWorkspace
	}
	b, f := ws.function(fid)
	if f == nil {
		return errNotFound("Invalid function.")
	}
	writeJSON(w, http.StatusOK, functionJSON(b, f))
	return nil
}

// createOrReplaceFunction creates a function on a branch, or replaces the body of the one with that name.
func (s *Server) createOrReplaceFunction(w http.ResponseWriter, r *http.Request, id int64) error {
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	body, _ := p.str("body")
	label, _ := p.str("branch")
	var out map[string]any
	err = s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		b := branchOf(ws, label)
		if b == nil {
			return errNoBranch
		}
		f := b.functionByName(name)
		if f == nil {
			f = &function{ID: st.newID(), GUID: randomGUID(), Name: name}
			b.Functions = append(b.Functions, f)
		}
		f.Body = body
		b.UpdatedAt = s.now()
		out = functionJSON(b, f)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) updateFunction(w http.ResponseWriter, r *http.Request, id, fid int64) error {
	p, err := readParams(w, r)
	if err != nil {
		return err
	}
	body, ok := p.str("body")
	if !ok {
		return errMissing("body")
	}
	var out map[string]any
	err = s.mutate(func(st *state) error {
		ws := st.workspace(id)
		if ws == nil {
			return errNoWorkspace
		}
		b, f := ws.function(fid)
		if f == nil {
			return errNotFound("Invalid function.")
		}
		f.Body = body
		b.UpdatedAt = s.now()
		out = functionJSON(b, f)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
