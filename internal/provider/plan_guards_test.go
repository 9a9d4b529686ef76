package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// reviewedRestoreConfig is a full import of source into workspace 2, with extra arguments.
func reviewedRestoreConfig(source, extra string) string {
	return fmt.Sprintf(`
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  source_path   = %q
  source_sha256 = filesha256(%q)
  %s
}
`, source, source, extra)
}

// The review of a full import, read from the saved plan: a restore without allow_data_loss stops
// at plan, naming what is lost; with it, the planned changes list the records replaced (with
// the archive's row pages per table) and the branches deleted first, then the objects compared
// with the live branch, tables included. expected_content_sha256 stops the plan of an archive
// that is not the one reviewed, and, when the archive is only written during apply, the apply
// before anything is imported.
func TestAccWorkspaceImport_reviewedRestore(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	staging, _ := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	reviewed := inventoryOf(t, staging).ContentSHA256
	other, _ := writeTestArchive(t, dir, "other.tar.gz", inst.Export(t, 2, "", true))
	pc := func(body string) string { return providerConfig(inst) + body }
	allowed := fmt.Sprintf("allow_data_loss = true\n  expected_content_sha256 = %q", reviewed)
	destructive := []knownvalue.Check{
		knownvalue.StringRegexp(regexp.MustCompile(`^every record of workspace 2 is replaced by the archive's: the ` +
			`records of its 1 table now \(table/user\) are lost; the archive brings \d+ row pages \(table/order \d+, ` +
			`table/user \d+\)$`)),
		knownvalue.StringExact("every branch of workspace 2 but the live one is deleted, and the archive's branch " +
			"becomes v1, live"),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: pc(reviewedRestoreConfig(staging, "")),
				ExpectError: regexp.MustCompile(`(?s)allow_data_loss is not set.*every record of workspace 2 is replaced` +
					`.*every branch of workspace 2 but the live one is deleted`),
			},
			{
				Config: pc(reviewedRestoreConfig(staging, allowed)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workspaceImportAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("changes"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"compared_with": knownvalue.StringExact(`the live branch "v1" of workspace 2, tables included, which the import replaces`),
						"destructive":   knownvalue.ListExact(destructive),
						"removed":       exactStrings(nil),
						"changed": knownvalue.MapPartial(map[string]knownvalue.Check{
							"workspace": exactStrings([]string{
								`description "Production workspace (emulator demo seed)" → "Staging workspace (emulator demo seed)"`,
								`name "production" → "staging"`,
							}),
						}),
						"omitted": knownvalue.Int64Exact(0),
					})),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("changes").AtMapKey("added"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringExact("api_group/public"),
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// Apply records the changes as planned.
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("changes").AtMapKey("destructive"), knownvalue.ListExact(destructive)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256"), knownvalue.StringExact(reviewed)),
				},
			},
			{
				// Nothing to import: the changes stay as they are, and the plan is empty.
				Config:           pc(reviewedRestoreConfig(staging, allowed)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Another archive than the one reviewed: the plan stops.
				Config:      pc(reviewedRestoreConfig(other, allowed)),
				ExpectError: regexp.MustCompile(`(?s)The archive is not the one reviewed.*other\.tar\.gz.*Nothing is imported`),
			},
			{
				// Written during the apply, the archive is checked at apply (by the final plan, which
				// reads it once written, and again before the upload), before anything is imported.
				PreConfig: func() { inst.AddFunction(t, 1, "", "not_reviewed", "return 1\n") },
				Config: pc(fmt.Sprintf(`
resource "xano_workspace_snapshot" "candidate" {
  workspace_id = 1
  include_data = true
  output_path  = %q
}

resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  source_path   = xano_workspace_snapshot.candidate.output_path
  source_sha256 = xano_workspace_snapshot.candidate.archive_sha256
  %s
}
`, filepath.Join(dir, "candidate.tar.gz"), allowed)),
				ExpectError: regexp.MustCompile(`(?s)The archive is not the one reviewed.*candidate\.tar\.gz.*Nothing (is|was) imported`),
			},
			{
				// Workspace 2 still holds what the reviewed import put there.
				Config: pc(reviewedRestoreConfig(staging, allowed)),
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("workspace 2 was not changed by the refused import", func() error {
						return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// changesValue lists removed and changed objects before added ones within its limit, counts the
// rest, and bounds the destructive lines.
func TestChangesValueBounds(t *testing.T) {
	e := archive.Explanation{Details: map[string]archive.ObjectDetails{}}
	for i := range maxChangedObjects {
		e.Added = append(e.Added, fmt.Sprintf("function/a%03d", i))
	}
	e.Removed = []string{"table/gone"}
	e.Changed = []string{"function/c"}
	e.Details["function/c"] = archive.ObjectDetails{Lines: []string{"input x added (int)"}}
	for i := range maxDestructiveLine + 5 {
		e.Destructive = append(e.Destructive, fmt.Sprintf("line %d", i))
	}
	v := changesValue(e, "x", []string{"first"})
	var got changesTestModel
	if diags := v.As(context.Background(), &got, basetypes.ObjectAsOptions{}); diags.HasError() {
		t.Fatal(diags)
	}
	if n := len(got.Added); n != maxChangedObjects-2 {
		t.Errorf("%d added listed, want %d", n, maxChangedObjects-2)
	}
	if got.Omitted != 2 {
		t.Errorf("omitted = %d, want 2", got.Omitted)
	}
	if len(got.Removed) != 1 {
		t.Errorf("removed = %v", got.Removed)
	}
	if c := got.Changed["function/c"]; len(c) != 1 || c[0] != "input x added (int)" {
		t.Errorf("changed details = %v", got.Changed)
	}
	d := destructiveOf(context.Background(), v)
	if len(d) != maxDestructiveLine || d[0] != "first" || !strings.HasPrefix(d[len(d)-1], "and 7 more") {
		t.Errorf("destructive = %q", d)
	}
	if !settledChanges(changesUnknown()).IsNull() || settledChanges(v).IsNull() {
		t.Error("settledChanges: unknown becomes null, a value stays")
	}
}

// changesTestModel is the changes value as Go values.
type changesTestModel struct {
	ComparedWith string              `tfsdk:"compared_with"`
	Added        []string            `tfsdk:"added"`
	Changed      map[string][]string `tfsdk:"changed"`
	Removed      []string            `tfsdk:"removed"`
	Destructive  []string            `tfsdk:"destructive"`
	Omitted      int64               `tfsdk:"omitted"`
	// who and when (audit.go): null outside drift repairs
	ChangedBy     map[string][]string `tfsdk:"changed_by"`
	ChangedByNote *string             `tfsdk:"changed_by_note"`
}
