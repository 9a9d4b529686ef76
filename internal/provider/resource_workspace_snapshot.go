package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

// Default timeouts of xano_workspace_snapshot.
const (
	snapshotCreateTimeout = 30 * time.Minute
	snapshotReadTimeout   = 5 * time.Minute
	snapshotDeleteTimeout = 5 * time.Minute
)

func init() {
	resourceFactories = append(resourceFactories, newWorkspaceSnapshotResource)
}

var (
	_ resource.Resource               = (*workspaceSnapshotResource)(nil)
	_ resource.ResourceWithConfigure  = (*workspaceSnapshotResource)(nil)
	_ resource.ResourceWithModifyPlan = (*workspaceSnapshotResource)(nil)
)

func newWorkspaceSnapshotResource() resource.Resource { return &workspaceSnapshotResource{} }

// workspaceSnapshotResource is one export of a workspace written to a local file. State holds
// the file's hashes, never its bytes.
type workspaceSnapshotResource struct {
	configurable
}

type workspaceSnapshotModel struct {
	ID                  types.String   `tfsdk:"id"`
	WorkspaceID         types.Int64    `tfsdk:"workspace_id"`
	Branch              types.String   `tfsdk:"branch"`
	IncludeData         types.Bool     `tfsdk:"include_data"`
	OutputPath          types.String   `tfsdk:"output_path"`
	OutputURL           types.String   `tfsdk:"output_url"`
	FilePermission      types.String   `tfsdk:"file_permission"`
	DirPermission       types.String   `tfsdk:"directory_permission"`
	Triggers            types.Map      `tfsdk:"triggers"`
	TrackFile           types.Bool     `tfsdk:"track_file"`
	TrackArchive        types.Bool     `tfsdk:"track_archive"`
	RetainOnDestroy     types.Bool     `tfsdk:"retain_on_destroy"`
	Password            types.String   `tfsdk:"password"`
	PasswordWO          types.String   `tfsdk:"password_wo"`
	PasswordWOVersion   types.Int64    `tfsdk:"password_wo_version"`
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
	CreatedAt           types.String   `tfsdk:"created_at"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

func (r *workspaceSnapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_snapshot"
}

func (r *workspaceSnapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The snapshot's ID, `<workspace_id>/<exported_branch>/<created_at>/<archive>`: the " +
				"branch label is URL-escaped (a `/` becomes `%2F`) and `<archive>` is the first 12 hex digits of " +
				"`archive_sha256`, so that two snapshots made in the same second have different IDs.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"workspace_id": schema.Int64Attribute{
			MarkdownDescription: "The ID of the workspace to export. Changing it makes a new snapshot.",
			Required:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
		},
		"branch": schema.StringAttribute{
			MarkdownDescription: "The label of the branch to export. Empty or unset exports the branch that is " +
				"live when the snapshot is made (see `exported_branch`). Changing it makes a new snapshot.",
			Optional:   true,
			Validators: []validator.String{exportBranchValidator{}},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(branchChanged,
				"A change of branch makes a new snapshot; unset and empty both mean the live branch.",
				"A change of `branch` makes a new snapshot; unset and `\"\"` both mean the live branch.")},
		},
		"include_data": schema.BoolAttribute{
			MarkdownDescription: "Export the tables' records too (Xano's *export*), not only the schema and the " +
				"business logic (*export-schema*). Defaults to `false`. Changing it makes a new snapshot.",
			Optional:      true,
			Computed:      true,
			Default:       booldefault.StaticBool(false),
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
		},
		"output_path": schema.StringAttribute{
			MarkdownDescription: "The file the archive is written to. Missing parent folders are created (mode " +
				"`directory_permission`, `0700` by default). The file is written atomically: a failed or interrupted export leaves no partial file " +
				"and leaves an existing file untouched. Exactly one of `output_path` and `output_url` is set. " +
				"Changing it makes a new snapshot.",
			Optional: true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1),
				stringvalidator.ExactlyOneOf(path.MatchRoot("output_url"))},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"output_url": schema.StringAttribute{
			MarkdownDescription: "The object the archive is streamed to, in object storage: the bucket's URL with " +
				"the object key as its path, e.g. `s3://backups/xano/ws-1.tar.gz?region=eu-west-1`, " +
				"`gs://bucket/key`, `azblob://container/key` or `file:///abs/dir/key` (see the guide *Object " +
				"storage* for the stores built in and their URL parameters, such as `endpoint` and " +
				"`use_path_style=true` for MinIO or R2). Credentials come from the store's standard chain " +
				"(environment, shared configuration, workload identity), never from the URL, which must not hold " +
				"any. The upload is atomic: the object appears only when the archive is complete, and a failed " +
				"or interrupted export leaves nothing at the key and the object there before untouched. The " +
				"bucket must exist. Exactly one of `output_path` and `output_url` is set. Changing it makes a new snapshot.",
			Optional:      true,
			Validators:    []validator.String{objectURLValidator{}},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"triggers": schema.MapAttribute{
			MarkdownDescription: "Arbitrary values whose change makes a new snapshot, e.g. a `time_rotating` " +
				"resource's `id` for a schedule or a release version. Template `output_path` with the same value " +
				"so that each snapshot gets its own file and the previous ones are kept.",
			ElementType:   types.StringType,
			Optional:      true,
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"track_archive": schema.BoolAttribute{
			MarkdownDescription: "Check on every refresh that the archive is still there: for `output_path`, " +
				"that the file exists with the same SHA-256; for `output_url`, with one HEAD request (never a " +
				"download), that the object exists with the same ETag, size and version. When it is missing or " +
				"changed, the snapshot is gone and the plan proposes a new one. Set to `false` when the archive " +
				"is not kept where it was written (a CI runner's local disk that another step uploads " +
				"elsewhere). Defaults to `true`.",
			Optional:   true,
			Computed:   true,
			Default:    booldefault.StaticBool(true),
			Validators: []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("track_file"))},
		},
		"track_file": schema.BoolAttribute{
			MarkdownDescription: "The former name of `track_archive`, kept so existing configurations work; " +
				"setting both is an error. Defaults to `true`.",
			DeprecationMessage: "track_file is now track_archive (it covers output_url objects too): rename the " +
				"argument; the value means the same.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
		},
		"retain_on_destroy": schema.BoolAttribute{
			MarkdownDescription: "Keep the file when the snapshot is destroyed or replaced: it is a backup. " +
				"When `false`, destroy deletes `output_path` if it still holds this snapshot's archive. " +
				"Defaults to `true`.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
		},
		"exported_branch": schema.StringAttribute{
			MarkdownDescription: "The branch the archive came from: `branch`, or, when `branch` is empty, the " +
				"label that was live just before the export.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"archive_sha256": schema.StringAttribute{
			MarkdownDescription: "The hex SHA-256 of the archive's bytes; equals `filesha256(output_path)`.",
			Computed:            true,
			PlanModifiers:       stable,
		},
		"archive_base64sha256": schema.StringAttribute{
			MarkdownDescription: "The base64 SHA-256 of the archive's bytes; equals `filebase64sha256(output_path)`.",
			Computed:            true,
			PlanModifiers:       stable,
		},
		"archive_size": schema.Int64Attribute{
			MarkdownDescription: "The archive's size in bytes.",
			Computed:            true,
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"archive_md5": schema.StringAttribute{
			MarkdownDescription: "The hex MD5 of the archive's bytes (computed in the same pass as the SHA-256); " +
				"equals `filemd5(output_path)`. For composition with stores that speak MD5 " +
				"(`aws_s3_object`'s `source_hash` or `etag`, `google_storage_bucket_object`), never to identify content.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"archive_base64md5": schema.StringAttribute{
			MarkdownDescription: "The base64 MD5 of the archive's bytes; equals `filebase64md5(output_path)` " +
				"(a `Content-MD5` header's form).",
			Computed:      true,
			PlanModifiers: stable,
		},
		"archive_etag": schema.StringAttribute{
			MarkdownDescription: "The object's ETag as the store reported it once the archive and its hashes " +
				"(object metadata) were written (`output_url` only; null for `output_path`). Refresh compares it " +
				"to tell a rewritten object. It is not necessarily an MD5 (a multipart or encrypted S3 object): " +
				"use `archive_md5` for that.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"archive_version_id": schema.StringAttribute{
			MarkdownDescription: "The object's version (S3 version ID, GCS generation, Azure version ID) when " +
				"the bucket keeps versions, the one holding the archive with its hashes as metadata; null " +
				"otherwise and for `output_path`. With versioning on, this version stays retrievable even after " +
				"the key is overwritten.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"content_sha256": schema.StringAttribute{
			MarkdownDescription: "A canonical hash of what the archive contains, independent of compression, " +
				"entry order, JSON formatting and the bundle signature: two exports of an unchanged branch have " +
				"the same `content_sha256` even when their bytes differ. Null for an encrypted archive.",
			Computed:      true,
			PlanModifiers: stable,
		},
		"objects": schema.MapAttribute{
			MarkdownDescription: objectsDescription("as written at export (the tables included)"),
			ElementType:         types.StringType,
			Computed:            true,
			PlanModifiers:       []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
		},
		"encrypted": schema.BoolAttribute{
			MarkdownDescription: "Whether the archive is encrypted (exported with a password).",
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the snapshot was made (RFC 3339, UTC).",
			Computed:            true,
			PlanModifiers:       stable,
		},
	}
	for name, a := range resourcePermissionAttributes("the archive file at `output_path`. A change is applied in " +
		"place: the file is chmod-ed, no new export is made") {
		attrs[name] = a
	}
	for name, a := range passwordAttributes("with which Xano encrypts the archive (a change makes a new snapshot)",
		"Changing it makes a new snapshot, encrypted with the password `password_wo` then holds.",
		[]planmodifier.String{stringplanmodifier.RequiresReplace()},
		[]planmodifier.Int64{int64planmodifier.RequiresReplace()}) {
		attrs[name] = a
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "Exports a Xano workspace (its schema and business logic, optionally with the " +
			"tables' records) to an archive: a local file (`output_path`) or an object in object storage " +
			"(`output_url`: S3 and S3-compatible stores, Google Cloud Storage, Azure Blob Storage), streamed " +
			"straight to the bucket. State holds the archive's hashes, never its bytes. Refresh only looks at " +
			"the file or the object's attributes: it never exports again.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

// snapshotID is "<workspace_id>/<escaped branch>/<created_at>/<first 12 hex of the archive's
// SHA-256>": the label is escaped as in branchID, and the hash tells apart snapshots made in the
// same second.
func snapshotID(ws int64, branch, createdAt, archiveSHA256 string) string {
	return branchID(ws, branch) + "/" + createdAt + "/" + shortSHA256(archiveSHA256)
}

// shortSHA256 is the first 12 hex digits of a SHA-256, as IDs show an archive.
func shortSHA256(sum string) string {
	return sum[:min(12, len(sum))]
}

// branchChanged is the RequiresReplaceIf condition of branch: null and "" both mean the live
// branch, so going from one to the other is not a new snapshot. A value unknown until apply may
// be any branch: it makes a new snapshot (planning an update and finding a new branch at apply
// would be an inconsistent final plan).
func branchChanged(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = req.PlanValue.IsUnknown() || req.StateValue.ValueString() != req.PlanValue.ValueString()
}

// ModifyPlan reports a missing instance URL or token at plan time when a snapshot is to be made:
// on create, and on replace, which Terraform plans as a create (null prior state). Refresh,
// in-place updates and destroy only touch the local file, so they need no API access.
func (r *workspaceSnapshotResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(r.data.checkConfiguredForPlan()...)
}

func (r *workspaceSnapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceSnapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	password, diags := passwordFromConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Create, snapshotCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	exportReq := exportRequest{
		WorkspaceID: plan.WorkspaceID.ValueInt64(),
		Branch:      plan.Branch.ValueString(),
		IncludeData: plan.IncludeData.ValueBool(),
		Password:    password,
		Limits:      r.data.inspectionLimits(),
		Modes:       modesFrom(plan.FilePermission, plan.DirPermission),
	}
	var res exportResult
	var attrs blobstore.Attrs
	if plan.usesObject() {
		res, attrs, diags = exportToObject(ctx, client, exportReq, plan.OutputURL.ValueString(), path.Root("output_url"))
	} else {
		res, diags = exportToFile(ctx, client, exportReq, plan.OutputPath.ValueString(), path.Root("output_path"))
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	createdAt := time.Now().UTC().Format(time.RFC3339)
	plan.ID = types.StringValue(snapshotID(exportReq.WorkspaceID, res.Branch, createdAt, res.Digest.SHA256))
	plan.CreatedAt = types.StringValue(createdAt)
	plan.ExportedBranch = types.StringValue(res.Branch)
	plan.ArchiveSHA256 = types.StringValue(res.Digest.SHA256)
	plan.ArchiveBase64SHA256 = types.StringValue(res.Digest.Base64SHA256)
	plan.ArchiveSize = types.Int64Value(res.Digest.Size)
	plan.ArchiveMD5 = types.StringValue(res.Digest.MD5)
	plan.ArchiveBase64MD5 = types.StringValue(res.Digest.Base64MD5)
	plan.ArchiveETag, plan.ArchiveVersionID = types.StringNull(), types.StringNull()
	if plan.usesObject() {
		plan.ArchiveETag = types.StringValue(attrs.ETag)
		if attrs.VersionID != "" {
			plan.ArchiveVersionID = types.StringValue(attrs.VersionID)
		}
	}
	plan.ContentSHA256 = res.contentSHA256()
	plan.Objects = res.objects()
	plan.Encrypted = types.BoolValue(res.Info.Encrypted)
	plan.PasswordWO = types.StringNull()
	tflog.Info(ctx, "Workspace snapshot written", map[string]any{
		"output": plan.destination(), "archive_sha256": res.Digest.SHA256, "bytes": res.Digest.Size,
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read never exports: it checks that output_path still holds the archive (when track_file is
// set) and forgets the snapshot when it does not, so that the plan proposes a new one.
func (r *workspaceSnapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceSnapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.TrackArchive.IsNull() {
		// State written before track_archive existed: it defaults to true, as in the configuration,
		// so that the upgrade plans no change.
		state.TrackArchive = types.BoolValue(true)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("track_archive"), state.TrackArchive)...)
	}
	if !state.tracked() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, snapshotReadTimeout)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if state.usesObject() {
		gone, diags := checkSnapshotObject(ctx, state)
		resp.Diagnostics.Append(diags...)
		if gone {
			resp.State.RemoveResource(ctx)
		}
		return
	}
	file := state.OutputPath.ValueString()
	digest, err := digestFileContext(ctx, file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		resp.Diagnostics.Append(snapshotGone(state, "it is missing")...)
		resp.State.RemoveResource(ctx)
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("output_path"), "Cannot check the snapshot's file",
			fmt.Sprintf("Hashing %q to check that it still holds the snapshot of workspace %d (branch %q) failed: %s. "+
				"Fix the file's permissions, or set track_archive = false to stop checking it.",
				file, state.WorkspaceID.ValueInt64(), state.ExportedBranch.ValueString(), err))
	case digest.SHA256 != state.ArchiveSHA256.ValueString():
		resp.Diagnostics.Append(snapshotGone(state, fmt.Sprintf("its sha256 is now %s, was %s",
			digest.SHA256, state.ArchiveSHA256.ValueString()))...)
		resp.State.RemoveResource(ctx)
	}
}

// snapshotGone is the warning of a refresh that found the snapshot's file missing or changed
// (why says which): the snapshot leaves the state, and the plan makes a new one, which changes
// archive_sha256 for every object that uses it. A warning, not only a log line, because that
// new export and what follows from it (an import planned again, say) must not come unexplained.
func snapshotGone(state workspaceSnapshotModel, why string) diag.Diagnostics {
	var diags diag.Diagnostics
	attr, summary, what, advice := path.Root("output_path"), "Snapshot file missing or changed: a new snapshot is planned",
		state.OutputPath.ValueString(), "On runners that do not keep the file between runs, write the archive to "+
			"object storage with output_url, or set track_archive = false."
	if state.usesObject() {
		attr, summary, what, advice = path.Root("output_url"), "Snapshot object missing or changed: a new snapshot is planned",
			state.OutputURL.ValueString(), "If the object was moved on purpose, set track_archive = false to stop checking it."
	}
	diags.AddAttributeWarning(attr, summary,
		fmt.Sprintf("The snapshot of workspace %d (branch %q, made at %s) is no longer at %q: %s. It is removed "+
			"from the state and the plan makes a new one, with a new archive_sha256; objects that use that value "+
			"will see it change. %s",
			state.WorkspaceID.ValueInt64(), state.ExportedBranch.ValueString(), state.CreatedAt.ValueString(), what, why, advice))
	return diags
}

// usesObject reports a snapshot written to object storage (output_url).
func (m workspaceSnapshotModel) usesObject() bool {
	return isKnown(m.OutputURL) && m.OutputURL.ValueString() != ""
}

// destination is where the archive is written, for logs.
func (m workspaceSnapshotModel) destination() string {
	if m.usesObject() {
		return m.OutputURL.ValueString()
	}
	return m.OutputPath.ValueString()
}

// tracked is whether refresh checks the archive: track_archive and its deprecated alias
// track_file (at most one is set; the other keeps its default, true).
func (m workspaceSnapshotModel) tracked() bool {
	return (m.TrackArchive.IsNull() || m.TrackArchive.ValueBool()) && (m.TrackFile.IsNull() || m.TrackFile.ValueBool())
}

// checkSnapshotObject is Read for output_url: one HEAD request. The object is gone when it (or
// its bucket) is missing, or when its ETag, size, version or the hashes in its metadata are not
// the ones recorded; any other
// failure (credentials, access, network) is an error that keeps the snapshot in state.
func checkSnapshotObject(ctx context.Context, state workspaceSnapshotModel) (gone bool, diags diag.Diagnostics) {
	raw := state.OutputURL.ValueString()
	obj, err := blobstore.Parse(raw)
	if err != nil {
		diags.AddAttributeError(path.Root("output_url"), "Invalid object URL", err.Error())
		return false, diags
	}
	a, err := blobstore.Stat(ctx, obj)
	switch {
	case errors.Is(err, blobstore.ErrNotFound):
		return true, snapshotGone(state, "there is no object at the key")
	case errors.Is(err, blobstore.ErrBucketNotFound):
		return true, snapshotGone(state, "its bucket does not exist")
	case err != nil:
		diags.AddAttributeError(path.Root("output_url"), "Cannot check the snapshot's object",
			fmt.Sprintf("Checking that the object still holds the snapshot of workspace %d (branch %q) failed: %s. "+
				"Nothing was changed. Fix the cause, or set track_archive = false to stop checking it.",
				state.WorkspaceID.ValueInt64(), state.ExportedBranch.ValueString(), err))
		return false, diags
	}
	if why := state.objectChanged(a); why != "" {
		return true, snapshotGone(state, why)
	}
	return false, diags
}

// objectChanged says how an object's attributes differ from those recorded ("" when they do
// not): its ETag, version, size, and the hashes in its metadata when it has them (an object
// written before the provider added them, or whose metadata step failed, has none).
func (m workspaceSnapshotModel) objectChanged(a blobstore.Attrs) string {
	etag, version, size := m.ArchiveETag, m.ArchiveVersionID, m.ArchiveSize
	switch {
	case isKnown(etag) && etag.ValueString() != "" && a.ETag != etag.ValueString():
		return fmt.Sprintf("the object was rewritten (its ETag is now %s, was %s)", a.ETag, etag.ValueString())
	case isKnown(version) && version.ValueString() != "" && a.VersionID != version.ValueString():
		return fmt.Sprintf("the object is another version (%s, was %s)", a.VersionID, version.ValueString())
	case isKnown(size) && a.Size != size.ValueInt64():
		return fmt.Sprintf("its size is now %d bytes, was %d", a.Size, size.ValueInt64())
	}
	return metadataChanged(a.Metadata, m.ArchiveSHA256, m.ContentSHA256)
}

// metadataChanged compares the hashes an archive object carries as metadata with those recorded.
func metadataChanged(md map[string]string, archiveSHA256, contentSHA256 types.String) string {
	for _, c := range []struct {
		key   string
		state types.String
		name  string
	}{{metaArchiveSHA256, archiveSHA256, "archive_sha256"}, {metaContentSHA256, contentSHA256, "content_sha256"}} {
		if v, ok := md[c.key]; ok && isKnown(c.state) && v != c.state.ValueString() {
			return fmt.Sprintf("its metadata %s is %s, and the recorded %s is %s", c.key, v, c.name, c.state.ValueString())
		}
	}
	return ""
}

// Update only records the arguments that do not make a new snapshot (track_file,
// retain_on_destroy, timeouts, directory_permission) and applies a new file_permission to the
// file in place; every other change replaces the resource.
func (r *workspaceSnapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state workspaceSnapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.FilePermission.Equal(state.FilePermission) && !state.usesObject() {
		resp.Diagnostics.Append(chmodSnapshot(plan, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	plan.PasswordWO = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete keeps the file unless retain_on_destroy is false; then it removes the file only if it
// still holds this snapshot's archive, so that a file another snapshot wrote at the same path
// (create_before_destroy) or the user replaced is never deleted.
func (r *workspaceSnapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceSnapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	file := state.OutputPath.ValueString()
	if state.RetainOnDestroy.ValueBool() {
		tflog.Info(ctx, "Snapshot destroyed; its archive is kept (retain_on_destroy)", map[string]any{"output": state.destination()})
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, snapshotDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if state.usesObject() {
		resp.Diagnostics.Append(deleteSnapshotObject(ctx, state)...)
		return
	}

	digest, err := digestFileContext(ctx, file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		tflog.Info(ctx, "The snapshot's file was already gone", map[string]any{"output_path": file})
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("output_path"), "Cannot delete the snapshot's file",
			fmt.Sprintf("Reading %q before deleting it failed: %s. Delete it by hand if it is no longer needed.", file, err))
	case digest.SHA256 != state.ArchiveSHA256.ValueString():
		resp.Diagnostics.AddAttributeWarning(path.Root("output_path"), "Snapshot file left in place",
			fmt.Sprintf("%q no longer holds this snapshot's archive (its SHA-256 is %s, the snapshot's was %s): it "+
				"was replaced, by another snapshot or by hand, so it was not deleted.",
				file, digest.SHA256, state.ArchiveSHA256.ValueString()))
	default:
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			resp.Diagnostics.AddAttributeError(path.Root("output_path"), "Cannot delete the snapshot's file",
				fmt.Sprintf("Deleting %q failed: %s. Delete it by hand, or set retain_on_destroy = true to keep it.",
					file, unwrapPathError(err)))
			return
		}
		tflog.Info(ctx, "Snapshot file deleted (retain_on_destroy is false)", map[string]any{"output_path": file})
	}
}

// digestFileContext is digestFile bounded by ctx: a hash that outlasts the deadline is reported
// as a timeout (the read finishes in the background and is discarded).
func digestFileContext(ctx context.Context, file string) (fileDigest, error) {
	type result struct {
		d   fileDigest
		err error
	}
	ch := make(chan result, 1)
	go func() {
		d, err := digestFile(file)
		ch <- result{d, err}
	}()
	select {
	case res := <-ch:
		return res.d, res.err
	case <-ctx.Done():
		return fileDigest{}, fmt.Errorf("hashing did not finish in time (raise the timeouts): %w", ctx.Err())
	}
}

// chmodSnapshot applies plan's file_permission to the snapshot's file, when the file still holds
// the archive state records (a file changed since is not the snapshot's: it is left alone, and
// the next refresh plans a new snapshot, written with the new mode).
func chmodSnapshot(plan, state workspaceSnapshotModel) diag.Diagnostics {
	var diags diag.Diagnostics
	file := state.OutputPath.ValueString()
	mode := modesFrom(plan.FilePermission, plan.DirPermission).file
	digest, err := digestFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return diags
	case err != nil:
		diags.AddAttributeError(path.Root("file_permission"), "Cannot change the snapshot file's mode",
			fmt.Sprintf("Reading %q to check that it holds the snapshot failed: %s. Fix its permissions and apply again.",
				file, unwrapPathError(err)))
	case digest.SHA256 != state.ArchiveSHA256.ValueString():
		return diags
	default:
		if err := os.Chmod(file, mode); err != nil {
			diags.AddAttributeError(path.Root("file_permission"), "Cannot change the snapshot file's mode",
				fmt.Sprintf("chmod %04o %q failed: %s. Nothing else was changed.", mode, file, unwrapPathError(err)))
		}
	}
	return diags
}

// deleteSnapshotObject deletes the snapshot's object when it is still the one recorded (same
// ETag, version and size): an object another snapshot or a person wrote at the key since is
// left in place.
func deleteSnapshotObject(ctx context.Context, state workspaceSnapshotModel) diag.Diagnostics {
	var diags diag.Diagnostics
	raw := state.OutputURL.ValueString()
	obj, err := blobstore.Parse(raw)
	if err != nil {
		diags.AddAttributeError(path.Root("output_url"), "Invalid object URL", err.Error())
		return diags
	}
	a, err := blobstore.Stat(ctx, obj)
	switch {
	case errors.Is(err, blobstore.ErrNotFound), errors.Is(err, blobstore.ErrBucketNotFound):
		tflog.Info(ctx, "The snapshot's object was already gone", map[string]any{"output_url": raw})
		return diags
	case err != nil:
		diags.AddAttributeError(path.Root("output_url"), "Cannot delete the snapshot's object",
			fmt.Sprintf("Checking the object before deleting it failed: %s. Delete it by hand if it is no longer needed.", err))
		return diags
	}
	if why := state.objectChanged(a); why != "" {
		diags.AddAttributeWarning(path.Root("output_url"), "Snapshot object left in place",
			fmt.Sprintf("%q no longer holds this snapshot's archive (%s): it was replaced, by another snapshot or "+
				"by hand, so it was not deleted.", raw, why))
		return diags
	}
	if err := blobstore.Delete(ctx, obj); err != nil && !errors.Is(err, blobstore.ErrNotFound) {
		diags.AddAttributeError(path.Root("output_url"), "Cannot delete the snapshot's object",
			fmt.Sprintf("%s. Delete it by hand, or set retain_on_destroy = true to keep it.", err))
		return diags
	}
	tflog.Info(ctx, "Snapshot object deleted (retain_on_destroy is false)", map[string]any{"output_url": raw})
	return diags
}
