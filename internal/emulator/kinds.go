package emulator

import (
	"net/http"
	"strings"
	"time"
)

// objectKind is one kind of branch object the routes change out of band (as a person in the Xano
// UI would): functions, API groups, their endpoints and tasks. The routes of every kind are the
// same five (list, get, create, update, delete, see kindRoutes), served by the generic handlers
// below from this description.
type objectKind struct {
	list    string      // the export's payload list ("function", "app", "query", "task")
	route   string      // the path below /workspace/{workspace_id}
	idParam string      // the wildcard of the object's id
	parent  *objectKind // an endpoint's API group; nil: the object lives on a branch
	// strs and bools are the inputs create and update copy into the object (tag always).
	strs, bools []string
	// editable are the payload lists that must not be kept verbatim (see editableList) for a
	// create, and for a delete.
	editableCreate, editableDelete string
	// check validates a create's or an update's inputs before anything is looked up; it
	// returns the verb of an endpoint ("" for the other kinds).
	check func(p params, create bool) (string, error)
	// make builds a new object (ids given) with the kind's defaults.
	make func(id, pid int64, guid, name, verb string, parent *object, now time.Time) *object
	// taken reports whether the name (and verb) is already used by another object among
	// siblings; replaceOnCreate makes a create with a used name update that object instead.
	taken           func(siblings []*object, name, verb string, except *object) bool
	replaceOnCreate bool
	// answer is the object's JSON; emptyUpdate answers {} to an update (the OpenAPI file's
	// endpoint update).
	answer      func(b *branch, parent, o *object) map[string]any
	emptyUpdate bool
	// auditType and auditNoun name the kind in the audit log: type "<auditType>:create",
	// msg "<auditNoun> created: <name>" (audit.go).
	auditType, auditNoun string
}

// auditName is how the audit log names o: its name, an endpoint's "<VERB> <name>".
func (k *objectKind) auditName(o *object) string {
	if k == endpointKind && o.Verb != "" {
		return strings.ToUpper(o.Verb) + " " + o.Name
	}
	return o.Name
}

// audit records an action on o in the audit log.
func (k *objectKind) audit(c *call, st *state, ws *workspace, b *branch, o *object, action string) {
	c.audit(st, ws, b, k.auditType+":"+action, k.auditNoun+" "+action+"d: "+k.auditName(o))
}

var (
	functionKind = &objectKind{
		list: "function", route: "function", idParam: "function_id",
		strs: []string{"description", "docs"},
		check: func(p params, create bool) (string, error) {
			if create {
				return "", nil
			}
			_, hasBody := p.str("body")
			_, hasName := p.str("name")
			_, hasDesc := p.str("description")
			if !hasBody && !hasName && !hasDesc {
				return "", errMissing("body")
			}
			return "", nil
		},
		make: func(id, pid int64, guid, name, _ string, _ *object, now time.Time) *object {
			f := &function{ID: id, PID: pid, GUID: guid, Name: name, CreatedAt: now}
			f.setRest("branch", branchRef)
			return f
		},
		taken:     nameOnly,
		auditType: "function", auditNoun: "Function",
		replaceOnCreate: true, // how a person's edit of a function is replayed
		answer:          func(b *branch, _, f *object) map[string]any { return functionJSON(b, f) },
	}
	apiGroupKind = &objectKind{
		list: "app", route: "apigroup", idParam: "apigroup_id",
		strs: []string{"description", "docs"}, bools: []string{"swagger"},
		editableCreate: "app", editableDelete: "query",
		make: func(id, pid int64, guid, name, _ string, _ *object, now time.Time) *object {
			g := newAPIGroup(id, pid, guid, name, now)
			g.setRest("description", "")
			return g
		},
		taken:     nameOnly,
		auditType: "apigroup", auditNoun: "API group",
		answer: func(b *branch, _, g *object) map[string]any { return apiGroupJSON(b, g) },
	}
	endpointKind = &objectKind{
		list: "query", route: "apigroup/{apigroup_id}/api", idParam: "api_id", parent: apiGroupKind,
		strs:           []string{"description", "docs"},
		editableCreate: "query",
		check:          func(p params, create bool) (string, error) { return verbParam(p, create) },
		make: func(id, pid int64, guid, name, verb string, g *object, now time.Time) *object {
			e := newEndpoint(id, pid, guid, g, verb, name, now)
			e.setRest("description", "")
			return e
		},
		taken:     endpointTaken,
		auditType: "api", auditNoun: "API",
		answer:      func(b *branch, g, e *object) map[string]any { return endpointJSON(b, g, e) },
		emptyUpdate: true,
	}
	taskKind = &objectKind{
		list: "task", route: "task", idParam: "task_id",
		strs: []string{"description", "docs", "datasource"}, bools: []string{"active"},
		editableCreate: "task",
		make: func(id, pid int64, guid, name, _ string, _ *object, now time.Time) *object {
			t := newTask(id, pid, guid, name, now)
			t.setRest("description", "")
			t.setRest("active", false)
			return t
		},
		taken:     nameOnly,
		auditType: "task", auditNoun: "Task",
		answer: func(b *branch, _, t *object) map[string]any { return taskJSON(b, t) },
	}
)

