package blobstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

// TestSetMetadataTooLargeForS3: an S3 object above the CopyObject limit is left alone (no
// request is made).
func TestSetMetadataTooLargeForS3(t *testing.T) {
	o := mustParse(t, "s3://bucket/key.tar.gz?region=us-east-1")
	_, _, err := blobstore.SetMetadata(context.Background(), o, blobstore.Attrs{Size: blobstore.S3CopyLimit + 1}, map[string]string{"xano-archive-sha256": "ab"})
	if !errors.Is(err, blobstore.ErrTooLargeToCopy) {
		t.Fatalf("err = %v, want ErrTooLargeToCopy", err)
	}
}

// TestSetMetadataFile: a file object takes the metadata (gocloud's sidecar) with its bytes
// unchanged, and no temporary file is left; a file replaced since it was written is not.
func TestSetMetadataFile(t *testing.T) {
	dir := t.TempDir()
	o := mustParse(t, "file://"+filepath.ToSlash(dir)+"/ws-1.tar.gz")
	ctx := context.Background()
	prior := write(t, o, "first archive", map[string]string{"xano-written-by": "test"})
	after, note, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab12"})
	if err != nil || note != "" {
		t.Fatalf("SetMetadata = %v, note %q", err, note)
	}
	head, err := blobstore.Stat(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if head.Metadata["xano-archive-sha256"] != "ab12" || head.Metadata["xano-written-by"] != "test" || head.ETag != after.ETag ||
		head.ContentType != prior.ContentType {
		t.Errorf("after = %+v, HEAD = %+v", after, head)
	}
	assertContent(t, o, "first archive", head)
	assertFiles(t, dir, "ws-1.tar.gz")

	// Replaced by another writer since: left alone.
	if err := os.WriteFile(filepath.Join(dir, "ws-1.tar.gz"), []byte("someone else's archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := blobstore.SetMetadata(ctx, o, after, map[string]string{"xano-archive-sha256": "ef"}); err == nil {
		t.Error("SetMetadata of a replaced file succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ws-1.tar.gz")); string(b) != "someone else's archive" {
		t.Errorf("the file is now %q", b)
	}
}

// TestSetMetadataKeys: keys that would not read back under the same name are refused.
func TestSetMetadataKeys(t *testing.T) {
	o := mustParse(t, "file://"+filepath.ToSlash(t.TempDir())+"/a.tar.gz")
	prior := write(t, o, "x", nil)
	if _, _, err := blobstore.SetMetadata(context.Background(), o, prior, map[string]string{"bad key": "v"}); err == nil {
		t.Error("a key with a space was accepted")
	}
}
