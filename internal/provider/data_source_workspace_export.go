package provider

import (
	"context"
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

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

// exportReadTimeout is the default read timeout of xano_workspace_export: a read is an export.
const exportReadTimeout = 30 * time.Minute

func init() {
	dataSourceFactories = append(dataSourceFactories, newWorkspaceExportDataSource)
}

var (
	_ datasource.DataSource              = (*workspaceExportDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*workspaceExportDataSource)(nil)
)

func newWorkspaceExportDataSource() datasource.DataSource { return &workspaceExportDataSource{} }

// workspaceExportDataSource makes a fresh export on every read and reports its hashes; the
// archive goes to disk only when output_path is set.
type workspaceExportDataSource struct {
	dataSourceConfigurable
}

type workspaceExportModel struct {
	ID                  types.String   `tfsdk:"id"`
	WorkspaceID         types.Int64    `tfsdk:"workspace_id"`
	Branch              types.String   `tfsdk:"branch"`
	IncludeData         types.Bool     `tfsdk:"include_data"`
	OutputPath          types.String   `tfsdk:"output_path"`
	OutputURL           types.String   `tfsdk:"output_url"`
	FilePermission      types.String   `tfsdk:"file_permission"`
	DirPermission       types.String   `tfsdk:"directory_permission"`
	Password            types.String   `tfsdk:"password"`
	ExportedBranch      types.String   `tfsdk:"exported_branch"`
	ArchiveSHA256       types.String   `tfsdk:"archive_sha256"`
	ArchiveBase64SHA256 types.String   `tfsdk:"archive_base64sha256"`
	ArchiveSize         types.Int64    `tfsdk:"archive_size"`
	ArchiveMD5          types.String   `tfsdk:"archive_md5"`
	ArchiveBase64MD5    types.String   `tfsdk:"archive_base64md5"`
	ArchiveETag         types.String   `tfsdk:"archive_etag"`
	ArchiveVersionID    types.String   `tfsdk:"archive_version_id"`
	ContentSHA256       types.String   `tfsdk:"content_sha256"`
	Objects             types.Map      `tfsdk:"objects"`
	Encrypted           types.Bool     `tfsdk:"encrypted"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

func (d *workspaceExportDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_export"
}

func (d *workspaceExportDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Exports a Xano workspace and reports the archive's hashes, e.g. to compare the " +
			"`content_sha256` of a branch with a snapshot's. Data sources are read on **every** plan and " +
			"refresh, so this exports every time; for a backup kept on disk use the " +
			"`xano_workspace_snapshot` resource.",
		Attributes: withAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<workspace_id>/<exported_branch>/<archive>`: the branch label is URL-escaped " +
					"(a `/` becomes `%2F`) and `<archive>` is the first 12 hex digits of `archive_sha256`.",
				Computed: true,
			},
			"workspace_id": schema.Int64Attribute{
				MarkdownDescription: "The ID of the workspace to export.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"branch": schema.StringAttribute{
				MarkdownDescription: "The label of the branch to export. Empty or unset exports the live branch " +
					"(see `exported_branch`).",
				Optional:   true,
				Validators: []validator.String{exportBranchValidator{}},
			},
			"include_data": schema.BoolAttribute{
				MarkdownDescription: "Export the tables' records too, not only the schema and the business logic. " +
					"Defaults to `false`.",
				Optional: true,
			},
			"output_path": schema.StringAttribute{
				MarkdownDescription: "When set, the archive is also written to this file (atomically; missing " +
					"parent folders are created). It is rewritten on every plan and refresh. When unset, " +
					"nothing is written to disk: the export is only hashed as it streams. At most one of " +
					"`output_path` and `output_url` is set.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"output_url": schema.StringAttribute{
				MarkdownDescription: "When set, the archive is also streamed to this object in object storage " +
					"(no local copy), e.g. `s3://bucket/key.tar.gz?region=eu-west-1`; see the guide *Object " +
					"storage* for the URL form and the stores built in. Credentials come from the store's standard " +
					"chain, never from the URL. The object is rewritten on every plan and refresh, atomically: a " +
					"failed or interrupted export leaves the object there before untouched. At most one of " +
					"`output_path` and `output_url` is set.",
				Optional:   true,
				Validators: []validator.String{objectURLValidator{}, stringvalidator.ConflictsWith(path.MatchRoot("output_path"))},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "A password with which Xano encrypts the archive. Data sources cannot have " +
					"write-only arguments, so this value is stored in state (marked sensitive): prefer the " +
					"`xano_workspace_snapshot` resource with `password_wo` for encrypted archives.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"exported_branch": schema.StringAttribute{
				MarkdownDescription: "The branch the archive came from: `branch`, or, when `branch` is empty, the " +
					"label that was live just before the export.",
				Computed: true,
			},
			"archive_sha256": schema.StringAttribute{
				MarkdownDescription: "The hex SHA-256 of the archive's bytes (equal to `filesha256(output_path)` " +
					"when `output_path` is set).",
				Computed: true,
			},
			"archive_base64sha256": schema.StringAttribute{
				MarkdownDescription: "The base64 SHA-256 of the archive's bytes.",
				Computed:            true,
			},
			"archive_size": schema.Int64Attribute{
				MarkdownDescription: "The archive's size in bytes.",
				Computed:            true,
			},
			"archive_md5": schema.StringAttribute{
				MarkdownDescription: "The hex MD5 of the archive's bytes (same pass as the SHA-256), for stores " +
					"and resources that speak MD5; equals `filemd5(output_path)` when `output_path` is set.",
				Computed: true,
			},
			"archive_base64md5": schema.StringAttribute{
				MarkdownDescription: "The base64 MD5 of the archive's bytes (a `Content-MD5` header's form).",
				Computed:            true,
			},
			"archive_etag": schema.StringAttribute{
				MarkdownDescription: "The object's ETag once the archive and its hashes (object metadata) were written, with `output_url`; null otherwise.",
				Computed:            true,
			},
			"archive_version_id": schema.StringAttribute{
				MarkdownDescription: "The object's version (the one holding the archive with its hashes as metadata) when its bucket keeps versions, with `output_url`; null otherwise.",
				Computed:            true,
			},
			"content_sha256": schema.StringAttribute{
				MarkdownDescription: "A canonical hash of what the archive contains, independent of compression, " +
					"entry order, JSON formatting and the bundle signature: it only changes when the branch (or, " +
					"with `include_data`, the data) changes. Null for an encrypted archive.",
				Computed: true,
			},
			"objects": schema.MapAttribute{
				MarkdownDescription: objectsDescription("as exported (the tables included)"),
				ElementType:         types.StringType,
				Computed:            true,
			},
			"encrypted": schema.BoolAttribute{
				MarkdownDescription: "Whether the archive is encrypted (exported with a password).",
				Computed:            true,
			},
		}, dataSourcePermissionAttributes("the archive file at `output_path`")),
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx),
		},
	}
}

