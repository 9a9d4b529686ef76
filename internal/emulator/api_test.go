package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

var timeZero = time.Unix(1_700_000_000, 0)

func tokenFixture() *emulator.Fixture {
	fx := emulator.DemoFixture()
	fx.Tokens = []emulator.FixtureToken{
		{Token: "read-all", Scopes: []string{"read"}},
		{Token: "write-all", Scopes: []string{"read", "write"}},
		{Token: "write-1", Scopes: []string{"read", "write"}, WorkspaceID: 1},
	}
	return fx
}

func TestAuthUnauthorized(t *testing.T) {
	in := emulatortest.Start(t, tokenFixture())
	for _, tok := range []string{"", "nope"} {
		resp, data := call(t, in, http.MethodGet, "/api:meta/workspace", tok, nil, "")
		wantError(t, resp.StatusCode, data, 401, "ERROR_CODE_UNAUTHORIZED", "Invalid token.")
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("content type %q", ct)
		}
	}
	// Not a bearer scheme.
	req, _ := http.NewRequest(http.MethodGet, in.URL+"/api:meta/auth/me", nil)
	req.Header.Set("Authorization", "Basic "+in.Token)
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("basic auth: %d", resp.StatusCode)
	}
}

func TestAuthScopesAndBinding(t *testing.T) {
	in := emulatortest.Start(t, tokenFixture())
	denied := func(tok, method, path string, body string) {
		t.Helper()
		resp, data := call(t, in, method, "/api:meta"+path, tok, strings.NewReader(body), "application/json")
		wantError(t, resp.StatusCode, data, 403, "ERROR_CODE_ACCESS_DENIED", "Access Denied.")
	}
	allowed := func(tok, method, path string, body string) []byte {
		t.Helper()
		resp, data := call(t, in, method, "/api:meta"+path, tok, strings.NewReader(body), "application/json")
		wantOK(t, resp.StatusCode, data)
		return data
	}
	// A read-only token reads everything, exports included, and writes nothing.
	allowed("read-all", "GET", "/workspace/1/branch", "")
	allowed("read-all", "GET", "/workspace/2", "")
	allowed("read-all", "POST", "/workspace/1/export-schema", "{}")
	allowed("read-all", "POST", "/workspace/1/export", `{"records":false}`)
	allowed("read-all", "GET", "/workspace/1/table", "")
	allowed("read-all", "GET", "/workspace/1/function", "")
	denied("read-all", "POST", "/workspace/1/branch", `{"label":"dev"}`)
	denied("read-all", "PUT", "/workspace/1/branch/v1", `{"description":"x"}`)
	denied("read-all", "DELETE", "/workspace/1/branch/v1", "")
	denied("read-all", "POST", "/workspace/1/branch/v1/live", "")
	denied("read-all", "POST", "/workspace/1/import-schema", "")
	denied("read-all", "POST", "/workspace/1/import", "")
	denied("read-all", "POST", "/workspace/1/table", `{"name":"t"}`)
	denied("read-all", "POST", "/workspace/1/function", `{"name":"f"}`)
	denied("read-all", "PUT", "/workspace/1/function/1", `{"body":"x"}`)
	if bs := in.Branches(t, 1); len(bs) != 1 {
		t.Fatalf("a denied write changed the branches: %v", bs)
	}

	// A write token writes.
	allowed("write-all", "POST", "/workspace/2/branch", `{"label":"dev"}`)

	// A bound token works on its workspace only, and lists only it.
	allowed("write-1", "POST", "/workspace/1/branch", `{"label":"dev"}`)
	denied("write-1", "GET", "/workspace/2", "")
	denied("write-1", "GET", "/workspace/2/branch", "")
	denied("write-1", "POST", "/workspace/2/export-schema", "{}")
	denied("write-1", "POST", "/workspace/2/branch", `{"label":"dev2"}`)
	denied("write-1", "GET", "/workspace/99", "") // no probing of other workspaces
	var ws []map[string]any
	decodeJSON(t, allowed("write-1", "GET", "/workspace", ""), &ws)
	if len(ws) != 1 || ws[0]["id"] != float64(1) {
		t.Fatalf("bound token lists %v", ws)
	}
	var me struct {
		ID     int64 `json:"id"`
		Extras struct {
			Instance struct {
				Membership struct {
					Workspace []struct {
						ID int64 `json:"id"`
					} `json:"workspace"`
				} `json:"membership"`
			} `json:"instance"`
		} `json:"extras"`
	}
	decodeJSON(t, allowed("write-1", "GET", "/auth/me", ""), &me)
	if me.ID == 0 || len(me.Extras.Instance.Membership.Workspace) != 1 {
		t.Fatalf("auth/me of a bound token: %+v", me)
	}
}

func TestPathsAndWorkspaces(t *testing.T) { underEachToggle(t, testPathsAndWorkspaces) }

