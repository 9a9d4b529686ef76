package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// Provider functions (Terraform 1.8+, OpenTofu 1.7+): an archive file's inventory, content hash
// and the difference of two archives' inventories. They read local files only, never the API,
// so they need no provider configuration.

var _ provider.ProviderWithFunctions = (*xanoProvider)(nil)

func (p *xanoProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		func() function.Function { return archiveObjectsFunction{} },
		func() function.Function { return archiveContentSHA256Function{} },
		func() function.Function { return archiveDiffFunction{} },
	}
}

// readArchiveInfo inspects the archive file at p for a function, with an error that says what to
// do for a missing file, an encrypted archive or a file that is not an archive. arg is the
// argument's position, for the error.
func readArchiveInfo(arg int64, name, p string) (archive.Info, *function.FuncError) {
	fail := func(text string) (archive.Info, *function.FuncError) {
		// The CLI ends the message with a period of its own.
		return archive.Info{}, function.NewArgumentFuncError(arg, fmt.Sprintf("%s: %s", name, strings.TrimSuffix(text, ".")))
	}
	if p == "" {
		return fail("the path is empty: give the path of an archive exported from Xano (a xano_workspace_snapshot's output_path, say).")
	}
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fail(fmt.Sprintf("%q does not exist. Functions run during plan: an archive written by a resource in "+
			"the same apply does not exist yet (compare it once written, or compare the resources' objects "+
			"attributes instead).", p))
	case err != nil:
		return fail(fmt.Sprintf("%q cannot be read: %s.", p, unwrapPathError(err)))
	case !st.Mode().IsRegular():
		return fail(fmt.Sprintf("%q is not a regular file: give the path of an archive exported from Xano.", p))
	}
	// Functions get no provider configuration, so the archive reader's default limits apply.
	info, err := inspectPath(p, archive.Limits{}, archive.WithFacts())
	switch {
	case err != nil && errors.Is(err, archive.ErrNotArchive):
		return fail(fmt.Sprintf("%q is not a Xano export archive (%s). Give the path of a file exported by "+
			"export-schema or export, unmodified.", p, err))
	case err != nil:
		return fail(archiveReadProblem(p, err))
	case info.Encrypted:
		return fail(fmt.Sprintf("%q is encrypted (it was exported with a password), so its content cannot be read. "+
			"Compare archives exported without a password.", p))
	case info.Incomplete != nil:
		return fail(fmt.Sprintf("%q could not be inventoried completely: %s. Functions use the default limits; "+
			"compare the objects attribute of a resource whose provider sets archive_inspection instead.", p, info.Incomplete))
	case info.Objects == nil || info.ContentSHA256 == "":
		return fail(fmt.Sprintf("%q could not be inventoried completely (it is beyond the archive reader's limits).", p))
	}
	return info, nil
}

// archiveObjectsFunction is provider::xano::archive_objects(path).
type archiveObjectsFunction struct{}

func (archiveObjectsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "archive_objects"
}

func (archiveObjectsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The objects of a Xano export archive",
		MarkdownDescription: "Reads the archive file at `path` (an export-schema or export of a workspace) and returns " +
			"its objects: a map from each object's key (`function/<name>`, `endpoint/<api group>/<VERB> <path>`, " +
			"`task/<name>`, `table/<name>`, ...) to the SHA-256 of its canonical JSON, as the `objects` attribute " +
			"of `xano_workspace_snapshot` holds them. Errors for a missing file, an encrypted archive and a file " +
			"that is not an archive.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "path", MarkdownDescription: "The archive file."},
		},
		Return: function.MapReturn{ElementType: types.StringType},
	}
}

func (archiveObjectsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	runOnArchive(ctx, req, resp, "archive_objects", func(info archive.Info) any { return objectsValue(info.Objects) })
}

// runOnArchive is the Run of a function whose one argument is an archive's path: it reads the
// archive and sets the result that value derives from it.
func runOnArchive(ctx context.Context, req function.RunRequest, resp *function.RunResponse, name string, value func(archive.Info) any) {
	var p string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &p))
	if resp.Error != nil {
		return
	}
	info, ferr := readArchiveInfo(0, name, p)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	resp.Error = resp.Result.Set(ctx, value(info))
}

