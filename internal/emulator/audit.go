package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The workspace audit log (GET /workspace/{workspace_id}/audit_log).
//
// Recorded on a live instance (xano audit-log list): a row is
// {"id","created_at":"2026-01-11 21:14:37+0000","type":"function:delete","msg":"Function deleted: ...",
// "label":["function"],"user":{"id","email"},"workspace":{"id","name"},"branch":{"id","label"}}.
// Seen in client code (the official CLI, xano-sdk): the route, its page and per_page parameters,
// rows newest first, and an answer that is a bare array or wraps the rows in "items".
//
// Inferred (neither recorded nor documented):
//   - The answer is the paged shape of the other lists, {itemsReceived, curPage, nextPage,
//     prevPage, offset, items}; per_page defaults to 50 and is at most 1000; include_data is
//     accepted and changes nothing (rows carry no "data").
//   - What is recorded: every change made through the API, by the token's user: function, API
//     group, API (endpoint) and task creates, updates and deletes (type "<kind>:<action>",
//     kinds "function", "apigroup", "api", "task"; msg "<Noun> <action>d: <name>", an
//     endpoint's name being "<VERB> <path>"), table creates ("table:create"), branch creates,
//     updates, deletes and set-live ("branch:create", "branch:update", "branch:delete",
//     "branch:live"), and imports ("workspace:import_schema", "workspace:import"). Reads and
//     exports are not recorded.
//   - "branch" names the branch changed ({id, label}); the recorded row's {"id":0,"label":null}
//     is written for changes that are not on a branch (tables, full imports).
//   - The log keeps the newest maxAuditEntries rows of each workspace; a full import keeps it.
//   - It needs the read scope, as the other reads do.

// maxAuditEntries bounds a workspace's audit log (the oldest rows are dropped).
const maxAuditEntries = 5000

// maxAuditPerPage bounds per_page of the audit log.
const maxAuditPerPage = 1000

// auditEntry is one row of a workspace's audit log.
type auditEntry struct {
	ID          int64     `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	Type        string    `json:"type"`
	Msg         string    `json:"msg"`
	Label       string    `json:"label"`
	UserID      int64     `json:"user_id"`
	UserEmail   string    `json:"user_email"`
	BranchID    int64     `json:"branch_id,omitempty"`
	BranchLabel string    `json:"branch_label,omitempty"`
}

// audit records a change made by the call's user in workspace ws (on branch b, nil when the
// change is not on a branch). It runs inside a mutation, on the state being changed.
func (c *call) audit(st *state, ws *workspace, b *branch, typ, msg string) {
	label, _, _ := strings.Cut(typ, ":")
	e := auditEntry{
		ID: st.newAuditID(), CreatedAt: c.s.now(), Type: typ, Msg: msg, Label: label,
		UserID: c.tok.userID, UserEmail: c.tok.email,
	}
	if b != nil {
		e.BranchID, e.BranchLabel = b.ID, b.Label
	}
	// Never append in place: the published state may share the array.
	keep := ws.Audit
	if len(keep) >= maxAuditEntries {
		keep = keep[len(keep)-maxAuditEntries+1:]
	}
	ws.Audit = append(append(make([]auditEntry, 0, len(keep)+1), keep...), e)
}

func (st *state) newAuditID() int64 {
	st.NextAuditID++
	return st.NextAuditID
}

// auditJSON is a row as the route answers it, in the recorded member order.
func auditJSON(ws *workspace, e auditEntry) ordered {
	var branch ordered
	if e.BranchLabel == "" {
		branch = ordered{{"id", 0}, {"label", nil}}
	} else {
		branch = ordered{{"id", e.BranchID}, {"label", e.BranchLabel}}
	}
	return ordered{
		{"id", e.ID}, {"created_at", formatTime(e.CreatedAt)}, {"type", e.Type}, {"msg", e.Msg},
		{"label", []string{e.Label}},
		{"user", ordered{{"id", e.UserID}, {"email", e.UserEmail}}},
		{"workspace", ordered{{"id", ws.ID}, {"name", ws.Name}}},
		{"branch", branch},
	}
}

// listAuditLog answers one page of the workspace's audit log, newest first.
func (s *Server) listAuditLog(c *call) error {
	ws := c.st.workspace(c.wsID)
	if ws == nil {
		return errNoWorkspace
	}
	q := c.r.URL.Query()
	num := func(name string, def, maxVal int) (int, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxVal {
			return 0, &apiError{Status: http.StatusBadRequest, Code: codeInputError,
				Message: "Value is not properly formed.", Payload: map[string]string{"param": name}}
		}
		return n, nil
	}
	page, err := num("page", 1, 1<<30)
	if err != nil {
		return err
	}
	perPage, err := num("per_page", defaultPerPage, maxAuditPerPage)
	if err != nil {
		return err
	}
	n := len(ws.Audit)
	offset := (page - 1) * perPage
	items := []ordered{}
	for i := offset; i < min(n, offset+perPage); i++ {
		items = append(items, auditJSON(ws, ws.Audit[n-1-i]))
	}
	var next, prev any
	if offset+perPage < n {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	writeJSON(c.w, http.StatusOK, ordered{
		{"itemsReceived", len(items)}, {"curPage", page}, {"nextPage", next}, {"prevPage", prev},
		{"offset", offset}, {"items", items},
	})
	return nil
}