func (d *workspaceExportDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.data.logContext(ctx)
	var cfg workspaceExportModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := d.data.startOperation(ctx, cfg.Timeouts.Read, exportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	exportReq := exportRequest{
		WorkspaceID: cfg.WorkspaceID.ValueInt64(),
		Branch:      cfg.Branch.ValueString(),
		IncludeData: cfg.IncludeData.ValueBool(),
		Password:    cfg.Password.ValueString(),
		Limits:      d.data.inspectionLimits(),
		Modes:       modesFrom(cfg.FilePermission, cfg.DirPermission),
	}
	var res exportResult
	var attrs blobstore.Attrs
	var diags diag.Diagnostics
	cfg.ArchiveETag, cfg.ArchiveVersionID = types.StringNull(), types.StringNull()
	switch {
	case !cfg.OutputURL.IsNull():
		res, attrs, diags = exportToObject(ctx, client, exportReq, cfg.OutputURL.ValueString(), path.Root("output_url"))
		cfg.ArchiveETag = types.StringValue(attrs.ETag)
		if attrs.VersionID != "" {
			cfg.ArchiveVersionID = types.StringValue(attrs.VersionID)
		}
	case cfg.OutputPath.IsNull():
		res, diags = exportToMemory(ctx, client, exportReq)
	default:
		res, diags = exportToFile(ctx, client, exportReq, cfg.OutputPath.ValueString(), path.Root("output_path"))
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg.ID = types.StringValue(branchID(exportReq.WorkspaceID, res.Branch) + "/" + shortSHA256(res.Digest.SHA256))
	cfg.ExportedBranch = types.StringValue(res.Branch)
	cfg.ArchiveSHA256 = types.StringValue(res.Digest.SHA256)
	cfg.ArchiveBase64SHA256 = types.StringValue(res.Digest.Base64SHA256)
	cfg.ArchiveSize = types.Int64Value(res.Digest.Size)
	cfg.ArchiveMD5 = types.StringValue(res.Digest.MD5)
	cfg.ArchiveBase64MD5 = types.StringValue(res.Digest.Base64MD5)
	cfg.ContentSHA256 = res.contentSHA256()
	cfg.Objects = res.objects()
	cfg.Encrypted = types.BoolValue(res.Info.Encrypted)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
