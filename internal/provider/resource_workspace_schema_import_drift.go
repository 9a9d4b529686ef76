package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Drift detection of xano_workspace_schema_import.
//
// The baseline is the content_sha256 (the branch content hash, which leaves out the workspace's
// tables) of an export-schema of the branch taken right after the import; it lives in the
// resource's private state. Read (with detect_drift) exports the branch
// again in memory and stores what it observes as content_sha256, so a refresh shows the change
// like any other change made outside of Terraform. The plan compares the two: when they differ it
// plans an in-place re-import, which takes a new baseline.

// baselineKey is the private state key of the baseline.
const baselineKey = "baseline"

// baselineData is what the branch held right after its import: its branch content hash and its
// object inventory (absent from a baseline recorded by an earlier version of the provider: the
// drift warning then names no object).
type baselineData struct {
	ContentSHA256 string                   `json:"content_sha256"`
	Objects       map[string]string        `json:"objects,omitempty"`
	Facts         map[string]archive.Facts `json:"facts,omitempty"` // what changes says changed inside objects
}

// privateData is the part of the framework's private state that the resource uses (its type is
// internal to the framework).
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// getPrivateJSON decodes the JSON recorded under key into v. It reports false when nothing is
// recorded, or when what is recorded cannot be read: an unreadable value is as good as none
// (the next refresh or apply records a new one).
func getPrivateJSON(ctx context.Context, p privateData, key string, v any) (bool, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, key)
	if diags.HasError() || len(raw) == 0 {
		return false, diags
	}
	return json.Unmarshal(raw, v) == nil, diags
}

// setPrivateJSON records v as JSON under key; a nil v forgets the key. what names the value in
// the error of one that cannot be encoded.
func setPrivateJSON(ctx context.Context, p privateData, key string, v any, what string) diag.Diagnostics {
	if v == nil {
		return p.SetKey(ctx, key, nil)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record "+what, err.Error())
		return diags
	}
	return p.SetKey(ctx, key, raw)
}

// getBaseline returns the recorded baseline, or a zero one when none is recorded (just imported
// into Terraform, or the export after the import failed).
func getBaseline(ctx context.Context, p privateData) (baselineData, diag.Diagnostics) {
	var b baselineData
	ok, diags := getPrivateJSON(ctx, p, baselineKey, &b)
	if !ok {
		return baselineData{}, diags
	}
	return b, diags
}

// setBaseline records b as the baseline; one without content forgets it.
func setBaseline(ctx context.Context, p privateData, b baselineData) diag.Diagnostics {
	if b.ContentSHA256 == "" {
		return setPrivateJSON(ctx, p, baselineKey, nil, "")
	}
	return setPrivateJSON(ctx, p, baselineKey, b, "the drift baseline")
}

// branchObservation is what an in-memory export-schema of a branch shows of it.
type branchObservation struct {
	ContentSHA256 types.String             // the branch content hash; null for an encrypted export
	Objects       types.Map                // its inventory without the workspace-wide tables; null likewise
	Facts         map[string]archive.Facts // the facts of those objects (archive.ChangeDetails); nil likewise
	// Incomplete is the archive_inspection bound that stopped the inspection of the export (then
	// ContentSHA256 and Objects are null, and the export's diagnostics warn which bound and how to
	// raise it); nil when it was inspected whole.
	Incomplete *archive.LimitError
}

// baseline is the observation as a drift baseline.
func (o branchObservation) baseline(ctx context.Context) baselineData {
	objs := objectsFromValue(ctx, o.Objects)
	return baselineData{ContentSHA256: o.ContentSHA256.ValueString(), Objects: objs, Facts: keptFacts(o.Facts)}
}

// observeBranch exports the schema of one branch in memory (nothing is written to disk) and
// returns its branch content hash and inventory (archive.BranchView): the tables, which every
// branch of the workspace shares, are not part of them, so that an import into another branch of
// the same workspace is not drift of this one. label "" is the live branch. lim are the
// provider's archive_inspection bounds: an export beyond them is observed with a null hash and a
// warning that names the bound (see exportArchive).
func observeBranch(ctx context.Context, client *xano.Client, ws int64, label string, lim archive.Limits) (branchObservation, string, diag.Diagnostics) {
	req := exportRequest{WorkspaceID: ws, Branch: label, Limits: lim}
	res, diags := exportArchive(ctx, client, req, newHashSink(branchInspector(lim)))
	if diags.HasError() {
		return branchObservation{ContentSHA256: types.StringNull(), Objects: types.MapNull(types.StringType)}, "", diags
	}
	obs := branchObservation{ContentSHA256: res.contentSHA256(), Objects: res.objects(), Incomplete: res.Incomplete}
	if isKnown(obs.Objects) {
		obs.Facts = res.Info.Facts
	}
	return obs, res.Branch, diags
}

