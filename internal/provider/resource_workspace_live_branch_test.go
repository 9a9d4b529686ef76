package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

const workspaceLiveBranchAddr = "xano_workspace_live_branch.test"

// Set a new branch live, see another branch made live out of band as drift and repair it,
// import by workspace ID, and hand liveness back to v1.
func TestAccWorkspaceLiveBranch_lifecycle(t *testing.T) {
	inst := startEmulator(t, nil)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Destroying forgets the live branch: v1 stays live, and the release branch is gone.
			return expectBranches(t, inst, 2, "v1")
		},
		Steps: []resource.TestStep{
			{
				Config: workspaceLiveBranchConfig(inst, "xano_workspace_branch.release.label"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceLiveBranchAddr, tfjsonpath.New("id"), knownvalue.StringExact("2")),
					statecheck.ExpectKnownValue(workspaceLiveBranchAddr, tfjsonpath.New("branch"), knownvalue.StringExact("release_1")),
					checkEmulator("release_1 is live", func() error { return expectLive(t, inst, 2, "release_1") }),
				},
			},
			{
				// Another branch made live out of band is drift.
				PreConfig:    func() { inst.SetLive(t, 2, "v1") },
				RefreshState: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(workspaceLiveBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: workspaceLiveBranchConfig(inst, "xano_workspace_branch.release.label"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceLiveBranchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("xano_workspace_branch.release", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("release_1 is live again", func() error { return expectLive(t, inst, 2, "release_1") }),
				},
			},
			{
				Config:            workspaceLiveBranchConfig(inst, "xano_workspace_branch.release.label"),
				ResourceName:      workspaceLiveBranchAddr,
				ImportState:       true,
				ImportStateId:     "2",
				ImportStateVerify: true,
			},
			{
				Config:          workspaceLiveBranchConfig(inst, "xano_workspace_branch.release.label"),
				ResourceName:    workspaceLiveBranchAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "2",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// Hand liveness back to v1, so that the release branch can be destroyed.
				Config: workspaceLiveBranchConfig(inst, `"v1"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceLiveBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("v1 is live", func() error { return expectLive(t, inst, 2, "v1") }),
				},
			},
		},
	})
}

// An unknown branch is refused and names the branch; the live branch is unchanged.
func TestAccWorkspaceLiveBranch_unknownBranch(t *testing.T) {
	inst := startEmulator(t, nil)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(inst) + `
resource "xano_workspace_live_branch" "test" {
  workspace_id = 2
  branch       = "missing"
}
`,
				ExpectError: wrappedText(`Workspace 2 has no branch "missing"`),
			},
			{
				Config: providerConfig(inst) + `
resource "xano_workspace_live_branch" "test" {
  workspace_id = 99
  branch       = "v1"
}
`,
				ExpectError: wrappedText(`Workspace 99 does not exist, or the token cannot see it`),
			},
			{
				Config: providerConfig(inst) + `
resource "xano_workspace_live_branch" "test" {
  workspace_id = 2
  branch       = "v1"
}
`,
				ResourceName:  workspaceLiveBranchAddr,
				ImportState:   true,
				ImportStateId: "production",
				ExpectError:   regexp.MustCompile(`is not a workspace ID`),
			},
			{
				Config: providerConfig(inst),
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("v1 is still live", func() error { return expectLive(t, inst, 2, "v1") }),
				},
			},
		},
	})
}

// workspaceLiveBranchConfig makes branchExpr live in workspace 2, next to a release_1 branch.
func workspaceLiveBranchConfig(inst *emulatortest.Instance, branchExpr string) string {
	return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_branch" "release" {
  workspace_id = 2
  label        = "release_1"
}

resource "xano_workspace_live_branch" "test" {
  workspace_id = 2
  branch       = %s
}
`, branchExpr)
}
