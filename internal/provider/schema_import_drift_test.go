package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The plan of xano_workspace_schema_import explains drift with warnings. The acceptance tests
// cannot see warnings, so these tests call PlanResourceChange as a CLI would, with the prior
// state and the private baseline that Read leaves after observing a change.

const (
	driftSource   = "/archives/staging.tar.gz"
	driftSHA256   = "1111111111111111111111111111111111111111111111111111111111111111"
	driftNewSHA   = "2222222222222222222222222222222222222222222222222222222222222222"
	driftBaseline = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	driftObserved = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// driftCase is a refreshed state of branch release_1 of workspace 2 (imported from driftSource,
// with driftSHA256, baseline driftBaseline) and a configuration to plan against it.
type driftCase struct {
	observed    string // content_sha256 as the refresh recorded it
	live        bool   // whether the refresh found the branch live
	setLive     bool   // set_live in state
	cfgSetLive  bool   // set_live in the configuration
	detectDrift bool   // detect_drift, in state and configuration
	cfgSHA256   string // source_sha256 in the configuration
}

func TestSchemaImportPlanExplainsDrift(t *testing.T) {
	base := driftCase{observed: driftBaseline, live: true, setLive: true, cfgSetLive: true, detectDrift: true, cfgSHA256: driftSHA256}
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
			want: []string{`Branch "release_1" of workspace 2 has drifted: Its schema no longer matches the archive ` +
				`imported by Terraform (content_sha256 was ` + driftBaseline + `, is now ` + driftObserved + `): ` +
				`someone changed it outside Terraform. Apply re-imports source_path "` + driftSource + `" into the ` +
				`branch, keeping its label, and the branch stays live. Set detect_drift = false to stop checking.`},
		},
		{
			name: "content drift of a branch that is not live",
			c: with(func(c *driftCase) {
				c.observed, c.live, c.setLive, c.cfgSetLive = driftObserved, false, false, false
			}),
			want: []string{`Branch "release_1" of workspace 2 has drifted: Its schema no longer matches the archive ` +
				`imported by Terraform (content_sha256 was ` + driftBaseline + `, is now ` + driftObserved + `): ` +
				`someone changed it outside Terraform. Apply re-imports source_path "` + driftSource + `" into the ` +
				`branch, keeping its label. Set detect_drift = false to stop checking.`},
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
				`Branch "release_1" of workspace 2 has drifted: Its schema no longer matches the archive imported ` +
					`by Terraform (content_sha256 was ` + driftBaseline + `, is now ` + driftObserved + `): someone ` +
					`changed it outside Terraform. Apply re-imports source_path "` + driftSource + `" into the ` +
					`branch, keeping its label, and makes it live again. Set detect_drift = false to stop checking.`,
				`Branch "release_1" of workspace 2 is no longer live: set_live is true, but another branch of ` +
					`workspace 2 was made live outside of this resource. Apply makes branch "release_1" live again. ` +
					`If another branch is meant to be live (with xano_workspace_live_branch, say), set ` +
					`set_live = false so that the two do not undo each other.`,
			},
		},
		// Changes of the configuration are not drift.
		{name: "new archive", c: with(func(c *driftCase) { c.cfgSHA256 = driftNewSHA })},
		{name: "set_live turned on", c: with(func(c *driftCase) { c.live, c.setLive = false, false })},
		{name: "detect_drift off", c: with(func(c *driftCase) { c.observed, c.detectDrift = driftObserved, false })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := planSchemaImport(t, tt.c)
			var got []string
			for _, d := range diags {
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

// planSchemaImport plans c through the provider's protocol server and returns the diagnostics.
func planSchemaImport(t *testing.T, c driftCase) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema := schemas.ResourceSchemas["xano_workspace_schema_import"]
	if schema == nil {
		t.Fatal("no schema for xano_workspace_schema_import")
	}
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T, not an object", schema.ValueType())
	}

	// object builds a value of the resource's type: the given attributes, the others null.
	object := func(attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
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
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	boolean := func(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }
	config := map[string]tftypes.Value{
		"workspace_id":  tftypes.NewValue(tftypes.Number, 2),
		"branch":        str("release_1"),
		"source_path":   str(driftSource),
		"source_sha256": str(c.cfgSHA256),
		"set_live":      boolean(c.cfgSetLive),
		"detect_drift":  boolean(c.detectDrift),
	}
	prior := map[string]tftypes.Value{
		"id":                str("2/release_1"),
		"workspace_id":      tftypes.NewValue(tftypes.Number, 2),
		"branch":            str("release_1"),
		"source_path":       str(driftSource),
		"source_sha256":     str(driftSHA256),
		"set_live":          boolean(c.setLive),
		"detect_drift":      boolean(c.detectDrift),
		"retain_on_destroy": boolean(false),
		"live":              boolean(c.live),
		"content_sha256":    str(c.observed),
		"created_at":        str("2026-11-02 09:30:00+0000"),
		"imported_sha256":   str(driftSHA256),
	}
	proposed := map[string]tftypes.Value{}
	for k, v := range prior {
		proposed[k] = v
	}
	for k, v := range config {
		proposed[k] = v
	}
	baseline, err := json.Marshal(baselineData{ContentSHA256: driftBaseline})
	if err != nil {
		t.Fatal(err)
	}
	private, err := json.Marshal(map[string][]byte{baselineKey: baseline})
	if err != nil {
		t.Fatal(err)
	}

	resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "xano_workspace_schema_import",
		PriorState:       object(prior),
		ProposedNewState: object(proposed),
		Config:           object(config),
		PriorPrivate:     private,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}
