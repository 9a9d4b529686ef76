// Package blobstore reads and writes single archives in object storage (Amazon S3 and
// S3-compatible stores, Google Cloud Storage, Azure Blob Storage, a local folder) through
// gocloud.dev/blob.
//
// An object is named by one URL: gocloud.dev's blob URL of the bucket with the object key as
// its path, e.g. "s3://backups/xano/ws-1.tar.gz?region=eu-west-1", "gs://bucket/key",
// "azblob://container/key", "file:///abs/dir/key". The query holds gocloud's own bucket
// parameters (endpoint, region, use_path_style, profile, ...). Credentials never appear in the
// URL: Parse rejects user information and secret-looking parameters, and every driver takes
// its credentials from its cloud's standard chain (environment, shared configuration files,
// workload identity).
//
// A write is atomic: the object appears at its key only when Commit succeeds; Abort (or a
// failed or cancelled write) leaves nothing at the key and the previous object there
// untouched. Every error names what to fix and never contains a credential.
//
// This is a leaf package: it imports neither the provider nor the Xano client.
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	// The stores built into the provider (see the "Object storage" docs).
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"
)

// Schemes are the URL schemes of the stores built in, in the order the docs list them.
var Schemes = []string{"s3", "gs", "azblob", "file"}

// Object is one object in a bucket: the bucket's gocloud URL and the object's key.
type Object struct {
	raw    string // the URL as given
	scheme string
	bucket string // the bucket URL gocloud opens (scheme, host or folder, and query)
	key    string
	// fullObject is the URL's full_object_checksum (S3): "true", "false", or "" (false; see
	// s3PartsOnly).
	fullObject string
}

// FullObjectChecksumParam is the S3 URL parameter that says whether an upload declares a
// full-object CRC32 (see s3PartsOnly); the provider's own, taken out before gocloud reads the URL.
const FullObjectChecksumParam = "full_object_checksum"

// Parse reads an object URL. It rejects a scheme that is not built in, a missing bucket or
// key, and credentials in the URL (user information, secret-looking query parameters).
func Parse(raw string) (Object, error) {
	if strings.TrimSpace(raw) == "" {
		return Object{}, errors.New("the object URL is empty: give the bucket URL with the object key as its path, " +
			`e.g. "s3://my-bucket/xano/ws-1.tar.gz?region=eu-west-1"`)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, which may hold a secret the user pasted: say only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Object{}, fmt.Errorf("the object URL is not a valid URL (%v): give the bucket URL with the object key as its path, "+
			`e.g. "s3://my-bucket/xano/ws-1.tar.gz?region=eu-west-1"`, err)
	}
	if u.User != nil {
		return Object{}, errors.New("the object URL holds credentials (user information before the host): remove them; " +
			"the provider takes credentials only from the store's standard chain (environment variables, shared " +
			"configuration files, workload identity), e.g. AWS_PROFILE or the profile= parameter for S3")
	}
	if u.Opaque != "" {
		return Object{}, fmt.Errorf("the object URL %q has no bucket: write it as %s://bucket/key", redactQuery(u), u.Scheme)
	}
	scheme := strings.ToLower(u.Scheme)
	if !knownScheme(scheme) {
		what := "no scheme"
		if scheme != "" {
			what = fmt.Sprintf("the scheme %q", u.Scheme)
		}
		return Object{}, fmt.Errorf("the object URL has %s, which is not a store built into this provider: use one of %s "+
			`(e.g. "s3://my-bucket/key", "gs://my-bucket/key", "azblob://my-container/key", "file:///abs/dir/key"); `+
			"S3-compatible stores (MinIO, Cloudflare R2, Ceph) use s3:// with endpoint= and use_path_style=true",
			what, strings.Join(Schemes, "://, ")+"://")
	}
	if name := secretParam(u.Query()); name != "" {
		return Object{}, fmt.Errorf("the object URL has the query parameter %q, which looks like a credential: remove it; "+
			"the provider takes credentials only from the store's standard chain (environment variables, shared "+
			"configuration files, workload identity), never from the URL, so that no secret reaches state, plans or logs", name)
	}
	if u.Fragment != "" {
		return Object{}, fmt.Errorf("the object URL %q has a fragment (#...): remove it, or percent-encode a '#' in the key as %%23", redactQuery(u))
	}
	o := Object{raw: raw, scheme: scheme}
	q := u.Query()
	switch scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return Object{}, fmt.Errorf("the object URL %q names a host; a file URL names an absolute path: file:///abs/dir/key", raw)
		}
		p := u.Path
		if p == "" || !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			return Object{}, fmt.Errorf("the object URL %q has no object key: a file URL names an absolute path to the file, file:///abs/dir/key", raw)
		}
		clean := path.Clean(p)
		if clean != p {
			return Object{}, fmt.Errorf("the object URL %q has a path that is not clean (%q): write it as file://%s", raw, p, clean)
		}
		dir, name := path.Split(clean)
		// Temporary files go next to the destination, so the final rename never crosses a mount.
		q.Set("no_tmp_dir", "true")
		o.bucket = (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir), RawQuery: q.Encode()}).String()
		o.key = name
	default:
		if u.Host == "" {
			return Object{}, fmt.Errorf("the object URL %q has no bucket: write it as %s://bucket/key", redactQuery(u), scheme)
		}
		key := strings.TrimPrefix(u.Path, "/")
		if key == "" || strings.HasSuffix(key, "/") {
			return Object{}, fmt.Errorf("the object URL %q has no object key (the path after the bucket, not ending in '/'): "+
				"write it as %s://%s/some/key.tar.gz", redactQuery(u), scheme, u.Host)
		}
		raw := u.RawQuery
		if v, ok := q[FullObjectChecksumParam]; ok && scheme == "s3" {
			if len(v) != 1 || (v[0] != "true" && v[0] != "false") {
				return Object{}, fmt.Errorf("the object URL %q has %s=%s: write %[2]s=true or %[2]s=false",
					redactQuery(u), FullObjectChecksumParam, strings.Join(v, ","))
			}
			o.fullObject = v[0]
			q.Del(FullObjectChecksumParam)
			raw = q.Encode()
		}
		o.bucket = (&url.URL{Scheme: scheme, Host: u.Host, RawQuery: raw}).String()
		o.key = key
	}
	return o, nil
}

