package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

// versions lists the versions (and delete markers) of key in bucket.
func versions(t *testing.T, srv *miniotest.Server, bucket, key string) (ids []string, markers int) {
	t.Helper()
	out, err := srv.Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list versions of %s/%s: %v", bucket, key, err)
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			markers++
		}
	}
	return ids, markers
}

// TestMinIOSetMetadata: after the upload, the hashes become the object's metadata through a
// server-side copy: a HEAD shows them beside the metadata written with the upload, the bytes
// and content type are the same, and a versioned bucket keeps one version of the archive.
func TestMinIOSetMetadata(t *testing.T) {
	srv := miniotest.Shared(t)
	for _, versioned := range []bool{true, false} {
		name := map[bool]string{true: "meta-versioned", false: "meta-unversioned"}[versioned]
		t.Run(name, func(t *testing.T) {
			srv.CreateBucket(t, name, versioned)
			ctx := context.Background()
			o := mustParse(t, srv.URL(name, "xano/ws-1.tar.gz", ""))
			body := randomBytes(t, 12<<20)
			prior := writeMultipart(t, o, body, map[string]string{"xano-branch": "vé 1", "xano-written-by": "test"})
			if versioned != (prior.VersionID != "") {
				t.Fatalf("version id %q in a bucket with versioning %v", prior.VersionID, versioned)
			}

			md := map[string]string{"xano-archive-sha256": "ab12", "xano-content-sha256": "cd34"}
			after, note, err := blobstore.SetMetadata(ctx, o, prior, md)
			if err != nil || note != "" {
				t.Fatalf("SetMetadata = %v, note %q", err, note)
			}
			if after.Size != prior.Size || after.ContentType != "application/gzip" {
				t.Errorf("after = %+v, prior %+v", after, prior)
			}

			if versioned && (after.VersionID == "" || after.VersionID == prior.VersionID) {
				t.Errorf("version after the copy = %q, prior %q", after.VersionID, prior.VersionID)
			}
			head, err := blobstore.Stat(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"xano-branch": "vé 1", "xano-written-by": "test", "xano-archive-sha256": "ab12", "xano-content-sha256": "cd34"}
			for k, v := range want {
				if head.Metadata[k] != v {
					t.Errorf("HEAD metadata %s = %q, want %q (all: %v)", k, head.Metadata[k], v, head.Metadata)
				}
			}
			if head.ETag != after.ETag || head.VersionID != after.VersionID || head.ContentType != "application/gzip" {
				t.Errorf("HEAD = %+v, SetMetadata returned %+v", head, after)
			}
			got, _ := srv.Get(t, name, "xano/ws-1.tar.gz")
			if !bytes.Equal(got, body) {
				t.Error("the object's bytes changed")
			}
			ids, markers := versions(t, srv, name, "xano/ws-1.tar.gz")
			if len(ids) != 1 || markers != 0 || (versioned && ids[0] != after.VersionID) {
				t.Errorf("versions = %v (+%d delete markers), want only %q", ids, markers, after.VersionID)
			}
		})
	}
}

// TestMinIOSetMetadataReplacedObject: an object written at the key by someone else after the
// upload is neither copied nor changed.
func TestMinIOSetMetadataReplacedObject(t *testing.T) {
	srv := miniotest.Shared(t)
	for _, versioned := range []bool{true, false} {
		name := map[bool]string{true: "meta-replaced-v", false: "meta-replaced-u"}[versioned]
		t.Run(name, func(t *testing.T) {
			srv.CreateBucket(t, name, versioned)
			ctx := context.Background()
			o := mustParse(t, srv.URL(name, "k.tar.gz", ""))
			prior := writeMultipart(t, o, randomBytes(t, 1<<20), nil)
			srv.Put(t, name, "k.tar.gz", []byte("someone else's"))
			other, err := blobstore.Stat(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab"})
			if err == nil {
				t.Fatal("SetMetadata of a replaced object succeeded")
			}
			noSecrets(t, err)
			t.Logf("error: %v", err)
			now, serr := blobstore.Stat(ctx, o)
			if serr != nil || now.ETag != other.ETag || now.VersionID != other.VersionID || now.Metadata["xano-archive-sha256"] != "" {
				t.Errorf("the other object was changed: %+v %v (was %+v)", now, serr, other)
			}
			if versioned {
				if ids, _ := versions(t, srv, name, "k.tar.gz"); len(ids) != 2 {
					t.Errorf("versions = %v, want the upload's and the other's", ids)
				}
			}
		})
	}
}

// TestMinIOSetMetadataLockedVersion: when the bucket refuses to delete the upload's version
// (object lock), the metadata is still set and a note says the version was kept.
func TestMinIOSetMetadataLockedVersion(t *testing.T) {
	srv := miniotest.Shared(t)
	ctx := context.Background()
	c := srv.Client()
	const name = "meta-locked"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("create a bucket with object lock: %v", err)
	}
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(name),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}); err != nil {
		t.Fatalf("default retention: %v", err)
	}
	o := mustParse(t, srv.URL(name, "locked.tar.gz", ""))
	body := randomBytes(t, 1<<20)
	// Object lock wants a Content-MD5 or checksum on each write: one part, which the SDK checksums.
	prior := writeMultipart(t, o, body, nil)
	after, note, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("note: %s", note)
	if note == "" || !bytes.Contains([]byte(note), []byte(prior.VersionID)) {
		t.Errorf("note = %q, want one naming the kept version %s", note, prior.VersionID)
	}
	if after.Metadata["xano-archive-sha256"] != "ab" {
		t.Errorf("metadata = %v", after.Metadata)
	}
	if ids, _ := versions(t, srv, name, "locked.tar.gz"); len(ids) != 2 {
		t.Errorf("versions = %v, want both (the upload's is locked)", ids)
	}
}

