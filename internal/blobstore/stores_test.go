package blobstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/azuritetest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/gcstest"
)

// store is one emulated object store, as the round trip below sees it: the URL of a key, and
// the store's own view of a bucket, read with its own client (not through blobstore).
type store struct {
	url     func(bucket, key string) string
	create  func(t testing.TB, bucket string)
	keys    func(t testing.TB, bucket string) []string
	get     func(t testing.TB, bucket, key string) ([]byte, string)
	pending func(t testing.TB, bucket string) []string // uploads begun and never completed
	// versions says whether the store reports a version id (GCS generations; Azurite has no
	// blob versioning).
	versions bool
}

func gcsStore(t *testing.T) store {
	srv := gcstest.Shared(t)
	return store{
		url:      srv.URL,
		create:   func(t testing.TB, b string) { srv.CreateBucket(t, b, true) },
		keys:     srv.Keys,
		get:      srv.Get,
		pending:  func(testing.TB, string) []string { return nil }, // GCS lists no unfinished uploads
		versions: true,
	}
}

func azuriteStore(t *testing.T) store {
	srv := azuritetest.Shared(t)
	return store{
		url:     srv.URL,
		create:  srv.CreateContainer,
		keys:    srv.Keys,
		get:     srv.Get,
		pending: srv.Uncommitted,
	}
}

// The round trip of gs:// (fake-gcs-server) and azblob:// (Azurite), as TestMinIOWriteStatRead
// proves s3://: a write in several parts appears only at Commit with the provider's metadata;
// Stat and a read give it back byte for byte; an abort and a cancel leave nothing at the key and
// the previous object as it was; a missing object and a missing bucket are told apart; Delete
// removes it.
func TestGCSRoundTrip(t *testing.T)     { roundTrip(t, gcsStore(t)) }
func TestAzuriteRoundTrip(t *testing.T) { roundTrip(t, azuriteStore(t)) }