// objectKindTable lists the kinds in route order.
var objectKindTable = []*objectKind{functionKind, apiGroupKind, endpointKind, taskKind}

func nameOnly(siblings []*object, name, _ string, except *object) bool {
	return nameTaken(siblings, name, except)
}

// kindRoutes are the five routes of every object kind.
func kindRoutes() []metaRoute {
	var out []metaRoute
	for _, k := range objectKindTable {
		base := "/workspace/{workspace_id}/" + k.route
		one := base + "/{" + k.idParam + "}"
		out = append(out,
			metaRoute{"GET " + base, false, k.listObjects},
			metaRoute{"POST " + base, true, k.createObject},
			metaRoute{"GET " + one, false, k.getObject},
			metaRoute{"PUT " + one, true, k.updateObject},
			metaRoute{"DELETE " + one, true, k.deleteObject},
		)
	}
	return out
}

// siblings are the objects of the kind on b (under parent for an endpoint).
func (k *objectKind) siblings(b *branch, parent *object) []*object {
	if k.parent != nil {
		return endpointsOf(b, parent)
	}
	return *b.objects(k.list)
}

// lookupParent finds the parent named by the route (nil, nil for a kind without one).
func (k *objectKind) lookupParent(c *call, ws *workspace) (*branch, *object, error) {
	if k.parent == nil {
		return nil, nil, nil
	}
	b, _, p, err := k.parent.lookup(c, ws) // the parent's own lookup: p is the object
	return b, p, err
}

// lookup finds the object named by the route, with its branch and parent.
func (k *objectKind) lookup(c *call, ws *workspace) (b *branch, parent, o *object, err error) {
	if k.parent != nil {
		if b, parent, err = k.lookupParent(c, ws); err != nil {
			return nil, nil, nil, err
		}
	}
	id, err := pathID(c.r, k.idParam)
	if err != nil {
		return nil, nil, nil, err
	}
	if k.parent != nil {
		for _, x := range k.siblings(b, parent) {
			if x.ID == id {
				return b, parent, x, nil
			}
		}
		return nil, nil, nil, errMissingObject
	}
	if b, o = findObject(ws, k.list, id); o == nil {
		return nil, nil, nil, errMissingObject
	}
	return b, nil, o, nil
}

// workspaceOf is the call's workspace in st.
func workspaceOf(c *call, st *state) (*workspace, error) {
	ws := st.workspace(c.wsID)
	if ws == nil {
		return nil, errNoWorkspace
	}
	return ws, nil
}

func (k *objectKind) listObjects(_ *Server, c *call) error {
	var b *branch
	var parent *object
	var err error
	if k.parent == nil {
		b, err = queryBranch(c)
	} else {
		var ws *workspace
		if ws, err = workspaceOf(c, c.st); err == nil {
			b, parent, err = k.lookupParent(c, ws)
		}
	}
	if err != nil {
		return err
	}
	return writePage(c, k.siblings(b, parent), func(o *object) map[string]any { return k.answer(b, parent, o) })
}

func (k *objectKind) getObject(_ *Server, c *call) error {
	ws, err := workspaceOf(c, c.st)
	if err != nil {
		return err
	}
	b, parent, o, err := k.lookup(c, ws)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, k.answer(b, parent, o))
	return nil
}

