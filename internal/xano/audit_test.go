package xano

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// The audit log's answer may be the paged shape, {items} or a bare array; created_at a string
// or a number (seconds or milliseconds); the recorded row decodes whole.
func TestAuditLogShapes(t *testing.T) {
	recorded := `{"id":7672,"created_at":"2026-01-11 21:14:37+0000","type":"function:delete","msg":"Function deleted: hotfix",` +
		`"label":["function"],"user":{"id":2273,"email":"alice@example.com"},"workspace":{"id":40,"name":"w"},"branch":{"id":0,"label":null}}`
	answers := map[string]struct {
		body string
		more bool
	}{
		"paged":      {`{"itemsReceived":1,"curPage":1,"nextPage":2,"prevPage":null,"offset":0,"items":[` + recorded + `]}`, true},
		"paged last": {`{"itemsReceived":1,"curPage":1,"nextPage":null,"prevPage":null,"offset":0,"items":[` + recorded + `]}`, false},
		"items":      {`{"items":[` + recorded + `]}`, true},
		"bare":       {`[` + recorded + `]`, true},
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
				if path != "/workspace/40/audit_log" || r.URL.Query().Get("page") != "1" || r.URL.Query().Get("per_page") != "1" {
					envelope(w, 404, "ERROR_CODE_NOT_FOUND", "")
					return
				}
				writeJSON(w, 200, a.body)
			})
			c, _ := newTestClient(t, srv.URL, nil)
			p, err := c.AuditLog(context.Background(), 40, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.More != a.more {
				t.Fatalf("page %+v", p)
			}
			e := p.Items[0]
			want := time.Date(2026, 1, 11, 21, 14, 37, 0, time.UTC)
			if e.ID != 7672 || !e.Time.Equal(want) || e.CreatedAt != "2026-01-11 21:14:37+0000" || e.Type != "function:delete" ||
				e.Msg != "Function deleted: hotfix" || len(e.Label) != 1 || e.Label[0] != "function" ||
				e.User.ID != 2273 || e.User.Email != "alice@example.com" || e.Branch.ID != 0 || e.Branch.Label != "" {
				t.Fatalf("entry %+v", e)
			}
		})
	}
	for raw, want := range map[string]time.Time{
		"1768166077":           time.Unix(1768166077, 0).UTC(),
		"1768166077000":        time.Unix(1768166077, 0).UTC(),
		"2026-01-11T21:14:37Z": time.Date(2026, 1, 11, 21, 14, 37, 0, time.UTC),
		"yesterday":            {},
	} {
		if got := parseXanoTime(raw); !got.Equal(want) {
			t.Errorf("parseXanoTime(%q) = %v, want %v", raw, got, want)
		}
	}
}

// A token that may not read the log, and an instance without the route, are told apart.
func TestAuditLogRefusals(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request, path string) {
		if path == "/workspace/1/audit_log" {
			envelope(w, 403, "ERROR_CODE_ACCESS_DENIED", "Access Denied.")
			return
		}
		envelope(w, 404, "ERROR_CODE_NOT_FOUND", "Unable to locate request.")
	})
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.AuditLog(context.Background(), 1, 1, 50); !IsAccessDenied(err) {
		t.Fatalf("403: %v", err)
	}
	if _, err := c.AuditLog(context.Background(), 2, 1, 50); !IsNotFound(err) {
		t.Fatalf("404: %v", err)
	}
	if _, err := c.AuditLog(context.Background(), 2, 0, 50); err == nil {
		t.Fatal("page 0 accepted")
	}
}