// String is the URL as given (it holds no secret: Parse rejected them).
func (o Object) String() string { return o.raw }

// Key is the object's key in its bucket.
func (o Object) Key() string { return o.key }

// Scheme is the store's URL scheme (s3, gs, azblob, file).
func (o Object) Scheme() string { return o.scheme }

// IsZero reports whether o is the zero Object (not parsed).
func (o Object) IsZero() bool { return o.bucket == "" }

// Child is the object name under o used as a prefix: o's key + "/" + name, in the same bucket,
// for sets of objects under one prefix. Its String is o's URL with the name appended to the path.
func (o Object) Child(name string) Object {
	name = strings.Trim(name, "/")
	c := o
	c.key = o.key + "/" + name
	if u, err := url.Parse(o.raw); err == nil {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/" + name
		u.RawPath = ""
		c.raw = u.String()
	}
	if o.scheme == "file" {
		// A file bucket is the destination's folder: the child lives in a folder named after o.
		c.key = path.Base(o.key) + "/" + name
	}
	return c
}

func knownScheme(s string) bool {
	for _, k := range Schemes {
		if s == k {
			return true
		}
	}
	return false
}

// pathParams are parameters whose names look secret but which name a file, not a secret.
var pathParams = map[string]bool{
	"web_identity_token_file": true, // gocloud's aws: the OIDC token file of workload identity
}

// secretWords are what a credential's query parameter name contains (lower case). A SAS URL's
// signature is "sig"; presigned S3 and GCS URLs use X-Amz-*/X-Goog-* parameters.
var secretWords = []string{"secret", "password", "passwd", "token", "credential", "signature", "accesskey",
	"access_key", "accountkey", "account_key", "apikey", "api_key", "private"}

var secretNames = map[string]bool{"sig": true, "sas": true, "key": true, "x-amz-date": true, "sv": true, "se": true, "sp": true}

// secretParam returns the first query parameter (sorted) whose name looks like a credential.
func secretParam(q url.Values) string {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		l := strings.ToLower(k)
		if pathParams[l] {
			continue
		}
		if secretNames[l] || strings.HasPrefix(l, "x-amz-") || strings.HasPrefix(l, "x-goog-") {
			return k
		}
		if l == "secret_key_path" {
			// fileblob's key for signed URLs: not used by the provider.
			return k
		}
		for _, w := range secretWords {
			if strings.Contains(l, w) {
				return k
			}
		}
	}
	return ""
}

// redactQuery prints a URL without its query, for errors about a URL Parse has not vetted yet.
func redactQuery(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.User = nil
	return c.String()
}

