package provider

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Default timeouts of xano_workspace_live_branch.
const (
	liveBranchWriteTimeout = 30 * time.Minute
	liveBranchReadTimeout  = 5 * time.Minute
)

var (
	_ resource.Resource                = (*workspaceLiveBranchResource)(nil)
	_ resource.ResourceWithConfigure   = (*workspaceLiveBranchResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*workspaceLiveBranchResource)(nil)
	_ resource.ResourceWithImportState = (*workspaceLiveBranchResource)(nil)
	_ resource.ResourceWithIdentity    = (*workspaceLiveBranchResource)(nil)
)

func init() {
	resourceFactories = append(resourceFactories, newWorkspaceLiveBranchResource)
}

func newWorkspaceLiveBranchResource() resource.Resource { return &workspaceLiveBranchResource{} }

// workspaceLiveBranchResource manages which branch of a workspace is live. A workspace always has
// exactly one live branch, so destroying the resource only stops managing it.
type workspaceLiveBranchResource struct {
	configurable
}

type workspaceLiveBranchModel struct {
	ID          types.String   `tfsdk:"id"`
	WorkspaceID types.Int64    `tfsdk:"workspace_id"`
	Branch      types.String   `tfsdk:"branch"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *workspaceLiveBranchResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_live_branch"
}

func (r *workspaceLiveBranchResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Which branch of a workspace is live: the one Xano's runtime serves, and the one " +
			"exports and imports use by default. A workspace has exactly one live branch, so declare at most one " +
			"`xano_workspace_live_branch` per workspace.\n\n" +
			"When another branch is made live outside Terraform (in the Xano UI, for instance), the next plan " +
			"shows an update that makes `branch` live again. Destroying this resource changes nothing in Xano: " +
			"the branch stays live, Terraform only stops managing which branch is.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The workspace ID, as a string.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"workspace_id": schema.Int64Attribute{
				MarkdownDescription: "The ID of the workspace. Changing it manages another workspace's live branch " +
					"(the old workspace is left as it is).",
				Required:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.AtLeast(1)},
			},
			"branch": schema.StringAttribute{
				MarkdownDescription: "The label of the branch to make live, e.g. `v1` or `release_2026_11`. The branch " +
					"must exist: reference a `xano_workspace_branch` or `xano_workspace_schema_import` resource to " +
					"create it first.",
				Required:   true,
				Validators: []validator.String{branchLabelValidator{}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true}),
		},
	}
}

// IdentitySchema: the workspace, the one object this resource stands for (Terraform and OpenTofu 1.12+).
func (r *workspaceLiveBranchResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = workspaceIdentitySchema()
}

func (r *workspaceLiveBranchResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing is sent to Xano
	}
	resp.Diagnostics.Append(r.data.checkConfiguredForPlan()...)
}

func (r *workspaceLiveBranchResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceLiveBranchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.setLive(ctx, &plan, plan.Timeouts.Create)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setWorkspaceIdentity(ctx, resp.Identity, plan.WorkspaceID.ValueInt64())...)
}

func (r *workspaceLiveBranchResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceLiveBranchModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Read, liveBranchReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ws := state.WorkspaceID.ValueInt64()
	// The identity is the workspace read, whatever the outcome (state written before the provider
	// had identity has none yet).
	resp.Diagnostics.Append(setWorkspaceIdentity(ctx, resp.Identity, ws)...)
	w, err := client.GetWorkspace(ctx, ws)
	if xano.IsNotFound(err) {
		tflog.Warn(ctx, "The workspace no longer exists: removing its live branch from state", map[string]any{"workspace_id": ws})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot read the live branch",
			fmt.Sprintf("Reading workspace %d to find its live branch failed.", ws), err, readAccess)
		return
	}
	if w.Branch != state.Branch.ValueString() {
		tflog.Info(ctx, "Another branch is live than the one in state", map[string]any{
			"workspace_id": ws, "state_branch": state.Branch.ValueString(), "live_branch": w.Branch,
		})
	}
	state.ID = types.StringValue(strconv.FormatInt(ws, 10))
	state.Branch = types.StringValue(w.Branch)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *workspaceLiveBranchResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceLiveBranchModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.setLive(ctx, &plan, plan.Timeouts.Update)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setWorkspaceIdentity(ctx, resp.Identity, plan.WorkspaceID.ValueInt64())...)
}

// Delete changes nothing in Xano: a workspace always has a live branch, and which one it should
// be once Terraform stops managing it is not Terraform's to guess.
func (r *workspaceLiveBranchResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceLiveBranchModel
	if diags := req.State.Get(ctx, &state); !diags.HasError() {
		tflog.Info(ctx, "No longer managing the live branch; it stays live in Xano", map[string]any{
			"workspace_id": state.WorkspaceID.ValueInt64(), "branch": state.Branch.ValueString(),
		})
	}
}

// ImportState takes the workspace ID, or an import block's identity { workspace_id = 2 }; Read then
// finds the live branch.
func (r *workspaceLiveBranchResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	target, diags := workspaceImportTarget(ctx, req, "xano_workspace_live_branch")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws := target.WorkspaceID
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("workspace_id"), ws)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(ws, 10))...)
	resp.Diagnostics.Append(setWorkspaceIdentity(ctx, resp.Identity, ws)...)
}

// setLive makes m.Branch live, within the operation's timeout (plan.Timeouts.Create or Update),
// and fills the computed attributes.
func (r *workspaceLiveBranchResource) setLive(ctx context.Context, m *workspaceLiveBranchModel, timeout timeoutFunc) diag.Diagnostics {
	var diags diag.Diagnostics
	ctx, cancel, client := r.data.startOperation(ctx, timeout, liveBranchWriteTimeout, &diags)
	defer cancel()
	if diags.HasError() {
		return diags
	}
	ws, label := m.WorkspaceID.ValueInt64(), m.Branch.ValueString()
	if _, err := client.SetLiveBranch(ctx, ws, label); err != nil {
		detail := fmt.Sprintf("Making branch %q live in workspace %d failed; the live branch is unchanged.", label, ws)
		if xano.IsNotFound(err) {
			detail += " " + explainNotFound(ctx, client, ws, label)
		}
		addAPIError(&diags, "Cannot set the live branch", detail, err, writeAccess)
		return diags
	}
	tflog.Info(ctx, "Set the live branch", map[string]any{"workspace_id": ws, "branch": label})
	m.ID = types.StringValue(strconv.FormatInt(ws, 10))
	return diags
}
