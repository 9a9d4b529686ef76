package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The source pipeline of both import resources (xano_workspace_import and
// xano_workspace_schema_import): the archive is named by source_path (a local file) or source_url
// (an object in object storage), and goes through the same steps whichever it is:
//
//  1. opened (a missing file or object is a clear error naming the attribute);
//  2. read once to hash it, checked against source_sha256 before anything is uploaded (the
//     schema import also inspects its content in that pass: it must know the content before it
//     decides whether to import at all);
//  3. opened again and uploaded to Xano, its content inspected on the way out when it was not yet
//     (inspectingUpload).
//
// Two passes, deliberately: the upload must not start before the whole archive is known to be
// the expected one, and holding it to upload it after the check would take a local copy or
// memory the size of the archive. An object is read with one GET per pass (a retried upload
// opens it again).

// The attributes through which the import resources name the archive they upload.
var (
	sourcePathAttr   = path.Root("source_path")
	sourceURLAttr    = path.Root("source_url")
	sourceSHA256Attr = path.Root("source_sha256")
)

// importSource is the archive an import resource uploads: a file or an object.
type importSource struct {
	path string           // source_path, or "" for an object
	obj  blobstore.Object // source_url, when path is ""
}

// newImportSource is the source that source_path (p) or source_url (u) name; known is false while
// the one set is unknown (written in the same apply). At most one is set (the schema says exactly
// one); a URL that does not parse is an error.
func newImportSource(p, u types.String) (src importSource, known bool, diags diag.Diagnostics) {
	switch {
	case p.IsUnknown() || u.IsUnknown():
		return importSource{}, false, nil
	case !u.IsNull():
		obj, err := blobstore.Parse(u.ValueString())
		if err != nil {
			diags.AddAttributeError(sourceURLAttr, "Invalid object URL", err.Error())
			return importSource{}, false, diags
		}
		return importSource{obj: obj}, true, nil
	case !p.IsNull():
		return importSource{path: p.ValueString()}, true, nil
	}
	return importSource{}, false, nil
}

// importSourceFromConfig is newImportSource from a configuration.
func importSourceFromConfig(ctx context.Context, cfg tfsdk.Config) (importSource, bool, diag.Diagnostics) {
	var p, u types.String
	diags := cfg.GetAttribute(ctx, sourcePathAttr, &p)
	diags.Append(cfg.GetAttribute(ctx, sourceURLAttr, &u)...)
	if diags.HasError() {
		return importSource{}, false, diags
	}
	src, known, d := newImportSource(p, u)
	diags.Append(d...)
	return src, known, diags
}

func (s importSource) isObject() bool { return s.path == "" }

// String is the path or the URL.
func (s importSource) String() string {
	if s.isObject() {
		return s.obj.String()
	}
	return s.path
}

// attr is the attribute that names the source.
func (s importSource) attr() path.Path {
	if s.isObject() {
		return sourceURLAttr
	}
	return sourcePathAttr
}

// label names the source in messages: source_path "x" or source_url "x".
func (s importSource) label() string {
	if s.isObject() {
		return fmt.Sprintf("source_url %q", s.obj.String())
	}
	return fmt.Sprintf("source_path %q", s.path)
}

// name is the archive's file name, as the upload names it.
func (s importSource) name() string {
	if s.isObject() {
		return pathpkg.Base(s.obj.Key())
	}
	return filepath.Base(s.path)
}

// open opens the archive for one pass. Errors are those of os.Open or blobstore.
func (s importSource) open(ctx context.Context) (io.ReadCloser, error) {
	r, _, err := s.openModTime(ctx)
	return r, err
}

// openModTime is open, with when the archive was last written: the file's modification time,
// the object's last-modified time (zero when the store does not say).
func (s importSource) openModTime(ctx context.Context) (io.ReadCloser, time.Time, error) {
	if s.isObject() {
		r, a, err := blobstore.NewReader(ctx, s.obj)
		return r, a.ModTime, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, time.Time{}, err
	}
	var mod time.Time
	if st, err := f.Stat(); err == nil {
		mod = st.ModTime()
	}
	return f, mod, nil
}

// validateSourceArchive is the plan-time check of the archive shared by the import resources:
// when the source and source_sha256 are both known in cfg, the archive must exist and hash to
// source_sha256. Call it from ModifyPlan (with req.Config), and only when the plan imports the
// archive: a plan that imports nothing must not need the archive, which may be long gone (a fresh
// CI runner, a snapshot with track_archive = false). When either value is unknown (an archive
// written by another resource in the same apply) the check is skipped, so that a value known only
// at apply never makes the final plan inconsistent; the resource checks the archive again right
// before uploading it (checkSourceArchive, inspectSourceArchive, inspectingUpload).
func validateSourceArchive(ctx context.Context, cfg tfsdk.Config) diag.Diagnostics {
	var sum types.String
	src, known, diags := importSourceFromConfig(ctx, cfg)
	diags.Append(cfg.GetAttribute(ctx, sourceSHA256Attr, &sum)...)
	if diags.HasError() || !known || !isKnown(sum) {
		return diags
	}
	if !sha256HexPattern.MatchString(sum.ValueString()) {
		return diags // the attribute's own validator reports the format
	}
	diags.Append(checkSourceArchive(ctx, src, sum.ValueString())...)
	return diags
}

// checkSourceArchive reports, as attribute errors, an archive that is missing, is not a regular
// file, or does not hash to want. It streams the archive: it is never held in memory.
func checkSourceArchive(ctx context.Context, src importSource, want string) diag.Diagnostics {
	r, diags := openSource(ctx, src)
	if diags.HasError() {
		return diags
	}
	defer r.Close()
	d := newChecksumDigester()
	if _, err := io.Copy(d, r); err != nil {
		diags.AddAttributeError(src.attr(), "Cannot read the source archive",
			fmt.Sprintf("Hashing %s failed: %s.", src.label(), err))
		return diags
	}
	diags.Append(checkSourceDigest(src, d.digest(), want)...)
	return diags
}

// inspectSourceArchive is checkSourceArchive for an archive about to be uploaded: in the same
// single pass, it also reads what the archive holds (whether it is encrypted, its canonical
// content hash). An archive that cannot be inspected (not a Xano archive, or beyond the reader's
// limits) is not an error here: Xano judges it, and the Info is then empty.
//
// An archive that goes past lim is uploaded all the same, with a warning that names the limit.
func inspectSourceArchive(ctx context.Context, lim archive.Limits, src importSource, want string) (archive.Info, diag.Diagnostics) {
	r, diags := openSource(ctx, src)
	if diags.HasError() {
		return archive.Info{}, diags
	}
	defer r.Close()
	d, info, err := readSourceArchive(r, lim)
	if err == nil && info.Incomplete != nil {
		err = info.Incomplete // reported below, as the *LimitError error of earlier archive versions
	}
	if readErr := (*sourceReadError)(nil); errors.As(err, &readErr) {
		diags.AddAttributeError(src.attr(), "Cannot read the source archive",
			fmt.Sprintf("Reading %s failed: %s.", src.label(), readErr.err))
		return archive.Info{}, diags
	}
	diags.Append(uninspectedSource(ctx, src, err, "is uploaded")...)
	diags.Append(checkSourceDigest(src, d, want)...)
	return info, diags
}

// uninspectedSource reports an inspection of the source archive that failed with err (nil: it
// did not): past a limit, a warning naming it; otherwise Xano judges the archive, and it is only
// logged. outcome says what happens to the archive all the same ("is uploaded").
func uninspectedSource(ctx context.Context, src importSource, err error, outcome string) diag.Diagnostics {
	var diags diag.Diagnostics
	var limErr *archive.LimitError
	switch {
	case errors.As(err, &limErr):
		diags.AddAttributeWarning(src.attr(), "The source archive's content was not inspected",
			fmt.Sprintf("Reading the content of %s stopped at a limit: %s. It %s as it is, and "+
				"its content hash is unknown. %s", src.label(), limErr, outcome, raiseLimitHint(limErr)))
	case err != nil:
		tflog.Debug(ctx, "The source archive cannot be inspected; its content hash is unknown",
			map[string]any{"error": err.Error(), "source": src.String()})
	}
	return diags
}

// sourceReadError is a failure to read the source itself (not to understand its content).
type sourceReadError struct{ err error }

func (e *sourceReadError) Error() string { return e.err.Error() }
func (e *sourceReadError) Unwrap() error { return e.err }

// readSourceArchive reads r once, hashing its bytes and inspecting its content (with opts). The
// digest is complete even when the archive cannot be inspected; err is then Inspect's error, or
// a *sourceReadError when the source cannot be read.
func readSourceArchive(r io.Reader, lim archive.Limits, opts ...archive.Option) (fileDigest, archive.Info, error) {
	d := newChecksumDigester()
	cr := &readErrorCatcher{r: r}
	info, inspectErr := archive.Inspect(io.TeeReader(cr, d), lim, opts...)
	if cr.err != nil {
		return fileDigest{}, archive.Info{}, &sourceReadError{cr.err}
	}
	// Inspect may stop before the end (after a failure, or bytes after the last gzip member):
	// the rest is hashed too.
	if _, err := io.Copy(d, r); err != nil {
		return fileDigest{}, archive.Info{}, &sourceReadError{err}
	}
	return d.digest(), info, inspectErr
}

// readErrorCatcher remembers a read error of the source, so that it is told apart from an
// archive the inspection could not understand.
type readErrorCatcher struct {
	r   io.Reader
	err error
}

func (c *readErrorCatcher) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// openSource opens the source for one pass, reporting a missing or unreadable archive as an
// attribute error that says what to do.
func openSource(ctx context.Context, src importSource) (io.ReadCloser, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !src.isObject() {
		if diags = checkSourceFile(src.path); diags.HasError() {
			return nil, diags
		}
	}
	r, err := src.open(ctx)
	switch {
	case err == nil:
		return r, diags
	case errors.Is(err, blobstore.ErrNotFound):
		diags.AddAttributeError(sourceURLAttr, "Source archive not found",
			fmt.Sprintf("There is no object at %s, and it is read because it is about to be imported. Put the "+
				"archive back at that key, or point source_url at it. When another resource writes the archive in "+
				"the same apply, pass that resource's archive_sha256 as source_sha256 so that the object is only "+
				"checked once written.", src.label()))
	default:
		diags.AddAttributeError(src.attr(), "Cannot read the source archive",
			fmt.Sprintf("%s cannot be read: %s.", src.label(), unwrapPathError(err)))
	}
	return nil, diags
}

// checkSourceFile reports a source path that does not exist or is not a regular file.
func checkSourceFile(p string) diag.Diagnostics {
	var diags diag.Diagnostics
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		diags.AddAttributeError(sourcePathAttr, "Source archive not found",
			fmt.Sprintf("source_path %q does not exist, and it is read because it is about to be imported. Put "+
				"the archive back at that path, or point source_path at it. When another resource writes the "+
				"archive in the same apply, pass that resource's archive_sha256 as source_sha256 so that the file "+
				"is only checked once written; when it was written by an earlier run (a xano_workspace_snapshot "+
				"with track_archive = false does not notice that its file is gone), write it again, for example with "+
				"terraform apply -replace on that resource, or keep archives in object storage (output_url and "+
				"source_url), where they outlive the runner.", p))
	case err != nil:
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("source_path %q cannot be read: %s.", p, err))
	case !st.Mode().IsRegular():
		diags.AddAttributeError(sourcePathAttr, "Source archive is not a file",
			fmt.Sprintf("source_path %q is not a regular file: point it at an archive exported from Xano.", p))
	}
	return diags
}

