package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

const workspaceBranchAddr = "xano_workspace_branch.test"

// Create, rename in place, change the description, import by ID and by import block.
func TestAccWorkspaceBranch_lifecycle(t *testing.T) {
	inst := startEmulator(t, nil)
	createdAt := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return expectBranches(t, inst, 1, "v1")
		},
		Steps: []resource.TestStep{
			{
				Config: workspaceBranchConfig(inst, "release_1", `description = "First release"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("id"), knownvalue.StringExact("1/release_1")),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("source_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("description"), knownvalue.StringExact("First release")),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("color"),
						knownvalue.StringRegexp(regexp.MustCompile(`^#[0-9a-fA-F]{6}$`))),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("live"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339UTC)),
					createdAt.AddStateValue(workspaceBranchAddr, tfjsonpath.New("created_at")),
					checkEmulator("the branch is a clone of v1", func() error {
						if err := expectBranches(t, inst, 1, "v1", "release_1"); err != nil {
							return err
						}
						return expectBranchFunctions(t, inst, 1, "release_1", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
			{
				// Renaming keeps the branch: an in-place update, not a new clone.
				Config: workspaceBranchConfig(inst, "release_2", `description = "Second release"
  color       = "#1a2b3c"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("id"), knownvalue.StringExact("1/release_2")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("label"), knownvalue.StringExact("release_2")),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("description"), knownvalue.StringExact("Second release")),
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("color"), knownvalue.StringExact("#1a2b3c")),
					createdAt.AddStateValue(workspaceBranchAddr, tfjsonpath.New("created_at")),
					checkEmulator("the branch was renamed", func() error {
						return expectBranches(t, inst, 1, "v1", "release_2")
					}),
				},
			},
			{
				ResourceName:      workspaceBranchAddr,
				ImportState:       true,
				ImportStateId:     "1/release_2",
				ImportStateVerify: true,
			},
			{
				Config: workspaceBranchConfig(inst, "release_2", `description = "Second release"
  color       = "#1a2b3c"`),
				ResourceName:    workspaceBranchAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "1/release_2",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// The description is read back on every refresh: clearing it in Xano is drift that apply repairs,
// and one set in Xano while the configuration leaves it unset is recorded, not fought.
func TestAccWorkspaceBranch_descriptionChangedInXano(t *testing.T) {
	inst := startEmulator(t, nil)
	setDescription := func(desc string) {
		status, body := inst.Do(t, http.MethodPut, "/workspace/1/branch/release_1", map[string]string{"description": desc})
		if status != http.StatusOK {
			t.Fatalf("setting the description in the emulator: %d %s", status, body)
		}
	}
	descriptionIs := func(want string) statecheck.StateCheck {
		return checkEmulator("the branch's description in Xano", func() error {
			status, body := inst.Do(t, http.MethodGet, "/workspace/1/branch/release_1", nil)
			var b struct {
				Description string `json:"description"`
			}
			if err := json.Unmarshal(body, &b); status != http.StatusOK || err != nil {
				return fmt.Errorf("reading the branch: %d %s (%v)", status, body, err)
			}
			if b.Description != want {
				return fmt.Errorf("the description is %q, want %q", b.Description, want)
			}
			return nil
		})
	}
	described := workspaceBranchConfig(inst, "release_1", `description = "First release"`)
	undescribed := workspaceBranchConfig(inst, "release_1", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            described,
				ConfigStateChecks: []statecheck.StateCheck{descriptionIs("First release")},
			},
			{
				// Cleared in the Xano UI: the plan puts it back.
				PreConfig: func() { setDescription("") },
				Config:    described,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("description"), knownvalue.StringExact("First release")),
					descriptionIs("First release"),
				},
			},
			{
				// Unset in the configuration: Xano's description is kept and recorded.
				PreConfig: func() { setDescription("Written in the Xano UI") },
				Config:    undescribed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("description"),
						knownvalue.StringExact("Written in the Xano UI")),
					descriptionIs("Written in the Xano UI"),
				},
			},
			{
				// "" clears it.
				Config: workspaceBranchConfig(inst, "release_1", `description = ""`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					descriptionIs(""),
				},
			},
		},
	})
}

// A branch deleted outside Terraform is created again; a label with a slash is imported by its
// escaped ID.
func TestAccWorkspaceBranch_deletedOutOfBand(t *testing.T) {
	inst := startEmulator(t, nil)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: workspaceBranchConfig(inst, "feature/x", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("id"), knownvalue.StringExact("1/feature%2Fx")),
				},
			},
			{
				ResourceName:      workspaceBranchAddr,
				ImportState:       true,
				ImportStateId:     "1/feature%2Fx",
				ImportStateVerify: true,
			},
			{
				PreConfig: func() { inst.DeleteBranch(t, 1, "feature/x") },
				Config:    workspaceBranchConfig(inst, "feature/x", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("the branch exists again", func() error {
						return expectBranches(t, inst, 1, "v1", "feature/x")
					}),
				},
			},
		},
	})
}

// Xano cannot delete the live branch: destroying it is refused with what to do; once another
// branch is live, it is deleted.
func TestAccWorkspaceBranch_liveBranchNotDeleted(t *testing.T) {
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 1, "dev", "")
	inst.AddFunction(t, 1, "dev", "dev_only", "return 'dev'")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return expectBranches(t, inst, 1, "v1", "dev")
		},
		Steps: []resource.TestStep{
			{
				Config: workspaceBranchConfig(inst, "release_1", `source_branch = "dev"`),
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("the branch is a clone of dev", func() error {
						return expectBranchFunctions(t, inst, 1, "release_1", "compute_invoice_total", "dev_only", "send_welcome_email")
					}),
				},
			},
			{
				// Made live out of band: refresh sees it, the plan is empty.
				PreConfig: func() { inst.SetLive(t, 1, "release_1") },
				Config:    workspaceBranchConfig(inst, "release_1", `source_branch = "dev"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					checkEmulator("release_1 is live", func() error { return expectLive(t, inst, 1, "release_1") }),
				},
			},
			{
				Config:      workspaceBranchConfig(inst, "release_1", `source_branch = "dev"`),
				Destroy:     true,
				ExpectError: wrappedText(`Branch "release_1" is the live branch of workspace 1, and Xano cannot delete a live branch. Make another branch live first`),
			},
			{
				// A new source replaces the branch (it is not live any more).
				PreConfig: func() { inst.SetLive(t, 1, "v1") },
				Config:    workspaceBranchConfig(inst, "release_1", `source_branch = "v1"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("the branch is now a clone of v1", func() error {
						return expectBranchFunctions(t, inst, 1, "release_1", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// An imported branch adopts the configured source_branch without being replaced: Xano does not
// say which branch it was cloned from.
func TestAccWorkspaceBranch_importAdoptsSourceBranch(t *testing.T) {
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 1, "dev", "")
	inst.CreateBranch(t, 1, "from_dev", "dev")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             workspaceBranchConfig(inst, "from_dev", `source_branch = "dev"`),
				ResourceName:       workspaceBranchAddr,
				ImportState:        true,
				ImportStateId:      "1/from_dev",
				ImportStatePersist: true,
			},
			{
				Config: workspaceBranchConfig(inst, "from_dev", `source_branch = "dev"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceBranchAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceBranchAddr, tfjsonpath.New("source_branch"), knownvalue.StringExact("dev")),
					checkEmulator("the branch was not replaced", func() error {
						return expectBranches(t, inst, 1, "v1", "dev", "from_dev")
					}),
				},
			},
			{
				Config: workspaceBranchConfig(inst, "from_dev", `source_branch = "dev"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// Labels are checked at plan time: v1 and malformed labels are refused, as are malformed colors
// and import IDs.
func TestAccWorkspaceBranch_invalidInput(t *testing.T) {
	inst := startEmulator(t, nil)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      workspaceBranchConfig(inst, "v1", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile("`v1` is the default branch"),
			},
			{
				Config:      workspaceBranchConfig(inst, "bad label", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`The branch label "bad label" is not valid`),
			},
			{
				Config:      workspaceBranchConfig(inst, "ok", `color = "yellow"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile("must be a color written `#rrggbb`"),
			},
			{
				Config:        workspaceBranchConfig(inst, "ok", ""),
				ResourceName:  workspaceBranchAddr,
				ImportState:   true,
				ImportStateId: "release_1",
				ExpectError:   regexp.MustCompile(`is not <workspace_id>/<branch label>`),
			},
			{
				Config:        workspaceBranchConfig(inst, "ok", ""),
				ResourceName:  workspaceBranchAddr,
				ImportState:   true,
				ImportStateId: "1/missing",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// workspaceBranchConfig is a branch of workspace 1; extra is added to the resource block.
func workspaceBranchConfig(inst *emulatortest.Instance, label, extra string) string {
	return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_branch" "test" {
  workspace_id = 1
  label        = %q
  %s
}
`, label, extra)
}