func roundTrip(t *testing.T, s store) {
	ctx := context.Background()
	const bucket, key = "round-trip", "xano/ws-1.tar.gz"
	s.create(t, bucket)
	o := mustParse(t, s.url(bucket, key))

	if _, err := blobstore.Stat(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("Stat of a missing object = %v, want ErrNotFound", err)
	}
	if _, _, err := blobstore.NewReader(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("NewReader of a missing object = %v, want ErrNotFound", err)
	}
	missing := mustParse(t, s.url("no-such-bucket", key))
	if _, err := blobstore.Stat(ctx, missing); !errors.Is(err, blobstore.ErrBucketNotFound) || !strings.Contains(err.Error(), "create the") {
		t.Errorf("Stat in a missing bucket = %v, want ErrBucketNotFound naming the fix", err)
	}
	err := refusedWrite(ctx, missing, blobstore.WriterOptions{}, []byte("some archive"))
	if !errors.Is(err, blobstore.ErrBucketNotFound) {
		t.Errorf("a write to a missing bucket = %v, want ErrBucketNotFound", err)
	}
	noStoreSecrets(t, err)

	// More than two parts of 5 MiB: a resumable upload in chunks (GCS), blocks (Azure).
	body := randomBytes(t, 12<<20)
	opts := blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 2}
	w, err := blobstore.NewWriterWithOptions(ctx, o, map[string]string{"xano-archive-sha256": "abc"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(body[:7<<20])); err != nil {
		t.Fatal(err)
	}
	if keys := s.keys(t, bucket); len(keys) != 0 {
		t.Errorf("before Commit the bucket already shows %v", keys)
	}
	if _, err := io.Copy(w, bytes.NewReader(body[7<<20:])); err != nil {
		t.Fatal(err)
	}
	a, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != int64(len(body)) || a.ETag == "" || a.Metadata["xano-archive-sha256"] != "abc" {
		t.Errorf("Commit attrs = %+v", a)
	}
	if s.versions && a.VersionID == "" {
		t.Errorf("Commit attrs have no version id: %+v", a)
	}
	got, etag := s.get(t, bucket, key)
	if !bytes.Equal(got, body) {
		t.Errorf("the store holds %d bytes that differ from the %d written", len(got), len(body))
	}
	if etag != a.ETag {
		t.Errorf("the store's ETag is %s, Commit reported %s", etag, a.ETag)
	}
	st, err := blobstore.Stat(ctx, o)
	if err != nil || st.ETag != a.ETag || st.Size != a.Size || st.VersionID != a.VersionID || st.Metadata["xano-archive-sha256"] != "abc" {
		t.Errorf("Stat = %+v %v, want %+v", st, err, a)
	}
	r, ra, err := blobstore.NewReader(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil || !bytes.Equal(rb, body) || ra.ETag != a.ETag {
		t.Errorf("NewReader: %v, %d bytes (identical: %v), etag %s want %s", err, len(rb), bytes.Equal(rb, body), ra.ETag, a.ETag)
	}
	if keys, err := blobstore.List(ctx, o, "xano/"); err != nil || strings.Join(keys, ",") != key {
		t.Errorf("List = %v %v, want [%s]", keys, err, key)
	}

	// An abort after parts were sent leaves nothing new: the previous object is as it was.
	w, err = blobstore.NewWriterWithOptions(ctx, o, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 11<<20)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if st, err := blobstore.Stat(ctx, o); err != nil || st.ETag != a.ETag || st.VersionID != a.VersionID {
		t.Errorf("after Abort, Stat = %+v %v, want the previous object %+v", st, err, a)
	}
	if got, _ := s.get(t, bucket, key); !bytes.Equal(got, body) {
		t.Error("after Abort the object's bytes changed")
	}

	// The same through a cancelled context (an interrupt), at a new key: nothing appears there.
	other := mustParse(t, s.url(bucket, "xano/cancelled.tar.gz"))
	cctx, cancel := context.WithCancel(ctx)
	w, err = blobstore.NewWriterWithOptions(cctx, other, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 11<<20)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := w.Commit(); !errors.Is(err, blobstore.ErrCanceled) {
		t.Errorf("Commit after cancel = %v, want ErrCanceled", err)
	}
	if _, err := blobstore.Stat(ctx, other); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("after a cancelled write, Stat = %v, want ErrNotFound", err)
	}
	if keys := s.keys(t, bucket); strings.Join(keys, ",") != key {
		t.Errorf("after Abort and cancel the bucket holds %v, want [%s]", keys, key)
	}
	if p := s.pending(t, bucket); len(p) != 0 {
		t.Logf("unfinished uploads the store keeps (invisible to readers, expired by the store): %v", p)
	}

	if err := blobstore.Delete(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := blobstore.Stat(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	if err := blobstore.Delete(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Delete of a missing object = %v, want ErrNotFound", err)
	}
	if keys := s.keys(t, bucket); len(keys) != 0 {
		t.Errorf("after Delete the bucket holds %v", keys)
	}
}

// noStoreSecrets fails when err's text holds the Azurite account key.
func noStoreSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range azuritetest.Secrets() {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text holds a credential: %v", err)
		}
	}
}

// A store that refuses the environment's Azure key (a rotated key): a write and a stat fail as
// credential errors naming AZURE_STORAGE_KEY, with no key in the text, and nothing is written.
func TestAzuriteWrongKey(t *testing.T) {
	srv := azuritetest.StartWrongKey(t)
	ctx := context.Background()
	o := mustParse(t, srv.URL("wrong-key", "k.tar.gz"))
	err := refusedWrite(ctx, o, blobstore.WriterOptions{}, []byte("some archive"))
	if !errors.Is(err, blobstore.ErrCredentials) || !strings.Contains(err.Error(), "AZURE_STORAGE_KEY") {
		t.Errorf("a write with a rotated key = %v, want ErrCredentials naming AZURE_STORAGE_KEY", err)
	}
	noStoreSecrets(t, err)
	_, err = blobstore.Stat(ctx, o)
	if !errors.Is(err, blobstore.ErrCredentials) {
		t.Errorf("Stat with a rotated key = %v, want ErrCredentials", err)
	}
	noStoreSecrets(t, err)
}
