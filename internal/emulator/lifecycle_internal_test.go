package emulator

import (
	"errors"
	"net/http"
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
