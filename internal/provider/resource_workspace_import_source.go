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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The attributes through which the import resources name the archive they upload.
var (
	sourcePathAttr   = path.Root("source_path")
	sourceSHA256Attr = path.Root("source_sha256")
)

// validateSourceArchive is the plan-time check of the archive shared by the import resources:
// when both source_path and source_sha256 are known in cfg, the file must exist and hash to
// source_sha256. Call it from ModifyPlan (with req.Config), and only when the plan imports the
// archive: a plan that imports nothing must not need the file, which may be long gone (a fresh CI
// runner, a snapshot with track_file = false). When either value is unknown (an archive written
// by another resource in the same apply) the check is skipped, so that a value known only at apply
// never makes the final plan inconsistent; the resource checks the file again right before
// uploading it (checkSourceArchive, inspectSourceArchive, inspectingUpload).
func validateSourceArchive(ctx context.Context, cfg tfsdk.Config) diag.Diagnostics {
	var p, sum types.String
	diags := cfg.GetAttribute(ctx, sourcePathAttr, &p)
	diags.Append(cfg.GetAttribute(ctx, sourceSHA256Attr, &sum)...)
	if diags.HasError() || !isKnown(p) || !isKnown(sum) {
		return diags
	}
	if !sha256HexPattern.MatchString(sum.ValueString()) {
		return diags // the attribute's own validator reports the format
	}
	diags.Append(checkSourceArchive(p.ValueString(), sum.ValueString())...)
	return diags
}

// checkSourceArchive reports, as attribute errors, a source file that is missing, is not a
// regular file, or does not hash to want. It streams the file: it is never held in memory.
func checkSourceArchive(p, want string) diag.Diagnostics {
	diags := checkSourceFile(p)
	if diags.HasError() {
		return diags
	}
	d, err := digestFile(p)
	if err != nil {
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("Hashing source_path %q failed: %s.", p, err))
		return diags
	}
	diags.Append(checkSourceDigest(p, d, want)...)
	return diags
}

// inspectSourceArchive is checkSourceArchive for an archive about to be uploaded: in the same
// single pass over the file, it also reads what the archive holds (whether it is encrypted, its
// canonical content hash). An archive that cannot be inspected (not a Xano archive, or beyond the
// reader's limits) is not an error here: Xano judges it, and the Info is then empty.
//
// An archive that goes past lim is uploaded all the same, with a warning that names the limit.
func inspectSourceArchive(ctx context.Context, lim archive.Limits, p, want string) (archive.Info, diag.Diagnostics) {
	diags := checkSourceFile(p)
	if diags.HasError() {
		return archive.Info{}, diags
	}
	d, info, err := readSourceArchive(p, lim)
	if err == nil && info.Incomplete != nil {
		err = info.Incomplete // reported below, as the *LimitError error of earlier archive versions
	}
	if pathErr := (*fs.PathError)(nil); errors.As(err, &pathErr) {
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("Reading source_path %q failed: %s.", p, err))
		return archive.Info{}, diags
	}
	diags.Append(uninspectedSource(ctx, p, err, "is uploaded")...)
	diags.Append(checkSourceDigest(p, d, want)...)
	return info, diags
}

// uninspectedSource reports an inspection of the source archive at p that failed with err (nil:
// it did not): past a limit, a warning naming it; otherwise Xano judges the archive, and it is only
// logged. outcome says what happens to the archive all the same ("is uploaded").
func uninspectedSource(ctx context.Context, p string, err error, outcome string) diag.Diagnostics {
	var diags diag.Diagnostics
	var limErr *archive.LimitError
	switch {
	case errors.As(err, &limErr):
		diags.AddAttributeWarning(sourcePathAttr, "The source archive's content was not inspected",
			fmt.Sprintf("Reading the content of source_path %q stopped at a limit: %s. It %s as it is, and "+
				"its content hash is unknown. %s", p, limErr, outcome, raiseLimitHint(limErr)))
	case err != nil:
		tflog.Debug(ctx, "The source archive cannot be inspected; its content hash is unknown",
			map[string]any{"error": err.Error(), "source_path": p})
	}
	return diags
}

// readSourceArchive reads the file at p once, hashing its bytes and inspecting its content. The
// digest is complete even when the archive cannot be inspected; err is then Inspect's error, or a
// *fs.PathError when the file cannot be read.
func readSourceArchive(p string, lim archive.Limits) (fileDigest, archive.Info, error) {
	f, err := os.Open(p)
	if err != nil {
		return fileDigest{}, archive.Info{}, err
	}
	defer f.Close()
	d := newDigester()
	info, inspectErr := archive.Inspect(io.TeeReader(f, d), lim)
	// Inspect may stop before the end (after a failure, or bytes after the last gzip member):
	// the rest is hashed too.
	if _, err := io.Copy(d, f); err != nil {
		return fileDigest{}, archive.Info{}, err
	}
	return d.digest(), info, inspectErr
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
				"with track_file = false does not notice that its file is gone), write it again, for example with "+
				"terraform apply -replace on that resource.", p))
	case err != nil:
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("source_path %q cannot be read: %s.", p, err))
	case !st.Mode().IsRegular():
		diags.AddAttributeError(sourcePathAttr, "Source archive is not a file",
			fmt.Sprintf("source_path %q is not a regular file: point it at an archive exported from Xano.", p))
	}
	return diags
}

// checkSourceDigest reports a source file whose bytes do not hash to want.
func checkSourceDigest(p string, d fileDigest, want string) diag.Diagnostics {
	var diags diag.Diagnostics
	if d.SHA256 != want {
		diags.AddAttributeError(sourceSHA256Attr, "Source archive does not match source_sha256",
			fmt.Sprintf("source_path's sha256 is %s but source_sha256 is %s: the file %q is not the archive "+
				"this configuration expects. Set source_sha256 = filesha256(%q) to accept the file as it is, "+
				"or restore the expected file.", d.SHA256, want, p, p))
	}
	return diags
}

// sourceArchive is the upload of the file at p, opened afresh for each attempt of the request,
// with its progress logged at INFO as what ("import of workspace 2", ...). Its size is sent as
// the Content-Length when the file can be stat'ed: a sized upload costs the client less than a
// chunked one, and some proxies refuse chunked uploads.
func sourceArchive(ctx context.Context, p, what string, fields map[string]any) xano.ArchiveSource {
	var size int64
	if st, err := os.Stat(p); err == nil {
		size = st.Size()
	}
	return xano.ArchiveSource{
		Name: filepath.Base(p),
		Size: size,
		Open: func() (io.ReadCloser, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			prog := newProgress(ctx, what, fields)
			return &loggedUpload{ReadCloser: prog.reader(f), prog: prog}, nil
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