// Attrs are an object's attributes, as one HEAD request reports them.
type Attrs struct {
	Size int64
	// ETag is the store's entity tag (quotes included, as the store sends it); it changes
	// whenever the object is rewritten.
	ETag string
	// VersionID is the version of the object in a bucket with versioning on (S3 version id, GCS
	// generation, Azure version id); empty when the store has none.
	VersionID string
	// MD5 is the MD5 of the object's bytes when the store knows it (a single-part S3 upload, GCS,
	// Azure, a file bucket); nil otherwise.
	MD5      []byte
	Metadata map[string]string
	// ContentType is the object's media type.
	ContentType string
	// ModTime is when the object was last written, as the store reports it (S3 Last-Modified);
	// zero when the store does not say.
	ModTime time.Time
}

// open opens o's bucket, with errors classified.
func open(ctx context.Context, o Object) (*blob.Bucket, error) {
	if o.IsZero() {
		return nil, errors.New("blobstore: zero Object (not from Parse)")
	}
	b, err := blob.OpenBucket(ctx, o.bucket)
	if err != nil {
		return nil, classify(err, "open the bucket of", o)
	}
	return b, nil
}

// Stat reads o's attributes with one HEAD request. errors.Is(err, ErrNotFound) when the object
// is missing; when its bucket is missing the error wraps ErrBucketNotFound instead (checked with
// a second request, only after the HEAD said not found).
func Stat(ctx context.Context, o Object) (Attrs, error) {
	b, err := open(ctx, o)
	if err != nil {
		return Attrs{}, err
	}
	defer func() { _ = b.Close() }()
	return stat(ctx, b, o)
}

func stat(ctx context.Context, b *blob.Bucket, o Object) (Attrs, error) {
	a, err := b.Attributes(ctx, o.key)
	if err != nil {
		return Attrs{}, notFoundOrBucket(ctx, b, err, "read the attributes of", o)
	}
	return attrsOf(a), nil
}

// notFoundOrBucket classifies err; a not-found is told apart from a missing bucket, and a bare
// 403 from a bodiless request (HEAD) is told apart from rejected credentials. Each check is one
// more request, made only on that failure.
func notFoundOrBucket(ctx context.Context, b *blob.Bucket, err error, op string, o Object) error {
	e := classify(err, op, o)
	if ctx.Err() != nil {
		return e
	}
	switch {
	case errors.Is(e, ErrNotFound):
		if ok, berr := b.IsAccessible(ctx); berr == nil && !ok {
			return bucketMissing(op, o, err)
		}
	case errors.Is(e, ErrAccessDenied) && apiErrorCode(err) != "AccessDenied":
		// A HEAD answer has no body, so S3 cannot say why it refused: a wrong secret or an unknown
		// access key look like a denial. A listing of the key's prefix carries the store's code.
		it := b.List(&blob.ListOptions{Prefix: o.key})
		if _, lerr := it.Next(ctx); lerr != nil && lerr != io.EOF {
			if le := classify(lerr, op, o); errors.Is(le, ErrCredentials) || errors.Is(le, ErrBucketNotFound) {
				return le
			}
		}
	}
	return e
}

func attrsOf(a *blob.Attributes) Attrs {
	out := Attrs{Size: a.Size, ETag: a.ETag, MD5: a.MD5, Metadata: a.Metadata, VersionID: versionID(a), ModTime: a.ModTime,
		ContentType: a.ContentType}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	return out
}

// WriterOptions tune a write. The zero value is the provider's defaults.
type WriterOptions struct {
	// PartSize is the size of one buffered part of a multipart upload (S3), of one block (Azure)
	// or of the upload chunk (GCS); 0 means DefaultPartSize.
	PartSize int
	// Concurrency is the number of parts uploaded at once (S3, Azure); 0 means DefaultConcurrency.
	Concurrency int
	// ContentType of the object; "" means application/gzip.
	ContentType string
}

const (
	// DefaultPartSize is the part size of a multipart upload.
	DefaultPartSize = 8 << 20
	// DefaultConcurrency is how many parts are uploaded at once.
	DefaultConcurrency = 2
)

// BufferBound is the most memory a write with these options buffers. The S3 transfer manager
// reads the first part on its own (io.ReadAll), then allocates a pool of one part per uploading
// goroutine plus the one being filled, while the first part is still held: (concurrency + 2)
// parts. Azure holds one block per uploading goroutine, GCS one chunk: less. The docs and
// DESIGN.md state it for the defaults: (2+2) x 8 MiB = 32 MiB.
func (w WriterOptions) BufferBound() int64 {
	ps, c := w.partSize(), w.concurrency()
	return int64(ps) * int64(c+2)
}

