package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func branchRow(label string, live bool) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"label":      knownvalue.StringExact(label),
		"live":       knownvalue.Bool(live),
		"backup":     knownvalue.Bool(false),
		"created_at": knownvalue.StringRegexp(rfc3339UTC), // Xano's "2026-11-27 08:10:20+0000", normalised
	})
}

// TestAccWorkspaceDataSources: xano_workspace, xano_workspaces and xano_workspace_branches report
// the demo instance, follow a change of live branch made in Xano, and name an unknown workspace.
func TestAccWorkspaceDataSources(t *testing.T) {
	inst := startEmulator(t, nil)
	config := testConfig(inst, `
data "xano_workspace" "staging" {
  workspace_id = 1
}

data "xano_workspaces" "all" {}

data "xano_workspace_branches" "staging" {
  workspace_id = 1
}
`)
	liveBranch := func(label string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.xano_workspace.staging", tfjsonpath.New("live_branch"), knownvalue.StringExact(label)),
			statecheck.ExpectKnownValue("data.xano_workspace_branches.staging", tfjsonpath.New("live_branch"), knownvalue.StringExact(label)),
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(liveBranch("v1"),
					statecheck.ExpectKnownValue("data.xano_workspace.staging", tfjsonpath.New("id"), knownvalue.StringExact("1")),
					statecheck.ExpectKnownValue("data.xano_workspace.staging", tfjsonpath.New("workspace_id"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("data.xano_workspace.staging", tfjsonpath.New("name"), knownvalue.StringExact("staging")),
					statecheck.ExpectKnownValue("data.xano_workspace.staging", tfjsonpath.New("description"),
						knownvalue.StringExact("Staging workspace (emulator demo seed)")),
					statecheck.ExpectKnownValue("data.xano_workspaces.all", tfjsonpath.New("workspaces"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":          knownvalue.Int64Exact(1),
							"name":        knownvalue.StringExact("staging"),
							"description": knownvalue.StringExact("Staging workspace (emulator demo seed)"),
							"live_branch": knownvalue.StringExact("v1"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":          knownvalue.Int64Exact(2),
							"name":        knownvalue.StringExact("production"),
							"description": knownvalue.StringExact("Production workspace (emulator demo seed)"),
							"live_branch": knownvalue.StringExact("v1"),
						}),
					})),
					statecheck.ExpectKnownValue("data.xano_workspace_branches.staging", tfjsonpath.New("branches"),
						knownvalue.ListExact([]knownvalue.Check{branchRow("v1", true)})),
				),
			},
			{
				PreConfig: func() {
					inst.CreateBranch(t, 1, "release_2", "")
					inst.SetLive(t, 1, "release_2")
				},
				Config: config,
				ConfigStateChecks: append(liveBranch("release_2"),
					statecheck.ExpectKnownValue("data.xano_workspace_branches.staging", tfjsonpath.New("branches"),
						knownvalue.ListExact([]knownvalue.Check{branchRow("v1", false), branchRow("release_2", true)})),
					statecheck.ExpectKnownValue("data.xano_workspaces.all", tfjsonpath.New("workspaces").AtSliceIndex(0).AtMapKey("live_branch"),
						knownvalue.StringExact("release_2")),
				),
			},
			{
				Config:      testConfig(inst, `data "xano_workspace" "missing" { workspace_id = 99 }`),
				ExpectError: errorPattern("Workspace 99 not found", "Check workspace_id"),
			},
			{
				Config:      testConfig(inst, `data "xano_workspace_branches" "missing" { workspace_id = 99 }`),
				ExpectError: errorPattern("Workspace 99 not found", "Check workspace_id"),
			},
		},
	})
}
