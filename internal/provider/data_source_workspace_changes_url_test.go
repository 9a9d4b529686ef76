package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

// The weekly report from object storage (MinIO): last week's snapshot, streamed to S3 with
// output_url, is the baseline that baseline_url names. Right after it nothing changed; a function
// added since in the Xano UI is then named, with who added it (the audit log read no further back
// than the object's last-modified time). A missing object, and credentials the store rejects,
// are clear errors on baseline_url.
func TestAccWorkspaceChangesDataSource_baselineURL(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	url := srv.URL(bucket, "weekly/last-week.tar.gz", "")
	config := providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_snapshot" "last_week" {
  workspace_id = 1
  output_url   = %q
}

data "xano_workspace_changes" "week" {
  workspace_id = 1
  baseline_url = xano_workspace_snapshot.last_week.output_url
}
`, url)
	const addr = "data.xano_workspace_changes.week"
	changes := tfjsonpath.New("changes")
	missing := func(u string) string {
		return providerConfig(inst) + fmt.Sprintf(`
data "xano_workspace_changes" "missing" {
  workspace_id = 1
  baseline_url = %q
}
`, u)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("compared_with"),
						knownvalue.StringExact(fmt.Sprintf("the baseline archive %q", url))),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("added"), exactStrings(nil)),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("changed"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("removed"), exactStrings(nil)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("baseline_path"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() { inst.AddFunction(t, 1, "", "promo_new", "return 1\n") },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("compared_branch"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("added"), exactStrings([]string{"function/promo_new"})),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("removed"), exactStrings(nil)),
					statecheck.ExpectKnownValue(addr, changes.AtMapKey("changed_by"), knownvalue.MapExact(map[string]knownvalue.Check{
						"function/promo_new": adminLine("function:create"),
					})),
				},
			},
			{
				Config: missing(srv.URL(bucket, "weekly/missing.tar.gz", "")),
				ExpectError: regexp.MustCompile(`(?s)Baseline archive not found.*no\s+object\s+at\s+baseline_url.*missing\.tar\.gz.*` +
					`output_url`),
			},
			{
				// Both a path and a URL: the schema says exactly one.
				Config: providerConfig(inst) + fmt.Sprintf(`
data "xano_workspace_changes" "both" {
  workspace_id  = 1
  baseline_path = "last-week.tar.gz"
  baseline_url  = %q
}
`, url),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*baseline_url`),
			},
			{
				Config:      missing(srv.URL(bucket, "weekly/last-week.tar.gz", miniotest.ProfileWrong)),
				ExpectError: regexp.MustCompile(`(?s)Cannot read the baseline archive.*credentials\s+missing\s+or\s+invalid`),
			},
		},
	})
}
