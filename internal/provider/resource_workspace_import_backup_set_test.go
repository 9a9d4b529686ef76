package provider

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The documented restore procedure, end to end: a full import takes a backup set of a workspace
// with three branches, then the set is restored as its manifest says (the full archive with
// xano_workspace_import, then each schema archive with xano_workspace_schema_import, found in the
// manifest by the configuration itself), and every branch comes back with the content it had:
// the live branch with its records, the other two with their logic.
func TestAccWorkspaceImport_restoreBackupSet(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	inst.AddFunction(t, 2, "", "production_only", "return 'production'")
	inst.AddTable(t, 2, "production_audit")
	inst.CreateBranch(t, 2, "hotfix", "")
	inst.CreateBranch(t, 2, "feature", "")
	inst.AddFunction(t, 2, "feature", "feature_only", "return 'feature'")

	staging, stagingSHA := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	set := filepath.Join(dir, "sets", "before-staging")
	// What workspace 2 holds before the first import: its whole content and each branch's logic.
	fullBefore := productionContentSHA256(t, inst)
	branchBefore := map[string]string{}
	for _, label := range []string{"v1", "hotfix", "feature"} {
		branchBefore[label] = branchContentOf(t, inst, 2, label)
	}
	deletedPlanned := knownvalue.ListExact([]knownvalue.Check{
		knownvalue.StringExact("v1"), knownvalue.StringExact("feature"), knownvalue.StringExact("hotfix"),
	})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The import to undo, with its backup set.
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), set, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"), deletedPlanned),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(set)),
					checkEmulator("the backup set holds every branch", func() error {
						return expectBackupSet(t, set, "v1", "feature", "hotfix")
					}),
					checkEmulator("the import deleted hotfix and feature", func() error {
						return expectBranches(t, inst, 2, "v1")
					}),
				},
			},
			{
				// The restore, as the manifest says.
				Config: restoreSetConfig(inst, set, filepath.Join(dir, "sets", "before-restore")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1")})),
					plancheck.ExpectResourceAction("xano_workspace_schema_import.branch[1]", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("xano_workspace_schema_import.branch[0]", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("xano_workspace_schema_import.branch[1]", tfjsonpath.New("content_sha256"),
						knownvalue.StringExact(branchBefore["hotfix"])),
					statecheck.ExpectKnownValue("xano_workspace_schema_import.branch[0]", tfjsonpath.New("content_sha256"),
						knownvalue.StringExact(branchBefore["feature"])),
					statecheck.ExpectKnownValue("xano_workspace_schema_import.branch[0]", tfjsonpath.New("live"),
						knownvalue.Bool(false)),
					checkEmulator("workspace 2 is back as it was", func() error {
						if err := expectBranches(t, inst, 2, "v1", "hotfix", "feature"); err != nil {
							return err
						}
						if err := equalHash("workspace 2's content", productionContentSHA256(t, inst), fullBefore); err != nil {
							return err
						}
						for label, want := range branchBefore {
							if err := equalHash("branch "+label, branchContentOf(t, inst, 2, label), want); err != nil {
								return err
							}
						}
						if err := expectTables(t, inst, 2, "user", "production_audit"); err != nil {
							return err
						}
						// The source of the first import, staging, was never touched.
						if err := expectTables(t, inst, 1, "user", "order"); err != nil {
							return err
						}
						return expectBranchFunctions(t, inst, 2, "feature", "feature_only", "production_only", "send_welcome_email")
					}),
				},
			},
			{
				// Restored: nothing more to do.
				Config: restoreSetConfig(inst, set, filepath.Join(dir, "sets", "before-restore")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// restoreSetConfig restores workspace 2 from the backup set in setDir, as its manifest says, taking
// a backup set of what it overwrites into backup.
func restoreSetConfig(inst *emulatortest.Instance, setDir, backup string) string {
	return providerConfig(inst) + fmt.Sprintf(`
locals {
  set      = jsondecode(file("%[1]s/manifest.json"))
  full     = one([for f in local.set.files : f if f.kind == "full"])
  # In the manifest's order: feature, then hotfix. (A configuration of one's own would rather use
  # for_each = { for f in ... : f.branch => f }; the test harness's state checks need count.)
  branches = [for f in local.set.files : f if f.kind == "schema"]
}

resource "xano_workspace_import" "restore" {
  workspace_id    = local.set.workspace_id
  allow_data_loss = true
  source_path   = "%[1]s/${local.full.file}"
  source_sha256 = local.full.archive_sha256
  backup_path   = %[2]q
}

resource "xano_workspace_schema_import" "branch" {
  count = length(local.branches)

  workspace_id  = local.set.workspace_id
  branch        = local.branches[count.index].branch
  source_path   = "%[1]s/${local.branches[count.index].file}"
  source_sha256 = local.branches[count.index].archive_sha256
  set_live      = false

  depends_on = [xano_workspace_import.restore]
}
`, setDir, backup)
}

// branchContentOf is the branch content hash (tables left out) of an export-schema of a branch.
func branchContentOf(t *testing.T, inst *emulatortest.Instance, ws int64, label string) string {
	t.Helper()
	info, err := archive.Inspect(bytes.NewReader(inst.Export(t, ws, label, false)), archive.Limits{}, archive.BranchView())
	if err != nil || info.ContentSHA256 == "" {
		t.Fatalf("inspecting an export-schema of branch %q: %v", label, err)
	}
	return info.ContentSHA256
}

// backup_url writes the same set through the object store layer (here gocloud's file store, a
// bucket that is a folder): every branch, the manifest last, nothing else under the prefix; a
// second restore into the same prefix replaces the set state recorded, and the objects of the old
// set are removed.
func TestAccWorkspaceImport_backupURL(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	inst.CreateBranch(t, 2, "hotfix", "")
	staging, stagingSHA := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	production, productionSHA := writeTestArchive(t, dir, "production.tar.gz", inst.Export(t, 2, "", true))
	bucket := filepath.Join(dir, "bucket")
	if err := os.Mkdir(bucket, 0o700); err != nil {
		t.Fatal(err)
	}
	prefix := "file://" + filepath.ToSlash(bucket) + "/before-restore"
	set := filepath.Join(bucket, "before-restore") // where the file store keeps the prefix's objects
	fullBefore := productionContentSHA256(t, inst)
	var firstSet map[string][]byte

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Credentials in the URL are refused before anything happens.
				Config:      workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), "", `backup_url = "s3://user:secret@bucket/key"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid backup_url.*holds credentials`),
			},
			{
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), "", fmt.Sprintf("backup_url = %q", prefix)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256")),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1"), knownvalue.StringExact("hotfix")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_url"), knownvalue.StringExact(prefix)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(set)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"),
						knownvalue.StringExact(fullBefore)),
					checkEmulator("the backup set is complete under the prefix", func() error {
						firstSet = readFolder(t, set)
						return expectBackupSetMode(t, set, 0, "v1", "hotfix")
					}),
				},
			},
			{
				// Another restore into the same prefix: the recorded set is replaced.
				Config: workspaceImportConfig(inst, production, fmt.Sprintf("%q", productionSHA), "", fmt.Sprintf("backup_url = %q", prefix)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(set)),
					checkEmulator("the new set replaced the old one, whose archives are gone", func() error {
						if err := expectBackupSetMode(t, set, 0, "v1"); err != nil {
							return err
						}
						for name := range firstSet {
							if _, err := os.Stat(filepath.Join(set, name)); !strings.HasPrefix(name, backupManifestName) && err == nil {
								return fmt.Errorf("%s of the replaced set is still there", name)
							}
						}
						return nil
					}),
				},
			},
		},
	})
}
