// Package gcstest runs fake-gcs-server, an emulator of Google Cloud Storage's JSON API, for the
// tests of gs:// URLs: on loopback, on a free port, holding its objects in memory (the only
// backend of fake-gcs-server that keeps object generations, GCS's version ids).
//
// The binary comes from XANO_FAKE_GCS_BINARY, which `make testunit` and `make testacc` set to
// the pinned build in .tools/bin (GNUmakefile: FAKE_GCS_VERSION). A plain `go test` without it
// skips the tests that need it, saying so; under CI (CI=true) its absence fails them instead.
//
// gocloud's gcsblob reaches an emulator through the standard STORAGE_EMULATOR_HOST variable (the
// one Google's own client libraries read), without credentials: the URLs stay plain
// "gs://bucket/key". The variable is process-wide, so a test process runs one server, Shared,
// and this package sets the variable when it starts it. fake-gcs-server checks no credentials,
// so the tests of rejected credentials run against MinIO only.
package gcstest

import (
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/storetest"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// EnvBinary names the fake-gcs-server binary.
const EnvBinary = "XANO_FAKE_GCS_BINARY"

// EnvEmulatorHost is the variable Google's client libraries (and so gocloud) read to talk to an
// emulator instead of storage.googleapis.com.
const EnvEmulatorHost = "STORAGE_EMULATOR_HOST"

var process struct {
	mu     sync.Mutex
	shared *Server
	err    error
}

// Server is one running fake-gcs-server.
type Server struct {
	// Host is host:port of the server, the value of STORAGE_EMULATOR_HOST.
	Host string
	*storetest.Proc
	dir string
}

// Binary returns the fake-gcs-server binary. Without XANO_FAKE_GCS_BINARY it skips t, or fails
// it under CI, where every store must be proven.
func Binary(t testing.TB) string {
	t.Helper()
	return storetest.Binary(t, EnvBinary, fmt.Sprintf("%s is unset: this test needs fake-gcs-server (the gs:// store); run "+
		"it through make testunit / make testacc, which build the pinned fake-gcs-server into .tools/bin and set it, or "+
		"run `make fake-gcs-server` and set %s=$PWD/.tools/bin/fake-gcs-server", EnvBinary, EnvBinary), "fake-gcs-server", true)
}

// Shared returns the server of this test process, started on first use (stopped by StopAll from
// TestMain; tests give it buckets of their own names), with STORAGE_EMULATOR_HOST pointing at
// it. It skips t without XANO_FAKE_GCS_BINARY.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.shared == nil && process.err == nil {
		var s *Server
		s, process.err = start(bin)
		if process.err == nil {
			process.shared = s
			// Process-wide on purpose: every test of the process shares this server.
			process.err = os.Setenv(EnvEmulatorHost, s.Host) //nolint:usetesting
		}
	}
	if process.err != nil {
		t.Fatal(process.err)
	}
	return process.shared
}

// Env is what a child process (the provider binary) needs to reach the shared server, as
// KEY=VALUE pairs; empty before Shared.
func Env() []string {
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.shared == nil {
		return nil
	}
	return []string{EnvEmulatorHost + "=" + process.shared.Host}
}

// StopAll stops the shared server; call it from TestMain.
func StopAll() {
	process.mu.Lock()
	s := process.shared
	process.shared = nil
	process.mu.Unlock()
	if s != nil {
		s.Stop()
		_ = os.Unsetenv(EnvEmulatorHost)
	}
}

func start(bin string) (*Server, error) {
	return storetest.Retry(func() (*Server, error) { return startOnce(bin) })
}

func startOnce(bin string) (*Server, error) {
	port, err := storetest.FreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "xano-fake-gcs-")
	if err != nil {
		return nil, err
	}
	host := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
		"-backend", "memory", "-public-host", host, "-external-url", "http://"+host, "-log-level", "warn")
	cmd.Dir = dir
	proc, err := storetest.Start(cmd, dir+"/server.log", "fake-gcs-server", host, "http://"+host+"/_internal/healthcheck",
		storetest.StatusOK, 60*time.Second)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &Server{Host: host, Proc: proc, dir: dir}, nil
}

// Stop stops the server (SIGTERM, then SIGKILL) and removes its folder.
func (s *Server) Stop() {
	s.Proc.Stop()
	_ = os.RemoveAll(s.dir)
}

// URL is the object URL of key in bucket: a plain gs:// URL, as STORAGE_EMULATOR_HOST says
// where the store is.
func (s *Server) URL(bucket, key string) string {
	return "gs://" + bucket + "/" + key
}

// Client is a storage client of this server, for the tests' own checks.
func (s *Server) Client(t testing.TB) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(context.Background(), option.WithoutAuthentication(),
		option.WithEndpoint("http://"+s.Host+"/storage/v1/"))
	if err != nil {
		t.Fatalf("storage client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// CreateBucket creates bucket (with object versioning when versioned is true).
func (s *Server) CreateBucket(t testing.TB, bucket string, versioned bool) {
	t.Helper()
	if err := s.Client(t).Bucket(bucket).Create(context.Background(), "test-project",
		&storage.BucketAttrs{VersioningEnabled: versioned}); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
}

// Keys lists the live objects in bucket, sorted by name.
func (s *Server) Keys(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	it := s.Client(t).Bucket(bucket).Objects(context.Background(), nil)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		keys = append(keys, a.Name)
	}
	return keys
}

// Get reads an object, with its ETag quoted as HTTP sends it (and gocloud reports it).
func (s *Server) Get(t testing.TB, bucket, key string) ([]byte, string) {
	t.Helper()
	ctx := context.Background()
	o := s.Client(t).Bucket(bucket).Object(key)
	a, err := o.Attrs(ctx)
	if err != nil {
		t.Fatalf("attributes of %s/%s: %v", bucket, key, err)
	}
	r, err := o.Generation(a.Generation).NewReader(ctx)
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer func() { _ = r.Close() }()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return b, `"` + a.Etag + `"`
}

// Put writes an object (as someone else than the provider would).
func (s *Server) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	w := s.Client(t).Bucket(bucket).Object(key).NewWriter(context.Background())
	if _, err := w.Write(body); err != nil {
		_ = w.Close()
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// Delete removes an object.
func (s *Server) Delete(t testing.TB, bucket, key string) {
	t.Helper()
	if err := s.Client(t).Bucket(bucket).Object(key).Delete(context.Background()); err != nil {
		t.Fatalf("delete %s/%s: %v", bucket, key, err)
	}
}
