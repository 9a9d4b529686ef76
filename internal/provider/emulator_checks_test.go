package provider

// Assertions about the emulator's state, for the acceptance tests: they read it through its HTTP
// API, as a person looking at the Xano UI would.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// checkEmulator is a state check that asserts something about the emulator's state.
func checkEmulator(what string, fn func() error) statecheck.StateCheck {
	return emulatorStateCheck{what: what, fn: fn}
}

type emulatorStateCheck struct {
	what string
	fn   func() error
}

func (c emulatorStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if err := c.fn(); err != nil {
		resp.Error = fmt.Errorf("%s: %w", c.what, err)
	}
}

// expectBranches checks the labels of ws's branches, the first being live.
func expectBranches(t *testing.T, inst *emulatortest.Instance, ws int64, want ...string) error {
	var got []string
	for _, b := range inst.Branches(t, ws) {
		got = append(got, b.Label)
	}
	if err := expectNames("branches of workspace "+fmt.Sprint(ws), got, want); err != nil {
		return err
	}
	if live := inst.LiveBranch(t, ws); live != want[0] {
		return fmt.Errorf("the live branch of workspace %d is %q, want %q", ws, live, want[0])
	}
	return nil
}

// expectTables checks the names of ws's tables.
func expectTables(t *testing.T, inst *emulatortest.Instance, ws int64, want ...string) error {
	status, data := inst.Do(t, http.MethodGet, fmt.Sprintf("/workspace/%d/table", ws), nil)
	if status != http.StatusOK {
		return fmt.Errorf("listing the tables of workspace %d: %d %s", ws, status, data)
	}
	var tables []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(data, &tables); err != nil {
		return err
	}
	var got []string
	for _, tb := range tables {
		got = append(got, tb.Name)
	}
	return expectNames("tables of workspace "+fmt.Sprint(ws), got, want)
}

func expectNames(what string, got, want []string) error {
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s are %q, want %q", what, got, want)
	}
	return nil
}

func countRequests(inst *emulatortest.Instance, method, path string) (int, error) {
	reqs, err := inst.Control.Requests(context.Background())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n, nil
}

func clearRequests(t *testing.T, inst *emulatortest.Instance) {
	t.Helper()
	if err := inst.Control.ClearRequests(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// expectBranchFunctions checks the names of the functions of one branch.
func expectBranchFunctions(t *testing.T, inst *emulatortest.Instance, ws int64, branch string, want ...string) error {
	var got []string
	for _, f := range inst.Functions(t, ws, branch) {
		got = append(got, f.Name)
	}
	return expectNames(fmt.Sprintf("functions of branch %q of workspace %d", branch, ws), got, want)
}

// wrappedText matches text in a CLI's output, where long lines are wrapped at any space.
func wrappedText(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// expectLive checks which branch of ws is live.
func expectLive(t *testing.T, inst *emulatortest.Instance, ws int64, want string) error {
	if got := inst.LiveBranch(t, ws); got != want {
		return fmt.Errorf("the live branch of workspace %d is %q, want %q", ws, got, want)
	}
	return nil
}
