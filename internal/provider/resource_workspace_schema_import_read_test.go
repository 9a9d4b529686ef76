package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// Read of xano_workspace_schema_import takes the branch's content as it is as the drift baseline
// when none was recorded (the export after the import failed, or terraform import), and warns
// that changes made before cannot be detected. The acceptance tests cannot see warnings, so this
// test calls ReadResource as a CLI would, against an emulator.
func TestSchemaImportReadWarnsOfAdoptedBaseline(t *testing.T) {
	inst := startEmulator(t, nil)
	src := siExport(t, inst, 1, t.TempDir(), "staging.tar.gz")
	siImportOutOfBand(t, inst, 2, "release_1", src)
	sum, err := digestFile(src)
	if err != nil {
		t.Fatal(err)
	}
	content := siContent(t, inst, "release_1")
	warning := `Drift baseline of branch "release_1" of workspace 2 taken from its current content: No content ` +
		`was recorded for branch "release_1" of workspace 2 after its import (the export that follows an import ` +
		`failed, the branch was brought under Terraform by terraform import, or a re-import was finished by hand), ` +
		`so its content as it is now, content_sha256 ` + content + `, becomes the baseline that drift detection ` +
		`compares with. A change made to the branch before this refresh is not detected: if it may have been ` +
		`edited since it was imported, check it in the Xano UI.`

	tests := []struct {
		name    string
		private []byte
		want    []string
	}{
		{name: "no baseline", want: []string{warning}},
		{name: "a baseline", private: privateState(t, map[string]any{baselineKey: baselineData{ContentSHA256: content}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := readSchemaImport(t, inst, schemaImportPrior(src, sum.SHA256, content, false, false, true, false), tt.private)
			var got []string
			for _, d := range resp.Diagnostics {
				if d.Severity != tfprotov6.DiagnosticSeverityWarning {
					t.Fatalf("unexpected diagnostic: %s: %s", d.Summary, d.Detail)
				}
				got = append(got, d.Summary+": "+d.Detail)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// readSchemaImport refreshes a xano_workspace_schema_import state through the provider's protocol
// server, configured for inst.
func readSchemaImport(t *testing.T, inst *emulatortest.Instance, state map[string]tftypes.Value, private []byte) *tfprotov6.ReadResourceResponse {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	cfg, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: objectValue(t, resourceType(t, server, ""), map[string]tftypes.Value{
			"instance_url": tfString(inst.URL),
			"token":        tfString(inst.Token),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range cfg.Diagnostics {
		t.Fatalf("configuring the provider: %s: %s", d.Summary, d.Detail)
	}
	resp, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName:     "xano_workspace_schema_import",
		CurrentState: objectValue(t, resourceType(t, server, "xano_workspace_schema_import"), state),
		Private:      private,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
