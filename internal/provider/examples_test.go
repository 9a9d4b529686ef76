package provider

// TestExamples applies each use case of examples/use-cases, as a user would, with the real CLI
// named by TF_ACC_TERRAFORM_PATH and the provider built as a binary (dev_overrides), against
// emulators of its own. The acceptance tests serve the provider in-process; these prove that
// the published configurations, the README instructions and the provider binary work together.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/azuritetest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/gcstest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The addresses under which the CLIs look the two providers up.
var (
	exampleXanoAddrs = []string{"registry.terraform.io/xano-community/xano", "registry.opentofu.org/xano-community/xano"}
	exampleTimeAddrs = []string{"registry.terraform.io/hashicorp/time", "registry.opentofu.org/hashicorp/time"}
)

// exampleCommandTimeout bounds one CLI command.
const exampleCommandTimeout = 5 * time.Minute

// realCLI returns the CLI named by TF_ACC_TERRAFORM_PATH, for a test that drives it itself with
// the provider as a built binary: it skips t without TF_ACC (why says what the CLI would do) and
// fails it when the CLI is not named or not found.
func realCLI(t *testing.T, why string) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH " + why)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: it names the CLI (tofu or terraform) that this test runs")
	}
	if _, err := exec.LookPath(cli); err != nil {
		t.Fatalf("TF_ACC_TERRAFORM_PATH: %v", err)
	}
	return cli
}

func TestExamples(t *testing.T) {
	skipWhenLive(t, "the use cases run against seeded emulators")
	cli := realCLI(t, "to run the use cases with a real CLI")
	root := moduleRoot(t)
	providerDir, providerMirror := exampleProviderBinary(t, root)
	mirror := examplePluginMirror(t, root)
	if out, err := exec.Command(cli, "version").CombinedOutput(); err == nil {
		t.Logf("CLI %s: %s", cli, exampleVersionLine(string(out)))
	}

	cases := []struct {
		name string
		run  func(t *testing.T, ex *exampleRun)
		dir  string // the use case's folder when it is not name
	}{
		{"nightly-backups", testExampleNightlyBackups, ""},
		{"nightly-backups-s3", testExampleNightlyBackupsS3, "nightly-backups"},
		{"promotion-across-instances", testExamplePromotion, ""},
		{"promotion-across-instances-s3", testExamplePromotionS3, "promotion-across-instances"},
		{"restore", testExampleRestore, ""},
		{"restore-s3", testExampleRestoreS3, "restore"},
		{"ci-drift-check", testExampleCIDriftCheck, ""},
		{"emulator-in-ci", testExampleEmulatorInCI, ""},
		{"promotion-guard", testExamplePromotionGuard, ""},
		{"reviewed-promotion", testExampleReviewedPromotion, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := tc.dir
			if dir == "" {
				dir = tc.name
			}
			src := filepath.Join(root, "examples", "use-cases", dir)
			ex := newExampleRun(t, cli, src, providerDir, providerMirror, mirror)
			tc.run(t, ex)
		})
	}
}

// ---- the use cases ----

// The CI job of the guide "Testing a configuration in CI with the emulator": ci.sh starts the
// emulator command itself, seeded with fixture.json, applies and proves that the plan after
// the apply is empty; a fixture that is not one fails the job with the emulator's message.
func testExampleEmulatorInCI(t *testing.T, ex *exampleRun) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found: ci.sh not run")
	}
	ex.env("XANO_EMULATOR", exampleEmulatorBinary(t, moduleRoot(t)))

	out := ex.expectExitCmd(0, bash, "./ci.sh")
	for _, s := range []string{
		"ci: emulator at http://127.0.0.1:",
		"xano_workspace_schema_import.release: Creation complete",
		"No changes.",
		"ci: OK, the configuration applies and converges",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("ci.sh: no %q in:\n%s", s, out)
		}
	}
	// The promoted branch is live in production, and the archive is staging's schema.
	ex.expectFile("build/staging-schema.tar.gz")
	ex.expectFile("ci.tfstate")

	// A second run starts a new emulator and its own state afresh: it converges again.
	ex.expectExitCmd(0, bash, "./ci.sh")

	// A broken fixture stops the job before anything is applied, saying why.
	ex.writeFile("fixture.json", []byte(`{"workspace": []}`))
	out = ex.expectExitCmd(1, bash, "./ci.sh")
	if !strings.Contains(out, "ci: the emulator did not start") || !strings.Contains(out, `unknown field "workspace"`) {
		t.Errorf("ci.sh with a bad fixture:\n%s", out)
	}
}