// mutateObject runs fn on the call's workspace in a mutation and answers what it returns.
func (s *Server) mutateObject(c *call, fn func(st *state, ws *workspace) (map[string]any, error)) error {
	var out map[string]any
	err := s.mutate(func(st *state) error {
		ws, err := workspaceOf(c, st)
		if err != nil {
			return err
		}
		out, err = fn(st, ws)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// createObject creates an object on a branch (the "branch" input, "" = live) or under its parent;
// for a kind with replaceOnCreate, an object of that name is updated instead.
func (k *objectKind) createObject(s *Server, c *call) error {
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	name, err := p.required("name")
	if err != nil {
		return err
	}
	verb := ""
	if k.check != nil {
		if verb, err = k.check(p, true); err != nil {
			return err
		}
	}
	label, _ := p.str("branch")
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, parent, err := k.lookupParent(c, ws)
		if err != nil {
			return nil, err
		}
		if k.parent == nil {
			if b = branchOf(ws, label); b == nil {
				return nil, errNoBranch
			}
		}
		if k.editableCreate != "" {
			if err := editableList(b, k.editableCreate); err != nil {
				return nil, err
			}
		}
		now := s.now()
		var o *object
		action := "create"
		if k.replaceOnCreate {
			for _, x := range k.siblings(b, parent) {
				if x.Name == name {
					o, action = x, "update"
				}
			}
		} else if k.taken(k.siblings(b, parent), name, verb, nil) {
			return nil, errBadRequest("duplicate record")
		}
		if o == nil {
			list := b.objects(k.list)
			o = k.make(st.newID(), nextPID(*list), randomGUID(), name, verb, parent, now)
			*list = append(*list, o)
		}
		if k == functionKind {
			o.Body, _ = p.str("body")
			o.NoBody = false
			o.UpdatedAt = now
		}
		setFields(o, p, k.strs, k.bools)
		b.UpdatedAt = now
		k.audit(c, st, ws, b, o, action)
		return k.answer(b, parent, o), nil
	})
}

// updateObject renames an object (refusing a name, or verb and name, already used) and sets the
// given inputs.
func (k *objectKind) updateObject(s *Server, c *call) error {
	if k == functionKind { // the function's id is checked before its body is read
		if _, err := pathID(c.r, k.idParam); err != nil {
			return err
		}
	}
	p, err := readParams(c.w, c.r)
	if err != nil {
		return err
	}
	verb := ""
	if k.check != nil {
		if verb, err = k.check(p, false); err != nil {
			return err
		}
	}
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, parent, o, err := k.lookup(c, ws)
		if err != nil {
			return nil, err
		}
		name, _ := p.str("name")
		if name == "" {
			name = o.Name
		}
		if verb == "" {
			verb = o.Verb
		}
		if (name != o.Name || verb != o.Verb) && k.taken(k.siblings(b, parent), name, verb, o) {
			return nil, errBadRequest("duplicate record")
		}
		o.Name, o.Verb = name, verb
		if body, ok := p.str("body"); ok && k == functionKind {
			o.Body, o.NoBody = body, false
		}
		setFields(o, p, k.strs, k.bools)
		o.UpdatedAt, b.UpdatedAt = s.now(), s.now()
		k.audit(c, st, ws, b, o, "update")
		if k.emptyUpdate {
			return map[string]any{}, nil
		}
		return k.answer(b, parent, o), nil
	})
}

// deleteObject deletes an object; an API group takes its endpoints with it.
func (k *objectKind) deleteObject(s *Server, c *call) error {
	return s.mutateObject(c, func(st *state, ws *workspace) (map[string]any, error) {
		b, _, o, err := k.lookup(c, ws)
		if err != nil {
			return nil, err
		}
		if k.editableDelete != "" {
			if err := editableList(b, k.editableDelete); err != nil {
				return nil, err
			}
		}
		removeObject(b.objects(k.list), o)
		if k == apiGroupKind {
			kept := b.Queries[:0:0]
			for _, e := range b.Queries {
				if e.App != o.pid() {
					kept = append(kept, e)
				}
			}
			b.Queries = kept
		}
		b.UpdatedAt = s.now()
		k.audit(c, st, ws, b, o, "delete")
		return map[string]any{}, nil
	})
}
