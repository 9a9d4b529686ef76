package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The provider's archive_inspection bounds hold for every inspection, drift checks and promotion
// previews included, and an inspection they stop is never recorded silently: it warns which
// bound stopped it and how to raise it.

// everyWarningServer is the provider's protocol server, recording the warnings of its reads and
// applies as well as of its plans.
type everyWarningServer struct {
	recordingServer
}

func (s everyWarningServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.log.add(resp.Diagnostics)
	}
	return resp, err
}

func (s everyWarningServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.log.add(resp.Diagnostics)
	}
	return resp, err
}

func everyWarningFactories(log *warningLog) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xano": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			return everyWarningServer{recordingServer{ProviderServer: server, log: log}}, err
		},
	}
}

// boundedProviderConfig is providerConfig with archive_inspection set to bounds.
func boundedProviderConfig(inst *emulatortest.Instance, bounds string) string {
	return fmt.Sprintf(`
provider "xano" {
  instance_url       = %q
  token              = %q
  max_retries        = 3
  archive_inspection = { %s }
}
`, inst.URL, inst.Token, bounds)
}

// warned is a state check: a warning recorded since the last reset starts with summary and holds
// every one of lines (expectWarning, for the warnings of an apply or a refresh).
func warned(log *warningLog, summary string, lines ...string) statecheck.StateCheck {
	return warnedCheck{check: warningCheck{log: log, summary: summary, lines: lines}}
}

type warnedCheck struct{ check warningCheck }

func (c warnedCheck) CheckState(ctx context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var pr plancheck.CheckPlanResponse
	c.check.CheckPlan(ctx, plancheck.CheckPlanRequest{}, &pr)
	resp.Error = pr.Error
}

// A drift check whose export goes past archive_inspection.max_bytes (which the default bounds
// would inspect whole) records no content: content_sha256 and objects stay null, the import and
// every refresh warn which bound stopped it and how to raise it, and no drift is planned.
func TestAccWorkspaceSchemaImport_driftCheckPastInspectionBound(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	log := &warningLog{}
	config := boundedProviderConfig(inst, "max_bytes = 64") + siResource(src, "")
	bound := []string{"stopped at a limit", "MaxTotalBytes limit (64)", "raise max_bytes", "archive_inspection"}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: everyWarningFactories(log),
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				PreConfig: log.reset,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("objects"), knownvalue.Null()),
					warned(log, "The export's content was not inspected", bound...),
					checkEmulator("the branch was imported", func() error {
						return expectBranchFunctions(t, inst, 2, "release_1", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
			{
				// A refresh checks drift again, within the bound: a warning, no hash, no drift.
				PreConfig: func() {
					inst.AddFunction(t, 2, "release_1", "hotfix", "return 1\n")
					log.reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						expectWarning(log, "The export's content was not inspected", bound...),
						expectNoWarning(log, `Branch "release_1" of workspace 2 has drifted`),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.Null()),
				},
			},
			{
				// With the bound raised, the refresh records the content, and takes it as the drift
				// baseline (none could be recorded after the import), saying so.
				PreConfig: log.reset,
				Config:    boundedProviderConfig(inst, "max_bytes = 1073741824") + siResource(src, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectNoWarning(log, "The export's content was not inspected"),
						expectWarning(log, `Drift baseline of branch "release_1" of workspace 2 taken from its current content`),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
				},
			},
		},
	})
}

// The promotion preview reads the source archive and the live branch within
// archive_inspection: past the bound it says the preview is not available, naming the bound.
func TestAccWorkspaceSchemaImport_previewPastInspectionBound(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	big := siExport(t, inst, 1, dir, "staging.tar.gz")
	small := filepath.Join(dir, "small.tar.gz")
	writeSchemaArchive(t, small, map[string]string{"hotfix": "return 1"})
	// The live branch of workspace 2 holds more than the 2048 bytes the second step allows, the
	// small archive less.
	inst.AddFunction(t, 2, "", "report_builder", strings.Repeat("return 1\n", 512))
	log := &warningLog{}
	config := func(bounds, src string) string {
		return boundedProviderConfig(inst, bounds) + siResource(src, "set_live = true")
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		Steps: []resource.TestStep{
			{
				// The source archive is past the bound.
				PreConfig:          log.reset,
				Config:             config("max_bytes = 64", big),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{
						expectWarning(log, `Promotion preview of branch "release_1" of workspace 2 not available`,
							"stopped at a bound", "MaxTotalBytes", "raise max_bytes"),
					},
				},
			},
			{
				// The source archive is within it, the export of the live branch is not.
				PreConfig:          func() { clearRequests(t, inst); log.reset() },
				Config:             config("max_bytes = 2048", small),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{
						expectWarning(log, `Promotion preview of branch "release_1" of workspace 2 not available`,
							`The export of the live branch "v1" of workspace 2`, "stopped at a bound", "MaxTotalBytes limit (2048)",
							"raise max_bytes"),
						requestCount(inst, http.MethodPost, "/workspace/2/export-schema", 1),
					},
				},
			},
		},
	})
}

