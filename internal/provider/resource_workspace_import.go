package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Default timeouts of xano_workspace_import: a restore uploads a whole workspace, data included,
// after exporting the current one when backup_path is set.
const (
	workspaceImportWriteTimeout = 60 * time.Minute
	workspaceImportReadTimeout  = 5 * time.Minute
)

var (
	backupPathAttr      = path.Root("backup_path")
	backupURLAttr       = path.Root("backup_url")
	branchesDeletedAttr = path.Root("branches_deleted")
)

var (
	_ resource.Resource                   = (*workspaceImportResource)(nil)
	_ resource.ResourceWithConfigure      = (*workspaceImportResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*workspaceImportResource)(nil)
	_ resource.ResourceWithValidateConfig = (*workspaceImportResource)(nil)
)

func init() {
	resourceFactories = append(resourceFactories, newWorkspaceImportResource)
}

func newWorkspaceImportResource() resource.Resource { return &workspaceImportResource{} }

// workspaceImportResource is a full, destructive restore of a workspace from an archive. It is
// an act, not a desired state: Read only checks that the workspace still exists, and Delete
// cannot undo the import.
type workspaceImportResource struct {
	configurable
}

type workspaceImportModel struct {
	ID                  types.String   `tfsdk:"id"`
	WorkspaceID         types.Int64    `tfsdk:"workspace_id"`
	SourcePath          types.String   `tfsdk:"source_path"`
	SourceURL           types.String   `tfsdk:"source_url"`
	SourceSHA256        types.String   `tfsdk:"source_sha256"`
	BackupPath          types.String   `tfsdk:"backup_path"`
	BackupURL           types.String   `tfsdk:"backup_url"`
	FilePermission      types.String   `tfsdk:"file_permission"`
	DirPermission       types.String   `tfsdk:"directory_permission"`
	Password            types.String   `tfsdk:"password"`
	PasswordWO          types.String   `tfsdk:"password_wo"`
	PasswordWOVersion   types.Int64    `tfsdk:"password_wo_version"`
	ImportedSHA256      types.String   `tfsdk:"imported_sha256"`
	ImportedContent     types.String   `tfsdk:"imported_content_sha256"`
	LiveBranch          types.String   `tfsdk:"live_branch"`
	BackupSHA256        types.String   `tfsdk:"backup_sha256"`
	BackupContentSHA256 types.String   `tfsdk:"backup_content_sha256"`
	BranchesDeleted     types.List     `tfsdk:"branches_deleted"`
	ImportedAt          types.String   `tfsdk:"imported_at"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
	AllowDataLoss       types.Bool     `tfsdk:"allow_data_loss"`
	planGuards                         // changes, expected_content_sha256 (plan_guards.go)
}

func (r *workspaceImportResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_import"
}

func (r *workspaceImportResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The workspace ID, as a string.",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"workspace_id": schema.Int64Attribute{
			MarkdownDescription: "The ID of the workspace whose **whole content is replaced** by the archive. " +
				"Changing it restores the archive into the other workspace (the first one keeps what it has).",
			Required:      true,
			PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			Validators:    []validator.Int64{int64validator.AtLeast(1)},
		},
		"source_path": schema.StringAttribute{
			MarkdownDescription: "The archive to import: a full export of a workspace (for example the `output_path` " +
				"of a `xano_workspace_snapshot` with `include_data = true`). Changing only the path, with the same " +
				"`source_sha256`, imports nothing. Exactly one of `source_path` and `source_url` is set.",
			Optional: true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1),
				stringvalidator.ExactlyOneOf(path.MatchRoot("source_url"))},
		},
		"source_url": schema.StringAttribute{
			MarkdownDescription: sourceURLDescription("a full export of a workspace (for example the `output_url` of " +
				"a `xano_workspace_snapshot` with `include_data = true`)"),
			Optional:   true,
			Validators: []validator.String{objectURLValidator{}},
		},
		"source_sha256": schema.StringAttribute{
			MarkdownDescription: "The SHA-256 of the archive, as `filesha256(source_path)` or another object's " +
				"`archive_sha256` returns it. Changing it restores the workspace again, from the new archive (after " +
				"a new backup when `backup_path` is set), unless the new archive holds the same content as the one " +
				"last imported (see `imported_content_sha256`). Whenever a restore is planned and both this and " +
				"`source_path` are known, the file is hashed at plan time and must match; a plan that restores " +
				"nothing does not read it.",
			Required:   true,
			Validators: []validator.String{sha256HexValidator{}},
		},
		"backup_path": schema.StringAttribute{
			MarkdownDescription: "A folder for the safety **backup set** written **before** the workspace is " +
				"overwritten: everything the import destroys. It holds the live branch with its tables' records " +
				"(kind `full`), the schema of every other branch (kind `schema`; tables are workspace-wide, so each " +
				"branch's archive carries their definitions), and `manifest.json`, written last, which lists each " +
				"archive (branch, live, kind, `archive_sha256`, size, `content_sha256`), the workspace, the instance's " +
				"host and the time, and says how to restore the set. Missing folders are created; every archive is " +
				"written atomically under a new name, and nothing is imported unless the whole set is complete. A " +
				"restore replaces the set recorded in `backup_sha256` in this folder (the manifest, then the old " +
				"set's archives), but never another one: when the folder holds a manifest this resource did not " +
				"record (the set of an earlier attempt whose import failed, say), that set is kept if it holds the " +
				"workspace as it is now, and otherwise the apply stops before importing. Other files in the folder " +
				"are left alone. Template the path (e.g. with a timestamp) to keep several sets. The set is not " +
				"encrypted and holds the table rows: keep it somewhere safe. See the restore guide in the " +
				"`restore` use case for how to put a set back.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"backup_url": schema.StringAttribute{
			MarkdownDescription: "The same backup set as `backup_path`, under an **object prefix** instead of a folder: " +
				"a gocloud.dev blob URL whose path is the prefix, e.g. `s3://backups/xano/ws-2/before-restore?region=eu-west-1` " +
				"(members are `<prefix>/manifest.json` and `<prefix>/<archive>` in the same bucket; S3-compatible stores " +
				"through `endpoint=...&use_path_style=true`; `gs://`, `azblob://` and `file:///abs/dir` too). Each " +
				"archive is uploaded atomically (an interrupted upload leaves no object) and the manifest is written " +
				"last, with the same rules as `backup_path`. Credentials come only from the store's standard chain " +
				"(environment, shared configuration, workload identity), never from the URL. Conflicts with `backup_path`.",
			Optional: true,
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.ConflictsWith(path.MatchRoot("backup_path")),
			},
		},
		"imported_sha256": schema.StringAttribute{
			MarkdownDescription: "The `source_sha256` of the archive last imported, or of an archive found to hold " +
				"the same content since.",
			Computed: true,
		},
		"imported_content_sha256": schema.StringAttribute{
			MarkdownDescription: "The canonical content hash of the archive last imported (as a snapshot's " +
				"`content_sha256`: independent of compression, entry order and signature). When `source_sha256` " +
				"changes to an archive with this same content, such as a snapshot exported again because its file " +
				"was gone (a fresh CI runner), nothing is restored: only `imported_sha256` is updated. Null when " +
				"the archive was encrypted or could not be read; a new `source_sha256` then always restores.",
			Computed: true,
		},
		"live_branch": schema.StringAttribute{
			MarkdownDescription: "The label of the branch the import made live (Xano imports the archive's branch as " +
				"`v1`), as Xano reported it after the import; null if it could not be read then. It is recorded at " +
				"import time and not refreshed.",
			Computed: true,
		},
		"backup_sha256": schema.StringAttribute{
			MarkdownDescription: "The SHA-256 of the backup set's `manifest.json` written before the last import " +
				"(it equals `filesha256(\"${backup_path}/manifest.json\")` until the set is replaced). The manifest " +
				"holds the SHA-256 of every archive of the set, so this one hash pins them all. Null without " +
				"`backup_path`.",
			Computed: true,
		},
		"backup_content_sha256": schema.StringAttribute{
			MarkdownDescription: "The canonical content hash of the set's `full` archive (the live branch with " +
				"its records): compare it with a snapshot's `content_sha256` to see whether two archives hold the " +
				"same workspace. Null without `backup_path`, or when the archive's inspection stopped at a bound.",
			Computed: true,
		},
		"branches_deleted": schema.ListAttribute{
			MarkdownDescription: "The labels of the branches the last import deleted, the live one first: a full " +
				"import replaces every branch of the workspace with the archive's one. A plan that imports lists " +
				"here, and in its warning, the branches the import will delete, read from the workspace at plan " +
				"time and again when the apply starts: if they differ then (a branch was created or deleted since), the " +
				"apply stops before anything is backed up or imported (Terraform reports the planned value as " +
				"inconsistent): plan again.",
			ElementType: types.StringType,
			Computed:    true,
		},
		"imported_at": schema.StringAttribute{
			MarkdownDescription: "When the last import finished, in RFC 3339 format (UTC).",
			Computed:            true,
		},
	}
	for k, v := range passwordAttributes("of the source archive, when it was exported encrypted",
		importPasswordVersionChange, nil, nil) {
		attrs[k] = v
	}
	addPlanGuardAttributes(attrs, workspaceImportChangesDescription, true)
	resp.Schema = schema.Schema{
		MarkdownDescription: "A full, **destructive** restore of a workspace from an archive: its tables, their data " +
			"and all its branches are replaced by the archive's content, and the archive's branch becomes `v1`, " +
			"live. Set `backup_path` to back up every branch first.\n\n" +
			"The import happens when the resource is created and whenever `source_sha256` changes to an archive " +
			"with other content; every plan that will import says so in a warning. Refreshing only checks that " +
			"the workspace still exists: later changes to the workspace are not drift. " +
			"Destroying the resource cannot undo the import: it only removes it from the state.",
		Attributes: withAttributes(attrs, resourcePermissionAttributes("the files of the backup set in "+
			"`backup_path` (not `backup_url`, whose objects the store governs); a change applies to the next backup")),
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true}),
		},
	}
}

