package blobstore

import (
	"context"
	"crypto/md5" //nolint:gosec // the file store's own checksum, compared, not trusted for security
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
	"gocloud.dev/gcerrors"
)

// S3CopyLimit is the largest object S3 copies in one CopyObject request (5 GiB): SetMetadata
// leaves a larger S3 object as it is and returns ErrTooLargeToCopy.
const S3CopyLimit int64 = 5 << 30

// ErrTooLargeToCopy: the object is larger than the store copies in one request, so its
// metadata was not changed.
var ErrTooLargeToCopy = errors.New("too large for a metadata-only copy")

// errChanged: the object at the key is no longer the one the caller wrote.
var errChanged = errors.New("the object at the key changed since it was written")

// metaKey is the form of a metadata key SetMetadata accepts: it is the same after each store's
// escaping (S3's URL escaping, Azure's C#-identifier escaping is done here), so that what is
// written reads back under the same name.
var metaKey = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// SetMetadata adds md to the user metadata of o, the object Commit returned as prior, without
// downloading it, and returns the object's attributes afterwards (in a bucket with versioning a
// new version; usually a new ETag, though S3 gives a copied single-part object the same one). The keys of md replace those of the same name; the others
// stay. It is for values known only once an upload is complete (its hashes): every store fixes
// an object's metadata when its upload starts.
//
//   - S3: one server-side CopyObject of the object (only while its ETag is the one written) onto
//     its own key with the metadata replaced (the content type kept). S3 copies at most 5 GiB in
//     one request: a larger object is left as it is (ErrTooLargeToCopy).
//   - Google Cloud Storage: a server-side rewrite of the generation written onto the same key
//     with the new metadata, only while that generation is current.
//   - Azure: a server-side copy of the blob onto itself with the new metadata, only while its
//     ETag is the one written.
//   - A file folder: the file is written again next to itself with the metadata (gocloud's
//     sidecar), its bytes checked against the MD5 recorded when it was written, and renamed
//     over it; a local copy, and the only way gocloud's file store takes new metadata.
//
// In a bucket with versioning the copy is a new version: the version the upload made is then
// deleted (by its id), so that the archive is stored once. When that delete is refused (object
// lock, a retention rule, no permission to delete versions), the version stays and note says
// so; the call still succeeds. On an error this call changed nothing (the object at the key is
// the one prior describes, or one someone else wrote there since: errors say which); a copy that
// the store made although the request failed (a lost answer, an interrupt) is recognised by its
// metadata and returned as a success.
func SetMetadata(ctx context.Context, o Object, prior Attrs, md map[string]string) (after Attrs, note string, err error) {
	merged := make(map[string]string, len(prior.Metadata)+len(md))
	for k, v := range prior.Metadata {
		merged[strings.ToLower(k)] = v
	}
	for k, v := range md {
		merged[strings.ToLower(k)] = v
	}
	for k := range merged {
		if !metaKey.MatchString(k) {
			return Attrs{}, "", fmt.Errorf("blobstore: metadata key %q: use lower-case letters, digits and dashes", k)
		}
	}
	if o.scheme == "s3" && prior.Size > S3CopyLimit {
		return Attrs{}, "", &Error{Kind: ErrTooLargeToCopy, Op: "set the metadata of", URL: o.String(),
			Fix: fmt.Sprintf("S3 copies at most 5 GiB in one request and the object holds %d bytes; it was left as it is", prior.Size)}
	}
	b, err := open(ctx, o)
	if err != nil {
		return Attrs{}, "", err
	}
	defer func() { _ = b.Close() }()

	if o.scheme == "file" {
		err = rewriteFile(ctx, b, o, prior, merged)
	} else {
		err = b.Copy(ctx, o.key, o.key, &blob.CopyOptions{BeforeCopy: replaceMetadata(prior, merged)})
	}
	// After the copy was sent, an interrupt must not leave the caller with the attributes of an
	// object the store has replaced: what follows runs on a context of its own when ctx is done.
	actx, cancel := afterCopy(ctx)
	defer cancel()
	if err != nil {
		cerr := classifyCopy(err, o)
		// The store may have made the copy and lost its answer (or the wait for it was
		// interrupted): then the object carries md.
		if a, serr := stat(actx, b, o); serr == nil && a.Size == prior.Size && holds(a.Metadata, md) {
			return a, deletePrior(actx, b, o, prior, a), nil
		}
		return Attrs{}, "", cerr
	}
	a, err := stat(actx, b, o)
	if err != nil {
		return Attrs{}, "", fmt.Errorf("the metadata was written, but reading the object's attributes back failed: %w", err)
	}
	if a.Size != prior.Size || !holds(a.Metadata, md) {
		return Attrs{}, "", &Error{Kind: errChanged, Op: "set the metadata of", URL: o.String(),
			Fix: "another object was written at the key meanwhile; it was left as it is"}
	}
	return a, deletePrior(actx, b, o, prior, a), nil
}

