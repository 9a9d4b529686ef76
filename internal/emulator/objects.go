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

// ---- name rules ----

func nameTaken(list []*object, name string, except *object) bool {
	for _, o := range list {
		if o != except && o.Name == name {
			return true
		}
	}
	return false
}

func endpointsOf(b *branch, g *object) []*object {
	var out []*object
	for _, e := range b.Queries {
		if e.App == g.pid() {
			out = append(out, e)
		}
	}
	return out
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
