package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The user metadata the provider writes on every archive object it creates. The first four are
// known when the upload starts and go with it. The hashes are known only once the last byte has
// gone, after the store has fixed the object's metadata (S3 takes it with the first request of a
// multipart upload), so they are added after the upload by a metadata-only server-side copy of
// the object onto its own key (blobstore.SetMetadata): the object then carries them, and Read
// compares them with state with its one HEAD request. When that step fails the archive stays as
// uploaded, recorded in state with the attributes it has, and a warning says why its hashes are
// only in state (see DESIGN.md, "Archives in object storage").
const (
	metaWrittenBy   = "xano-written-by"
	metaWorkspaceID = "xano-workspace-id"
	metaBranch      = "xano-branch" // the branch asked for ("" for the live one), then the label exported
	metaIncludeData = "xano-include-data"

	metaArchiveSHA256 = "xano-archive-sha256"
	metaArchiveMD5    = "xano-archive-md5"
	metaContentSHA256 = "xano-content-sha256" // absent when the content is not known (encrypted, inspection bound)
	metaObjects       = "xano-objects"        // how many objects the archive holds; absent when not known
	metaEncrypted     = "xano-encrypted"
)

var _ archiveSink = (*blobSink)(nil)

// blobSink streams an export into an object: hashed and inspected on the way, as atomicFile
// does for a file, and with the same atomicity: the object appears only on Commit, and Abort
// (a failure, a cancelled context on SIGINT) cancels the multipart upload, so nothing is left at
// the key and the object there before stays. Memory is the store's part buffers
// (blobstore.WriterOptions.BufferBound) plus the inspection's.
type blobSink struct {
	ctx     context.Context
	obj     blobstore.Object
	meta    map[string]string
	w       *blobstore.Writer
	dig     *digester
	inspect inspectFunc
	insp    *streamInspector
	attrs   blobstore.Attrs // set by Commit: the object as it finally is
	// warnings are Commit's: the hashes could not be written as the object's metadata.
	warnings diag.Diagnostics
	// branch is the label of the branch exported, once known (the live branch's is resolved
	// after the upload has started): written as xano-branch with the hashes.
	branch string
}

func newBlobSink(ctx context.Context, obj blobstore.Object, meta map[string]string, inspect inspectFunc) (*blobSink, error) {
	w, err := blobstore.NewWriter(ctx, obj, meta)
	if err != nil {
		return nil, err
	}
	return &blobSink{ctx: ctx, obj: obj, meta: meta, w: w, dig: newDigester(), inspect: inspect, insp: startInspector(inspect)}, nil
}

func (s *blobSink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil {
		return n, err
	}
	_, _ = s.dig.Write(p[:n])
	s.insp.feed(p[:n])
	return n, nil
}

// Reset starts a new upload for a retried download; the cut one is cancelled.
func (s *blobSink) Reset() error {
	s.w.Abort()
	s.insp.abort()
	w, err := blobstore.NewWriter(s.ctx, s.obj, s.meta)
	if err != nil {
		return err
	}
	s.w, s.dig, s.insp = w, newDigester(), startInspector(s.inspect)
	return nil
}

// Commit completes the upload once the archive is known to be readable. An archive whose
// inspection stopped at a limit is still committed: archive.Inspect has then read its outer
// gzip layer whole and checked its checksum and length, so a damaged download is refused.
func (s *blobSink) Commit() (fileDigest, archive.Info, *archive.LimitError, error) {
	info, incomplete, inspErr := inspectionOutcome(s.insp.finish())
	if inspErr != nil {
		s.w.Abort()
		return fileDigest{}, archive.Info{}, nil, fmt.Errorf("the export is not a readable Xano archive: %w", inspErr)
	}
	a, err := s.w.Commit()
	if err != nil {
		return fileDigest{}, archive.Info{}, nil, err
	}
	s.attrs = a
	d := s.dig.digest()
	s.setHashMetadata(d, info)
	return d, info, incomplete, nil
}

