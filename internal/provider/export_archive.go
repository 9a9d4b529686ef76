package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// exportRequest is one export of a workspace.
type exportRequest struct {
	WorkspaceID int64
	Branch      string // "" exports the live branch
	IncludeData bool   // POST export with records (table rows) instead of POST export-schema
	Password    string // non-empty: Xano encrypts the archive
	// Limits bound the content inspection (the provider's archive_inspection settings).
	Limits archive.Limits
	// Modes are the file and folder modes of an archive written to disk.
	Modes fileModes
}

// exportResult is what an export produced.
type exportResult struct {
	// Branch is the branch the archive came from: the requested one, or for the live branch the
	// label the workspace reported as live just before the export.
	Branch string
	Digest fileDigest   // of the exact bytes
	Info   archive.Info // what the archive holds (Info.Encrypted for a password-protected one)
	// Incomplete is the limit that stopped the content inspection of a complete archive (then
	// Info is empty and content_sha256 null); nil when the inspection finished.
	Incomplete *archive.LimitError
}

// contentSHA256 is the canonical content hash as an attribute value: null for an encrypted
// archive, whose content cannot be read.
func (r exportResult) contentSHA256() types.String {
	if r.Info.Encrypted || r.Info.ContentSHA256 == "" {
		return types.StringNull()
	}
	return types.StringValue(r.Info.ContentSHA256)
}

// archiveSink is where an export streams to: atomicFile writes it next to its destination,
// hashSink only hashes and inspects it. Both restart on Reset when the client retries a cut
// download, and either Commit or Abort ends them.
type archiveSink interface {
	io.Writer
	Reset() error
	Commit() (fileDigest, archive.Info, *archive.LimitError, error)
	Abort()
}

var (
	_ archiveSink = (*atomicFile)(nil)
	_ archiveSink = (*hashSink)(nil)
)

// hashSink digests and inspects an export without writing it anywhere, for objects that only
// need an archive's hashes.
type hashSink struct {
	inspect inspectFunc
	dig     *digester
	insp    *streamInspector
}

func newHashSink(inspect inspectFunc) *hashSink {
	return &hashSink{inspect: inspect, dig: newDigester(), insp: startInspector(inspect)}
}

func (s *hashSink) Write(p []byte) (int, error) {
	_, _ = s.dig.Write(p)
	s.insp.feed(p)
	return len(p), nil
}

func (s *hashSink) Reset() error {
	s.insp.abort()
	s.dig, s.insp = newDigester(), startInspector(s.inspect)
	return nil
}

func (s *hashSink) Commit() (fileDigest, archive.Info, *archive.LimitError, error) {
	info, incomplete, err := inspectionOutcome(s.insp.finish())
	if err != nil {
		return fileDigest{}, archive.Info{}, nil, fmt.Errorf("the export is not a readable Xano archive: %w", err)
	}
	return s.dig.digest(), info, incomplete, nil
}

func (s *hashSink) Abort() { s.insp.abort() }

// exportToFile exports into dst atomically: the archive is written to a temporary file in dst's
// folder (created if missing) and renamed over dst only once complete and readable, so a failure
// leaves no partial file and leaves an existing dst untouched. attr names the attribute that
// holds dst, for the diagnostics.
func exportToFile(ctx context.Context, client *xano.Client, req exportRequest, dst string, attr path.Path) (exportResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	modes := req.Modes.orDefault()
	if err := prepareOutputPath(dst, modes.dir); err != nil {
		diags.AddAttributeError(attr, "Cannot write the archive", err.Error())
		return exportResult{}, diags
	}
	sink, err := createAtomic(dst, modes.file, archiveInspector(req.Limits))
	if err != nil {
		diags.AddAttributeError(attr, "Cannot write the archive",
			fmt.Sprintf("%s. Check that %s is writable, or choose another path.", err, filepath.Dir(dst)))
		return exportResult{}, diags
	}
	return exportArchive(ctx, client, req, sink)
}

// exportToMemory exports and returns the archive's hashes; nothing is written to disk.
func exportToMemory(ctx context.Context, client *xano.Client, req exportRequest) (exportResult, diag.Diagnostics) {
	return exportArchive(ctx, client, req, newHashSink(archiveInspector(req.Limits)))
}

// prepareOutputPath checks that dst can be an archive file and creates its missing parent
// folders with mode dirPerm (see mkdirAll).
func prepareOutputPath(dst string, dirPerm os.FileMode) error {
	if dst == "" {
		return errors.New("the output path is empty: give a file path such as ./backups/staging.tar.gz")
	}
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		return fmt.Errorf("%q is a folder: give a file path inside it, such as %q", dst, filepath.Join(dst, "export.tar.gz"))
	}
	dir := filepath.Dir(dst)
	if err := mkdirAll(dir, dirPerm); err != nil {
		return fmt.Errorf("cannot create the folder %q for %q: %s. Check the path (is one of its parents a "+
			"file?) and the permissions", dir, dst, unwrapPathError(err))
	}
	return nil
}

