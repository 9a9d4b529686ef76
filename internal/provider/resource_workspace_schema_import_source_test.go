package provider

import (
	"fmt"
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A fresh CI runner: the snapshot's file is gone, so the snapshot exports staging again, with new
// bytes but the same content. The branch is not imported again: the update only records the new
// archive (no upload, same branch), and the next plan is empty.
func TestAccWorkspaceSchemaImport_freshRunner(t *testing.T) {
	inst := startEmulator(t, nil)
	src := filepath.Join(t.TempDir(), "staging.tar.gz")
	config := siPromotionConfig(inst, src)
	content := statecheck.CompareValue(compare.ValuesSame())
	created := statecheck.CompareValue(compare.ValuesSame())
	imported := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					created.AddStateValue(schemaImportAddr, tfjsonpath.New("created_at")),
					imported.AddStateValue(schemaImportAddr, tfjsonpath.New("imported_sha256")),
				},
			},
			{
				PreConfig: func() {
					if err := os.Remove(src); err != nil {
						t.Fatal(err)
					}
					clearRequests(t, inst)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("xano_workspace_snapshot.staging", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("source_sha256")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					content.AddStateValue(schemaImportAddr, tfjsonpath.New("content_sha256")),
					created.AddStateValue(schemaImportAddr, tfjsonpath.New("created_at")),
					imported.AddStateValue(schemaImportAddr, tfjsonpath.New("imported_sha256")),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siNoRequest(inst, http.MethodPost, "/workspace/2/import-schema"),
					siNoRequest(inst, http.MethodDelete, "/workspace/2/branch/release_1"),
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			// A new archive whose content differs is still imported.
			{
				PreConfig: func() {
					inst.AddFunction(t, 1, "", "second_release_fn", "return 2\n")
					if err := os.Remove(src); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("imported_sha256"), siFileSHA256(src)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), siContentOf(t, inst, "release_1")),
					siFunctionsAre(t, inst, append(stagingFunctions, "second_release_fn")...),
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			{
				PreConfig: func() { inst.SetLive(t, 2, "v1") },
				Config:    strings.Replace(config, "set_live      = true", "set_live      = false", 1),
			},
		},
	})
}

// The source archive is read only when the plan imports it: once imported, the file may go
// (source_sha256 given as a literal, as it is when the file is not kept), and plans that import
// nothing, even updates, neither need it nor fail. A plan that does import it (to repair drift)
// fails with advice.
func TestAccWorkspaceSchemaImport_sourceGone(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := digestFile(src)
	if err != nil {
		t.Fatal(err)
	}
	config := func(extra string) string {
		return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = %q
  source_sha256 = %q
  %s
}
`, src, sum.SHA256, extra)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{Config: config("")},
			{
				PreConfig: func() {
					if err := os.Remove(src); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: config("set_live = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			{
				PreConfig: func() { inst.AddFunction(t, 2, "release_1", "edited_by_hand", "return 1\n") },
				Config:    config("set_live = true"),
				ExpectError: wrappedText(fmt.Sprintf("source_path %q does not exist, and it is read because it is about "+
					"to be imported. Put the archive back at that path", src)),
			},
			{
				PreConfig: func() {
					if err := os.WriteFile(src, data, 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("set_live = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					siFunctionsAre(t, inst, stagingFunctions...),
					siBranchesAre(t, inst, "release_1", "v1"),
				},
			},
			{
				PreConfig: func() { inst.SetLive(t, 2, "v1") },
				Config:    config("set_live = false"),
			},
		},
	})
}
