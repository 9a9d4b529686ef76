package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// builtPath is the file of the built archive of workspace 1's full export of v1, "" if none.
func builtPath(s *Server) string {
	s.exports.mu.Lock()
	defer s.exports.mu.Unlock()
	if e := s.exports.entries[exportSlot{ws: 1, branch: "v1", full: true, records: true}]; e != nil {
		return e.path
	}
	return ""
}

// The second export of an unchanged workspace sends the archive built for the first; a change
// of the workspace, whatever route makes it, gets a new one; Close removes them.
func TestExportReusesTheBuiltArchiveUntilAChange(t *testing.T) {
	s, err := New(Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	export := func() {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/1/export", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+DevToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body.Bytes())
		}
	}
	export()
	first := builtPath(s)
	if first == "" {
		t.Fatal("no built archive after an export")
	}
	export()
	if got := builtPath(s); got != first {
		t.Fatalf("an unchanged workspace's archive was built again: %s then %s", first, got)
	}
	req := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/1/function",
		strings.NewReader(`{"branch":"v1","name":"changed","body":"return 1"}`))
	req.Header.Set("Authorization", "Bearer "+DevToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("add function: %d %s", rec.Code, rec.Body.Bytes())
	}
	export()
	if got := builtPath(s); got == first || got == "" {
		t.Fatalf("after a change the archive is %q (was %q)", got, first)
	}
	dir := s.exports.dir
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); dir == "" || !os.IsNotExist(err) {
		t.Fatalf("the folder of built archives %q after Close: %v", dir, err)
	}
}
