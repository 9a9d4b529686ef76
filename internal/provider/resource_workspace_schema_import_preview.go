package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

// The promotion preview of xano_workspace_schema_import.
//
// When a plan imports an archive that serves traffic once applied, it warns what the import
// changes, object by object, relative to what serves traffic now:
//
//   - a new branch with set_live = true: relative to the workspace's live branch, read by one
//     in-memory export-schema (the only request the preview makes);
//   - a re-import of a new archive (a new source_sha256): relative to the branch's baseline, the
//     inventory recorded after its last import (no request).
//
// Both sides are branch inventories (archive.BranchView), read within the provider's
// archive_inspection bounds: the workspace's tables, which every branch shares, are left out. An archive that cannot be read at plan time (written during
// apply, encrypted, not an archive) gets a warning that says so instead. A plan that imports
// nothing makes no preview and no request. A new branch that is not made live changes nothing
// that serves traffic: it gets no preview.

// previewSide is what the new archive is compared with.
type previewSide struct {
	objects map[string]string
	facts   map[string]archive.Facts // nil when not known: then changes has no details
	what    string                   // how the warning names it
	cost    string                   // what reading it cost, as a sentence
}

// promotionPreview warns what the planned import changes, and returns it as the planned value
// of changes: unknown when the archive is only known at apply, null when nothing is compared.
// state is nil for a new branch.
func (r *workspaceSchemaImportResource) promotionPreview(ctx context.Context, cfg tfsdk.Config, plan workspaceSchemaImportModel, state *workspaceSchemaImportModel, baseline baselineData) (diag.Diagnostics, types.Object) {
	var diags diag.Diagnostics
	if state == nil && !plan.SetLive.ValueBool() {
		return diags, changesNull()
	}
	summary := "Promotion preview"
	if isKnown(plan.WorkspaceID) && isKnown(plan.Branch) {
		summary = fmt.Sprintf("Promotion preview of branch %q of workspace %d", plan.label(), plan.workspace())
	}
	unavailable := func(why string) diag.Diagnostics {
		var d diag.Diagnostics
		d.AddWarning(summary+" not available", "The plan cannot tell which objects this import adds, changes or "+
			"removes: "+why)
		return d
	}

	src, known, srcDiags := importSourceFromConfig(ctx, cfg)
	diags.Append(srcDiags...)
	if diags.HasError() {
		return diags, changesNull()
	}
	if !known || !isKnown(plan.SourceSHA256) {
		return unavailable("the source (source_path or source_url) or source_sha256 is only known during apply (the archive is written " +
			"in the same apply, by the resource whose archive_sha256 is source_sha256), so the plan cannot read " +
			"it. To review the promotion first, apply the resource that writes the archive alone (terraform apply " +
			"-target=...) and plan again, or compare the archives with provider::xano::archive_diff in a check " +
			"block."), changesUnknown()
	}
	p := src.String()
	next, err := readBranchInventory(ctx, src, r.data.inspectionLimits())
	switch {
	case err != nil:
		return unavailable(archiveReadProblem(p, err) + " Apply uploads the archive as it is, and Xano judges it."), changesNull()
	case next.Encrypted:
		return unavailable(archiveReadProblem(p, archive.ErrEncrypted) + " Apply uploads the archive as it is, and Xano judges it."), changesNull()
	case next.Incomplete != nil:
		return unavailable(fmt.Sprintf("reading %q stopped at a bound: %s. %s", p, next.Incomplete, raiseLimitHint(next.Incomplete))), changesNull()
	}

	var cur previewSide
	if state == nil {
		side, d := r.liveSide(ctx, plan)
		if d != nil {
			return d, changesNull()
		}
		cur = side
	} else {
		objs := baseline.Objects
		if objs == nil {
			objs = objectsFromValue(ctx, state.Objects)
		}
		if objs == nil {
			return unavailable(fmt.Sprintf("no inventory of branch %q was recorded after its last import (it "+
				"was imported by an earlier version of the provider); the next import or refresh with "+
				"detect_drift records one.", state.label())), changesNull()
		}
		cur = previewSide{objects: objs, facts: baseline.Facts,
			what: fmt.Sprintf("what branch %q held after its last import (the baseline recorded in state)", state.label()),
			cost: "It was read from the archive and the state: it made no request."}
	}

	e := archive.Explain(cur.objects, next.Objects, cur.facts, next.Facts)
	action := fmt.Sprintf("Applying imports %s into the new branch %q and makes it live.", src.label(), plan.label())
	if state != nil {
		action = fmt.Sprintf("Applying re-imports %s into branch %q, keeping its label.", src.label(), plan.label())
		if plan.SetLive.ValueBool() || state.Live.ValueBool() {
			action += " The branch is live once applied."
		}
	}
	changes := "no object changes."
	if !e.Empty() {
		changes = "the objects change so:\n" + strings.TrimSuffix(explanationText(e, maxObjectLines), "\n")
	}
	diags.AddWarning(summary, fmt.Sprintf("%s Compared with %s, %s\n\nWorkspace-wide tables (table/...) are left "+
		"out: every branch of the workspace shares them, and the import may add or change some. %s",
		action, cur.what, changes, cur.cost))
	return diags, changesValue(e, cur.what, nil)
}

