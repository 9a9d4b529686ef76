package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Planning of xano_workspace_schema_import.
//
// The plan is the contract with apply. ModifyPlan decides whether apply imports the archive: a
// create (or a replacement, which Terraform plans as a create) always does; an update re-imports
// when source_sha256 is not the archive last imported, or to repair drift. The decision of an
// update is kept in the plan's private state (plannedImportKey), where Update reads it, and shows
// in the plan as content_sha256 and created_at becoming unknown. The source archive is only
// checked, and only needed, when the plan imports it.

// plannedImport is what ModifyPlan decided that an update does about the archive.
type plannedImport string

const (
	// planNoImport: apply records the arguments and makes the branch live if set_live asks for
	// it; the branch's content is not touched.
	planNoImport plannedImport = "none"
	// planNewSource: source_sha256 is not the archive last imported (or is unknown until apply).
	// Apply re-imports it, unless its content turns out to be the content last imported.
	planNewSource plannedImport = "source"
	// planDriftRepair: the branch's content no longer matches its baseline. Apply re-imports
	// source_path whatever it holds.
	planDriftRepair plannedImport = "drift"
)

// plannedImportKey is the private state key of the decision, from ModifyPlan to Update.
const plannedImportKey = "planned_import"

type plannedImportData struct {
	Import plannedImport `json:"import"`
}

// setPlannedImport records the decision of an update plan; "" forgets it.
func setPlannedImport(ctx context.Context, p privateData, what plannedImport) diag.Diagnostics {
	if what == "" {
		return setPrivateJSON(ctx, p, plannedImportKey, nil, "")
	}
	return setPrivateJSON(ctx, p, plannedImportKey, plannedImportData{Import: what}, "the plan")
}

// getPlannedImport returns the decision ModifyPlan recorded, or "" when none is.
func getPlannedImport(ctx context.Context, p privateData) (plannedImport, diag.Diagnostics) {
	var d plannedImportData
	ok, diags := getPrivateJSON(ctx, p, plannedImportKey, &d)
	if !ok {
		return "", diags
	}
	return d.Import, diags
}

