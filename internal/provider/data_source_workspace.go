package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

func init() {
	dataSourceFactories = append(dataSourceFactories, newWorkspaceDataSource)
}

var (
	_ datasource.DataSource              = (*workspaceDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*workspaceDataSource)(nil)
)

func newWorkspaceDataSource() datasource.DataSource { return &workspaceDataSource{} }

// workspaceDataSource reads one workspace by ID.
type workspaceDataSource struct {
	dataSourceConfigurable
}

// workspaceModel is one workspace as xano_workspaces lists it.
type workspaceModel struct {
	ID          types.Int64  `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	LiveBranch  types.String `tfsdk:"live_branch"`
}

// workspaceDataSourceModel is xano_workspace: the workspace is named by workspace_id, as in every
// other object of the provider, and id is the usual computed string.
type workspaceDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	WorkspaceID types.Int64  `tfsdk:"workspace_id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	LiveBranch  types.String `tfsdk:"live_branch"`
}

// Descriptions of a workspace's attributes, shared with xano_workspaces.
const (
	workspaceNameDescription        = "The workspace's name."
	workspaceDescriptionDescription = "The workspace's description (empty when it has none)."
	workspaceLiveBranchDescription  = "The label of the workspace's live branch: the one its APIs serve and " +
		"that exports with an empty `branch` come from."
)

func workspaceModelOf(ws xano.Workspace) workspaceModel {
	return workspaceModel{
		ID:          types.Int64Value(ws.ID),
		Name:        types.StringValue(ws.Name),
		Description: types.StringValue(ws.Description),
		LiveBranch:  types.StringValue(ws.Branch),
	}
}

func (d *workspaceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace"
}

func (d *workspaceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a Xano workspace by ID: its name, description and live branch.",
		Attributes: map[string]schema.Attribute{
			"workspace_id": schema.Int64Attribute{
				MarkdownDescription: "The ID of the workspace to read.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The workspace ID, as a string.",
				Computed:            true,
			},
			"name":        schema.StringAttribute{MarkdownDescription: workspaceNameDescription, Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: workspaceDescriptionDescription, Computed: true},
			"live_branch": schema.StringAttribute{MarkdownDescription: workspaceLiveBranchDescription, Computed: true},
		},
	}
}

func (d *workspaceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var cfg workspaceDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	client, diags := d.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, diags := getWorkspace(ctx, client, cfg.WorkspaceID.ValueInt64())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := workspaceDataSourceModel{
		ID:          types.StringValue(strconv.FormatInt(cfg.WorkspaceID.ValueInt64(), 10)),
		WorkspaceID: cfg.WorkspaceID,
		Name:        types.StringValue(ws.Name),
		Description: types.StringValue(ws.Description),
		LiveBranch:  types.StringValue(ws.Branch),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
