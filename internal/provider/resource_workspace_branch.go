package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Default timeouts of xano_workspace_branch.
const (
	branchWriteTimeout  = 30 * time.Minute
	branchReadTimeout   = 5 * time.Minute
	branchDeleteTimeout = 5 * time.Minute
)

// defaultSourceBranch is the branch Xano clones when none is named.
const defaultSourceBranch = "v1"

// privateSourceUnverified marks, in private state, a branch imported into Terraform: Xano does not
// report which branch it was cloned from, so source_branch cannot be checked against the config.
const privateSourceUnverified = "source_branch_unverified"

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

var (
	_ resource.Resource                = (*workspaceBranchResource)(nil)
	_ resource.ResourceWithConfigure   = (*workspaceBranchResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*workspaceBranchResource)(nil)
	_ resource.ResourceWithImportState = (*workspaceBranchResource)(nil)
	_ resource.ResourceWithIdentity    = (*workspaceBranchResource)(nil)
)

// branchLabelIdentity is the identity attribute of xano_workspace_branch holding the label.
const branchLabelIdentity = "label"

func init() {
	resourceFactories = append(resourceFactories, newWorkspaceBranchResource)
}

func newWorkspaceBranchResource() resource.Resource { return &workspaceBranchResource{} }

// workspaceBranchResource manages a branch cloned from another one.
type workspaceBranchResource struct {
	configurable
}

type workspaceBranchModel struct {
	ID           types.String   `tfsdk:"id"`
	WorkspaceID  types.Int64    `tfsdk:"workspace_id"`
	Label        types.String   `tfsdk:"label"`
	SourceBranch types.String   `tfsdk:"source_branch"`
	Description  types.String   `tfsdk:"description"`
	Color        types.String   `tfsdk:"color"`
	Live         types.Bool     `tfsdk:"live"`
	CreatedAt    types.String   `tfsdk:"created_at"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *workspaceBranchResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_branch"
	// A label change renames the branch in place, so the identity (workspace and label) follows it.
	resp.ResourceBehavior.MutableIdentity = true
}

// IdentitySchema: the workspace and the label (Terraform and OpenTofu 1.12+). A rename changes it.
func (r *workspaceBranchResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = branchIdentitySchema(branchLabelIdentity)
}

func (r *workspaceBranchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A branch of a workspace, cloned from another branch when it is created. Branches " +
			"hold business logic (APIs, functions, tasks...); tables are shared by the whole workspace.\n\n" +
			"Changing `label`, `description` or `color` updates the branch in place (a label change renames it). " +
			"Changing `workspace_id` or `source_branch` creates a new branch. Xano cannot delete the live branch: " +
			"make another branch live before destroying this one (see `xano_workspace_live_branch`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<workspace_id>/<label>`, with the label URL-escaped (a `/` becomes `%2F`).",
				Computed:            true,
			},
			"workspace_id": schema.Int64Attribute{
				MarkdownDescription: "The ID of the workspace. Changing it creates the branch in the other workspace " +
					"and deletes this one.",
				Required:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.AtLeast(1)},
			},
			"label": schema.StringAttribute{
				MarkdownDescription: "The branch's label. It must start with a letter, digit or `_`, followed by " +
					"letters, digits, `_`, `-`, `.` or `/`, and cannot be `v1` (every workspace already has it). " +
					"Changing it renames the branch in place; a live branch stays live.",
				Required:   true,
				Validators: []validator.String{branchLabelValidator{newBranch: true}},
			},
			"source_branch": schema.StringAttribute{
				MarkdownDescription: "The label of the branch whose business logic is cloned when the branch is " +
					"created. Defaults to `v1`. Changing it creates a new branch. Xano does not report it, so it is " +
					"not refreshed, and after `terraform import` the configured value is adopted without replacing " +
					"the branch.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaultSourceBranch),
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(sourceBranchRequiresReplace,
						"Changing the branch cloned from creates a new branch.",
						"Changing the branch cloned from creates a new branch."),
				},
				Validators: []validator.String{branchLabelValidator{}},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "A description of the branch, shown in the Xano UI. It is read back on every " +
					"refresh, so a change made in Xano shows as drift when it is set here. When unset, Terraform " +
					"leaves the description to Xano and records what it is; `\"\"` clears it.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"color": schema.StringAttribute{
				MarkdownDescription: "The branch's color in the Xano UI, as `#rrggbb` (e.g. `#ebc346`). When not set, " +
					"Xano picks one, and it is read back.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators: []validator.String{stringvalidator.RegexMatches(colorPattern,
					"must be a color written `#rrggbb`, such as `#ebc346`")},
			},
			"live": schema.BoolAttribute{
				MarkdownDescription: "Whether the branch is the workspace's live branch. Manage that with " +
					"`xano_workspace_live_branch`.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When Xano created the branch, in RFC 3339 format (UTC), e.g. `2026-11-02T09:30:00Z`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// sourceBranchRequiresReplace replaces the branch when source_branch changes, except right after
// an import: Xano does not say which branch a branch was cloned from, so the configured value is
// then simply adopted.
func sourceBranchRequiresReplace(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	unverified, diags := req.Private.GetKey(ctx, privateSourceUnverified)
	resp.Diagnostics.Append(diags...)
	resp.RequiresReplace = len(unverified) == 0
}

// ModifyPlan checks the provider configuration and computes the ID, which follows the label, and
// for an update the identity, which follows it too.
func (r *workspaceBranchResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(r.data.checkConfiguredForPlan()...)

	var ws types.Int64
	var label types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("workspace_id"), &ws)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("label"), &label)...)
	if resp.Diagnostics.HasError() || !isKnown(ws) || !isKnown(label) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), branchID(ws.ValueInt64(), label.ValueString()))...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, branchLabelIdentity, ws.ValueInt64(), label.ValueString())...)
	}
}

