package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

const schemaImportAddr = "xano_workspace_schema_import.test"

// siResource is one xano_workspace_schema_import "test" of branch release_1 in workspace 2 (the
// demo seed's production) from the archive at src, checked with filesha256, plus extra arguments.
func siResource(src, extra string) string {
	return fmt.Sprintf(`
resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = %q
  source_sha256 = filesha256(%q)
  %s
}
`, src, src, extra)
}

// siPromotionConfig is the promotion in one configuration: a snapshot of staging's schema written
// to src, imported into a new branch release_1 of production and set live.
func siPromotionConfig(inst *emulatortest.Instance, src string) string {
	return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  output_path  = %q
}

resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = xano_workspace_snapshot.staging.output_path
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  set_live      = true
}
`, src)
}

// siExport writes an export-schema of the live branch of ws into dir/name, through the
// emulator's HTTP API, and returns its path.
func siExport(t *testing.T, inst *emulatortest.Instance, ws int64, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, inst.Export(t, ws, "", false), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// siContent is the branch content hash of an export-schema of a branch of workspace 2, computed
// by the test.
func siContent(t *testing.T, inst *emulatortest.Instance, branch string) string {
	t.Helper()
	info, err := archive.Inspect(bytes.NewReader(inst.Export(t, 2, branch, false)), archive.Limits{}, archive.BranchView())
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentSHA256 == "" {
		t.Fatalf("the export was not inspected: %+v", info)
	}
	return info.ContentSHA256
}

// siBranchesAre checks the branches of workspace 2, the first being the live one.
func siBranchesAre(t *testing.T, inst *emulatortest.Instance, want ...string) statecheck.StateCheck {
	return checkEmulator("branches", func() error { return expectBranches(t, inst, 2, want...) })
}

// siRequireBranches fails the test now unless workspace 2 has the branches want, the first live.
func siRequireBranches(t *testing.T, inst *emulatortest.Instance, want ...string) {
	t.Helper()
	if err := expectBranches(t, inst, 2, want...); err != nil {
		t.Fatal(err)
	}
}

// stagingFunctions are the functions of the demo seed's staging workspace.
var stagingFunctions = []string{"send_welcome_email", "compute_invoice_total"}

// siFunctionsAre checks the functions of branch release_1 of workspace 2.
func siFunctionsAre(t *testing.T, inst *emulatortest.Instance, want ...string) statecheck.StateCheck {
	return checkEmulator("functions", func() error { return expectBranchFunctions(t, inst, 2, "release_1", want...) })
}

// siNoRequest checks that the emulator received no request method path since its request log was
// last cleared.
func siNoRequest(inst *emulatortest.Instance, method, path string) statecheck.StateCheck {
	return checkEmulator("requests", func() error {
		n, err := countRequests(inst, method, path)
		if err == nil && n > 0 {
			err = fmt.Errorf("%d unexpected %s %s", n, method, path)
		}
		return err
	})
}

// siFileSHA256 checks that a value is the SHA-256 of the file at p as it is when checked.
func siFileSHA256(p string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		d, err := digestFile(p)
		if err != nil {
			return err
		}
		if v != d.SHA256 {
			return fmt.Errorf("got %s, but %s hashes to %s", v, p, d.SHA256)
		}
		return nil
	})
}

// siContentOf checks that a value is the content hash of a branch of workspace 2 in the emulator
// now.
func siContentOf(t *testing.T, inst *emulatortest.Instance, branch string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		if want := siContent(t, inst, branch); v != want {
			return fmt.Errorf("got %s, but branch %q of workspace 2 has content %s", v, branch, want)
		}
		return nil
	})
}

// siImportOutOfBand imports an archive into a new branch through the emulator's HTTP API, as a
// person or another tool would.
func siImportOutOfBand(t *testing.T, inst *emulatortest.Instance, ws int64, label, src string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filepath.Base(src))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.WriteField("newbranch", label)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/workspace/%d/import-schema", inst.MetaURL(), ws), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+inst.Token)
	resp, err := inst.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("import-schema %q: %d %s", label, resp.StatusCode, msg)
	}
}

// siMakeV1Live is the last step of tests whose branch is live: Xano cannot delete a live branch,
// so v1 is made live again (out of band) and set_live turned off, for the test's destroy. extra
// holds other arguments of the resource.
func siMakeV1Live(t *testing.T, inst *emulatortest.Instance, src, extra string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() { inst.SetLive(t, 2, "v1") },
		Config:    providerConfig(inst) + siResource(src, "set_live = false\n  "+extra),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(false)),
		},
	}
}

// siCheckOnlyV1 is a CheckDestroy: workspace 2 is back to its single branch v1.
func siCheckOnlyV1(t *testing.T, inst *emulatortest.Instance) resource.TestCheckFunc {
	return func(*terraform.State) error { return expectBranches(t, inst, 2, "v1") }
}

// Promotion: staging's schema, exported by a snapshot in the same configuration, is imported
// into a new branch of production and made live; a second plan is empty.
func TestAccWorkspaceSchemaImport_promotion(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src := filepath.Join(dir, "staging.tar.gz")
	config := siPromotionConfig(inst, src)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2/release_1")),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("source_sha256")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2/release_1")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("source_sha256"), siFileSHA256(src)),
					statecheck.CompareValuePairs(schemaImportAddr, tfjsonpath.New("imported_sha256"),
						"xano_workspace_snapshot.staging", tfjsonpath.New("archive_sha256"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "release_1")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339UTC)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, stagingFunctions...),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { inst.SetLive(t, 2, "v1") },
				Config:    strings.Replace(config, "set_live      = true", "set_live      = false", 1),
			},
		},
	})
}

// Out-of-band changes: another branch made live, a function added to the branch, the branch
// deleted, and, with detect_drift = false, a function change that is not looked for.
func TestAccWorkspaceSchemaImport_outOfBand(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "set_live = true")
	noDrift := providerConfig(inst) + siResource(src, "set_live = true\n  detect_drift = false")
	content := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			// (i) Another branch is made live: the plan makes ours live again, without re-importing.
			// It also warns that the branch is no longer live (TestSchemaImportPlanExplainsDrift checks
			// the text: the testing framework cannot see warnings); a warning does not stop the apply.
			{
				PreConfig: func() {
					inst.SetLive(t, 2, "v1")
					clearRequests(t, inst)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siNoRequest(inst, http.MethodPost, "/workspace/2/import-schema"),
				},
			},
			// (ii) A function is added to the branch by hand: drift. A refresh records what it
			// observes, and the plan, then and after, is an in-place re-import, with a warning that
			// the branch has drifted...
			{
				PreConfig:          func() { inst.AddFunction(t, 2, "release_1", "edited_by_hand", "return 1\n") },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					},
				},
			},
			// ...that repairs the branch, keeping its label and liveness.
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2/release_1")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, stagingFunctions...), // not edited_by_hand
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			// (iii) The branch is deleted by hand: the plan creates it again.
			{
				PreConfig: func() {
					inst.SetLive(t, 2, "v1")
					inst.DeleteBranch(t, 2, "release_1")
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			// (iv) With detect_drift = false, a change by hand is not looked for: no export at all.
			{
				Config: noDrift,
			},
			{
				PreConfig: func() {
					inst.AddFunction(t, 2, "release_1", "edited_by_hand", "return 2\n")
					clearRequests(t, inst)
				},
				Config: noDrift,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					siNoRequest(inst, http.MethodPost, "/workspace/2/export-schema"),
				},
			},
			siMakeV1Live(t, inst, src, "detect_drift = false"),
		},
	})
}

// A new archive re-imports the branch in place, keeping its label and liveness; a failure in the
// middle leaves the old branch untouched and live, and no temporary branch behind.
func TestAccWorkspaceSchemaImport_newArchive(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src := siExport(t, inst, 1, dir, "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "set_live = true")
	content := statecheck.CompareValue(compare.ValuesDiffer())
	var before string // content of release_1 before a failed re-import

	// newStagingArchive adds a function to staging and exports it again over src.
	newStagingArchive := func(fn string) {
		inst.AddFunction(t, 1, "", fn, "return \""+fn+"\"\n")
		siExport(t, inst, 1, dir, "staging.tar.gz")
	}
	// requireUntouched checks, after a failed re-import, that release_1 is as it was and live, and
	// that no temporary branch is left.
	requireUntouched := func() {
		siRequireBranches(t, inst, "release_1", "v1")
		if got := siContent(t, inst, "release_1"); got != before {
			t.Fatalf("content of release_1 changed after a failed re-import: %s, was %s", got, before)
		}
		if err := inst.Control.ClearFaults(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
				},
			},
			{
				PreConfig: func() { newStagingArchive("second_release_fn") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "release_1")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, append(stagingFunctions, "second_release_fn")...),
				},
			},
			// Deleting the old branch fails: the temporary branch is removed, release_1 is live again.
			{
				PreConfig: func() {
					before = siContent(t, inst, "release_1")
					newStagingArchive("third_release_fn")
					addFault(t, inst, emulator.Fault{Method: http.MethodDelete, Path: "/workspace/2/branch/release_1", Status: 500, Code: "ERROR_FATAL", Message: "injected"})
				},
				Config:      config,
				ExpectError: wrappedText(`deleting the old branch "release_1", to rename the new one in its place, failed`),
			},
			// The import into the temporary branch fails: nothing is left behind.
			{
				PreConfig: func() {
					requireUntouched()
					addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/2/import-schema", Status: 500, Code: "ERROR_FATAL", Message: "injected"})
				},
				Config:      config,
				ExpectError: wrappedText(`Cannot re-import branch "release_1" of workspace 2`),
			},
			// Without faults, the same plan now succeeds.
			{
				PreConfig: requireUntouched,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, append(stagingFunctions, "second_release_fn", "third_release_fn")...),
				},
			},
			siMakeV1Live(t, inst, src, ""),
		},
	})
}

// Destroy deletes a branch that is not live.
func TestAccWorkspaceSchemaImport_destroy(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(inst) + siResource(src, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("set_live"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(false)),
					siBranchesAre(t, inst, "v1", "release_1"),
				},
			},
		},
	})
}

// Destroying the live branch is refused with a message saying how to proceed; once another branch
// is live, destroy deletes it.
func TestAccWorkspaceSchemaImport_destroyLive(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "set_live = true")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:  config,
				Destroy: true,
				ExpectError: wrappedText(`Branch "release_1" is the live branch of workspace 2, and Xano cannot delete a ` +
					`live branch. Make another branch live first (in the Xano UI or with xano_workspace_live_branch), ` +
					`or, when you are replacing it under a new label, add lifecycle { create_before_destroy = true } so ` +
					`the new branch is made live before this one is deleted; or set retain_on_destroy = true to keep it.`),
			},
			{
				PreConfig: func() { siRequireBranches(t, inst, "release_1", "v1") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			siMakeV1Live(t, inst, src, ""),
		},
	})
}

// retain_on_destroy keeps the branch in Xano.
func TestAccWorkspaceSchemaImport_retainOnDestroy(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return expectBranches(t, inst, 2, "v1", "release_1") },
		Steps: []resource.TestStep{
			{
				Config: providerConfig(inst) + siResource(src, "retain_on_destroy = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("retain_on_destroy"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// Import by ID (terraform import) and by import block: the archive is read back from the branch,
// so nothing differs and the plan is empty.
func TestAccWorkspaceSchemaImport_importState(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "set_live = true")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:      schemaImportAddr,
				Config:            config,
				ImportState:       true,
				ImportStateId:     "2/release_1",
				ImportStateVerify: true,
				// What the last import changed is not known to terraform import: it has no plan.
				ImportStateVerifyIgnore: []string{"changes"},
			},
			{
				ResourceName:    schemaImportAddr,
				Config:          config,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "2/release_1",
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("source_sha256"), siFileSHA256(src)),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					},
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			siMakeV1Live(t, inst, src, ""),
		},
	})
}

// A branch made outside Terraform, with a "/" in its label, is imported by its escaped ID. Its
// archive is unknown to Xano: the first apply records the configured one without importing it
// again, and the next plan is empty.
func TestAccWorkspaceSchemaImport_importSlashLabel(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	siImportOutOfBand(t, inst, 2, "feature/x", src)
	config := providerConfig(inst) + fmt.Sprintf(`
