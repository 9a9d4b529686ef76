package provider

// The acceptance tests that need only Xano's public Metadata API: no fixture, no control API.
// `make testacc` runs them against an emulator started without its control API (the proof that
// they need nothing else); `make testacc-live` runs them against a real Xano instance (see
// CONTRIBUTING.md), where every other acceptance test skips itself (skipWhenLive).
//
// Against a real instance they read the workspace they are given, export its schema, and create
// only branches with unique labels (liveLabel), which they delete again: their own destroy does,
// and a cleanup deletes any that a failed test left. They never import over a workspace
// (xano_workspace_import) and never change which branch is live.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The environment of make testacc-live.
const (
	envLiveURL       = "XANO_LIVE_INSTANCE_URL"
	envLiveToken     = "XANO_LIVE_TOKEN"
	envLiveWorkspace = "XANO_LIVE_WORKSPACE_ID"
)

// liveLabelPrefix starts every branch label the live tests create.
const liveLabelPrefix = "tfacc_"

// liveMode reports whether the acceptance tests run against a real instance (XANO_LIVE_INSTANCE_URL).
func liveMode() bool { return os.Getenv(envLiveURL) != "" }

// skipWhenLive skips a test that needs the emulator (a seeded fixture, the control API, faults,
// or an import over a workspace) when the suite runs against a real instance.
func skipWhenLive(t testing.TB, needs string) {
	t.Helper()
	if liveMode() {
		t.Skipf("needs the emulator (%s); make testacc-live runs only the tests that need the public Metadata API", needs)
	}
}

// publicTarget is where a live-capable test runs: a real instance's workspace, or workspace 1 of
// an emulator serving only its public API.
type publicTarget struct {
	inst *emulatortest.Instance // Control and Server are nil
	ws   int64
	live bool

	mu     sync.Mutex
	labels []string // branches this test may have created, deleted at cleanup if still there
}

var liveEnv struct {
	once sync.Once
	err  error
	url  string
	tok  string
	ws   int64
}

// startPublicTarget returns the real instance of make testacc-live, or starts an emulator seeded
// with the demo instance and no control API.
func startPublicTarget(t *testing.T) *publicTarget {
	t.Helper()
	if !liveMode() {
		inst := emulatortest.StartPublic(t, emulator.Options{Fixture: emulator.DemoFixture()})
		return &publicTarget{inst: inst, ws: 1}
	}
	liveEnv.once.Do(func() {
		liveEnv.url, liveEnv.tok = os.Getenv(envLiveURL), os.Getenv(envLiveToken)
		ws, err := strconv.ParseInt(os.Getenv(envLiveWorkspace), 10, 64)
		switch {
		case liveEnv.tok == "":
			liveEnv.err = fmt.Errorf("%s is set but %s is empty: give the token of the instance", envLiveURL, envLiveToken)
		case err != nil || ws <= 0:
			liveEnv.err = fmt.Errorf("%s must be the ID of a scratch workspace the tests may add branches to (got %q)",
				envLiveWorkspace, os.Getenv(envLiveWorkspace))
		default:
			liveEnv.ws = ws
		}
	})
	if liveEnv.err != nil {
		t.Fatal(liveEnv.err)
	}
	tgt := &publicTarget{inst: emulatortest.Remote(liveEnv.url, liveEnv.tok), ws: liveEnv.ws, live: true}
	t.Cleanup(func() { tgt.cleanup(t) })
	return tgt
}

// providerConfig is the provider block for the target. Against a real instance the token is not
// written into the configuration: the provider reads it from XANO_TOKEN (set by TestMain).
func (tgt *publicTarget) providerConfig(format string, args ...any) string {
	block := fmt.Sprintf("provider \"xano\" {\n  instance_url = %q\n", tgt.inst.URL)
	if !tgt.live {
		block += fmt.Sprintf("  token        = %q\n", tgt.inst.Token)
	}
	return block + "}\n" + fmt.Sprintf(format, args...)
}

// label returns a new branch label unique to this run, remembered for the cleanup.
func (tgt *publicTarget) label(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	l := liveLabelPrefix + hex.EncodeToString(b[:])
	tgt.mu.Lock()
	tgt.labels = append(tgt.labels, l, l+"_b")
	tgt.mu.Unlock()
	return l
}

// cleanup deletes the branches this test created that are still there (its destroy failed).
func (tgt *publicTarget) cleanup(t *testing.T) {
	tgt.mu.Lock()
	labels := append([]string(nil), tgt.labels...)
	tgt.mu.Unlock()
	for _, l := range labels {
		if !strings.HasPrefix(l, liveLabelPrefix) { // never anything but our own
			continue
		}
		path := fmt.Sprintf("/workspace/%d/branch/%s", tgt.ws, url.PathEscape(l))
		if status, _ := tgt.inst.Do(t, http.MethodGet, path, nil); status != http.StatusOK {
			continue
		}
		if status, data := tgt.inst.Do(t, http.MethodDelete, path, nil); status != http.StatusOK {
			t.Errorf("cleanup: deleting branch %q of workspace %d: %d %s", l, tgt.ws, status, data)
		}
	}
}