// exampleCLIAtLeast reports whether the CLI's version is at least major.minor (OpenTofu's numbers
// line up with Terraform's for the features the use cases need).
func exampleCLIAtLeast(t *testing.T, cli string, major, minor int) bool {
	t.Helper()
	out, err := exec.Command(cli, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v", cli, err)
	}
	line := exampleVersionLine(string(out))
	_, v, ok := strings.Cut(line, " v")
	var gotMajor, gotMinor int
	if !ok {
		t.Fatalf("no version in %q", line)
	}
	if _, err := fmt.Sscanf(v, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("version %q: %v", v, err)
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}

func testExamplePromotionGuard(t *testing.T, ex *exampleRun) {
	if !exampleCLIAtLeast(t, ex.cli, 1, 8) {
		t.Skip("provider functions need Terraform 1.8 or OpenTofu 1.7")
	}
	inst := ex.startEmulator(nil)
	candidate := func() { ex.writeFile("archives/candidate.tar.gz", inst.Export(t, 1, "", false)) }
	candidate()
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.env("TF_VAR_workspace_id", "2")

	ex.initValidateApplyPlan()
	if err := expectBranches(t, inst, 2, "release", "v1"); err != nil {
		t.Error(err)
	}
	var out struct {
		Added   []string `json:"added"`
		Removed []string `json:"removed"`
		Live    bool     `json:"release_live"`
	}
	ex.outputs(&out)
	for _, k := range []string{"endpoint/public/GET users", "endpoint/public/GET legacy", "task/nightly_sync"} {
		if !slices.Contains(out.Added, k) {
			t.Errorf("added %q lacks %q", out.Added, k)
		}
	}
	if !out.Live {
		t.Error("the release branch is not live")
	}

	// The next candidate drops an endpoint that production serves: the plan fails, naming it,
	// and nothing is imported.
	oobDeleteLegacyEndpoint(t, inst, 1, oobPublicGroupID(t, inst, 1, ""))
	candidate()
	msg := ex.expectPlanExit(1)
	if !strings.Contains(strings.Join(strings.Fields(msg), " "), "removes endpoints that production serves now: endpoint/public/GET legacy") {
		t.Errorf("the plan does not name the removed endpoint:\n%s", msg)
	}
	if err := expectBranches(t, inst, 2, "release", "v1"); err != nil {
		t.Error(err)
	}
	// Allowed on purpose, it goes through.
	ex.mustRun("apply", "-auto-approve", "-input=false", "-var", "allow_endpoint_removal=true")
	ex.expectPlanExit(0, "-var", "allow_endpoint_removal=true")
	// The outputs tell what that promotion did, and stay put while the candidate does.
	ex.outputs(&out)
	if !slices.Equal(out.Removed, []string{"endpoint/public/GET legacy"}) {
		t.Errorf("after the promotion, removed is %q, want the legacy endpoint", out.Removed)
	}
}

func testExampleNightlyBackups(t *testing.T, ex *exampleRun) {
	fx := emulator.DemoFixture()
	fx.Workspaces = append(fx.Workspaces, emulator.FixtureWorkspace{
		ID: 3, Name: "Marketing Site!", Tables: []emulator.FixtureTable{{Name: "lead", Rows: 7}},
	})
	inst := ex.startEmulator(fx)
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	// The local form (README): without backend.tf and store_url, state and archives are files.
	if err := os.Remove(filepath.Join(ex.dir, "backend.tf")); err != nil {
		t.Fatal(err)
	}

	ex.initValidateApplyPlan()

	var out struct {
		Day     string `json:"backup_day"`
		Backups map[string]struct {
			Workspace string `json:"workspace"`
			Path      string `json:"path"`
			SHA256    string `json:"archive_sha256"`
		} `json:"backups"`
	}
	ex.outputs(&out)
	day, err := time.Parse("2006-01-02", out.Day)
	if err != nil {
		t.Fatalf("backup_day %q is not a date: %v", out.Day, err)
	}
	if age := time.Since(day); age < 0 || age > 49*time.Hour {
		t.Errorf("backup_day %s is not today (UTC)", out.Day)
	}

	want := map[string]struct {
		id   int64
		name string
		stem string
	}{
		"1": {1, "staging", "1-staging"},
		"2": {2, "production", "2-production"},
		"3": {3, "Marketing Site!", "3-marketing-site"},
	}
	if len(out.Backups) != len(want) {
		t.Errorf("backups has %d entries, want one per workspace (%d)", len(out.Backups), len(want))
	}
	for key, w := range want {
		b, ok := out.Backups[key]
		if !ok {
			t.Errorf("no backup of workspace %s %q", key, w.name)
			continue
		}
		if b.Workspace != w.name {
			t.Errorf("backup %s: workspace %q, want %q", key, b.Workspace, w.name)
		}
		wantPath := filepath.Join("backups", w.stem, w.stem+"-"+out.Day+".tar.gz")
		if filepath.Clean(b.Path) != wantPath {
			t.Errorf("backup of %q: path %q, want %q", w.name, b.Path, wantPath)
		}
		file := filepath.Join(ex.dir, wantPath)
		if got := exampleFileSHA256(t, file); got != b.SHA256 {
			t.Errorf("%s: sha256 %s, but archive_sha256 is %s", wantPath, got, b.SHA256)
		}
		// include_data: the archive holds what a full export of the workspace holds.
		if got, want := exampleContentHashFile(t, file), exampleContentHash(t, inst.Export(t, w.id, "", true)); got != want {
			t.Errorf("%s: content %s, want that of a full export of workspace %d (%s)", wantPath, got, w.id, want)
		}
	}
	// Nothing but the three archives: no partial files, no other names.
	if files := ex.files("backups"); len(files) != len(want) {
		t.Errorf("files under backups/: %q, want one archive per workspace", files)
	}

	// A rotation (forced here, as a day cannot pass in a test) makes a new snapshot of every
	// workspace, and nothing else.
	out2 := ex.expectExit(0, "apply", "-auto-approve", "-input=false", "-replace=time_rotating.nightly")
	if n := len(want) + 1; !strings.Contains(out2, fmt.Sprintf("Resources: %d added, 0 changed, %d destroyed.", n, n)) {
		t.Errorf("the rotation did not replace time_rotating.nightly and every snapshot:\n%s", out2)
	}
	ex.expectPlanExit(0)
	firstDay := out.Day
	ex.outputs(&out)
	wantFiles := len(want)
	if out.Day != firstDay { // the test ran across midnight (UTC): the previous day's files stay
		wantFiles *= 2
	}
	for _, b := range out.Backups {
		if got := exampleFileSHA256(t, filepath.Join(ex.dir, b.Path)); got != b.SHA256 {
			t.Errorf("after the rotation, %s: sha256 %s, but archive_sha256 is %s", b.Path, got, b.SHA256)
		}
	}
	if files := ex.files("backups"); len(files) != wantFiles {
		t.Errorf("files under backups/ after the rotation: %q, want %d", files, wantFiles)
	}
}

// The bucket form of nightly-backups, as a CI job runs it: the state in an s3 backend and the
// archives in a versioned bucket of the same store (MinIO), credentials only in the standard
// chain. A new runner (nothing but the configuration) plans nothing; once an object is deleted,
// the plan makes that backup again.
func testExampleNightlyBackupsS3(t *testing.T, ex *exampleRun) {
	srv := miniotest.Shared(t)
	stateBucket := fmt.Sprintf("state-%d", time.Now().UnixNano()%1e12)
	archives := fmt.Sprintf("archives-%d", time.Now().UnixNano()%1e12)
	srv.CreateBucket(t, stateBucket, true)
	srv.CreateBucket(t, archives, true)
	for _, kv := range miniotest.Env() {
		if k, v, _ := strings.Cut(kv, "="); v != "" {
			ex.env(k, v)
		}
	}
	ex.secrets = append(ex.secrets, miniotest.Secrets()...)
	inst := ex.startEmulator(nil) // 1 staging, 2 production
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.env("TF_VAR_store_url", srv.URL(archives, "xano", ""))
	backend := exampleS3Backend(t, ex.cli, srv, stateBucket, "nightly/terraform.tfstate")
	ex.writeFile("backend.s3.hcl", []byte(backend))

	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)

	var out struct {
		Day     string `json:"backup_day"`
		Backups map[string]struct {
			URL    string `json:"url"`
			SHA256 string `json:"archive_sha256"`
		} `json:"backups"`
	}
	ex.outputs(&out)
	var wantKeys []string
	for id, stem := range map[string]string{"1": "1-staging", "2": "2-production"} {
		key := "xano/" + stem + "/" + stem + "-" + out.Day + ".tar.gz"
		wantKeys = append(wantKeys, key)
		b := out.Backups[id]
		if b.URL != srv.URL(archives, key, "") {
			t.Errorf("backup of workspace %s: url %q, want the object %s", id, b.URL, key)
		}
		body, _ := srv.Get(t, archives, key)
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != b.SHA256 {
			t.Errorf("%s: the object is not the archive state records", key)
		}
	}
	slices.Sort(wantKeys)
	if keys := srv.Keys(t, archives); !slices.Equal(keys, wantKeys) {
		t.Errorf("the archives bucket holds %q, want %q", keys, wantKeys)
	}
	if keys := srv.Keys(t, stateBucket); !slices.Equal(keys, []string{"nightly/terraform.tfstate"}) {
		t.Errorf("the state bucket holds %q", keys)
	}

	// A new runner: nothing but the configuration. Nothing is exported again.
	wipeExceptConfig(t, ex.dir)
	ex.writeFile("backend.s3.hcl", []byte(backend))
	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.expectPlanExit(0)

	// An object deleted from the bucket: that backup is made again, and only that one.
	srv.Delete(t, archives, wantKeys[0])
	plan := ex.expectPlanExit(2)
	if !strings.Contains(plan, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Errorf("the plan after an object was deleted does not make that one backup again:\n%s", plan)
	}
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)
}

