package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The planned changes of xano_workspace_import, and its data-loss guard.
//
// A full import replaces the whole workspace [DOC]: every record of every table is replaced by
// the archive's, every branch but the archive's is dropped and the archive's becomes v1, live
// [CODE: calycode's client]. Tables and columns the archive does not have are gone with their
// records [INF: from "replaces the whole workspace"]. So every planned restore is destructive:
// the plan lists what is lost in changes.destructive, and fails unless allow_data_loss = true.
//
// The objects are compared, when the archive is known at plan time, with the workspace's live
// branch, read by one export-schema in memory (tables included): one request, and one pass over
// the archive (which a full import's may be large: the plan reads it at inflate speed, once: the
// check of source_sha256 inspects it in the same pass, and the plan Terraform makes again at
// apply finds that inspection in the inspection cache).

// maxNamedTables is the most tables a destructive line names; the rest are counted.
const maxNamedTables = 10

// planRestoreChanges sets plan.Changes for a planned restore and checks allow_data_loss.
func (r *workspaceImportResource) planRestoreChanges(ctx context.Context, plan *workspaceImportModel) diag.Diagnostics {
	var diags diag.Diagnostics
	ws := "the workspace"
	if isKnown(plan.WorkspaceID) {
		ws = fmt.Sprintf("workspace %d", plan.WorkspaceID.ValueInt64())
	}
	branches := fmt.Sprintf("every branch of %s but the live one is deleted, and the archive's branch becomes v1, live", ws)
	records := fmt.Sprintf("every record of %s is replaced by the archive's", ws)

	var e archive.Explanation
	comparedWith := ""
	src, srcKnown, _ := newImportSource(plan.SourcePath, plan.SourceURL)
	switch {
	case !srcKnown || !isKnown(plan.SourceSHA256) || !isKnown(plan.WorkspaceID):
		plan.Changes = changesUnknown()
		return append(diags, r.dataLossGuard(plan, []string{records, branches})...)
	default:
		next, why := r.readRestoreArchive(ctx, src, plan.SourceSHA256.ValueString())
		if why != "" {
			comparedWith = "nothing: " + why
			break
		}
		brings := rowPagesNote(next)
		cur, curWhy := r.readLiveSide(ctx, plan)
		if curWhy != "" {
			records += ": " + brings
			comparedWith = "nothing: " + curWhy
			break
		}
		records += ": " + currentTablesNote(cur.Objects) + "; " + brings
		e = archive.Explain(cur.Objects, next.Objects, cur.Facts, next.Facts)
		comparedWith = fmt.Sprintf("the live branch %q of %s, tables included, which the import replaces", cur.branch, ws)
	}
	extra := []string{records, branches}
	plan.Changes = changesValue(e, comparedWith, extra)
	return append(diags, r.dataLossGuard(plan, append(extra, e.Destructive...))...)
}

// dataLossGuard fails the plan of a restore that loses data unless allow_data_loss is true (an
// allow_data_loss only known at apply is checked then).
func (r *workspaceImportResource) dataLossGuard(plan *workspaceImportModel, destructive []string) diag.Diagnostics {
	if plan.AllowDataLoss.IsUnknown() || plan.AllowDataLoss.ValueBool() || len(destructive) == 0 {
		return nil
	}
	return dataLossError("imports an archive into the whole workspace", destructive)
}

// rowPagesNote says which records the archive brings in their place.
func rowPagesNote(info archive.Info) string {
	pages := archive.TablePages(info.Facts, info.RowPages)
	if len(pages) == 0 {
		return "the archive holds no row pages, so the tables are left empty (inferred)"
	}
	keys := make([]string, 0, len(pages))
	total := 0
	for k, n := range pages {
		keys = append(keys, k)
		total += n
	}
	sort.Strings(keys)
	named := make([]string, 0, min(len(keys), maxNamedTables))
	for _, k := range keys[:min(len(keys), maxNamedTables)] {
		named = append(named, k+" "+strconv.Itoa(pages[k]))
	}
	more := ""
	if len(keys) > maxNamedTables {
		more = ", and " + strconv.Itoa(len(keys)-maxNamedTables) + " more tables"
	}
	return fmt.Sprintf("the archive brings %d row pages (%s%s)", total, strings.Join(named, ", "), more)
}

// currentTablesNote names the tables whose records are lost: those of the live branch's
// inventory (every branch lists all the workspace's tables).
func currentTablesNote(objects map[string]string) string {
	var tables []string
	for k := range objects {
		if strings.HasPrefix(k, "table/") {
			tables = append(tables, k)
		}
	}
	if len(tables) == 0 {
		return "the workspace has no table now"
	}
	sort.Strings(tables)
	named := tables[:min(len(tables), maxNamedTables)]
	more := ""
	if len(tables) > maxNamedTables {
		more = ", and " + strconv.Itoa(len(tables)-maxNamedTables) + " more"
	}
	noun := "tables"
	if len(tables) == 1 {
		noun = "table"
	}
	return fmt.Sprintf("the records of its %d %s now (%s%s) are lost", len(tables), noun, strings.Join(named, ", "), more)
}

// readRestoreArchive inspects the archive to restore, whose SHA-256 ModifyPlan has checked to be
// sum (through the inspection cache: the plan at apply reads what the first plan found); why
// says, when it cannot be compared, why not.
func (r *workspaceImportResource) readRestoreArchive(ctx context.Context, src importSource, sum string) (archive.Info, string) {
	p := src.String()
	info, err := inspectCached(ctx, src, r.data.inspectionLimits(), sum)
	switch {
	case err != nil:
		return info, "the archive cannot be read at plan time: " + archiveReadProblem(p, err)
	case info.Encrypted:
		return info, fmt.Sprintf("%q is encrypted, so its content cannot be read at plan time", p)
	case info.Incomplete != nil || info.Objects == nil:
		return info, fmt.Sprintf("%q is beyond the archive reader's limits (archive_inspection)", p)
	}
	return info, ""
}

// liveInventory is the inventory of the live branch, tables included.
type liveInventory struct {
	branch  string
	Objects map[string]string
	Facts   map[string]archive.Facts
}

// readLiveSide exports the schema of the workspace's live branch in memory (one request) and
// inventories it, tables included; why says, when that fails, why.
func (r *workspaceImportResource) readLiveSide(ctx context.Context, plan *workspaceImportModel) (liveInventory, string) {
	var diags diag.Diagnostics
	ws := plan.WorkspaceID.ValueInt64()
	ctx, cancel, client := r.data.startOperation(ctx, plan.Timeouts.Read, workspaceImportReadTimeout, &diags)
	defer cancel()
	if diags.HasError() {
		return liveInventory{}, "the provider cannot reach Xano at plan time: " + diagnosticsText(diags)
	}
	lim := r.data.inspectionLimits()
	res, diags := exportArchive(ctx, client, exportRequest{WorkspaceID: ws, Limits: lim}, newHashSink(factsInspector(lim)))
	switch {
	case diags.HasError():
		return liveInventory{}, fmt.Sprintf("exporting the live branch of workspace %d failed: %s", ws, strings.TrimSpace(diagnosticsText(diags)))
	case res.Info.Encrypted || res.Info.Objects == nil:
		return liveInventory{}, fmt.Sprintf("the live branch of workspace %d could not be inventoried", ws)
	}
	return liveInventory{branch: res.Branch, Objects: res.Info.Objects, Facts: res.Info.Facts}, ""
}

// keepChanges carries the recorded changes over to a plan that imports nothing.
func keepChanges(plan *workspaceImportModel, state workspaceImportModel) {
	plan.Changes = state.Changes
}