// TestMinIOSetMetadataDenied: a store that refuses the copy leaves the object as uploaded, and
// the error says what to grant.
func TestMinIOSetMetadataDenied(t *testing.T) {
	srv := miniotest.Shared(t)
	const name = "meta-denied"
	srv.CreateBucket(t, name, false)
	srv.AllowAnonymousWritesWithoutMetadataCopy(t, name)
	ctx := context.Background()
	o := mustParse(t, srv.URL(name, "k.tar.gz", "")+"&anonymous=true")
	body := randomBytes(t, 1<<20)
	prior := writeMultipart(t, o, body, map[string]string{"xano-written-by": "test"})
	_, _, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab"})
	if !errors.Is(err, blobstore.ErrAccessDenied) || !strings.Contains(err.Error(), "s3:PutObject") {
		t.Fatalf("SetMetadata = %v, want access denied naming s3:PutObject", err)
	}
	noSecrets(t, err)
	now, serr := blobstore.Stat(ctx, o)
	if serr != nil || now.ETag != prior.ETag || now.Metadata["xano-archive-sha256"] != "" || now.Metadata["xano-written-by"] != "test" {
		t.Errorf("after a denied copy the object is %+v %v, want it as uploaded (%+v)", now, serr, prior)
	}
	if got, _ := srv.Get(t, name, "k.tar.gz"); !bytes.Equal(got, body) {
		t.Error("the object's bytes changed")
	}
}

// BenchmarkMinIOSetMetadata compares the metadata step with the upload it follows, for one
// 256 MiB archive in one run: the ratio is what the step adds to an export to S3 (the copy is
// server-side: no byte passes through the provider).
func BenchmarkMinIOSetMetadata(b *testing.B) {
	srv := miniotest.Shared(b)
	body := make([]byte, 256<<20)
	if _, err := rand.Read(body); err != nil {
		b.Fatal(err)
	}
	for _, versioned := range []bool{false, true} {
		name := map[bool]string{true: "meta-bench-versioned", false: "meta-bench-unversioned"}[versioned]
		srv.CreateBucket(b, name, versioned)
		o, err := blobstore.Parse(srv.URL(name, "bench.tar.gz", ""))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { benchSetMetadata(b, o, body) })
	}
}