// exampleS3Backend is a backend.s3.hcl for an s3 backend on srv, in the dialect of cli: Terraform
// 1.5 and OpenTofu 1.6+ name the endpoint settings differently.
func exampleS3Backend(t *testing.T, cli string, srv *miniotest.Server, bucket, key string) string {
	t.Helper()
	common := fmt.Sprintf("bucket = %q\nkey = %q\nregion = %q\nskip_credentials_validation = true\n"+
		"skip_region_validation = true\nskip_metadata_api_check = true\n", bucket, key, miniotest.Region)
	if exampleCLIAtLeast(t, cli, 1, 6) {
		return common + fmt.Sprintf("endpoints = { s3 = %q }\nuse_path_style = true\nskip_requesting_account_id = true\n", srv.Endpoint)
	}
	return common + fmt.Sprintf("endpoint = %q\nforce_path_style = true\n", srv.Endpoint)
}

// promotionInstances starts the two instances of the promotion use case and passes them to the
// configuration: staging (the demo seed) and production (workspace prodWS).
func promotionInstances(t *testing.T, ex *exampleRun) (staging, production *emulatortest.Instance) {
	t.Helper()
	staging = ex.startEmulator(emulator.DemoFixture())
	production = ex.startEmulator(&emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: promotionProdWS, Name: "production",
		Branches: []emulator.FixtureBranch{{Label: "v1", Live: true, Functions: []emulator.FixtureFunction{
			{Name: "legacy_report", Body: "return 1\n"},
		}}},
		Tables: []emulator.FixtureTable{{Name: "user", Rows: 3}},
	}}})
	ex.env("TF_VAR_staging_instance_url", staging.URL)
	ex.env("TF_VAR_staging_token", staging.Token)
	ex.env("TF_VAR_staging_workspace_id", "1")
	ex.env("TF_VAR_production_instance_url", production.URL)
	ex.env("TF_VAR_production_token", production.Token)
	ex.env("TF_VAR_production_workspace_id", fmt.Sprint(promotionProdWS))
	return staging, production
}

// promotionProdWS is production's workspace ID: IDs are per instance, production's differs from staging's.
const promotionProdWS = 5

// The bucket form of the promotion, as a CI job runs it: the state in an s3 backend, the release
// archive in a bucket of the same store (MinIO). On a runner that starts from a clean checkout,
// the plan is empty: the reviewed archive is still in the bucket, so staging is not exported
// again, even after staging changed, and production is not re-imported.
func testExamplePromotionS3(t *testing.T, ex *exampleRun) {
	srv := miniotest.Shared(t)
	stateBucket := fmt.Sprintf("state-%d", time.Now().UnixNano()%1e12)
	releases := fmt.Sprintf("releases-%d", time.Now().UnixNano()%1e12)
	srv.CreateBucket(t, stateBucket, true)
	srv.CreateBucket(t, releases, true)
	for _, kv := range miniotest.Env() {
		if k, v, _ := strings.Cut(kv, "="); v != "" {
			ex.env(k, v)
		}
	}
	ex.secrets = append(ex.secrets, miniotest.Secrets()...)
	staging, production := promotionInstances(t, ex)
	ex.env("TF_VAR_store_url", srv.URL(releases, "xano", ""))
	ex.env("TF_VAR_release", "release_1")
	backend := exampleS3Backend(t, ex.cli, srv, stateBucket, "promotion/terraform.tfstate")
	ex.writeFile("backend.s3.hcl", []byte(backend))

	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)
	const key = "xano/releases/staging-release_1.tar.gz"
	body, etag := srv.Get(t, releases, key)
	var out struct {
		URL    string `json:"archive_url"`
		SHA256 string `json:"archive_sha256"`
	}
	ex.outputs(&out)
	if sum := sha256.Sum256(body); out.URL != srv.URL(releases, key, "") || hex.EncodeToString(sum[:]) != out.SHA256 {
		t.Errorf("archive_url %q (sha256 %s): want the object %s with the recorded hash", out.URL, out.SHA256, key)
	}
	if err := expectBranches(t, production, promotionProdWS, "release_1", "v1"); err != nil {
		t.Error(err)
	}

	// Staging moves on after the review; a new runner plans the same release: nothing to do.
	staging.AddFunction(t, 1, "", "unreviewed", "return 'not reviewed'\n")
	wipeExceptConfig(t, ex.dir)
	ex.writeFile("backend.s3.hcl", []byte(backend))
	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.expectPlanExit(0)
	if _, now := srv.Get(t, releases, key); now != etag {
		t.Errorf("the release archive in the bucket changed (ETag %s, was %s)", now, etag)
	}
	if err := expectBranchFunctions(t, production, promotionProdWS, "release_1", "send_welcome_email", "compute_invoice_total"); err != nil {
		t.Error(err)
	}
}

