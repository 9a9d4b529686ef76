package blobstore_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

func TestParse(t *testing.T) {
	good := []struct{ raw, key, scheme string }{
		{"s3://backups/xano/ws-1.tar.gz?region=eu-west-1", "xano/ws-1.tar.gz", "s3"},
		{"s3://b/k?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1&profile=ci", "k", "s3"},
		{"gs://bucket/a/b.tar.gz", "a/b.tar.gz", "gs"},
		{"azblob://container/key", "key", "azblob"},
		{"file:///abs/dir/key.tar.gz", "key.tar.gz", "file"},
		{"s3://b/k?web_identity_token_file=/var/run/token&kmskeyid=abc", "k", "s3"},
		{"s3://b/k?endpoint=http://127.0.0.1:9000&full_object_checksum=true", "k", "s3"},
	}
	for _, c := range good {
		o, err := blobstore.Parse(c.raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.raw, err)
			continue
		}
		if o.Key() != c.key || o.Scheme() != c.scheme || o.String() != c.raw {
			t.Errorf("Parse(%q) = key %q scheme %q string %q", c.raw, o.Key(), o.Scheme(), o.String())
		}
	}

	bad := []struct{ raw, want string }{
		{"", "empty"},
		{"s3://AKIAEXAMPLE:verysecretvalue@bucket/key", "credentials"},
		{"s3://bucket/key?aws_secret_access_key=verysecretvalue", `"aws_secret_access_key"`},
		{"azblob://c/k?sv=2020&sig=verysecretvalue", `looks like a credential`},
		{"s3://bucket/key?X-Amz-Credential=verysecretvalue", "credential"},
		{"gs://bucket/key?access_token=verysecretvalue", "credential"},
		{"s3://bucket/", "no object key"},
		{"s3://bucket/key?full_object_checksum=yes", "full_object_checksum=true or full_object_checksum=false"},
		{"s3://bucket", "no object key"},
		{"s3:///key", "no bucket"},
		{"http://bucket/key", `scheme "http"`},
		{"mem://bucket/key", `scheme "mem"`},
		{"bucket/key", "no scheme"},
		{"file://host/dir/key", "names a host"},
		{"file:///dir/", "no object key"},
		{"file:///dir/../key", "not clean"},
		{"s3://bucket/key#frag", "fragment"},
	}
	for _, c := range bad {
		_, err := blobstore.Parse(c.raw)
		if err == nil {
			t.Errorf("Parse(%q): no error", c.raw)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want it to mention %q", c.raw, err, c.want)
		}
		if strings.Contains(err.Error(), "verysecretvalue") {
			t.Errorf("Parse(%q) error repeats the secret: %v", c.raw, err)
		}
	}
}

