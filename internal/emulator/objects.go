package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// object is a function, API group (app), endpoint (query) or task of a branch.
//
// It has two ids. ID is the id of the routes (/function/{function_id}, ...): unique in the
// instance, new in every branch clone and import. PID is the id the object has in the payload
// of an export: given at creation (one more than the largest PID of its list on the branch),
// taken from the archive on import and kept by branch clones, so that exporting a branch,
// importing the archive and exporting again gives the same content hash. An endpoint's App is
// the PID of its API group (exported as app_id).
//
// Rest holds every other member of the object's payload entry (description, docs, tag, active,
// and whatever an imported archive brought), compacted JSON re-emitted as it is.
type object struct {
	ID   int64  `json:"id"`
	PID  int64  `json:"pid,omitempty"`
	GUID string `json:"guid"`
	Name string `json:"name"`
	Body string `json:"body,omitempty"` // functions
	Verb string `json:"verb,omitempty"` // endpoints
	App  int64  `json:"app,omitempty"`  // endpoints: the PID of their API group
	// NoAppID: an imported endpoint that named its group otherwise (apigroup_id, app), exported
	// without app_id as it came.
	NoAppID bool `json:"no_app_id,omitempty"`
	// NoID, NoGUID: an imported object that had no id (no guid), exported without one as it
	// came, so that import then export does not change the content.
	NoID   bool `json:"no_id,omitempty"`
	NoGUID bool `json:"no_guid,omitempty"`
	// NoBody: an imported function that had no body member (its code under another member),
	// exported without one until a body is set.
	NoBody    bool                       `json:"no_body,omitempty"`
	Rest      map[string]json.RawMessage `json:"rest,omitempty"`
	CreatedAt time.Time                  `json:"created_at,omitempty"`
	UpdatedAt time.Time                  `json:"updated_at,omitempty"`
}

func cloneObjects(in []*object) []*object {
	if in == nil {
		return nil
	}
	out := make([]*object, 0, len(in))
	for _, o := range in {
		c := *o
		if o.Rest != nil {
			c.Rest = make(map[string]json.RawMessage, len(o.Rest))
			for k, v := range o.Rest {
				c.Rest[k] = v
			}
		}
		out = append(out, &c)
	}
	return out
}

// nextPID is one more than the largest PID of list.
func nextPID(list []*object) int64 {
	var m int64
	for _, o := range list {
		m = max(m, o.PID)
	}
	return m + 1
}

// pid is the object's payload id (its route id for a state written before PIDs existed).
func (o *object) pid() int64 {
	if o.PID != 0 {
		return o.PID
	}
	return o.ID
}

func (o *object) setRest(key string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if o.Rest == nil {
		o.Rest = map[string]json.RawMessage{}
	}
	o.Rest[key] = raw
}

