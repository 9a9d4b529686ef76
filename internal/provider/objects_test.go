package provider

import (
	"fmt"
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// objectKeys checks that an objects map holds the keys want, and no table.
func objectKeys(want ...string) knownvalue.Check {
	return knownvalue.MapPartial(func() map[string]knownvalue.Check {
		m := map[string]knownvalue.Check{}
		for _, k := range want {
			m[k] = knownvalue.StringRegexp(sha256HexRegex)
		}
		return m
	}())
}

// noTableKeys checks that an objects map has no table/... key: tables are workspace-wide.
func noTableKeys(addr string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("objects"), mapKeysFunc(func(keys []string) error {
		for _, k := range keys {
			if strings.HasPrefix(k, "table/") {
				return fmt.Errorf("objects holds %q: a branch's objects leave the tables out", k)
			}
		}
		return nil
	}))
}

// Drift named object by object: after the import, the branch is edited in the UI (a function,
// an endpoint and a task each added, changed and removed). The plan's "changed outside of
// Terraform" section shows exactly those keys of objects, the drift warning lists them in words,
// and the re-import brings objects back to the archive's.
func TestAccWorkspaceSchemaImport_objectDrift(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "")
	log := &warningLog{}
	objects := statecheck.CompareValue(compare.ValuesSame())

	added := []string{"function/hotfix", "endpoint/public/GET hotfix", "task/hotfix_task"}
	changed := []string{"function/compute_invoice_total", "endpoint/public/GET users", "task/nightly_sync"}
	removed := []string{"function/send_welcome_email", "endpoint/public/GET legacy", "task/weekly_report"}
	var lines []string
	for _, k := range added {
		lines = append(lines, "\n  added "+k+"\n")
	}
	for _, k := range changed {
		lines = append(lines, "\n  changed "+k+"\n")
	}
	for _, k := range removed {
		lines = append(lines, "\n  removed "+k+"\n")
	}
	lines = append(lines, "Workspace-wide tables are not part of drift")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("objects"), objectKeys(
						"function/send_welcome_email", "function/compute_invoice_total", "api_group/public",
						"endpoint/public/GET users", "endpoint/public/GET legacy", "task/nightly_sync", "task/weekly_report")),
					noTableKeys(schemaImportAddr),
					objects.AddStateValue(schemaImportAddr, tfjsonpath.New("objects")),
				},
			},
			{
				PreConfig: func() {
					inst.AddFunction(t, 2, "release_1", "hotfix", "return \"patched by hand\"\n")
					inst.AddFunction(t, 2, "release_1", "compute_invoice_total", "return 0\n")
					oobDeleteFunction(t, inst, 2, "release_1", "send_welcome_email")
					g := oobPublicGroupID(t, inst, 2, "release_1")
					oobAddEndpoint(t, inst, 2, g, "GET", "hotfix", "added by hand")
					oobUpdateEndpoint(t, inst, 2, g, "GET", "users", "edited by hand")
					oobDeleteLegacyEndpoint(t, inst, 2, g)
					oobAddTask(t, inst, 2, "release_1", "hotfix_task", "added by hand")
					oobUpdateTask(t, inst, 2, "release_1", "nightly_sync", "edited by hand")
					oobDeleteTask(t, inst, 2, "release_1", "weekly_report")
					// A table added to the workspace is not drift of the branch.
					inst.AddTable(t, 2, "audit_log")
					log.reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						expectObjectDrift(schemaImportAddr, added, changed, removed),
						expectWarning(log, `Branch "release_1" of workspace 2 has drifted`, lines...),
						plancheck.ExpectUnknownValue(schemaImportAddr, tfjsonpath.New("objects")),
						// What the repair does, as a value of the saved plan: it undoes the drift,
						// so what was added by hand is removed, and what changed changes back.
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"compared_with": knownvalue.StringExact(`branch "release_1" as the last refresh observed it, changed ` +
								`outside Terraform: the re-import of the archive last imported undoes these changes`),
							"added":   exactStrings([]string{"endpoint/public/GET legacy", "function/send_welcome_email", "task/weekly_report"}),
							"removed": exactStrings([]string{"endpoint/public/GET hotfix", "function/hotfix", "task/hotfix_task"}),
							"changed": knownvalue.MapExact(map[string]knownvalue.Check{
								"endpoint/public/GET users":      exactStrings([]string{`description "edited by hand" → "lists the users"`}),
								"function/compute_invoice_total": exactStrings([]string{"body changed"}),
								"task/nightly_sync":              exactStrings([]string{`description "edited by hand" → "syncs every night"`}),
							}),
							"destructive": exactStrings(nil),
							"omitted":     knownvalue.Int64Exact(0),
							// Who made each change, from the audit log: the emulator's admin.
							"changed_by": knownvalue.MapExact(func() map[string]knownvalue.Check {
								m := map[string]knownvalue.Check{}
								for _, k := range append(append(append([]string(nil), added...), changed...), removed...) {
									m[k] = knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(
										regexp.MustCompile(`^admin@xano-emulator\.local at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000 \((function|api|task):(create|update|delete)\)$`))})
								}
								return m
							}()),
							"changed_by_note": knownvalue.Null(),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					objects.AddStateValue(schemaImportAddr, tfjsonpath.New("objects")),
					siFunctionsAre(t, inst, stagingFunctions...),
				},
			},
		},
	})
}

