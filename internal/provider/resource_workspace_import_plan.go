package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// What a plan of xano_workspace_import does to the workspace.
type importPlan int

const (
	// keepImported imports nothing: the archive is the one last imported, or only other
	// arguments (paths, password, timeouts) changed.
	keepImported importPlan = iota
	// sameContent imports nothing either: the new archive holds the content last imported (a
	// snapshot exported again, say, because its file was gone); only imported_sha256 changes.
	sameContent
	// restoreArchive replaces the workspace's content with the archive.
	restoreArchive
	// restoreUnlessSameContent is an update whose archive is only known at apply. Terraform
	// plans again at apply with every value known, and that plan is restoreArchive or
	// sameContent.
	restoreUnlessSameContent
)

// ModifyPlan decides whether the plan restores the workspace, and says so: every plan that
// restores, or may, warns that apply replaces the workspace's content. The source archive is
// checked (it must exist and match source_sha256) only then, and only once both values are known;
// a plan that restores nothing never reads it, so the file may be gone.
//
// Terraform calls ModifyPlan again at apply with the values that were unknown now known, so the
// decision Update reads from the plan (restorePlanned) is always taken with the archive at hand.
func (r *workspaceImportResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(r.data.checkConfiguredForPlan()...)

	var plan workspaceImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *workspaceImportModel
	if !req.State.Raw.IsNull() {
		prior = &workspaceImportModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if !plan.WorkspaceID.Equal(prior.WorkspaceID) {
			// A replacement: Terraform plans the new resource again as a create, which decides.
			return
		}
	}

	decision, diags := decideImport(ctx, r.data.inspectionLimits(), plan, prior)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch decision {
	case keepImported:
		plan.keepImport(*prior, prior.ImportedSHA256)
		keepChanges(&plan, *prior)
	case sameContent:
		plan.keepImport(*prior, plan.SourceSHA256)
		keepChanges(&plan, *prior)
	case restoreArchive, restoreUnlessSameContent:
		plan.planRestore()
		deleted, ddiags := r.planBranchesDeleted(ctx, plan)
		resp.Diagnostics.Append(ddiags...)
		if resp.Diagnostics.HasError() {
			return
		}
		plan.BranchesDeleted = deleted
		resp.Diagnostics.Append(restoreWarning(ctx, plan, prior, decision)...)
		resp.Diagnostics.Append(checkExpectedAtPlan(ctx, r.data.inspectionLimits(), plan.SourcePath, plan.SourceURL, plan.SourceSHA256, plan.ExpectedContentSHA256)...)
		resp.Diagnostics.Append(r.planRestoreChanges(ctx, &plan)...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// decideImport is ModifyPlan's decision; prior is nil on create. When a restore is planned and
// the archive is known, it checks the file; for a new archive after an import whose content is
// recorded, it also reads the new archive's content, in the same pass over the file.
func decideImport(ctx context.Context, lim archive.Limits, plan workspaceImportModel, prior *workspaceImportModel) (importPlan, diag.Diagnostics) {
	src, srcKnown, diags := newImportSource(plan.SourcePath, plan.SourceURL)
	if diags.HasError() {
		return restoreArchive, diags
	}
	known := srcKnown && isKnown(plan.SourceSHA256)
	switch {
	case prior == nil:
		if !known {
			return restoreArchive, nil
		}
		return restoreArchive, checkInspectSource(ctx, src, lim, plan.SourceSHA256.ValueString())
	case plan.SourceSHA256.Equal(prior.ImportedSHA256):
		return keepImported, nil
	case !known && isKnown(prior.ImportedContent):
		return restoreUnlessSameContent, nil
	case !known:
		return restoreArchive, nil // nothing to compare the new archive with
	case !isKnown(prior.ImportedContent):
		return restoreArchive, checkInspectSource(ctx, src, lim, plan.SourceSHA256.ValueString())
	}
	info, diags := inspectSourceArchive(ctx, lim, src, plan.SourceSHA256.ValueString())
	if !diags.HasError() && contentSHA256Of(info).Equal(prior.ImportedContent) {
		return sameContent, diags
	}
	return restoreArchive, diags
}

// planBranchesDeleted lists the branches a planned restore deletes: every branch of the workspace,
// read now (one request, made only by a plan that restores or may). It is unknown when the
// workspace or the provider's configuration is only known at apply.
func (r *workspaceImportResource) planBranchesDeleted(ctx context.Context, plan workspaceImportModel) (types.List, diag.Diagnostics) {
	unknown := types.ListUnknown(types.StringType)
	if !isKnown(plan.WorkspaceID) || r.data == nil || r.data.unknown {
		return unknown, nil
	}
	var diags diag.Diagnostics
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Read, workspaceImportReadTimeout, &diags)
	defer cancel()
	if diags.HasError() {
		return unknown, diags
	}
	ws := plan.WorkspaceID.ValueInt64()
	branches, err := client.ListBranches(ctx, ws)
	if err != nil {
		addAPIError(&diags, "Cannot list the branches the import deletes",
			fmt.Sprintf("The plan restores workspace %d, which deletes all its branches, and listing them failed.", ws),
			err, readAccess)
		return unknown, diags
	}
	sortBranches(branches)
	list, ldiags := types.ListValueFrom(ctx, types.StringType, branchLabels(branches))
	diags.Append(ldiags...)
	return list, diags
}

// restorePlanned reports whether the plan Update carries out restores the workspace: ModifyPlan
// leaves imported_at unknown exactly then.
func restorePlanned(plan workspaceImportModel) bool {
	return plan.ImportedAt.IsUnknown()
}

// planRestore marks what a restore computes.
func (m *workspaceImportModel) planRestore() {
	if isKnown(m.WorkspaceID) {
		m.ID = types.StringValue(strconv.FormatInt(m.WorkspaceID.ValueInt64(), 10))
	}
	m.ImportedSHA256 = m.SourceSHA256
	m.ImportedContent = types.StringUnknown()
	m.LiveBranch = types.StringUnknown()
	m.ImportedAt = types.StringUnknown()
	m.BranchesDeleted = types.ListUnknown(types.StringType)
	if m.backupLocation().IsNull() {
		m.BackupSHA256, m.BackupContentSHA256 = types.StringNull(), types.StringNull()
	} else {
		m.BackupSHA256, m.BackupContentSHA256 = types.StringUnknown(), types.StringUnknown()
	}
}

// keepImport carries over what the last import recorded, with imported as imported_sha256.
func (m *workspaceImportModel) keepImport(state workspaceImportModel, imported types.String) {
	m.ID = state.ID
	m.ImportedSHA256 = imported
	m.ImportedContent = state.ImportedContent
	m.LiveBranch = state.LiveBranch
	m.ImportedAt = state.ImportedAt
	m.BranchesDeleted = state.BranchesDeleted
	m.BackupSHA256 = state.BackupSHA256
	m.BackupContentSHA256 = state.BackupContentSHA256
}

// restoreWarning is the plan's warning that apply replaces, or may replace, all content of the
// workspace, with what is backed up first.
func restoreWarning(ctx context.Context, plan workspaceImportModel, prior *workspaceImportModel, decision importPlan) diag.Diagnostics {
	ws := "the workspace"
	if isKnown(plan.WorkspaceID) {
		ws = fmt.Sprintf("workspace %d", plan.WorkspaceID.ValueInt64())
	}
	archive := "the archive at source_path (known at apply)"
	if isKnown(plan.SourcePath) {
		archive = fmt.Sprintf("%q", plan.SourcePath.ValueString())
	} else if isKnown(plan.SourceURL) {
		archive = fmt.Sprintf("%q", plan.SourceURL.ValueString())
	}
	summary := "Apply REPLACES all content of " + ws
	var detail string
	if decision == restoreUnlessSameContent {
		summary = "Apply may REPLACE all content of " + ws
		detail = fmt.Sprintf("source_sha256 is only known at apply (the archive is written during this apply). If "+
			"the new archive holds the same content as the one imported at %s (imported_content_sha256 %s), "+
			"nothing is imported and only imported_sha256 is updated. Otherwise apply imports %s into %s: ",
			prior.ImportedAt.ValueString(), prior.ImportedContent.ValueString(), archive, ws)
	} else {
		detail = fmt.Sprintf("Apply imports %s into %s: ", archive, ws)
		if prior != nil {
			detail = fmt.Sprintf("source_sha256 changed (from %s). ", prior.ImportedSHA256.ValueString()) + detail
		}
	}
	detail += "its tables, their records and all its branches are replaced by the archive's content, and the " +
		"archive's branch becomes v1, live. Xano cannot undo an import."
	var labels []string
	if isKnown(plan.BranchesDeleted) {
		_ = plan.BranchesDeleted.ElementsAs(ctx, &labels, false)
		detail += fmt.Sprintf(" It deletes the %s of the workspace: %s.", plural(len(labels), "branch", "branches"), quoteList(labels))
	}
	loc := plan.backupLocation()
	switch {
	case isKnown(loc) && len(labels) > 0:
		detail += fmt.Sprintf(" A backup set is first written into %q: %q with its records, and the schema of %s.",
			loc.ValueString(), labels[0], otherBranches(labels[1:]))
	case isKnown(loc):
		detail += fmt.Sprintf(" A backup set is first written into %q: the live branch with its records, and the "+
			"schema of every other branch.", loc.ValueString())
	case loc.IsNull():
		detail += " Neither backup_path nor backup_url is set: no backup is taken."
	}
	var diags diag.Diagnostics
	diags.AddAttributeWarning(path.Root("source_sha256"), summary, detail)
	return diags
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func otherBranches(labels []string) string {
	if len(labels) == 0 {
		return "no other branch (there is none)"
	}
	return quoteList(labels)
}