func testExamplePromotion(t *testing.T, ex *exampleRun) {
	const prodWS = promotionProdWS
	// The local form (README): without backend.tf and store_url, state and archives are files.
	if err := os.Remove(filepath.Join(ex.dir, "backend.tf")); err != nil {
		t.Fatal(err)
	}
	staging, production := promotionInstances(t, ex)
	if staging.Token == production.Token {
		t.Fatal("the two instances must have different tokens")
	}

	ex.mustRun("init", "-input=false")
	ex.mustRun("validate")
	ex.mustRun("apply", "-auto-approve", "-input=false", "-var", "release=release_1")
	ex.expectPlanExit(0, "-var", "release=release_1")

	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Error(err)
		}
	}
	check(expectBranches(t, production, prodWS, "release_1", "v1"))
	check(expectBranchFunctions(t, production, prodWS, "release_1", "send_welcome_email", "compute_invoice_total"))
	check(expectBranches(t, staging, 1, "v1")) // staging is only read
	ex.expectFile("build/staging-release_1.tar.gz")

	// The next release: staging gained a function. The new label is imported and made live
	// before the previous release's branch, no longer live, is deleted.
	staging.AddFunction(t, 1, "", "apply_discount", "return $input.total * 0.9\n")
	ex.mustRun("apply", "-auto-approve", "-input=false", "-var", "release=release_2")
	ex.expectPlanExit(0, "-var", "release=release_2")
	check(expectBranches(t, production, prodWS, "release_2", "v1"))
	check(expectBranchFunctions(t, production, prodWS, "release_2", "send_welcome_email", "compute_invoice_total", "apply_discount"))
	ex.expectFile("build/staging-release_1.tar.gz") // the previous release's archive is kept
	ex.expectFile("build/staging-release_2.tar.gz")

	var out struct {
		Branch string `json:"release_branch"`
		Live   bool   `json:"release_live"`
	}
	ex.outputs(&out)
	if out.Branch != "release_2" || !out.Live {
		t.Errorf("outputs: release_branch %q, release_live %v; want release_2, true", out.Branch, out.Live)
	}
}

func testExampleRestore(t *testing.T, ex *exampleRun) {
	// The local form (README): without backend.tf, the state is a file.
	if err := os.Remove(filepath.Join(ex.dir, "backend.tf")); err != nil {
		t.Fatal(err)
	}
	inst := ex.startEmulator(nil) // 1 staging, 2 production
	// Production has a second branch, which a full restore deletes and its backup set keeps.
	inst.CreateBranch(t, 2, "hotfix", "")
	inst.AddFunction(t, 2, "hotfix", "hotfix_only", "return 'hotfix'")
	hotfixBefore := exampleBranchContent(t, inst.Export(t, 2, "hotfix", false))
	// The archive to restore: a full export of staging, restored over production.
	source := inst.Export(t, 1, "", true)
	ex.writeFile("archives/staging-full.tar.gz", source)
	before := exampleContentHash(t, inst.Export(t, 2, "", true))

	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.env("TF_VAR_workspace_id", "2")
	ex.env("TF_VAR_archive_path", "archives/staging-full.tar.gz")

	ex.mustRun("init", "-input=false")
	ex.mustRun("validate")

	// The guard: a workspace ID that does not name the confirmed workspace plans nothing.
	out := ex.expectExit(1, "plan", "-input=false", "-var", "confirm_workspace_name=staging")
	if !wrappedText(`Workspace 2 is named "production", not "staging"`).MatchString(out) {
		t.Errorf("the plan with a wrong confirm_workspace_name did not fail on the precondition:\n%s", out)
	}

	ex.env("TF_VAR_confirm_workspace_name", "production")
	// The plan names the branches the restore deletes.
	out = ex.expectPlanExit(2)
	if !wrappedText(`It deletes the 2 branches of the workspace: "v1", "hotfix"`).MatchString(out) {
		t.Errorf("the plan does not list the branches the restore deletes:\n%s", out)
	}
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)

	var res struct {
		BackupPath          string   `json:"backup_path"`
		BackupSHA256        string   `json:"backup_sha256"`
		BackupContentSHA256 string   `json:"backup_content_sha256"`
		ImportedSHA256      string   `json:"imported_sha256"`
		LiveBranch          string   `json:"live_branch"`
		BranchesDeleted     []string `json:"branches_deleted"`
	}
	ex.outputs(&res)
	sum := sha256.Sum256(source)
	wantBackup := filepath.Join("backups", "workspace-2-before-"+hex.EncodeToString(sum[:])[:12])
	if filepath.Clean(res.BackupPath) != wantBackup {
		t.Errorf("backup_path %q, want %q", res.BackupPath, wantBackup)
	}
	if !slices.Equal(res.BranchesDeleted, []string{"v1", "hotfix"}) {
		t.Errorf("branches_deleted %q, want v1 and hotfix", res.BranchesDeleted)
	}
	set := filepath.Join(ex.dir, wantBackup)
	if got := exampleFileSHA256(t, filepath.Join(set, backupManifestName)); got != res.BackupSHA256 {
		t.Errorf("%s/manifest.json: sha256 %s, but backup_sha256 is %s", wantBackup, got, res.BackupSHA256)
	}
	// The backup set holds production as it was before the restore: v1 with its records, hotfix.
	if err := expectBackupSet(t, set, "v1", "hotfix"); err != nil {
		t.Error(err)
	}
	if got := exampleContentHashFile(t, backupFullArchive(t, set)); got != before || res.BackupContentSHA256 != before {
		t.Errorf("the backup's content is %s (backup_content_sha256 %s), want production's before the restore, %s",
			got, res.BackupContentSHA256, before)
	}
	if res.ImportedSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("imported_sha256 %s, want the archive's %x", res.ImportedSHA256, sum)
	}
	// Production now holds staging's content: its tables, its functions, v1 live.
	if err := expectTables(t, inst, 2, "user", "order"); err != nil {
		t.Error(err)
	}
	if err := expectBranches(t, inst, 2, "v1"); err != nil {
		t.Error(err)
	}
	if err := expectBranchFunctions(t, inst, 2, "v1", "send_welcome_email", "compute_invoice_total"); err != nil {
		t.Error(err)
	}

	// Undoing the restore (README): restore the backup set, which is another archive, so it takes
	// a new backup set first, into another folder; then hotfix comes back from its schema archive.
	ex.env("TF_VAR_archive_path", "")
	undo := []string{"-var", "backup_set=" + filepath.ToSlash(wantBackup)}
	ex.mustRun(append([]string{"apply", "-auto-approve", "-input=false"}, undo...)...)
	ex.expectPlanExit(0, undo...)
	if err := expectTables(t, inst, 2, "user"); err != nil {
		t.Error(err)
	}
	if err := expectBranches(t, inst, 2, "v1", "hotfix"); err != nil {
		t.Error(err)
	}
	if err := expectBranchFunctions(t, inst, 2, "v1", "send_welcome_email"); err != nil {
		t.Error(err)
	}
	if got := exampleContentHash(t, inst.Export(t, 2, "", true)); got != before {
		t.Errorf("production's content after restoring the backup is %s, want what it was before the first restore, %s", got, before)
	}
	if got := exampleBranchContent(t, inst.Export(t, 2, "hotfix", false)); got != hotfixBefore {
		t.Errorf("hotfix's logic after restoring the backup set is %s, want %s", got, hotfixBefore)
	}
	full := backupSetIn(t, set).Files[0]
	second := filepath.Join("backups", "workspace-2-before-"+full.ArchiveSHA256[:12])
	ex.expectFile(filepath.Join(wantBackup, backupManifestName))
	ex.expectFile(filepath.Join(second, backupManifestName))
}