// ValidateConfig checks that the backup would not overwrite the archive about to be imported. The
// archive itself is checked by ModifyPlan, and only when a restore is planned: a plan that imports
// nothing must not need the file.
func (r *workspaceImportResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var src, backup, backupURL types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, sourcePathAttr, &src)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, backupPathAttr, &backup)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, backupURLAttr, &backupURL)...)
	if isKnown(backupURL) {
		if _, err := blobstore.Parse(backupURL.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(backupURLAttr, "Invalid backup_url", err.Error())
		}
	}
	if isKnown(src) && isKnown(backup) && samePath(src.ValueString(), backup.ValueString()) {
		resp.Diagnostics.AddAttributeError(backupPathAttr, "backup_path is the source archive",
			fmt.Sprintf("backup_path and source_path both name %q. backup_path is the folder for the backup set: "+
				"choose another path, such as %q.", backup.ValueString(),
				filepath.Join(filepath.Dir(backup.ValueString()), "before-restore")))
	}
	if isKnown(backup) && looksLikeArchiveName(backup.ValueString()) {
		resp.Diagnostics.AddAttributeWarning(backupPathAttr, "backup_path is a folder",
			fmt.Sprintf("backup_path %q looks like an archive file name, but it names the folder that holds the backup "+
				"set (a manifest and one archive per branch; it used to be one archive file): name a folder, such as %q.", backup.ValueString(),
				strings.TrimSuffix(strings.TrimSuffix(backup.ValueString(), ".tar.gz"), ".tgz")))
	}
}