func TestChild(t *testing.T) {
	o, err := blobstore.Parse("s3://b/backups/ws-1?region=eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	c := o.Child("manifest.json")
	if c.Key() != "backups/ws-1/manifest.json" || c.String() != "s3://b/backups/ws-1/manifest.json?region=eu-west-1" {
		t.Errorf("Child = %q %q", c.Key(), c.String())
	}
	dir := t.TempDir()
	f := mustParse(t, "file://"+filepath.ToSlash(dir)+"/set")
	fc := f.Child("live.tar.gz")
	if fc.String() != "file://"+filepath.ToSlash(dir)+"/set/live.tar.gz" {
		t.Errorf("file Child = %q", fc.String())
	}
	// The child of a file object is a file in a folder named after it.
	if err := os.Mkdir(filepath.Join(dir, "set"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, fc, "child", nil)
	if b, err := os.ReadFile(filepath.Join(dir, "set", "live.tar.gz")); err != nil || string(b) != "child" {
		t.Errorf("child file: %q %v", b, err)
	}
}

func mustParse(t *testing.T, raw string) blobstore.Object {
	t.Helper()
	o, err := blobstore.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// write writes body to o with md, in one part, and commits it.
func write(t *testing.T, o blobstore.Object, body string, md map[string]string) blobstore.Attrs {
	t.Helper()
	return writeWith(t, o, []byte(body), md, blobstore.WriterOptions{})
}

// writeMultipart writes body to o in 5 MiB parts (a multipart upload) with md.
func writeMultipart(t *testing.T, o blobstore.Object, body []byte, md map[string]string) blobstore.Attrs {
	t.Helper()
	return writeWith(t, o, body, md, blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 2})
}

// writeWith writes body to o with md and opts and commits it; any failure fails t.
func writeWith(t *testing.T, o blobstore.Object, body []byte, md map[string]string, opts blobstore.WriterOptions) blobstore.Attrs {
	t.Helper()
	w, err := blobstore.NewWriterWithOptions(context.Background(), o, md, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	a, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// refusedWrite writes body to o as an export does and returns the first error: the writer's,
// the write's (the upload then aborted) or the commit's; nil when the object was written.
func refusedWrite(ctx context.Context, o blobstore.Object, opts blobstore.WriterOptions, body []byte) error {
	w, err := blobstore.NewWriterWithOptions(ctx, o, nil, opts)
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		w.Abort()
		return err
	}
	_, err = w.Commit()
	return err
}

func TestWriteStatReadFile(t *testing.T) {
	dir := t.TempDir()
	o := mustParse(t, "file://"+filepath.ToSlash(dir)+"/ws-1.tar.gz")
	ctx := context.Background()

	if _, err := blobstore.Stat(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("Stat of a missing object = %v, want ErrNotFound", err)
	}

	a := write(t, o, "first archive", map[string]string{"Xano-Archive-SHA256": "abc"})
	sum := md5.Sum([]byte("first archive"))
	if a.Size != int64(len("first archive")) || a.ETag == "" || !bytes.Equal(a.MD5, sum[:]) {
		t.Errorf("Commit attrs = %+v", a)
	}
	if a.Metadata["xano-archive-sha256"] != "abc" {
		t.Errorf("metadata = %v", a.Metadata)
	}
	s, err := blobstore.Stat(ctx, o)
	if err != nil || s.ETag != a.ETag || s.Size != a.Size {
		t.Errorf("Stat = %+v %v, want %+v", s, err, a)
	}

	r, ra, err := blobstore.NewReader(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil || string(b) != "first archive" || ra.Size != a.Size {
		t.Errorf("read %q %v %+v", b, err, ra)
	}
	// The object's last-modified time is the file's (a baseline's audit-log bound).
	if st, err := os.Stat(filepath.Join(dir, "ws-1.tar.gz")); err != nil || !ra.ModTime.Equal(st.ModTime()) || !s.ModTime.Equal(st.ModTime()) {
		t.Errorf("ModTime = %v (Stat %v), the file's is %v (%v)", ra.ModTime, s.ModTime, st.ModTime(), err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	// Only the object is in the folder: no temporary file left over, metadata in gocloud's sidecar.
	assertFiles(t, dir, "ws-1.tar.gz")
}

// assertFiles checks the folder holds exactly these objects (gocloud's .attrs sidecars aside).
func assertFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".attrs") {
			got = append(got, e.Name())
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("folder holds %v, want %v", got, want)
	}
}

func TestAbortKeepsPreviousObject(t *testing.T) {
	dir := t.TempDir()
	o := mustParse(t, "file://"+filepath.ToSlash(dir)+"/ws.tar.gz")
	ctx := context.Background()

	// Abort with nothing there: nothing appears.
	w, err := blobstore.NewWriter(ctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w.Abort() // idempotent
	if _, err := blobstore.Stat(ctx, o); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("after Abort, Stat = %v, want ErrNotFound", err)
	}
	assertFiles(t, dir)

	before := write(t, o, "good archive", nil)

	// Abort over a previous object: it stays.
	w, err = blobstore.NewWriter(ctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := w.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	assertContent(t, o, "good archive", before)

	// A cancelled context (an interrupt) before Commit: nothing written, previous object stays.
	cctx, cancel := context.WithCancel(ctx)
	w, err = blobstore.NewWriter(cctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("interrupted")); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = w.Commit()
	if !errors.Is(err, blobstore.ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after cancel = %v, want ErrCanceled", err)
	}
	assertContent(t, o, "good archive", before)
	assertFiles(t, dir, "ws.tar.gz")
}

func assertContent(t *testing.T, o blobstore.Object, want string, attrs blobstore.Attrs) {
	t.Helper()
	r, a, err := blobstore.NewReader(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	b, _ := io.ReadAll(r)
	if string(b) != want || a.ETag != attrs.ETag {
		t.Errorf("object holds %q (etag %s), want %q (etag %s)", b, a.ETag, want, attrs.ETag)
	}
}

func TestErrorsNameTheFix(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := mustParse(t, "file://"+filepath.ToSlash(dir)+"/no-such-folder/ws.tar.gz")

	_, err := blobstore.Stat(ctx, missing)
	if !errors.Is(err, blobstore.ErrBucketNotFound) || !strings.Contains(err.Error(), "create the folder") {
		t.Errorf("Stat in a missing folder = %v", err)
	}
	if _, err := blobstore.NewWriter(ctx, missing, nil); !errors.Is(err, blobstore.ErrBucketNotFound) {
		t.Errorf("NewWriter in a missing folder = %v", err)
	}
	if _, _, err := blobstore.NewReader(ctx, missing); !errors.Is(err, blobstore.ErrBucketNotFound) {
		t.Errorf("NewReader in a missing folder = %v", err)
	}
	o := mustParse(t, "file://"+filepath.ToSlash(dir)+"/absent.tar.gz")
	_, _, err = blobstore.NewReader(ctx, o)
	if !errors.Is(err, blobstore.ErrNotFound) || !strings.Contains(err.Error(), o.String()) {
		t.Errorf("NewReader of a missing object = %v", err)
	}

	if os.Geteuid() != 0 { // root reads and writes anything
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		w, err := blobstore.NewWriter(ctx, mustParse(t, "file://"+filepath.ToSlash(ro)+"/ws.tar.gz"), nil)
		if err == nil {
			_, _ = w.Write([]byte("x"))
			_, err = w.Commit()
		}
		if !errors.Is(err, blobstore.ErrAccessDenied) {
			t.Errorf("write into a read-only folder = %v, want ErrAccessDenied", err)
		}
	}

	// Bad bucket parameters are an invalid URL, not a mystery.
	bad := mustParse(t, "s3://bucket/key?use_path_style=maybe")
	if _, err := blobstore.Stat(ctx, bad); !errors.Is(err, blobstore.ErrInvalidURL) {
		t.Errorf("Stat with a bad parameter = %v, want ErrInvalidURL", err)
	}
}

func TestRedactsEnvironmentSecrets(t *testing.T) {
	const secret = "s3cr3t-value-from-env-0123456789"
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	// An error text quoting the secret (no SDK does; this is the safety net) comes out without it.
	dir := t.TempDir()
	o := mustParse(t, "file://"+filepath.ToSlash(dir)+"/"+secret+"/k")
	_, err := blobstore.Stat(context.Background(), o)
	if err == nil {
		t.Fatal("no error")
	}
	var be *blobstore.Error
	if !errors.As(err, &be) || strings.Contains(be.Cause, secret) {
		t.Errorf("cause holds the secret: %v", err)
	}
}

func TestBufferBound(t *testing.T) {
	// 2 parts uploading, 1 being filled, and the first part, which the S3 transfer manager reads
	// on its own before its pool exists.
	if got := (blobstore.WriterOptions{}).BufferBound(); got != 32<<20 {
		t.Errorf("default buffer bound = %d, want 32 MiB", got)
	}
	if got := (blobstore.WriterOptions{PartSize: 5 << 20, Concurrency: 1}).BufferBound(); got != 15<<20 {
		t.Errorf("buffer bound of 5 MiB parts, 1 at a time = %d, want 15 MiB", got)
	}
}