// The promotion preview: a plan that imports an archive into the live branch says what it adds,
// changes and removes relative to what serves traffic now, the live branch for a new branch made
// live (at the cost of one export-schema), the recorded baseline for a re-import (no request);
// a plan that imports nothing previews nothing and makes no request.
func TestAccWorkspaceSchemaImport_promotionPreview(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	first := siExport(t, inst, 1, dir, "staging-1.tar.gz")
	config := func(src string) string {
		return providerConfig(inst) + siResource(src, "set_live = true\n  detect_drift = false\n  retain_on_destroy = true")
	}
	log := &warningLog{}
	exports := func(want int) plancheck.PlanCheck {
		return requestCount(inst, http.MethodPost, "/workspace/2/export-schema", want)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { clearRequests(t, inst); log.reset() },
				Config:    config(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionCreate),
						expectWarning(log, `Promotion preview of branch "release_1" of workspace 2:`,
							`into the new branch "release_1" and makes it live`,
							`Compared with the live branch "v1", which serves traffic now`,
							"\n  added api_group/public\n", "\n  added endpoint/public/GET users\n",
							"\n  added function/compute_invoice_total\n", "\n  added task/nightly_sync\n",
							"one export-schema of workspace 2, in memory"),
						exports(1),
						// The same explanation, as a value of the saved plan (read by show -json).
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"compared_with": knownvalue.StringExact(`the live branch "v1", which serves traffic now`),
							"added": knownvalue.ListPartial(map[int]knownvalue.Check{
								0: knownvalue.StringExact("api_group/public"),
							}),
							"destructive": knownvalue.ListSizeExact(0),
						})),
					},
				},
			},
			{
				PreConfig: func() {
					inst.AddFunction(t, 1, "", "promo_new", "return 1\n")
					oobDeleteFunction(t, inst, 1, "", "compute_invoice_total")
					g := oobPublicGroupID(t, inst, 1, "")
					oobDeleteLegacyEndpoint(t, inst, 1, g)
					oobUpdateTask(t, inst, 1, "", "nightly_sync", "syncs twice a night")
					siExport(t, inst, 1, dir, "staging-2.tar.gz")
					clearRequests(t, inst)
					log.reset()
				},
				Config: config(filepath.Join(dir, "staging-2.tar.gz")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						expectWarning(log, `Promotion preview of branch "release_1" of workspace 2:`,
							`re-imports source_path`, "(the baseline recorded in state)",
							"the objects change so:\n  added function/promo_new\n  changed task/nightly_sync\n"+
								"      description \"syncs every night\" → \"syncs twice a night\"\n"+
								"  removed endpoint/public/GET legacy\n  removed function/compute_invoice_total\n",
							"it made no request"),
						exports(0),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"compared_with": knownvalue.StringExact(`what branch "release_1" held after its last import (the baseline recorded in state)`),
							"added":         exactStrings([]string{"function/promo_new"}),
							"changed": knownvalue.MapExact(map[string]knownvalue.Check{
								"task/nightly_sync": exactStrings([]string{`description "syncs every night" → "syncs twice a night"`}),
							}),
							"removed":         exactStrings([]string{"endpoint/public/GET legacy", "function/compute_invoice_total"}),
							"destructive":     exactStrings(nil),
							"omitted":         knownvalue.Int64Exact(0),
							"changed_by":      knownvalue.Null(), // promotions do not read the audit log
							"changed_by_note": knownvalue.Null(),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("objects"), objectKeys("function/promo_new")),
				},
			},
			{
				PreConfig: func() { clearRequests(t, inst); log.reset() },
				Config:    config(filepath.Join(dir, "staging-2.tar.gz")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						expectNoWarning(log, "Promotion preview"),
						exports(0),
					},
				},
			},
		},
	})
}