func benchSetMetadata(b *testing.B, o blobstore.Object, body []byte) {
	ctx := context.Background()
	upload := func(b *testing.B) blobstore.Attrs {
		w, err := blobstore.NewWriter(ctx, o, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			b.Fatal(err)
		}
		a, err := w.Commit()
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			upload(b)
		}
	})
	// Each step follows an upload of its own (not timed), as in an export: a second copy of an
	// object already copied once would measure something else.
	b.Run("set-metadata", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			prior := upload(b)
			b.StartTimer()
			if _, _, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": fmt.Sprint(i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestMinIOSetMetadataCancelled: an interrupt before the copy leaves the object as uploaded, and
// the error says it was cancelled.
func TestMinIOSetMetadataCancelled(t *testing.T) {
	srv := miniotest.Shared(t)
	const name = "meta-cancelled"
	srv.CreateBucket(t, name, true)
	o := mustParse(t, srv.URL(name, "k.tar.gz", ""))
	prior := writeMultipart(t, o, randomBytes(t, 1<<20), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab"}); !errors.Is(err, blobstore.ErrCanceled) {
		t.Fatalf("SetMetadata with a cancelled context = %v, want ErrCanceled", err)
	}
	now, err := blobstore.Stat(context.Background(), o)
	if err != nil || now.ETag != prior.ETag || now.VersionID != prior.VersionID || now.Metadata["xano-archive-sha256"] != "" {
		t.Errorf("after the interrupt the object is %+v %v, want it as uploaded (%+v)", now, err, prior)
	}
	if ids, _ := versions(t, srv, name, "k.tar.gz"); len(ids) != 1 {
		t.Errorf("versions = %v", ids)
	}
}

// TestMinIOFullObjectChecksum: with full_object_checksum=true an S3 upload declares a full-object
// CRC32, over http (each part's SHA-256 signed) and over https (parts unsigned, with trailing
// checksums, as every cloud store is reached; the store's private CA trusted through
// AWS_CA_BUNDLE): the store checks the whole archive's CRC32 when the upload completes, and the
// metadata step then updates the metadata in place (the ETag stays). Without it (the default) the
// object has the SDK's composite checksum, which MinIO's copy cannot keep:
// it writes the archive again (a new ETag), the cost the parameter avoids.
func TestMinIOFullObjectChecksum(t *testing.T) {
	for _, c := range []struct {
		name        string
		tls, param  bool
		wantType    s3types.ChecksumType
		wantInPlace bool
	}{
		{"http", false, true, s3types.ChecksumTypeFullObject, true},
		{"https", true, true, s3types.ChecksumTypeFullObject, true},
		{"default", false, false, s3types.ChecksumTypeComposite, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := miniotest.Shared(t)
			if c.tls {
				srv = miniotest.StartTLS(t)
				t.Setenv("AWS_CA_BUNDLE", srv.CABundle)
			}
			bucket := "checksum-" + c.name
			srv.CreateBucket(t, bucket, false)
			ctx := context.Background()
			url := srv.URL(bucket, "ws.tar.gz", "")
			if c.param {
				url += "&" + blobstore.FullObjectChecksumParam + "=true"
			}
			o := mustParse(t, url)
			body := randomBytes(t, 12<<20) // three parts of 5 MiB
			prior := writeMultipart(t, o, body, nil)
			if !strings.HasSuffix(strings.Trim(prior.ETag, `"`), "-3") {
				t.Fatalf("ETag %s: want a multipart upload of 3 parts", prior.ETag)
			}
			head, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("ws.tar.gz"),
				ChecksumMode: s3types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if head.ChecksumType != c.wantType {
				t.Errorf("checksum type %s, want %s", head.ChecksumType, c.wantType)
			}
			if c.wantType == s3types.ChecksumTypeFullObject {
				sum := crc32.ChecksumIEEE(body)
				want := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
				if got := aws.ToString(head.ChecksumCRC32); got != want {
					t.Errorf("full-object CRC32 %q, want %q (the whole archive's)", got, want)
				}
			}
			after, _, err := blobstore.SetMetadata(ctx, o, prior, map[string]string{"xano-archive-sha256": "ab12"})
			if err != nil {
				t.Fatal(err)
			}
			if after.Metadata["xano-archive-sha256"] != "ab12" || (after.ETag == prior.ETag) != c.wantInPlace {
				t.Errorf("after the metadata step: ETag %s (upload's %s), metadata %v: want an update in place %v",
					after.ETag, prior.ETag, after.Metadata, c.wantInPlace)
			}
			r, _, err := blobstore.NewReader(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			_ = r.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("read back %d bytes (%v), want the %d uploaded", len(got), err, len(body))
			}
		})
	}
}

// TestMinIOUntrustedCertificate: a store on https whose certificate the runner does not trust
// (a private CA, AWS_CA_BUNDLE unset) is an unreachable store whose error says to set
// AWS_CA_BUNDLE, and nothing is written.
func TestMinIOUntrustedCertificate(t *testing.T) {
	srv := miniotest.StartTLS(t)
	srv.CreateBucket(t, "untrusted", false)
	t.Setenv("AWS_CA_BUNDLE", "")
	o := mustParse(t, srv.URL("untrusted", "ws.tar.gz", ""))
	_, err := blobstore.Stat(context.Background(), o)
	if !errors.Is(err, blobstore.ErrUnreachable) || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
		t.Fatalf("Stat = %v, want unreachable, naming AWS_CA_BUNDLE", err)
	}
	noSecrets(t, err)
	err = refusedWrite(context.Background(), o, blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 1}, randomBytes(t, 6<<20))
	if !errors.Is(err, blobstore.ErrUnreachable) || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
		t.Fatalf("upload = %v, want unreachable, naming AWS_CA_BUNDLE", err)
	}
	if keys := srv.Keys(t, "untrusted"); len(keys) != 0 {
		t.Errorf("keys after a refused certificate: %v", keys)
	}
}