func (o *object) restString(key string) string {
	var s string
	if raw, ok := o.Rest[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

func (o *object) restAny(key string, def any) any {
	if raw, ok := o.Rest[key]; ok {
		if v, err := decodeAny(raw); err == nil {
			return v
		}
	}
	return def
}

// payloadEntry is the object's entry in an export's payload list.
func (o *object) payloadEntry(kind string) map[string]any {
	m := make(map[string]any, len(o.Rest)+5)
	for k, v := range o.Rest {
		m[k] = v
	}
	m["name"] = o.Name
	if !o.NoID {
		m["id"] = o.pid()
	}
	if !o.NoGUID {
		m["guid"] = o.GUID
	}
	switch kind {
	case "function":
		if !o.NoBody || o.Body != "" {
			m["body"] = o.Body
		}
	case "query":
		if o.Verb != "" {
			m["verb"] = o.Verb
		}
		if !o.NoAppID {
			m["app_id"] = o.App
		}
	}
	return m
}

func payloadList(kind string, list []*object) []any {
	out := make([]any, 0, len(list))
	for _, o := range list {
		out = append(out, o.payloadEntry(kind))
	}
	return out
}

// parseObjectList reads a payload list of objects: each must be a JSON object with a non-empty
// string name, an integer id (or none) and a string guid (or none). ok is false when the list
// is not such a list (it is then kept verbatim).
func parseObjectList(kind string, raw json.RawMessage) (list []*object, ok bool) {
	var items []map[string]json.RawMessage
	if len(raw) == 0 || isNull(raw) {
		return nil, true
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	for _, it := range items {
		if it == nil {
			return nil, false
		}
		o := &object{Rest: map[string]json.RawMessage{}}
		for k, v := range it {
			var c bytes.Buffer
			if err := json.Compact(&c, v); err != nil {
				return nil, false
			}
			o.Rest[k] = c.Bytes()
		}
		if json.Unmarshal(o.Rest["name"], &o.Name) != nil || o.Name == "" {
			return nil, false
		}
		delete(o.Rest, "name")
		if raw, has := o.Rest["guid"]; has {
			if json.Unmarshal(raw, &o.GUID) != nil {
				return nil, false
			}
			delete(o.Rest, "guid")
		}
		if o.GUID == "" {
			o.GUID, o.NoGUID = randomGUID(), true
		}
		if raw, has := o.Rest["id"]; has {
			id, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil || id <= 0 {
				return nil, false
			}
			o.PID = id
			delete(o.Rest, "id")
		}
		switch kind {
		case "function":
			if raw, has := o.Rest["body"]; has {
				if !isNull(raw) && json.Unmarshal(raw, &o.Body) != nil {
					o.Body = string(raw)
				}
				delete(o.Rest, "body")
			} else {
				o.NoBody = true
			}
		case "query":
			if raw, has := o.Rest["verb"]; has && json.Unmarshal(raw, &o.Verb) == nil {
				delete(o.Rest, "verb")
			}
			o.App, o.NoAppID = endpointApp(o.Rest)
		}
		list = append(list, o)
	}
	for _, o := range list {
		if o.PID == 0 {
			o.PID, o.NoID = nextPID(list), true
		}
	}
	return list, true
}

// endpointApp finds the API group an imported endpoint names: app_id (taken out of rest),
// else apigroup_id, else app: {id}. noAppID is true when app_id was not the member used.
func endpointApp(rest map[string]json.RawMessage) (app int64, noAppID bool) {
	if raw, ok := rest["app_id"]; ok {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			delete(rest, "app_id")
			return id, false
		}
	}
	if raw, ok := rest["apigroup_id"]; ok {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return id, true
		}
	}
	var ref struct {
		ID int64 `json:"id"`
	}
	if raw, ok := rest["app"]; ok && json.Unmarshal(raw, &ref) == nil {
		return ref.ID, true
	}
	return 0, true
}

// objectKinds are the payload lists the emulator models (besides function), with the branch
// list each one fills.
var objectKinds = []string{"app", "query", "task"}

func isObjectKind(k string) bool { return k == "app" || k == "query" || k == "task" }

func (b *branch) objects(kind string) *[]*object {
	switch kind {
	case "function":
		return &b.Functions
	case "app":
		return &b.Apps
	case "query":
		return &b.Queries
	default:
		return &b.Tasks
	}
}

// parseObjects reads the app, query and task lists of an archive's payload into objects; a
// list that is not a list of named objects is kept verbatim (see keepExtra) and cannot be
// edited through the routes.
func (pa *parsedArchive) parseObjects(payload map[string]json.RawMessage) {
	for _, k := range objectKinds {
		raw, has := payload[k]
		if !has {
			continue
		}
		list, ok := parseObjectList(k, raw)
		if !ok {
			continue
		}
		if pa.objects == nil {
			pa.objects = map[string][]*object{}
		}
		pa.objects[k] = list
		delete(payload, k)
	}
	// Real exports name an endpoint's API group by guid ("app": {"id": "<guid>"}): resolve it
	// to the group's payload id, which is how the emulator links them.
	for _, e := range pa.objects["query"] {
		if e.App != 0 {
			continue
		}
		var ref struct {
			ID   any    `json:"id"`
			GUID string `json:"guid"`
		}
		if json.Unmarshal(e.Rest["app"], &ref) != nil {
			continue
		}
		guid, _ := ref.ID.(string)
		if guid == "" {
			guid = ref.GUID
		}
		for _, g := range pa.objects["app"] {
			if guid != "" && g.GUID == guid {
				e.App = g.pid()
				break
			}
		}
	}
}

// addObjects gives b copies of the archive's apps, queries and tasks, with new route ids.
func (pa *parsedArchive) addObjects(st *state, b *branch, now time.Time) {
	for k, list := range pa.objects {
		l := b.objects(k)
		for _, o := range cloneObjects(list) {
			o.ID, o.CreatedAt, o.UpdatedAt = st.newID(), now, now
			*l = append(*l, o)
		}
	}
}

// ---- new objects, shaped as a real export has them ----

// newAPIGroup is a new API group: exported with no id (real exports give an api group only a
// guid), a canonical name and "branch": {"id": 0}. pid is its payload id inside the emulator,
// which its endpoints' App refers to.
func newAPIGroup(id, pid int64, guid, name string, now time.Time) *object {
	g := &object{ID: id, PID: pid, NoID: true, GUID: guid, Name: name, CreatedAt: now, UpdatedAt: now}
	g.setRest("canonical", guid[:8])
	g.setRest("branch", branchRef)
	return g
}

// newEndpoint is a new endpoint of API group g: it refers to g as real exports do, by guid
// ("app": {"id": "<guid>"}), not by app_id.
func newEndpoint(id, pid int64, guid string, g *object, verb, name string, now time.Time) *object {
	e := &object{ID: id, PID: pid, GUID: guid, Name: name, Verb: verb, App: g.pid(), NoAppID: true,
		CreatedAt: now, UpdatedAt: now}
	e.setRest("app", map[string]string{"id": g.GUID})
	e.setRest("branch", branchRef)
	return e
}

// newTask is a new task with "branch": {"id": 0}.
func newTask(id, pid int64, guid, name string, now time.Time) *object {
	t := &object{ID: id, PID: pid, GUID: guid, Name: name, CreatedAt: now, UpdatedAt: now}
	t.setRest("branch", branchRef)
	return t
}

// ---- answers ----

func objectTimes(m map[string]any, o *object) map[string]any {
	m["created_at"], m["updated_at"] = formatTime(o.CreatedAt), formatTime(o.UpdatedAt)
	return m
}

func functionJSON(b *branch, f *function) map[string]any {
	return objectTimes(map[string]any{
		"id": f.ID, "guid": f.GUID, "name": f.Name, "body": f.Body, "branch": b.Label,
		"description": f.restString("description"), "docs": f.restString("docs"),
	}, f)
}

func apiGroupJSON(b *branch, g *object) map[string]any {
	return objectTimes(map[string]any{
		"id": g.ID, "guid": g.GUID, "name": g.Name, "branch": b.Label,
		"description": g.restString("description"), "docs": g.restString("docs"),
		"canonical": g.restString("canonical"), "swagger": g.restAny("swagger", true),
		"tag": g.restAny("tag", []any{}),
	}, g)
}

func endpointJSON(b *branch, g, e *object) map[string]any {
	return objectTimes(map[string]any{
		"id": e.ID, "guid": e.GUID, "name": e.Name, "verb": e.Verb, "apigroup_id": g.ID, "branch": b.Label,
		"description": e.restString("description"), "docs": e.restString("docs"),
		"tag": e.restAny("tag", []any{}), "input": e.restAny("input", []any{}), "auth": e.restAny("auth", map[string]any{}),
	}, e)
}

func taskJSON(b *branch, t *object) map[string]any {
	return objectTimes(map[string]any{
		"id": t.ID, "guid": t.GUID, "name": t.Name, "branch": b.Label,
		"description": t.restString("description"), "docs": t.restString("docs"),
		"datasource": t.restString("datasource"), "active": t.restAny("active", false),
	}, t)
}

// ---- paged lists ----

const defaultPerPage = 50

// writePage answers one page of objs (after search, sort and order) in the OpenAPI file's paged
// shape {itemsReceived, curPage, nextPage, prevPage, offset, items}.
func writePage(c *call, objs []*object, toJSON func(*object) map[string]any) error {
	q := c.r.URL.Query()
	num := func(name string, def int) (int, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, &apiError{Status: http.StatusBadRequest, Code: codeInputError,
				Message: "Value is not properly formed.", Payload: map[string]string{"param": name}}
		}
		return n, nil
	}
	page, err := num("page", 1)
	if err != nil {
		return err
	}
	perPage, err := num("per_page", defaultPerPage)
	if err != nil {
		return err
	}
	list := make([]*object, 0, len(objs))
	search := strings.ToLower(q.Get("search"))
	for _, o := range objs {
		if search == "" || strings.Contains(strings.ToLower(o.Name), search) {
			list = append(list, o)
		}
	}
	var less func(a, b *object) bool
	switch q.Get("sort") {
	case "", "name":
		less = func(a, b *object) bool { return a.Name < b.Name }
	case "created_at":
		less = func(a, b *object) bool { return a.CreatedAt.Before(b.CreatedAt) }
	case "updated_at":
		less = func(a, b *object) bool { return a.UpdatedAt.Before(b.UpdatedAt) }
	default:
		return &apiError{Status: http.StatusBadRequest, Code: codeInputError,
			Message: "Invalid sort: want created_at, updated_at or name.", Payload: map[string]string{"param": "sort"}}
	}
	desc := false
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return &apiError{Status: http.StatusBadRequest, Code: codeInputError,
			Message: "Invalid order: want asc or desc.", Payload: map[string]string{"param": "order"}}
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if desc {
			a, b = b, a
		}
		if less(a, b) {
			return true
		}
		return !less(b, a) && a.ID < b.ID
	})
	offset := (page - 1) * perPage
	items := []map[string]any{}
	if offset < len(list) {
		for _, o := range list[offset:min(len(list), offset+perPage)] {
			items = append(items, toJSON(o))
		}
	}
	var next, prev any
	if offset+perPage < len(list) {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	writeJSON(c.w, http.StatusOK, map[string]any{
		"itemsReceived": len(items), "curPage": page, "nextPage": next, "prevPage": prev,
		"offset": offset, "items": items,
	})
	return nil
}

