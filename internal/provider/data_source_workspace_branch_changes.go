package provider

import (
	"context"
	"fmt"
	"io"
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

// xano_workspace_branch_changes: what changed in a branch since a baseline archive, for teams
// that change Xano in its UI and want a report (a weekly "what changed"), not a repair.
//
// A baseline is read from a file (baseline_path). A baseline kept in object storage (an URL)
// would be read the same way once the provider has a blob store client; until then, a CI job
// downloads it first (aws s3 cp, gsutil cp, curl) and names the file.

func init() {
	dataSourceFactories = append(dataSourceFactories, newBranchChangesDataSource)
}

var (
	_ datasource.DataSource              = (*branchChangesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*branchChangesDataSource)(nil)
)

func newBranchChangesDataSource() datasource.DataSource { return &branchChangesDataSource{} }

type branchChangesDataSource struct {
	dataSourceConfigurable
}

type branchChangesModel struct {
	ID                    types.String   `tfsdk:"id"`
	WorkspaceID           types.Int64    `tfsdk:"workspace_id"`
	Branch                types.String   `tfsdk:"branch"`
	BaselinePath          types.String   `tfsdk:"baseline_path"`
	IncludeTables         types.Bool     `tfsdk:"include_tables"`
	ReadAuditLog          types.Bool     `tfsdk:"read_audit_log"`
	ExportedBranch        types.String   `tfsdk:"exported_branch"`
	BaselineContentSHA256 types.String   `tfsdk:"baseline_content_sha256"`
	ContentSHA256         types.String   `tfsdk:"content_sha256"`
	Changed               types.Bool     `tfsdk:"changed"`
	Changes               types.Object   `tfsdk:"changes"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

func (d *branchChangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_branch_changes"
}

func (d *branchChangesDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	}
	linesMap := func(desc string) schema.MapAttribute {
		return schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What changed in a branch since a baseline archive: the objects added, changed (with " +
			"what changed inside each) and removed, the changes that lose data, and who made them, from the " +
			"workspace's audit log. For teams that change Xano in its UI and want a report (a weekly \"what " +
			"changed\"), not a repair: nothing is imported. Every read exports the branch's schema **in memory** " +
			"(one export-schema, nothing written to disk) and reads the baseline file; the same structured value as " +
			"the `changes` of the import resources.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`<workspace_id>/<exported_branch>`, the branch label URL-escaped."},
			"workspace_id": schema.Int64Attribute{Required: true, Validators: []validator.Int64{int64validator.AtLeast(1)},
				MarkdownDescription: "The ID of the workspace."},
			"branch": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The label of the branch to compare. Empty or unset: the live branch (see `exported_branch`)."},
			"baseline_path": schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				MarkdownDescription: "An archive of the branch as it was (an export or a schema export, such as a " +
					"`xano_workspace_snapshot` taken after the last review, or a file downloaded from the Xano UI). Not " +
					"encrypted. A baseline kept in object storage is downloaded first (`aws s3 cp`, `gsutil cp`, `curl`)."},
			"include_tables": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Whether the workspace's tables are compared too (default `true`). Tables are " +
					"workspace-wide in Xano: every branch's export holds them. `false` compares the branch's own logic " +
					"only, as the drift check of `xano_workspace_schema_import` does."},
			"read_audit_log": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Whether `changes.changed_by` names who made each change, from the workspace's audit " +
					"log (default `true`): at most " + strconv.Itoa(auditMaxPages) + " requests of " +
					strconv.Itoa(auditPerPage) + " entries, newest first, no further back than the baseline file's " +
					"modification time. None when nothing changed."},
			"exported_branch": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The label of the branch compared (the live branch's when `branch` is unset)."},
			"baseline_content_sha256": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The canonical content hash of the baseline, in the view compared (the branch content " +
					"hash when `include_tables` is false)."},
			"content_sha256": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The same hash of the branch now."},
			"changed": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether any object was added, changed or removed since the baseline."},
			"changes": schema.SingleNestedAttribute{Computed: true,
				MarkdownDescription: "What changed from the baseline to the branch now. Object keys are those of `objects` " +
					"(`function/hotfix`, `endpoint/public/GET users`, `table/user`). At most " +
					strconv.Itoa(maxChangedObjects) + " objects are listed; `omitted` counts the rest.",
				Attributes: map[string]schema.Attribute{
					"compared_with": schema.StringAttribute{Computed: true, MarkdownDescription: "What the branch is compared with, in words."},
					"added":         list("The objects added since the baseline."),
					"removed":       list("The objects removed since the baseline."),
					"changed": linesMap("The objects changed since the baseline, each with what changed inside it, a few " +
						"lines at most (`column email retyped text → int`, `input q added (text)`, `body changed`), " +
						"data-losing changes first."),
					"destructive": list("The changes that lost data, in words (a table removed, a column removed, " +
						"retyped or renamed), also listed in the other attributes."),
					"omitted": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many changed objects are not listed."},
					"changed_by": linesMap("Who changed each object and when, from the workspace's audit log: its last " +
						"entries that touched it, newest first (`alice@example.com at 2026-01-11 21:14:37+0000 " +
						"(function:update)`). An object the log does not name is not listed. Null when the log was not read."),
					"changed_by_note": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Why `changed_by` names nobody, when the audit log could not be read; null otherwise."},
				},
			},
			"timeouts": timeouts.Attributes(ctx),
		},
	}
}

