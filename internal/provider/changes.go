package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The explanation of a plan as planned values.
//
// Warnings are not saved in a plan file, and a team reviews the saved plan (terraform show,
// show -json). So the import resources also plan a computed "changes" object: what the planned
// import adds, changes (with what changed inside each object) and removes, relative to what
// (compared_with), and which of it loses data (destructive, listed first in words). ModifyPlan
// sets it when an import is planned; otherwise it keeps the value in state, so a plan that
// imports nothing shows no change. Apply records the planned value as it is.

// Bounds of the changes value: the most objects listed (added, changed and removed together;
// the rest are counted in omitted) and the most destructive lines (the last then says how many
// more there are).
const (
	maxChangedObjects  = 100
	maxDestructiveLine = 40
)

// changesAttrTypes is the type of the changes attribute.
var changesAttrTypes = map[string]attr.Type{
	"compared_with": types.StringType,
	"added":         types.ListType{ElemType: types.StringType},
	"changed":       types.MapType{ElemType: types.ListType{ElemType: types.StringType}},
	"removed":       types.ListType{ElemType: types.StringType},
	"destructive":   types.ListType{ElemType: types.StringType},
	"omitted":       types.Int64Type,
	// who and when, from the audit log (audit.go): drift repairs only
	"changed_by":      types.MapType{ElemType: types.ListType{ElemType: types.StringType}},
	"changed_by_note": types.StringType,
}

// changesSchema is the changes attribute of a resource; what says what the resource compares.
func changesSchema(what string) schema.SingleNestedAttribute {
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "What the planned import changes, as a value of the plan: it appears in the plan's diff, " +
			"in `terraform show` of a saved plan and in `show -json`, where warnings do not. " + what + " Set when " +
			"an import is planned and kept as it is otherwise (a plan that imports nothing shows no change); null " +
			"when nothing was compared (the archive could not be read at plan time, say: the plan's warnings say " +
			"why). Object keys are those of `objects`. At most " + strconv.Itoa(maxChangedObjects) + " objects are " +
			"listed; `omitted` counts the rest.",
		Attributes: map[string]schema.Attribute{
			"compared_with": schema.StringAttribute{Computed: true,
				MarkdownDescription: "What the archive is compared with, in words."},
			"added":   list("The objects the import adds."),
			"removed": list("The objects the import removes."),
			"changed": schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Computed: true,
				MarkdownDescription: "The objects the import changes, each with what changes inside it, a few lines " +
					"at most (`column email retyped text → int`, `input q added (text)`, `active true → false`, " +
					"`body changed`, ...; the last line says `and N more` when there are more), " +
					"data-losing changes first. An empty list when the inside of the object cannot be compared " +
					"(a baseline recorded by an earlier version of the provider)."},
			"destructive": list("The changes that lose data, in words, also listed in the other attributes: a " +
				"table removed, a column removed, retyped or renamed, and for a full import the replacement of " +
				"every record and the deletion of every branch but the live one."),
			"omitted": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "How many changed objects are not listed, beyond the limit."},
			"changed_by": schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Computed: true,
				MarkdownDescription: "For a drift repair, who changed each object outside Terraform and when, from the " +
					"workspace's audit log: its last entries that touched the object since the branch was imported, " +
					"newest first (`alice@example.com at 2026-01-11 21:14:37+0000 (function:update)`), at most " +
					strconv.Itoa(auditPerObject) + " per object, from the last " + strconv.Itoa(auditMaxPages*auditPerPage) +
					" entries at most. An object the log does not name is not listed. Null when the audit log was not " +
					"consulted (promotions, full imports)."},
			"changed_by_note": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Why `changed_by` names nobody, when the audit log could not be read (the token " +
					"may not read it, the instance has no audit log route, ...); null otherwise."},
		},
	}
}

// changesNull is the changes value of nothing compared.
func changesNull() types.Object { return types.ObjectNull(changesAttrTypes) }

// changesUnknown is the changes value of a plan that cannot compare before apply.
func changesUnknown() types.Object { return types.ObjectUnknown(changesAttrTypes) }

// settledChanges is the changes value to record after apply: the planned one, null if it was
// only known at apply.
func settledChanges(v types.Object) types.Object {
	if v.IsUnknown() {
		return changesNull()
	}
	return v
}