// The bucket form of the restore: the archive is a nightly backup's object (archive_url and its
// archive_sha256), the backup set goes under store_url's prefix, and the state is in an s3
// backend, all in one store (MinIO). A new runner plans nothing.
func testExampleRestoreS3(t *testing.T, ex *exampleRun) {
	srv := miniotest.Shared(t)
	bucket := fmt.Sprintf("backups-%d", time.Now().UnixNano()%1e12)
	srv.CreateBucket(t, bucket, true)
	for _, kv := range miniotest.Env() {
		if k, v, _ := strings.Cut(kv, "="); v != "" {
			ex.env(k, v)
		}
	}
	ex.secrets = append(ex.secrets, miniotest.Secrets()...)
	inst := ex.startEmulator(nil) // 1 staging, 2 production
	inst.CreateBranch(t, 2, "hotfix", "")
	before := exampleContentHash(t, inst.Export(t, 2, "", true))
	source := inst.Export(t, 1, "", true)
	const key = "xano/1-staging/1-staging-2026-11-26.tar.gz"
	srv.Put(t, bucket, key, source)
	sum := sha256.Sum256(source)
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.env("TF_VAR_workspace_id", "2")
	ex.env("TF_VAR_confirm_workspace_name", "production")
	ex.env("TF_VAR_archive_url", srv.URL(bucket, key, ""))
	ex.env("TF_VAR_archive_sha256", hex.EncodeToString(sum[:]))
	ex.env("TF_VAR_store_url", srv.URL(bucket, "xano", ""))
	backend := exampleS3Backend(t, ex.cli, srv, bucket, "terraform/restore.tfstate")
	ex.writeFile("backend.s3.hcl", []byte(backend))

	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)
	var res struct {
		BackupURL    string `json:"backup_url"`
		BackupSHA256 string `json:"backup_sha256"`
	}
	ex.outputs(&res)
	prefix := "xano/restores/workspace-2-before-" + hex.EncodeToString(sum[:])[:12]
	if res.BackupURL != srv.URL(bucket, prefix, "") {
		t.Errorf("backup_url %q, want the prefix %s", res.BackupURL, prefix)
	}
	if err := expectMinIOBackupSet(t, srv, bucket, prefix, res.BackupSHA256, "v1", "hotfix"); err != nil {
		t.Error(err)
	}
	body, _ := srv.Get(t, bucket, prefix+"/"+backupManifestName)
	var m backupManifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	full, _ := srv.Get(t, bucket, prefix+"/"+m.Files[0].File)
	if got := exampleContentHash(t, full); got != before {
		t.Errorf("the backup set's full archive holds %s, want production before the restore, %s", got, before)
	}
	if err := expectBranches(t, inst, 2, "v1"); err != nil {
		t.Error(err)
	}

	// A new runner: nothing to do.
	wipeExceptConfig(t, ex.dir)
	ex.writeFile("backend.s3.hcl", []byte(backend))
	ex.mustRun("init", "-input=false", "-backend-config=backend.s3.hcl")
	ex.expectPlanExit(0)
}

// exampleBranchContent is the branch content hash (tables left out) of an export-schema.
func exampleBranchContent(t *testing.T, data []byte) string {
	t.Helper()
	info, err := archive.Inspect(bytes.NewReader(data), archive.Limits{}, archive.BranchView())
	if err != nil || info.ContentSHA256 == "" {
		t.Fatalf("inspecting an export-schema: %v", err)
	}
	return info.ContentSHA256
}

func testExampleCIDriftCheck(t *testing.T, ex *exampleRun) {
	const ws = 2
	inst := ex.startEmulator(nil)
	// The archive "committed to the repository": staging's schema.
	ex.writeFile("archives/production-schema.tar.gz", inst.Export(t, 1, "", false))
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.env("TF_VAR_workspace_id", fmt.Sprint(ws))

	ex.initValidateApplyPlan()
	want := func() {
		t.Helper()
		if err := expectBranches(t, inst, ws, "production", "v1"); err != nil {
			t.Error(err)
		}
		if err := expectBranchFunctions(t, inst, ws, "production", "send_welcome_email", "compute_invoice_total"); err != nil {
			t.Error(err)
		}
	}
	want()

	bash, bashErr := exec.LookPath("bash")
	if bashErr == nil {
		out := ex.expectExitCmd(0, bash, "./check.sh")
		if !strings.Contains(out, "drift check: OK") {
			t.Errorf("check.sh without drift:\n%s", out)
		}
	} else {
		t.Log("bash not found: check.sh not run")
	}

	drifts := []struct {
		what   string
		change func()
		plan   string // what the plan says
	}{
		{
			"logic edited in the UI",
			func() { inst.AddFunction(t, ws, "production", "hotfix", "return \"patched by hand\"\n") },
			"xano_workspace_schema_import.production will be updated in-place",
		},
		{
			"another branch set live",
			func() { inst.SetLive(t, ws, "v1") },
			"xano_workspace_live_branch.production will be updated in-place",
		},
		{
			"branch deleted",
			func() { inst.SetLive(t, ws, "v1"); inst.DeleteBranch(t, ws, "production") },
			"xano_workspace_schema_import.production will be created",
		},
	}
	for i, d := range drifts {
		d.change()
		var out string
		if i == 0 && bashErr == nil {
			out = ex.expectExitCmd(2, bash, "./check.sh")
			for _, s := range []string{"drift check: DRIFT", "  # " + d.plan} {
				if !strings.Contains(out, s) {
					t.Errorf("check.sh after %s: no %q in:\n%s", d.what, s, out)
				}
			}
			testExampleDriftReport(t, ex, bash)
		} else {
			out = ex.expectPlanExit(2)
		}
		if !strings.Contains(out, d.plan) {
			t.Errorf("the plan after %s does not say %q:\n%s", d.what, d.plan, out)
		}
		ex.mustRun("apply", "-auto-approve", "-input=false")
		ex.expectPlanExit(0)
		want()
	}

	// A new label: the new branch is imported and made live before the old one is deleted.
	ex.mustRun("apply", "-auto-approve", "-input=false", "-var", "branch=production_2")
	ex.expectPlanExit(0, "-var", "branch=production_2")
	if err := expectBranches(t, inst, ws, "production_2", "v1"); err != nil {
		t.Error(err)
	}
}

