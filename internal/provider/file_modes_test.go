package provider

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// expectMode checks the permission bits of a file or folder on disk.
func expectMode(p string, want os.FileMode) statecheck.StateCheck {
	return checkEmulator("mode of "+p, func() error {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if got := st.Mode().Perm(); got != want {
			return fmt.Errorf("%s has mode %04o, want %04o", p, got, want)
		}
		return nil
	})
}

// expectSameFile checks that p still holds exactly want.
func expectSameFile(p string, want *[]byte) statecheck.StateCheck {
	return checkEmulator("content of "+p, func() error {
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, *want) {
			return fmt.Errorf("%s changed (%d bytes, was %d)", p, len(got), len(*want))
		}
		return nil
	})
}

// TestAccArchiveFiles_privateByDefault: every archive the provider writes (a snapshot, the export
// data source's output_path) is 0600 in new 0700 folders, whatever the umask; file_permission and
// directory_permission are applied exactly (a umask of 077 does not narrow them), and a new
// file_permission is applied in place, without a new export. Not parallel: it sets the umask.
func TestAccArchiveFiles_privateByDefault(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	snap := filepath.Join(dir, "new", "deeper", "snap.tar.gz")
	out := filepath.Join(dir, "exports", "v1.tar.gz")
	custom := filepath.Join(dir, "shared", "custom.tar.gz")
	config := func(customMode string) string {
		return testConfig(inst, `
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  include_data = true
  output_path  = %[1]q
}

data "xano_workspace_export" "file" {
  workspace_id = 1
  branch       = "v1"
  output_path  = %[2]q
}

resource "xano_workspace_snapshot" "custom" {
  workspace_id         = 1
  output_path          = %[3]q
  file_permission      = %[4]q
  directory_permission = "0750"
}
`, snap, out, custom, customMode)
	}
	var customBytes []byte

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("0400"),
				PlanOnly:    true,
				ExpectError: errorPattern("Invalid permission", `"0400" does not let the owner read and write`),
			},
			{
				Config:      config("rw-r--r--"),
				PlanOnly:    true,
				ExpectError: errorPattern("Invalid permission", "is not an octal mode"),
			},
			{
				PreConfig: func() { setUmask(t, 0o002) },
				Config:    config("0640"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectMode(snap, 0o600),
					expectMode(filepath.Dir(snap), 0o700),
					expectMode(filepath.Dir(filepath.Dir(snap)), 0o700),
					expectMode(out, 0o600),
					expectMode(filepath.Dir(out), 0o700),
					expectMode(custom, 0o640),
					expectMode(filepath.Dir(custom), 0o750),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("file_permission"), knownvalue.StringExact("0600")),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("directory_permission"), knownvalue.StringExact("0700")),
				},
			},
			{
				// A tight umask narrows nothing that was asked for; a new mode is a chmod in place.
				PreConfig: func() {
					setUmask(t, 0o077)
					data, err := os.ReadFile(custom)
					if err != nil {
						t.Fatal(err)
					}
					customBytes = data
				},
				Config: config("0644"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xano_workspace_snapshot.custom", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectMode(custom, 0o644),
					expectSameFile(custom, &customBytes),
					expectMode(out, 0o600),
					statecheck.ExpectKnownValue("xano_workspace_snapshot.custom", tfjsonpath.New("archive_sha256"), fileSHA256(custom)),
				},
			},
		},
	})
}

