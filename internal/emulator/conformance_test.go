package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The answers below were recorded on a live Xano instance (reference notes, section 8): the
// emulator gives them byte for byte, member order and PHP-style escaping included.

func TestConformanceWorkspace(t *testing.T) {
	in := emulatortest.Start(t, nil)
	status, data := in.Do(t, http.MethodGet, "/workspace/1", nil)
	wantOK(t, status, data)
	want := `{"id":1,"name":"staging","description":"Staging workspace (emulator demo seed)","swagger":false,"documentation":null,"branch":"v1"}`
	if string(data) != want {
		t.Fatalf("GET /workspace/1 answered\n%s\nwant exactly\n%s", data, want)
	}
	in.CreateBranch(t, 1, "dev", "")
	in.SetLive(t, 1, "dev")
	_, data = in.Do(t, http.MethodGet, "/workspace/1", nil)
	if !strings.HasSuffix(string(data), `,"branch":"dev"}`) {
		t.Fatalf("branch is not the live label: %s", data)
	}
}

var branchRowRE = regexp.MustCompile(`^\{"created_at":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000","label":"[^"]+","backup":(true|false),"live":(true|false)\}$`)

func TestConformanceBranchRows(t *testing.T) {
	in := emulatortest.Start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	status, data := in.Do(t, http.MethodGet, "/workspace/1/branch", nil)
	wantOK(t, status, data)
	var rows []json.RawMessage
	decodeJSON(t, data, &rows)
	if len(rows) != 2 {
		t.Fatalf("rows: %s", data)
	}
	for _, r := range rows {
		if !branchRowRE.Match(r) {
			t.Errorf("branch row %s is not exactly {created_at,label,backup,live}", r)
		}
	}
	if !strings.Contains(string(rows[0]), `"label":"v1","backup":false,"live":true}`) {
		t.Errorf("the live v1 row: %s", rows[0])
	}
}

func TestConformanceNotFound(t *testing.T) {
	in := emulatortest.Start(t, nil)
	status, data := in.Do(t, http.MethodGet, "/workspace/1/apigroup", nil)
	wantOK(t, status, data)
	var groups struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	decodeJSON(t, data, &groups)
	if len(groups.Items) == 0 {
		t.Fatalf("no API group: %s", data)
	}
	g := groups.Items[0]
	for _, path := range []string{
		"/workspace/1/function/99999", "/workspace/1/apigroup/99999", "/workspace/1/task/99999",
		fmt.Sprintf("/workspace/1/apigroup/%d/api/99999", g.ID), "/workspace/1/table/99999",
		"/workspace/99", "/workspace/1/branch/nope", "/workspace/1/function?branch=nope",
	} {
		status, data := in.Do(t, http.MethodGet, path, nil)
		if status != http.StatusNotFound || string(data) != `{"code":"ERROR_CODE_NOT_FOUND","message":""}` {
			t.Errorf("GET %s: %d %s, want 404 exactly {\"code\":\"ERROR_CODE_NOT_FOUND\",\"message\":\"\"}", path, status, data)
		}
	}
}

func TestConformanceSyntaxErrorIsEscapedAsPHPDoes(t *testing.T) {
	in := emulatortest.Start(t, nil)
	resp, data := call(t, in, http.MethodPost, "/api:meta/workspace/1/branch", in.Token, strings.NewReader(`{invalid}`), "application/json")
	want := `{"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error: unexpected \u0027invalid\u0027","payload":{"char":1,"line":1,"col":2}}`
	if resp.StatusCode != http.StatusBadRequest || string(data) != want {
		t.Fatalf("%d %s\nwant 400 %s", resp.StatusCode, data, want)
	}
}

var guidRE = regexp.MustCompile(`^[A-Za-z0-9_-]{27}$`)

func TestConformanceCreatedGUIDs(t *testing.T) {
	in := emulatortest.Start(t, nil)
	var guids []string
	for _, c := range []struct{ path, body string }{
		{"/workspace/1/function", `{"name":"f_new","body":"x"}`},
		{"/workspace/1/apigroup", `{"name":"g_new"}`},
		{"/workspace/1/task", `{"name":"t_new"}`},
		{"/workspace/1/table", `{"name":"tb_new"}`},
	} {
		status, data := in.Do(t, http.MethodPost, c.path, json.RawMessage(c.body))
		wantOK(t, status, data)
		var o struct {
			GUID string `json:"guid"`
		}
		decodeJSON(t, data, &o)
		guids = append(guids, o.GUID)
	}
	for _, g := range guids {
		if !guidRE.MatchString(g) {
			t.Errorf("guid %q is not 27 characters of websafe base64", g)
		}
	}
}