func (d *branchChangesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var cfg branchChangesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := d.data.startOperation(ctx, cfg.Timeouts.Read, exportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ws := cfg.WorkspaceID.ValueInt64()
	lim := d.data.inspectionLimits()
	var views []archive.Option
	if !cfg.IncludeTables.IsNull() && !cfg.IncludeTables.ValueBool() {
		views = append(views, archive.BranchView())
	}

	p := cfg.BaselinePath.ValueString()
	baseline, mtime, err := inspectBaseline(p, lim, views)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("baseline_path"), "Cannot read the baseline archive",
			fmt.Sprintf("Reading %q failed: %v. baseline_path must name an archive of the branch as it was (an "+
				"export, or a schema export) that is not encrypted; take one with xano_workspace_snapshot.", p, err))
		return
	}

	inspect := func(r io.Reader) (archive.Info, error) { return archive.Inspect(r, lim, views...) }
	res, diags := exportArchive(ctx, client, exportRequest{WorkspaceID: ws, Branch: cfg.Branch.ValueString(), Limits: lim},
		newHashSink(inspect))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if res.Info.Objects == nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot compare branch %q of workspace %d", res.Branch, ws),
			"The branch's export could not be inspected whole (see the warning above: raise the provider's "+
				"archive_inspection bound it names), so what changed is not known.")
		return
	}

	e := archive.Explain(baseline.Objects, res.Info.Objects, baseline.Facts, res.Info.Facts)
	changes := changesValue(e, fmt.Sprintf("the baseline archive %q", p), nil)
	if !e.Empty() && (cfg.ReadAuditLog.IsNull() || cfg.ReadAuditLog.ValueBool()) {
		keys := append(append(append([]string(nil), e.Removed...), e.Changed...), e.Added...)
		audit, diags := d.data.whoChanged(ctx, client, ws, res.Branch, keys, mtime)
		resp.Diagnostics.Append(diags...)
		changes = withAudit(changes, &audit)
	}

	cfg.ID = types.StringValue(branchID(ws, res.Branch))
	cfg.ExportedBranch = types.StringValue(res.Branch)
	cfg.BaselineContentSHA256 = types.StringValue(baseline.ContentSHA256)
	cfg.ContentSHA256 = res.contentSHA256()
	cfg.Changed = types.BoolValue(!e.Empty())
	cfg.Changes = changes
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// inspectBaseline inspects a baseline archive whole, in the view asked, and returns its
// modification time (the audit log is read no further back).
func inspectBaseline(p string, lim archive.Limits, views []archive.Option) (archive.Info, time.Time, error) {
	f, err := os.Open(p)
	if err != nil {
		return archive.Info{}, time.Time{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return archive.Info{}, time.Time{}, err
	}
	info, err := archive.Inspect(f, lim, views...)
	switch {
	case err != nil:
		return info, time.Time{}, err
	case info.Encrypted:
		return info, time.Time{}, fmt.Errorf("the archive is encrypted")
	case info.Incomplete != nil:
		return info, time.Time{}, fmt.Errorf("its inspection stopped at a bound (%v): raise the provider's archive_inspection", info.Incomplete)
	case info.Objects == nil:
		return info, time.Time{}, fmt.Errorf("it holds no workspace or schema document")
	}
	return info, st.ModTime(), nil
}