// setUmask sets the process umask for the rest of the test (the provider runs in-process).
func setUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestAccWorkspaceSnapshot_inspectionLimitKeepsArchive: with archive_inspection.max_bytes set
// below the export's content, the archive is still saved whole, with content_sha256 null; a later
// answer that is not an archive is refused and leaves that file untouched.
func TestAccWorkspaceSnapshot_inspectionLimitKeepsArchive(t *testing.T) {
	inst := startEmulator(t, &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: 1, Name: "big", Tables: []emulator.FixtureTable{{Name: "rows", Rows: 64, RowBytes: 64 << 10}},
	}}})
	dir := t.TempDir()
	p := filepath.Join(dir, "snap.tar.gz")
	var limitConfig func(trigger, limits string) string
	config := func(trigger string) string { return limitConfig(trigger, "max_bytes = 65536") }
	limitConfig = func(trigger, limits string) string {
		return fmt.Sprintf(`
provider "xano" {
  instance_url       = %q
  token              = %q
  max_retries        = 0
  archive_inspection = { %s }
}

resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  include_data = true
  output_path  = %q
  triggers     = { run = %q }
}
`, inst.URL, inst.Token, limits, p, trigger)
	}
	var good []byte

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      limitConfig("0", `timeout = "soon"`),
				PlanOnly:    true,
				ExpectError: errorPattern("Invalid duration", `"soon" is not a positive duration`),
			},
			{
				Config: config("1"),
				ConfigStateChecks: append(expectFile(snapshotAddr, p),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("encrypted"), knownvalue.Bool(false)),
					expectMode(p, 0o600),
					expectPostStatuses(inst, "/workspace/1/export", http.StatusOK),
				),
			},
			{
				PreConfig: func() {
					data, err := os.ReadFile(p)
					if err != nil {
						t.Fatal(err)
					}
					good = data
					addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export", Status: http.StatusOK,
						Code: "OK", Message: "not an archive"})
				},
				Config:      config("2"),
				ExpectError: errorPattern("Cannot save the export", "not a readable Xano archive", "Nothing was replaced"),
			},
			{
				Config:             config("2"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigStateChecks:  []statecheck.StateCheck{expectSameFile(p, &good)},
			},
		},
	})
}

