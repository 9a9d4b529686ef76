package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the CLI under test
// (TF_ACC_TERRAFORM_PATH: OpenTofu, Terraform 1.5.7 or a terraform on PATH; see GNUmakefile).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"xano": providerserver.NewProtocol6WithError(New("test")()),
}

// skipBelowWriteOnly skips a test on CLIs without write-only attributes (Terraform and OpenTofu
// 1.11). OpenTofu reports its own version number, which lines up for this feature.
var skipBelowWriteOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// startEmulator starts a private emulator for one test: tests run in parallel, each against its
// own Xano on loopback. fx nil seeds the demo instance (1 "staging", 2 "production").
func startEmulator(t *testing.T, fx *emulator.Fixture) *emulatortest.Instance {
	t.Helper()
	skipWhenLive(t, "a seeded fixture and the control API")
	return emulatortest.Start(t, fx)
}

// providerConfig is the provider block pointing at inst.
func providerConfig(inst *emulatortest.Instance) string {
	return fmt.Sprintf(`
provider "xano" {
  instance_url = %q
  token        = %q
  max_retries  = 3
}
`, inst.URL, inst.Token)
}

// expectNoSecretsInState fails when any of secrets appears anywhere in the state.
func expectNoSecretsInState(secrets ...string) statecheck.StateCheck {
	return noSecretsCheck{secrets: secrets}
}

type noSecretsCheck struct{ secrets []string }

func (c noSecretsCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for _, s := range c.secrets {
		if s != "" && strings.Contains(string(raw), s) {
			resp.Error = fmt.Errorf("a secret (%d characters, starting %q) appears in the state", len(s), s[:min(3, len(s))])
			return
		}
	}
}