// checkSourceDigest reports a source whose bytes do not hash to want.
func checkSourceDigest(src importSource, d fileDigest, want string) diag.Diagnostics {
	var diags diag.Diagnostics
	if d.SHA256 == want {
		return diags
	}
	if src.isObject() {
		diags.AddAttributeError(sourceSHA256Attr, "Source archive does not match source_sha256",
			fmt.Sprintf("source_url's sha256 is %s but source_sha256 is %s: the object %q is not the archive "+
				"this configuration expects. Set source_sha256 to the archive_sha256 of the snapshot that wrote the "+
				"object (or to %s to accept it as it is), or restore the expected object (with bucket versioning, "+
				"its earlier version).", d.SHA256, want, src.obj.String(), d.SHA256))
		return diags
	}
	diags.AddAttributeError(sourceSHA256Attr, "Source archive does not match source_sha256",
		fmt.Sprintf("source_path's sha256 is %s but source_sha256 is %s: the file %q is not the archive "+
			"this configuration expects. Set source_sha256 = filesha256(%q) to accept the file as it is, "+
			"or restore the expected file.", d.SHA256, want, src.path, src.path))
	return diags
}

// sourceArchive is the upload of src, opened afresh for each attempt of the request, with its
// progress logged at INFO as what ("import of workspace 2", ...). Its size is sent as the
// Content-Length when it is known (a file's stat, an object's HEAD): a sized upload costs the
// client less than a chunked one, and some proxies refuse chunked uploads.
func sourceArchive(ctx context.Context, src importSource, what string, fields map[string]any) xano.ArchiveSource {
	var size int64
	if src.isObject() {
		if a, err := blobstore.Stat(ctx, src.obj); err == nil {
			size = a.Size
		}
	} else if st, err := os.Stat(src.path); err == nil {
		size = st.Size()
	}
	return xano.ArchiveSource{
		Name: src.name(),
		Size: size,
		Open: func() (io.ReadCloser, error) {
			r, err := src.open(ctx)
			if err != nil {
				return nil, err
			}
			prog := newProgress(ctx, what, fields)
			return &loggedUpload{ReadCloser: prog.reader(r), prog: prog}, nil
		},
	}
}

// loggedUpload logs an upload's final figures when the client closes it.
type loggedUpload struct {
	io.ReadCloser
	prog *progress
}

func (u *loggedUpload) Close() error {
	u.prog.done()
	return u.ReadCloser.Close()
}

// isKnown reports a value that is neither null nor unknown.
func isKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
