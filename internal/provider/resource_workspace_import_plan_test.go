package provider

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Every plan that restores, or may restore, the workspace warns that apply replaces its content;
// a plan that imports nothing does not warn, and does not read the (missing) source archive.
func TestWorkspaceImportModifyPlan_warnings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", []byte("an archive"))
	missing := filepath.Join(dir, "gone.tar.gz")
	imported := map[string]attr.Value{
		"id": types.StringValue("2"), "workspace_id": types.Int64Value(2),
		"source_path": types.StringValue(missing), "source_sha256": types.StringValue(sha256Hex([]byte("old"))),
		"imported_sha256": types.StringValue(sha256Hex([]byte("old"))), "imported_content_sha256": types.StringValue("c0ffee"),
		"imported_at": types.StringValue("2026-11-27T08:10:20Z"), "live_branch": types.StringValue("v1"),
		"allow_data_loss": types.BoolValue(true),
	}
	with := func(base map[string]attr.Value, changes map[string]attr.Value) map[string]attr.Value {
		out := map[string]attr.Value{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	config := map[string]attr.Value{
		"workspace_id": types.Int64Value(2), "source_path": types.StringValue(src), "source_sha256": types.StringValue(sum),
		"allow_data_loss": types.BoolValue(true),
	}

	for _, tc := range []struct {
		name        string
		plan, state map[string]attr.Value
		warning     string // "" for none
	}{
		{"create", config, nil, "Apply REPLACES all content of workspace 2"},
		{"create, archive known at apply", with(config, map[string]attr.Value{"source_sha256": types.StringUnknown()}), nil,
			"Apply REPLACES all content of workspace 2"},
		{"new archive", with(imported, config), imported, "Apply REPLACES all content of workspace 2"},
		{"new archive known at apply", with(imported, map[string]attr.Value{"source_sha256": types.StringUnknown()}), imported,
			"Apply may REPLACE all content of workspace 2"},
		{"new archive known at apply, nothing to compare it with",
			with(imported, map[string]attr.Value{"source_sha256": types.StringUnknown()}),
			with(imported, map[string]attr.Value{"imported_content_sha256": types.StringNull()}),
			"Apply REPLACES all content of workspace 2"},
		{"same archive, file gone", imported, imported, ""},
		{"another backup_path, file gone", with(imported, map[string]attr.Value{"backup_path": types.StringValue("before-restore")}), imported, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := modifyImportPlan(t, tc.plan, tc.state)
			if resp.Diagnostics.HasError() {
				t.Fatalf("errors: %v", resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			if tc.warning == "" {
				if len(warnings) != 0 {
					t.Fatalf("got warnings, want none: %v", warnings)
				}
				return
			}
			if len(warnings) != 1 || warnings[0].Summary() != tc.warning {
				t.Fatalf("got %v, want one warning %q", warnings, tc.warning)
			}
			if !strings.Contains(warnings[0].Detail(), "all its branches are replaced") {
				t.Errorf("the warning does not say what is replaced: %s", warnings[0].Detail())
			}
		})
	}
}

// A plan that restores fails unless allow_data_loss is true, naming what is lost; one that
// imports nothing does not need it. The changes planned list the losses even when the archive is
// only known at apply.
func TestWorkspaceImportModifyPlan_dataLossGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, sum := writeTestArchive(t, dir, "staging.tar.gz", []byte("an archive"))
	config := map[string]attr.Value{
		"workspace_id": types.Int64Value(2), "source_path": types.StringValue(src), "source_sha256": types.StringValue(sum),
	}
	resp := modifyImportPlan(t, config, nil)
	errs := resp.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Summary() != "The import loses data: allow_data_loss is not set" ||
		!strings.Contains(errs[0].Detail(), "every record of workspace 2 is replaced") ||
		!strings.Contains(errs[0].Detail(), "every branch of workspace 2 but the live one is deleted") {
		t.Fatalf("got %v, want the data-loss error", resp.Diagnostics)
	}

	config["allow_data_loss"] = types.BoolValue(true)
	config["source_sha256"] = types.StringUnknown()
	resp = modifyImportPlan(t, config, nil)
	if resp.Diagnostics.HasError() {
		t.Fatalf("errors: %v", resp.Diagnostics)
	}
	var changes types.Object
	resp.Diagnostics.Append(resp.Plan.GetAttribute(context.Background(), path.Root("changes"), &changes)...)
	if !changes.IsUnknown() {
		t.Errorf("an archive known at apply: changes should be unknown, got %v", changes)
	}

	// A readable archive that cannot be compared (not an archive here): changes are known, and
	// list what is lost.
	config["source_sha256"] = types.StringValue(sum)
	resp = modifyImportPlan(t, config, nil)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(context.Background(), path.Root("changes"), &changes)...)
	if resp.Diagnostics.HasError() {
		t.Fatalf("errors: %v", resp.Diagnostics)
	}
	got := destructiveOf(context.Background(), changes)
	if len(got) != 2 || !strings.HasPrefix(got[0], "every record of workspace 2 is replaced") {
		t.Errorf("destructive = %q", got)
	}
	var cw changesTestModel
	resp.Diagnostics.Append(changes.As(context.Background(), &cw, basetypes.ObjectAsOptions{})...)
	if !strings.HasPrefix(cw.ComparedWith, "nothing: ") {
		t.Errorf("compared_with = %q (%v)", cw.ComparedWith, resp.Diagnostics)
	}
}

