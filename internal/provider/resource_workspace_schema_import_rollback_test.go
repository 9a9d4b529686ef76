package provider

import (
	"context"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// A re-import of a branch that is not live, with set_live turned on, that fails when the old
// branch is deleted: the workspace's live branch is the one it was, and no temporary branch is
// left. Without the fault, the same plan imports and then makes the branch live.
func TestAccWorkspaceSchemaImport_reimportNotLiveRollback(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src := siExport(t, inst, 1, dir, "staging.tar.gz")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config:            providerConfig(inst) + siResource(src, "set_live = false"),
				ConfigStateChecks: []statecheck.StateCheck{siBranchesAre(t, inst, "v1", "release_1")},
			},
			{
				PreConfig: func() {
					inst.AddFunction(t, 1, "", "second_release_fn", "return 2\n")
					siExport(t, inst, 1, dir, "staging.tar.gz")
					addFault(t, inst, emulator.Fault{Method: http.MethodDelete, Path: "/workspace/2/branch/release_1", Status: 500, Code: "ERROR_FATAL", Message: "injected"})
				},
				Config:      providerConfig(inst) + siResource(src, "set_live = true"),
				ExpectError: wrappedText(`deleting the old branch "release_1", to rename the new one in its place, failed`),
			},
			{
				PreConfig: func() {
					siRequireBranches(t, inst, "v1", "release_1")
					if err := inst.Control.ClearFaults(context.Background()); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerConfig(inst) + siResource(src, "set_live = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, append(stagingFunctions, "second_release_fn")...),
				},
			},
			siMakeV1Live(t, inst, src, ""),
		},
	})
}
