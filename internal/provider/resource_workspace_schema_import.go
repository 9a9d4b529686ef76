package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
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

// Default timeouts of xano_workspace_schema_import.
const (
	schemaImportWriteTimeout  = 30 * time.Minute // create and update: an upload, an import, an export
	schemaImportReadTimeout   = 10 * time.Minute // read exports the branch when detect_drift is set
	schemaImportDeleteTimeout = 5 * time.Minute
)

// schemaImportDeleteAdvice completes the refusal to delete a live branch with what this resource
// offers.
const schemaImportDeleteAdvice = ", or, when you are replacing it under a new label, add lifecycle { " +
	"create_before_destroy = true } so the new branch is made live before this one is deleted; or set " +
	"retain_on_destroy = true to keep it"

func init() {
	resourceFactories = append(resourceFactories, newWorkspaceSchemaImportResource)
}

var (
	_ resource.Resource                = (*workspaceSchemaImportResource)(nil)
	_ resource.ResourceWithConfigure   = (*workspaceSchemaImportResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*workspaceSchemaImportResource)(nil)
	_ resource.ResourceWithImportState = (*workspaceSchemaImportResource)(nil)
	_ resource.ResourceWithIdentity    = (*workspaceSchemaImportResource)(nil)
)

// schemaImportBranchIdentity is the identity attribute of xano_workspace_schema_import holding the
// branch label, named like the resource's own attribute.
const schemaImportBranchIdentity = "branch"

func newWorkspaceSchemaImportResource() resource.Resource { return &workspaceSchemaImportResource{} }

// workspaceSchemaImportResource is one branch created by import-schema from an archive, and
// optionally the live one.
type workspaceSchemaImportResource struct {
	configurable
}

type workspaceSchemaImportModel struct {
	ID                types.String   `tfsdk:"id"`
	WorkspaceID       types.Int64    `tfsdk:"workspace_id"`
	Branch            types.String   `tfsdk:"branch"`
	SourcePath        types.String   `tfsdk:"source_path"`
	SourceURL         types.String   `tfsdk:"source_url"`
	SourceSHA256      types.String   `tfsdk:"source_sha256"`
	SetLive           types.Bool     `tfsdk:"set_live"`
	DetectDrift       types.Bool     `tfsdk:"detect_drift"`
	RetainOnDestroy   types.Bool     `tfsdk:"retain_on_destroy"`
	Password          types.String   `tfsdk:"password"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	Live              types.Bool     `tfsdk:"live"`
	ContentSHA256     types.String   `tfsdk:"content_sha256"`
	Objects           types.Map      `tfsdk:"objects"`
	CreatedAt         types.String   `tfsdk:"created_at"`
	ImportedSHA256    types.String   `tfsdk:"imported_sha256"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	planGuards                       // changes, expected_content_sha256 (plan_guards.go)
}

func (m *workspaceSchemaImportModel) workspace() int64 { return m.WorkspaceID.ValueInt64() }
func (m *workspaceSchemaImportModel) label() string    { return m.Branch.ValueString() }

// setIdentity records the branch's workspace and label as the resource's identity.
func (m *workspaceSchemaImportModel) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	return setBranchIdentity(ctx, identity, schemaImportBranchIdentity, m.workspace(), m.label())
}

func (r *workspaceSchemaImportResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace_schema_import"
}

// IdentitySchema: the workspace and the branch label (Terraform and OpenTofu 1.12+). Neither changes
// during the resource's life: a new label or workspace is a new resource.
func (r *workspaceSchemaImportResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = branchIdentitySchema(schemaImportBranchIdentity)
}

