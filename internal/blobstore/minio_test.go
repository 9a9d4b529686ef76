package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/azuritetest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/gcstest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	miniotest.StopAll()
	gcstest.StopAll()
	azuritetest.StopAll()
	os.Exit(code)
}

// noSecrets fails when err's text holds a credential of the MinIO servers.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range miniotest.Secrets() {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text holds a credential: %v", err)
		}
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMinIOWriteStatRead(t *testing.T) {
	srv := miniotest.Shared(t)
	srv.CreateBucket(t, "rw-bucket", true)
	ctx := context.Background()
	o := mustParse(t, srv.URL("rw-bucket", "xano/ws-1.tar.gz", ""))

	if _, err := blobstore.Stat(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("Stat of a missing object = %v", err)
	}
	body := randomBytes(t, 12<<20) // more than two parts of 5 MiB: a multipart upload
	a := writeMultipart(t, o, body, map[string]string{"xano-archive-sha256": "abc"})
	if a.Size != int64(len(body)) || a.ETag == "" || a.VersionID == "" || a.Metadata["xano-archive-sha256"] != "abc" {
		t.Errorf("attrs = %+v", a)
	}
	got, etag := srv.Get(t, "rw-bucket", "xano/ws-1.tar.gz")
	if !bytes.Equal(got, body) || etag != a.ETag {
		t.Errorf("object differs (etag %s, want %s)", etag, a.ETag)
	}
	r, ra, err := blobstore.NewReader(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil || !bytes.Equal(rb, body) || ra.VersionID != a.VersionID {
		t.Errorf("NewReader: %v, version %s want %s", err, ra.VersionID, a.VersionID)
	}
	if ra.ModTime.IsZero() || time.Since(ra.ModTime) > time.Hour || time.Until(ra.ModTime) > time.Hour {
		t.Errorf("NewReader: ModTime %v is not the object's Last-Modified", ra.ModTime)
	}

	// An aborted multipart upload leaves no object, no upload in progress, and the previous
	// object as it was.
	w, err := blobstore.NewWriterWithOptions(ctx, o, nil, blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 11<<20)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if up := srv.Uploads(t, "rw-bucket"); len(up) != 0 {
		t.Errorf("uploads left after Abort: %v", up)
	}
	s, err := blobstore.Stat(ctx, o)
	if err != nil || s.ETag != a.ETag || s.VersionID != a.VersionID {
		t.Errorf("after Abort, Stat = %+v %v, want the previous object %+v", s, err, a)
	}

	// The same through a cancelled context (an interrupt).
	cctx, cancel := context.WithCancel(ctx)
	w, err = blobstore.NewWriterWithOptions(cctx, o, nil, blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 11<<20)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := w.Commit(); !errors.Is(err, blobstore.ErrCanceled) {
		t.Errorf("Commit after cancel = %v", err)
	}
	if up := srv.Uploads(t, "rw-bucket"); len(up) != 0 {
		t.Errorf("uploads left after a cancel: %v", up)
	}
	if keys := srv.Keys(t, "rw-bucket"); strings.Join(keys, ",") != "xano/ws-1.tar.gz" {
		t.Errorf("bucket holds %v", keys)
	}
}

func TestMinIOFaults(t *testing.T) {
	srv := miniotest.Shared(t)
	srv.CreateBucket(t, "faults", false)
	srv.AllowAnonymousRead(t, "faults")
	ctx := context.Background()

	check := func(name string, raw string, want error, fix string) {
		t.Helper()
		o := mustParse(t, raw)
		w, err := blobstore.NewWriter(ctx, o, nil)
		if err == nil {
			_, err = w.Write([]byte("some archive"))
			if err == nil {
				_, err = w.Commit()
			} else {
				w.Abort()
			}
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: write = %v, want %v", name, err, want)
		} else if !strings.Contains(err.Error(), fix) {
			t.Errorf("%s: error does not say %q: %v", name, fix, err)
		}
		noSecrets(t, err)
	}
	check("wrong secret", srv.URL("faults", "k", miniotest.ProfileWrong), blobstore.ErrCredentials, "profile")
	check("unknown profile", srv.URL("faults", "k", "no-such-profile"), blobstore.ErrCredentials, "profile")
	check("missing bucket", srv.URL("no-such-bucket", "k", ""), blobstore.ErrBucketNotFound, "create the bucket")
	check("access denied", srv.URL("faults", "k", "")+"&anonymous=true", blobstore.ErrAccessDenied, "s3:PutObject")
	if keys := srv.Keys(t, "faults"); len(keys) != 0 {
		t.Errorf("faults left objects: %v", keys)
	}

	_, err := blobstore.Stat(ctx, mustParse(t, srv.URL("no-such-bucket", "k", "")))
	if !errors.Is(err, blobstore.ErrBucketNotFound) {
		t.Errorf("Stat in a missing bucket = %v", err)
	}
	noSecrets(t, err)
	_, err = blobstore.Stat(ctx, mustParse(t, srv.URL("faults", "k", miniotest.ProfileWrong)))
	if !errors.Is(err, blobstore.ErrCredentials) {
		t.Errorf("Stat with a wrong secret = %v", err)
	}
	noSecrets(t, err)
}

func TestMinIOStopped(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket(t, "stopped", false)
	ctx := context.Background()
	o := mustParse(t, srv.URL("stopped", "k", "")+"&rate_limiter_capacity=1")
	w, err := blobstore.NewWriterWithOptions(ctx, o, nil, blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 6<<20)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, err = w.Write(randomBytes(t, 6<<20))
	if err == nil {
		_, err = w.Commit()
	} else {
		w.Abort()
	}
	if !errors.Is(err, blobstore.ErrUnreachable) {
		t.Errorf("write to a stopped store = %v, want ErrUnreachable", err)
	}
	noSecrets(t, err)
	_, err = blobstore.Stat(ctx, o)
	if !errors.Is(err, blobstore.ErrUnreachable) || !strings.Contains(err.Error(), "endpoint=") {
		t.Errorf("Stat of a stopped store = %v", err)
	}
}