// When the archive is written in the same apply, the plan says that no preview is possible and
// why; an encrypted archive and a file that is not an archive likewise.
func TestAccWorkspaceSchemaImport_previewUnavailable(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	notArchive := filepath.Join(dir, "notes.tar.gz")
	if err := os.WriteFile(notArchive, []byte("<html>not found</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery staple"
	encrypted, _ := writeTestArchive(t, dir, "encrypted.tar.gz", encryptedExport(t, inst, 1, password))
	log := &warningLog{}
	unavailable := `Promotion preview of branch "release_1" of workspace 2 not available`

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		Steps: []resource.TestStep{
			{
				PreConfig:          log.reset,
				Config:             siPromotionConfig(inst, filepath.Join(dir, "written-at-apply.tar.gz")),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{
						expectWarning(log, unavailable, "only known during apply", "provider::xano::archive_diff"),
					},
				},
			},
			{
				PreConfig:          log.reset,
				Config:             providerConfig(inst) + siResource(encrypted, fmt.Sprintf("set_live = true\n  password = %q", password)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{
						expectWarning(log, unavailable, "is encrypted (it was exported with a password)"),
					},
				},
			},
			{
				PreConfig:          log.reset,
				Config:             providerConfig(inst) + siResource(notArchive, "set_live = true"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{
						expectWarning(log, unavailable, "is not a Xano export archive", "Xano judges it"),
					},
				},
			},
		},
	})
}

// objects of a snapshot and of the export data source: the archive's inventory, tables
// included; null for an encrypted archive.
func TestAccWorkspaceObjects_snapshotAndExport(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	config := providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_snapshot" "plain" {
  workspace_id = 1
  output_path  = %q
}

resource "xano_workspace_snapshot" "encrypted" {
  workspace_id = 1
  output_path  = %q
  password     = "pw"
}

data "xano_workspace_export" "staging" {
  workspace_id = 1
}
`, filepath.Join(dir, "plain.tar.gz"), filepath.Join(dir, "encrypted.tar.gz"))
	want := objectKeys("table/user", "table/order", "function/send_welcome_email", "function/compute_invoice_total",
		"api_group/public", "endpoint/public/GET users", "task/nightly_sync")
	same := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xano_workspace_snapshot.plain", tfjsonpath.New("objects"), want),
				statecheck.ExpectKnownValue("data.xano_workspace_export.staging", tfjsonpath.New("objects"), want),
				same.AddStateValue("xano_workspace_snapshot.plain", tfjsonpath.New("objects")),
				same.AddStateValue("data.xano_workspace_export.staging", tfjsonpath.New("objects")),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.encrypted", tfjsonpath.New("objects"), knownvalue.Null()),
			},
		}},
	})
}