// setHashMetadata writes the archive's hashes as the committed object's metadata. A failure
// loses nothing: the object stays as uploaded, s.attrs describe it, and a warning says why.
func (s *blobSink) setHashMetadata(d fileDigest, info archive.Info) {
	md := hashMetadata(d, info)
	if s.branch != "" {
		md[metaBranch] = s.branch
	}
	after, note, err := blobstore.SetMetadata(s.ctx, s.obj, s.attrs, md)
	if err != nil {
		why := err.Error()
		if errors.Is(err, blobstore.ErrTooLargeToCopy) {
			why = fmt.Sprintf("the archive holds %d bytes, and S3 copies at most 5 GiB in one request, which a "+
				"metadata-only copy needs", d.Size)
		}
		s.warnings.AddWarning("The archive's hashes are not on the object",
			fmt.Sprintf("The archive was written to %s and is recorded in state, but its hashes (%s, %s) could not be "+
				"added to the object's metadata: %s. They are in state (archive_sha256 %s); refresh recognises the object "+
				"by its ETag, version and size.", s.obj, metaArchiveSHA256, metaContentSHA256, why, d.SHA256))
		return
	}
	s.attrs = after
	if note != "" {
		s.warnings.AddWarning("The archive is stored twice in a versioned bucket", note+
			" The object's current version holds the archive with its hashes as metadata, and is the one recorded in state.")
	}
}

// commitWarnings are the warnings of Commit (see setHashMetadata).
func (s *blobSink) commitWarnings() diag.Diagnostics { return s.warnings }

// hashMetadata is the metadata added to an archive object once its upload is complete.
func hashMetadata(d fileDigest, info archive.Info) map[string]string {
	md := map[string]string{
		metaArchiveSHA256: d.SHA256,
		metaArchiveMD5:    d.MD5,
		metaEncrypted:     strconv.FormatBool(info.Encrypted),
	}
	if !info.Encrypted && info.ContentSHA256 != "" {
		md[metaContentSHA256] = info.ContentSHA256
	}
	if !info.Encrypted && info.Objects != nil {
		md[metaObjects] = strconv.Itoa(len(info.Objects))
	}
	return md
}

func (s *blobSink) Abort() {
	s.insp.abort()
	s.w.Abort()
}

// exportMetadata is the user metadata written on an exported archive object.
func exportMetadata(req exportRequest) map[string]string {
	return map[string]string{
		metaWrittenBy:   "terraform-provider-xano",
		metaWorkspaceID: strconv.FormatInt(req.WorkspaceID, 10),
		metaBranch:      req.Branch,
		metaIncludeData: strconv.FormatBool(req.IncludeData),
	}
}

// exportToObject exports into the object at rawURL, streamed (no local copy) and atomically:
// the object appears at its key only when the archive is complete and readable. attr names
// the attribute holding the URL, for the diagnostics. The object's attributes (ETag, version)
// come back with the result.
func exportToObject(ctx context.Context, client *xano.Client, req exportRequest, rawURL string, attr path.Path) (exportResult, blobstore.Attrs, diag.Diagnostics) {
	var diags diag.Diagnostics
	obj, err := blobstore.Parse(rawURL)
	if err != nil {
		diags.AddAttributeError(attr, "Invalid object URL", err.Error())
		return exportResult{}, blobstore.Attrs{}, diags
	}
	sink, err := newBlobSink(ctx, obj, exportMetadata(req), archiveInspector(req.Limits))
	if err != nil {
		diags.AddAttributeError(attr, "Cannot write the archive", err.Error()+". Nothing was exported.")
		return exportResult{}, blobstore.Attrs{}, diags
	}
	res, diags := exportArchive(ctx, client, req, sink)
	if diags.HasError() {
		return exportResult{}, blobstore.Attrs{}, diags
	}
	return res, sink.attrs, diags
}

// objectURLValidator checks an object URL at plan time (scheme, bucket, key, no credentials).
type objectURLValidator struct{}

func (objectURLValidator) Description(context.Context) string {
	return "an object URL: a gocloud.dev blob URL of the bucket with the object key as its path " +
		"(s3://, gs://, azblob://, file://), without credentials"
}

func (v objectURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (objectURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !isKnown(req.ConfigValue) {
		return
	}
	if _, err := blobstore.Parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid object URL", err.Error())
	}
}