// ---- lookups ----

// branchOf resolves a branch label ("" = live).
func branchOf(ws *workspace, label string) *branch {
	if label == "" {
		return ws.liveBranch()
	}
	return ws.branch(label)
}

// queryBranch is the branch named by the request's branch query parameter ("" = live).
func queryBranch(c *call) (*branch, error) {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return nil, errNoWorkspace
	}
	b := branchOf(ws, c.r.URL.Query().Get("branch"))
	if b == nil {
		return nil, errNoBranch
	}
	return b, nil
}

// findObject finds an object of a kind by route id on any branch of ws.
func findObject(ws *workspace, kind string, id int64) (*branch, *object) {
	for _, b := range ws.Branches {
		for _, o := range *b.objects(kind) {
			if o.ID == id {
				return b, o
			}
		}
	}
	return nil, nil
}

func removeObject(list *[]*object, o *object) {
	for i, x := range *list {
		if x == o {
			*list = append((*list)[:i:i], (*list)[i+1:]...)
			return
		}
	}
}

var (
	errNoFunction = errMissingObject
	errNoAPIGroup = errMissingObject
	errNoEndpoint = errMissingObject
	errNoTask     = errMissingObject
)

// editableList refuses a change to a list that an imported archive brought in a form the
// emulator keeps verbatim.
func editableList(b *branch, kind string) error {
	if _, verbatim := b.Extra[kind]; verbatim {
		return errBadRequest("The branch's " + kind + " list came from an archive in a form the emulator keeps as it is: it cannot be edited.")
	}
	return nil
}

