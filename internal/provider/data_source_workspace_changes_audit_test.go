package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

const weeklyChangesAddr = "data.xano_workspace_changes.weekly"

// weeklyChangesConfig compares staging's live branch with baseline.
func weeklyChangesConfig(baseline, extra string) string {
	return fmt.Sprintf(`
data "xano_workspace_changes" "weekly" {
  workspace_id  = 1
  baseline_path = %q
  %s
}
`, baseline, extra)
}

// The weekly report names who made each change: alice added a function and the admin a table
// since the baseline; with read_audit_log = false nobody is named; an unchanged branch reads no
// audit log; an instance without the audit log route is said once and the report goes on.
func TestAccWorkspaceChangesDataSource_auditLog(t *testing.T) {
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
	noRoute := "this instance has no audit log route (404)"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:        func() { clearRequests(t, inst) },
				Config:           providerConfig(inst) + weeklyChangesConfig(baseline, "include_tables = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{auditReads(1)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("added"),
						exactStrings([]string{"function/weekly_fix", "table/invoice"})),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"function/weekly_fix": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(aliceLine)}),
							"table/invoice":       adminLine("table:create"),
						})),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by_note"), knownvalue.Null()),
				},
			},
			{
				PreConfig:        func() { clearRequests(t, inst) },
				Config:           providerConfig(inst) + weeklyChangesConfig(baseline, "read_audit_log = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{auditReads(0)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("added"),
						exactStrings([]string{"function/weekly_fix"})),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.Null()),
				},
			},
			{
				// Nothing changed since a fresh baseline: no audit log read.
				PreConfig:        func() { clearRequests(t, inst) },
				Config:           providerConfig(inst) + weeklyChangesConfig(fresh, "include_tables = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{auditReads(0)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("added"), exactStrings(nil)),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.Null()),
				},
			},
			{
				// No audit log route: the report goes on, saying why nobody is named.
				PreConfig: func() {
					if err := inst.Control.AddFault(context.Background(), emulator.Fault{Method: http.MethodGet,
						Path: "/workspace/1/audit_log", Status: http.StatusNotFound, Code: "ERROR_CODE_NOT_FOUND",
						Message: "Unable to locate request.", Count: 1000}); err != nil {
						t.Fatal(err)
					}
				},
				Config: providerConfig(inst) + weeklyChangesConfig(baseline, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("added"),
						exactStrings([]string{"function/weekly_fix"})),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.MapExact(nil)),
					statecheck.ExpectKnownValue(weeklyChangesAddr, tfjsonpath.New("changes").AtMapKey("changed_by_note"),
						knownvalue.StringExact(noRoute)),
				},
			},
		},
	})
}