// The two-stage promotion of the README: the candidate is snapshotted alone, the promotion is
// planned to a file that shows what it changes, and that file is applied as reviewed. A plan
// file whose comparison no longer holds (production's live branch edited since) and one whose
// archive was replaced import nothing.
func testExampleReviewedPromotion(t *testing.T, ex *exampleRun) {
	inst := ex.startEmulator(nil)
	ex.env("XANO_INSTANCE_URL", inst.URL)
	ex.env("XANO_TOKEN", inst.Token)
	ex.mustRun("init", "-input=false")

	// In one stage, the plan cannot read the archive: changes are known only at apply.
	out := ex.expectExit(0, "plan", "-input=false", "-var", "release=release_1")
	if !strings.Contains(out, "changes") || !strings.Contains(out, "(known after apply)") {
		t.Errorf("a one-stage plan should show changes known after apply:\n%s", out)
	}

	// Stage 1, then stage 2: the saved plan shows the comparison with production's live branch.
	ex.mustRun("apply", "-auto-approve", "-input=false", "-target=xano_workspace_snapshot.candidate", "-var", "release=release_1")
	_, reviewed := ex.runCmdStdout("output", "-raw", "candidate_content_sha256")
	stage2 := []string{"-var", "release=release_1", "-var", "reviewed_content_sha256=" + strings.TrimSpace(reviewed)}
	ex.mustRun(append([]string{"plan", "-input=false", "-out=promotion.tfplan"}, stage2...)...)
	show := ex.expectExit(0, "show", "promotion.tfplan")
	for _, s := range []string{`the live branch \"v1\", which serves traffic now`, "api_group/public", "function/compute_invoice_total"} {
		if !strings.Contains(show, s) {
			t.Errorf("show promotion.tfplan: no %q in:\n%s", s, show)
		}
	}
	ex.mustRun("apply", "-input=false", "promotion.tfplan")
	if err := expectBranchFunctions(t, inst, 2, "release_1", "compute_invoice_total", "send_welcome_email"); err != nil {
		t.Error(err)
	}
	ex.expectPlanExit(0, stage2...)

	// Production's live branch edited between the plan and its apply: the comparison saved no
	// longer holds, and the apply stops before importing.
	stage2 = []string{"-var", "release=release_2", "-var", "reviewed_content_sha256=" + strings.TrimSpace(reviewed)}
	ex.mustRun(append([]string{"plan", "-input=false", "-out=promotion.tfplan"}, stage2...)...)
	inst.AddFunction(t, 2, "release_1", "hotfix", "return 1\n")
	out = ex.expectExit(1, "apply", "-input=false", "promotion.tfplan")
	if !strings.Contains(out, "inconsistent final plan") {
		t.Errorf("apply of a plan whose comparison changed:\n%s", out)
	}

	// The archive replaced after the plan: apply refuses it.
	ex.mustRun(append([]string{"plan", "-input=false", "-out=promotion.tfplan"}, stage2...)...)
	ex.writeFile("build/candidate.tar.gz", inst.Export(t, 2, "", false))
	ex.expectExit(1, "apply", "-input=false", "promotion.tfplan")
	if err := expectBranches(t, inst, 2, "release_1", "v1"); err != nil {
		t.Errorf("no release_2 may be imported: %v", err)
	}
}

// testExampleDriftReport reads the plan check.sh saved after a function was added by hand: the
// CLI's own show of the plan file names the object the re-import removes, and report.sh turns
// show -json of it into Markdown that says the same.
func testExampleDriftReport(t *testing.T, ex *exampleRun, bash string) {
	t.Helper()
	show := ex.expectExit(0, "show", "-no-color", "drift.tfplan")
	for _, s := range []string{"changes", "function/hotfix", "as the last refresh observed it"} {
		if !strings.Contains(show, s) {
			t.Errorf("show drift.tfplan: no %q in:\n%s", s, show)
		}
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Log("jq not found: report.sh not run")
		return
	}
	report := ex.expectExitCmd(0, bash, "./report.sh")
	for _, s := range []string{
		"## Drift report",
		"### `xano_workspace_schema_import.production`: update",
		`Compared with branch "production" as the last refresh observed it`,
		"Removed:\n\n- `function/hotfix`",
		// Who added it by hand, from the audit log the plan's refresh read.
		"Who changed it (Xano audit log, newest first):\n\n- `function/hotfix`\n  - admin@xano-emulator.local at ",
		" (function:create)",
	} {
		if !strings.Contains(report, s) {
			t.Errorf("report.sh: no %q in:\n%s", s, report)
		}
	}
}

// ---- running a use case ----

// exampleRun is one use case being applied in a copy of its folder.
type exampleRun struct {
	t       *testing.T
	cli     string
	dir     string
	environ []string
	extra   map[string]string
	secrets []string
}

func newExampleRun(t *testing.T, cli, src, providerDir, providerMirror, mirror string) *exampleRun {
	t.Helper()
	work := t.TempDir()
	dir := filepath.Join(work, filepath.Base(src))
	copyExampleDir(t, src, dir)

	cfg := filepath.Join(work, "cli.tfrc")
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, a := range exampleXanoAddrs {
		fmt.Fprintf(&b, "    %q = %q\n", a, providerDir)
	}
	b.WriteString("  }\n")
	fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = [%s]\n  }\n", providerMirror, exampleQuoteList(exampleXanoAddrs))
	fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = [%s]\n  }\n", mirror, exampleQuoteList(exampleTimeAddrs))
	fmt.Fprintf(&b, "  direct {\n    exclude = [%s]\n  }\n}\n", exampleQuoteList(append(slices.Clone(exampleXanoAddrs), exampleTimeAddrs...)))
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	// The environment of the CLI: this process's, without anything that would change what the
	// CLI does (its configuration, extra arguments, variables, a reattached provider, logs).
	var environ []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "TF_"), strings.HasPrefix(k, "XANO_"), k == "CHECKPOINT_DISABLE",
			k == "TERRAFORM_CONFIG", k == "TERRAFORM_BIN":
			continue
		}
		environ = append(environ, kv)
	}
	environ = append(environ,
		"TF_CLI_CONFIG_FILE="+cfg,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TERRAFORM_BIN="+cli, // for check.sh
	)
	ex := &exampleRun{t: t, cli: cli, dir: dir, environ: environ, extra: map[string]string{}}
	t.Cleanup(ex.checkStateHasNoSecrets)
	return ex
}

// startEmulator starts an emulator with a token of its own (nil fx: the demo seed), whose
// token must then never appear in any output, state or error.
func (ex *exampleRun) startEmulator(fx *emulator.Fixture) *emulatortest.Instance {
	ex.t.Helper()
	if fx == nil {
		fx = emulator.DemoFixture()
	}
	skipWhenLive(ex.t, "the use cases run against a seeded emulator")
	inst := emulatortest.StartWith(ex.t, emulator.Options{Fixture: fx, AdminToken: "example-" + rand.Text()})
	ex.secrets = append(ex.secrets, inst.Token)
	return inst
}