// looksLikeArchiveName reports whether p ends like an archive file, as backup_path did before it named a folder.
func looksLikeArchiveName(p string) bool {
	return strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz")
}

// samePath reports whether two paths name the same file, as far as can be told without the files.
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return absA == absB
}

func (r *workspaceImportResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.restore(ctx, req.Config, &plan, nil, plan.Timeouts.Create)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Changes = settledChanges(plan.Changes)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read only checks that the workspace still exists: it never exports nor imports.
func (r *workspaceImportResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceImportModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Read, workspaceImportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws := state.WorkspaceID.ValueInt64()
	_, err := client.GetWorkspace(ctx, ws)
	switch {
	case xano.IsNotFound(err):
		tflog.Warn(ctx, "The workspace no longer exists: removing the import from state", map[string]any{"workspace_id": ws})
		resp.State.RemoveResource(ctx)
	case err != nil:
		addAPIError(&resp.Diagnostics, "Cannot read the workspace",
			fmt.Sprintf("Reading workspace %d, into which an archive was imported, failed.", ws), err, readAccess)
	}
}

func (r *workspaceImportResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state workspaceImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// ModifyPlan decided, with every value known (Terraform plans again at apply), whether this
	// update restores: then it left what a restore computes unknown. Otherwise the plan holds what
	// is recorded: the values kept from the last import, and imported_sha256 when the new archive
	// holds the same content.
	if restorePlanned(plan) {
		resp.Diagnostics.Append(r.restore(ctx, req.Config, &plan, &state, plan.Timeouts.Update)...)
		if resp.Diagnostics.HasError() {
			return
		}
	} else {
		plan.keepImport(state, plan.ImportedSHA256)
		tflog.Info(ctx, "Nothing to import: recorded the new values", map[string]any{
			"workspace_id": plan.WorkspaceID.ValueInt64(), "imported_sha256": plan.ImportedSHA256.ValueString(),
		})
	}
	plan.Changes = settledChanges(plan.Changes)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete cannot undo an import: it forgets the resource and says so.
func (r *workspaceImportResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceImportModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	detail := fmt.Sprintf("Destroying this resource only removes it from the Terraform state: workspace %d keeps "+
		"the content imported at %s, because Xano cannot undo an import.",
		state.WorkspaceID.ValueInt64(), state.ImportedAt.ValueString())
	if loc := state.backupLocation(); isKnown(loc) && isKnown(state.BackupSHA256) {
		detail += fmt.Sprintf(" To go back to the content the workspace had before, restore the backup set in %q "+
			"(manifest.json, sha256 %s): import its full archive with xano_workspace_import, then each schema "+
			"archive with xano_workspace_schema_import, as its manifest says.", loc.ValueString(),
			state.BackupSHA256.ValueString())
	}
	resp.Diagnostics.AddWarning("The import is not undone", detail)
}

// restore backs the workspace up when asked, then imports the source archive, and records the
// outcome in m, all within the operation's timeout (plan.Timeouts.Create or Update). prior is the
// state before an update (nil on create): it says which file at backup_path this resource wrote.
// Nothing is imported unless the source archive matches source_sha256 and the backup, when asked
// for, is complete on disk.
func (r *workspaceImportResource) restore(ctx context.Context, cfg tfsdk.Config, m *workspaceImportModel, prior *workspaceImportModel, timeout timeoutFunc) diag.Diagnostics {
	var diags diag.Diagnostics
	ctx, cancel, client := r.data.startOperation(ctx, timeout, workspaceImportWriteTimeout, &diags)
	defer cancel()
	if diags.HasError() {
		return diags
	}
	password, pdiags := passwordFromConfig(ctx, cfg)
	diags.Append(pdiags...)
	if diags.HasError() {
		return diags
	}
	ws := m.WorkspaceID.ValueInt64()
	ctx = tflog.SetField(ctx, "workspace_id", ws)
	sum := m.SourceSHA256.ValueString()
	src, _, sdiags := newImportSource(m.SourcePath, m.SourceURL)
	if diags.Append(sdiags...); diags.HasError() {
		return diags
	}
	// The archive must be the expected one before anything happens; its content is inspected
	// while it is uploaded (inspectingUpload).
	if diags.Append(checkSourceArchive(ctx, src, sum)...); diags.HasError() {
		return diags
	}
	// The content reviewed, when the configuration names it (one more pass over the file).
	if isKnown(m.ExpectedContentSHA256) {
		info, err := inspectCached(ctx, src, r.data.inspectionLimits(), sum)
		if err != nil {
			diags.AddAttributeError(src.attr(), "Cannot read the source archive",
				fmt.Sprintf("%s Workspace %d was not changed.", archiveReadProblem(src.String(), err), ws))
			return diags
		}
		if diags.Append(checkExpectedContent(m.ExpectedContentSHA256, src, info,
			fmt.Sprintf("Nothing was imported: workspace %d was not changed", ws))...); diags.HasError() {
			return diags
		}
	}
	// An encrypted archive without a password would be refused; say so before any backup.
	if encrypted, err := sourceEncrypted(ctx, src); err == nil && encrypted && password == "" {
		diags.AddAttributeError(src.attr(), "The source archive is encrypted",
			fmt.Sprintf("%s was exported with a password, and no password is set: set password_wo (with "+
				"password_wo_version) or password to the password it was exported with. Workspace %d was not changed.", src.label(), ws))
		return diags
	}

	// Everything the import deletes, as the plan listed it: nothing happens if that changed.
	branches, bdiags := importBranches(ctx, client, ws, m.BranchesDeleted)
	if diags.Append(bdiags...); diags.HasError() {
		return diags
	}
	deleted, ldiags := types.ListValueFrom(ctx, types.StringType, branchLabels(branches))
	if diags.Append(ldiags...); diags.HasError() {
		return diags
	}
	m.BranchesDeleted = deleted

	m.BackupSHA256, m.BackupContentSHA256 = types.StringNull(), types.StringNull()
	store, sdiags := m.backupStore()
	if diags.Append(sdiags...); diags.HasError() {
		return diags
	}
	if store != nil {
		backup, bdiags := backUpBeforeImport(ctx, client, store, ws, r.data.inspectionLimits(), branches,
			recordedBackup(m, prior))
		diags.Append(bdiags...)
		if diags.HasError() {
			diags.AddAttributeError(store.attribute(), "Nothing was imported",
				fmt.Sprintf("Workspace %d was not changed: the backup set in %s must be complete before the workspace "+
					"is overwritten. Fix the problem above and apply again, or remove backup_path (backup_url) to "+
					"import without a backup.", ws, store))
			return diags
		}
		m.BackupSHA256 = types.StringValue(backup.ManifestSHA256)
		m.BackupContentSHA256 = backup.LiveContent
	}

	inspecting := newInspectingUpload(ctx, src, r.data.inspectionLimits(), sum)
	defer inspecting.close()
	upload := inspecting.source(ctx, fmt.Sprintf("import into workspace %d", ws), map[string]any{"source": src.String()})
	result, err := client.Import(ctx, ws, xano.ImportInput{File: upload, Password: password})
	if err != nil {
		diags.Append(importFailed(ctx, client, ws, src.String(), m.backupLocation(), password != "", err)...)
		return diags
	}
	info, idiags := inspecting.inspected(ctx)
	diags.Append(idiags...)
	tflog.Info(ctx, "Imported the archive into the workspace", map[string]any{"source": src.String(), "source_sha256": sum})

	m.ID = types.StringValue(strconv.FormatInt(ws, 10))
	m.ImportedSHA256 = types.StringValue(sum)
	m.ImportedContent = contentSHA256Of(info)
	label, ldiags := importedLabel(ctx, client, ws, result)
	diags.Append(ldiags...)
	m.LiveBranch = label
	m.ImportedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	return diags
}

// contentSHA256Of is an archive's canonical content hash as an attribute value: null when it is
// encrypted or could not be read.
func contentSHA256Of(info archive.Info) types.String {
	if info.Encrypted || info.ContentSHA256 == "" {
		return types.StringNull()
	}
	return types.StringValue(info.ContentSHA256)
}

// importedLabel is the label of the branch the import made live, as Xano reports it: from its
// answer to the import, else from the workspace read just after. When neither says, the label is
// left null with a warning rather than guessed.
func importedLabel(ctx context.Context, client *xano.Client, ws int64, result *xano.ImportResult) (types.String, diag.Diagnostics) {
	var diags diag.Diagnostics
	if result != nil {
		if label, ok := result.Branch["label"].(string); ok && label != "" {
			return types.StringValue(label), diags
		}
	}
	w, err := client.GetWorkspace(ctx, ws)
	if err == nil && w.Branch != "" {
		return types.StringValue(w.Branch), diags
	}
	why := "Xano did not name it"
	if err != nil {
		why = err.Error()
	}
	diags.AddAttributeWarning(path.Root("live_branch"), "Cannot tell which branch the import made live",
		fmt.Sprintf("The import into workspace %d succeeded, but reading which branch is now live failed (%s), so "+
			"live_branch is left empty. Xano imports the archive's branch as v1; the xano_workspace data source "+
			"reads the live branch.", ws, why))
	return types.StringNull(), diags
}

// importOutcome is what a failed import request says about the workspace.
type importOutcome int

const (
	importRefused importOutcome = iota // Xano refused the request: the workspace is unchanged
	importUnknown                      // no answer, or a server error: the import may have been applied
)

// classifyImportFailure tells a refusal (a 4xx, or Xano's 500 for an archive whose signature does
// not match, which it checks before changing anything) from a failure after which nobody knows
// whether the import was applied: no answer at all (a cut connection, a timeout) or a server or
// gateway error (a 502 or 504 may come from a proxy while Xano goes on importing).
func classifyImportFailure(err error) importOutcome {
	var apiErr *xano.APIError
	switch {
	case !errors.As(err, &apiErr):
		return importUnknown
	case apiErr.StatusCode >= 400 && apiErr.StatusCode < 500:
		return importRefused
	case invalidSignature(apiErr), xano.IsPlanRestricted(err):
		return importRefused
	}
	return importUnknown
}

// invalidSignature reports Xano's answer to an archive edited after export.
func invalidSignature(apiErr *xano.APIError) bool {
	return strings.Contains(strings.ToLower(apiErr.Message), "signature")
}

// importFailed explains a failed import and what state the workspace is in.
func importFailed(ctx context.Context, client *xano.Client, ws int64, src string, backupPath types.String, withPassword bool, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	var apiErr *xano.APIError
	answered := errors.As(err, &apiErr)

	summary := fmt.Sprintf("Import into workspace %d failed", ws)
	detail := fmt.Sprintf("Importing %q into workspace %d failed.", src, ws)
	if classifyImportFailure(err) == importRefused {
		detail += " Xano refused the archive, so the workspace should be unchanged." + backupNote(backupPath)
	} else {
		if answered {
			detail += fmt.Sprintf(" Xano (or a proxy in front of it) answered %d, which does not say whether the "+
				"import was applied: it may have been, in full.", apiErr.StatusCode)
		} else {
			detail += " No answer came back, so whether Xano applied the import is unknown: it may have been, in full."
		}
		detail += fmt.Sprintf(" Check workspace %d in Xano before applying again.", ws) + uncertainBackupNote(backupPath)
	}
	switch {
	case xano.IsNotFound(err):
		detail += " " + explainNotFound(ctx, client, ws, "")
	case xano.IsInputError(err):
		if withPassword {
			detail += " If the archive is encrypted, check that the password (password or password_wo) is the one " +
				"it was exported with."
		} else {
			detail += " If the archive was exported with a password, set password_wo (or password) to it."
		}
		detail += " Otherwise check that source_path is a full export of a Xano workspace."
	case answered && invalidSignature(apiErr):
		// Not a passing server failure (the advice for a 500): applying again cannot help.
		detail += " Xano found the archive's signature invalid: its content was changed after Xano exported it, " +
			"and Xano only imports archives exactly as it exported them. Export the workspace again rather than " +
			"editing the archive."
		diags.AddError(summary, fmt.Sprintf("%s\n\n%s", detail, err))
		return diags
	}
	if xano.IsServerError(err) && classifyImportFailure(err) == importUnknown {
		// Not the generic advice for a server error ("apply again later"): check first.
		diags.AddError(summary, fmt.Sprintf("%s\n\n%s", detail, err))
		return diags
	}
	addAPIError(&diags, summary, detail, err, writeAccess)
	return diags
}

// backupNote points at the backup taken before a refused import, if any.
func backupNote(backupPath types.String) string {
	if !isKnown(backupPath) {
		return ""
	}
	return fmt.Sprintf(" The backup set taken just before is in %q.", backupPath.ValueString())
}

// uncertainBackupNote is the advice about the backup after an import whose outcome is unknown:
// if the import was applied, that file is the only copy of the workspace from before it.
func uncertainBackupNote(backupPath types.String) string {
	if !isKnown(backupPath) {
		return ""
	}
	return fmt.Sprintf(" Copy the backup set taken just before, in %q, somewhere safe first: if the import was applied, "+
		"it is the only copy of the workspace as it was before. (The next apply does not overwrite it: it keeps the set "+
		"if the workspace still holds the same content, and otherwise stops before importing.)", backupPath.ValueString())
}
