package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// TestControlAnswersOnlyLoopbackHosts: a request addressed to another host name (as a browser
// sends after a DNS rebinding attack) is refused, unless ControlAnyHost allows it.
func TestControlAnswersOnlyLoopbackHosts(t *testing.T) {
	get := func(s *emulator.Server, host string) int {
		req := httptest.NewRequest(http.MethodGet, "http://"+host+"/_emulator/requests", nil)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	strict, err := emulator.New(emulator.Options{Control: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = strict.Close() })
	for host, want := range map[string]int{
		"127.0.0.1:8787":        http.StatusOK,
		"[::1]:8787":            http.StatusOK,
		"localhost:8787":        http.StatusOK,
		"localhost":             http.StatusOK,
		"attacker.example:8787": http.StatusForbidden,
		"10.0.0.5:8787":         http.StatusForbidden,
	} {
		if got := get(strict, host); got != want {
			t.Errorf("Host %s: status %d, want %d", host, got, want)
		}
	}

	open, err := emulator.New(emulator.Options{Control: true, ControlAnyHost: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = open.Close() })
	if got := get(open, "emulator.internal:8787"); got != http.StatusOK {
		t.Errorf("ControlAnyHost: status %d, want 200", got)
	}
}