// env sets an environment variable of the CLI.
func (ex *exampleRun) env(k, v string) { ex.extra[k] = v }

func (ex *exampleRun) redact(s string) string {
	for _, sec := range ex.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<token>")
		}
	}
	return s
}

// runCmd runs name with args in the use case's folder, and returns its exit code and combined
// output. The output must not contain a token.
func (ex *exampleRun) runCmd(name string, args ...string) (int, string) {
	ex.t.Helper()
	ctx, cancel := context.WithTimeout(ex.t.Context(), exampleCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = ex.dir
	cmd.Env = slices.Clone(ex.environ)
	for k, v := range ex.extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		code = exitErr.ExitCode()
	case err != nil:
		ex.t.Fatalf("%s: %v\n%s", ex.describe(name, args), err, ex.redact(out.String()))
	}
	text := out.String()
	if ex.redact(text) != text {
		ex.t.Errorf("the output of %s contains a token", ex.describe(name, args))
	}
	ex.t.Logf("%s: exit %d in %s", ex.describe(name, args), code, time.Since(start).Round(10*time.Millisecond))
	return code, ex.redact(text)
}

func (ex *exampleRun) describe(name string, args []string) string {
	return ex.redact(strings.Join(append([]string{filepath.Base(name)}, args...), " "))
}

// expectExitCmd runs a command that must exit with want, and returns its output.
func (ex *exampleRun) expectExitCmd(want int, name string, args ...string) string {
	ex.t.Helper()
	code, out := ex.runCmd(name, args...)
	if code != want {
		ex.t.Fatalf("%s exited with %d, want %d; its output:\n%s", ex.describe(name, args), code, want, out)
	}
	return out
}

// expectExit runs the CLI with args; it must exit with want.
func (ex *exampleRun) expectExit(want int, args ...string) string {
	ex.t.Helper()
	return ex.expectExitCmd(want, ex.cli, withNoColor(args)...)
}

// mustRun runs the CLI with args; it must succeed.
func (ex *exampleRun) mustRun(args ...string) {
	ex.t.Helper()
	ex.expectExit(0, args...)
}

// expectPlanExit runs plan -detailed-exitcode, which must exit with want (0: no changes,
// 2: changes).
func (ex *exampleRun) expectPlanExit(want int, args ...string) string {
	ex.t.Helper()
	return ex.expectExit(want, append([]string{"plan", "-detailed-exitcode", "-input=false"}, args...)...)
}

func (ex *exampleRun) initValidateApplyPlan() {
	ex.t.Helper()
	ex.mustRun("init", "-input=false")
	ex.mustRun("validate")
	ex.mustRun("apply", "-auto-approve", "-input=false")
	ex.expectPlanExit(0)
}

// outputs decodes `output -json` (the values only) into v.
func (ex *exampleRun) outputs(v any) {
	ex.t.Helper()
	code, out := ex.runCmdStdout("output", "-json")
	if code != 0 {
		ex.t.Fatalf("output -json exited with %d:\n%s", code, out)
	}
	var raw map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		ex.t.Fatalf("output -json: %v\n%s", err, out)
	}
	values := map[string]json.RawMessage{}
	for k, o := range raw {
		values[k] = o.Value
	}
	data, err := json.Marshal(values)
	if err != nil {
		ex.t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		ex.t.Fatalf("outputs %s: %v", data, err)
	}
}

// runCmdStdout runs the CLI and returns its standard output alone (warnings go to stderr, or
// are absent, for output -json).
func (ex *exampleRun) runCmdStdout(args ...string) (int, string) {
	ex.t.Helper()
	ctx, cancel := context.WithTimeout(ex.t.Context(), exampleCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ex.cli, args...)
	cmd.Dir = ex.dir
	cmd.Env = slices.Clone(ex.environ)
	for k, v := range ex.extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, ex.redact(string(out))
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		return exitErr.ExitCode(), ex.redact(string(out) + stderr.String())
	default:
		ex.t.Fatalf("%s: %v\n%s", ex.describe(ex.cli, args), err, ex.redact(stderr.String()))
		return 0, ""
	}
}

// writeFile writes a file of the use case's folder (rel is slash-separated).
func (ex *exampleRun) writeFile(rel string, data []byte) {
	ex.t.Helper()
	p := filepath.Join(ex.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		ex.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		ex.t.Fatal(err)
	}
}

// expectFile checks that a file of the use case's folder exists and is not empty.
func (ex *exampleRun) expectFile(rel string) {
	ex.t.Helper()
	st, err := os.Stat(filepath.Join(ex.dir, filepath.FromSlash(rel)))
	switch {
	case err != nil:
		ex.t.Errorf("%s: %v", rel, err)
	case st.Size() == 0:
		ex.t.Errorf("%s is empty", rel)
	}
}

// files lists the files under a folder of the use case's folder (rel is slash-separated).
func (ex *exampleRun) files(rel string) []string {
	ex.t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(ex.dir, filepath.FromSlash(rel)), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			r, _ := filepath.Rel(ex.dir, p)
			files = append(files, filepath.ToSlash(r))
		}
		return err
	})
	if err != nil {
		ex.t.Fatalf("listing %s: %v", rel, err)
	}
	return files
}

// checkStateHasNoSecrets fails the test when a token appears in the state file.
func (ex *exampleRun) checkStateHasNoSecrets() {
	data, err := os.ReadFile(filepath.Join(ex.dir, "terraform.tfstate"))
	if err != nil {
		return // no state: nothing was applied (the failure, if any, is already reported)
	}
	if ex.redact(string(data)) != string(data) {
		ex.t.Error("the state file contains a provider token")
	}
}

// withNoColor inserts -no-color after the CLI's subcommand.
func withNoColor(args []string) []string {
	if len(args) == 0 {
		return args
	}
	return append([]string{args[0], "-no-color"}, args[1:]...)
}

// ---- the provider binary, the plugin mirror, files ----

// exampleProviderVersion is the version under which the provider binary is offered to `init`.
// Both CLIs still try to install a provider that dev_overrides names (and fail offline), so the
// binary is also put in a filesystem mirror of its own; at run time dev_overrides wins.
const exampleProviderVersion = "0.0.1"

// exampleProvider is the provider binary of this test process.
var exampleProvider struct {
	once   sync.Once
	dir    string // the folder dev_overrides points at
	mirror string // a filesystem mirror (unpacked layout) holding the same binary
	tmp    string // a folder of this process, removed by TestMain
	err    error
}

