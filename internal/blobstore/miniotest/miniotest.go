// Package miniotest runs MinIO, a real S3-compatible object store, for tests: on loopback, on a
// free port, with random credentials and a temporary data folder.
//
// The binary comes from XANO_MINIO_BINARY, which `make testunit`, `make testacc` and `make
// bench` set to the pinned build in .tools/bin (GNUmakefile: MINIO_VERSION). A plain `go test`
// without it skips the tests that need MinIO, saying so.
//
// Credentials never appear in a URL: every server of a test process shares one random root
// user and password, written once to a shared AWS config and credentials file whose paths
// this package puts in AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (the standard chain the
// provider reads). The files hold these profiles:
//
//   - default and "xano-minio": the right keys;
//   - "xano-wrong": a right access key with a wrong secret (the store refuses the signature).
//
// So a test names a wrong profile in the URL (profile=xano-wrong) without any secret in it.
package miniotest

import (
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/storetest"

	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// EnvBinary names the MinIO binary.
const EnvBinary = "XANO_MINIO_BINARY"

// Region is the region every URL of these servers names.
const Region = "us-east-1"

// Profiles of the shared AWS files.
const (
	ProfileGood  = "xano-minio"
	ProfileWrong = "xano-wrong"
)

// process holds what every server of this test process shares.
var process struct {
	once      sync.Once
	dir       string // holds the AWS files and the servers' data folders
	accessKey string
	secretKey string
	err       error

	fleet storetest.Fleet[*Server]
}

// Server is one running MinIO.
type Server struct {
	// Endpoint is the S3 endpoint, http://127.0.0.1:PORT, or https:// for a server of StartTLS.
	Endpoint string
	// CABundle is, for a server on https, the PEM file of its self-signed certificate: what a
	// client names in AWS_CA_BUNDLE (the AWS chain's setting for a private CA) to trust it.
	CABundle string
	roots    *x509.CertPool
	// The process: Stop stops it (its data folder is kept until StopAll), Log is its output.
	*storetest.Proc
}

// Binary returns the MinIO binary, or skips t when XANO_MINIO_BINARY is unset.
func Binary(t testing.TB) string {
	t.Helper()
	return storetest.Binary(t, EnvBinary, fmt.Sprintf("%s is unset: this test needs MinIO; run it through make testunit / "+
		"make testacc, which build the pinned MinIO into .tools/bin and set it, or run `make minio` and set "+
		"%s=$PWD/.tools/bin/minio", EnvBinary, EnvBinary), "minio", false)
}

// setup creates the process's credentials and AWS files, and points the environment at them.
func setup() error {
	process.once.Do(func() {
		process.accessKey = "xano" + randomHex(8)
		process.secretKey = randomHex(20)
		dir, err := os.MkdirTemp("", "xano-minio-")
		if err != nil {
			process.err = err
			return
		}
		process.dir = dir
		creds := fmt.Sprintf("[default]\naws_access_key_id = %[1]s\naws_secret_access_key = %[2]s\n\n"+
			"[%[3]s]\naws_access_key_id = %[1]s\naws_secret_access_key = %[2]s\n\n"+
			"[%[4]s]\naws_access_key_id = %[1]s\naws_secret_access_key = %[5]s\n",
			process.accessKey, process.secretKey, ProfileGood, ProfileWrong, randomHex(20))
		config := fmt.Sprintf("[default]\nregion = %[1]s\n\n[profile %[2]s]\nregion = %[1]s\n\n[profile %[3]s]\nregion = %[1]s\n",
			Region, ProfileGood, ProfileWrong)
		credsFile, configFile := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
		if err := os.WriteFile(credsFile, []byte(creds), 0o600); err != nil {
			process.err = err
			return
		}
		if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
			process.err = err
			return
		}
		for k, v := range envFor(configFile, credsFile) {
			if v == "" {
				_ = os.Unsetenv(k)
			} else {
				_ = os.Setenv(k, v)
			}
		}
	})
	return process.err
}

