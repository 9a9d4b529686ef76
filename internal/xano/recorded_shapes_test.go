package xano

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The client reads the answers recorded on a live Xano instance (reference notes, section 8)
// byte for byte as Xano sent them: no branch id, no workspace created_at, a 404 without payload
// and with an empty message, strings escaped as PHP escapes them.
func TestClientReadsRecordedShapes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch r.URL.Path {
		case "/api:meta/workspace/40":
			_, _ = w.Write([]byte(`{"id":40,"name":"CRM Application","description":"","swagger":false,"documentation":null,"branch":"v1"}`))
		case "/api:meta/workspace/40/branch":
			_, _ = w.Write([]byte(`[{"created_at":"2026-01-07 09:11:54+0000","label":"v1","backup":false,"live":true}]`))
		case "/api:meta/workspace/40/branch/gone":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":"ERROR_CODE_NOT_FOUND","message":""}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error: unexpected \u0027invalid\u0027","payload":{"char":0,"line":0,"col":0}}`))
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL+"/api:meta", nil)
	ctx := context.Background()

	ws, err := c.GetWorkspace(ctx, 40)
	if err != nil || *ws != (Workspace{ID: 40, Name: "CRM Application", Branch: "v1"}) {
		t.Fatalf("GetWorkspace = %+v, %v", ws, err)
	}
	bs, err := c.ListBranches(ctx, 40)
	if err != nil || len(bs) != 1 || bs[0] != (Branch{Label: "v1", CreatedAt: "2026-01-07 09:11:54+0000", Live: true}) {
		t.Fatalf("ListBranches = %+v, %v", bs, err)
	}
	_, err = c.GetBranch(ctx, 40, "gone")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "404 ERROR_CODE_NOT_FOUND: Not Found") {
		t.Fatalf("GetBranch of a missing branch: %v", err)
	}
	_, err = c.GetBranch(ctx, 40, "bad")
	if err == nil || !strings.Contains(err.Error(), "Syntax error: unexpected 'invalid'") {
		t.Fatalf("a syntax error reads %v", err)
	}
}
