package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The plan of xano_workspace_schema_import explains drift with warnings, and records what apply
// is to do. The acceptance tests cannot see warnings nor the private state, so these tests call
// PlanResourceChange as a CLI would, with the prior state and the private baseline that Read
// leaves after observing a change.

const (
	driftBaseline = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	driftObserved = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// driftArchives are two source files: the one imported (source, sha256, whose branch inventory
// is the baseline's) and a new one, which adds function hotfix, changes send_welcome_email and
// removes compute_invoice_total.
type driftArchives struct {
	source, sha256, newSource, newSHA256 string
	baseline                             map[string]string
}

// writeSchemaArchive writes a schema archive at p whose payload holds the functions (name ->
// body), and returns its SHA-256.
func writeSchemaArchive(t *testing.T, p string, functions map[string]string) string {
	t.Helper()
	fns := []any{}
	for name, body := range functions {
		fns = append(fns, map[string]any{"guid": "guid-" + name, "name": name, "body": body})
	}
	b, err := archive.NewBundle("schema", map[string]any{"function": fns, "dbo": []any{}})
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
	d, err := digestFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return d.SHA256
}

// writeDriftArchives writes the source files the plans read when they import.
func writeDriftArchives(t *testing.T) driftArchives {
	t.Helper()
	dir := t.TempDir()
	var a driftArchives
	a.source = filepath.Join(dir, "staging.tar.gz")
	a.sha256 = writeSchemaArchive(t, a.source, map[string]string{
		"send_welcome_email": "return 1", "compute_invoice_total": "return 2"})
	a.newSource = filepath.Join(dir, "staging-2.tar.gz")
	a.newSHA256 = writeSchemaArchive(t, a.newSource, map[string]string{
		"send_welcome_email": "return 3", "hotfix": "return 4"})
	inv, err := readBranchInventory(context.Background(), importSource{path: a.source}, archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a.baseline = inv.Objects
	return a
}

// withHotfix is the baseline inventory plus a function hotfix, as a refresh observes it after
// someone added the function in the Xano UI.
func (a driftArchives) withHotfix() map[string]string {
	m := map[string]string{"function/hotfix": driftObserved}
	for k, v := range a.baseline {
		m[k] = v
	}
	return m
}

// driftCase is a refreshed state of branch release_1 of workspace 2 (imported from the archives'
// source, with a baseline driftBaseline) and a configuration to plan against it.
type driftCase struct {
	observed    string // content_sha256 as the refresh recorded it
	live        bool   // whether the refresh found the branch live
	setLive     bool   // set_live in state
	retain      bool   // retain_on_destroy in state
	cfgSetLive  bool   // set_live in the configuration
	detectDrift bool   // detect_drift, in state and configuration
	cfgNew      bool   // the configuration names the new archive
	cfgBranch   string // branch in the configuration; "" is release_1
	cfgWS       int    // workspace_id in the configuration; 0 is 2
}

func TestSchemaImportPlanExplainsDrift(t *testing.T) {
	a := writeDriftArchives(t)
	base := driftCase{observed: driftBaseline, live: true, setLive: true, cfgSetLive: true, detectDrift: true}
	with := func(change func(*driftCase)) driftCase {
		c := base
		change(&c)
		return c
	}
	tests := []struct {
		name string
		c    driftCase
		want []string // the warnings' summaries and details, "summary: detail"
	}{
		{name: "unchanged", c: base},
		{
			name: "content drift of a live branch",
			c:    with(func(c *driftCase) { c.observed = driftObserved }),
			want: []string{driftText(a, ", and the branch stays live")},
		},
		{
			name: "content drift of a branch that is not live",
			c: with(func(c *driftCase) {
				c.observed, c.live, c.setLive, c.cfgSetLive = driftObserved, false, false, false
			}),
			want: []string{driftText(a, "")},
		},
		{
			name: "another branch made live",
			c:    with(func(c *driftCase) { c.live = false }),
			want: []string{`Branch "release_1" of workspace 2 is no longer live: set_live is true, but another ` +
				`branch of workspace 2 was made live outside of this resource. Apply makes branch "release_1" live ` +
				`again. If another branch is meant to be live (with xano_workspace_live_branch, say), set ` +
				`set_live = false so that the two do not undo each other.`},
		},
		{
			name: "both",
			c:    with(func(c *driftCase) { c.observed, c.live = driftObserved, false }),
			want: []string{
				driftText(a, ", and makes it live again"),
				`Branch "release_1" of workspace 2 is no longer live: set_live is true, but another branch of ` +
					`workspace 2 was made live outside of this resource. Apply makes branch "release_1" live again. ` +
					`If another branch is meant to be live (with xano_workspace_live_branch, say), set ` +
					`set_live = false so that the two do not undo each other.`,
			},
		},
		// Changes of the configuration are not drift.
		{
			name: "new archive",
			c:    with(func(c *driftCase) { c.cfgNew = true }),
			want: []string{`Promotion preview of branch "release_1" of workspace 2: Applying re-imports source_path "` +
				a.newSource + `" into branch "release_1", keeping its label. The branch is live once applied. Compared ` +
				`with what branch "release_1" held after its last import (the baseline recorded in state), the objects ` +
				`change so:
  added function/hotfix
  changed function/send_welcome_email
  removed function/compute_invoice_total

Workspace-wide tables (table/...) are left out: every branch of the workspace shares them, and the import ` +
				`may add or change some. It was read from the archive and the state: it made no request.`},
		},
		{name: "set_live turned on", c: with(func(c *driftCase) { c.live, c.setLive = false, false })},
		{name: "detect_drift off", c: with(func(c *driftCase) { c.observed, c.detectDrift = driftObserved, false })},
		// A replacement makes the old branch's drift moot; a live old branch gets a warning that
		// Xano will not delete it unless another branch is live first.
		{
			name: "drift of a branch being replaced",
			c: with(func(c *driftCase) {
				c.observed, c.live, c.setLive, c.cfgSetLive, c.cfgBranch = driftObserved, false, false, false, "release_2"
			}),
		},
		{
			name: "live branch replaced under a new label",
			c:    with(func(c *driftCase) { c.observed, c.cfgBranch = driftObserved, "release_2" }),
			want: []string{`Replacing the live branch "release_1" of workspace 2: This change replaces branch ` +
				`"release_1" of workspace 2, which is live, with branch "release_2" of workspace 2. Xano cannot ` +
				`delete a live branch: the old one can only be deleted once another branch is live. Unless this ` +
				`resource already has lifecycle { create_before_destroy = true }, add it: the new branch is then ` +
				`imported and made live before the old one is deleted. Without it, Terraform destroys the old ` +
				`branch first, which fails, and nothing is imported.`},
		},
		{
			name: "live branch replaced by one in another workspace",
			c:    with(func(c *driftCase) { c.cfgWS = 3 }),
			want: []string{`Replacing the live branch "release_1" of workspace 2: This change replaces branch ` +
				`"release_1" of workspace 2, which is live, with branch "release_1" of workspace 3. Xano cannot ` +
				`delete a live branch: the old one can only be deleted once another branch is live. Make another ` +
				`branch of workspace 2 live before applying (in the Xano UI, or with xano_workspace_live_branch), ` +
				`or keep the old branch in Xano by applying retain_on_destroy = true first; otherwise destroying ` +
				`it fails.`},
		},
		{
			name: "live branch replaced, retained on destroy",
			c:    with(func(c *driftCase) { c.retain, c.cfgBranch = true, "release_2" }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := planSchemaImport(t, a, tt.c)
			var got []string
			for _, d := range resp.Diagnostics {
				if d.Severity != tfprotov6.DiagnosticSeverityWarning {
					t.Fatalf("unexpected diagnostic: %s: %s", d.Summary, d.Detail)
				}
				got = append(got, d.Summary+": "+d.Detail)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// The plan records in its private state what apply is to do; Update reads it from there.
func TestSchemaImportPlanRecordsDecision(t *testing.T) {
	a := writeDriftArchives(t)
	base := driftCase{observed: driftBaseline, live: true, setLive: true, cfgSetLive: true, detectDrift: true}
	tests := []struct {
		name   string
		change func(*driftCase)
		want   plannedImport
	}{
		{name: "nothing to import", change: func(*driftCase) {}, want: planNoImport},
		{name: "only set_live", change: func(c *driftCase) { c.live = false }, want: planNoImport},
		{name: "new archive", change: func(c *driftCase) { c.cfgNew = true }, want: planNewSource},
		{name: "drift", change: func(c *driftCase) { c.observed = driftObserved }, want: planDriftRepair},
		{name: "drift and new archive", change: func(c *driftCase) { c.observed, c.cfgNew = driftObserved, true }, want: planDriftRepair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			resp := planSchemaImport(t, a, c)
			var private map[string][]byte
			if err := json.Unmarshal(resp.PlannedPrivate, &private); err != nil {
				t.Fatalf("planned private state %q: %v", resp.PlannedPrivate, err)
			}
			var got plannedImportData
			if err := json.Unmarshal(private[plannedImportKey], &got); err != nil {
				t.Fatalf("planned import %q: %v", private[plannedImportKey], err)
			}
			if got.Import != tt.want {
				t.Errorf("planned import %q, want %q", got.Import, tt.want)
			}
			if private[baselineKey] == nil {
				t.Error("the plan dropped the baseline")
			}
		})
	}
}

// resourceType returns the object type of a schema, from the provider server's schemas.
func resourceType(t *testing.T, server tfprotov6.ProviderServer, typeName string) tftypes.Object {
	t.Helper()
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema := schemas.ResourceSchemas[typeName]
	if typeName == "" {
		schema = schemas.Provider
	}
	if schema == nil {
		t.Fatalf("no schema for %q", typeName)
	}
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T, not an object", schema.ValueType())
	}
	return typ
}

// objectValue builds a value of typ: the given attributes, the others null.
func objectValue(t *testing.T, typ tftypes.Object, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func tfString(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
func tfBool(b bool) tftypes.Value     { return tftypes.NewValue(tftypes.Bool, b) }
func tfNumber(n int) tftypes.Value    { return tftypes.NewValue(tftypes.Number, n) }

func tfStringMap(m map[string]string) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for k, v := range m {
		vals[k] = tfString(v)
	}
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, vals)
}

// driftText is the drift warning of the test's branch, whose refresh found function hotfix added.
func driftText(a driftArchives, liveness string) string {
	return `Branch "release_1" of workspace 2 has drifted: Its schema no longer matches the archive imported by ` +
		`Terraform: someone changed it outside Terraform. Changes since the import:
  added function/hotfix

Apply re-imports source_path "` + a.source + `" into the branch, keeping its label` + liveness + `. ` +
		`Workspace-wide tables are not part of drift: every branch of the workspace shares them, so a table added ` +
		`or changed (by an import into another branch, say) is not drift of this one. Set detect_drift = false to ` +
		`stop checking.

(content_sha256 was ` + driftBaseline + `, is now ` + driftObserved + `.)`
}

// schemaImportPrior is the state of branch release_1 of workspace 2 imported from source.
func schemaImportPrior(source, sha256, content string, live, setLive, detectDrift, retain bool) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"id":                tfString("2/release_1"),
		"workspace_id":      tfNumber(2),
		"branch":            tfString("release_1"),
		"source_path":       tfString(source),
		"source_sha256":     tfString(sha256),
		"set_live":          tfBool(setLive),
		"detect_drift":      tfBool(detectDrift),
		"retain_on_destroy": tfBool(retain),
		"live":              tfBool(live),
		"content_sha256":    tfString(content),
		"created_at":        tfString("2026-11-02T09:30:00Z"),
		"imported_sha256":   tfString(sha256),
	}
}

// privateState encodes provider private state as the framework does.
func privateState(t *testing.T, keys map[string]any) []byte {
	t.Helper()
	raw := map[string][]byte{}
	for k, v := range keys {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		raw[k] = b
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// planSchemaImport plans c through the provider's protocol server.
func planSchemaImport(t *testing.T, a driftArchives, c driftCase) *tfprotov6.PlanResourceChangeResponse {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	typ := resourceType(t, server, "xano_workspace_schema_import")

	source, sum := a.source, a.sha256
	if c.cfgNew {
		source, sum = a.newSource, a.newSHA256
	}
	branch, ws := "release_1", 2
	if c.cfgBranch != "" {
		branch = c.cfgBranch
	}
	if c.cfgWS != 0 {
		ws = c.cfgWS
	}
	config := map[string]tftypes.Value{
		"workspace_id":      tfNumber(ws),
		"branch":            tfString(branch),
		"source_path":       tfString(source),
		"source_sha256":     tfString(sum),
		"set_live":          tfBool(c.cfgSetLive),
		"detect_drift":      tfBool(c.detectDrift),
		"retain_on_destroy": tfBool(c.retain),
	}
	prior := schemaImportPrior(a.source, a.sha256, c.observed, c.live, c.setLive, c.detectDrift, c.retain)
	observed := a.baseline
	if c.observed != driftBaseline {
		observed = a.withHotfix()
	}
	prior["objects"] = tfStringMap(observed)
	proposed := map[string]tftypes.Value{}
	for k, v := range prior {
		proposed[k] = v
	}
	for k, v := range config {
		proposed[k] = v
	}

	resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "xano_workspace_schema_import",
		PriorState:       objectValue(t, typ, prior),
		ProposedNewState: objectValue(t, typ, proposed),
		Config:           objectValue(t, typ, config),
		PriorPrivate: privateState(t, map[string]any{
			baselineKey: baselineData{ContentSHA256: driftBaseline, Objects: a.baseline},
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
