package provider

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// newQuietTLSServer is httptest.NewTLSServer without the server's log of the handshakes that the
// tests make fail on purpose.
func newQuietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

// writeCertPEM writes the certificate of a TLS test server to dir as PEM and returns its path.
func writeCertPEM(t *testing.T, srv *httptest.Server, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNewHTTPClientTLS: the default client verifies certificates against the system's CAs, so
// it refuses a self-signed one; ca_cert_file adds a CA to trust, and insecure_skip_verify skips
// the check. A ca_cert_file that cannot be read or holds no certificate is an error.
func TestNewHTTPClientTLS(t *testing.T) {
	srv := newQuietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	dir := t.TempDir()
	caFile := writeCertPEM(t, srv, dir)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	get := func(t *testing.T, client *http.Client) error {
		t.Helper()
		resp, err := client.Get(srv.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", srv.URL, resp.Status)
		}
		return nil
	}

	t.Run("default refuses a self-signed certificate", func(t *testing.T) {
		client, err := newHTTPClient("", false)
		if err != nil {
			t.Fatal(err)
		}
		err = get(t, client)
		var verifyErr *tls.CertificateVerificationError
		if !errors.As(err, &verifyErr) {
			t.Fatalf("got %v, want a certificate verification error", err)
		}
	})
	t.Run("ca_cert_file", func(t *testing.T) {
		client, err := newHTTPClient(caFile, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := get(t, client); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("insecure_skip_verify", func(t *testing.T) {
		client, err := newHTTPClient("", true)
		if err != nil {
			t.Fatal(err)
		}
		if err := get(t, client); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ca_cert_file without a certificate", func(t *testing.T) {
		_, err := newHTTPClient(notPEM, false)
		if want := notPEM + " holds no PEM certificate"; err == nil || err.Error() != want {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("missing ca_cert_file", func(t *testing.T) {
		_, err := newHTTPClient(filepath.Join(dir, "missing.pem"), false)
		if err == nil || !errors.Is(err, os.ErrNotExist) ||
			!strings.HasPrefix(err.Error(), "reading the CA certificate file: ") {
			t.Fatalf("got %v, want an error reading the CA certificate file", err)
		}
	})
}

// TestAccProviderTLS: the provider reaches an instance served over TLS with a private CA given
// as ca_cert_file, refuses it without, and names a ca_cert_file that holds no certificate.
func TestAccProviderTLS(t *testing.T) {
	inst := startEmulator(t, nil)
	srv := newQuietTLSServer(inst.Server) // the same emulator, over TLS
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	caFile := writeCertPEM(t, srv, dir)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// No retries: a refused certificate fails at once.
	config := func(tlsArgs string) string {
		return fmt.Sprintf(`
provider "xano" {
  instance_url = %q
  token        = %q
  max_retries  = 0
  %s
}

data "xano_workspaces" "all" {}
`, srv.URL, inst.Token, tlsArgs)
	}
	names := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.xano_workspaces.all", tfjsonpath.New("workspaces").AtSliceIndex(0).AtMapKey("name"),
			knownvalue.StringExact("staging")),
		statecheck.ExpectKnownValue("data.xano_workspaces.all", tfjsonpath.New("workspaces").AtSliceIndex(1).AtMapKey("name"),
			knownvalue.StringExact("production")),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The failing steps first: the destroy at the end runs with the last step's configuration.
		Steps: []resource.TestStep{
			{
				Config:      config(""),
				ExpectError: errorPattern("Cannot list the workspaces", "certificate signed by unknown authority"),
			},
			{
				Config:      config(fmt.Sprintf("ca_cert_file = %q", notPEM)),
				ExpectError: errorPattern("Invalid ca_cert_file", notPEM+" holds no PEM certificate"),
			},
			{
				Config:            config(fmt.Sprintf("ca_cert_file = %q", caFile)),
				ConfigStateChecks: names,
			},
			{
				Config:            config("insecure_skip_verify = true"),
				ConfigStateChecks: names,
			},
		},
	})
}
