package provider

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// TestAccProvider_maxRetriesZero: max_retries = 0 turns retries off: a 503 fails the export on
// the first attempt, and the next apply, with the fault spent, makes the snapshot.
func TestAccProvider_maxRetriesZero(t *testing.T) {
	inst := startEmulator(t, nil)
	out := filepath.Join(t.TempDir(), "staging.tar.gz")
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/1/export-schema",
		Status: http.StatusServiceUnavailable, Count: 1})
	config := fmt.Sprintf(`
provider "xano" {
  instance_url = %q
  token        = %q
  max_retries  = 0
}

resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_path  = %q
}
`, inst.URL, inst.Token, out)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ExpectError: regexp.MustCompile(`503`)},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectPostStatuses(inst, "/workspace/1/export-schema", http.StatusServiceUnavailable, http.StatusOK),
				},
			},
		},
	})
}
