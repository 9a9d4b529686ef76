package emulator_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// auditPage is a page of GET /workspace/{id}/audit_log.
type auditPage struct {
	ItemsReceived int               `json:"itemsReceived"`
	CurPage       int               `json:"curPage"`
	NextPage      *int              `json:"nextPage"`
	Items         []json.RawMessage `json:"items"`
}

func auditLog(t *testing.T, in *emulatortest.Instance, query string) auditPage {
	t.Helper()
	resp, data := call(t, in, http.MethodGet, "/api:meta/workspace/1/audit_log"+query, "alice-token", nil, "")
	wantOK(t, resp.StatusCode, data)
	var p auditPage
	decodeJSON(t, data, &p)
	return p
}

// Every change made through the API is recorded, newest first, by the token's user, in the
// recorded row shape (member order included).
func TestAuditLogRecordsChangesByUser(t *testing.T) {
	fx := emulator.DemoFixture()
	fx.Tokens = append(fx.Tokens, emulator.FixtureToken{Token: "alice-token", Scopes: []string{"write"},
		UserID: 2273, Email: "alice@example.com"})
	in := emulatortest.Start(t, fx)
	in.CreateBranch(t, 1, "dev", "")
	body := strings.NewReader(`{"name":"hotfix","body":"return 1","branch":"dev"}`)
	resp, data := call(t, in, http.MethodPost, "/api:meta/workspace/1/function", "alice-token", body, "application/json")
	wantOK(t, resp.StatusCode, data)

	p := auditLog(t, in, "")
	if p.ItemsReceived != 2 || len(p.Items) != 2 || p.NextPage != nil {
		t.Fatalf("page: %+v", p)
	}
	row := regexp.MustCompile(`^\{"id":\d+,"created_at":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000","type":"function:create",` +
		`"msg":"Function created: hotfix","label":\["function"\],"user":\{"id":2273,"email":"alice@example.com"\},` +
		`"workspace":\{"id":1,"name":"staging"\},"branch":\{"id":\d+,"label":"dev"\}\}$`)
	if !row.Match(p.Items[0]) {
		t.Fatalf("newest row: %s", p.Items[0])
	}
	if !strings.Contains(string(p.Items[1]), `"type":"branch:create"`) ||
		!strings.Contains(string(p.Items[1]), `"email":"admin@xano-emulator.local"`) {
		t.Fatalf("oldest row: %s", p.Items[1])
	}
	// Paged: one row per page, the next page named.
	p = auditLog(t, in, "?page=1&per_page=1")
	if len(p.Items) != 1 || p.NextPage == nil || *p.NextPage != 2 {
		t.Fatalf("page 1 of 1 row: %+v", p)
	}
	p = auditLog(t, in, "?page=3&per_page=1")
	if len(p.Items) != 0 || p.NextPage != nil {
		t.Fatalf("past the end: %+v", p)
	}
	resp, data = call(t, in, http.MethodGet, "/api:meta/workspace/1/audit_log?per_page=0", "alice-token", nil, "")
	wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	// Reads are not recorded.
	in.Export(t, 1, "dev", false)
	if p = auditLog(t, in, ""); len(p.Items) != 2 {
		t.Fatalf("a read was recorded: %d rows", len(p.Items))
	}
	// A token bound to another workspace may not read it.
	fx2 := emulator.DemoFixture()
	fx2.Tokens = append(fx2.Tokens, emulator.FixtureToken{Token: "other", Scopes: []string{"read"}, WorkspaceID: 2})
	in2 := emulatortest.Start(t, fx2)
	resp, data = call(t, in2, http.MethodGet, "/api:meta/workspace/1/audit_log", "other", nil, "")
	wantError(t, resp.StatusCode, data, 403, "ERROR_CODE_ACCESS_DENIED", "")
}
