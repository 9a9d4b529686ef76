package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

const (
	aliceToken = "alice-token-for-audit-tests"
	aliceEmail = "alice@example.com"
)

// Who changed a drifted branch, from the workspace's audit log. A person (alice, with a token of
// her own) edits the imported branch through the Metadata API: the drift warning and
// changes.changed_by of the plan name her and the time of the edit, with one request to the
// audit log. Then the instance has no audit log route: the plan says so once, names nobody,
// and goes on to repair the drift.
func TestAccWorkspaceSchemaImport_driftNamesWho(t *testing.T) {
	fx := emulator.DemoFixture()
	fx.Tokens = append(fx.Tokens, emulator.FixtureToken{Token: aliceToken, Scopes: []string{"write"},
		UserID: 2273, Email: aliceEmail})
	inst := startEmulator(t, fx)
	alice := *inst
	alice.Token = aliceToken
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	config := providerConfig(inst) + siResource(src, "")
	log := &warningLog{}
	auditReads := func(want int) plancheck.PlanCheck {
		return requestCount(inst, http.MethodGet, "/workspace/2/audit_log", want)
	}
	aliceLine := regexp.MustCompile(`^alice@example\.com at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000 \(function:create\)$`)
	noRoute := "this instance has no audit log route (404)"
	var editedAt string // created_at of alice's edit in the audit log

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: refreshRecordingFactories(log),
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { clearRequests(t, inst) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// An import reads no audit log.
					PreApply: []plancheck.PlanCheck{auditReads(0)},
				},
			},
			{
				PreConfig: func() {
					alice.AddFunction(t, 2, "release_1", "hotfix", "return \"patched by alice\"\n")
					editedAt = lastAuditTime(t, inst, 2)
					clearRequests(t, inst)
					log.reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						expectWarning(log, `Branch "release_1" of workspace 2 has drifted`,
							"\n  added function/hotfix\n",
							"Last changed, from the workspace's audit log:\n  function/hotfix:\n      alice@example.com at ",
							" (function:create)"),
						// The time is the edit's, as the audit log recorded it.
						lazyCheck(func() error {
							return warningHas(log, "alice@example.com at "+editedAt+" (function:create)")
						}),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes").AtMapKey("changed_by"),
							knownvalue.MapExact(map[string]knownvalue.Check{
								"function/hotfix": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(aliceLine)}),
							})),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes").AtMapKey("changed_by_note"), knownvalue.Null()),
						auditReads(1),
					},
				},
			},
			{
				PreConfig: func() {
					alice.AddFunction(t, 2, "release_1", "hotfix2", "return 2\n")
					if err := inst.Control.AddFault(context.Background(), emulator.Fault{Method: http.MethodGet,
						Path: "/workspace/2/audit_log", Status: http.StatusNotFound, Code: "ERROR_CODE_NOT_FOUND",
						Message: "Unable to locate request.", Count: 1000}); err != nil {
						t.Fatal(err)
					}
					clearRequests(t, inst)
					log.reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						expectWarning(log, "Who changed workspace 2 is not known", noRoute, "said once for the workspace"),
						expectWarning(log, `Branch "release_1" of workspace 2 has drifted`,
							"\n  added function/hotfix2\n", "Who made these changes is not known: "+noRoute),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes").AtMapKey("changed_by"), knownvalue.MapExact(nil)),
						plancheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("changes").AtMapKey("changed_by_note"),
							knownvalue.StringExact(noRoute)),
						auditReads(1),
					},
				},
			},
		},
	})
}

// refreshRecordingServer also records the warnings of refreshes (ReadResource), which the CLI
// shows with the plan's.
type refreshRecordingServer struct{ recordingServer }

func (s refreshRecordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.log.add(resp.Diagnostics)
	}
	return resp, err
}

func refreshRecordingFactories(log *warningLog) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xano": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			return refreshRecordingServer{recordingServer{ProviderServer: server, log: log}}, err
		},
	}
}

// lastAuditTime returns the created_at of the newest row of a workspace's audit log.
func lastAuditTime(t *testing.T, inst *emulatortest.Instance, ws int64) string {
	t.Helper()
	status, data := inst.Do(t, http.MethodGet, fmt.Sprintf("/workspace/%d/audit_log?page=1&per_page=1", ws), nil)
	var page struct {
		Items []struct {
			CreatedAt string `json:"created_at"`
		} `json:"items"`
	}
	if status != http.StatusOK || json.Unmarshal(data, &page) != nil || len(page.Items) != 1 {
		t.Fatalf("audit log of workspace %d: %d %s", ws, status, data)
	}
	return page.Items[0].CreatedAt
}

// lazyCheck is a plan check whose expectation is known only when it runs.
type lazyCheck func() error

func (c lazyCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c()
}

// warningHas reports whether a warning recorded since the last reset holds s.
func warningHas(log *warningLog, s string) error {
	for _, w := range log.all() {
		if strings.Contains(w, s) {
			return nil
		}
	}
	return fmt.Errorf("no warning holds %q", s)
}