func (w WriterOptions) partSize() int {
	if w.PartSize > 0 {
		return w.PartSize
	}
	return DefaultPartSize
}

func (w WriterOptions) concurrency() int {
	if w.Concurrency > 0 {
		return w.Concurrency
	}
	return DefaultConcurrency
}

// Writer streams one object. The object appears at its key only when Commit succeeds.
type Writer struct {
	b      *blob.Bucket
	w      *blob.Writer
	o      Object
	cancel context.CancelFunc
	ctx    context.Context
	done   bool
	err    error // the first write error, classified
	// release ends the soft memory limit set for this write (limitMemory).
	release func()
}

// NewWriter starts writing o with the given user metadata (keys lower case ASCII; the provider
// writes its own there). Nothing is visible at the key until Commit.
func NewWriter(ctx context.Context, o Object, metadata map[string]string) (*Writer, error) {
	return NewWriterWithOptions(ctx, o, metadata, WriterOptions{})
}

// NewWriterWithOptions is NewWriter with explicit buffering options.
func NewWriterWithOptions(ctx context.Context, o Object, metadata map[string]string, opts WriterOptions) (*Writer, error) {
	b, err := open(ctx, o)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	ct := opts.ContentType
	if ct == "" {
		ct = "application/gzip"
	}
	md := make(map[string]string, len(metadata))
	for k, v := range metadata {
		md[strings.ToLower(k)] = v
	}
	bw, err := b.NewWriter(wctx, o.key, &blob.WriterOptions{
		ContentType:    ct,
		Metadata:       md,
		BufferSize:     opts.partSize(),
		MaxConcurrency: opts.concurrency(),
		// The bytes are an archive that is already compressed: no content sniffing.
		DisableContentTypeDetection: true,
		BeforeWrite:                 s3PartsOnly(b, o, opts),
	})
	if err != nil {
		cancel()
		_ = b.Close()
		return nil, notFoundOrBucket(ctx, b, err, "start writing", o)
	}
	return &Writer{b: b, w: bw, o: o, cancel: cancel, ctx: ctx, release: limitWriteMemory(o, opts)}, nil
}

// Write streams p to the object.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blobstore: write after Commit or Abort")
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.err = classify(err, "write", w.o)
	}
	return n, w.err
}

// Object is the object being written.
func (w *Writer) Object() Object { return w.o }

// Commit completes the upload, so the object appears at its key, and returns its attributes
// (read with one HEAD right after). On error nothing new is at the key.
func (w *Writer) Commit() (Attrs, error) {
	if w.done {
		return Attrs{}, errors.New("blobstore: Commit after Commit or Abort")
	}
	w.done = true
	defer w.release()
	defer w.cancel()
	defer func() { _ = w.b.Close() }()
	if w.err != nil {
		w.cancel()
		_ = w.w.Close()
		return Attrs{}, w.err
	}
	if err := w.ctx.Err(); err != nil {
		// Cancelled before Commit: gocloud aborts a write whose context is done.
		w.cancel()
		_ = w.w.Close()
		return Attrs{}, classify(err, "write", w.o)
	}
	if err := w.w.Close(); err != nil {
		return Attrs{}, notFoundOrBucket(w.ctx, w.b, err, "complete the upload of", w.o)
	}
	a, err := stat(w.ctx, w.b, w.o)
	if err != nil {
		return Attrs{}, fmt.Errorf("the object was written, but reading its attributes back failed: %w", err)
	}
	return a, nil
}

// Abort ends the write without creating the object: the multipart upload (or temporary file)
// is cancelled and whatever was at the key before stays. Abort after Commit does nothing.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	defer w.release()
	w.cancel()
	_ = w.w.Close()
	_ = w.b.Close()
}

// NewReader opens o for reading, with its attributes. The caller closes the reader.
func NewReader(ctx context.Context, o Object) (io.ReadCloser, Attrs, error) {
	b, err := open(ctx, o)
	if err != nil {
		return nil, Attrs{}, err
	}
	a, err := stat(ctx, b, o)
	if err != nil {
		_ = b.Close()
		return nil, Attrs{}, err
	}
	r, err := b.NewReader(ctx, o.key, nil)
	if err != nil {
		_ = b.Close()
		return nil, Attrs{}, notFoundOrBucket(ctx, b, err, "read", o)
	}
	return &reader{r: r, b: b, o: o}, a, nil
}

