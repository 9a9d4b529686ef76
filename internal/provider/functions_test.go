package provider

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// Provider functions exist from Terraform 1.8 and OpenTofu 1.7 (which reports a version that
// lines up for this check: the tests run OpenTofu 1.12).
var skipBelowFunctions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// functionsConfig declares the provider (functions need no configuration) and the outputs.
func functionsConfig(outputs string) string {
	return "provider \"xano\" {}\n" + outputs
}

// inventoryOf is the inventory of the archive at p as package archive reads it.
func inventoryOf(t *testing.T, p string) archive.Info {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	info, err := archive.Inspect(bytes.NewReader(data), archive.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func exactStrings(keys []string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(keys))
	for _, k := range keys {
		checks = append(checks, knownvalue.StringExact(k))
	}
	return knownvalue.ListExact(checks)
}

// The functions on archives the emulator exported: before, staging as seeded; after, staging
// with a function added, one changed and one removed, an endpoint removed and a task changed.
func TestAccFunctions_archives(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	before := siExport(t, inst, 1, dir, "before.tar.gz")
	inst.AddFunction(t, 1, "", "promo_new", "return 1\n")
	inst.AddFunction(t, 1, "", "compute_invoice_total", "return 0\n")
	oobDeleteFunction(t, inst, 1, "", "send_welcome_email")
	oobDeleteLegacyEndpoint(t, inst, 1, oobPublicGroupID(t, inst, 1, ""))
	oobUpdateTask(t, inst, 1, "", "nightly_sync", "syncs twice a night")
	after := siExport(t, inst, 1, dir, "after.tar.gz")

	info := inventoryOf(t, after)
	objects := map[string]knownvalue.Check{}
	for k, v := range info.Objects {
		objects[k] = knownvalue.StringExact(v)
	}
	config := functionsConfig(fmt.Sprintf(`
output "objects" {
  value = provider::xano::archive_objects(%[1]q)
}
output "content_sha256" {
  value = provider::xano::archive_content_sha256(%[1]q)
}
output "diff" {
  value = provider::xano::archive_diff(%[2]q, %[1]q)
}
output "back" {
  value = provider::xano::archive_diff(%[1]q, %[2]q)
}
output "removes_an_endpoint" {
  value = anytrue([for k in provider::xano::archive_diff(%[2]q, %[1]q).removed : startswith(k, "endpoint/")])
}
`, after, before))

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowFunctions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("objects", knownvalue.MapExact(objects)),
				statecheck.ExpectKnownOutputValue("objects", knownvalue.MapPartial(map[string]knownvalue.Check{
					"function/promo_new":        knownvalue.StringRegexp(sha256HexRegex),
					"table/user":                knownvalue.StringRegexp(sha256HexRegex),
					"task/nightly_sync":         knownvalue.StringRegexp(sha256HexRegex),
					"endpoint/public/GET users": knownvalue.StringRegexp(sha256HexRegex),
				})),
				statecheck.ExpectKnownOutputValue("content_sha256", knownvalue.StringExact(info.ContentSHA256)),
				statecheck.ExpectKnownOutputValue("diff", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"added":   exactStrings([]string{"function/promo_new"}),
					"changed": exactStrings([]string{"function/compute_invoice_total", "task/nightly_sync"}),
					"removed": exactStrings([]string{"endpoint/public/GET legacy", "function/send_welcome_email"}),
					"details": knownvalue.MapExact(map[string]knownvalue.Check{
						"function/compute_invoice_total": exactStrings([]string{"body changed"}),
						"task/nightly_sync":              exactStrings([]string{`description "syncs every night" → "syncs twice a night"`}),
					}),
					"destructive": exactStrings(nil),
				})),
				statecheck.ExpectKnownOutputValue("back", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"added":   exactStrings([]string{"endpoint/public/GET legacy", "function/send_welcome_email"}),
					"changed": exactStrings([]string{"function/compute_invoice_total", "task/nightly_sync"}),
					"removed": exactStrings([]string{"function/promo_new"}),
					"details": knownvalue.MapExact(map[string]knownvalue.Check{
						"function/compute_invoice_total": exactStrings([]string{"body changed"}),
						"task/nightly_sync":              exactStrings([]string{`description "syncs twice a night" → "syncs every night"`}),
					}),
					"destructive": exactStrings(nil),
				})),
				statecheck.ExpectKnownOutputValue("removes_an_endpoint", knownvalue.Bool(true)),
			},
		}},
	})
}

// A missing file, an encrypted archive and a file that is not an archive are errors that say so.
func TestAccFunctions_unreadable(t *testing.T) {
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	good := siExport(t, inst, 1, dir, "staging.tar.gz")
	encrypted, _ := writeTestArchive(t, dir, "encrypted.tar.gz", encryptedExport(t, inst, 2, "pw"))
	notArchive := filepath.Join(dir, "page.tar.gz")
	if err := os.WriteFile(notArchive, []byte("<html><body>Bad gateway</body></html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.tar.gz")
	call := func(expr string) string {
		return functionsConfig(fmt.Sprintf("output \"x\" {\n  value = %s\n}\n", expr))
	}

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowFunctions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      call(fmt.Sprintf("provider::xano::archive_objects(%q)", missing)),
				ExpectError: regexp.MustCompile(`(?s)archive_objects:.*missing\.tar\.gz"?\s+does\s+not\s+exist`),
			},
			{
				Config:      call(fmt.Sprintf("provider::xano::archive_content_sha256(%q)", encrypted)),
				ExpectError: regexp.MustCompile(`(?s)archive_content_sha256:.*encrypted\.tar\.gz"?\s+is\s+encrypted\s+\(it\s+was\s+exported\s+with\s+a\s+password\)`),
			},
			{
				Config:      call(fmt.Sprintf("provider::xano::archive_diff(%q, %q)", good, notArchive)),
				ExpectError: regexp.MustCompile(`(?s)archive_diff:.*page\.tar\.gz"?\s+is\s+not\s+a\s+Xano\s+export\s+archive`),
			},
		},
	})
}
