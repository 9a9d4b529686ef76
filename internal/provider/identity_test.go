package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// skipBelowIdentity skips a test on CLIs without resource identity (Terraform and OpenTofu below
// 1.12). OpenTofu reports its own version number, which lines up for this feature: OpenTofu 1.12
// stores identity in state and takes import blocks with an identity.
var skipBelowIdentity = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// importByIdentity is an import step whose import block gives the identity recorded in state,
// followed by an empty plan: what the import reads is what the configuration says.
func importByIdentity(addr, config string) resource.TestStep {
	return resource.TestStep{
		Config:          config,
		ResourceName:    addr,
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithResourceIdentity,
		ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectEmptyPlan(),
		}},
	}
}

// importBlock is an import block for addr naming the object by identity (HCL object syntax).
func importBlock(addr, identity string) string {
	return fmt.Sprintf(`
import {
  to       = %s
  identity = %s
}
`, addr, identity)
}

// The identity of a branch is its workspace and its label as it is (a "/" is not escaped, unlike
// in the ID); a rename changes it in place, and an import block with the identity finds the branch
// under either label.
func TestAccWorkspaceBranchIdentity_lifecycle(t *testing.T) {
	inst := startEmulator(t, nil)
	first := workspaceBranchConfig(inst, "feature/x", "")
	renamed := workspaceBranchConfig(inst, "release_2", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		CheckDestroy: func(*terraform.State) error {
			return expectBranches(t, inst, 1, "v1")
		},
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("id"), knownvalue.StringExact("1/feature%2Fx")),
					statecheck.ExpectIdentity(workspaceBranchAddr, map[string]knownvalue.Check{
						"workspace_id": knownvalue.Int64Exact(1),
						"label":        knownvalue.StringExact("feature/x"),
					}),
					statecheck.ExpectIdentityValueMatchesState(workspaceBranchAddr, tfjsonpath.New("workspace_id")),
					statecheck.ExpectIdentityValueMatchesState(workspaceBranchAddr, tfjsonpath.New("label")),
				},
			},
			importByIdentity(workspaceBranchAddr, first),
			{
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValue(workspaceBranchAddr, tfjsonpath.New("label"), knownvalue.StringExact("release_2")),
					statecheck.ExpectIdentityValueMatchesState(workspaceBranchAddr, tfjsonpath.New("label")),
					checkEmulator("the branch was renamed", func() error {
						return expectBranches(t, inst, 1, "v1", "release_2")
					}),
				},
			},
			{
				// A refresh after the rename keeps the new identity and finds nothing to do.
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(workspaceBranchAddr, map[string]knownvalue.Check{
						"workspace_id": knownvalue.Int64Exact(1),
						"label":        knownvalue.StringExact("release_2"),
					}),
				},
			},
			importByIdentity(workspaceBranchAddr, renamed),
		},
	})
}

// An import identity that cannot name a branch of this resource is refused at plan time, saying
// why; one naming a branch that does not exist finds nothing.
func TestAccWorkspaceBranchIdentity_importErrors(t *testing.T) {
	inst := startEmulator(t, nil)
	withImport := func(identity string) string {
		return workspaceBranchConfig(inst, "release_1", "") + importBlock(workspaceBranchAddr, identity)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		Steps: []resource.TestStep{
			{
				Config:      withImport(`{ workspace_id = 0, label = "release_1" }`),
				PlanOnly:    true,
				ExpectError: wrappedText("The import identity's workspace_id is missing or not a workspace ID"),
			},
			{
				Config:      withImport(`{ workspace_id = 1, label = "" }`),
				PlanOnly:    true,
				ExpectError: wrappedText("The import identity has no label"),
			},
			{
				Config:      withImport(`{ workspace_id = 1, label = "v1" }`),
				PlanOnly:    true,
				ExpectError: wrappedText("`v1` is the default branch that every Xano workspace already has"),
			},
			{
				Config:      withImport(`{ workspace_id = 1, label = "release_1" }`),
				PlanOnly:    true,
				ExpectError: wrappedText("Cannot import non-existent remote object"),
			},
			{
				Config: providerConfig(inst),
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("no branch was created", func() error { return expectBranches(t, inst, 1, "v1") }),
				},
			},
		},
	})
}

// The identity of a live branch is its workspace.
func TestAccWorkspaceLiveBranchIdentity_lifecycle(t *testing.T) {
	inst := startEmulator(t, nil)
	config := workspaceLiveBranchConfig(inst, "xano_workspace_branch.release.label")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		CheckDestroy: func(*terraform.State) error {
			return expectBranches(t, inst, 2, "v1")
		},
		Steps: []resource.TestStep{
			{
				Config: workspaceLiveBranchConfig(inst, `"v1"`) +
					importBlock(workspaceLiveBranchAddr, `{ workspace_id = 0 }`),
				PlanOnly:    true,
				ExpectError: wrappedText("The import identity's workspace_id is missing or not a workspace ID"),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(workspaceLiveBranchAddr, map[string]knownvalue.Check{
						"workspace_id": knownvalue.Int64Exact(2),
					}),
					statecheck.ExpectIdentityValueMatchesState(workspaceLiveBranchAddr, tfjsonpath.New("workspace_id")),
					checkEmulator("release_1 is live", func() error { return expectLive(t, inst, 2, "release_1") }),
				},
			},
			importByIdentity(workspaceLiveBranchAddr, config),
			{
				// Hand liveness back to v1, so that the release branch can be destroyed.
				Config: workspaceLiveBranchConfig(inst, `"v1"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValue(workspaceLiveBranchAddr, tfjsonpath.New("workspace_id"), knownvalue.Int64Exact(2)),
					checkEmulator("v1 is live", func() error { return expectLive(t, inst, 2, "v1") }),
				},
			},
		},
	})
}

// The identity of a schema import is its workspace and its branch; an import block with it reads
// the archive back from the branch, so the plan is empty.
func TestAccWorkspaceSchemaImportIdentity_lifecycle(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      config + importBlock(schemaImportAddr, `{ workspace_id = 2, branch = "v1" }`),
				PlanOnly:    true,
				ExpectError: wrappedText(`The import identity {workspace_id = 2, branch = "v1"} names a branch that xano_workspace_schema_import cannot manage`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(schemaImportAddr, map[string]knownvalue.Check{
						"workspace_id": knownvalue.Int64Exact(2),
						"branch":       knownvalue.StringExact("release_1"),
					}),
					statecheck.ExpectIdentityValueMatchesState(schemaImportAddr, tfjsonpath.New("workspace_id")),
					statecheck.ExpectIdentityValueMatchesState(schemaImportAddr, tfjsonpath.New("branch")),
				},
			},
			{
				Config:          config,
				ResourceName:    schemaImportAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("source_sha256"), siFileSHA256(src)),
				}},
			},
		},
	})
}
