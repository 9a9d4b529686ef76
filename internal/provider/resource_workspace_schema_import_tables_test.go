package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// Two schema imports into one workspace: the second brings tables, which are workspace-wide, so
// they appear in the export of the first branch too. That is not drift of the first branch: the
// plan is empty. An edit of the first branch itself still is.
func TestAccWorkspaceSchemaImport_twoImportsOneWorkspace(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	srcA := siExport(t, inst, 1, dir, "a.tar.gz")
	inst.AddTable(t, 1, "invoice")
	inst.AddFunction(t, 1, "", "b_only_fn", "return 1\n")
	srcB := siExport(t, inst, 1, dir, "b.tar.gz")
	config := providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_schema_import" "a" {
  workspace_id  = 2
  branch        = "release_a"
  source_path   = %q
  source_sha256 = filesha256(%q)
}

resource "xano_workspace_schema_import" "b" {
  workspace_id  = 2
  branch        = "release_b"
  source_path   = %q
  source_sha256 = filesha256(%q)

  depends_on = [xano_workspace_schema_import.a]
}
`, srcA, srcA, srcB, srcB)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					// The demo seed's production has its own table user, so only invoice is checked.
					checkEmulator("tables", func() error { return expectTable(t, inst, 2, "invoice") }),
					siBranchesAre(t, inst, "v1", "release_a", "release_b"),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { inst.AddFunction(t, 2, "release_a", "edited_by_hand", "return 1\n") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("xano_workspace_schema_import.a", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("xano_workspace_schema_import.b", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("functions", func() error {
						return expectBranchFunctions(t, inst, 2, "release_a", stagingFunctions...)
					}),
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

// expectTable checks that ws has a table name.
func expectTable(t *testing.T, inst *emulatortest.Instance, ws int64, name string) error {
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
	for _, tb := range tables {
		if tb.Name == name {
			return nil
		}
	}
	return fmt.Errorf("workspace %d has no table %q: %s", ws, name, data)
}
