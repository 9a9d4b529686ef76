package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

func init() {
	dataSourceFactories = append(dataSourceFactories, newWorkspaceBranchesDataSource)
}

var (
	_ datasource.DataSource              = (*workspaceBranchesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*workspaceBranchesDataSource)(nil)
)

func newWorkspaceBranchesDataSource() datasource.DataSource { return &workspaceBranchesDataSource{} }

// workspaceBranchesDataSource lists a workspace's branches.
type workspaceBranchesDataSource struct {
	dataSourceConfigurable
}

type workspaceBranchesModel struct {
	WorkspaceID types.Int64   `tfsdk:"workspace_id"`
	Branches    []branchModel `tfsdk:"branches"`
	LiveBranch  types.String  `tfsdk:"live_branch"`
}

type branchModel struct {
	Label     types.String `tfsdk:"label"`
	Live      types.Bool   `tfsdk:"live"`
	Backup    types.Bool   `tfsdk:"backup"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *workspaceBranchesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_branches"
}

func (d *workspaceBranchesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the branches of a Xano workspace, including backup branches (made by merges " +
			"in the Xano UI), and tells which one is live.",
		Attributes: map[string]schema.Attribute{
			"workspace_id": schema.Int64Attribute{
				MarkdownDescription: "The ID of the workspace.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"branches": schema.ListNestedAttribute{
				MarkdownDescription: "The branches, in the order Xano lists them (creation order, `v1` first).",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"label": schema.StringAttribute{MarkdownDescription: "The branch's label.", Computed: true},
						"live": schema.BoolAttribute{
							MarkdownDescription: "Whether the branch is the live one (exactly one is).",
							Computed:            true,
						},
						"backup": schema.BoolAttribute{
							MarkdownDescription: "Whether the branch is a backup made by a merge in the Xano UI.",
							Computed:            true,
						},
						"created_at": schema.StringAttribute{
							MarkdownDescription: "When the branch was created, in RFC 3339 format (UTC), " +
								"e.g. `2026-11-27T07:14:27Z`.",
							Computed: true,
						},
					},
				},
			},
			"live_branch": schema.StringAttribute{
				MarkdownDescription: "The label of the live branch.",
				Computed:            true,
			},
		},
	}
}

func (d *workspaceBranchesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var cfg workspaceBranchesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	client, diags := d.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := cfg.WorkspaceID.ValueInt64()
	branches, err := client.ListBranches(ctx, id)
	switch {
	case xano.IsNotFound(err):
		resp.Diagnostics.AddError(fmt.Sprintf("Workspace %d not found", id), explainNotFound(ctx, client, id, ""))
		return
	case err != nil:
		addAPIError(&resp.Diagnostics, fmt.Sprintf("Cannot list the branches of workspace %d", id),
			fmt.Sprintf("Listing the branches of workspace %d failed.", id), err, readAccess)
		return
	}

	live := liveLabel(branches)
	if live == "" {
		// No row said live: ask the workspace, which always names its live branch.
		ws, diags := getWorkspace(ctx, client, id)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		live = ws.Branch
	}
	cfg.LiveBranch = types.StringValue(live)
	cfg.Branches = make([]branchModel, 0, len(branches))
	for _, b := range branches {
		cfg.Branches = append(cfg.Branches, branchModel{
			Label:     types.StringValue(b.Label),
			Live:      types.BoolValue(b.Label == live),
			Backup:    types.BoolValue(b.Backup),
			CreatedAt: types.StringValue(rfc3339FromXano(b.CreatedAt)),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// liveLabel returns the label of the branch marked live, or "" when none is.
func liveLabel(branches []xano.Branch) string {
	for _, b := range branches {
		if b.Live {
			return b.Label
		}
	}
	return ""
}