func TestMain(m *testing.M) {
	if liveMode() {
		// make testacc-live: the provider reads the real token from the environment, so that it
		// is never written into a test's configuration.
		os.Setenv("XANO_TOKEN", os.Getenv(envLiveToken))
	}
	// The providers the CLIs start keep their inspection cache in a folder of this run, not in
	// the user's cache folder.
	var cacheDir string
	if os.Getenv(inspectionCacheEnv) == "" {
		if d, err := os.MkdirTemp("", "xano-inspection-cache-"); err == nil {
			cacheDir = d
			os.Setenv(inspectionCacheEnv, d)
		}
	}
	code := m.Run()
	if cacheDir != "" {
		os.RemoveAll(cacheDir)
	}
	miniotest.StopAll()
	gcstest.StopAll()
	azuritetest.StopAll()
	if exampleProvider.tmp != "" {
		os.RemoveAll(exampleProvider.tmp)
	}
	if exampleEmulator.tmp != "" {
		os.RemoveAll(exampleEmulator.tmp)
	}
	os.Exit(code)
}

// exampleEmulator is the xano-emulator command that the use cases run as their users do:
// XANO_EMULATOR_BINARY (make testacc passes bin/xano-emulator), else built once here.
var exampleEmulator struct {
	once sync.Once
	bin  string
	tmp  string // a folder of this process, removed by TestMain
	err  error
}

func exampleEmulatorBinary(t *testing.T, root string) string {
	t.Helper()
	exampleEmulator.once.Do(func() {
		exampleEmulator.bin, exampleEmulator.err = prepareExampleEmulator(root)
	})
	if exampleEmulator.err != nil {
		t.Fatal(exampleEmulator.err)
	}
	return exampleEmulator.bin
}

// prepareExampleEmulator returns XANO_EMULATOR_BINARY, or builds the command into a folder of
// this process that outlives any one test (the use cases share it; TestMain removes it).
func prepareExampleEmulator(root string) (string, error) {
	if bin := os.Getenv("XANO_EMULATOR_BINARY"); bin != "" {
		bin, err := exampleEnvPath(root, bin)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("XANO_EMULATOR_BINARY: %w (run make emulator, or unset it to have the test build it)", err)
		}
		return bin, nil
	}
	tmp, err := os.MkdirTemp("", "xano-example-emulator-")
	if err != nil {
		return "", err
	}
	exampleEmulator.tmp = tmp
	bin := filepath.Join(tmp, "xano-emulator")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/xano-emulator")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the emulator (go build in %s): %v\n%s", root, err, out)
	}
	return bin, nil
}

// moduleRoot is the folder of go.mod, found from this file's path.
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the source file of the test")
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// exampleProviderBinary returns the folder holding the provider binary as
// terraform-provider-xano (XANO_PROVIDER_BINARY when set, else a binary built once per test
// process) and a filesystem mirror offering it.
func exampleProviderBinary(t *testing.T, root string) (dir, mirror string) {
	t.Helper()
	exampleProvider.once.Do(func() {
		exampleProvider.err = prepareExampleProvider(root)
	})
	if exampleProvider.err != nil {
		t.Fatal(exampleProvider.err)
	}
	return exampleProvider.dir, exampleProvider.mirror
}

func prepareExampleProvider(root string) error {
	const name = "terraform-provider-xano"
	tmp, err := os.MkdirTemp("", "xano-example-provider-")
	if err != nil {
		return err
	}
	exampleProvider.tmp = tmp
	bin := os.Getenv("XANO_PROVIDER_BINARY")
	if bin != "" {
		if bin, err = exampleEnvPath(root, bin); err != nil {
			return err
		}
		st, err := os.Stat(bin)
		if err != nil {
			return fmt.Errorf("XANO_PROVIDER_BINARY: %w (run make build, or unset it to have the test build the provider)", err)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return fmt.Errorf("XANO_PROVIDER_BINARY %s is not an executable file", bin)
		}
	} else {
		bin = filepath.Join(tmp, "build", name)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building the provider (go build in %s): %v\n%s", root, err, out)
		}
	}
	// dev_overrides looks for terraform-provider-xano in a folder.
	exampleProvider.dir = filepath.Join(tmp, "dev")
	if err := os.MkdirAll(exampleProvider.dir, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(bin, filepath.Join(exampleProvider.dir, name)); err != nil {
		return err
	}
	exampleProvider.mirror = filepath.Join(tmp, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, addr := range exampleXanoAddrs {
		d := filepath.Join(exampleProvider.mirror, filepath.FromSlash(addr), exampleProviderVersion, platform)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.Symlink(bin, filepath.Join(d, name+"_v"+exampleProviderVersion)); err != nil {
			return err
		}
	}
	return nil
}

// examplePluginMirror is the filesystem mirror holding hashicorp/time for both registries.
func examplePluginMirror(t *testing.T, root string) string {
	t.Helper()
	mirror := filepath.Join(root, ".tools", "plugins")
	if env := os.Getenv("XANO_TEST_PLUGIN_MIRROR"); env != "" {
		var err error
		if mirror, err = exampleEnvPath(root, env); err != nil {
			t.Fatal(err)
		}
	}
	for _, addr := range exampleTimeAddrs {
		p := filepath.Join(mirror, filepath.FromSlash(addr))
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			t.Fatalf("the plugin mirror %s has no %s: run `make tools` to build it (or set XANO_TEST_PLUGIN_MIRROR)", mirror, addr)
		}
	}
	return mirror
}

// copyExampleDir copies a use case's folder, keeping file modes (check.sh is executable) and
// leaving out what a local run of it may have left (working files, state, archives).
func copyExampleDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			switch name {
			case ".terraform", "backups", "build":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.Contains(name, ".tfstate") || name == ".terraform.lock.hcl" ||
			strings.HasSuffix(name, ".tfplan") || strings.HasSuffix(name, ".tar.gz") || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

func exampleFileSHA256(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func exampleContentHashFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return exampleContentHash(t, data)
}

func exampleContentHash(t *testing.T, data []byte) string {
	t.Helper()
	h, err := archive.ContentSHA256(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("content hash: %v", err)
	}
	return h
}

func exampleQuoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// exampleVersionLine is the "Terraform vX" or "OpenTofu vX" line of `version`, which warnings
// may precede.
func exampleVersionLine(s string) string {
	for line := range strings.Lines(s) {
		if strings.HasPrefix(line, "Terraform v") || strings.HasPrefix(line, "OpenTofu v") {
			return strings.TrimSpace(line)
		}
	}
	return strings.TrimSpace(s)
}

// exampleEnvPath resolves a path from the environment. A relative path is taken from the module
// root when something exists there (make runs from the root, go test from the package folder),
// else from the current folder.
func exampleEnvPath(root, p string) (string, error) {
	if !filepath.IsAbs(p) {
		if fromRoot := filepath.Join(root, p); exampleExists(fromRoot) {
			return fromRoot, nil
		}
	}
	return filepath.Abs(p)
}

func exampleExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