import {
  to = xano_workspace_schema_import.test
  id = "2/feature%%2Fx"
}

resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "feature/x"
  source_path   = %q
  source_sha256 = filesha256(%q)
}
`, src, src)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { clearRequests(t, inst) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2/feature%2Fx")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("branch"), knownvalue.StringExact("feature/x")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "feature/x")),
					siBranchesAre(t, inst, "v1", "feature/x"),
					siNoRequest(inst, http.MethodPost, "/workspace/2/import-schema"),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// Bad input is refused, at plan time when it can be, and nothing changes in Xano.
func TestAccWorkspaceSchemaImport_badInput(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src := siExport(t, inst, 1, dir, "staging.tar.gz")
	other := siExport(t, inst, 2, dir, "production.tar.gz")
	status, enc := inst.Do(t, http.MethodPost, "/workspace/1/export-schema", map[string]string{"branch": "", "password": "right-password"})
	if status != http.StatusOK {
		t.Fatalf("encrypted export: %d %s", status, enc)
	}
	encrypted := filepath.Join(dir, "staging.enc.tar.gz")
	if err := os.WriteFile(encrypted, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	otherSum, err := digestFile(other)
	if err != nil {
		t.Fatal(err)
	}
	srcSum, err := digestFile(src)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func() { siRequireBranches(t, inst, "v1") }
	withArgs := func(ws int, branch, path, sum, extra string) string {
		return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_schema_import" "test" {
  workspace_id  = %d
  branch        = %q
  source_path   = %q
  source_sha256 = %q
  %s
}
`, ws, branch, path, sum, extra)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      withArgs(2, "v1", src, srcSum.SHA256, ""),
				ExpectError: wrappedText("`v1` is the default branch that every Xano workspace already has"),
			},
			{
				PreConfig:   unchanged,
				Config:      withArgs(2, "release 1", src, srcSum.SHA256, ""),
				ExpectError: wrappedText(`The branch label "release 1" is not valid`),
			},
			{
				PreConfig:   unchanged,
				Config:      withArgs(2, "release_1", src, otherSum.SHA256, ""),
				ExpectError: wrappedText(fmt.Sprintf("source_path's sha256 is %s but source_sha256 is %s", srcSum.SHA256, otherSum.SHA256)),
			},
			{
				PreConfig:   unchanged,
				Config:      withArgs(2, "release_1", filepath.Join(dir, "missing.tar.gz"), srcSum.SHA256, ""),
				ExpectError: wrappedText(fmt.Sprintf("source_path %q does not exist", filepath.Join(dir, "missing.tar.gz"))),
			},
			{
				PreConfig:   unchanged,
				Config:      providerConfig(inst) + strings.Replace(siResource(src, ""), "workspace_id  = 2", "workspace_id  = 99", 1),
				ExpectError: wrappedText("Workspace 99 not found"),
			},
			{
				PreConfig:   unchanged,
				Config:      providerConfig(inst) + siResource(encrypted, ""),
				ExpectError: wrappedText(fmt.Sprintf("source_path %q is an encrypted archive", encrypted)),
			},
			{
				PreConfig:   unchanged,
				Config:      providerConfig(inst) + siResource(encrypted, `password = "wrong-password"`),
				ExpectError: wrappedText("Xano could not decrypt the archive"),
			},
			{
				PreConfig: unchanged,
				Config:    providerConfig(inst) + siResource(encrypted, `password = "right-password"`),
				ConfigStateChecks: []statecheck.StateCheck{
					siBranchesAre(t, inst, "v1", "release_1"),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "release_1")),
				},
			},
		},
	})
}