// archiveContentSHA256Function is provider::xano::archive_content_sha256(path).
type archiveContentSHA256Function struct{}

func (archiveContentSHA256Function) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "archive_content_sha256"
}

func (archiveContentSHA256Function) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The canonical content hash of a Xano export archive",
		MarkdownDescription: "Reads the archive file at `path` and returns its canonical content hash, the " +
			"`content_sha256` of `xano_workspace_snapshot`: independent of compression, entry order, JSON " +
			"formatting and the bundle signature, so two exports of an unchanged workspace have the same one. " +
			"Errors for a missing file, an encrypted archive and a file that is not an archive.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "path", MarkdownDescription: "The archive file."},
		},
		Return: function.StringReturn{},
	}
}

func (archiveContentSHA256Function) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	runOnArchive(ctx, req, resp, "archive_content_sha256", func(info archive.Info) any { return info.ContentSHA256 })
}

// archiveDiffFunction is provider::xano::archive_diff(old_path, new_path).
type archiveDiffFunction struct{}

// diffAttrTypes is the type of archive_diff's result.
var diffAttrTypes = map[string]attr.Type{
	"added":   types.ListType{ElemType: types.StringType},
	"changed": types.ListType{ElemType: types.StringType},
	"removed": types.ListType{ElemType: types.StringType},
	// What changed inside each changed object, and the changes that lose data (archive.Explain).
	"details":     types.MapType{ElemType: types.ListType{ElemType: types.StringType}},
	"destructive": types.ListType{ElemType: types.StringType},
}

func (archiveDiffFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "archive_diff"
}

func (archiveDiffFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Which objects differ between two Xano export archives",
		MarkdownDescription: "Reads the archive files at `old_path` and `new_path` and returns which objects " +
			"(keys as `provider::xano::archive_objects` returns them) the new one `added`, `changed` and " +
			"`removed`, each a sorted list; `details`, for each changed object, what changed inside it (a few " +
			"lines: `column email retyped text → int`, `input q added (text)`, `active true → false`, " +
			"`body changed`, the last saying `and N more` when there are more); and `destructive`, the " +
			"changes that lose data (`table/order removed`, `table/user: column email removed (was text)`). In a " +
			"`check` block or a `precondition` it can stop a promotion that removes an endpoint or a column. " +
			"Errors for a missing file, an encrypted archive and a file that is not an archive.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "old_path", MarkdownDescription: "The archive compared with (what serves traffic now, say)."},
			function.StringParameter{Name: "new_path", MarkdownDescription: "The archive to compare (the one to promote)."},
		},
		Return: function.ObjectReturn{AttributeTypes: diffAttrTypes},
	}
}

func (archiveDiffFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var oldPath, newPath string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &oldPath, &newPath))
	if resp.Error != nil {
		return
	}
	oldInfo, ferr := readArchiveInfo(0, "archive_diff", oldPath)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	newInfo, ferr := readArchiveInfo(1, "archive_diff", newPath)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	d := archive.Explain(oldInfo.Objects, newInfo.Objects, oldInfo.Facts, newInfo.Facts)
	list := func(keys []string) attr.Value {
		elems := make([]attr.Value, 0, len(keys))
		for _, k := range keys {
			elems = append(elems, types.StringValue(k))
		}
		return types.ListValueMust(types.StringType, elems)
	}
	details := make(map[string]attr.Value, len(d.Changed))
	for _, k := range d.Changed {
		details[k] = list(d.Details[k].Lines)
	}
	obj, diags := types.ObjectValue(diffAttrTypes, map[string]attr.Value{
		"added": list(d.Added), "changed": list(d.Changed), "removed": list(d.Removed),
		"details":     types.MapValueMust(types.ListType{ElemType: types.StringType}, details),
		"destructive": list(d.Destructive),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}
