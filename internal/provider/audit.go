package provider

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Who changed a drifted branch, from the workspace's audit log.
//
// When a refresh finds that a branch drifted, Read reads the workspace's audit log
// (GET /workspace/{id}/audit_log), newest first, and keeps for each changed object the last
// entries that touched it (user email, time, type). It reads at most auditMaxPages pages of
// auditPerPage rows, and stops at the first row older than the branch's creation (the import
// that made it: older changes were made to another branch) or when every object has its
// entries. What it found is kept in private state (driftAuditKey), where the plan reads it: the
// drift warning names the users and changes.changed_by holds them, so a saved plan shows them
// too. The plan itself makes no request, so apply re-plans to the same value.
//
// When the token may not read the log (403), the route is missing (404) or the read fails, a
// refresh warns once per workspace (the provider remembers it for the rest of the run and asks
// no more) and the plan goes on: changes.changed_by_note says why nobody is named.
//
// How a row is matched to an object (inferred: only one row shape is recorded): the row's type
// (before ":", or its label) names the object's kind ("function", "task", "apigroup"/"app" for an
// api group, "api"/"query"/"endpoint" for an endpoint, "table"/"dbo", ... ), the text of its msg
// after ": " is the object's name (an endpoint's "<VERB> <path>" or its path), and its branch is
// the drifted branch when the row names one.

const (
	auditPerPage      = 100
	auditMaxPages     = 5
	auditPerObject    = 3
	auditSinceMargin  = time.Minute // clocks of the import answer and the log may differ a little
	driftAuditKey     = "drift_audit"
	auditEntryLayout  = "2006-01-02 15:04:05-0700"
	maxAuditedObjects = 100
)

// driftAudit is what the audit log says of a drift: for each object key, its last entries (at
// most auditPerObject, newest first), and why nobody is named when the log was not read.
type driftAudit struct {
	Lines map[string][]string `json:"lines,omitempty"`
	Note  string              `json:"note,omitempty"`
}

// auditNotes remembers, per provider run, the workspaces whose audit log could not be read (and
// why), so that the log is asked, and the warning given, once.
type auditNotes struct {
	mu    sync.Mutex
	notes map[int64]string
}

func (n *auditNotes) get(ws int64) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	note, ok := n.notes[ws]
	return note, ok
}

func (n *auditNotes) set(ws int64, note string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.notes == nil {
		n.notes = map[int64]string{}
	}
	n.notes[ws] = note
}

// auditKinds are the words an audit row's type may use for the objects of a key kind; a kind
// not listed is its own word.
var auditKinds = map[string][]string{
	"table":      {"table", "dbo", "database"},
	"api_group":  {"apigroup", "api_group", "app"},
	"endpoint":   {"api", "query", "endpoint"},
	"mcp_server": {"mcp_server", "toolset"},
	"agent":      {"agent", "toolset"},
	"message":    {"message", "channel"},
}

// auditTouches reports whether row e is about the object of key parts p on branch label.
func auditTouches(e xano.AuditEntry, p archive.KeyParts, label string) bool {
	if e.Branch.Label != "" && e.Branch.Label != label {
		return false
	}
	kind, _, _ := strings.Cut(strings.ToLower(e.Type), ":")
	if kind == "" && len(e.Label) > 0 {
		kind = strings.ToLower(e.Label[0])
	}
	words, ok := auditKinds[p.Kind]
	if !ok {
		words = []string{p.Kind}
	}
	found := false
	for _, w := range words {
		found = found || w == kind
	}
	if !found || p.Name == "" {
		return false
	}
	_, subject, ok := strings.Cut(e.Msg, ": ")
	if !ok {
		return false
	}
	subject = strings.TrimSpace(subject)
	if subject == p.Name {
		return true
	}
	return p.Verb != "" && strings.EqualFold(subject, p.Verb+" "+p.Name)
}

// auditLine says who made row e and when.
func auditLine(e xano.AuditEntry) string {
	who := e.User.Email
	if who == "" {
		who = fmt.Sprintf("user %d", e.User.ID)
	}
	when := e.CreatedAt
	if !e.Time.IsZero() {
		when = e.Time.UTC().Format(auditEntryLayout)
	}
	return fmt.Sprintf("%s at %s (%s)", who, when, e.Type)
}