// setFields copies the given string, boolean and list inputs into o.Rest.
func setFields(o *object, p params, strs, bools []string) {
	for _, k := range strs {
		if v, ok := p.str(k); ok {
			o.setRest(k, v)
		}
	}
	for _, k := range bools {
		if _, ok := p[k]; ok {
			o.setRest(k, p.boolean(k, false))
		}
	}
	if v, ok := p["tag"]; ok {
		switch x := v.(type) {
		case []any:
			o.setRest("tag", x)
		case string:
			o.setRest("tag", []string{x})
		case nil:
			o.setRest("tag", []any{})
		}
	}
}

// mutateObject runs fn on the workspace of the call in a mutation, touching it when fn succeeds.
func (s *Server) mutateObject(c *call, fn func(st *state, ws *workspace) (map[string]any, error)) error {
	var out map[string]any
	err := s.mutate(func(st *state) error {
		ws := st.workspace(c.wsID)
		if ws == nil {
			return errNoWorkspace
		}
		var err error
		out, err = fn(st, ws)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// ---- functions ----

func (s *Server) listFunctions(c *call) error {
	b, err := queryBranch(c)
	if err != nil {
		return err
	}
	return writePage(c, b.Functions, func(f *object) map[string]any { return functionJSON(b, f) })
}

func (s *Server) getFunction(c *call) error {
	fid, err := pathID(c.r, "function_id")
	if err != nil {
		return err
	}
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	b, f := findObject(ws, "function", fid)
	if f == nil {
		return errNoFunction
	}
	writeJSON(c.w, http.StatusOK, functionJSON(b, f))
	return nil
}

// createOrReplaceFunction creates a function on a branch, or replaces the body (and the given
// fields) of the one with that name.
func (s *Server) createOrReplaceFunction(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	label, _ := p.str("branch")
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b := branchOf(ws, label)
		if b == nil {
			return nil, errNoBranch
		}
		now := s.now()
		f := b.functionByName(name)
		if f == nil {
			f = &function{ID: st.newID(), PID: nextPID(b.Functions), GUID: randomGUID(), Name: name, CreatedAt: now}
			f.setRest("branch", branchRef)
			b.Functions = append(b.Functions, f)
		}
		f.Body, _ = p.str("body")
		setFields(f, p, []string{"description", "docs"}, nil)
		f.UpdatedAt, b.UpdatedAt = now, now
		return functionJSON(b, f), nil
	})
}

func (s *Server) updateFunction(c *call) error {
	fid, err := pathID(c.r, "function_id")
	if err != nil {
		return err
	}
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	_, hasBody := p.str("body")
	name, hasName := p.str("name")
	_, hasDesc := p.str("description")
	if !hasBody && !hasName && !hasDesc {
		return errMissing("body")
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, f := findObject(ws, "function", fid)
		if f == nil {
			return nil, errNoFunction
		}
		if hasName && name != "" && name != f.Name {
			if b.functionByName(name) != nil {
				return nil, errBadRequest("duplicate record")
			}
			f.Name = name
		}
		if hasBody {
			f.Body, _ = p.str("body")
		}
		setFields(f, p, []string{"description", "docs"}, nil)
		f.UpdatedAt, b.UpdatedAt = s.now(), s.now()
		return functionJSON(b, f), nil
	})
}

