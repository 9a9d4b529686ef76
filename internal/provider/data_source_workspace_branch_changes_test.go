package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

const branchChangesAddr = "data.xano_workspace_branch_changes.weekly"

func branchChangesConfig(ws int, baseline, extra string) string {
	return fmt.Sprintf(`
data "xano_workspace_branch_changes" "weekly" {
  workspace_id  = %d
  baseline_path = %q
  %s
}
`, ws, baseline, extra)
}

// The weekly report of a team that changes Xano in its UI: the live branch of staging compared
// with a baseline archive taken before alice added a function and someone added a table. The
// data source names the objects, the table only when tables are compared, and who added the
// function; an unchanged branch reads no audit log; a baseline from another workspace shows a
// table removed as destructive.
func TestAccWorkspaceBranchChangesDataSource(t *testing.T) {
	fx := emulator.DemoFixture()
	fx.Tokens = append(fx.Tokens, emulator.FixtureToken{Token: aliceToken, Scopes: []string{"write"},
		UserID: 2273, Email: aliceEmail})
	inst := startEmulator(t, fx)
	alice := *inst
	alice.Token = aliceToken
	dir := t.TempDir()
	baseline := siExport(t, inst, 1, dir, "baseline.tar.gz")
	alice.AddFunction(t, 1, "", "weekly_fix", "return 1\n")
	inst.AddTable(t, 1, "invoice")
	fresh := siExport(t, inst, 1, dir, "fresh.tar.gz")
	aliceLine := regexp.MustCompile(`^alice@example\.com at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000 \(function:create\)$`)
	auditReads := func(want int) plancheck.PlanCheck {
		return requestCount(inst, http.MethodGet, "/workspace/1/audit_log", want)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:        func() { clearRequests(t, inst) },
				Config:           providerConfig(inst) + branchChangesConfig(1, baseline, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{auditReads(1)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("exported_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changes"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"compared_with": knownvalue.StringExact(fmt.Sprintf("the baseline archive %q", baseline)),
						"added":         exactStrings([]string{"function/weekly_fix", "table/invoice"}),
						"changed":       knownvalue.MapExact(map[string]knownvalue.Check{}),
						"removed":       exactStrings(nil),
						"destructive":   exactStrings(nil),
						"omitted":       knownvalue.Int64Exact(0),
						"changed_by": knownvalue.MapExact(map[string]knownvalue.Check{
							"function/weekly_fix": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(aliceLine)}),
							"table/invoice": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(
								regexp.MustCompile(`^admin@xano-emulator\.local at .* \(table:create\)$`))}),
						}),
						"changed_by_note": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
				},
			},
			{
				// The branch's own logic only: the table is not listed.
				Config: providerConfig(inst) + branchChangesConfig(1, baseline, "include_tables = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changes").AtMapKey("added"),
						exactStrings([]string{"function/weekly_fix"})),
				},
			},
			{
				// Nothing changed since a fresh baseline: no audit log read.
				PreConfig:        func() { clearRequests(t, inst) },
				Config:           providerConfig(inst) + branchChangesConfig(1, fresh, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{auditReads(0)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.Null()),
					statecheck.CompareValuePairs(branchChangesAddr, tfjsonpath.New("content_sha256"),
						branchChangesAddr, tfjsonpath.New("baseline_content_sha256"), compare.ValuesSame()),
				},
			},
			{
				// Production compared with staging's baseline: staging's table order is not there
				// (destructive), and without the audit log nobody is named.
				Config: providerConfig(inst) + branchChangesConfig(2, baseline, "read_audit_log = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changes").AtMapKey("destructive"),
						knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("table/order removed")})),
					statecheck.ExpectKnownValue(branchChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.Null()),
				},
			},
			{
				Config:      providerConfig(inst) + branchChangesConfig(1, dir+"/missing.tar.gz", ""),
				ExpectError: regexp.MustCompile(`Cannot read the baseline archive`),
			},
		},
	})
}