// ModifyPlan fills in what is known before apply, decides whether apply imports the archive, and
// checks the archive when it does.
func (r *workspaceSchemaImportResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(r.data.checkConfiguredForPlan()...)

	var plan workspaceSchemaImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringUnknown()
	if isKnown(plan.WorkspaceID) && isKnown(plan.Branch) {
		plan.ID = types.StringValue(branchID(plan.workspace(), plan.label()))
	}
	plan.ImportedSHA256 = plan.SourceSHA256

	if req.State.Raw.IsNull() {
		planNewBranch(&plan)
		resp.Diagnostics.Append(checkSourceAtPlan(ctx, req.Config)...)
		resp.Diagnostics.Append(checkExpectedAtPlan(ctx, r.data.inspectionLimits(), plan.SourcePath, plan.SourceURL, plan.SourceSHA256, plan.ExpectedContentSHA256)...)
		if !resp.Diagnostics.HasError() {
			diags, changes := r.promotionPreview(ctx, req.Config, plan, nil, baselineData{})
			resp.Diagnostics.Append(diags...)
			plan.Changes = changes
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	var state workspaceSchemaImportModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// resp.RequiresReplace only holds what this method adds: the attributes' RequiresReplace is
	// not visible here, so a replacement is recognised by the attributes that force it.
	if replacesBranch(plan, state) {
		// Terraform plans the new branch again as a create (where the archive is checked); here
		// only the old branch matters: its drift is moot, its liveness is not.
		resp.Diagnostics.Append(replacementWarnings(plan, state)...)
		planNewBranch(&plan)
		plan.Changes = changesUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	baseline, diags := getBaseline(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	observed, diags := getObservedFacts(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	audit, diags := getDriftAudit(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(driftWarnings(ctx, plan, state, baseline, observed, audit)...)

	what := plannedImportFor(plan, state, baseline.ContentSHA256)
	if what == planNoImport {
		plan.ContentSHA256 = state.ContentSHA256
		plan.Objects = state.Objects
		plan.CreatedAt = state.CreatedAt
		plan.Changes = state.Changes
	} else {
		// A re-import makes a new branch under the same label: new content, new created_at.
		plan.ContentSHA256 = types.StringUnknown()
		plan.Objects = types.MapUnknown(types.StringType)
		plan.CreatedAt = types.StringUnknown()
		resp.Diagnostics.Append(checkSourceAtPlan(ctx, req.Config)...)
		resp.Diagnostics.Append(checkExpectedAtPlan(ctx, r.data.inspectionLimits(), plan.SourcePath, plan.SourceURL, plan.SourceSHA256, plan.ExpectedContentSHA256)...)
		switch {
		case resp.Diagnostics.HasError():
		case what == planNewSource:
			diags, changes := r.promotionPreview(ctx, req.Config, plan, &state, baseline)
			resp.Diagnostics.Append(diags...)
			plan.Changes = changes
		default:
			// A drift repair re-imports the archive last imported: the drift warning says what it
			// undoes, and changes says it as apply does it.
			plan.Changes = withAudit(driftRepairChanges(ctx, state, baseline, observed), audit)
		}
	}
	// The branch ends up live when set_live asks for it; otherwise its liveness is kept (a
	// re-import of a live branch makes the new one live, or the old one could not be deleted).
	switch {
	case plan.SetLive.IsUnknown():
		plan.Live = types.BoolUnknown()
	case plan.SetLive.ValueBool():
		plan.Live = types.BoolValue(true)
	default:
		plan.Live = state.Live
	}
	resp.Diagnostics.Append(setPlannedImport(ctx, resp.Private, what)...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planNewBranch marks what an import into a new branch computes. import-schema makes the branch
// live when set_live is true.
func planNewBranch(plan *workspaceSchemaImportModel) {
	plan.Live = plan.SetLive
	plan.ContentSHA256 = types.StringUnknown()
	plan.Objects = types.MapUnknown(types.StringType)
	plan.CreatedAt = types.StringUnknown()
}

// replacesBranch reports a plan that replaces the branch: another workspace or another label (or
// one not known before apply, which RequiresReplace also counts as a change).
func replacesBranch(plan, state workspaceSchemaImportModel) bool {
	return !plan.WorkspaceID.Equal(state.WorkspaceID) || !plan.Branch.Equal(state.Branch)
}

// plannedImportFor decides what applying plan over state does about the archive: repair drift,
// import a new archive (an unknown source_sha256 may be one), or nothing. A resource just imported
// into Terraform whose source is unknown adopts the configured archive without importing it again.
func plannedImportFor(plan, state workspaceSchemaImportModel, baseline string) plannedImport {
	switch {
	case driftDetected(plan.DetectDrift.ValueBool(), state.ContentSHA256, baseline):
		return planDriftRepair
	case state.ImportedSHA256.IsNull():
		return planNoImport
	case plan.SourceSHA256.IsUnknown() || plan.SourceSHA256.ValueString() != state.ImportedSHA256.ValueString():
		return planNewSource
	}
	return planNoImport
}

// checkSourceAtPlan checks, for a plan that imports the archive, that the archive is there and is
// the expected one (when source_path and source_sha256 are known), and that an encrypted archive
// comes with a password. Apply checks again right before the upload.
func checkSourceAtPlan(ctx context.Context, cfg tfsdk.Config) diag.Diagnostics {
	diags := validateSourceArchive(ctx, cfg)
	if diags.HasError() {
		return diags
	}
	var sum, password, passwordWO types.String
	src, known, d := importSourceFromConfig(ctx, cfg)
	diags.Append(d...)
	diags.Append(cfg.GetAttribute(ctx, sourceSHA256Attr, &sum)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("password"), &password)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("password_wo"), &passwordWO)...)
	if diags.HasError() || !known || !isKnown(sum) || !password.IsNull() || !passwordWO.IsNull() {
		return diags
	}
	if encrypted, err := sourceEncrypted(ctx, src); err == nil && encrypted {
		diags.AddAttributeError(path.Root("password_wo"), "Password required", passwordRequiredDetail(src))
	}
	return diags
}

func passwordRequiredDetail(src importSource) string {
	return fmt.Sprintf("%s is an encrypted archive (it was exported with a password): set password_wo "+
		"(Terraform or OpenTofu 1.11 and later) or password to the password it was exported with.", src.label())
}

// replacementWarnings warns, when plan replaces a live branch, that Xano will refuse to delete it
// unless another branch is live by then, and says how to order the change.
func replacementWarnings(plan, state workspaceSchemaImportModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !state.Live.ValueBool() || state.RetainOnDestroy.ValueBool() {
		return diags
	}
	ws, label := state.workspace(), state.label()
	next := "a new branch"
	if isKnown(plan.WorkspaceID) && isKnown(plan.Branch) {
		next = fmt.Sprintf("branch %q of workspace %d", plan.label(), plan.workspace())
	}
	detail := fmt.Sprintf("This change replaces branch %q of workspace %d, which is live, with %s. Xano cannot "+
		"delete a live branch: the old one can only be deleted once another branch is live.", label, ws, next)
	if plan.WorkspaceID.Equal(state.WorkspaceID) && plan.SetLive.ValueBool() {
		detail += " Unless this resource already has lifecycle { create_before_destroy = true }, add it: the new " +
			"branch is then imported and made live before the old one is deleted. Without it, Terraform destroys " +
			"the old branch first, which fails, and nothing is imported."
	} else {
		detail += fmt.Sprintf(" Make another branch of workspace %d live before applying (in the Xano UI, or with "+
			"xano_workspace_live_branch), or keep the old branch in Xano by applying retain_on_destroy = true "+
			"first; otherwise destroying it fails.", ws)
	}
	diags.AddWarning(fmt.Sprintf("Replacing the live branch %q of workspace %d", label, ws), detail)
	return diags
}
