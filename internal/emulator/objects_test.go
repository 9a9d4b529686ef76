package emulator_test

import (
	"encoding/json"
	"fmt"
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
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "Invalid branch.")
	if got := len(in.Functions(t, 1, "")); got != 5 {
		t.Fatalf("emulatortest.Functions: %d", got)
	}
	f := in.AddFunction(t, 1, "", "gone", "x")
	doOK(t, in, "DELETE", fmt.Sprintf("/workspace/1/function/%d", f.ID), nil, nil)
	status, data = in.Do(t, "GET", fmt.Sprintf("/workspace/1/function/%d", f.ID), nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "Invalid function.")
}

func TestAPIGroupsEndpointsTasks(t *testing.T) {
	in := emulatortest.Start(t, tokenFixture())
	in.CreateBranch(t, 1, "a/b", "")
	var g map[string]any
	doOK(t, in, "POST", "/workspace/1/apigroup", map[string]any{"name": "public", "description": "d", "branch": "a/b"}, &g)
	if g["branch"] != "a/b" || g["name"] != "public" {
		t.Fatalf("group %v", g)
	}
	gid := toID(t, g["id"])
	status, data := in.Do(t, "POST", "/workspace/1/apigroup", map[string]any{"name": "public", "branch": "a/b"})
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
	doOK(t, in, "GET", "/workspace/1/apigroup?branch=a%2Fb", nil, &p)
	if len(p.Items) != 1 {
		t.Fatalf("groups of a/b %+v", p)
	}
	doOK(t, in, "GET", "/workspace/1/apigroup", nil, &p)
	if len(p.Items) != 0 {
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
	if len(apps) != 1 || len(queries) != 1 || len(tasks) != 1 || queries[0]["app_id"] != apps[0]["id"] ||
		queries[0]["name"] != "users" || queries[0]["verb"] != "POST" || tasks[0]["name"] != "nightly" {
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
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "Invalid API group.")
	status, data = in.Do(t, "GET", "/workspace/1/task/999999", nil)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "Invalid task.")
}

func toID(t *testing.T, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("id %v is not a number", v)
	}
	return int64(f)
}
