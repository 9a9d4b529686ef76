package provider

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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

const workspaceImportAddr = "xano_workspace_import.restore"

// A restore with backup_path: the plan lists the branches the import deletes, the backup set holds
// workspace 2 as it was before (v1 with its records, hotfix's schema, a manifest), the workspace
// then holds staging's content (v1 only, live), and importing the set's full archive back
// restores the live branch's content.
func TestAccWorkspaceImport_fullRestoreWithBackup(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	// Give production content of its own, so that the overwrite and the restore can be seen.
	inst.AddFunction(t, 2, "", "production_only", "return 'production'")
	inst.AddTable(t, 2, "production_audit")
	inst.CreateBranch(t, 2, "hotfix", "")

	staging, stagingSHA := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	backup1 := filepath.Join(dir, "backups", "before-staging") // the folders do not exist yet
	backup2 := filepath.Join(dir, "backups", "before-rollback")
	var rollbackSource string   // backup1's full archive, known once it is written
	var productionBefore string // workspace 2's content before the first import
	backupContent := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Destroying cannot undo an import: workspace 2 keeps the restored content.
			return expectBranchFunctions(t, inst, 2, "", "production_only", "send_welcome_email")
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { productionBefore = productionContentSHA256(t, inst) },
				Config:    workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), backup1, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(stagingSHA)),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1"), knownvalue.StringExact("hotfix")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("id"), knownvalue.StringExact("2")),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(stagingSHA)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256"), archiveContentIs(staging)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("live_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1"), knownvalue.StringExact("hotfix")})),
					// The backup set is on disk, its manifest's hash is in state, and it holds workspace 2
					// from before: v1 with its records, hotfix's schema.
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup1)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"),
						knownvalue.StringFunc(func(v string) error { return equalHash("the backup's content", v, productionBefore) })),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"),
						knownvalue.StringFunc(func(v string) error { return archiveContentIs(backupFullArchive(t, backup1)).CheckValue(v) })),
					checkEmulator("the backup set is complete", func() error {
						return expectBackupSet(t, backup1, "v1", "hotfix")
					}),
					backupContent.AddStateValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256")),
					// Workspace 2 now has staging's logic on v1 only, live, and staging's tables.
					checkEmulator("workspace 2 holds staging's content", func() error {
						if err := expectBranches(t, inst, 2, "v1"); err != nil {
							return err
						}
						if err := expectTables(t, inst, 2, "order", "user"); err != nil {
							return err
						}
						return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
			{
				// Nothing changed: nothing to do, and refreshing neither exports nor imports.
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), backup1, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// Roll back: import the set's full archive (a new source_sha256 is a new restore, in place).
				// The configuration finds the archive and its hash in the set's manifest.
				PreConfig: func() { rollbackSource = backupFullArchive(t, backup1) },
				Config:    restoreFromSetConfig(inst, backup1, backup2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("branches_deleted"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"),
						knownvalue.StringFunc(func(v string) error { return fileSHA256Is(rollbackSource).CheckValue(v) })),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup2)),
					checkEmulator("the second backup set holds staging's content, v1 only", func() error {
						return expectBackupSet(t, backup2, "v1")
					}),
					backupContent.AddStateValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256")),
					checkEmulator("workspace 2 holds its content from before the first import", func() error {
						if err := equalHash("workspace 2's content", productionContentSHA256(t, inst), productionBefore); err != nil {
							return err
						}
						return expectBranchFunctions(t, inst, 2, "", "production_only", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// The "fresh runner": the snapshot that an import uses is gone from disk (a CI runner that keeps
// nothing between runs), so the plan makes a new snapshot, whose archive_sha256 is only known at
// apply. The new archive holds the content already imported: nothing is exported or imported
// into workspace 2, only the new hash is recorded, and the next plan is empty.
func TestAccWorkspaceImport_freshRunnerDoesNotRestoreAgain(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	snapshotFile, backup := filepath.Join(dir, "staging.tar.gz"), filepath.Join(dir, "backup")
	config := testConfig(inst, `
resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  include_data = true
  output_path  = %q
}

resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = xano_workspace_snapshot.staging.output_path
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  backup_path   = %q
}
`, snapshotFile, backup)
	importedSHA := statecheck.CompareValue(compare.ValuesDiffer())
	importedAt, content, backupSHA := statecheck.CompareValue(compare.ValuesSame()),
		statecheck.CompareValue(compare.ValuesSame()), statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					importedSHA.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_sha256")),
					importedAt.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_at")),
					content.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256")),
					backupSHA.AddStateValue(workspaceImportAddr, tfjsonpath.New("backup_sha256")),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256"), archiveContentIs(snapshotFile)),
					checkEmulator("one import", func() error { return expectProductionImports(inst, 1) }),
				},
			},
			{
				PreConfig: func() {
					if err := os.Remove(snapshotFile); err != nil {
						t.Fatal(err)
					}
					clearRequests(t, inst)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xano_workspace_snapshot.staging", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(workspaceImportAddr, tfjsonpath.New("source_sha256")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The new archive's hash is recorded; nothing else changed.
					statecheck.CompareValuePairs(workspaceImportAddr, tfjsonpath.New("imported_sha256"),
						"xano_workspace_snapshot.staging", tfjsonpath.New("archive_sha256"), compare.ValuesSame()),
					importedSHA.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_sha256")),
					importedAt.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_at")),
					content.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256")),
					backupSHA.AddStateValue(workspaceImportAddr, tfjsonpath.New("backup_sha256")),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup)),
					checkEmulator("no import, no backup", func() error {
						if err := expectProductionImports(inst, 0); err != nil {
							return err
						}
						n, err := countRequests(inst, http.MethodPost, "/workspace/2/export")
						if err == nil && n != 0 {
							err = fmt.Errorf("workspace 2 was exported %d times (a backup), want none", n)
						}
						return err
					}),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// A new source_sha256 known at plan whose archive holds the content already imported (the same
// workspace exported again) imports nothing; one with other content restores.
func TestAccWorkspaceImport_sameContentNewBytes(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	first, _ := writeTestArchive(t, dir, "first.tar.gz", inst.Export(t, 1, "", true))
	again, againSHA := writeTestArchive(t, dir, "again.tar.gz", inst.Export(t, 1, "", true))
	if sha256Hex(mustRead(t, first)) == againSHA {
		t.Fatal("two exports of workspace 1 have the same bytes: this test needs them to differ")
	}
	inst.AddFunction(t, 1, "", "added_later", "return 'later'")
	other, otherSHA := writeTestArchive(t, dir, "other.tar.gz", inst.Export(t, 1, "", true))
	importedAt := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: workspaceImportConfig(inst, first, fmt.Sprintf("filesha256(%q)", first), "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					importedAt.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_at")),
				},
			},
			{
				PreConfig: func() { clearRequests(t, inst) },
				Config:    workspaceImportConfig(inst, again, fmt.Sprintf("%q", againSHA), "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(againSHA)),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_at"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					importedAt.AddStateValue(workspaceImportAddr, tfjsonpath.New("imported_at")),
					checkEmulator("no import", func() error { return expectProductionImports(inst, 0) }),
				},
			},
			{
				Config: workspaceImportConfig(inst, other, fmt.Sprintf("%q", otherSHA), "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(workspaceImportAddr, tfjsonpath.New("imported_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256"), archiveContentIs(other)),
					checkEmulator("the other archive was imported", func() error {
						if err := expectProductionImports(inst, 1); err != nil {
							return err
						}
						return expectBranchFunctions(t, inst, 2, "", "added_later", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// Once imported, the source archive is not needed: a plan that restores nothing does not read it,
// so it may be deleted (or, for a snapshot with track_file = false, be gone on a fresh runner).
func TestAccWorkspaceImport_sourceGoneAfterImport(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", ""),
			},
			{
				PreConfig: func() {
					if err := os.Remove(src); err != nil {
						t.Fatal(err)
					}
				},
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// A change that imports nothing applies without the file too.
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), filepath.Join(dir, "backup"), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("a single import", func() error { return expectProductionImports(inst, 1) }),
				},
			},
			{
				// A new archive that is missing is an error at plan time.
				Config:      workspaceImportConfig(inst, src, fmt.Sprintf("%q", sha256Hex([]byte("new"))), "", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Source archive not found`),
			},
		},
	})
}

// A 504 from a gateway does not say whether the import was applied: the error says the outcome is
// unknown and to keep the backup, not that Xano refused the archive. Here the import was not
// applied, so the backup still holds the workspace: the next apply keeps it and imports.
func TestAccWorkspaceImport_gatewayTimeoutOutcomeUnknown(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	backup := filepath.Join(dir, "backup")
	before := productionContentSHA256(t, inst)
	clearRequests(t, inst)
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/2/import", Status: http.StatusGatewayTimeout})
	var backupFiles map[string][]byte

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), backup, ""),
				ExpectError: errorPattern("answered 504", "does not say whether the import was applied",
					"Copy the backup set taken just before", backup, "somewhere safe"),
			},
			{
				PreConfig: func() {
					expectProductionUnchanged(t, inst, before)
					backupFiles = readFolder(t, backup)
				},
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), backup, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"),
						knownvalue.StringFunc(func(v string) error { return equalHash("the backup's content", v, before) })),
					checkEmulator("the backup set was kept as it was", func() error {
						if err := sameFolder(readFolder(t, backup), backupFiles); err != nil {
							return fmt.Errorf("the backup set was rewritten: %w", err)
						}
						return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
					expectPostStatuses(inst, "/workspace/2/import", http.StatusGatewayTimeout, http.StatusOK),
				},
			},
		},
	})
}

// A connection cut after Xano applied the import: the backup written before it is the only copy
// of workspace 2 as it was. Applying again must not replace it with an export of the imported
// content: it stops until the file is moved, and the moved file still holds the old workspace.
func TestAccWorkspaceImport_retryKeepsOnlyBackup(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	backup, moved := filepath.Join(dir, "backup"), filepath.Join(dir, "safe", "before-restore")
	before := productionContentSHA256(t, inst)
	cut := int64(0)
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/2/import", CutAfterBytes: &cut})
	var backupFiles map[string][]byte
	config := workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), backup, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: errorPattern("No answer came back", "Copy the backup set taken just before", backup),
			},
			{
				PreConfig: func() {
					// The import was applied although no answer came back.
					if err := expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email"); err != nil {
						t.Fatal(err)
					}
					backupFiles = readFolder(t, backup)
				},
				Config: config,
				ExpectError: errorPattern("already holds another backup set", "did not record", "Move it somewhere safe",
					"Nothing was imported"),
			},
			{
				PreConfig: func() {
					if err := sameFolder(readFolder(t, backup), backupFiles); err != nil {
						t.Fatalf("the backup set of the workspace from before the import was changed: %v", err)
					}
					if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.Rename(backup, moved); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(sum)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup)),
					checkEmulator("the moved backup holds workspace 2 from before the first import", func() error {
						return equalHash("the moved backup's content", mustContent(t, backupFullArchive(t, moved)), before)
					}),
				},
			},
		},
	})
}

// An encrypted archive: without a password nothing happens (not even the backup), a wrong
// password is refused with workspace 2 unchanged, and the right one imports.
func TestAccWorkspaceImport_encryptedArchive(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	const password = "correct horse battery staple"
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", encryptedExport(t, inst, 1, password))
	backup := filepath.Join(dir, "backup")
	var before string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { before = productionContentSHA256(t, inst) },
				Config:      workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), backup, ""),
				ExpectError: regexp.MustCompile(`(?s)exported with a password.*Workspace 2 was not changed`),
			},
			{
				PreConfig: func() {
					if _, err := os.Stat(backup); !errors.Is(err, os.ErrNotExist) {
						t.Fatalf("a backup was written although nothing could be imported (stat: %v)", err)
					}
					expectProductionUnchanged(t, inst, before)
				},
				Config:      workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", `password = "not the password"`),
				ExpectError: regexp.MustCompile(`(?s)Import into workspace 2 failed.*password`),
			},
			{
				PreConfig: func() { expectProductionUnchanged(t, inst, before) },
				Config:    workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", fmt.Sprintf("password = %q", password)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(sum)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), knownvalue.Null()),
					checkEmulator("workspace 2 holds staging's functions", func() error {
						return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// The same with the write-only password: it never reaches state.
func TestAccWorkspaceImport_encryptedArchiveWriteOnly(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	const password = "write-only secret 42"
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", encryptedExport(t, inst, 1, password))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "",
					fmt.Sprintf("password_wo = %q\n  password_wo_version = 1", password)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("live_branch"), knownvalue.StringExact("v1")),
					expectNoSecretsInState(password, inst.Token),
					checkEmulator("workspace 2 holds staging's functions", func() error {
						return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
			{
				// A new password version alone imports nothing.
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "",
					fmt.Sprintf("password_wo = %q\n  password_wo_version = 2", password)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(sum)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectNoSecretsInState(password, inst.Token),
					checkEmulator("no second import", func() error { return expectProductionImports(inst, 1) }),
				},
			},
		},
	})
}

// A token that can only read: the backup is made, the import is refused with advice about write
// access, and the workspace is unchanged.
func TestAccWorkspaceImport_readOnlyToken(t *testing.T) {
	const readOnly = "read-only-token-for-import"
	fx := emulator.DemoFixture()
	fx.Tokens = append(fx.Tokens, emulator.FixtureToken{Token: readOnly, Scopes: []string{"read"}})
	inst := startEmulator(t, fx)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	before := productionContentSHA256(t, inst)
	readOnlyInst := *inst
	readOnlyInst.Token = readOnly

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      workspaceImportConfig(&readOnlyInst, src, fmt.Sprintf("%q", sum), "", ""),
				ExpectError: regexp.MustCompile(`(?s)Import into workspace 2 failed.*needs write access`),
			},
			{
				// Nothing changed; the admin token then imports.
				PreConfig: func() { expectProductionUnchanged(t, inst, before) },
				Config:    workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(sum)),
				},
			},
		},
	})
}

// A file that does not match source_sha256 fails at plan time: nothing is exported or imported.
func TestAccWorkspaceImport_sourceHashMismatch(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	other := sha256Hex([]byte("another archive"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { clearRequests(t, inst) },
				Config:      workspaceImportConfig(inst, src, fmt.Sprintf("%q", other), filepath.Join(dir, "backup"), ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(fmt.Sprintf(`source_path's sha256 is\s+%s\s+but\s+source_sha256\s+is\s+%s`, sum, other)),
			},
			{
				PreConfig: func() {
					if err := expectProductionImports(inst, 0); err != nil {
						t.Fatal(err)
					}
					if err := expectNoExports(inst); err != nil {
						t.Fatal(err)
					}
				},
				Config: workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(sum)),
					checkEmulator("the matching archive was imported", func() error { return expectProductionImports(inst, 1) }),
				},
			},
		},
	})
}