// whoChanged reads the audit log of workspace ws for the objects keys of branch label, changed
// since since (zero: no bound but the pages). It never fails: a log that cannot be read is a
// note (and, the first time in this run for the workspace, a warning).
func (d *providerData) whoChanged(ctx context.Context, client *xano.Client, ws int64, label string, keys []string, since time.Time) (driftAudit, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := driftAudit{Lines: map[string][]string{}}
	if len(keys) == 0 {
		return out, diags
	}
	if note, ok := d.notes().get(ws); ok {
		return driftAudit{Note: note}, diags
	}
	if len(keys) > maxAuditedObjects {
		keys = keys[:maxAuditedObjects]
	}
	parts := make(map[string]archive.KeyParts, len(keys))
	for _, k := range keys {
		parts[k] = archive.ParseKey(k)
	}
	if !since.IsZero() {
		since = since.Add(-auditSinceMargin)
	}
	pending := len(keys)
	for page := 1; page <= auditMaxPages && pending > 0; page++ {
		p, err := client.AuditLog(ctx, ws, page, auditPerPage)
		if err != nil {
			note := auditFailure(err)
			d.notes().set(ws, note)
			diags.AddWarning(fmt.Sprintf("Who changed workspace %d is not known", ws),
				fmt.Sprintf("The drift is explained without naming who made the changes: %s. The plan goes on; "+
					"this is said once for the workspace.", note))
			return driftAudit{Note: note}, diags
		}
		older := false
		for _, e := range p.Items {
			if !since.IsZero() && !e.Time.IsZero() && e.Time.Before(since) {
				older = true
				break
			}
			for _, k := range keys {
				if len(out.Lines[k]) < auditPerObject && auditTouches(e, parts[k], label) {
					out.Lines[k] = append(out.Lines[k], auditLine(e))
					if len(out.Lines[k]) == auditPerObject {
						pending--
					}
				}
			}
		}
		if older || !p.More {
			break
		}
	}
	tflog.Debug(ctx, "Read the audit log for a drift", map[string]any{"objects": len(keys), "named": len(out.Lines)})
	return out, diags
}

// auditFailure says in words why the audit log could not be read.
func auditFailure(err error) string {
	switch {
	case xano.IsAccessDenied(err):
		return "the token may not read the workspace's audit log (403)"
	case xano.IsNotFound(err):
		return "this instance has no audit log route (404)"
	}
	return "reading the workspace's audit log failed: " + err.Error()
}

// notes returns the provider's audit notes (a fresh set when d is nil, as in unit tests).
func (d *providerData) notes() *auditNotes {
	if d == nil {
		return &auditNotes{}
	}
	return &d.audit
}

// driftKeys are the objects that differ between the baseline and what a refresh observed.
func driftKeys(baseline, now map[string]string) []string {
	if baseline == nil || now == nil {
		return nil
	}
	e := archive.Explain(baseline, now, nil, nil)
	keys := append(append(append([]string(nil), e.Removed...), e.Changed...), e.Added...)
	return keys
}

func setDriftAudit(ctx context.Context, p privateData, a *driftAudit) diag.Diagnostics {
	if a == nil {
		return setPrivateJSON(ctx, p, driftAuditKey, nil, "")
	}
	return setPrivateJSON(ctx, p, driftAuditKey, a, "what the audit log said")
}

// getDriftAudit returns what the last refresh read of the audit log, nil when it read nothing.
func getDriftAudit(ctx context.Context, p privateData) (*driftAudit, diag.Diagnostics) {
	var a driftAudit
	ok, diags := getPrivateJSON(ctx, p, driftAuditKey, &a)
	if !ok {
		return nil, diags
	}
	return &a, diags
}

// auditText is the part of a drift warning that names who changed what.
func auditText(a *driftAudit) string {
	switch {
	case a == nil:
		return ""
	case a.Note != "":
		return "\n\nWho made these changes is not known: " + a.Note + "."
	case len(a.Lines) == 0:
		return "\n\nThe workspace's audit log names none of these objects since the branch was imported."
	}
	keys := make([]string, 0, len(a.Lines))
	for k := range a.Lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("\n\nLast changed, from the workspace's audit log:")
	for _, k := range keys {
		b.WriteString("\n  " + k + ":")
		for _, l := range a.Lines[k] {
			b.WriteString("\n      " + l)
		}
	}
	return b.String()
}

// withAudit sets changes.changed_by and changed_by_note from what the last refresh read of the
// audit log (nothing when it read nothing, or when changes is not known).
func withAudit(changes types.Object, a *driftAudit) types.Object {
	if a == nil || !isKnown(changes) {
		return changes
	}
	attrs := maps.Clone(changes.Attributes())
	if a.Note != "" {
		attrs["changed_by"] = types.MapValueMust(types.ListType{ElemType: types.StringType}, map[string]attr.Value{})
		attrs["changed_by_note"] = types.StringValue(a.Note)
	} else {
		by := make(map[string]attr.Value, len(a.Lines))
		for k, lines := range a.Lines {
			elems := make([]attr.Value, 0, len(lines))
			for _, l := range lines {
				elems = append(elems, types.StringValue(l))
			}
			by[k] = types.ListValueMust(types.StringType, elems)
		}
		attrs["changed_by"] = types.MapValueMust(types.ListType{ElemType: types.StringType}, by)
		attrs["changed_by_note"] = types.StringNull()
	}
	return types.ObjectValueMust(changesAttrTypes, attrs)
}
