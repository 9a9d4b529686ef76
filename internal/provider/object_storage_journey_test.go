package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

// The ephemeral-runner journey, as users run it in CI: the state in an s3 backend and the
// archives in the same store (MinIO here), the provider as a built binary (dev_overrides, with a
// filesystem mirror of it, since `init` with a backend asks the registry even for an overridden
// provider). After an apply, the working folder is wiped but for the configuration (a new runner
// from a clean checkout): init and plan find nothing to do, and the archive in the bucket is still
// the one recorded. Once the archive object is deleted, the plan proposes a new backup.
func TestAccJourney_ephemeralRunner(t *testing.T) {
	cli := realCLI(t, "to run the journey with a real CLI")
	srv := miniotest.Shared(t)
	root := moduleRoot(t)
	providerDir, providerMirror := exampleProviderBinary(t, root)

	stateBucket := newBucket(t, srv, true)
	archives := newBucket(t, srv, true)
	src := t.TempDir()
	main := journeyConfig(t, cli, srv, stateBucket, archives)
	if err := os.WriteFile(filepath.Join(src, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	ex := newExampleRun(t, cli, src, providerDir, providerMirror, providerMirror)
	for _, kv := range miniotest.Env() {
		if k, v, _ := strings.Cut(kv, "="); v != "" {
			ex.env(k, v)
		}
	}
	ex.secrets = append(ex.secrets, miniotest.Secrets()...)
	inst := ex.startEmulator(nil)
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)

	// The first runner: init against the backend, apply (with TRACE logs, scanned for the secret
	// key below), and the plan is empty.
	ex.mustRun("init", "-input=false")
	logFile := filepath.Join(t.TempDir(), "apply.log")
	ex.env("TF_LOG", "trace")
	ex.env("TF_LOG_PATH", logFile)
	ex.mustRun("apply", "-auto-approve", "-input=false")
	delete(ex.extra, "TF_LOG")
	delete(ex.extra, "TF_LOG_PATH")
	if logs, err := os.ReadFile(logFile); err != nil || len(logs) == 0 {
		t.Errorf("no TRACE log written: %v", err)
	} else if strings.Contains(string(logs), miniotest.SecretKey()) {
		t.Error("the TRACE log of the apply holds the MinIO secret key")
	}
	ex.expectPlanExit(0)
	_, etag := srv.Get(t, archives, "nightly/staging.tar.gz")
	if keys := srv.Keys(t, stateBucket); strings.Join(keys, ",") != "journey/terraform.tfstate" {
		t.Fatalf("the state bucket holds %v", keys)
	}
	if err := expectBranches(t, inst, 2, "release_1", "v1"); err != nil {
		t.Fatal(err)
	}

	// A new runner: nothing but the configuration survives.
	wipeExceptConfig(t, ex.dir)
	ex.mustRun("init", "-input=false")
	out := ex.expectPlanExit(0)
	if !strings.Contains(out, "No changes") {
		t.Errorf("plan on a fresh runner:\n%s", out)
	}
	if _, now := srv.Get(t, archives, "nightly/staging.tar.gz"); now != etag {
		t.Errorf("the archive in the bucket changed (ETag %s, was %s)", now, etag)
	}

	// The backup is deleted from the bucket: the plan proposes a new one, and says why.
	srv.Delete(t, archives, "nightly/staging.tar.gz")
	wipeExceptConfig(t, ex.dir)
	ex.mustRun("init", "-input=false")
	out = ex.expectPlanExit(2)
	for _, want := range []string{"xano_workspace_snapshot.nightly will be created", "Snapshot object missing or changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan after the object was deleted: no %q in:\n%s", want, out)
		}
	}
	// The promotion is not touched: its archive is still there and nothing is re-imported.
	if strings.Contains(out, "xano_workspace_schema_import.release will be") || strings.Contains(out, "xano_workspace_schema_import.release must be") {
		t.Errorf("the plan changes the promotion:\n%s", out)
	}
	for _, s := range miniotest.Secrets() {
		if strings.Contains(out, s) {
			t.Error("the plan output holds a MinIO credential")
		}
	}
	state, _ := srv.Get(t, stateBucket, "journey/terraform.tfstate")
	for _, s := range append(miniotest.Secrets(), inst.Token) {
		if strings.Contains(string(state), s) {
			t.Error("the remote state holds a credential")
		}
	}
}

// wipeExceptConfig removes everything from dir but the .tf files: what a runner starting from a
// clean checkout has.
func wipeExceptConfig(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// journeyConfig is the configuration of the journey: an s3 backend on MinIO (in the dialect of
// the CLI: Terraform 1.5 and OpenTofu 1.6+ name the endpoint settings differently), a nightly
// backup and a promotion through the same store.
func journeyConfig(t *testing.T, cli string, srv *miniotest.Server, stateBucket, archives string) string {
	backend := fmt.Sprintf(`
    endpoint                    = %q
    force_path_style            = true
    skip_credentials_validation = true
    skip_region_validation      = true
    skip_metadata_api_check     = true`, srv.Endpoint)
	if exampleCLIAtLeast(t, cli, 1, 6) {
		backend = fmt.Sprintf(`
    endpoints = {
      s3 = %q
    }
    use_path_style              = true
    skip_credentials_validation = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true`, srv.Endpoint)
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
  backend "s3" {
    bucket = %q
    key    = "journey/terraform.tfstate"
    region = %q
    %s
  }
}

provider "xano" {}

resource "xano_workspace_snapshot" "nightly" {
  workspace_id = 1
  include_data = true
  output_url   = %q
}

resource "xano_workspace_snapshot" "release" {
  workspace_id = 1
  output_url   = %q
}

resource "xano_workspace_schema_import" "release" {
  workspace_id  = 2
  branch        = "release_1"
  source_url    = xano_workspace_snapshot.release.output_url
  source_sha256 = xano_workspace_snapshot.release.archive_sha256
  set_live      = true
}
`, stateBucket, miniotest.Region, backend, srv.URL(archives, "nightly/staging.tar.gz", ""), srv.URL(archives, "releases/release_1.tar.gz", ""))
}