// An archive edited after export (its bundle no longer matches its signature) is refused, and
// the error says why.
func TestAccWorkspaceImport_tamperedArchive(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "tampered.tar.gz", tamperWorkspaceBundle(t, inst.Export(t, 1, "", true)))
	before := productionContentSHA256(t, inst)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      workspaceImportConfig(inst, src, fmt.Sprintf("%q", sum), "", ""),
				ExpectError: regexp.MustCompile(`(?s)signature\s+invalid.*Invalid workspace signature`),
			},
			{
				PreConfig: func() { expectProductionUnchanged(t, inst, before) },
				Config:    providerConfig(inst),
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("workspace 2 keeps its functions", func() error {
						return expectBranchFunctions(t, inst, 2, "", "send_welcome_email")
					}),
				},
			},
		},
	})
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mustContent is the canonical content hash of the archive at p.
func mustContent(t *testing.T, p string) string {
	t.Helper()
	info, err := inspectFile(p)
	if err != nil {
		t.Fatalf("inspecting %s: %v", p, err)
	}
	return info.ContentSHA256
}

// workspaceImportConfig is a restore of src into workspace 2; sumExpr is an HCL expression,
// backup "" leaves backup_path out and extra is added to the resource block.
func workspaceImportConfig(inst *emulatortest.Instance, src, sumExpr, backup, extra string) string {
	backupLine := ""
	if backup != "" {
		backupLine = fmt.Sprintf("backup_path = %q", backup)
	}
	return providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = %q
  source_sha256 = %s
  %s
  %s
}
`, src, sumExpr, backupLine, extra)
}

// readFolder reads every file of dir by name.
func readFolder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		out[e.Name()] = mustRead(t, filepath.Join(dir, e.Name()))
	}
	return out
}

// sameFolder compares two readFolder results.
func sameFolder(got, want map[string][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d files, want %d", len(got), len(want))
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			return fmt.Errorf("%s differs or is missing", name)
		}
	}
	return nil
}

// restoreFromSetConfig is a restore of workspace 2 from the full archive of the backup set in
// setDir, found as a user finds it: in the set's manifest. backup "" takes no new backup.
func restoreFromSetConfig(inst *emulatortest.Instance, setDir, backup string) string {
	backupLine := ""
	if backup != "" {
		backupLine = fmt.Sprintf("backup_path = %q", backup)
	}
	return providerConfig(inst) + fmt.Sprintf(`
