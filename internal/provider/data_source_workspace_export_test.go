package provider

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccWorkspaceExportDataSource: an export's hashes match a snapshot of the same branch
// (same content, although the bytes differ), with output_path the archive lands on disk and
// matches archive_sha256, without it nothing is written, and a password encrypts it.
func TestAccWorkspaceExportDataSource(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	snapshotPath, exportPath := filepath.Join(dir, "snapshot.tar.gz"), filepath.Join(dir, "exports", "v1.tar.gz")
	config := func(includeData bool) string {
		return testConfig(inst, `
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  include_data = %[1]t
  output_path  = %[2]q
}

data "xano_workspace_export" "live" {
  workspace_id = 1
  include_data = %[1]t
}

data "xano_workspace_export" "file" {
  workspace_id = 1
  branch       = "v1"
  include_data = %[1]t
  output_path  = %[3]q
}

data "xano_workspace_export" "encrypted" {
  workspace_id = 1
  password     = "ds-password"
}
`, includeData, snapshotPath, exportPath)
	}
	sameContent := func() statecheck.StateCheck {
		return statecheck.CompareValuePairs(
			snapshotAddr, tfjsonpath.New("content_sha256"),
			"data.xano_workspace_export.live", tfjsonpath.New("content_sha256"),
			compare.ValuesSame())
	}

	contentChanges := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(false),
				ConfigStateChecks: append(expectFile("data.xano_workspace_export.file", exportPath),
					sameContent(),
					contentChanges.AddStateValue("data.xano_workspace_export.live", tfjsonpath.New("content_sha256")),
					statecheck.CompareValuePairs(
						"data.xano_workspace_export.live", tfjsonpath.New("content_sha256"),
						"data.xano_workspace_export.file", tfjsonpath.New("content_sha256"),
						compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.xano_workspace_export.live", tfjsonpath.New("id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^1/v1/[0-9a-f]{12}$`))),
					idEndsWithArchive("data.xano_workspace_export.live"),
					statecheck.ExpectKnownValue("data.xano_workspace_export.live", tfjsonpath.New("exported_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue("data.xano_workspace_export.live", tfjsonpath.New("archive_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
					statecheck.ExpectKnownValue("data.xano_workspace_export.live", tfjsonpath.New("encrypted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.xano_workspace_export.encrypted", tfjsonpath.New("encrypted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.xano_workspace_export.encrypted", tfjsonpath.New("content_sha256"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue("data.xano_workspace_export.encrypted", tfjsonpath.New("password")),
					// Only the two files asked for: an export without output_path touches no disk.
					checkEmulator("the output folder", func() error { return expectOnlyFiles(dir, "exports", "snapshot.tar.gz") }),
					checkEmulator("the export folder", func() error { return expectOnlyFiles(filepath.Dir(exportPath), "v1.tar.gz") }),
				),
			},
			{
				// With data: still the same content as the snapshot, which now has the records too.
				Config: config(true),
				ConfigStateChecks: append(expectFile("data.xano_workspace_export.file", exportPath),
					sameContent(),
					contentChanges.AddStateValue("data.xano_workspace_export.live", tfjsonpath.New("content_sha256")),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("include_data"), knownvalue.Bool(true)),
				),
			},
		},
	})
}