// liveSide reads the inventory of the workspace's live branch by one in-memory export-schema.
// It returns a warning instead when that is not possible: then there is no preview.
func (r *workspaceSchemaImportResource) liveSide(ctx context.Context, plan workspaceSchemaImportModel) (previewSide, diag.Diagnostics) {
	var warn diag.Diagnostics
	summary := fmt.Sprintf("Promotion preview of branch %q of workspace %d not available", plan.label(), plan.workspace())
	if !isKnown(plan.WorkspaceID) || !isKnown(plan.Branch) {
		warn.AddWarning("Promotion preview not available", "The plan cannot tell which objects this import "+
			"changes in the live branch: workspace_id or branch is only known during apply.")
		return previewSide{}, warn
	}
	var diags diag.Diagnostics
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Read, schemaImportReadTimeout, &diags)
	defer cancel()
	if diags.HasError() {
		warn.AddWarning(summary, "The plan cannot read the live branch to compare the archive with: "+diagnosticsText(diags))
		return previewSide{}, warn
	}
	ctx = withBranchFields(ctx, plan.workspace(), "")
	seen, live, diags := observeBranch(ctx, client, plan.workspace(), "", r.data.inspectionLimits())
	if diags.HasError() {
		warn.AddWarning(summary, fmt.Sprintf("Exporting the live branch of workspace %d, to compare the archive "+
			"with, failed: %sThe import itself is not affected.", plan.workspace(), diagnosticsText(diags)))
		return previewSide{}, warn
	}
	if seen.Incomplete != nil {
		warn.AddWarning(summary, fmt.Sprintf("The export of the live branch %q of workspace %d, to compare the archive "+
			"with, was not inventoried: reading it stopped at a bound: %s. %s", live, plan.workspace(),
			seen.Incomplete, raiseLimitHint(seen.Incomplete)))
		return previewSide{}, warn
	}
	objs := objectsFromValue(ctx, seen.Objects)
	if objs == nil {
		warn.AddWarning(summary, fmt.Sprintf("The live branch %q of workspace %d could not be inventoried (its "+
			"export is encrypted or beyond the reader's limits).", live, plan.workspace()))
		return previewSide{}, warn
	}
	return previewSide{objects: objs, facts: seen.Facts,
		what: fmt.Sprintf("the live branch %q, which serves traffic now", live),
		cost: fmt.Sprintf("Reading the live branch cost one export-schema of workspace %d, in memory (nothing is "+
			"written to disk); a plan that imports nothing makes no request.", plan.workspace())}, nil
}

// readBranchInventory reads the archive src in the branch view, within lim.
func readBranchInventory(ctx context.Context, src importSource, lim archive.Limits) (archive.Info, error) {
	f, err := src.open(ctx)
	if err != nil {
		return archive.Info{}, err
	}
	defer f.Close()
	return archive.Inspect(f, lim, archive.BranchView(), archive.WithFacts())
}

// archiveReadProblem explains why the archive at p cannot be read, as a sentence.
func archiveReadProblem(p string, err error) string {
	var limit *archive.LimitError
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, blobstore.ErrNotFound):
		return fmt.Sprintf("%q does not exist.", p)
	case errors.Is(err, archive.ErrEncrypted):
		return fmt.Sprintf("%q is encrypted (it was exported with a password), so its content cannot be read.", p)
	case errors.Is(err, archive.ErrNotArchive):
		return fmt.Sprintf("%q is not a Xano export archive (%s).", p, err)
	case errors.As(err, &limit):
		return fmt.Sprintf("%q is beyond the archive reader's limits (%s).", p, err)
	}
	return fmt.Sprintf("reading %q failed: %s.", p, unwrapPathError(err))
}