func (r *workspaceBranchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceBranchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Create, branchWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws, label, source := plan.WorkspaceID.ValueInt64(), plan.Label.ValueString(), plan.SourceBranch.ValueString()
	b, err := client.CreateBranch(ctx, ws, xano.CreateBranchInput{
		Label:        label,
		SourceBranch: source,
		Description:  plan.Description.ValueString(),
		Color:        plan.Color.ValueString(),
	})
	if err != nil {
		detail := fmt.Sprintf("Creating branch %q in workspace %d as a clone of %q failed.", label, ws, source)
		switch {
		case xano.IsNotFound(err):
			detail += " " + explainNotFound(ctx, client, ws, source)
		case xano.IsInputError(err):
			detail += fmt.Sprintf(" If a branch %q already exists, choose another label, or bring it under "+
				"Terraform with `terraform import` (ID %q).", label, branchID(ws, label))
		}
		addAPIError(&resp.Diagnostics, "Cannot create the branch", detail, err, writeAccess)
		return
	}
	tflog.Info(ctx, "Created the branch", map[string]any{"workspace_id": ws, "branch": label, "source_branch": source})
	plan.setFromBranch(b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(plan.setIdentity(ctx, resp.Identity)...)
}

func (r *workspaceBranchResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceBranchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Read, branchReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws, label := state.WorkspaceID.ValueInt64(), state.Label.ValueString()
	// The identity is the branch read, whatever the outcome (state written before the provider had
	// identity has none yet).
	resp.Diagnostics.Append(state.setIdentity(ctx, resp.Identity)...)
	b, err := client.GetBranch(ctx, ws, label)
	if xano.IsNotFound(err) {
		tflog.Warn(ctx, "The branch no longer exists: removing it from state", map[string]any{"workspace_id": ws, "branch": label})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot read the branch",
			fmt.Sprintf("Reading branch %q of workspace %d failed.", label, ws), err, readAccess)
		return
	}
	state.setFromBranch(b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(state.setIdentity(ctx, resp.Identity)...)
}

func (r *workspaceBranchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state workspaceBranchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Until the branch is renamed, the identity is the one in state (the framework starts from the
	// planned one): a failed rename leaves both as they were.
	resp.Diagnostics.Append(state.setIdentity(ctx, resp.Identity)...)
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Update, branchWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws, oldLabel, newLabel := state.WorkspaceID.ValueInt64(), state.Label.ValueString(), plan.Label.ValueString()
	if in, changed := branchChanges(state, plan); changed {
		b, err := client.UpdateBranch(ctx, ws, oldLabel, in)
		if err != nil {
			detail := fmt.Sprintf("Updating branch %q of workspace %d failed; the branch is unchanged.", oldLabel, ws)
			switch {
			case xano.IsNotFound(err):
				detail += " " + explainNotFound(ctx, client, ws, oldLabel)
			case xano.IsInputError(err) && newLabel != oldLabel:
				detail += fmt.Sprintf(" Renaming it to %q was refused: check that no other branch of workspace %d "+
					"already has that label.", newLabel, ws)
			}
			addAPIError(&resp.Diagnostics, "Cannot update the branch", detail, err, writeAccess)
			return
		}
		tflog.Info(ctx, "Updated the branch", map[string]any{"workspace_id": ws, "branch": oldLabel, "new_label": newLabel})
		plan.setFromBranch(b)
		plan.CreatedAt = state.CreatedAt // planned from state; a rename does not recreate the branch
	} else {
		plan.Live, plan.CreatedAt, plan.Color, plan.Description = state.Live, state.CreatedAt, state.Color, state.Description
	}
	// Whatever source_branch now says is what the configuration asked for: it is adopted.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSourceUnverified, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(plan.setIdentity(ctx, resp.Identity)...)
}

// branchChanges is the PUT body that turns the branch in state into the planned one.
func branchChanges(state, plan workspaceBranchModel) (xano.UpdateBranchInput, bool) {
	var in xano.UpdateBranchInput
	changed := false
	if !plan.Label.Equal(state.Label) {
		in.Label = plan.Label.ValueStringPointer()
		changed = true
	}
	if isKnown(plan.Description) && !plan.Description.Equal(state.Description) {
		d := plan.Description.ValueString() // "" clears it
		in.Description = &d
		changed = true
	}
	if isKnown(plan.Color) && !strings.EqualFold(plan.Color.ValueString(), state.Color.ValueString()) {
		in.Color = plan.Color.ValueStringPointer()
		changed = true
	}
	return in, changed
}

func (r *workspaceBranchResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceBranchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Delete, branchDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	resp.Diagnostics.Append(deleteBranch(ctx, client, state.WorkspaceID.ValueInt64(), state.Label.ValueString(), "")...)
}

// ImportState takes "<workspace_id>/<label>", or an import block's identity { workspace_id, label };
// Read fills the rest. source_branch cannot be read back from Xano: it takes the default, and the
// configured value is adopted at the next apply.
func (r *workspaceBranchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	target, diags := branchImportTarget(ctx, req, branchLabelIdentity)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, label := target.WorkspaceID, target.Label
	if msg := checkBranchLabel(label, true); msg != "" {
		resp.Diagnostics.AddError("Cannot import this branch",
			msg+" xano_workspace_branch manages branches that can be renamed and deleted, which v1 cannot.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), branchID(ws, label))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("workspace_id"), ws)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("label"), label)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("source_branch"), defaultSourceBranch)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSourceUnverified, []byte(`true`))...)
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, branchLabelIdentity, ws, label)...)
}

// setIdentity records the branch's workspace and label as the resource's identity.
func (m *workspaceBranchModel) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	return setBranchIdentity(ctx, identity, branchLabelIdentity, m.WorkspaceID.ValueInt64(), m.Label.ValueString())
}

// setFromBranch records what Xano reports about the branch. The description is always taken as
// Xano reports it ("" for none), so that clearing it in Xano is drift and a description Xano sets
// is recorded. Xano may leave color out of its answers: an absent color keeps the one in state,
// and one that only differs in case keeps the configured spelling.
func (m *workspaceBranchModel) setFromBranch(b *xano.Branch) {
	m.ID = types.StringValue(branchID(m.WorkspaceID.ValueInt64(), b.Label))
	m.Label = types.StringValue(b.Label)
	m.Live = types.BoolValue(b.Live)
	switch {
	case b.CreatedAt != "":
		m.CreatedAt = types.StringValue(rfc3339FromXano(b.CreatedAt))
	case m.CreatedAt.IsUnknown():
		m.CreatedAt = types.StringNull()
	}
	m.Description = types.StringValue(b.Description)
	switch {
	case b.Color != "" && !strings.EqualFold(b.Color, m.Color.ValueString()):
		m.Color = types.StringValue(b.Color)
	case m.Color.IsUnknown():
		m.Color = types.StringNull()
	}
}