func (s *Server) deleteFunction(c *call) error {
	fid, err := pathID(c.r, "function_id")
	if err != nil {
		return err
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, f := findObject(ws, "function", fid)
		if f == nil {
			return nil, errNoFunction
		}
		removeObject(&b.Functions, f)
		b.UpdatedAt = s.now()
		return map[string]any{}, nil
	})
}

// ---- API groups ----

func (s *Server) listAPIGroups(c *call) error {
	b, err := queryBranch(c)
	if err != nil {
		return err
	}
	return writePage(c, b.Apps, func(g *object) map[string]any { return apiGroupJSON(b, g) })
}

func (s *Server) apiGroupOf(c *call, ws *workspace) (*branch, *object, error) {
	gid, err := pathID(c.r, "apigroup_id")
	if err != nil {
		return nil, nil, err
	}
	b, g := findObject(ws, "app", gid)
	if g == nil {
		return nil, nil, errNoAPIGroup
	}
	return b, g, nil
}

func (s *Server) getAPIGroup(c *call) error {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	b, g, err := s.apiGroupOf(c, ws)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, apiGroupJSON(b, g))
	return nil
}

func nameTaken(list []*object, name string, except *object) bool {
	for _, o := range list {
		if o != except && o.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) createAPIGroup(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	label, _ := p.str("branch")
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b := branchOf(ws, label)
		if b == nil {
			return nil, errNoBranch
		}
		if err := editableList(b, "app"); err != nil {
			return nil, err
		}
		if nameTaken(b.Apps, name, nil) {
			return nil, errBadRequest("duplicate record")
		}
		now := s.now()
		g := newAPIGroup(st.newID(), nextPID(b.Apps), randomGUID(), name, now)
		g.setRest("description", "")
		setFields(g, p, []string{"description", "docs"}, []string{"swagger"})
		b.Apps = append(b.Apps, g)
		b.UpdatedAt = now
		return apiGroupJSON(b, g), nil
	})
}