func envFor(configFile, credsFile string) map[string]string {
	return map[string]string{
		"AWS_CONFIG_FILE":             configFile,
		"AWS_SHARED_CREDENTIALS_FILE": credsFile,
		// The tests' identity comes from the files above only.
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_DEFAULT_PROFILE": "", "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_REGION": "",
		"AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
		// No waiting on an instance metadata service that is not there.
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// Env is the environment a child process (a CLI with an s3 backend, the provider binary) needs
// to reach these servers through the shared AWS files, as KEY=VALUE pairs (empty values unset).
func Env() []string {
	var out []string
	for k, v := range envFor(filepath.Join(process.dir, "config"), filepath.Join(process.dir, "credentials")) {
		out = append(out, k+"="+v)
	}
	return out
}

// Secrets are the credentials of every server of this process, for secret scans.
func Secrets() []string { return []string{process.secretKey, process.accessKey} }

// AccessKey and SecretKey are the root credentials (for a backend block that takes keys).
func AccessKey() string { return process.accessKey }
func SecretKey() string { return process.secretKey }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Shared returns the MinIO server shared by this test process (started on first use, stopped
// by StopAll from TestMain; tests give it buckets of their own names). It skips t without
// XANO_MINIO_BINARY.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	return process.fleet.Shared(t, func() (*Server, error) { return start(bin, false) })
}

// Start starts a private MinIO server for t (for tests that stop it), stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return startPrivate(t, false)
}

// StartTLS starts a private MinIO server on https (a self-signed certificate for 127.0.0.1, in
// s.CABundle), as a cloud store or a self-hosted one with a private CA is reached; stopped when
// t ends. Over https the AWS SDK sends parts unsigned (UNSIGNED-PAYLOAD) with trailing checksums,
// where over http it signs each part's SHA-256: the two paths differ on the wire.
func StartTLS(t testing.TB) *Server {
	t.Helper()
	return startPrivate(t, true)
}

func startPrivate(t testing.TB, useTLS bool) *Server {
	t.Helper()
	bin := Binary(t)
	return process.fleet.Private(t, func() (*Server, error) { return start(bin, useTLS) })
}

// StopAll stops every server of this process and removes its files; call it from TestMain.
func StopAll() {
	process.fleet.StopAll()
	if process.dir != "" {
		_ = os.RemoveAll(process.dir)
	}
}

func start(bin string, useTLS bool) (*Server, error) {
	if err := setup(); err != nil {
		return nil, err
	}
	return storetest.Retry(func() (*Server, error) { return startOnce(bin, useTLS) })
}

func startOnce(bin string, useTLS bool) (*Server, error) {
	port, err := storetest.FreePort()
	if err != nil {
		return nil, err
	}
	console, err := storetest.FreePort()
	if err != nil {
		return nil, err
	}
	dataDir, err := os.MkdirTemp(process.dir, "data-")
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", console),
		"--certs-dir", filepath.Join(dataDir, ".certs"), filepath.Join(dataDir, "store"))
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+process.accessKey, "MINIO_ROOT_PASSWORD="+process.secretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1", "HOME="+dataDir)
	s := &Server{Endpoint: "http://" + addr}
	if useTLS {
		if s.CABundle, s.roots, err = selfSigned(filepath.Join(dataDir, ".certs")); err != nil {
			return nil, err
		}
		s.Endpoint = "https://" + addr
	}
	probe := s.httpClient()
	probe.Timeout = 2 * time.Second
	if s.Proc, err = storetest.StartProbed(cmd, dataDir+".log", "MinIO", addr, s.Endpoint+"/minio/health/ready",
		storetest.StatusOK, 90*time.Second, probe); err != nil {
		return nil, err
	}
	return s, nil
}

// selfSigned writes MinIO's certificate and key for 127.0.0.1 into certs (public.crt,
// private.key) and returns the certificate's path and a pool that trusts it.
func selfSigned(certs string) (string, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "xano-minio-test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(certs, 0o700); err != nil {
		return "", nil, err
	}
	certFile := filepath.Join(certs, "public.crt")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(certs, "private.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, roots, nil
}

// URL is the object URL of key in bucket on this server, with profile= when profile is not "".
func (s *Server) URL(bucket, key, profile string) string {
	q := url.Values{}
	q.Set("endpoint", s.Endpoint)
	q.Set("use_path_style", "true")
	q.Set("region", Region)
	if profile != "" {
		q.Set("profile", profile)
	}
	return "s3://" + bucket + "/" + key + "?" + q.Encode()
}

// Client is an S3 client with the root credentials, for the tests' own checks.
func (s *Server) Client() *s3.Client {
	o := s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(process.accessKey, process.secretKey, ""),
	}
	if s.roots != nil {
		o.HTTPClient = s.httpClient()
	}
	return s3.New(o)
}

// httpClient is a client that trusts this server's certificate (any client, on http).
func (s *Server) httpClient() *http.Client {
	if s.roots == nil {
		return &http.Client{}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}}}
}

// CreateBucket creates bucket (versioned when versioned is true).
func (s *Server) CreateBucket(t testing.TB, bucket string, versioned bool) {
	t.Helper()
	ctx := context.Background()
	c := s.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	if versioned {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatalf("version bucket %s: %v", bucket, err)
		}
	}
}

// AllowAnonymousRead lets anonymous clients read (never write) bucket's objects: an anonymous
// write is then refused with AccessDenied, as a write by an identity without s3:PutObject is.
func (s *Server) AllowAnonymousRead(t testing.TB, bucket string) {
	t.Helper()
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},`+
		`"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"]}]}`, bucket)
	if _, err := s.Client().PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("bucket policy on %s: %v", bucket, err)
	}
}

// Keys lists the objects in bucket (sorted by the store).
func (s *Server) Keys(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// Uploads lists the keys of the multipart uploads in progress in bucket (an aborted upload
// leaves none).
func (s *Server) Uploads(t testing.TB, bucket string) []string {
	t.Helper()
	out, err := s.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list uploads in %s: %v", bucket, err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

// Get reads an object, with its ETag.
func (s *Server) Get(t testing.TB, bucket, key string) ([]byte, string) {
	t.Helper()
	out, err := s.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return b, aws.ToString(out.ETag)
}

// Put writes an object (as someone else than the provider would).
func (s *Server) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	if _, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader(string(body))}); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// Delete removes an object.
func (s *Server) Delete(t testing.TB, bucket, key string) {
	t.Helper()
	if _, err := s.Client().DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Fatalf("delete %s/%s: %v", bucket, key, err)
	}
}