// afterCopyTimeout bounds the requests made after a copy once the caller's context is done.
const afterCopyTimeout = 30 * time.Second

// afterCopy is ctx, or when ctx is done (an interrupt during the copy) a context of its own,
// bounded by afterCopyTimeout, for the HEAD that tells whether the copy was made and the delete
// of the upload's version.
func afterCopy(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), afterCopyTimeout)
}

// holds reports whether got has every pair of want.
func holds(got, want map[string]string) bool {
	for k, v := range want {
		if got[strings.ToLower(k)] != v {
			return false
		}
	}
	return true
}

// classifyCopy classifies a failed copy: a failed precondition means the object was replaced.
func classifyCopy(err error, o Object) error {
	switch apiErrorCode(err) {
	case "PreconditionFailed", "ConditionNotMet", "SourceConditionNotMet":
		return &Error{Kind: errChanged, Op: "set the metadata of", URL: o.String(),
			Fix: "another object was written at the key meanwhile; it was left as it is", Cause: redact(causeText(err))}
	}
	e := classify(err, "set the metadata of", o)
	var be *Error
	if errors.As(e, &be) && be.Kind == ErrAccessDenied {
		be.Fix = fixCopyAccess(o)
	}
	return e
}

func fixCopyAccess(o Object) string {
	switch o.scheme {
	case "s3":
		return "a metadata-only copy needs s3:GetObject (and s3:GetObjectVersion in a versioned bucket) and s3:PutObject on the key"
	case "gs":
		return "a metadata-only rewrite needs storage.objects.get, create and delete on the bucket (roles/storage.objectUser)"
	case "azblob":
		return "a metadata-only copy needs read and write on the blob (Storage Blob Data Contributor)"
	}
	return fixAccess(o, "write")
}

// replaceMetadata sets each store's copy request so that it copies exactly the object written
// (its version, while its ETag is unchanged) and replaces its user metadata.
func replaceMetadata(prior Attrs, md map[string]string) func(func(any) bool) error {
	return func(asFunc func(any) bool) error {
		var s3in *s3.CopyObjectInput
		if asFunc(&s3in) {
			s3md := make(map[string]string, len(md))
			for k, v := range md {
				s3md[k] = url.PathEscape(v) // gocloud's escaping of S3 metadata values
			}
			s3in.MetadataDirective = s3types.MetadataDirectiveReplace
			s3in.Metadata = s3md
			if prior.ContentType != "" {
				s3in.ContentType = aws.String(prior.ContentType)
			}
			// The current object, only while it is the one written: copying the written version by
			// its id would make it current again over a newer object written meanwhile.
			if prior.ETag != "" {
				s3in.CopySourceIfMatch = aws.String(prior.ETag)
			}
			return nil
		}
		var handles *gcsblob.CopyObjectHandles
		if asFunc(&handles) {
			// Handles first: the copier is made from them.
			if gen := generation(prior); gen != 0 {
				handles.Src = handles.Src.Generation(gen)
				handles.Dst = handles.Dst.If(storage.Conditions{GenerationMatch: gen})
			}
			var c *storage.Copier
			if asFunc(&c) {
				c.Metadata = md
				c.ContentType = prior.ContentType
			}
			return nil
		}
		var az *azblobblob.StartCopyFromURLOptions
		if asFunc(&az) {
			azmd := make(map[string]*string, len(md))
			for k, v := range md {
				ev := url.PathEscape(v) // gocloud's escaping of Azure metadata values
				azmd[azureMetaKey(k)] = &ev
			}
			az.Metadata = azmd
			if prior.ETag != "" {
				etag := azcore.ETag(prior.ETag)
				az.SourceModifiedAccessConditions = &azblobblob.SourceModifiedAccessConditions{SourceIfMatch: &etag}
			}
			return nil
		}
		return nil
	}
}

