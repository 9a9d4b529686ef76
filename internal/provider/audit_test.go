package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

func TestAuditTouches(t *testing.T) {
	row := func(typ, msg, branch string) xano.AuditEntry {
		var e xano.AuditEntry
		e.Type, e.Msg, e.Branch.Label = typ, msg, branch
		return e
	}
	for _, c := range []struct {
		e     xano.AuditEntry
		key   string
		touch bool
	}{
		{row("function:delete", "Function deleted: hotfix", ""), "function/hotfix", true},
		{row("function:update", "Function updated: hotfix", "release_1"), "function/hotfix", true},
		{row("function:update", "Function updated: hotfix", "v1"), "function/hotfix", false}, // another branch
		{row("function:update", "Function updated: hotfix_2", ""), "function/hotfix", false}, // another name
		{row("task:update", "Task updated: hotfix", ""), "function/hotfix", false},           // another kind
		{row("api:update", "API updated: GET users/{id}", ""), "endpoint/public/GET users/{id}", true},
		{row("query:create", "API created: get users", ""), "endpoint/public/GET users", true},
		{row("apigroup:create", "API group created: public", ""), "api_group/public", true},
		{row("table:create", "Table created: user", ""), "table/user", true},
		{row("dbo:update", "Table updated: user", ""), "table/user (dbo #2)", true},
		{row("function:update", "no subject", ""), "function/hotfix", false},
	} {
		if got := auditTouches(c.e, archive.ParseKey(c.key), "release_1"); got != c.touch {
			t.Errorf("auditTouches(%+v, %q) = %v", c.e, c.key, got)
		}
	}
}

// The audit log is read newest first, a bounded number of pages, and no further back than the
// branch's creation; a log that cannot be read is said once per workspace and run, and asked once.
func TestWhoChangedBounds(t *testing.T) {
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 2, "release_1", "")
	for i := range 150 {
		inst.AddFunction(t, 2, "release_1", fmt.Sprintf("f%03d", i), "return 1")
	}
	// Requests are counted as the client sends them (the emulator's request log is written after
	// its answer, so it may lag the client).
	counter := &countingTransport{base: http.DefaultTransport}
	client, err := xano.New(xano.Config{BaseURL: inst.URL, Token: inst.Token, MaxRetries: -1,
		HTTPClient: &http.Client{Transport: counter}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reads := func() int {
		t.Helper()
		return int(counter.n.Swap(0))
	}
	d := &providerData{}

	// f000 is the 150th newest row: on page 2.
	a, diags := d.whoChanged(ctx, client, 2, "release_1", []string{"function/f000", "function/f149"}, time.Time{})
	if diags.HasError() || a.Note != "" || len(a.Lines["function/f000"]) != 1 || len(a.Lines["function/f149"]) != 1 ||
		!strings.HasPrefix(a.Lines["function/f000"][0], "admin@xano-emulator.local at ") ||
		!strings.HasSuffix(a.Lines["function/f000"][0], " (function:create)") {
		t.Fatalf("whoChanged: %+v %v", a, diags)
	}
	if n := reads(); n != 2 {
		t.Fatalf("%d pages read, want 2", n)
	}
	// Nothing since the branch's creation (here: the future): one page, nobody named.
	a, _ = d.whoChanged(ctx, client, 2, "release_1", []string{"function/f000"}, time.Now().Add(time.Hour))
	if len(a.Lines) != 0 || a.Note != "" {
		t.Fatalf("since: %+v", a)
	}
	if n := reads(); n != 1 {
		t.Fatalf("%d pages read past the branch's creation, want 1", n)
	}
	// An object the log does not name: at most auditMaxPages pages.
	for range 400 {
		inst.AddFunction(t, 2, "release_1", "busy", "return 2")
	}
	a, _ = d.whoChanged(ctx, client, 2, "release_1", []string{"function/never"}, time.Time{})
	if len(a.Lines) != 0 || a.Note != "" {
		t.Fatalf("unnamed: %+v", a)
	}
	if n := reads(); n != auditMaxPages {
		t.Fatalf("%d pages read, want %d", n, auditMaxPages)
	}
	// A token that may not read the log: one warning, one request, in the run.
	if err := inst.Control.AddFault(ctx, emulator.Fault{Path: "/workspace/2/audit_log", Status: http.StatusForbidden,
		Code: "ERROR_CODE_ACCESS_DENIED", Message: "Access Denied.", Count: 100}); err != nil {
		t.Fatal(err)
	}
	want := "the token may not read the workspace's audit log (403)"
	a, diags = d.whoChanged(ctx, client, 2, "release_1", []string{"function/f000"}, time.Time{})
	if a.Note != want || diags.WarningsCount() != 1 || diags.HasError() {
		t.Fatalf("403: %+v %v", a, diags)
	}
	a, diags = d.whoChanged(ctx, client, 2, "release_1", []string{"function/f001"}, time.Time{})
	if a.Note != want || len(diags) != 0 {
		t.Fatalf("403 again: %+v %v", a, diags)
	}
	if n := reads(); n != 1 {
		t.Fatalf("%d requests for an unreadable log, want 1", n)
	}
}

// countingTransport counts the audit log requests it sends.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/audit_log") {
		c.n.Add(1)
	}
	return c.base.RoundTrip(r)
}