func (r *workspaceSchemaImportResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "`<workspace_id>/<branch>`, with the label URL-escaped (`2/feature%2Fx`).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"workspace_id": schema.Int64Attribute{
			MarkdownDescription: "The ID of the workspace to import into. Changing it imports into a new branch of " +
				"the other workspace (and deletes this one).",
			Required:      true,
			Validators:    []validator.Int64{int64validator.AtLeast(1)},
			PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
		},
		"branch": schema.StringAttribute{
			MarkdownDescription: "The label of the branch the archive is imported into. Xano imports a schema only " +
				"into a new branch, so it must not exist yet, and it cannot be `v1`. Changing it creates a new " +
				"branch and deletes this one: for a live branch add `lifecycle { create_before_destroy = true }` " +
				"so that the new branch is live before the old one is deleted.",
			Required:      true,
			Validators:    []validator.String{branchLabelValidator{newBranch: true}},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"source_path": schema.StringAttribute{
			MarkdownDescription: "The archive to import: a file exported from Xano, such as a " +
				"`xano_workspace_snapshot`'s `output_path`. It is read only when the branch is created or " +
				"re-imported (by plan and apply), never during a refresh nor by a plan that imports nothing, so it " +
				"may be gone once imported. A new path to the same bytes changes nothing in Xano. Exactly one of " +
				"`source_path` and `source_url` is set.",
			Optional: true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1),
				stringvalidator.ExactlyOneOf(path.MatchRoot("source_url"))},
		},
		"source_url": schema.StringAttribute{
			MarkdownDescription: sourceURLDescription("a schema exported from Xano, such as a `xano_workspace_snapshot`'s "+
				"`output_url`") + " It is read only when the branch is created or re-imported, never during a refresh.",
			Optional:   true,
			Validators: []validator.String{objectURLValidator{}},
		},
		"source_sha256": schema.StringAttribute{
			MarkdownDescription: "The hex SHA-256 of `source_path`'s bytes: `filesha256(...)` of it, or the " +
				"`archive_sha256` of the resource that writes it. When the plan imports the archive and both are " +
				"known, the plan checks the file against it; when the archive is written in the same apply the " +
				"check happens at apply. A new value re-imports the branch in place, keeping its label, unless the " +
				"new archive holds the same content as the one last imported (the same snapshot exported again, " +
				"say): then only the new value is recorded.",
			Required:   true,
			Validators: []validator.String{sha256HexValidator{}},
		},
		"set_live": schema.BoolAttribute{
			MarkdownDescription: "Make the branch the workspace's live branch, and keep it live: when another " +
				"branch has been made live since, the plan proposes to make this one live again. `false` leaves " +
				"liveness alone; it cannot make the branch not live (Xano has no such operation: make another " +
				"branch live instead). Defaults to `false`.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
		"detect_drift": schema.BoolAttribute{
			MarkdownDescription: "On every refresh, export the branch's schema in memory (nothing is written to " +
				"disk) and compare its `content_sha256` with the one recorded after the import. A difference (the " +
				"branch was edited in the Xano UI) is drift: the plan proposes an in-place re-import of " +
				"`source_path`. Defaults to `true`; set `false` for very large workspaces, where every refresh " +
				"would export the schema.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
		},
		"retain_on_destroy": schema.BoolAttribute{
			MarkdownDescription: "Keep the branch in Xano when the resource is destroyed, and only remove it from " +
				"state. Defaults to `false`: destroy deletes the branch (Xano refuses to delete the live branch).",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
		"live": schema.BoolAttribute{
			MarkdownDescription: "Whether the branch is the workspace's live branch, as last read from Xano.",
			Computed:            true,
		},
		"content_sha256": schema.StringAttribute{
			MarkdownDescription: "The canonical content hash (see `xano_workspace_snapshot`) of what an " +
				"export-schema of the branch holds of the branch itself, as last observed: right after the import, " +
				"then at every refresh when `detect_drift` is set. It leaves out the workspace's tables, which every " +
				"branch shares, and stands for the branch's business logic whatever the archive's compression or " +
				"signature.",
			Computed: true,
		},
		"objects": schema.MapAttribute{
			MarkdownDescription: objectsDescription("as an export-schema of the branch shows them, last observed "+
				"when `content_sha256` was, without the workspace's tables (`table/...`) and record (`workspace`), which every branch shares") +
				" A refresh that finds the branch edited in the Xano UI shows the objects that changed in the plan's " +
				"\"changed outside of Terraform\" section, and the drift warning lists them.",
			ElementType: types.StringType,
			Computed:    true,
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When Xano created the branch, in RFC 3339 UTC (`2026-11-27T08:10:20Z`). A " +
				"re-import makes a new branch under the same label, so it changes.",
			Computed: true,
		},
		"imported_sha256": schema.StringAttribute{
			MarkdownDescription: "The `source_sha256` of the archive the branch was last imported from.",
			Computed:            true,
		},
	}
	for name, a := range passwordAttributes("of the source archive, when it was exported with one (Xano's "+
		"export password)", importPasswordVersionChange, nil, nil) {
		attrs[name] = a
	}
	addPlanGuardAttributes(attrs, schemaImportChangesDescription, false)

	resp.Schema = schema.Schema{
		MarkdownDescription: "Imports an archive's schema and business logic into a new branch of a Xano workspace " +
			"(Xano's import-schema), optionally makes it live, and keeps it matching the archive: a branch deleted, " +
			"no longer live or edited by hand shows in the plan. A new archive re-imports the branch in place, " +
			"keeping its label.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *workspaceSchemaImportResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = r.data.logContext(ctx)
	var plan workspaceSchemaImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	password, diags := passwordFromConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Create, schemaImportWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws, label := plan.workspace(), plan.label()
	ctx = withBranchFields(ctx, ws, label)
	source, _, diags := newImportSource(plan.SourcePath, plan.SourceURL)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	src, diags := checkSourceForImport(ctx, r.data.inspectionLimits(), source, plan.SourceSHA256.ValueString(), password)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(checkExpectedContent(plan.ExpectedContentSHA256, source, src, "Nothing was imported")...)
	if resp.Diagnostics.HasError() {
		return
	}
	liveBefore, diags := liveBranchIfAbsent(ctx, client, ws, label)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	tflog.Info(ctx, "Importing the archive into a new branch", map[string]any{"source": source.String(), "set_live": plan.SetLive.ValueBool()})
	err := client.ImportSchema(ctx, ws, xano.ImportSchemaInput{
		File:      sourceArchive(ctx, source, fmt.Sprintf("import-schema into workspace %d branch %q", ws, label), nil),
		NewBranch: label,
		SetLive:   plan.SetLive.ValueBool(),
		Password:  password,
	})
	if err != nil {
		detail := fmt.Sprintf("Importing %s into a new branch %q of workspace %d failed. %s",
			source.label(), label, ws, importRefusalAdvice(ctx, client, ws, err, src.Encrypted))
		if isRefusal(err) {
			detail += "No branch was created."
		} else {
			// The import may have got far enough to create the branch: leave nothing half-made.
			cleanup, _ := discardBranch(ctx, client, ws, label, liveBefore)
			detail += cleanup
		}
		addAPIError(&resp.Diagnostics, fmt.Sprintf("Cannot import into workspace %d", ws), detail, err, writeAccess)
		return
	}

	desc := provenanceDescription(source.String(), plan.SourceSHA256.ValueString())
	if _, err := client.UpdateBranch(ctx, ws, label, xano.UpdateBranchInput{Description: &desc}); err != nil {
		resp.Diagnostics.AddWarning("Cannot record the archive in the branch description",
			fmt.Sprintf("Branch %q of workspace %d was imported, but setting its description to the archive it came "+
				"from failed: %s. Only terraform import is affected: it will not find source_path and source_sha256.",
				label, ws, err))
	}
	resp.Diagnostics.Append(r.recordImport(ctx, client, &plan, resp.Private, src)...)
	plan.Changes = settledChanges(plan.Changes)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(plan.setIdentity(ctx, resp.Identity)...)
}

// isRefusal reports a failure where Xano refused the request outright, so nothing was created.
func isRefusal(err error) bool {
	return xano.IsInputError(err) || xano.IsUnauthorized(err) || xano.IsAccessDenied(err) ||
		xano.IsNotFound(err) || xano.IsRateLimited(err)
}

// liveBranchIfAbsent returns the label of the workspace's live branch (the one to make live again
// if an import into a new branch goes wrong), after checking that the workspace exists and that
// it has no branch label yet: Xano imports a schema only into a new branch.
func liveBranchIfAbsent(ctx context.Context, client *xano.Client, ws int64, label string) (string, diag.Diagnostics) {
	w, diags := getWorkspace(ctx, client, ws)
	if diags.HasError() {
		return "", diags
	}
	_, err := client.GetBranch(ctx, ws, label)
	switch {
	case err == nil:
		diags.AddAttributeError(path.Root("branch"), fmt.Sprintf("Branch %q already exists in workspace %d", label, ws),
			fmt.Sprintf("Xano imports a schema only into a new branch, and workspace %d (%q) already has a branch %q. "+
				"Choose another label, or bring the existing branch under Terraform: terraform import with the ID %q, "+
				"or an import block.", ws, w.Name, label, branchID(ws, label)))
	case !xano.IsNotFound(err):
		addAPIError(&diags, fmt.Sprintf("Cannot import into workspace %d", ws), fmt.Sprintf("Checking that branch %q does not exist yet in workspace %d failed; "+
			"nothing was changed.", label, ws), err, readAccess)
	}
	return w.Branch, diags
}

// recordImport fills the computed attributes of m after label was imported from src: its
// liveness and creation time, and the baseline content hash; the private state keeps the baseline
// and the content of the archive imported. The branch exists by now, so failures are warnings:
// the resource is recorded with what is known, and the next refresh completes it.
func (r *workspaceSchemaImportResource) recordImport(ctx context.Context, client *xano.Client, m *workspaceSchemaImportModel, private privateData, src archive.Info) diag.Diagnostics {
	var diags diag.Diagnostics
	ws, label := m.workspace(), m.label()
	m.ID = types.StringValue(branchID(ws, label))
	m.ImportedSHA256 = m.SourceSHA256
	m.PasswordWO = types.StringNull()
	diags.Append(setImportedContent(ctx, private, src.ContentSHA256)...)

	seen, _, exportDiags := observeBranch(ctx, client, ws, label, r.data.inspectionLimits())
	diags.Append(exportDiags.Warnings()...)
	if exportDiags.HasError() {
		diags.AddWarning("Cannot record the branch's content",
			fmt.Sprintf("Branch %q of workspace %d was imported, but exporting it to record its content_sha256 (the "+
				"baseline of drift detection) failed: %s The next refresh records it instead.",
				label, ws, diagnosticsText(exportDiags)))
	}
	content := seen.ContentSHA256
	m.ContentSHA256 = content
	m.Objects = seen.Objects
	diags.Append(setBaseline(ctx, private, seen.baseline(ctx))...)

	b, err := client.GetBranch(ctx, ws, label)
	if err != nil {
		diags.AddWarning("Cannot read the imported branch",
			fmt.Sprintf("Branch %q of workspace %d was imported, but reading it back failed: %s. The next refresh "+
				"reads it again.", label, ws, err))
		if m.Live.IsUnknown() {
			m.Live = m.SetLive
		}
		m.CreatedAt = types.StringNull()
		return diags
	}
	m.Live = types.BoolValue(b.Live)
	m.CreatedAt = types.StringValue(rfc3339FromXano(b.CreatedAt))
	tflog.Info(ctx, "Imported the branch", map[string]any{"live": b.Live, "content_sha256": content.ValueString()})
	return diags
}

// diagnosticsText joins the details of error diagnostics, to wrap them into a warning.
func diagnosticsText(diags diag.Diagnostics) string {
	s := ""
	for _, d := range diags.Errors() {
		s += d.Summary() + ": " + d.Detail() + " "
	}
	return s
}

// Read observes the branch: gone means the resource is gone; its liveness; and, with
// detect_drift, the content of an in-memory export of its schema. It never changes anything.
func (r *workspaceSchemaImportResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceSchemaImportModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Read, schemaImportReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	ws, label := state.workspace(), state.label()
	ctx = withBranchFields(ctx, ws, label)
	// The identity is the branch read, whatever the outcome (state written before the provider had
	// identity has none yet).
	resp.Diagnostics.Append(state.setIdentity(ctx, resp.Identity)...)
	b, err := client.GetBranch(ctx, ws, label)
	if xano.IsNotFound(err) {
		tflog.Warn(ctx, "The imported branch no longer exists: removing it from state, the plan will import it again")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("Cannot read branch %q of workspace %d", label, ws),
			fmt.Sprintf("Reading branch %q of workspace %d failed.", label, ws), err, readAccess)
		return
	}
	state.ID = types.StringValue(branchID(ws, label))
	state.Live = types.BoolValue(b.Live)
	state.CreatedAt = types.StringValue(rfc3339FromXano(b.CreatedAt))
	if state.SourceSHA256.IsNull() {
		adoptImported(&state, b)
	}

	if state.DetectDrift.ValueBool() {
		seen, _, diags := observeBranch(ctx, client, ws, label, r.data.inspectionLimits())
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		content := seen.ContentSHA256
		state.ContentSHA256 = content
		state.Objects = seen.Objects
		resp.Diagnostics.Append(setObservedFacts(ctx, resp.Private, seen.Facts)...)
		baseline, diags := getBaseline(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
		switch {
		case baseline.ContentSHA256 == "":
			resp.Diagnostics.Append(setBaseline(ctx, resp.Private, seen.baseline(ctx))...)
			resp.Diagnostics.Append(baselineAdoptedWarning(ws, label, content)...)
		case isKnown(content) && baseline.ContentSHA256 != content.ValueString():
			tflog.Info(ctx, "The branch's content differs from what was imported", map[string]any{
				"baseline": baseline.ContentSHA256, "observed": content.ValueString(),
			})
			// Who made the changes, from the audit log (bounded; never fails the refresh).
			if keys := driftKeys(baseline.Objects, objectsFromValue(ctx, seen.Objects)); len(keys) > 0 {
				since, _ := time.Parse(time.RFC3339, state.CreatedAt.ValueString())
				audit, diags := r.data.whoChanged(ctx, client, ws, label, keys, since)
				resp.Diagnostics.Append(diags...)
				resp.Diagnostics.Append(setDriftAudit(ctx, resp.Private, &audit)...)
				break
			}
			resp.Diagnostics.Append(setDriftAudit(ctx, resp.Private, nil)...)
		default:
			resp.Diagnostics.Append(setDriftAudit(ctx, resp.Private, nil)...)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// adoptImported completes the state of a branch just imported into Terraform (terraform import or
// an import block), where only the workspace and the label are known: the source archive is read
// back from the description this resource writes, and the other arguments take their defaults,
// set_live whether the branch is live. A branch made another way has no source: the first apply
// records the configured one, without importing it again.
func adoptImported(m *workspaceSchemaImportModel, b *xano.Branch) {
	if p, sum, ok := parseProvenance(b.Description); ok {
		if _, err := blobstore.Parse(p); err == nil {
			m.SourceURL = types.StringValue(p)
		} else {
			m.SourcePath = types.StringValue(p)
		}
		m.SourceSHA256 = types.StringValue(sum)
		m.ImportedSHA256 = types.StringValue(sum)
	}
	if m.SetLive.IsNull() {
		m.SetLive = types.BoolValue(b.Live)
	}
	if m.DetectDrift.IsNull() {
		m.DetectDrift = types.BoolValue(true)
	}
	if m.RetainOnDestroy.IsNull() {
		m.RetainOnDestroy = types.BoolValue(false)
	}
}

// Update applies what ModifyPlan decided (see plannedImport): a re-import of the archive in place,
// keeping the label, or else making the branch live when set_live asks for it and recording the
// new arguments.
func (r *workspaceSchemaImportResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = r.data.logContext(ctx)
	var plan, state workspaceSchemaImportModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	password, diags := passwordFromConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	what, diags := getPlannedImport(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	// The decision is for this apply only: it does not stay in the state.
	resp.Diagnostics.Append(setPlannedImport(ctx, resp.Private, "")...)
	// An update keeps the workspace and the label (changing either replaces the resource).
	resp.Diagnostics.Append(state.setIdentity(ctx, resp.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, label := plan.workspace(), plan.label()
	if what == "" {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot update branch %q of workspace %d", label, ws),
			fmt.Sprintf("The plan does not say whether branch %q of workspace %d is to be re-imported, so nothing "+
				"was changed. Run terraform plan and apply again.", label, ws))
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Update, schemaImportWriteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withBranchFields(ctx, ws, label)

	if what != planNoImport {
		r.reimport(ctx, client, &plan, state, what, password, resp)
		return
	}
	resp.Diagnostics.Append(r.updateInPlace(ctx, client, &plan, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// reimport replaces the branch with a new import of the archive under the same label. A new
// archive (planNewSource) holding the same content as the archive last imported (a snapshot
// written again on a fresh CI runner, say) is not uploaded: the update only records it.
func (r *workspaceSchemaImportResource) reimport(ctx context.Context, client *xano.Client, plan *workspaceSchemaImportModel, state workspaceSchemaImportModel, what plannedImport, password string, resp *resource.UpdateResponse) {
	sum := plan.SourceSHA256.ValueString()
	source, _, diags := newImportSource(plan.SourcePath, plan.SourceURL)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	src, diags := checkSourceForImport(ctx, r.data.inspectionLimits(), source, sum, password)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(checkExpectedContent(plan.ExpectedContentSHA256, source, src, "Nothing was imported")...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Changes = settledChanges(plan.Changes)
	if what == planNewSource {
		same, diags := sameContentAsImported(ctx, resp.Private, src)
		resp.Diagnostics.Append(diags...)
		if same {
			tflog.Info(ctx, "The new archive holds what was imported last: recording it without importing it again",
				map[string]any{"source": source.String(), "archive_content_sha256": src.ContentSHA256})
			resp.Diagnostics.Append(r.updateInPlace(ctx, client, plan, state)...)
			if resp.Diagnostics.HasError() {
				return
			}
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
			return
		}
	}
	outcome, tmp, diags := reimportBranch(ctx, client, reimportInput{
		WorkspaceID: plan.workspace(),
		Label:       plan.label(),
		Source:      source,
		Encrypted:   src.Encrypted,
		Password:    password,
		SetLive:     plan.SetLive.ValueBool(),
		Description: provenanceDescription(source.String(), sum),
	})
	resp.Diagnostics.Append(diags...)
	switch outcome {
	case reimportUnchanged:
		return // the prior state still describes the branch
	case reimportStranded:
		// The label has no branch now, and the import waits under tmp. Record the new archive and
		// forget the baseline: once tmp is renamed, the next refresh takes its content as it is.
		tflog.Warn(ctx, "The re-import is left under its temporary label", map[string]any{"temporary_branch": tmp})
		plan.ID = types.StringValue(branchID(plan.workspace(), plan.label()))
		plan.ImportedSHA256 = plan.SourceSHA256
		plan.ContentSHA256 = types.StringNull()
		plan.Objects = types.MapNull(types.StringType)
		plan.CreatedAt = types.StringNull()
		if plan.Live.IsUnknown() {
			plan.Live = types.BoolValue(false)
		}
		plan.PasswordWO = types.StringNull()
		resp.Diagnostics.Append(setBaseline(ctx, resp.Private, baselineData{})...)
		resp.Diagnostics.Append(setImportedContent(ctx, resp.Private, src.ContentSHA256)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	resp.Diagnostics.Append(r.recordImport(ctx, client, plan, resp.Private, src)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// updateInPlace applies a plan that does not re-import: it makes the branch live when set_live
// asks for it and keeps the recorded archive in the branch description.
func (r *workspaceSchemaImportResource) updateInPlace(ctx context.Context, client *xano.Client, plan *workspaceSchemaImportModel, state workspaceSchemaImportModel) diag.Diagnostics {
	var diags diag.Diagnostics
	ws, label := plan.workspace(), plan.label()
	b, err := client.GetBranch(ctx, ws, label)
	if err != nil {
		detail := fmt.Sprintf("Reading branch %q of workspace %d failed; nothing was changed.", label, ws)
		if xano.IsNotFound(err) {
			detail += " The branch was deleted since the plan: run terraform apply again to import it anew."
		}
		addAPIError(&diags, fmt.Sprintf("Cannot update branch %q of workspace %d", label, ws), detail, err, readAccess)
		return diags
	}
	live := b.Live
	if plan.SetLive.ValueBool() && !b.Live {
		if _, err := client.SetLiveBranch(ctx, ws, label); err != nil {
			detail := fmt.Sprintf("Making branch %q live in workspace %d failed; the live branch is unchanged.", label, ws)
			addAPIError(&diags, fmt.Sprintf("Cannot make branch %q live", label), detail, err, writeAccess)
			return diags
		}
		tflog.Info(ctx, "Made the branch live again")
		live = true
	}
	if desc := provenanceDescription(plan.sourceString(), plan.SourceSHA256.ValueString()); b.Description != desc {
		if _, err := client.UpdateBranch(ctx, ws, label, xano.UpdateBranchInput{Description: &desc}); err != nil {
			diags.AddWarning("Cannot record the archive in the branch description",
				fmt.Sprintf("Setting the description of branch %q of workspace %d to the archive it holds failed: %s. "+
					"Only terraform import is affected: it will not find source_path and source_sha256.", label, ws, err))
		}
	}
	plan.ID = types.StringValue(branchID(ws, label))
	plan.Live = types.BoolValue(live)
	plan.ImportedSHA256 = plan.SourceSHA256
	plan.ContentSHA256 = state.ContentSHA256
	plan.Objects = state.Objects
	plan.CreatedAt = types.StringValue(rfc3339FromXano(b.CreatedAt))
	plan.PasswordWO = types.StringNull()
	return diags
}

// Delete deletes the branch, unless retain_on_destroy is set. Xano cannot delete the live branch:
// that is an error saying how to proceed.
func (r *workspaceSchemaImportResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = r.data.logContext(ctx)
	var state workspaceSchemaImportModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, label := state.workspace(), state.label()
	if state.RetainOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("Branch kept in Xano",
			fmt.Sprintf("retain_on_destroy is true: branch %q of workspace %d was left in Xano as it is, and Terraform "+
				"no longer manages it.", label, ws))
		return
	}
	ctx, cancel, client := r.data.startOperation(ctx, state.Timeouts.Delete, schemaImportDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withBranchFields(ctx, ws, label)
	resp.Diagnostics.Append(deleteBranch(ctx, client, ws, label, schemaImportDeleteAdvice)...)
}

// ImportState takes "<workspace_id>/<branch>", where the label may be URL-escaped ("2/feature%2Fx"),
// or an import block's identity { workspace_id, branch }. Read fills in the rest.
func (r *workspaceSchemaImportResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	target, diags := branchImportTarget(ctx, req, schemaImportBranchIdentity)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, label := target.WorkspaceID, target.Label
	if msg := checkBranchLabel(label, true); msg != "" {
		summary := "Invalid import ID"
		if req.ID == "" {
			summary = "Invalid import identity"
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("The %s names a branch that "+
			"xano_workspace_schema_import cannot manage. %s", target.What, msg))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("workspace_id"), ws)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("branch"), label)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), branchID(ws, label))...)
	resp.Diagnostics.Append(setBranchIdentity(ctx, resp.Identity, schemaImportBranchIdentity, ws, label)...)
}

// sourceString is source_path or source_url, whichever is set.
func (m workspaceSchemaImportModel) sourceString() string {
	if isKnown(m.SourceURL) {
		return m.SourceURL.ValueString()
	}
	return m.SourcePath.ValueString()
}

// sourceURLDescription is the description of source_url; what says which archive it names.
func sourceURLDescription(what string) string {
	return "The archive to import, as an object in object storage: " + what + ", named by the bucket's URL with " +
		"the object key as its path, e.g. `s3://backups/xano/staging.tar.gz?region=eu-west-1` (see the guide " +
		"*Object storage*). Credentials come from the store's standard chain, never from the URL. The object " +
		"is read and checked against `source_sha256` before anything is uploaded, then read again for the " +
		"upload: it is never copied to local disk. Exactly one of `source_path` and `source_url` is set."
}