// archive750 writes a gzip'd tar whose one entry is n bytes of zeros: about 1000:1 under
// deflate, the shape of a table of long repeated values.
func archive750(t *testing.T, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := archive.NewWriter(&buf, time.Unix(0, 0))
	if err := w.AddFile("rows.bin", n, io.LimitReader(zeros{}, n)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestAtomicFile_highRatioArchive: an archive of any ratio deflate can produce (here about
// 1000:1, past the 64 MiB the old ratio guard waited for) is inspected and saved with the
// provider's limits; past max_bytes it is saved with the limit reported; a truncated one is
// refused and leaves the previous file as it was.
func TestAtomicFile_highRatioArchive(t *testing.T) {
	data := archive750(t, 96<<20)
	if ratio := (96 << 20) / len(data); ratio < 750 {
		t.Fatalf("the test archive compresses %d:1, want at least 750:1", ratio)
	}
	dir := t.TempDir()
	write := func(name string, body []byte, lim archive.Limits) (archive.Info, *archive.LimitError, error) {
		a, err := createAtomic(filepath.Join(dir, name), 0o600, archiveInspector(lim))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Write(body); err != nil {
			t.Fatal(err)
		}
		_, info, incomplete, err := a.Commit()
		return info, incomplete, err
	}

	info, incomplete, err := write("full.tar.gz", data, inspectionLimits(0, 0))
	if err != nil || incomplete != nil || info.ContentSHA256 == "" {
		t.Fatalf("inspected with the provider's limits: info %+v, incomplete %v, err %v", info, incomplete, err)
	}
	info, incomplete, err = write("limited.tar.gz", data, inspectionLimits(1<<20, 0))
	if err != nil || incomplete == nil || incomplete.Limit != "MaxTotalBytes" || info.ContentSHA256 != "" {
		t.Fatalf("past max_bytes: info %+v, incomplete %v, err %v", info, incomplete, err)
	}
	if !strings.Contains(raiseLimitHint(incomplete), "archive_inspection") {
		t.Errorf("the hint does not say how to raise the limit: %s", raiseLimitHint(incomplete))
	}
	kept, err := os.ReadFile(filepath.Join(dir, "limited.tar.gz"))
	if err != nil || !bytes.Equal(kept, data) {
		t.Fatalf("the archive past max_bytes was not saved whole (err %v)", err)
	}
	_, _, err = write("limited.tar.gz", data[:len(data)-9], inspectionLimits(1<<20, 0))
	if err == nil {
		t.Fatal("a truncated archive past max_bytes was accepted")
	}
	after, _ := os.ReadFile(filepath.Join(dir, "limited.tar.gz"))
	if !bytes.Equal(after, data) {
		t.Fatal("a refused archive replaced the good one")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// TestVerifyGzipFile: the check behind an incomplete inspection refuses a damaged gzip.
func TestVerifyGzipFile(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(bytes.Repeat([]byte("row "), 1000))
	_ = zw.Close()
	good := buf.Bytes()
	bad := bytes.Clone(good)
	bad[len(bad)-5] ^= 0xff // the CRC
	for name, tc := range map[string]struct {
		data []byte
		ok   bool
	}{"good": {good, true}, "bad crc": {bad, false}, "truncated": {good[:len(good)/2], false}, "html": {[]byte("<html>"), false}} {
		p := filepath.Join(t.TempDir(), "a.gz")
		if err := os.WriteFile(p, tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := verifyGzipFile(p); (err == nil) != tc.ok {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestPermissionValidator(t *testing.T) {
	for _, tc := range []struct {
		owner, value string
		ok           bool
	}{
		{"rw", "0600", true}, {"rw", "640", true}, {"rw", "0644", true}, {"rw", "0400", false}, {"rw", "0200", false},
		{"rw", "4600", false}, {"rw", "0800", false}, {"rw", "600x", false}, {"rw", "06", false}, {"rw", "", false},
		{"rwx", "0700", true}, {"rwx", "0755", true}, {"rwx", "0600", false},
	} {
		var resp validator.StringResponse
		permissionValidator{owner: tc.owner}.ValidateString(context.Background(),
			validator.StringRequest{ConfigValue: types.StringValue(tc.value)}, &resp)
		if resp.Diagnostics.HasError() == tc.ok {
			t.Errorf("%s %q: diagnostics %v", tc.owner, tc.value, resp.Diagnostics)
		}
	}
}

// TestAccWorkspaceImport_backupPastInspectionLimit: with archive_inspection.max_bytes below the
// workspace's content, the backup set before a restore is still written whole (0640 as asked, in
// new 0700 folders) and recorded with backup_content_sha256 null, and the source archive, also past
// the limit at plan time, is imported: a backup that was received is a backup.
func TestAccWorkspaceImport_backupPastInspectionLimit(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	staging, stagingSHA := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	backup := filepath.Join(dir, "backups", "before")
	config := fmt.Sprintf(`
provider "xano" {
  instance_url       = %q
  token              = %q
  archive_inspection = { max_bytes = 16 }
}

resource "xano_workspace_import" "restore" {
  workspace_id    = 2
  allow_data_loss = true
  source_path     = %q
  source_sha256   = %q
  backup_path     = %q
  file_permission = "0640"
}
`, inst.URL, inst.Token, staging, stagingSHA, backup)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(stagingSHA)),
				statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), manifestSHA256Is(backup)),
				statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"), knownvalue.Null()),
				expectMode(filepath.Join(backup, backupManifestName), 0o640),
				expectMode(backup, 0o700),
				expectMode(filepath.Dir(backup), 0o700),
				checkEmulator("the set keeps its archive, uninspected, at the asked mode", func() error {
					m := backupSetIn(t, backup)
					if len(m.Files) != 1 || m.Files[0].ContentSHA256 != nil {
						return fmt.Errorf("the manifest lists %+v, want one full archive with content_sha256 null", m.Files)
					}
					st, err := os.Stat(filepath.Join(backup, m.Files[0].File))
					if err == nil && st.Mode().Perm() != 0o640 {
						err = fmt.Errorf("the set's archive has mode %04o, want 0640", st.Mode().Perm())
					}
					return err
				}),
				checkEmulator("workspace 2 holds staging's content", func() error {
					return expectBranchFunctions(t, inst, 2, "", "compute_invoice_total", "send_welcome_email")
				}),
			},
		}},
	})
}