locals {
  set  = jsondecode(file("%[1]s/manifest.json"))
  full = one([for f in local.set.files : f if f.kind == "full"])
}

resource "xano_workspace_import" "restore" {
  workspace_id    = 2
  allow_data_loss = true
  source_path   = "%[1]s/${local.full.file}"
  source_sha256 = local.full.archive_sha256
  %[2]s
}
`, setDir, backupLine)
}

// backupSetIn reads the manifest of the backup set in dir.
func backupSetIn(t *testing.T, dir string) backupManifest {
	t.Helper()
	var m backupManifest
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, backupManifestName)), &m); err != nil {
		t.Fatalf("the manifest of the backup set in %s: %v", dir, err)
	}
	return m
}

// backupFullArchive is the path of the full archive (the live branch with its records) of the
// backup set in dir.
func backupFullArchive(t *testing.T, dir string) string {
	t.Helper()
	for _, f := range backupSetIn(t, dir).Files {
		if f.Kind == backupKindFull {
			return filepath.Join(dir, f.File)
		}
	}
	t.Fatalf("the backup set in %s has no full archive", dir)
	return ""
}

// manifestSHA256Is checks a state value against the SHA-256 of the manifest in dir.
func manifestSHA256Is(dir string) knownvalue.Check {
	return fileSHA256Is(filepath.Join(dir, backupManifestName))
}

// expectBackupSet checks the backup set in dir: a manifest of workspace 2 listing branches in
// order, the first live and full, the others schema; each archive on disk with the size, SHA-256
// and content hash the manifest gives, mode 0600; and nothing else in the folder (no partial
// file, no archive of an earlier set).
func expectBackupSet(t *testing.T, dir string, branches ...string) error {
	t.Helper()
	return expectBackupSetMode(t, dir, 0o600, branches...)
}

// expectBackupSetMode is expectBackupSet with the archives' mode want (0: not checked, for a set
// written through an object URL, whose modes are the store's).
func expectBackupSetMode(t *testing.T, dir string, want os.FileMode, branches ...string) error {
	t.Helper()
	const ws = 2 // these tests import into workspace 2
	m := backupSetIn(t, dir)
	if m.Format != backupSetFormat || m.WorkspaceID != ws || m.Instance == "" || m.CreatedAt == "" || m.Restore == "" {
		return fmt.Errorf("manifest in %s: format %q, workspace %d, instance %q, created_at %q: want %s, %d and both set",
			dir, m.Format, m.WorkspaceID, m.Instance, m.CreatedAt, backupSetFormat, ws)
	}
	if strings.Contains(m.Instance, "@") || strings.Contains(m.Instance, "/") {
		return fmt.Errorf("manifest in %s: instance %q is not a bare host", dir, m.Instance)
	}
	if len(m.Files) != len(branches) {
		return fmt.Errorf("manifest in %s lists %d archives, want %d (%v)", dir, len(m.Files), len(branches), branches)
	}
	listed := map[string]bool{backupManifestName: true}
	for i, f := range m.Files {
		kind, live := backupKindSchema, false
		if i == 0 {
			kind, live = backupKindFull, true
		}
		if f.Branch != branches[i] || f.Kind != kind || f.Live != live {
			return fmt.Errorf("manifest in %s, archive %d: branch %q kind %s live %t, want %q %s %t",
				dir, i, f.Branch, f.Kind, f.Live, branches[i], kind, live)
		}
		p := filepath.Join(dir, f.File)
		listed[f.File] = true
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if (want != 0 && st.Mode().Perm() != want) || st.Size() != f.Size {
			return fmt.Errorf("%s: mode %04o size %d, want %04o and %d", p, st.Mode().Perm(), st.Size(), want, f.Size)
		}
		if err := fileSHA256Is(p).CheckValue(f.ArchiveSHA256); err != nil {
			return err
		}
		if f.ContentSHA256 == nil {
			return fmt.Errorf("%s: content_sha256 is null", p)
		}
		if err := archiveContentIs(p).CheckValue(*f.ContentSHA256); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if want == 0 && strings.HasSuffix(e.Name(), ".attrs") {
			continue // gocloud's file store keeps each object's attributes beside it
		}
		if !listed[e.Name()] {
			return fmt.Errorf("the backup set's folder %s holds %s, which its manifest does not list", dir, e.Name())
		}
	}
	return nil
}

// writeTestArchive writes data to dir/name and returns its path and SHA-256.
func writeTestArchive(t *testing.T, dir, name string, data []byte) (string, string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, sha256Hex(data)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// encryptedExport is a full export of ws encrypted with password, through the HTTP API.
func encryptedExport(t *testing.T, inst *emulatortest.Instance, ws int64, password string) []byte {
	t.Helper()
	status, data := inst.Do(t, http.MethodPost, fmt.Sprintf("/workspace/%d/export", ws), map[string]string{"password": password})
	if status != http.StatusOK {
		t.Fatalf("encrypted export of workspace %d: %d %s", ws, status, data)
	}
	if !archive.IsEncrypted(data) {
		t.Fatalf("the export of workspace %d with a password is not encrypted", ws)
	}
	return data
}

// productionContentSHA256 is the canonical content hash of a full export of workspace 2 (the
// demo seed's production, which these tests import into), made now.
func productionContentSHA256(t *testing.T, inst *emulatortest.Instance) string {
	t.Helper()
	info, err := archive.Inspect(bytes.NewReader(inst.Export(t, 2, "", true)), archive.Limits{})
	if err != nil {
		t.Fatalf("inspecting an export of workspace 2: %v", err)
	}
	return info.ContentSHA256
}

// expectProductionUnchanged fails the test when workspace 2's content hash is no longer before.
func expectProductionUnchanged(t *testing.T, inst *emulatortest.Instance, before string) {
	t.Helper()
	if err := equalHash("workspace 2's content", productionContentSHA256(t, inst), before); err != nil {
		t.Fatal(err)
	}
}

func equalHash(what, got, want string) error {
	if got != want {
		return fmt.Errorf("%s hashes to %s, want %s", what, got, want)
	}
	return nil
}

// fileSHA256Is checks a state value against the SHA-256 of the file at p when the check runs.
func fileSHA256Is(p string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		return equalHash(p, sha256Hex(data), v)
	})
}

// archiveContentIs checks a state value against the canonical content hash of the archive at p.
func archiveContentIs(p string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		info, err := inspectFile(p)
		if err != nil {
			return fmt.Errorf("inspecting %s: %w", p, err)
		}
		return equalHash(p+"'s content", info.ContentSHA256, v)
	})
}

// expectProductionImports checks how many full imports into workspace 2 (the target of these
// tests) the emulator received since the log was cleared.
func expectProductionImports(inst *emulatortest.Instance, want int) error {
	n, err := countRequests(inst, http.MethodPost, "/workspace/2/import")
	if err == nil && n != want {
		err = fmt.Errorf("workspace 2 received %d imports, want %d", n, want)
	}
	return err
}

// expectNoExports checks that no export was requested since the log was cleared.
func expectNoExports(inst *emulatortest.Instance) error {
	reqs, err := inst.Control.Requests(context.Background())
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if regexp.MustCompile(`/export(-schema)?$`).MatchString(r.Path) {
			return fmt.Errorf("unexpected export request %s %s", r.Method, r.Path)
		}
	}
	return nil
}

// tamperWorkspaceBundle changes a function body inside workspace.json without re-signing the
// bundle, and packs the archive again as one gzip layer over a tar.
func tamperWorkspaceBundle(t *testing.T, data []byte) []byte {
	t.Helper()
	for len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b { // peel every gzip layer
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	tr := tar.NewReader(bytes.NewReader(data))
	tampered := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(hdr.Name) == "workspace.json" {
			body, tampered = tamperFunctionBody(t, body), true
			hdr.Size = int64(len(body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if !tampered {
		t.Fatal("the export has no workspace.json to tamper with")
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// tamperFunctionBody rewrites the first function's body, keeping the bundle's signature.
func tamperFunctionBody(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(bundle, &doc); err != nil {
		t.Fatal(err)
	}
	payload, _ := doc["payload"].(map[string]any)
	fns, _ := payload["function"].([]any)
	if len(fns) == 0 {
		t.Fatal("workspace.json has no function to tamper with")
	}
	fn, _ := fns[0].(map[string]any)
	fn["body"] = "// tampered after export\nreturn 'pwned'\n"
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
