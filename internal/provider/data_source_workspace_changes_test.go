package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The weekly report of a team that edits staging in the Xano UI: what changed since last week's
// export, object by object, the branch's own objects or, with include_tables, the tables too.
func TestAccWorkspaceChangesDataSource(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	baseline := siExport(t, inst, 1, dir, "last-week.tar.gz")
	inst.AddFunction(t, 1, "", "promo_new", "return 1\n")
	oobDeleteLegacyEndpoint(t, inst, 1, oobPublicGroupID(t, inst, 1, ""))
	oobUpdateTask(t, inst, 1, "", "weekly_report", "mails a longer report")
	inst.AddTable(t, 1, "audit")
	config := providerConfig(inst) + fmt.Sprintf(`
data "xano_workspace_changes" "branch" {
  workspace_id  = 1
  baseline_path = %[1]q
}

data "xano_workspace_changes" "all" {
  workspace_id   = 1
  baseline_path  = %[1]q
  include_tables = true
}
`, baseline)
	changed := knownvalue.MapExact(map[string]knownvalue.Check{
		// A task's active flag and its description, by name.
		"task/weekly_report": exactStrings([]string{"active false → true", `description "mails a report" → "mails a longer report"`}),
	})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.xano_workspace_changes.branch", tfjsonpath.New("compared_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue("data.xano_workspace_changes.branch", tfjsonpath.New("changes"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"compared_with": knownvalue.StringExact(fmt.Sprintf("the baseline archive %q", baseline)),
						"added":         exactStrings([]string{"function/promo_new"}),
						"changed":       changed,
						"removed":       exactStrings([]string{"endpoint/public/GET legacy"}),
						"destructive":   exactStrings(nil),
						"omitted":       knownvalue.Int64Exact(0),
						// Who made the changes, from the audit log: the emulator's admin.
						"changed_by": knownvalue.MapExact(map[string]knownvalue.Check{
							"function/promo_new":         adminLine("function:create"),
							"endpoint/public/GET legacy": adminLine("api:delete"),
							"task/weekly_report":         adminLine("task:update"),
						}),
						"changed_by_note": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue("data.xano_workspace_changes.all", tfjsonpath.New("changes").AtMapKey("added"),
						exactStrings([]string{"function/promo_new", "table/audit"})),
					statecheck.ExpectKnownValue("data.xano_workspace_changes.all", tfjsonpath.New("changes").AtMapKey("changed"), changed),
				},
			},
			{
				Config: providerConfig(inst) + fmt.Sprintf(`
data "xano_workspace_changes" "missing" {
  workspace_id  = 1
  baseline_path = %q
}
`, filepath.Join(dir, "missing.tar.gz")),
				ExpectError: regexp.MustCompile(`(?s)Cannot read the baseline archive.*missing\.tar\.gz"?\s+does\s+not\s+exist`),
			},
		},
	})
}

// adminLine checks a changed_by list of one entry by the emulator's admin, of type typ.
func adminLine(typ string) knownvalue.Check {
	return knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(regexp.MustCompile(
		`^admin@xano-emulator\.local at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000 \(` + regexp.QuoteMeta(typ) + `\)$`))})
}
