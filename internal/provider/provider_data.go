package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// providerData is what Configure hands to every resource and data source. The client is built
// only when the configuration is complete; otherwise missing says what to set, and the error is
// raised by the objects that need the API, when they need it.
type providerData struct {
	version string
	client  *xano.Client
	token   string         // kept only to mask it in logs
	missing string         // why there is no client
	unknown bool           // part of the configuration is unknown until apply
	limits  archive.Limits // the content inspection's bounds (archive_inspection)
	audit   auditNotes     // workspaces whose audit log could not be read in this run (audit.go)
}

// inspectionLimits returns the configured bounds of the content inspection.
func (d *providerData) inspectionLimits() archive.Limits {
	if d == nil {
		return inspectionLimits(0, 0)
	}
	return d.limits
}

// apiClient returns the client, or a diagnostic saying what to configure.
func (d *providerData) apiClient() (*xano.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case d == nil:
		diags.AddError("Xano provider not configured",
			"The provider was not configured before this object was used. This is a bug in the provider; please report it.")
	case d.client != nil:
		return d.client, nil
	case d.unknown:
		diags.AddError("Xano provider configuration unknown",
			"The provider's instance_url, token or another argument depends on a value that is not known yet. "+
				"Apply the objects it depends on first (for example with -target), then this one.")
	default:
		diags.AddError("Xano provider not configured", fmt.Sprintf("This object needs the Xano Metadata API, but %s.", d.missing))
	}
	return nil, diags
}

// checkConfiguredForPlan reports the missing-configuration error at plan time, when an object that
// needs the API is planned. An unknown configuration is let through: it is checked at apply.
func (d *providerData) checkConfiguredForPlan() diag.Diagnostics {
	if d == nil || d.unknown {
		return nil
	}
	_, diags := d.apiClient()
	return diags
}

// logContext returns ctx with the token masked from every log message and field.
func (d *providerData) logContext(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "token", "authorization", "Authorization", "password")
	if d != nil && d.token != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, d.token)
		ctx = tflog.MaskMessageStrings(ctx, d.token)
	}
	return ctx
}

// providerDataFrom type-asserts the ProviderData of a Configure request. It returns nil, with no
// diagnostic, when the provider has not been configured yet (as during validation).
func providerDataFrom(data any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil, diags
	}
	return pd, diags
}

// configurable is embedded in every resource and data source: it receives the provider data.
type configurable struct {
	data *providerData
}

func (c *configurable) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	pd, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if pd != nil {
		c.data = pd
	}
}

// dataSourceConfigurable is configurable for data sources (their Configure has other types).
type dataSourceConfigurable struct {
	data *providerData
}

func (c *dataSourceConfigurable) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	pd, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if pd != nil {
		c.data = pd
	}
}
