package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
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
	BaselineURL    types.String   `tfsdk:"baseline_url"`
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
			"resources. Every read exports the branch's schema once, in memory, and reads the baseline (a file, " +
			"or an object streamed from object storage, never copied to local disk); it changes nothing. For teams that change Xano through its UI and want a weekly report.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`<workspace_id>/<compared_branch>`, the label URL-escaped."},
			"workspace_id": schema.Int64Attribute{Required: true,
				MarkdownDescription: "The workspace whose branch is compared.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)}},
			"branch": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The branch to compare. Empty or unset compares the live branch.",
				Validators:          []validator.String{exportBranchValidator{}}},
			"baseline_path": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The archive the branch is compared with (an export-schema or export, not " +
					"encrypted): what the branch was. Exactly one of `baseline_path` and `baseline_url` is set.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1),
					stringvalidator.ExactlyOneOf(path.MatchRoot("baseline_url"))}},
			"baseline_url": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The archive the branch is compared with, as an object in object storage (for " +
					"example the `output_url` of a `xano_workspace_snapshot`), named by the bucket's URL with the object " +
					"key as its path, e.g. `s3://backups/xano/last-week.tar.gz?region=eu-west-1` (see the guide *Object " +
					"storage*). Credentials come from the store's standard chain, never from the URL. The object is " +
					"streamed into the comparison with one GET: it is never copied to local disk. Exactly one of " +
					"`baseline_path` and `baseline_url` is set.",
				Validators: []validator.String{objectURLValidator{}}},
			"include_tables": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Compare the workspace's tables (and its name and description) too. Tables are " +
					"workspace-wide: every branch shares them. Defaults to `false`: the branch's own objects only."},
			"read_audit_log": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Whether `changes.changed_by` names who made each change, from the workspace's " +
					"audit log (default `true`): when something changed, at most " + strconv.Itoa(auditMaxPages) +
					" requests of " + strconv.Itoa(auditPerPage) + " entries, newest first, no further back than " +
					"the baseline was written (the file's modification time, the object's last-modified time; a store " +
					"that reports no last-modified time sets no such bound, only the number of requests)."},
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
	src, attr, diags := baselineSource(cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	ctx, cancel, client := d.data.startOperation(ctx, cfg.Timeouts.Read, exportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	// The baseline first: a wrong path or URL costs no export.
	base, written, diags := inspectBaseline(ctx, src, attr, lim, view...)
	resp.Diagnostics.Append(diags...)
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
	cfg.Changes = changesValue(e, fmt.Sprintf("the baseline archive %q", src.String()), nil)
	if !e.Empty() && (cfg.ReadAuditLog.IsNull() || cfg.ReadAuditLog.ValueBool()) {
		// Who made the changes, no further back than the baseline was written (zero: unknown, no bound).
		keys := append(append(append([]string(nil), e.Removed...), e.Changed...), e.Added...)
		audit, diags := d.data.whoChanged(ctx, client, ws, res.Branch, keys, written)
		resp.Diagnostics.Append(diags...)
		cfg.Changes = withAudit(cfg.Changes, &audit)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// The attributes through which xano_workspace_changes names its baseline.
var (
	baselinePathAttr = path.Root("baseline_path")
	baselineURLAttr  = path.Root("baseline_url")
)

// baselineSource is the baseline that baseline_path or baseline_url names (the schema says
// exactly one), as the import resources' source, and the attribute that names it.
func baselineSource(cfg workspaceChangesModel) (importSource, path.Path, diag.Diagnostics) {
	var diags diag.Diagnostics
	if cfg.BaselineURL.IsNull() {
		return importSource{path: cfg.BaselinePath.ValueString()}, baselinePathAttr, diags
	}
	obj, err := blobstore.Parse(cfg.BaselineURL.ValueString())
	if err != nil {
		diags.AddAttributeError(baselineURLAttr, "Invalid object URL", err.Error())
	}
	return importSource{obj: obj}, baselineURLAttr, diags
}

// inspectBaseline reads the baseline once, streamed into its inspection in the given view, and
// returns what it holds and when it was last written (zero when unknown). A baseline that is
// missing, unreadable, encrypted or beyond the reader's limits is an error on attr.
func inspectBaseline(ctx context.Context, src importSource, attr path.Path, lim archive.Limits, view ...archive.Option) (archive.Info, time.Time, diag.Diagnostics) {
	const summary = "Cannot read the baseline archive"
	var diags diag.Diagnostics
	r, written, err := src.openModTime(ctx)
	var info archive.Info
	if err == nil {
		info, err = archive.Inspect(r, lim, view...)
		_ = r.Close()
	}
	switch {
	case src.isObject() && errors.Is(err, blobstore.ErrNotFound) && !errors.Is(err, blobstore.ErrBucketNotFound):
		diags.AddAttributeError(attr, "Baseline archive not found",
			fmt.Sprintf("There is no object at baseline_url %q. Put the baseline archive back at that key, or point "+
				"baseline_url at one: for example the output_url of the xano_workspace_snapshot that wrote it.", src.String()))
	case err != nil:
		diags.AddAttributeError(attr, summary, archiveReadProblem(src.String(), err))
	case info.Encrypted:
		diags.AddAttributeError(attr, summary,
			archiveReadProblem(src.String(), archive.ErrEncrypted)+" Compare with an archive exported without a password.")
	case info.Incomplete != nil:
		diags.AddAttributeError(attr, summary,
			fmt.Sprintf("reading %q stopped at a bound: %s. %s", src.String(), info.Incomplete, raiseLimitHint(info.Incomplete)))
	}
	return info, written, diags
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