// workspace reads the target workspace through the public API.
func (tgt *publicTarget) workspace(t *testing.T) (name, live string) {
	t.Helper()
	status, data := tgt.inst.Do(t, http.MethodGet, fmt.Sprintf("/workspace/%d", tgt.ws), nil)
	if status != http.StatusOK {
		t.Fatalf("GET /workspace/%d: %d %s", tgt.ws, status, data)
	}
	var w struct {
		Name   string `json:"name"`
		Branch string `json:"branch"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatalf("GET /workspace/%d: %v", tgt.ws, err)
	}
	return w.Name, w.Branch
}

// branchExists checks through the public API whether the target workspace has a branch.
func (tgt *publicTarget) branchExists(t *testing.T, label string) (bool, error) {
	status, data := tgt.inst.Do(t, http.MethodGet, fmt.Sprintf("/workspace/%d/branch/%s", tgt.ws, url.PathEscape(label)), nil)
	switch status {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("GET branch %q: %d %s", label, status, data)
}

func (tgt *publicTarget) expectBranch(t *testing.T, label string, want bool) statecheck.StateCheck {
	return checkEmulator(fmt.Sprintf("branch %q in Xano", label), func() error {
		got, err := tgt.branchExists(t, label)
		if err == nil && got != want {
			err = fmt.Errorf("exists: %v, want %v", got, want)
		}
		return err
	})
}

func (tgt *publicTarget) checkBranchesGone(t *testing.T, labels ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, l := range labels {
			if ok, err := tgt.branchExists(t, l); err != nil || ok {
				return fmt.Errorf("branch %q still exists after destroy (%v)", l, err)
			}
		}
		return nil
	}
}

// skipWithoutExports skips a test on an instance whose plan refuses exports through the Metadata
// API (Xano's free plan answers 500 "Access Denied."): nothing the provider could change.
func (tgt *publicTarget) skipWithoutExports(t *testing.T) {
	t.Helper()
	if !tgt.live {
		return
	}
	status, data := tgt.inst.Do(t, http.MethodPost, fmt.Sprintf("/workspace/%d/export-schema", tgt.ws), map[string]string{})
	if status == http.StatusInternalServerError && strings.Contains(string(data), "Access Denied") {
		t.Skip("the instance's plan does not allow exports and imports through the Metadata API")
	}
}

// TestAccLive_readWorkspace: the workspace, workspaces and branches data sources report what the
// Metadata API says of the target workspace.
func TestAccLive_readWorkspace(t *testing.T) {
	tgt := startPublicTarget(t)
	name, live := tgt.workspace(t)
	ws := strconv.FormatInt(tgt.ws, 10)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tgt.providerConfig(`
data "xano_workspace" "w" {
  workspace_id = %[1]d
}

data "xano_workspaces" "all" {}

data "xano_workspace_branches" "w" {
  workspace_id = %[1]d
}

output "listed" {
  value = contains([for w in data.xano_workspaces.all.workspaces : w.id], %[1]d)
}

output "live_row" {
  value = [for b in data.xano_workspace_branches.w.branches : b.live if b.label == data.xano_workspace.w.live_branch]
}
`, tgt.ws),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xano_workspace.w", tfjsonpath.New("id"), knownvalue.StringExact(ws)),
				statecheck.ExpectKnownValue("data.xano_workspace.w", tfjsonpath.New("name"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue("data.xano_workspace.w", tfjsonpath.New("live_branch"), knownvalue.StringExact(live)),
				statecheck.ExpectKnownValue("data.xano_workspace_branches.w", tfjsonpath.New("live_branch"), knownvalue.StringExact(live)),
				statecheck.ExpectKnownOutputValue("listed", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("live_row", knownvalue.ListExact([]knownvalue.Check{knownvalue.Bool(true)})),
			},
		}},
	})
}

// TestAccLive_branchLifecycle: a branch is created from v1, renamed in place, and deleted by
// destroy.
func TestAccLive_branchLifecycle(t *testing.T) {
	tgt := startPublicTarget(t)
	first := tgt.label(t)
	second := first + "_b"
	config := func(label, desc string) string {
		return tgt.providerConfig(`
resource "xano_workspace_branch" "b" {
  workspace_id = %d
  label        = %q
  description  = %q
}
`, tgt.ws, label, desc)
	}
	addr := "xano_workspace_branch.b"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tgt.checkBranchesGone(t, first, second),
		Steps: []resource.TestStep{
			{
				Config: config(first, "made by the acceptance tests"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("label"), knownvalue.StringExact(first)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("live"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("made by the acceptance tests")),
					tgt.expectBranch(t, first, true),
				},
			},
			{
				Config: config(second, "renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("label"), knownvalue.StringExact(second)),
					tgt.expectBranch(t, first, false),
					tgt.expectBranch(t, second, true),
				},
			},
		},
	})
}

// TestAccLive_snapshotIntoNewBranch: the target workspace's schema is exported to a file, and
// imported into a new branch of the same workspace (not live), which destroy deletes. The
// archive is the workspace's own, so it brings no table the workspace does not have.
func TestAccLive_snapshotIntoNewBranch(t *testing.T) {
	tgt := startPublicTarget(t)
	tgt.skipWithoutExports(t)
	label := tgt.label(t)
	out := filepath.Join(t.TempDir(), "schema.tar.gz")
	hexSHA := knownvalue.StringRegexp(sha256HexRegex)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tgt.checkBranchesGone(t, label),
		Steps: []resource.TestStep{{
			Config: tgt.providerConfig(`
resource "xano_workspace_snapshot" "s" {
  workspace_id      = %[1]d
  output_path       = %[2]q
  retain_on_destroy = false
}

resource "xano_workspace_schema_import" "copy" {
  workspace_id  = %[1]d
  branch        = %[3]q
  source_path   = xano_workspace_snapshot.s.output_path
  source_sha256 = xano_workspace_snapshot.s.archive_sha256
}
`, tgt.ws, out, label),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xano_workspace_snapshot.s", tfjsonpath.New("archive_sha256"), hexSHA),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.s", tfjsonpath.New("content_sha256"), hexSHA),
				statecheck.ExpectKnownValue("xano_workspace_schema_import.copy", tfjsonpath.New("live"), knownvalue.Bool(false)),
				tgt.expectBranch(t, label, true),
			},
		}},
	})
}