type reader struct {
	r *blob.Reader
	b *blob.Bucket
	o Object
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = classify(err, "read", r.o)
	}
	return n, err
}

func (r *reader) WriteTo(w io.Writer) (int64, error) {
	n, err := r.r.WriteTo(w)
	if err != nil {
		err = classify(err, "read", r.o)
	}
	return n, err
}

func (r *reader) Close() error {
	err := r.r.Close()
	if berr := r.b.Close(); err == nil {
		err = berr
	}
	return err
}

// Delete removes o (for tests and tools; the provider never deletes an archive it wrote).
func Delete(ctx context.Context, o Object) error {
	b, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer func() { _ = b.Close() }()
	if err := b.Delete(ctx, o.key); err != nil {
		return notFoundOrBucket(ctx, b, err, "delete", o)
	}
	return nil
}

// List returns the keys in o's bucket under prefix (for tests and tools).
func List(ctx context.Context, o Object, prefix string) ([]string, error) {
	b, err := open(ctx, o)
	if err != nil {
		return nil, err
	}
	defer func() { _ = b.Close() }()
	var keys []string
	it := b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, classify(err, "list the bucket of", o)
		}
		keys = append(keys, obj.Key)
	}
	return keys, nil
}

// fullObjectChecksum says whether an S3 upload declares a full-object CRC32 (see s3PartsOnly):
// when the URL says full_object_checksum=true, unless it also turns checksums off.
func fullObjectChecksum(param string, calc aws.RequestChecksumCalculation) bool {
	return param == "true" && calc != aws.RequestChecksumCalculationWhenRequired
}

// abortTimeout bounds the abort of a multipart upload after a failure or a cancel.
const abortTimeout = 30 * time.Second

// s3PartsOnly makes an S3 upload buffer parts only in the transfer manager's pool: by default it
// first reads up to 16 MiB (its multipart threshold) with io.ReadAll, a growing slice that
// doubles on the way, before it uses the pool; with the threshold at one part size, that first
// read is one part. The transfer manager is otherwise configured as gocloud does (part size,
// concurrency, the client's checksum setting), plus a FailTimeout so that an abort is sent.
//
// It also chooses the upload's checksum type. With full_object_checksum=true in the URL the
// upload declares a full-object CRC32 (x-amz-checksum-type FULL_OBJECT): the SDK sends each
// part's CRC32 as it would, and the store checks the whole archive's when the upload completes.
// Otherwise the object gets the SDK's default, a composite checksum (a checksum of the parts'
// checksums), which a copy cannot keep: MinIO then makes SetMetadata's copy a rewrite of the
// whole archive to compute a new checksum (0.6 s for 256 MiB) instead of an update of the
// metadata in place (10-30 ms). It is not the default because stores differ (Cloudflare R2 takes
// full-object checksums for CRC-64/NVME only, which this transfer manager cannot complete, and
// AWS S3 copies the data whatever the checksum), and nothing is declared when the URL turns
// checksums off (request_checksum_calculation=when_required).
func s3PartsOnly(b *blob.Bucket, o Object, opts WriterOptions) func(asFunc func(any) bool) error {
	return func(asFunc func(any) bool) error {
		var client *s3.Client
		var tm *transfermanager.Client // the writer's own: gocloud hands out its pointer
		if !b.As(&client) || !asFunc(&tm) || tm == nil {
			return nil // not S3
		}
		checksum := client.Options().RequestChecksumCalculation
		var in *transfermanager.UploadObjectInput // the upload's request, filled by gocloud
		if fullObjectChecksum(o.fullObject, checksum) && asFunc(&in) && in != nil {
			in.ChecksumAlgorithm = tmtypes.ChecksumAlgorithmCrc32
			in.ChecksumType = tmtypes.ChecksumTypeFullObject
		}
		*tm = *transfermanager.New(client, func(o *transfermanager.Options) {
			o.PartSizeBytes = int64(opts.partSize())
			o.Concurrency = opts.concurrency()
			o.MultipartUploadThreshold = int64(opts.partSize())
			o.RequestChecksumCalculation = checksum
			// Aborting a multipart upload after a cancel (SIGINT, a failure) needs a context of its
			// own: without FailTimeout the abort is sent with the cancelled one, fails at once, and
			// leaves the upload's parts in the bucket.
			o.FailTimeout = abortTimeout
		})
		return nil
	}
}
