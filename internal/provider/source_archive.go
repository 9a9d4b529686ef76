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

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The attributes through which the import resources name the archive they upload.
var (
	sourcePathAttr   = path.Root("source_path")
	sourceSHA256Attr = path.Root("source_sha256")
)

// validateSourceArchive is the ValidateConfig check shared by the import resources: when both
// source_path and source_sha256 are known, the file must exist and hash to source_sha256. When
// either is unknown (say, an archive written by another resource in the same apply) the check is
// skipped, so that a value known only at apply never makes the final plan inconsistent; the
// resource checks the file again right before uploading it (checkSourceArchive).
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
	var diags diag.Diagnostics
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		diags.AddAttributeError(sourcePathAttr, "Source archive not found",
			fmt.Sprintf("source_path %q does not exist. Check the path, or, when another resource writes the "+
				"archive, pass that resource's archive_sha256 as source_sha256 so that the file is only "+
				"checked once it has been written.", p))
		return diags
	case err != nil:
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("source_path %q cannot be read: %s.", p, err))
		return diags
	case !st.Mode().IsRegular():
		diags.AddAttributeError(sourcePathAttr, "Source archive is not a file",
			fmt.Sprintf("source_path %q is not a regular file: point it at an archive exported from Xano.", p))
		return diags
	}
	d, err := digestFile(p)
	if err != nil {
		diags.AddAttributeError(sourcePathAttr, "Cannot read the source archive",
			fmt.Sprintf("Hashing source_path %q failed: %s.", p, err))
		return diags
	}
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
