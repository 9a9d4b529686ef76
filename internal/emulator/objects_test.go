package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

type page struct {
	ItemsReceived int              `json:"itemsReceived"`
	CurPage       int              `json:"curPage"`
	NextPage      *int             `json:"nextPage"`
	PrevPage      *int             `json:"prevPage"`
	Offset        int              `json:"offset"`
	Items         []map[string]any `json:"items"`
}

func doOK(t *testing.T, in *emulatortest.Instance, method, path string, body, out any) {
	t.Helper()
	status, data := in.Do(t, method, path, body)
	wantOK(t, status, data)
	if out != nil {
		decodeJSON(t, data, out)
	}
}

func TestFunctionListIsPaged(t *testing.T) {
	in := emulatortest.Start(t, tokenFixture())
	for i := 0; i < 3; i++ {
		in.AddFunction(t, 1, "", fmt.Sprintf("f%d", i), "x")
	}
	// 2 demo functions + 3: per_page 2 gives pages 1..3.
	var p page
	doOK(t, in, "GET", "/workspace/1/function?per_page=2", nil, &p)
	if p.CurPage != 1 || p.NextPage == nil || *p.NextPage != 2 || p.PrevPage != nil || len(p.Items) != 2 || p.ItemsReceived != 2 {
		t.Fatalf("page 1: %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/function?per_page=2&page=3", nil, &p)
	if p.NextPage != nil || p.PrevPage == nil || *p.PrevPage != 2 || len(p.Items) != 1 || p.Offset != 4 {
		t.Fatalf("page 3: %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/function?per_page=2&page=9", nil, &p)
	if len(p.Items) != 0 || p.NextPage != nil {
		t.Fatalf("past the end: %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/function?search=F1&order=desc", nil, &p)
	if len(p.Items) != 1 || p.Items[0]["name"] != "f1" || p.Items[0]["branch"] != "v1" {
		t.Fatalf("search: %+v", p)
	}
	status, data := in.Do(t, "GET", "/workspace/1/function?per_page=0", nil)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Value is not properly formed.")
	status, data = in.Do(t, "GET", "/workspace/1/function?branch=nope", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	if got := len(in.Functions(t, 1, "")); got != 5 {
		t.Fatalf("emulatortest.Functions: %d", got)
	}
	f := in.AddFunction(t, 1, "", "gone", "x")
	doOK(t, in, "DELETE", fmt.Sprintf("/workspace/1/function/%d", f.ID), nil, nil)
	status, data = in.Do(t, "GET", fmt.Sprintf("/workspace/1/function/%d", f.ID), nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
}

func TestAPIGroupsEndpointsTasks(t *testing.T) {
	in := emulatortest.Start(t, tokenFixture())
	in.CreateBranch(t, 1, "a/b", "")
	var g map[string]any
	doOK(t, in, "POST", "/workspace/1/apigroup", map[string]any{"name": "admin", "description": "d", "branch": "a/b"}, &g)
	if g["branch"] != "a/b" || g["name"] != "admin" {
		t.Fatalf("group %v", g)
	}
	gid := toID(t, g["id"])
	status, data := in.Do(t, "POST", "/workspace/1/apigroup", map[string]any{"name": "admin", "branch": "a/b"})
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	var e map[string]any
	doOK(t, in, "POST", fmt.Sprintf("/workspace/1/apigroup/%d/api", gid), map[string]any{"name": "users/{id}", "verb": "get"}, &e)
	if e["verb"] != "GET" || e["branch"] != "a/b" {
		t.Fatalf("endpoint %v", e)
	}
	eid := toID(t, e["id"])
	var p page
	doOK(t, in, "GET", fmt.Sprintf("/workspace/1/apigroup/%d/api", gid), nil, &p)
	if len(p.Items) != 1 {
		t.Fatalf("endpoints %+v", p)
	}
	// a/b cloned v1 with the demo seed's group public.
	doOK(t, in, "GET", "/workspace/1/apigroup?branch=a%2Fb", nil, &p)
	if len(p.Items) != 2 {
		t.Fatalf("groups of a/b %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/apigroup", nil, &p)
	if len(p.Items) != 1 || p.Items[0]["name"] != "public" {
		t.Fatalf("groups of v1 %+v", p)
	}
	var empty map[string]any
	doOK(t, in, "PUT", fmt.Sprintf("/workspace/1/apigroup/%d/api/%d", gid, eid), map[string]any{"name": "users", "verb": "POST", "description": "x"}, &empty)
	if len(empty) != 0 {
		t.Fatalf("PUT endpoint answered %v", empty)
	}
	var tk map[string]any
	doOK(t, in, "POST", "/workspace/1/task", map[string]any{"name": "nightly", "active": true, "branch": "a/b"}, &tk)
	if tk["active"] != true {
		t.Fatalf("task %v", tk)
	}
	// The export of a/b carries them, linked by app_id.
	resp, data := exportWith(t, in, 1, "export-schema", map[string]any{"branch": "a/b"})
	wantOK(t, resp.StatusCode, data)
	var root []byte
	for name, b := range entries(t, data) {
		if !strings.Contains(name, "/") {
			root = b
		}
	}
	_, pl := bundlePayload(t, root)
	var apps, queries, tasks []map[string]any
	_ = json.Unmarshal(pl["app"], &apps)
	_ = json.Unmarshal(pl["query"], &queries)
	_ = json.Unmarshal(pl["task"], &tasks)
	// The demo seed's public (GET users, GET legacy), nightly_sync and weekly_report come
	// first, in creation order.
	if len(apps) != 2 || len(queries) != 3 || len(tasks) != 3 || queries[2]["app_id"] != apps[1]["id"] ||
		apps[1]["name"] != "admin" || queries[2]["name"] != "users" || queries[2]["verb"] != "POST" ||
		queries[0]["app_id"] != apps[0]["id"] || tasks[2]["name"] != "nightly" {
		t.Fatalf("payload app %v query %v task %v", apps, queries, tasks)
	}
	// Round trip: import into a new branch, export again: same content hash.
	status, body := upload(t, in, "/workspace/1/import-schema", map[string]string{"newbranch": "copy"}, "x.tar.gz", data, false)
	wantOK(t, status, body)
	resp, again := exportWith(t, in, 1, "export-schema", map[string]any{"branch": "copy"})
	wantOK(t, resp.StatusCode, again)
	if a, b := inspect(t, data).ContentSHA256, inspect(t, again).ContentSHA256; a != b {
		t.Fatalf("round trip changed the content: %s, %s", a, b)
	}
	// Deleting the group deletes its endpoints; scopes are checked.
	resp2, d2 := call(t, in, "DELETE", fmt.Sprintf("/api:meta/workspace/1/apigroup/%d", gid), "read-all", nil, "")
	wantError(t, resp2.StatusCode, d2, 403, "ERROR_CODE_ACCESS_DENIED", "Access Denied.")
	doOK(t, in, "DELETE", fmt.Sprintf("/workspace/1/apigroup/%d", gid), nil, nil)
	status, data = in.Do(t, "GET", fmt.Sprintf("/workspace/1/apigroup/%d/api/%d", gid, eid), nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
	status, data = in.Do(t, "GET", "/workspace/1/task/999999", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")
}

func toID(t *testing.T, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("id %v is not a number", v)
	}
	return int64(f)
}

// A fixture seeds API groups, endpoints and tasks as the routes create them, and refuses what
// Xano would refuse, saying where.
func TestSeedAPIGroupsAndTasks(t *testing.T) {
	in := emulatortest.Start(t, nil)
	seed := func(branch string) (*http.Response, []byte) {
		return call(t, in, "POST", "/_emulator/seed", "", strings.NewReader(`{"workspaces":[{"id":1,"branches":[`+branch+`]}]}`), "application/json")
	}
	for branch, msg := range map[string]string{
		`{"label":"v1","api_groups":[{"name":""}]}`:                                                                    `Invalid fixture: workspace 1 branch "v1": an API group has no name`,
		`{"label":"v1","api_groups":[{"name":"a"},{"name":"a"}]}`:                                                      `Invalid fixture: workspace 1 branch "v1": duplicate API group "a"`,
		`{"label":"v1","api_groups":[{"name":"a","endpoints":[{"verb":"GIT","path":"x"}]}]}`:                           `Invalid fixture: workspace 1 branch "v1" API group "a": endpoint "x" has verb "GIT", want GET, POST, PUT, PATCH, DELETE or HEAD`,
		`{"label":"v1","api_groups":[{"name":"a","endpoints":[{"verb":"get"}]}]}`:                                      `Invalid fixture: workspace 1 branch "v1" API group "a": an endpoint has no path`,
		`{"label":"v1","api_groups":[{"name":"a","endpoints":[{"verb":"get","path":"x"},{"verb":"GET","path":"x"}]}]}`: `Invalid fixture: workspace 1 branch "v1" API group "a": duplicate endpoint GET x`,
		`{"label":"v1","tasks":[{"name":"t"},{"name":"t"}]}`:                                                           `Invalid fixture: workspace 1 branch "v1": duplicate task "t"`,
	} {
		resp, data := seed(branch)
		wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_INPUT_ERROR", msg)
	}
	resp, data := seed(`{"label":"v1","api_groups":[{"name":"public","description":"d","endpoints":[{"verb":"get","path":"users"},{"verb":"POST","path":"users"}]}],"tasks":[{"name":"nightly","active":true}]}`)
	wantOK(t, resp.StatusCode, data)
	var p page
	doOK(t, in, "GET", "/workspace/1/apigroup", nil, &p)
	if len(p.Items) != 1 || p.Items[0]["name"] != "public" || p.Items[0]["description"] != "d" {
		t.Fatalf("groups %+v", p)
	}
	gid := toID(t, p.Items[0]["id"])
	doOK(t, in, "GET", fmt.Sprintf("/workspace/1/apigroup/%d/api", gid), nil, &p)
	if len(p.Items) != 2 || p.Items[0]["verb"] != "GET" || p.Items[1]["verb"] != "POST" || p.Items[0]["name"] != "users" {
		t.Fatalf("endpoints %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/task", nil, &p)
	if len(p.Items) != 1 || p.Items[0]["active"] != true {
		t.Fatalf("tasks %+v", p)
	}
	// Seeded objects are edited like created ones: a duplicate is refused by the route too.
	status, body := in.Do(t, "POST", "/workspace/1/task", map[string]any{"name": "nightly"})
	wantError(t, status, body, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
}