func (s *Server) updateAPIGroup(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, g, err := s.apiGroupOf(c, ws)
		if err != nil {
			return nil, err
		}
		if name, _ := p.str("name"); name != "" && name != g.Name {
			if nameTaken(b.Apps, name, g) {
				return nil, errBadRequest("duplicate record")
			}
			g.Name = name
		}
		setFields(g, p, []string{"description", "docs"}, []string{"swagger"})
		g.UpdatedAt, b.UpdatedAt = s.now(), s.now()
		return apiGroupJSON(b, g), nil
	})
}

// deleteAPIGroup deletes an API group and its endpoints.
func (s *Server) deleteAPIGroup(c *call) error {
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, g, err := s.apiGroupOf(c, ws)
		if err != nil {
			return nil, err
		}
		if err := editableList(b, "query"); err != nil {
			return nil, err
		}
		removeObject(&b.Apps, g)
		kept := b.Queries[:0:0]
		for _, e := range b.Queries {
			if e.App != g.pid() {
				kept = append(kept, e)
			}
		}
		b.Queries = kept
		b.UpdatedAt = s.now()
		return map[string]any{}, nil
	})
}

// ---- endpoints ----

func endpointsOf(b *branch, g *object) []*object {
	var out []*object
	for _, e := range b.Queries {
		if e.App == g.pid() {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) endpointOf(c *call, ws *workspace) (*branch, *object, *object, error) {
	b, g, err := s.apiGroupOf(c, ws)
	if err != nil {
		return nil, nil, nil, err
	}
	aid, err := pathID(c.r, "api_id")
	if err != nil {
		return nil, nil, nil, err
	}
	for _, e := range endpointsOf(b, g) {
		if e.ID == aid {
			return b, g, e, nil
		}
	}
	return nil, nil, nil, errNoEndpoint
}

func (s *Server) listEndpoints(c *call) error {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	b, g, err := s.apiGroupOf(c, ws)
	if err != nil {
		return err
	}
	return writePage(c, endpointsOf(b, g), func(e *object) map[string]any { return endpointJSON(b, g, e) })
}

func (s *Server) getEndpoint(c *call) error {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	b, g, e, err := s.endpointOf(c, ws)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, endpointJSON(b, g, e))
	return nil
}

var verbs = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true}

func verbParam(p params, required bool) (string, error) {
	v, ok := p.str("verb")
	if !ok || v == "" {
		if required {
			return "", errMissing("verb")
		}
		return "", nil
	}
	v = strings.ToUpper(v)
	if !verbs[v] {
		return "", &apiError{Status: http.StatusBadRequest, Code: codeInputError,
			Message: "Invalid verb: want GET, POST, PUT, PATCH, DELETE or HEAD.", Payload: map[string]string{"param": "verb"}}
	}
	return v, nil
}