// modifyImportPlan runs xano_workspace_import's ModifyPlan (state nil: a create). Attributes not
// given are null, except the computed ones of a plan, which are unknown as Terraform proposes them.
func modifyImportPlan(t *testing.T, plan, state map[string]attr.Value) *fwresource.ModifyPlanResponse {
	t.Helper()
	ctx := context.Background()
	r := &workspaceImportResource{}
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema

	proposed := map[string]attr.Value{}
	for name, a := range s.Attributes {
		if a.IsComputed() && !a.IsOptional() {
			proposed[name] = unknownOf(a)
		}
	}
	for k, v := range state {
		if s.Attributes[k].IsComputed() {
			proposed[k] = v // Terraform proposes the prior computed values
		}
	}
	for k, v := range plan {
		proposed[k] = v
	}
	req := fwresource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: rawOf(t, s, plan)},
		Plan:   tfsdk.Plan{Schema: s, Raw: rawOf(t, s, proposed)},
		State:  tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)},
	}
	if state != nil {
		req.State.Raw = rawOf(t, s, state)
	}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	return resp
}

func unknownOf(a schema.Attribute) attr.Value {
	switch a := a.(type) {
	case schema.Int64Attribute:
		return types.Int64Unknown()
	case schema.ListAttribute:
		return types.ListUnknown(a.ElementType)
	}
	if _, ok := a.(schema.SingleNestedAttribute); ok {
		return changesUnknown()
	}
	return types.StringUnknown()
}

// rawOf is an object of schema s with the given attributes, the others null.
func rawOf(t *testing.T, s schema.Schema, attrs map[string]attr.Value) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	for k, v := range attrs {
		if diags := st.SetAttribute(ctx, path.Root(k), v); diags.HasError() {
			t.Fatalf("%s: %v", k, diags)
		}
	}
	return st.Raw
}

// The label recorded as live_branch is read from Xano after the import, never guessed: when Xano
// names none and the workspace cannot be read, it is left null, with a warning.
func TestImportedLabel(t *testing.T) {
	t.Parallel()
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 2, "main", "")
	inst.SetLive(t, 2, "main")
	client, err := xano.New(xano.Config{BaseURL: inst.URL, Token: inst.Token, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(what string, got types.String, diags diag.Diagnostics, want types.String, warnings int) {
		t.Helper()
		if !got.Equal(want) || len(diags.Warnings()) != warnings || diags.HasError() {
			t.Errorf("%s: got %s with %v, want %s with %d warning(s)", what, got, diags, want, warnings)
		}
	}

	label, diags := importedLabel(ctx, client, 2, &xano.ImportResult{Branch: map[string]any{"label": "v1"}})
	check("from the import's answer", label, diags, types.StringValue("v1"), 0)
	label, diags = importedLabel(ctx, client, 2, &xano.ImportResult{})
	check("from the workspace", label, diags, types.StringValue("main"), 0)

	addFault(t, inst, emulator.Fault{Method: http.MethodGet, Path: "/workspace/2", Status: http.StatusInternalServerError})
	label, diags = importedLabel(ctx, client, 2, &xano.ImportResult{})
	check("unreadable", label, diags, types.StringNull(), 1)
	if w := diags.Warnings(); len(w) == 1 && !strings.Contains(w[0].Detail(), fmt.Sprint("workspace ", 2)) {
		t.Errorf("the warning does not name the workspace: %s", w[0].Detail())
	}
}
