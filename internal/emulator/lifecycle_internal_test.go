package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A mutation that would break the state's invariants is refused and not published (a bug
// guard: such a state could not be loaded again from a state dir).
func TestMutateRefusesAnInvalidState(t *testing.T) {
	s, err := New(Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.mutate(func(st *state) error {
		st.Workspaces[0].Live = "nope"
		return nil
	})
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
		t.Fatalf("mutate: %v", err)
	}
	if got := s.snapshot().Workspaces[0].Live; got != "v1" {
		t.Fatalf("live %q after a refused mutation", got)
	}
}

// After Close every request gets 503 with the envelope, control routes included, and no change
// is made, whatever path it takes.
func TestClosedServerRefuses(t *testing.T) {
	s, err := New(Options{Seed: "demo", Control: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	for _, target := range []string{"/api:meta/workspace", "/_emulator/requests", "/"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer "+DevToken)
		s.ServeHTTP(w, r)
		var env struct{ Code, Message string }
		if w.Code != http.StatusServiceUnavailable || json.Unmarshal(w.Body.Bytes(), &env) != nil ||
			env.Code != "ERROR_FATAL" || env.Message != "The emulator is shut down." {
			t.Fatalf("%s after Close: %d %s", target, w.Code, w.Body)
		}
	}
	called := false
	if err := s.mutate(func(*state) error { called = true; return nil }); !errors.Is(err, errClosed) || called {
		t.Fatalf("mutate after Close: %v (fn called: %v)", err, called)
	}
	if f, err := s.newSpool(); !errors.Is(err, errClosed) {
		if f != nil {
			f.Close()
		}
		t.Fatalf("newSpool after Close: %v", err)
	}
}