// A token that may only read is refused with a message saying it needs write access; nothing
// changes in Xano.
func TestAccWorkspaceSchemaImport_readOnlyToken(t *testing.T) {
	fx := emulator.DemoFixture()
	fx.Tokens = []emulator.FixtureToken{{Token: "read-only-token", Scopes: []string{"read"}}}
	inst := startEmulator(t, fx)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	readOnly := *inst
	readOnly.Token = "read-only-token"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      providerConfig(&readOnly) + siResource(src, "set_live = true"),
				ExpectError: wrappedText("it needs write access"),
			},
		},
	})
}

// The password of an encrypted archive given write-only never reaches state.
func TestAccWorkspaceSchemaImport_passwordWriteOnly(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	const password = "write-only-archive-password"
	status, enc := inst.Do(t, http.MethodPost, "/workspace/1/export-schema", map[string]string{"branch": "", "password": password})
	if status != http.StatusOK {
		t.Fatalf("encrypted export: %d %s", status, enc)
	}
	src := filepath.Join(dir, "staging.enc.tar.gz")
	if err := os.WriteFile(src, enc, 0o644); err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(inst) + siResource(src, fmt.Sprintf("password_wo = %q\n  password_wo_version = 1", password)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectNoSecretsInState(password),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					siBranchesAre(t, inst, "v1", "release_1"),
				},
			},
			{
				Config: providerConfig(inst) + siResource(src, fmt.Sprintf("password_wo = %q\n  password_wo_version = 1", password)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// A new release label with create_before_destroy: the new branch is imported and made live
// before the old one, no longer live, is deleted.
func TestAccWorkspaceSchemaImport_newLabelCreateBeforeDestroy(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := func(label string, setLive bool) string {
		return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = %q
  source_path   = %q
  source_sha256 = filesha256(%q)
  set_live      = %t

  lifecycle {
    create_before_destroy = true
  }
}
`, label, src, src, setLive)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config:            config("release_1", true),
				ConfigStateChecks: []statecheck.StateCheck{siBranchesAre(t, inst, "release_1", "v1")},
			},
			{
				Config: config("release_2", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionCreateBeforeDestroy),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2/release_2")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_2", "v1"),
				},
			},
			{
				PreConfig: func() { inst.SetLive(t, 2, "v1") },
				Config:    config("release_2", false),
			},
		},
	})
}

// When only the last step of a re-import fails (renaming the temporary branch), the error names
// the branch that holds the import; once it is renamed by hand, the resource takes it as it is.
func TestAccWorkspaceSchemaImport_renameFailure(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src := siExport(t, inst, 1, dir, "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "set_live = true")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					inst.AddFunction(t, 1, "", "second_release_fn", "return 2\n")
					siExport(t, inst, 1, dir, "staging.tar.gz")
					addFault(t, inst, emulator.Fault{Method: http.MethodPut, Path: "/workspace/2/branch/release_1__tf_*", Status: 500, Code: "ERROR_FATAL", Message: "injected"})
				},
				Config:      config,
				ExpectError: wrappedText(`The old branch "release_1" of workspace 2 was deleted and the archive`),
			},
			{
				PreConfig: func() {
					var tmp string
					for _, b := range inst.Branches(t, 2) {
						if strings.HasPrefix(b.Label, "release_1__tf_") && b.Live {
							tmp = b.Label
						}
					}
					if tmp == "" {
						t.Fatalf("no live temporary branch holds the import: %v", inst.Branches(t, 2))
					}
					if status, body := inst.Do(t, http.MethodPut, "/workspace/2/branch/"+tmp, map[string]string{"label": "release_1"}); status != http.StatusOK {
						t.Fatalf("renaming %s: %d %s", tmp, status, body)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "release_1")),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, append(stagingFunctions, "second_release_fn")...),
				},
			},
			siMakeV1Live(t, inst, src, ""),
		},
	})
}