// changesValue builds the changes value of e, compared with comparedWith; extra destructive
// lines (those that no object comparison shows) come first.
func changesValue(e archive.Explanation, comparedWith string, extra []string) types.Object {
	budget := maxChangedObjects
	take := func(keys []string) []string {
		n := min(len(keys), budget)
		budget -= n
		return keys[:n]
	}
	strList := func(lines []string) types.List {
		elems := make([]attr.Value, 0, len(lines))
		for _, l := range lines {
			elems = append(elems, types.StringValue(l))
		}
		return types.ListValueMust(types.StringType, elems)
	}
	// Destructive objects are listed before the others, whatever the budget.
	removed := take(e.Removed)
	changedKeys := take(e.Changed)
	added := take(e.Added)
	changed := make(map[string]attr.Value, len(changedKeys))
	for _, k := range changedKeys {
		changed[k] = strList(e.Details[k].Lines)
	}
	omitted := e.Len() - len(removed) - len(changedKeys) - len(added)
	destructive := append(append([]string(nil), extra...), e.Destructive...)
	if len(destructive) > maxDestructiveLine {
		destructive = append(destructive[:maxDestructiveLine-1],
			"and "+strconv.Itoa(len(destructive)-maxDestructiveLine+1)+" more")
	}
	return types.ObjectValueMust(changesAttrTypes, map[string]attr.Value{
		"compared_with":   types.StringValue(comparedWith),
		"added":           strList(added),
		"changed":         types.MapValueMust(types.ListType{ElemType: types.StringType}, changed),
		"removed":         strList(removed),
		"destructive":     strList(destructive),
		"omitted":         types.Int64Value(int64(omitted)),
		"changed_by":      types.MapNull(types.ListType{ElemType: types.StringType}),
		"changed_by_note": types.StringNull(),
	})
}

// destructiveOf returns the destructive lines of a changes value (none when null or unknown).
func destructiveOf(ctx context.Context, v types.Object) []string {
	if !isKnown(v) {
		return nil
	}
	l, ok := v.Attributes()["destructive"].(types.List)
	if !ok || !isKnown(l) {
		return nil
	}
	var out []string
	_ = l.ElementsAs(ctx, &out, false)
	return out
}

// explanationText describes an Explanation in words for a warning: the objects, and under each
// changed one what changed inside it.
func explanationText(e archive.Explanation, limit int) string {
	s := ""
	for _, line := range e.Lines(limit) {
		s += "  " + line + "\n"
		if len(line) > len("changed ") && line[:len("changed ")] == "changed " {
			for _, d := range e.Details[line[len("changed "):]].Lines {
				s += "      " + d + "\n"
			}
		}
	}
	return s
}

// Facts kept in private state: the facts of the objects of a branch, to say what changed inside
// them later. They are left out when their JSON would be larger than maxKeptFacts (then the plan
// names changed objects without their details).
const maxKeptFacts = 1 << 20

// keptFacts returns facts, or nil when too large to keep.
func keptFacts(facts map[string]archive.Facts) map[string]archive.Facts {
	raw, err := json.Marshal(facts)
	if err != nil || len(raw) > maxKeptFacts {
		return nil
	}
	return facts
}

// observedFactsKey is the private state key of the facts of the branch as the last refresh
// with detect_drift observed it.
const observedFactsKey = "observed_facts"

func setObservedFacts(ctx context.Context, p privateData, facts map[string]archive.Facts) diag.Diagnostics {
	facts = keptFacts(facts)
	if facts == nil {
		return setPrivateJSON(ctx, p, observedFactsKey, nil, "")
	}
	return setPrivateJSON(ctx, p, observedFactsKey, facts, "the observed facts")
}

func getObservedFacts(ctx context.Context, p privateData) (map[string]archive.Facts, diag.Diagnostics) {
	var facts map[string]archive.Facts
	ok, diags := getPrivateJSON(ctx, p, observedFactsKey, &facts)
	if !ok {
		return nil, diags
	}
	return facts, diags
}

// driftRepairChanges is the planned changes of a drift repair: from the branch as the last
// refresh observed it back to its baseline, what the archive last imported holds. Null when the
// inventories are not known (a baseline recorded by an earlier version of the provider).
func driftRepairChanges(ctx context.Context, state workspaceSchemaImportModel, baseline baselineData, observed map[string]archive.Facts) types.Object {
	now := objectsFromValue(ctx, state.Objects)
	if baseline.Objects == nil || now == nil {
		return changesNull()
	}
	e := archive.Explain(now, baseline.Objects, observed, baseline.Facts)
	return changesValue(e, fmt.Sprintf("branch %q as the last refresh observed it, changed outside Terraform: "+
		"the re-import of the archive last imported undoes these changes", state.label()), nil)
}

// checkExpectedAtPlan checks, when the plan can read the archive at source (a known path, an
// existing file), that it holds expected_content_sha256: a mismatch stops the plan already.
// Apply checks again before importing.
func checkExpectedAtPlan(ctx context.Context, lim archive.Limits, sourcePath, sourceURL, sum, expected types.String) diag.Diagnostics {
	if !isKnown(expected) {
		return nil
	}
	src, known, diags := newImportSource(sourcePath, sourceURL)
	if diags.HasError() || !known {
		return nil // the source checks say what is wrong with it, or apply will
	}
	info, err := inspectSourceBy(ctx, src, lim, sum)
	if err != nil {
		return nil // the source checks say what is wrong with the archive, or apply will
	}
	return checkExpectedContent(expected, src, info, "Nothing is imported")
}

// factsInspector inspects an archive with the facts of its objects (archive.WithFacts), within
// lim, in the view opts choose, for a hashSink that streams an export into it.
func factsInspector(lim archive.Limits, opts ...archive.Option) inspectFunc {
	opts = append([]archive.Option{archive.WithFacts()}, opts...)
	return func(r io.Reader) (archive.Info, error) { return archive.Inspect(r, lim, opts...) }
}