// azureMetaKey is gocloud's escaping of a metadata key for Azure (a C# identifier) for the keys
// metaKey accepts: each dash becomes "__0x2d__".
func azureMetaKey(k string) string {
	return strings.ReplaceAll(k, "-", "__0x2d__")
}

// generation is the GCS generation in prior's VersionID (0 when none).
func generation(prior Attrs) int64 {
	var g int64
	if _, err := fmt.Sscan(prior.VersionID, &g); err != nil {
		return 0
	}
	return g
}

// deletePrior deletes the version the upload made, now that the copy is the current version,
// and says why when it could not ("" when it did or there was none).
func deletePrior(ctx context.Context, b *blob.Bucket, o Object, prior, after Attrs) string {
	if prior.VersionID == "" || prior.VersionID == after.VersionID {
		return ""
	}
	var err error
	switch o.scheme {
	case "s3":
		err = b.DeleteWithOptions(ctx, o.key, &blob.DeleteOptions{BeforeDelete: func(asFunc func(any) bool) error {
			var in *s3.DeleteObjectInput
			if asFunc(&in) {
				in.VersionId = aws.String(prior.VersionID)
			}
			return nil
		}})
	case "gs":
		gen := generation(prior)
		if gen == 0 {
			return ""
		}
		err = b.DeleteWithOptions(ctx, o.key, &blob.DeleteOptions{BeforeDelete: func(asFunc func(any) bool) error {
			var h **storage.ObjectHandle
			if asFunc(&h) {
				*h = (*h).Generation(gen)
			}
			return nil
		}})
		if gcerrors.Code(err) == gcerrors.NotFound {
			// A bucket without versioning keeps no noncurrent generation.
			return ""
		}
	case "azblob":
		err = deleteAzureVersion(ctx, b, o, prior.VersionID)
	default:
		return ""
	}
	if err == nil {
		return ""
	}
	return fmt.Sprintf("The bucket keeps versions: the metadata-only copy is a new version of %s, and the version the "+
		"upload made (%s) could not be deleted, so the archive is stored twice until a lifecycle rule or a person "+
		"removes that version (store said: %s).", o.String(), prior.VersionID, redact(causeText(err)))
}

// deleteAzureVersion deletes one version of a blob through the container client; gocloud's
// Delete has no version option. The key is used as it is: only keys that gocloud's Azure
// escaping leaves unchanged are handled.
func deleteAzureVersion(ctx context.Context, b *blob.Bucket, o Object, version string) error {
	var c *container.Client
	if !b.As(&c) {
		return errors.New("no Azure container client")
	}
	if strings.ContainsAny(o.key, "\\\"#%?\x7f") || strings.Contains(o.key, "__0x") || strings.Contains(o.key, "../") {
		return errors.New("the key has characters the provider does not address by version: delete the version by hand")
	}
	for _, r := range o.key {
		if r < 32 {
			return errors.New("the key has control characters: delete the version by hand")
		}
	}
	bc, err := c.NewBlobClient(o.key).WithVersionID(version)
	if err != nil {
		return err
	}
	_, err = bc.Delete(ctx, nil)
	return err
}

// rewriteFile writes a file object again with the metadata md: through gocloud's writer (a
// temporary file renamed over the object, its sidecar written first), its bytes read from the
// object and checked against the MD5 the store recorded; on a mismatch the write is cancelled
// and the object stays as it was.
func rewriteFile(ctx context.Context, b *blob.Bucket, o Object, prior Attrs, md map[string]string) error {
	cur, err := b.Attributes(ctx, o.key)
	if err != nil {
		return err
	}
	if cur.ETag != prior.ETag || cur.Size != prior.Size {
		return &Error{Kind: errChanged, Op: "set the metadata of", URL: o.String(),
			Fix: "another object was written at the key meanwhile; it was left as it is"}
	}
	r, err := b.NewReader(ctx, o.key, nil)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(wctx, o.key, &blob.WriterOptions{ContentType: cur.ContentType, Metadata: md,
		DisableContentTypeDetection: true})
	if err != nil {
		return err
	}
	h := md5.New() //nolint:gosec // see the import
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err == nil && (n != prior.Size || (len(cur.MD5) > 0 && string(h.Sum(nil)) != string(cur.MD5))) {
		err = &Error{Kind: errChanged, Op: "set the metadata of", URL: o.String(),
			Fix: "the file changed while its metadata was written; it was left as it is"}
	}
	if err != nil {
		cancel() // a cancelled writer leaves nothing
		_ = w.Close()
		return err
	}
	return w.Close()
}
