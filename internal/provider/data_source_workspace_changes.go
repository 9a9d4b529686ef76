package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// xano_workspace_changes: what changed in a branch since a baseline archive, in the structure of
// the import resources' changes, for teams that deploy through the Xano UI and only want the
// weekly "what changed" report.

func init() {
	dataSourceFactories = append(dataSourceFactories, newWorkspaceChangesDataSource)
}

var (
	_ datasource.DataSource              = (*workspaceChangesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*workspaceChangesDataSource)(nil)
)

func newWorkspaceChangesDataSource() datasource.DataSource { return &workspaceChangesDataSource{} }

type workspaceChangesDataSource struct {
	dataSourceConfigurable
}

type workspaceChangesModel struct {
	ID             types.String   `tfsdk:"id"`
	WorkspaceID    types.Int64    `tfsdk:"workspace_id"`
	Branch         types.String   `tfsdk:"branch"`
	BaselinePath   types.String   `tfsdk:"baseline_path"`
	IncludeTables  types.Bool     `tfsdk:"include_tables"`
	ReadAuditLog   types.Bool     `tfsdk:"read_audit_log"`
	ComparedBranch types.String   `tfsdk:"compared_branch"`
	Changes        types.Object   `tfsdk:"changes"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (d *workspaceChangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_changes"
}

func (d *workspaceChangesDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What changed in a branch of a workspace since a baseline archive (an earlier " +
			"export or snapshot of it): the objects added, changed (with what changed inside each) and " +
			"removed, and the changes that lose data, in the structure of the `changes` attribute of the import " +
			"resources. Every read exports the branch's schema once, in memory, and reads the baseline file; " +
			"it changes nothing. For teams that change Xano through its UI and want a weekly report.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`<workspace_id>/<compared_branch>`, the label URL-escaped."},
			"workspace_id": schema.Int64Attribute{Required: true,
				MarkdownDescription: "The workspace whose branch is compared.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)}},
			"branch": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The branch to compare. Empty or unset compares the live branch.",
				Validators:          []validator.String{exportBranchValidator{}}},
			"baseline_path": schema.StringAttribute{Required: true,
				MarkdownDescription: "The archive the branch is compared with (an export-schema or export, not " +
					"encrypted): what the branch was.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"include_tables": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Compare the workspace's tables (and its name and description) too. Tables are " +
					"workspace-wide: every branch shares them. Defaults to `false`: the branch's own objects only."},
			"read_audit_log": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Whether `changes.changed_by` names who made each change, from the workspace's " +
					"audit log (default `true`): when something changed, at most " + strconv.Itoa(auditMaxPages) +
					" requests of " + strconv.Itoa(auditPerPage) + " entries, newest first, no further back than " +
					"the baseline file's modification time."},
			"compared_branch": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The branch compared: `branch`, or the label that was live when it was exported."},
			"changes": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "What changed since the baseline; at most 100 objects are listed, `omitted` " +
					"counts the rest.",
				Attributes: map[string]schema.Attribute{
					"compared_with": schema.StringAttribute{Computed: true, MarkdownDescription: "The baseline, in words."},
					"added":         list("The objects the branch has and the baseline had not."),
					"removed":       list("The objects the baseline had and the branch has not."),
					"changed": schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Computed: true,
						MarkdownDescription: "The objects changed since the baseline, each with what changed inside it " +
							"(a few lines, data-losing changes first)."},
					"destructive": list("The changes that lose data: tables removed, columns removed, retyped or renamed."),
					"omitted": schema.Int64Attribute{Computed: true,
						MarkdownDescription: "How many changed objects are not listed, beyond the limit."},
					"changed_by": schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Computed: true,
						MarkdownDescription: "Who changed each object and when, from the workspace's audit log: its last " +
							"entries that touched it, newest first (`alice@example.com at 2026-01-11 21:14:37+0000 " +
							"(function:update)`). An object the log does not name is not listed. Null when the log was " +
							"not read (`read_audit_log = false`, or nothing changed)."},
					"changed_by_note": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Why `changed_by` names nobody, when the audit log could not be read (the " +
							"token may not read it, the instance has no audit log route); null otherwise."},
				}},
		},
		Blocks: map[string]schema.Block{"timeouts": timeouts.Block(ctx)},
	}
}

func (d *workspaceChangesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var cfg workspaceChangesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	lim := d.data.inspectionLimits()
	view := []archive.Option{archive.WithFacts()}
	if !cfg.IncludeTables.ValueBool() {
		view = append(view, archive.BranchView())
	}
	inspect := factsInspector(lim, view...)

	// The baseline first: a wrong path costs no export.
	p := cfg.BaselinePath.ValueString()
	base, err := inspectPath(p, lim, view...)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("baseline_path"), "Cannot read the baseline archive", archiveReadProblem(p, err))
		return
	case base.Encrypted:
		resp.Diagnostics.AddAttributeError(path.Root("baseline_path"), "Cannot read the baseline archive",
			archiveReadProblem(p, archive.ErrEncrypted)+" Compare with an archive exported without a password.")
		return
	case base.Incomplete != nil:
		resp.Diagnostics.AddAttributeError(path.Root("baseline_path"), "Cannot read the baseline archive",
			fmt.Sprintf("reading %q stopped at a bound: %s. %s", p, base.Incomplete, raiseLimitHint(base.Incomplete)))
		return
	}

	ctx, cancel, client := d.data.startOperation(ctx, cfg.Timeouts.Read, exportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ws := cfg.WorkspaceID.ValueInt64()
	res, diags := exportArchive(ctx, client, exportRequest{WorkspaceID: ws, Branch: cfg.Branch.ValueString(), Limits: lim},
		newHashSink(inspect))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if res.Info.Encrypted || res.Info.Objects == nil {
		resp.Diagnostics.AddError("Cannot inventory the branch",
			fmt.Sprintf("The export of branch %q of workspace %d could not be inventoried (it is beyond the archive "+
				"reader's limits: see archive_inspection in the provider configuration).", res.Branch, ws))
		return
	}
	e := archive.Explain(base.Objects, res.Info.Objects, base.Facts, res.Info.Facts)
	cfg.ID = types.StringValue(branchID(ws, res.Branch))
	cfg.ComparedBranch = types.StringValue(res.Branch)
	cfg.Changes = changesValue(e, fmt.Sprintf("the baseline archive %q", p), nil)
	if !e.Empty() && (cfg.ReadAuditLog.IsNull() || cfg.ReadAuditLog.ValueBool()) {
		// Who made the changes, no further back than the baseline was written.
		var since time.Time
		if st, err := os.Stat(p); err == nil {
			since = st.ModTime()
		}
		keys := append(append(append([]string(nil), e.Removed...), e.Changed...), e.Added...)
		audit, diags := d.data.whoChanged(ctx, client, ws, res.Branch, keys, since)
		resp.Diagnostics.Append(diags...)
		cfg.Changes = withAudit(cfg.Changes, &audit)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// inspectPath inspects the archive file at p in the given view.
func inspectPath(p string, lim archive.Limits, view ...archive.Option) (archive.Info, error) {
	f, err := os.Open(p)
	if err != nil {
		return archive.Info{}, err
	}
	defer f.Close()
	return archive.Inspect(f, lim, view...)
}
