// Package azuritetest runs Azurite, Microsoft's emulator of Azure Blob Storage, for the tests of
// azblob:// URLs: on loopback, on a free port, with a random storage account name and key and a
// temporary data folder.
//
// The launcher comes from XANO_AZURITE_BINARY, which `make testunit` and `make testacc` set to
// the pinned install in .tools/bin (GNUmakefile: AZURITE_VERSION; Azurite is an npm package, run
// by the machine's Node.js). A plain `go test` without it skips the tests that need it, saying
// so; under CI (CI=true) its absence fails them instead.
//
// Credentials never appear in a URL: every server of a test process serves one random account,
// whose name and key this package puts in AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY (the
// standard variables gocloud's azureblob reads, once per process: a process must not open an
// azblob:// bucket before the first Shared or Start). A URL says only where the emulator is,
// with gocloud's own parameters: azblob://container/key?localemu=true&protocol=http&domain=127.0.0.1:PORT.
package azuritetest

import (
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/storetest"

	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// EnvBinary names the Azurite blob service launcher (azurite-blob).
const EnvBinary = "XANO_AZURITE_BINARY"

var process struct {
	once        sync.Once
	dir         string
	accountName string
	accountKey  string
	err         error

	fleet storetest.Fleet[*Server]
}

// Server is one running Azurite blob service.
type Server struct {
	// Domain is host:port of the blob service (gocloud's domain= parameter).
	Domain string
	// The process: Stop stops it (its data folder is kept until StopAll), Log is its output.
	*storetest.Proc
}

// Binary returns the Azurite launcher. Without XANO_AZURITE_BINARY it skips t, or fails it under
// CI, where every store must be proven.
func Binary(t testing.TB) string {
	t.Helper()
	return storetest.Binary(t, EnvBinary, fmt.Sprintf("%s is unset: this test needs Azurite (the azblob:// store); run it "+
		"through make testunit / make testacc, which install the pinned Azurite into .tools and set it, or run `make "+
		"azurite` and set %s=$PWD/.tools/bin/azurite-blob", EnvBinary, EnvBinary), "azurite", true)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// setup creates the process's account and points the environment at it.
func setup() error {
	process.once.Do(func() {
		// An account name is 3 to 24 lower case letters and digits; a key is 64 bytes, base64.
		process.accountName = "xano" + hex.EncodeToString(randomBytes(8))
		process.accountKey = base64.StdEncoding.EncodeToString(randomBytes(64))
		dir, err := os.MkdirTemp("", "xano-azurite-")
		if err != nil {
			process.err = err
			return
		}
		process.dir = dir
		for k, v := range envVars() {
			if v == "" {
				_ = os.Unsetenv(k)
			} else {
				_ = os.Setenv(k, v)
			}
		}
	})
	return process.err
}

func envVars() map[string]string {
	return map[string]string{
		"AZURE_STORAGE_ACCOUNT": process.accountName,
		"AZURE_STORAGE_KEY":     process.accountKey,
		// The tests' identity and endpoint come from the account above and the URL only.
		"AZURE_STORAGE_SAS_TOKEN": "", "AZURE_STORAGE_CONNECTION_STRING": "", "AZURE_STORAGEBLOB_CONNECTIONSTRING": "",
		"AZURE_STORAGE_DOMAIN": "", "AZURE_STORAGE_PROTOCOL": "", "AZURE_STORAGE_IS_CDN": "",
		"AZURE_STORAGE_IS_LOCAL_EMULATOR": "",
	}
}

// Env is the environment a child process (the provider binary) needs to reach these servers,
// as KEY=VALUE pairs (empty values unset); nil before the first Shared or Start.
func Env() []string {
	if process.accountName == "" {
		return nil
	}
	var out []string
	for k, v := range envVars() {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Secrets are the account key of every server of this process, for secret scans.
func Secrets() []string { return []string{process.accountKey} }

// Shared returns the Azurite server shared by this test process (started on first use, stopped by
// StopAll from TestMain; tests give it containers of their own names). It skips t without
// XANO_AZURITE_BINARY.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	return process.fleet.Shared(t, func() (*Server, error) { return start(bin, "") })
}

// Start starts a private Azurite server for t (for tests that stop it), stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return startPrivate(t, "")
}

// StartWrongKey starts a private Azurite server that holds the process's account under another
// key, as a store whose key was rotated: it refuses every request signed with the key of the
// environment. Stopped when t ends.
func StartWrongKey(t testing.TB) *Server {
	t.Helper()
	return startPrivate(t, base64.StdEncoding.EncodeToString(randomBytes(64)))
}

func startPrivate(t testing.TB, key string) *Server {
	t.Helper()
	bin := Binary(t)
	return process.fleet.Private(t, func() (*Server, error) { return start(bin, key) })
}

// StopAll stops every server of this process and removes their files; call it from TestMain.
func StopAll() {
	process.fleet.StopAll()
	if process.dir != "" {
		_ = os.RemoveAll(process.dir)
	}
}

// start starts a server serving the process's account with key ("" for the account's own).
func start(bin, key string) (*Server, error) {
	if err := setup(); err != nil {
		return nil, err
	}
	if key == "" {
		key = process.accountKey
	}
	return storetest.Retry(func() (*Server, error) { return startOnce(bin, key) })
}

func startOnce(bin, key string) (*Server, error) {
	port, err := storetest.FreePort()
	if err != nil {
		return nil, err
	}
	dataDir, err := os.MkdirTemp(process.dir, "data-")
	if err != nil {
		return nil, err
	}
	domain := "127.0.0.1:" + strconv.Itoa(port)
	// --skipApiVersionCheck: the Go SDK may speak a newer service version than this Azurite
	// knows; --disableTelemetry: nothing leaves the machine; --loose: unknown headers are ignored.
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--location", filepath.Join(dataDir, "store"), "--silent", "--disableTelemetry",
		"--skipApiVersionCheck", "--loose")
	cmd.Dir = dataDir
	cmd.Env = append(os.Environ(), "AZURITE_ACCOUNTS="+process.accountName+":"+key, "HOME="+dataDir)
	s := &Server{Domain: domain}
	// Any answer is ready: an anonymous request is refused, which is an answer.
	s.Proc, err = storetest.Start(cmd, dataDir+".log", "the Azurite server", domain, s.ServiceURL()+"?comp=list",
		storetest.AnyAnswer, 90*time.Second)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServiceURL is the account's blob service URL on this server.
func (s *Server) ServiceURL() string {
	return "http://" + s.Domain + "/" + process.accountName
}

// URL is the object URL of key in container on this server: gocloud's local emulator
// parameters, no credential.
func (s *Server) URL(container, key string) string {
	q := url.Values{}
	q.Set("localemu", "true")
	q.Set("protocol", "http")
	q.Set("domain", s.Domain)
	return "azblob://" + container + "/" + key + "?" + q.Encode()
}

// Container is a client of container with the account's key, for the tests' own checks.
func (s *Server) Container(t testing.TB, name string) *container.Client {
	t.Helper()
	cred, err := container.NewSharedKeyCredential(process.accountName, process.accountKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(s.ServiceURL()+"/"+name, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CreateContainer creates a container (Azure's bucket).
func (s *Server) CreateContainer(t testing.TB, name string) {
	t.Helper()
	if _, err := s.Container(t, name).Create(context.Background(), nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
}

func (s *Server) list(t testing.TB, name string, uncommitted bool) []string {
	t.Helper()
	var keys []string
	p := s.Container(t, name).NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		Include: container.ListBlobsInclude{UncommittedBlobs: uncommitted}})
	for p.More() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", name, err)
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name != nil {
				keys = append(keys, *b.Name)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// Keys lists the blobs in container (committed ones: what a reader sees), sorted.
func (s *Server) Keys(t testing.TB, name string) []string {
	t.Helper()
	return s.list(t, name, false)
}

// Uncommitted lists the keys that hold only uncommitted blocks (an upload that never
// completed), sorted.
func (s *Server) Uncommitted(t testing.TB, name string) []string {
	t.Helper()
	committed := map[string]bool{}
	for _, k := range s.Keys(t, name) {
		committed[k] = true
	}
	var out []string
	for _, k := range s.list(t, name, true) {
		if !committed[k] {
			out = append(out, k)
		}
	}
	return out
}

// Get reads a blob, with its ETag.
func (s *Server) Get(t testing.TB, name, key string) ([]byte, string) {
	t.Helper()
	resp, err := s.Container(t, name).NewBlobClient(key).DownloadStream(context.Background(), nil)
	if err != nil {
		t.Fatalf("get %s/%s: %v", name, key, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s/%s: %v", name, key, err)
	}
	etag := ""
	if resp.ETag != nil {
		etag = string(*resp.ETag)
	}
	return b, etag
}

// Put writes a blob (as someone else than the provider would).
func (s *Server) Put(t testing.TB, name, key string, body []byte) {
	t.Helper()
	if _, err := s.Container(t, name).NewBlockBlobClient(key).Upload(context.Background(),
		streaming.NopCloser(bytes.NewReader(body)), nil); err != nil {
		t.Fatalf("put %s/%s: %v", name, key, err)
	}
}

// Delete removes a blob.
func (s *Server) Delete(t testing.TB, name, key string) {
	t.Helper()
	if _, err := s.Container(t, name).NewBlobClient(key).Delete(context.Background(), nil); err != nil {
		t.Fatalf("delete %s/%s: %v", name, key, err)
	}
}
