package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

func init() {
	dataSourceFactories = append(dataSourceFactories, newWorkspacesDataSource)
}

var (
	_ datasource.DataSource              = (*workspacesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*workspacesDataSource)(nil)
)

func newWorkspacesDataSource() datasource.DataSource { return &workspacesDataSource{} }

// workspacesDataSource lists the workspaces the token can see.
type workspacesDataSource struct {
	dataSourceConfigurable
}

type workspacesModel struct {
	Workspaces []workspaceModel `tfsdk:"workspaces"`
}

func (d *workspacesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspaces"
}

func (d *workspacesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the workspaces of the instance that the token can see, e.g. to find a " +
			"workspace's ID by its name.",
		Attributes: map[string]schema.Attribute{
			"workspaces": schema.ListNestedAttribute{
				MarkdownDescription: "The workspaces, in the order Xano lists them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          schema.Int64Attribute{MarkdownDescription: "The workspace's ID.", Computed: true},
						"name":        schema.StringAttribute{MarkdownDescription: workspaceNameDescription, Computed: true},
						"description": schema.StringAttribute{MarkdownDescription: workspaceDescriptionDescription, Computed: true},
						"live_branch": schema.StringAttribute{MarkdownDescription: workspaceLiveBranchDescription, Computed: true},
					},
				},
			},
		},
	}
}

func (d *workspacesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	client, diags := d.data.apiClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := client.ListWorkspaces(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot list the workspaces", "Listing the instance's workspaces failed.", err, readAccess)
		return
	}
	state := workspacesModel{Workspaces: make([]workspaceModel, 0, len(list))}
	for _, ws := range list {
		state.Workspaces = append(state.Workspaces, workspaceModelOf(ws))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