// unwrapPathError drops the operation and path that *fs.PathError repeats, since the message
// names the path already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// exportArchive resolves the branch, streams the export into sink (logging progress at INFO)
// and commits it. On any failure sink is aborted.
func exportArchive(ctx context.Context, client *xano.Client, req exportRequest, sink archiveSink) (exportResult, diag.Diagnostics) {
	ctx = tflog.SetField(ctx, "workspace_id", req.WorkspaceID)
	branch, diags := resolveExportBranch(ctx, client, req)
	if diags.HasError() {
		sink.Abort()
		return exportResult{}, diags
	}
	ctx = tflog.SetField(ctx, "branch", branch)
	if bs, ok := sink.(*blobSink); ok {
		bs.branch = branch
	}

	opts := xano.ExportOptions{Branch: req.Branch, Password: req.Password}
	export, kind := client.ExportSchema, "export-schema"
	if req.IncludeData {
		records := true
		opts.Records = &records
		export, kind = client.Export, "export with data"
	}
	prog := newProgress(ctx, fmt.Sprintf("%s of workspace %d branch %q", kind, req.WorkspaceID, branch), nil)
	if _, err := export(ctx, req.WorkspaceID, opts, prog.writer(sink)); err != nil {
		sink.Abort()
		return exportResult{}, exportFailed(ctx, client, req, branch, err)
	}
	prog.done()

	digest, info, incomplete, err := sink.Commit()
	if err != nil {
		diags.AddError(fmt.Sprintf("Cannot save the export of workspace %d", req.WorkspaceID),
			fmt.Sprintf("The export of %s was received but could not be saved: %s. Nothing was replaced.",
				describeExportBranch(req, branch), err))
		return exportResult{}, diags
	}
	if w, ok := sink.(interface{ commitWarnings() diag.Diagnostics }); ok {
		diags.Append(w.commitWarnings()...)
	}
	if req.Password != "" && !info.Encrypted {
		diags.AddWarning("The archive is not encrypted",
			fmt.Sprintf("A password was given, but the archive Xano returned for %s is not encrypted: keep it "+
				"somewhere safe, as it holds the workspace in clear.", describeExportBranch(req, branch)))
	}
	if incomplete != nil {
		summary, kept := "The archive was saved, but its content was not inspected", " and kept"
		if _, inMemory := sink.(*hashSink); inMemory {
			// Nothing was saved: a drift check or a preview, or an export hashed in memory.
			summary, kept = "The export's content was not inspected", ""
		}
		diags.AddWarning(summary,
			fmt.Sprintf("The export of %s was received whole%s, but reading its content stopped at a limit: %s. "+
				"content_sha256 and objects are null, so changes of content (drift, for a schema import with "+
				"detect_drift) cannot be told apart from changes of bytes. %s",
				describeExportBranch(req, branch), kept, incomplete, raiseLimitHint(incomplete)))
	}
	return exportResult{Branch: branch, Digest: digest, Info: info, Incomplete: incomplete}, diags
}

// resolveExportBranch returns the branch an export will come from. For the live branch it asks
// the workspace which label is live; the export itself still asks for "the live branch", so a
// branch made live by someone else between the two requests would be exported under the label
// read just before (a window of one request).
func resolveExportBranch(ctx context.Context, client *xano.Client, req exportRequest) (string, diag.Diagnostics) {
	if req.Branch != "" {
		return req.Branch, nil
	}
	ws, diags := getWorkspace(ctx, client, req.WorkspaceID)
	switch {
	case diags.HasError():
	case ws.Branch == "":
		diags.AddError(fmt.Sprintf("Workspace %d has no live branch", req.WorkspaceID),
			fmt.Sprintf("Xano did not say which branch of workspace %d (%q) is live. Set branch to the label to export.",
				req.WorkspaceID, ws.Name))
	default:
		return ws.Branch, diags
	}
	return "", diags
}

// exportFailed explains a failed export; for a 404 it says whether the workspace or the branch is
// unknown.
func exportFailed(ctx context.Context, client *xano.Client, req exportRequest, branch string, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	summary := fmt.Sprintf("Export of workspace %d failed", req.WorkspaceID)
	if xano.IsNotFound(err) {
		detail := explainNotFound(ctx, client, req.WorkspaceID, req.Branch)
		if req.Branch != "" {
			detail += " Leave branch empty to export the live branch."
		}
		diags.AddError(summary, fmt.Sprintf("Exporting %s failed: %s\n\n%s", describeExportBranch(req, branch), err, detail))
		return diags
	}
	detail := fmt.Sprintf("Exporting %s failed; nothing was written.", describeExportBranch(req, branch))
	if xano.IsInputError(err) {
		detail += " Xano refused the request: check branch"
		if req.Password != "" {
			detail += " and the password"
		}
		detail += "."
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		detail += " The operation outlasted its timeout: raise it in the timeouts block."
	}
	addAPIError(&diags, summary, detail, err, readAccess)
	return diags
}

// describeExportBranch names what is exported, for messages.
func describeExportBranch(req exportRequest, branch string) string {
	switch {
	case req.Branch != "":
		return fmt.Sprintf("branch %q of workspace %d", req.Branch, req.WorkspaceID)
	case branch != "":
		return fmt.Sprintf("the live branch (%q) of workspace %d", branch, req.WorkspaceID)
	default:
		return fmt.Sprintf("the live branch of workspace %d", req.WorkspaceID)
	}
}

// exportBranchValidator accepts an empty string (the live branch) or a valid branch label.
type exportBranchValidator struct{}

func (exportBranchValidator) Description(ctx context.Context) string {
	return "empty for the live branch, or a label that " + branchLabelValidator{}.Description(ctx)
}

func (v exportBranchValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (exportBranchValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.ValueString() == "" {
		return
	}
	branchLabelValidator{}.ValidateString(ctx, req, resp)
}
