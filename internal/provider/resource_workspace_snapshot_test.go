package provider

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // the tests check archive_md5
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

const snapshotAddr = "xano_workspace_snapshot.test"

var (
	rfc3339UTC     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	sha256HexRegex = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// testConfig is the provider block for inst followed by format, formatted with args.
func testConfig(inst *emulatortest.Instance, format string, args ...any) string {
	return providerConfig(inst) + fmt.Sprintf(format, args...)
}

// snapshotConfig is one xano_workspace_snapshot "test" of workspace 1's live branch with extra
// arguments.
func snapshotConfig(inst *emulatortest.Instance, outputPath, extra string) string {
	return testConfig(inst, `
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_path  = %q
  %s
}
`, outputPath, extra)
}

// fileFacts reads a file (test archives are small) and returns its hashes and size.
func fileFacts(p string) (hexSum, b64Sum string, size int64, err error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return "", "", 0, err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]), int64(len(data)), nil
}

// fileSHA256 checks that a value is the hex SHA-256 of the file at p, computed by the test.
func fileSHA256(p string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		want, _, _, err := fileFacts(p)
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("got %s, but %s hashes to %s", v, p, want)
		}
		return nil
	})
}

// fileBase64SHA256 checks that a value is the base64 SHA-256 of the file at p.
func fileBase64SHA256(p string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		_, want, _, err := fileFacts(p)
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("got %s, but %s hashes to %s (base64)", v, p, want)
		}
		return nil
	})
}

// fileSize checks that a value is the size of the file at p.
func fileSize(p string) knownvalue.Check {
	return knownvalue.Int64Func(func(v int64) error {
		_, _, want, err := fileFacts(p)
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("got %d, but %s has %d bytes", v, p, want)
		}
		return nil
	})
}

// expectFile checks, after apply, that the snapshot at addr describes the file at p exactly.
func expectFile(addr, p string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_sha256"), fileSHA256(p)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_base64sha256"), fileBase64SHA256(p)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_size"), fileSize(p)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_md5"), fileMD5(p, false)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_base64md5"), fileMD5(p, true)),
	}
}

// fileMD5 checks that a value is the MD5 of the file at p (filemd5, or filebase64md5 when b64).
func fileMD5(p string, b64 bool) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := md5.Sum(data) //nolint:gosec // what filemd5() computes
		want := hex.EncodeToString(sum[:])
		if b64 {
			want = base64.StdEncoding.EncodeToString(sum[:])
		}
		if v != want {
			return fmt.Errorf("got %s, but the MD5 of %s is %s", v, p, want)
		}
		return nil
	})
}

// errorPattern matches an error holding each phrase in order, however the CLI wrapped it.
func errorPattern(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = wrappedText(p).String()
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// expectExists checks that each file exists.
func expectExists(paths ...string) statecheck.StateCheck {
	return checkEmulator("files on disk", func() error {
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("expected %s to exist: %w", p, err)
			}
		}
		return nil
	})
}

// postStatuses returns the statuses of the POST requests the emulator answered for path (exports
// are POST requests).
func postStatuses(inst *emulatortest.Instance, p string) ([]int, error) {
	recs, err := inst.Control.Requests(context.Background())
	if err != nil {
		return nil, err
	}
	var statuses []int
	for _, r := range recs {
		if r.Method == http.MethodPost && r.Path == p {
			statuses = append(statuses, r.Status)
		}
	}
	return statuses, nil
}

// expectPostStatuses checks that the emulator answered POST path exactly with these statuses.
func expectPostStatuses(inst *emulatortest.Instance, p string, want ...int) statecheck.StateCheck {
	return checkEmulator("the emulator's request log", func() error {
		got, err := postStatuses(inst, p)
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("POST %s: got statuses %v, want %v", p, got, want)
		}
		return nil
	})
}

// int64Greater is a comparer asserting that each value is greater than the one before.
type int64Greater struct{}

func (int64Greater) CompareValues(values ...any) error {
	for i := 1; i < len(values); i++ {
		prevNum, ok1 := values[i-1].(json.Number)
		curNum, ok2 := values[i].(json.Number)
		if !ok1 || !ok2 {
			return fmt.Errorf("expected numbers, got %T and %T", values[i-1], values[i])
		}
		prev, err1 := prevNum.Int64()
		cur, err2 := curNum.Int64()
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if cur <= prev {
			return fmt.Errorf("expected %d to be greater than %d", cur, prev)
		}
	}
	return nil
}