func endpointTaken(list []*object, verb, name string, except *object) bool {
	for _, e := range list {
		if e != except && e.Verb == verb && e.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) createEndpoint(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	verb, err := verbParam(p, true)
	if err != nil {
		return err
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, g, err := s.apiGroupOf(c, ws)
		if err != nil {
			return nil, err
		}
		if err := editableList(b, "query"); err != nil {
			return nil, err
		}
		if endpointTaken(endpointsOf(b, g), verb, name, nil) {
			return nil, errBadRequest("duplicate record")
		}
		now := s.now()
		e := newEndpoint(st.newID(), nextPID(b.Queries), randomGUID(), g, verb, name, now)
		e.setRest("description", "")
		setFields(e, p, []string{"description", "docs"}, nil)
		b.Queries = append(b.Queries, e)
		b.UpdatedAt = now
		return endpointJSON(b, g, e), nil
	})
}

// updateEndpoint answers {} as the OpenAPI file says.
func (s *Server) updateEndpoint(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	verb, err := verbParam(p, false)
	if err != nil {
		return err
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, g, e, err := s.endpointOf(c, ws)
		if err != nil {
			return nil, err
		}
		nv, nn := e.Verb, e.Name
		if verb != "" {
			nv = verb
		}
		if name, _ := p.str("name"); name != "" {
			nn = name
		}
		if endpointTaken(endpointsOf(b, g), nv, nn, e) {
			return nil, errBadRequest("duplicate record")
		}
		e.Verb, e.Name = nv, nn
		setFields(e, p, []string{"description", "docs"}, nil)
		e.UpdatedAt, b.UpdatedAt = s.now(), s.now()
		return map[string]any{}, nil
	})
}

func (s *Server) deleteEndpoint(c *call) error {
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, _, e, err := s.endpointOf(c, ws)
		if err != nil {
			return nil, err
		}
		removeObject(&b.Queries, e)
		b.UpdatedAt = s.now()
		return map[string]any{}, nil
	})
}

// ---- tasks ----

func (s *Server) listTasks(c *call) error {
	b, err := queryBranch(c)
	if err != nil {
		return err
	}
	return writePage(c, b.Tasks, func(t *object) map[string]any { return taskJSON(b, t) })
}

func (s *Server) taskOf(c *call, ws *workspace) (*branch, *object, error) {
	tid, err := pathID(c.r, "task_id")
	if err != nil {
		return nil, nil, err
	}
	b, t := findObject(ws, "task", tid)
	if t == nil {
		return nil, nil, errNoTask
	}
	return b, t, nil
}

func (s *Server) getTask(c *call) error {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	b, t, err := s.taskOf(c, ws)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, taskJSON(b, t))
	return nil
}

func (s *Server) createTask(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	label, _ := p.str("branch")
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b := branchOf(ws, label)
		if b == nil {
			return nil, errNoBranch
		}
		if err := editableList(b, "task"); err != nil {
			return nil, err
		}
		if nameTaken(b.Tasks, name, nil) {
			return nil, errBadRequest("duplicate record")
		}
		now := s.now()
		t := newTask(st.newID(), nextPID(b.Tasks), randomGUID(), name, now)
		t.setRest("description", "")
		t.setRest("active", false)
		setFields(t, p, []string{"description", "docs", "datasource"}, []string{"active"})
		b.Tasks = append(b.Tasks, t)
		b.UpdatedAt = now
		return taskJSON(b, t), nil
	})
}

func (s *Server) updateTask(c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, t, err := s.taskOf(c, ws)
		if err != nil {
			return nil, err
		}
		if name, _ := p.str("name"); name != "" && name != t.Name {
			if nameTaken(b.Tasks, name, t) {
				return nil, errBadRequest("duplicate record")
			}
			t.Name = name
		}
		setFields(t, p, []string{"description", "docs", "datasource"}, []string{"active"})
		t.UpdatedAt, b.UpdatedAt = s.now(), s.now()
		return taskJSON(b, t), nil
	})
}

func (s *Server) deleteTask(c *call) error {
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, t, err := s.taskOf(c, ws)
		if err != nil {
			return nil, err
		}
		removeObject(&b.Tasks, t)
		b.UpdatedAt = s.now()
		return map[string]any{}, nil
	})
}