// branchInspector inspects an archive in the branch view (its branch content hash and inventory),
// within lim, for a hashSink that streams an export into it.
func branchInspector(lim archive.Limits) inspectFunc {
	return func(r io.Reader) (archive.Info, error) {
		return archive.Inspect(r, lim, archive.BranchView(), archive.WithFacts())
	}
}

// driftDetected reports whether the content observed by the last refresh differs from the
// baseline. Without a baseline, or without an observation, there is nothing to compare.
func driftDetected(detectDrift bool, observed types.String, baseline string) bool {
	return detectDrift && baseline != "" && isKnown(observed) && observed.ValueString() != baseline
}

// driftWarnings explains in the plan what changed outside of Terraform and what applying plan
// over state does about it: a schema that no longer matches the baseline is re-imported, and a
// branch that set_live keeps live but is no longer live is made live again. A change of the
// configuration (a new source_sha256, set_live turned on) is not drift: it gets no warning.
func driftWarnings(ctx context.Context, plan, state workspaceSchemaImportModel, baseline baselineData, observed map[string]archive.Facts, audit *driftAudit) diag.Diagnostics {
	var diags diag.Diagnostics
	ws, label := state.workspace(), state.label()
	// set_live was already true, and stays true: its branch was made not live by someone else.
	notLive := state.SetLive.ValueBool() && plan.SetLive.ValueBool() && isKnown(state.Live) && !state.Live.ValueBool()

	if driftDetected(plan.DetectDrift.ValueBool(), state.ContentSHA256, baseline.ContentSHA256) {
		liveness := ""
		switch {
		case notLive:
			liveness = ", and makes it live again"
		case state.Live.ValueBool():
			liveness = ", and the branch stays live"
		}
		source := "source_path"
		if isKnown(plan.SourcePath) {
			source += fmt.Sprintf(" %q", plan.SourcePath.ValueString())
		} else if isKnown(plan.SourceURL) {
			source = fmt.Sprintf("source_url %q", plan.SourceURL.ValueString())
		}
		diags.AddWarning(fmt.Sprintf("Branch %q of workspace %d has drifted", label, ws),
			fmt.Sprintf("Its schema no longer matches the archive imported by Terraform: someone changed it outside "+
				"Terraform. %s%s\n\nApply re-imports %s into the branch, keeping its label%s. Workspace-wide tables are "+
				"not part of drift: every branch of the workspace shares them, so a table added or changed (by an "+
				"import into another branch, say) is not drift of this one. Set detect_drift = false to stop "+
				"checking.\n\n(content_sha256 was %s, is now %s.)",
				driftChanges(ctx, baseline, state.Objects, observed), auditText(audit), source, liveness, baseline.ContentSHA256,
				state.ContentSHA256.ValueString()))
	}
	if notLive {
		diags.AddWarning(fmt.Sprintf("Branch %q of workspace %d is no longer live", label, ws),
			fmt.Sprintf("set_live is true, but another branch of workspace %d was made live outside of this "+
				"resource. Apply makes branch %q live again. If another branch is meant to be live (with "+
				"xano_workspace_live_branch, say), set set_live = false so that the two do not undo each other.",
				ws, label))
	}
	return diags
}

// baselineAdoptedWarning says that Read took the branch's content as observed now as the
// baseline, there being none: changes made before cannot be told apart from the import.
func baselineAdoptedWarning(ws int64, label string, content types.String) diag.Diagnostics {
	var diags diag.Diagnostics
	if !isKnown(content) {
		return diags
	}
	diags.AddWarning(fmt.Sprintf("Drift baseline of branch %q of workspace %d taken from its current content", label, ws),
		fmt.Sprintf("No content was recorded for branch %q of workspace %d after its import (the export that "+
			"follows an import failed, the branch was brought under Terraform by terraform import, or a re-import "+
			"was finished by hand), so its content as it is now, content_sha256 %s, becomes the baseline that drift "+
			"detection compares with. A change made to the branch before this refresh is not detected: if it may "+
			"have been edited since it was imported, check it in the Xano UI.", label, ws, content.ValueString()))
	return diags
}

// driftChanges says which objects changed from the baseline to what the last refresh observed,
// in the words of archive.ObjectDiff.Lines.
func driftChanges(ctx context.Context, baseline baselineData, observed types.Map, observedFacts map[string]archive.Facts) string {
	now := objectsFromValue(ctx, observed)
	if baseline.Objects == nil || now == nil {
		return "Which objects changed is not known: the inventory recorded after the import predates this " +
			"version of the provider (the next import records it)."
	}
	e := archive.Explain(baseline.Objects, now, baseline.Facts, observedFacts)
	if e.Empty() {
		return "No function, API, task or other object of the export's payload changed: other parts of the " +
			"export did."
	}
	return "Changes since the import:\n" + strings.TrimSuffix(explanationText(e, maxObjectLines), "\n")
}