// realShapedArchive writes a schema export shaped as real Xano's (issue 17: objects refer to
// each other by guid, api groups have no id, "branch": {"id": 0} everywhere, toolsets hold MCP
// servers and agents, a channel named with "/") holding the endpoints given (name -> verb) in api
// group "examples", and returns its path.
func realShapedArchive(t *testing.T, p string, endpoints map[string]string) string {
	t.Helper()
	br := map[string]any{"id": 0}
	group := "3cNKgRoUpExAmPlEs000000001"
	queries := []any{}
	for name, verb := range endpoints {
		queries = append(queries, map[string]any{"guid": "Q" + name, "name": name, "verb": verb,
			"app": map[string]any{"id": group}, "branch": br})
	}
	payload := map[string]any{
		"partial": false,
		"app":     []any{map[string]any{"guid": group, "name": "examples", "branch": br}},
		"query":   queries,
		"channel": []any{map[string]any{"guid": "ChRoOmS000000000000000001", "name": "rooms/{room_id}", "branch": br}},
		"message": []any{map[string]any{"guid": "MsJoInEd000000000000000001", "name": "joined", "branch": br,
			"channel": map[string]any{"id": "ChRoOmS000000000000000001"}}},
		"toolset": []any{
			map[string]any{"guid": "TsMcP000000000000000000001", "name": "support", "type": "mcp", "branch": br},
			map[string]any{"guid": "TsAgEnT0000000000000000002", "name": "support", "type": "agent", "branch": br},
		},
		"tool": []any{map[string]any{"guid": "ToSeArCh000000000000000001", "name": "search_users", "branch": br,
			"toolset": map[string]any{"id": 0}}},
		"trigger": []any{map[string]any{"guid": "TrJoIn0000000000000000001", "name": "on_join", "branch": br,
			"obj_type": "channel", "obj_id": "ChRoOmS000000000000000001"}},
		"dbo": []any{map[string]any{"guid": "TbUsEr000000000000000000001", "name": "user", "branch": br}},
		"workspace": map[string]any{"id": 40, "name": "CRM Application", "description": "", "checksum": "fake",
			"iv": "fake", "salt": "fake", "secret": "fake-not-a-secret", "branch": br},
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	b, err := archive.NewBundle("schema", json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := archive.NewWriter(&buf, time.Unix(0, 0))
	if err := w.AddJSON("schema.json", b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The functions name the objects of a real-shaped archive as users know them: the endpoint by
// its api group's name (the group has only a guid), the message by its channel's, MCP servers
// and agents apart.
func TestAccFunctions_realShapedArchive(t *testing.T) {
	dir := t.TempDir()
	before := realShapedArchive(t, filepath.Join(dir, "before.tar.gz"), map[string]string{"ex_get_user": "GET"})
	after := realShapedArchive(t, filepath.Join(dir, "after.tar.gz"), map[string]string{"ex_get_user": "GET", "ex_add_user": "POST"})
	config := functionsConfig(fmt.Sprintf(`
output "objects" {
  value = provider::xano::archive_objects(%[1]q)
}
output "diff" {
  value = provider::xano::archive_diff(%[1]q, %[2]q)
}
`, before, after))
	hash := knownvalue.StringRegexp(sha256HexRegex)

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowFunctions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("objects", knownvalue.MapExact(map[string]knownvalue.Check{
					"api_group/examples":                hash,
					"endpoint/examples/GET ex_get_user": hash,
					"channel/rooms/{room_id}":           hash,
					"message/rooms%2F{room_id}/joined":  hash,
					"mcp_server/support":                hash,
					"agent/support":                     hash,
					"tool/search_users":                 hash,
					"trigger/on_join":                   hash,
					"table/user":                        hash,
					"workspace":                         hash,
				})),
				statecheck.ExpectKnownOutputValue("diff", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"added":       exactStrings([]string{"endpoint/examples/POST ex_add_user"}),
					"changed":     exactStrings(nil),
					"removed":     exactStrings(nil),
					"details":     knownvalue.MapExact(map[string]knownvalue.Check{}),
					"destructive": exactStrings(nil),
				})),
			},
		}},
	})
}

// A promotion preview of a real-shaped archive names its objects by their names.
func TestAccWorkspaceSchemaImport_previewRealShapedArchive(t *testing.T) {
	inst := startEmulator(t, nil)
	src := realShapedArchive(t, filepath.Join(t.TempDir(), "real.tar.gz"), map[string]string{"ex_get_user": "GET"})
	log := &warningLog{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		Steps: []resource.TestStep{{
			PreConfig:          log.reset,
			Config:             providerConfig(inst) + siResource(src, "set_live = true"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{
					expectWarning(log, `Promotion preview of branch "release_1" of workspace 2:`,
						"\n  added endpoint/examples/GET ex_get_user\n", "\n  added message/rooms%2F{room_id}/joined\n",
						"\n  added mcp_server/support\n", "\n  added agent/support\n", "\n  added api_group/examples\n"),
				},
			},
		}},
	})
}

// A branch imported from a real-shaped archive is inventoried by name (the endpoint by its api
// group's name, the message by its channel's), and its drift is named so. (Editing the imported
// endpoint out of band needs an emulator that links guid references on import.)
func TestAccWorkspaceSchemaImport_realShapedDrift(t *testing.T) {
	inst := startEmulator(t, nil)
	src := realShapedArchive(t, filepath.Join(t.TempDir(), "real.tar.gz"), map[string]string{"ex_get_user": "GET"})
	config := providerConfig(inst) + siResource(src, "")
	log := &warningLog{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(log),
		CheckDestroy:             siCheckOnlyV1(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("objects"), objectKeys(
						"api_group/examples", "endpoint/examples/GET ex_get_user", "message/rooms%2F{room_id}/joined",
						"mcp_server/support", "agent/support", "trigger/on_join")),
					noTableKeys(schemaImportAddr),
				},
			},
			{
				PreConfig: func() {
					inst.AddFunction(t, 2, "release_1", "hotfix", "return 1\n")
					log.reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(schemaImportAddr, plancheck.ResourceActionUpdate),
						expectWarning(log, `Branch "release_1" of workspace 2 has drifted`, "\n  added function/hotfix\n"),
					},
				},
			},
		},
	})
}
