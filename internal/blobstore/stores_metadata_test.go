package blobstore_test

// The metadata step on gs:// (fake-gcs-server) and azblob:// (Azurite), as TestMinIOSetMetadata
// proves it on s3://.

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/gcstest"
)

// On GCS, in a bucket with object versioning, the generation the upload made is deleted: one
// generation of the archive is kept.
func TestGCSSetMetadata(t *testing.T) {
	storeSetMetadata(t, gcsStore(t), false)
	it := gcstest.Shared(t).Client(t).Bucket(metaStepBucket).Objects(context.Background(), &storage.Query{Versions: true, Prefix: metaStepKey})
	var gens []int64
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, a.Generation)
	}
	if len(gens) != 1 {
		t.Errorf("generations kept: %v, want one", gens)
	}
}

func TestAzuriteSetMetadata(t *testing.T) { storeSetMetadata(t, azuriteStore(t), true) }

// storeSetMetadata: the hashes become the object's metadata beside the upload's, the bytes and
// content type stay, and the attributes returned are the object's. With replaced, an object
// written at the key meanwhile is left alone (fake-gcs-server ignores the ifGenerationMatch
// condition of a rewrite, which GCS honours: not checked there).
const metaStepBucket, metaStepKey = "meta-step", "xano/ws-1.tar.gz"

func storeSetMetadata(t *testing.T, s store, replaced bool) {
	ctx := context.Background()
	const bucket, key = metaStepBucket, metaStepKey
	s.create(t, bucket)
	o := mustParse(t, s.url(bucket, key))
	body := randomBytes(t, 3<<20)
	prior := writeWith(t, o, body, map[string]string{"xano-written-by": "test", "xano-branch": "vé 1"}, blobstore.WriterOptions{})
	after, note, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab12"})
	if err != nil || note != "" {
		t.Fatalf("SetMetadata = %v, note %q", err, note)
	}
	head, err := blobstore.Stat(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if head.Metadata["xano-archive-sha256"] != "ab12" || head.Metadata["xano-branch"] != "vé 1" ||
		head.ETag != after.ETag || head.VersionID != after.VersionID || head.ContentType != prior.ContentType {
		t.Errorf("HEAD = %+v, SetMetadata returned %+v", head, after)
	}
	if got, _ := s.get(t, bucket, key); !bytes.Equal(got, body) {
		t.Error("the object's bytes changed")
	}
	if !replaced {
		return
	}
	w, err := blobstore.NewWriter(ctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("someone else's")); err != nil {
		t.Fatal(err)
	}
	other, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := blobstore.SetMetadata(ctx, o, head, map[string]string{"xano-archive-sha256": "cd"}); err == nil {
		t.Error("SetMetadata of a replaced object succeeded")
	}
	if now, err := blobstore.Stat(ctx, o); err != nil || now.ETag != other.ETag || now.Metadata["xano-archive-sha256"] != "" {
		t.Errorf("the other object was changed: %+v %v", now, err)
	}
}