func addFault(t *testing.T, inst *emulatortest.Instance, f emulator.Fault) {
	t.Helper()
	if err := inst.Control.AddFault(context.Background(), f); err != nil {
		t.Fatalf("adding a fault: %v", err)
	}
}

// TestAccWorkspaceSnapshot_schemaOfLiveBranch: a schema export of the live branch lands on disk
// with hashes that match the file, and an unchanged configuration plans nothing (refresh only
// looks at the file: the export is made once).
func TestAccWorkspaceSnapshot_schemaOfLiveBranch(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "backups", "staging.tar.gz") // the folder is created
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: snapshotConfig(inst, out, ""),
				ConfigStateChecks: append(expectFile(snapshotAddr, out),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("exported_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("branch"), knownvalue.Null()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("encrypted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("include_data"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("track_file"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("retain_on_destroy"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339UTC)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^1/v1/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/[0-9a-f]{12}$`))),
					idEndsWithArchive(snapshotAddr),
					sameID.AddStateValue(snapshotAddr, tfjsonpath.New("id")),
					expectPostStatuses(inst, "/workspace/1/export-schema", http.StatusOK),
				),
			},
			{
				Config: snapshotConfig(inst, out, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(expectFile(snapshotAddr, out),
					sameID.AddStateValue(snapshotAddr, tfjsonpath.New("id")),
					// Several refreshes later, still the one export.
					expectPostStatuses(inst, "/workspace/1/export-schema", http.StatusOK),
				),
			},
			{
				RefreshState: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{
					PostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// idEndsWithArchive checks that the ID of the object at addr ends with the first 12 hex digits of
// its archive_sha256.
func idEndsWithArchive(addr string) statecheck.StateCheck {
	return statecheck.CompareValuePairs(addr, tfjsonpath.New("id"), addr, tfjsonpath.New("archive_sha256"), idSuffixComparer{})
}

// idSuffixComparer compares an ID with an archive_sha256: the ID must end with "/" and the hash's
// first 12 hex digits.
type idSuffixComparer struct{}

func (idSuffixComparer) CompareValues(values ...any) error {
	if len(values) != 2 {
		return fmt.Errorf("expected an ID and a hash, got %d values", len(values))
	}
	id, ok1 := values[0].(string)
	sum, ok2 := values[1].(string)
	if !ok1 || !ok2 || len(sum) < 12 {
		return fmt.Errorf("expected two strings, got %T and %T", values[0], values[1])
	}
	if !strings.HasSuffix(id, "/"+sum[:12]) {
		return fmt.Errorf("the ID %q does not end with the archive's short hash %s", id, sum[:12])
	}
	return nil
}

// TestAccWorkspaceSnapshot_idUniqueAndEscaped: two snapshots of a branch whose label has a "/",
// made in the same apply (so, most likely, in the same second), have distinct IDs in which the
// label is escaped.
func TestAccWorkspaceSnapshot_idUniqueAndEscaped(t *testing.T) {
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 1, "feature/x", "")
	dir := t.TempDir()
	idPattern := knownvalue.StringRegexp(regexp.MustCompile(`^1/feature%2Fx/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/[0-9a-f]{12}$`))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testConfig(inst, `
resource "xano_workspace_snapshot" "a" {
  workspace_id = 1
  branch       = "feature/x"
  output_path  = %q
}

resource "xano_workspace_snapshot" "b" {
  workspace_id = 1
  branch       = "feature/x"
  output_path  = %q
}
`, filepath.Join(dir, "a.tar.gz"), filepath.Join(dir, "b.tar.gz")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("xano_workspace_snapshot.a", tfjsonpath.New("id"), idPattern),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.b", tfjsonpath.New("id"), idPattern),
				idEndsWithArchive("xano_workspace_snapshot.a"),
				idEndsWithArchive("xano_workspace_snapshot.b"),
				statecheck.CompareValuePairs("xano_workspace_snapshot.a", tfjsonpath.New("id"),
					"xano_workspace_snapshot.b", tfjsonpath.New("id"), compare.ValuesDiffer()),
			},
		}},
	})
}

// TestAccWorkspaceSnapshot_branchKnownOnlyAtApply: a branch that is only known at apply may be
// another branch, so the plan is a new snapshot (and not an update that the apply would have to
// turn into a replacement: "Provider produced inconsistent final plan").
func TestAccWorkspaceSnapshot_branchKnownOnlyAtApply(t *testing.T) {
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 1, "dev", "")
	out := filepath.Join(t.TempDir(), "staging.tar.gz")
	config := func(branch string) string {
		return testConfig(inst, `
resource "terraform_data" "branch" {
  input = %q
}

resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  branch       = terraform_data.branch.output
  output_path  = %q
}
`, branch, out)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("exported_branch"), knownvalue.StringExact("v1")),
				},
			},
			{
				Config: config("dev"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(snapshotAddr, tfjsonpath.New("branch")),
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: append(expectFile(snapshotAddr, out),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("branch"), knownvalue.StringExact("dev")),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("exported_branch"), knownvalue.StringExact("dev")),
				),
			},
		},
	})
}

// TestAccWorkspaceSnapshot_includeData: with include_data the export holds the records: the
// content differs from the schema-only one and the file is bigger.
func TestAccWorkspaceSnapshot_includeData(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	schemaPath, fullPath := filepath.Join(dir, "schema.tar.gz"), filepath.Join(dir, "full.tar.gz")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testConfig(inst, `
resource "xano_workspace_snapshot" "schema" {
  workspace_id = 1
  output_path  = %q
}

resource "xano_workspace_snapshot" "full" {
  workspace_id = 1
  branch       = "v1"
  include_data = true
  output_path  = %q
}
`, schemaPath, fullPath),
			ConfigStateChecks: append(expectFile("xano_workspace_snapshot.full", fullPath),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.full", tfjsonpath.New("include_data"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.full", tfjsonpath.New("exported_branch"), knownvalue.StringExact("v1")),
				statecheck.ExpectKnownValue("xano_workspace_snapshot.full", tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
				statecheck.CompareValuePairs(
					"xano_workspace_snapshot.schema", tfjsonpath.New("content_sha256"),
					"xano_workspace_snapshot.full", tfjsonpath.New("content_sha256"),
					compare.ValuesDiffer()),
				statecheck.CompareValuePairs(
					"xano_workspace_snapshot.schema", tfjsonpath.New("archive_size"),
					"xano_workspace_snapshot.full", tfjsonpath.New("archive_size"),
					int64Greater{}),
				expectPostStatuses(inst, "/workspace/1/export", http.StatusOK),
				expectPostStatuses(inst, "/workspace/1/export-schema", http.StatusOK),
			),
		}},
	})
}

// TestAccWorkspaceSnapshot_fileDrift: a deleted or edited file means the snapshot is gone and the
// plan proposes a new one; with track_file = false the file is not watched.
func TestAccWorkspaceSnapshot_fileDrift(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz")
	expectCreate := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate)},
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            snapshotConfig(inst, out, ""),
				ConfigStateChecks: expectFile(snapshotAddr, out),
			},
			{
				PreConfig: func() {
					if err := os.Remove(out); err != nil {
						t.Fatal(err)
					}
				},
				Config:            snapshotConfig(inst, out, ""),
				ConfigPlanChecks:  expectCreate,
				ConfigStateChecks: append(expectFile(snapshotAddr, out), expectExists(out)),
			},
			{
				PreConfig: func() {
					f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
					if err != nil {
						t.Fatal(err)
					}
					_, err = f.Write([]byte{0})
					if err = errors.Join(err, f.Close()); err != nil {
						t.Fatal(err)
					}
				},
				Config:            snapshotConfig(inst, out, ""),
				ConfigPlanChecks:  expectCreate,
				ConfigStateChecks: expectFile(snapshotAddr, out),
			},
			{
				Config: snapshotConfig(inst, out, "track_file = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("track_file"), knownvalue.Bool(false)),
				},
			},
			{
				PreConfig: func() {
					if err := os.Remove(out); err != nil {
						t.Fatal(err)
					}
				},
				Config: snapshotConfig(inst, out, "track_file = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccWorkspaceSnapshot_triggersAndRetention: a change of triggers makes a new snapshot and,
// with output_path templated on the trigger, keeps the previous file; with retain_on_destroy =
// false, replacing or destroying the snapshot deletes its file.
func TestAccWorkspaceSnapshot_triggersAndRetention(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	fileOf := func(release string) string { return filepath.Join(dir, "staging-"+release+".tar.gz") }
	config := func(release, extra string) string {
		return testConfig(inst, `
locals {
  release = %q
}

resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_path  = "%s/staging-${local.release}.tar.gz"
  triggers     = { release = local.release }
  %s
}
`, release, filepath.ToSlash(dir), extra)
	}
	replace := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionDestroyBeforeCreate)},
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config("r1", ""),
				ConfigStateChecks: expectFile(snapshotAddr, fileOf("r1")),
			},
			{
				Config:            config("r2", ""),
				ConfigPlanChecks:  replace,
				ConfigStateChecks: append(expectFile(snapshotAddr, fileOf("r2")), expectExists(fileOf("r1"), fileOf("r2"))),
			},
			{
				Config: config("r2", "retain_on_destroy = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("retain_on_destroy"), knownvalue.Bool(false)),
				},
			},
			{
				Config:           config("r3", "retain_on_destroy = false"),
				ConfigPlanChecks: replace,
				ConfigStateChecks: append(expectFile(snapshotAddr, fileOf("r3")),
					expectExists(fileOf("r1")),
					checkEmulator("the replaced snapshot's file", func() error { return expectGone(fileOf("r2")) })),
			},
		},
		// Only the file of the snapshot made while retain_on_destroy was true is left.
		CheckDestroy: func(*terraform.State) error { return expectOnlyFiles(dir, filepath.Base(fileOf("r1"))) },
	})
}

// expectGone returns an error unless nothing exists at p.
func expectGone(p string) error {
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("expected %s to be gone (stat: %v)", p, err)
	}
	return nil
}

// expectOnlyFiles returns an error unless dir holds exactly the files named (no temporary
// *.partial file in particular).
func expectOnlyFiles(dir string, names ...string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		return fmt.Errorf("%s holds %v, want exactly %v", dir, got, names)
	}
	return nil
}

// TestAccWorkspaceSnapshot_passwordWriteOnly: with password_wo the archive is encrypted (with that
// password: it decrypts to the branch's content), and neither the password nor the token reach
// state; a new password_wo_version makes a new snapshot.
func TestAccWorkspaceSnapshot_passwordWriteOnly(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz.enc")
	const password = "correct horse battery staple"
	config := func(version int) string {
		return snapshotConfig(inst, out, fmt.Sprintf("password_wo = %q\n  password_wo_version = %d", password, version))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigStateChecks: append(expectFile(snapshotAddr, out),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("encrypted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
					expectDecryptsToLiveSchema(t, inst, out, password),
					expectNoSecretsInState(password, inst.Token),
				),
			},
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: append(expectFile(snapshotAddr, out), expectNoSecretsInState(password, inst.Token)),
			},
		},
	})
}

// TestAccWorkspaceSnapshot_password: password (for CLIs without write-only attributes) encrypts
// the archive too; it is in state, marked sensitive, but the token is not.
func TestAccWorkspaceSnapshot_password(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz.enc")
	const password = "s3cret-for-old-clis"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: snapshotConfig(inst, out, fmt.Sprintf("password = %q", password)),
			ConfigStateChecks: append(expectFile(snapshotAddr, out),
				statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("encrypted"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.Null()),
				statecheck.ExpectSensitiveValue(snapshotAddr, tfjsonpath.New("password")),
				expectDecryptsToLiveSchema(t, inst, out, password),
				expectNoSecretsInState(inst.Token),
			),
		}},
	})
}

// expectDecryptsToLiveSchema checks that the file decrypts with password into an archive with
// the content of an unencrypted export-schema of workspace 1's live branch.
func expectDecryptsToLiveSchema(t *testing.T, inst *emulatortest.Instance, p, password string) statecheck.StateCheck {
	return checkEmulator("the encrypted archive", func() error {
		want, err := archive.ContentSHA256(bytes.NewReader(inst.Export(t, 1, "", false)))
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		plain, err := archive.Decrypt(f, password)
		if err != nil {
			return fmt.Errorf("decrypting %s with the configured password: %w", p, err)
		}
		got, err := archive.ContentSHA256(plain)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("the decrypted archive's content is %s, the live branch's is %s", got, want)
		}
		return nil
	})
}

// TestAccWorkspaceSnapshot_retries: 429 (with Retry-After) and 503 answers are retried, and the
// snapshot is made.
func TestAccWorkspaceSnapshot_retries(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz")
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export-schema",
		Status: http.StatusTooManyRequests, RetryAfter: "1", Count: 1})
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export-schema",
		Status: http.StatusServiceUnavailable, Count: 2})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: snapshotConfig(inst, out, ""),
			ConfigStateChecks: append(expectFile(snapshotAddr, out),
				expectPostStatuses(inst, "/workspace/1/export-schema",
					http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusOK),
			),
		}},
	})
}

// TestAccWorkspaceSnapshot_resumesAfterCut: a download cut once is retried from the start, and
// the file and every hash describe the complete second download only.
func TestAccWorkspaceSnapshot_resumesAfterCut(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz")
	cleanContent, err := archive.ContentSHA256(bytes.NewReader(inst.Export(t, 1, "", false)))
	if err != nil {
		t.Fatal(err)
	}
	clearRequests(t, inst)
	cut := int64(100)
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export-schema", CutAfterBytes: &cut, Count: 1})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: snapshotConfig(inst, out, ""),
			ConfigStateChecks: append(expectFile(snapshotAddr, out),
				statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.StringExact(cleanContent)),
				checkEmulator("the emulator's request log", func() error {
					got, err := postStatuses(inst, "/workspace/1/export-schema")
					if err == nil && len(got) != 2 {
						err = fmt.Errorf("expected the cut export and one retry, got %d requests", len(got))
					}
					return err
				}),
				checkEmulator("the output folder", func() error { return expectOnlyFiles(filepath.Dir(out), filepath.Base(out)) }),
			),
		}},
	})
}

// TestAccWorkspaceSnapshot_cutDownload: a download cut mid-way every time fails the apply and
// leaves nothing behind: no file, no temporary file, and an existing snapshot file untouched.
func TestAccWorkspaceSnapshot_cutDownload(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	good, fresh := filepath.Join(dir, "good.tar.gz"), filepath.Join(dir, "fresh.tar.gz")
	goodConfig := fmt.Sprintf(`
resource "xano_workspace_snapshot" "good" {
  workspace_id = 1
  output_path  = %q
}
`, good)
	var goodBytes []byte
	cut := int64(64)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testConfig(inst, "%s", goodConfig),
				ConfigStateChecks: expectFile("xano_workspace_snapshot.good", good),
			},
			{
				PreConfig: func() {
					var err error
					if goodBytes, err = os.ReadFile(good); err != nil {
						t.Fatal(err)
					}
					addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export-schema",
						CutAfterBytes: &cut, Count: 10})
				},
				// Two snapshots that cannot be made: one over the good file, one to a new path.
				Config: testConfig(inst, `%s
resource "xano_workspace_snapshot" "over_good" {
  workspace_id = 1
  output_path  = %q
}

resource "xano_workspace_snapshot" "fresh" {
  workspace_id = 1
  output_path  = %q
}
`, goodConfig, good, fresh),
				ExpectError: errorPattern("Export of workspace 1 failed", "lost in the middle of the transfer"),
			},
			{
				PreConfig: func() {
					if err := inst.Control.ClearFaults(context.Background()); err != nil {
						t.Fatal(err)
					}
					if now, err := os.ReadFile(good); err != nil || !bytes.Equal(now, goodBytes) {
						t.Errorf("the good snapshot's file changed after a failed export (read error: %v)", err)
					}
					if err := expectGone(fresh); err != nil {
						t.Error(err)
					}
					if err := expectOnlyFiles(dir, filepath.Base(good)); err != nil {
						t.Error(err)
					}
				},
				// The good snapshot still matches its file: nothing to do.
				Config: testConfig(inst, "%s", goodConfig),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccWorkspaceSnapshot_badInput: unknown workspace or branch, an invalid label and an
// unwritable path are clear errors.
func TestAccWorkspaceSnapshot_badInput(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	notAFolder := filepath.Join(dir, "file")
	if err := os.WriteFile(notAFolder, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	config := func(ws int, branch, out string) string {
		return testConfig(inst, `
resource "xano_workspace_snapshot" "test" {
  workspace_id = %d
  branch       = %q
  output_path  = %q
}
`, ws, branch, out)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(99, "", filepath.Join(dir, "a.tar.gz")),
				ExpectError: errorPattern("Workspace 99 not found", "Check workspace_id"),
			},
			{
				Config:      config(1, "nope", filepath.Join(dir, "b.tar.gz")),
				ExpectError: errorPattern(`Workspace 1 has no branch "nope"`, "Leave branch empty"),
			},
			{
				Config:      config(1, "no spaces", filepath.Join(dir, "c.tar.gz")),
				PlanOnly:    true,
				ExpectError: errorPattern("Invalid branch label", `"no spaces" is not valid`),
			},
			{
				Config:      config(1, "", filepath.Join(notAFolder, "x.tar.gz")),
				ExpectError: errorPattern("Cannot write the archive", "cannot create the folder"),
			},
			{
				Config:      config(1, "", dir),
				ExpectError: errorPattern("Cannot write the archive", "is a folder"),
			},
		},
		CheckDestroy: func(*terraform.State) error { return expectOnlyFiles(dir, filepath.Base(notAFolder)) },
	})
}

// TestAccWorkspaceSnapshot_unconfiguredProvider: without an instance URL and token, planning a
// new snapshot fails and says what to set, while an existing snapshot, which only needs its local
// file, still plans, updates and destroys. Not parallel: it unsets the environment variables.
func TestAccWorkspaceSnapshot_unconfiguredProvider(t *testing.T) {
	t.Setenv(EnvInstanceURL, "")
	t.Setenv(EnvToken, "")
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	existing := func(extra string) string {
		return fmt.Sprintf(`
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_path  = %q
  %s
}
`, filepath.Join(dir, "staging.tar.gz"), extra)
	}
	unconfigured := "provider \"xano\" {}\n"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(inst) + existing(""),
			},
			{
				Config:   unconfigured + existing(""),
				PlanOnly: true, // and the plan is empty
			},
			{
				Config: unconfigured + existing("track_file = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{
				// A replacement is a new export: it needs the API.
				Config:      unconfigured + existing("track_file = false\n  triggers = { release = \"r2\" }"),
				PlanOnly:    true,
				ExpectError: errorPattern("Xano provider not configured", "set instance_url and token"),
			},
			{
				Config: unconfigured + existing("track_file = false") + fmt.Sprintf(`
resource "xano_workspace_snapshot" "new" {
  workspace_id = 1
  output_path  = %q
}
`, filepath.Join(dir, "new.tar.gz")),
				PlanOnly:    true,
				ExpectError: errorPattern("Xano provider not configured", "set instance_url and token"),
			},
		},
	})
}

// TestWorkspaceSnapshotRead_fileGoneWarns: a refresh that finds the file missing or changed says so
// in a warning that names the path and why, not only in a log line, since the plan that follows
// makes a new snapshot.
func TestWorkspaceSnapshotRead_fileGoneWarns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	changed := filepath.Join(dir, "changed.tar.gz")
	if err := os.WriteFile(changed, []byte("edited by hand"), 0o600); err != nil {
		t.Fatal(err)
	}
	recorded := sha256Hex([]byte("the archive as exported"))
	for _, tc := range []struct {
		file string
		want string
	}{
		{filepath.Join(dir, "missing.tar.gz"), "it is missing"},
		{changed, fmt.Sprintf("its sha256 is now %s, was %s", sha256Hex([]byte("edited by hand")), recorded)},
	} {
		resp := readSnapshot(t, tc.file, recorded)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", tc.file, resp.Diagnostics)
		}
		if !resp.State.Raw.IsNull() {
			t.Errorf("%s: the snapshot is still in state", tc.file)
		}
		warnings := resp.Diagnostics.Warnings()
		if len(warnings) != 1 {
			t.Fatalf("%s: got %d warnings, want 1: %v", tc.file, len(warnings), resp.Diagnostics)
		}
		for _, want := range []string{strconv.Quote(tc.file), tc.want, "workspace 1", "plan makes a new one"} {
			if !strings.Contains(warnings[0].Detail(), want) {
				t.Errorf("%s: the warning does not say %q: %s", tc.file, want, warnings[0].Detail())
			}
		}
	}
}

// readSnapshot runs the snapshot's Read on a state recording file with sha256 sum.
func readSnapshot(t *testing.T, file, sum string) *fwresource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	r := newWorkspaceSnapshotResource()
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	state := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
	for attr, v := range map[string]any{
		"id": "1/v1/2026-11-27T08:10:20Z/" + sum[:12], "workspace_id": int64(1), "output_path": file,
		"track_file": true, "retain_on_destroy": true, "include_data": false, "exported_branch": "v1",
		"archive_sha256": sum, "created_at": "2026-11-27T08:10:20Z",
	} {
		if diags := state.SetAttribute(ctx, path.Root(attr), v); diags.HasError() {
			t.Fatal(diags)
		}
	}
	resp := &fwresource.ReadResponse{State: state}
	r.Read(ctx, fwresource.ReadRequest{State: state}, resp)
	return resp
}