func testPathsAndWorkspaces(t *testing.T, start startFunc) {
	in := start(t, nil)

	status, data := in.Do(t, "GET", "/workspace", nil)
	wantOK(t, status, data)
	var ws []struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Branch      string `json:"branch"`
	}
	if err := json.Unmarshal(data, &ws); err != nil {
		t.Fatalf("GET /workspace is not a bare array: %s", data)
	}
	if len(ws) != 2 || ws[0].ID != 1 || ws[0].Name != "staging" || ws[0].Branch != "v1" || ws[1].Name != "production" {
		t.Fatalf("workspaces: %+v", ws)
	}

	// The colon may be percent-encoded.
	resp, data := call(t, in, "GET", "/api%3Ameta/workspace/1", in.Token, nil, "")
	wantOK(t, resp.StatusCode, data)
	resp, data = call(t, in, "GET", "/api%3ameta/workspace/1/branch/v1", in.Token, nil, "")
	wantOK(t, resp.StatusCode, data)

	status, data = in.Do(t, "GET", "/workspace/abc", nil)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	status, data = in.Do(t, "GET", "/workspace/1.5/branch", nil)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	status, data = in.Do(t, "GET", "/workspace/99", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "GET", "/workspace/99/branch", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "GET", "/nothing/here", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "Unable to locate request.")

	// A label holding "/" travels as %2F.
	in.CreateBranch(t, 1, "feature/x", "")
	status, data = in.Do(t, "GET", "/workspace/1/branch/"+url.PathEscape("feature/x"), nil)
	wantOK(t, status, data)
	in.SetLive(t, 1, "feature/x")
	if got := in.LiveBranch(t, 1); got != "feature/x" {
		t.Fatalf("live %q", got)
	}
}

var createdAtRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0000$`)

func TestBranchCreate(t *testing.T) { underEachToggle(t, testBranchCreate) }

func testBranchCreate(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.AddFunction(t, 1, "v1", "only_on_v1", "return 1")

	status, data := in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "dev", "description": "d", "color": "#112233"})
	wantOK(t, status, data)
	var b struct {
		Label       string `json:"label"`
		Live        *bool  `json:"live"`
		Backup      *bool  `json:"backup"`
		CreatedAt   string `json:"created_at"`
		Description string `json:"description"`
		Color       string `json:"color"`
	}
	decodeJSON(t, data, &b)
	if b.Label != "dev" || b.Live == nil || *b.Live || b.Backup == nil || *b.Backup || b.Description != "d" || b.Color != "#112233" {
		t.Fatalf("created branch: %s", data)
	}
	if !createdAtRE.MatchString(b.CreatedAt) {
		t.Fatalf("created_at %q", b.CreatedAt)
	}
	// The clone holds the source's functions.
	if got, want := len(in.Functions(t, 1, "dev")), len(in.Functions(t, 1, "v1")); got != want || got != 3 {
		t.Fatalf("dev has %d functions, v1 %d", got, want)
	}

	// Clone of another source; its later changes do not leak into the clone.
	in.AddFunction(t, 1, "dev", "only_on_dev", "return 2")
	in.CreateBranch(t, 1, "dev2", "dev")
	if n := len(in.Functions(t, 1, "dev2")); n != 4 {
		t.Fatalf("dev2 has %d functions", n)
	}
	if n := len(in.Functions(t, 1, "v1")); n != 3 {
		t.Fatalf("v1 has %d functions", n)
	}

	// Multipart and urlencoded bodies are accepted.
	body, ct := multipartBody(t, map[string]string{"label": "mp"}, "", nil, false)
	resp, data := call(t, in, "POST", "/api:meta/workspace/1/branch", in.Token, body, ct)
	wantOK(t, resp.StatusCode, data)
	resp, data = call(t, in, "POST", "/api:meta/workspace/1/branch", in.Token, strings.NewReader("label=form&source_branch=dev"), "application/x-www-form-urlencoded")
	wantOK(t, resp.StatusCode, data)

	status, data = in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "dev"})
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	status, data = in.Do(t, "POST", "/workspace/1/branch", map[string]any{"description": "no label"})
	env := wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: label")
	if string(env.Payload) != `{"param":"label"}` {
		t.Fatalf("payload %s", env.Payload)
	}
	status, data = in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "x", "source_branch": "nope"})
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "POST", "/workspace/1/branch", "not an object")
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")

	if got := labels(in.Branches(t, 1)); got != "v1*,dev,dev2,mp,form" {
		t.Fatalf("branches in creation order: %s", got)
	}
	status, data = in.Do(t, "GET", "/workspace/1/branch/nope", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
}

func TestBranchV1Rules(t *testing.T) { underEachToggle(t, testBranchV1Rules) }

func testBranchV1Rules(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	for _, label := range []string{"v1", "V1"} {
		status, data := in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": label})
		wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "")
		status, data = in.Do(t, "PUT", "/workspace/1/branch/dev", map[string]any{"label": label})
		wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "")
		schema := in.Export(t, 1, "", false)
		status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": label}, "s.tar.gz", schema, true)
		wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "")
	}
	status, data := in.Do(t, "PUT", "/workspace/1/branch/v1", map[string]any{"label": "main"})
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "")
	// v1 can still get a description.
	status, data = in.Do(t, "PUT", "/workspace/1/branch/v1", map[string]any{"description": "root"})
	wantOK(t, status, data)

	in.SetLive(t, 1, "dev")
	status, data = in.Do(t, "DELETE", "/workspace/1/branch/v1", nil)
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "Cannot delete the default branch or currently live branch.")
	if got := labels(in.Branches(t, 1)); got != "v1,dev*" {
		t.Fatalf("branches %s", got)
	}
}

func TestBranchLiveRules(t *testing.T) { underEachToggle(t, testBranchLiveRules) }

func testBranchLiveRules(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	in.CreateBranch(t, 1, "old", "")

	status, data := in.Do(t, "POST", "/workspace/1/branch/dev/live", nil)
	wantOK(t, status, data)
	var b struct {
		Label string `json:"label"`
		Live  bool   `json:"live"`
	}
	decodeJSON(t, data, &b)
	if b.Label != "dev" || !b.Live {
		t.Fatalf("set live answered %s", data)
	}
	if got := labels(in.Branches(t, 1)); got != "v1,dev*,old" {
		t.Fatalf("branches %s", got)
	}
	if got := in.LiveBranch(t, 1); got != "dev" {
		t.Fatalf("workspace branch %q", got)
	}
	// Idempotent.
	in.SetLive(t, 1, "dev")
	if got := labels(in.Branches(t, 1)); got != "v1,dev*,old" {
		t.Fatalf("branches %s", got)
	}
	status, data = in.Do(t, "DELETE", "/workspace/1/branch/dev", nil)
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "Cannot delete the default branch or currently live branch.")
	status, data = in.Do(t, "POST", "/workspace/1/branch/nope/live", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "DELETE", "/workspace/1/branch/nope", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")

	status, data = in.Do(t, "DELETE", "/workspace/1/branch/old", nil)
	wantOK(t, status, data)
	if string(data) != "{}" {
		t.Fatalf("delete answered %s", data)
	}
	in.SetLive(t, 1, "v1")
	in.DeleteBranch(t, 1, "dev")
	if got := labels(in.Branches(t, 1)); got != "v1*" {
		t.Fatalf("branches %s", got)
	}
	// The other workspace is untouched.
	if got := labels(in.Branches(t, 2)); got != "v1*" {
		t.Fatalf("workspace 2 branches %s", got)
	}
}

func TestBranchRename(t *testing.T) { underEachToggle(t, testBranchRename) }

func testBranchRename(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	in.CreateBranch(t, 1, "other", "")
	in.SetLive(t, 1, "dev")

	status, data := in.Do(t, "PUT", "/workspace/1/branch/dev", map[string]any{"label": "prod", "description": "renamed", "color": "#000000"})
	wantOK(t, status, data)
	var b map[string]any
	decodeJSON(t, data, &b)
	if b["label"] != "prod" || b["description"] != "renamed" || b["color"] != "#000000" || b["live"] != true {
		t.Fatalf("rename answered %s", data)
	}
	if got := in.LiveBranch(t, 1); got != "prod" {
		t.Fatalf("the live label did not follow the rename: %q", got)
	}
	status, data = in.Do(t, "PUT", "/workspace/1/branch/prod", map[string]any{"label": "other"})
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	status, data = in.Do(t, "PUT", "/workspace/1/branch/dev", map[string]any{"label": "x"})
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	if got := labels(in.Branches(t, 1)); got != "v1,prod*,other" {
		t.Fatalf("branches %s", got)
	}
}

func TestTablesAndFunctions(t *testing.T) { underEachToggle(t, testTablesAndFunctions) }

func testTablesAndFunctions(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	f := in.AddFunction(t, 1, "dev", "new_fn", "return 1")
	if f.ID == 0 || f.Branch != "dev" || f.Body != "return 1" {
		t.Fatalf("function %+v", f)
	}
	// Same name on the same branch replaces the body.
	g := in.AddFunction(t, 1, "dev", "new_fn", "return 2")
	if g.ID != f.ID || g.Body != "return 2" {
		t.Fatalf("replace: %+v", g)
	}
	h := in.UpdateFunction(t, 1, f.ID, "return 3")
	if h.Body != "return 3" {
		t.Fatalf("update: %+v", h)
	}
	// Empty branch = live (v1), which does not have it.
	for _, fn := range in.Functions(t, 1, "") {
		if fn.Name == "new_fn" {
			t.Fatal("new_fn leaked to v1")
		}
	}
	status, data := in.Do(t, "PUT", "/workspace/1/function/99999", map[string]any{"body": "x"})
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "POST", "/workspace/1/function", map[string]any{"name": "x", "branch": "nope"})
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "POST", "/workspace/1/function", map[string]any{"body": "x"})
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: name")

	in.AddTable(t, 1, "invoice")
	status, data = in.Do(t, "GET", "/workspace/1/table", nil)
	wantOK(t, status, data)
	var tables []struct {
		GUID string `json:"guid"`
		Name string `json:"name"`
	}
	decodeJSON(t, data, &tables)
	if len(tables) != 3 || tables[2].Name != "invoice" || tables[2].GUID == "" {
		t.Fatalf("tables %s", data)
	}
	status, data = in.Do(t, "POST", "/workspace/1/table", map[string]any{"name": "invoice"})
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "")
}
