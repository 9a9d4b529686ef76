// Package provider implements the xano Terraform provider: workspace snapshots, schema imports
// into new branches, full restores, and the data sources around them.
package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// Environment variables read when the provider block leaves an argument out.
const (
	EnvInstanceURL = "XANO_INSTANCE_URL"
	EnvToken       = "XANO_TOKEN"
)

// Defaults of the provider's transport settings.
const (
	defaultRequestTimeout = 15 * time.Minute
	defaultMaxRetries     = 4
)

var _ provider.Provider = (*xanoProvider)(nil)

// New returns the provider factory for a given build version (set by goreleaser).
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &xanoProvider{version: version}
	}
}

type xanoProvider struct {
	version string
}

type providerModel struct {
	InstanceURL        types.String `tfsdk:"instance_url"`
	Token              types.String `tfsdk:"token"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	MaxRetries         types.Int64  `tfsdk:"max_retries"`
	CACertFile         types.String `tfsdk:"ca_cert_file"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	ArchiveInspection  types.Object `tfsdk:"archive_inspection"`
}

// archiveInspectionModel is the provider's archive_inspection attribute.
type archiveInspectionModel struct {
	MaxBytes types.Int64  `tfsdk:"max_bytes"`
	Timeout  types.String `tfsdk:"timeout"`
}

func (p *xanoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "xano"
	resp.Version = p.version
}

func (p *xanoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Xano provider manages the export and import lifecycle of " +
			"[Xano](https://www.xano.com) workspaces through the Metadata API: snapshots (backups), " +
			"promotion of a schema into a new branch, drift checks and full restores.",
		Attributes: map[string]schema.Attribute{
			"instance_url": schema.StringAttribute{
				MarkdownDescription: "The Xano instance origin, e.g. `https://x8ki-letl-twmt.n7.xano.io`; `/api:meta` is " +
					"appended. A full `.../api:meta` URL is accepted too. Defaults to the `" + EnvInstanceURL + "` " +
					"environment variable.",
				Optional: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "A Metadata API access token. Defaults to the `" + EnvToken + "` environment " +
					"variable. It is never written to state or logs.",
				Optional:  true,
				Sensitive: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long a request may wait for Xano to start answering, and how long a " +
					"transfer may stall without a byte moving, as a Go duration such as `15m` or `90s`. Exports are " +
					"slow to start: Xano builds the whole archive before sending the first byte. A long but steady " +
					"transfer is not cut: the total is bounded by each resource's `timeouts`. Defaults to `15m`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after the first attempt. "+
					"`429 Too Many Requests` is retried for every request, honouring `Retry-After`; server errors "+
					"and dropped connections only for reads and exports, never for imports or branch changes. "+
					"Defaults to `%d`.", defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"ca_cert_file": schema.StringAttribute{
				MarkdownDescription: "A PEM file of CA certificates to trust in addition to the system's, for " +
					"instances behind a private certificate authority.",
				Optional: true,
			},
			"insecure_skip_verify": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS certificate verification. Only for testing; defaults to `false`.",
				Optional:            true,
			},
			"archive_inspection": schema.SingleNestedAttribute{
				MarkdownDescription: "Bounds on the inspection of archives (the reading of their content that " +
					"gives `content_sha256`), a guard against decompression bombs. An archive received whole " +
					"that goes past a bound is still saved, with `content_sha256` null and a warning that names " +
					"the bound; only a response that is not an archive is refused.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"max_bytes": schema.Int64Attribute{
						MarkdownDescription: fmt.Sprintf("The most uncompressed content bytes read from one archive. "+
							"Defaults to `%d` (64 GiB).", int64(archive.DefaultMaxTotalBytes)),
						Optional:   true,
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
					"timeout": schema.StringAttribute{
						MarkdownDescription: fmt.Sprintf("The longest the inspection of one archive may take, as a Go "+
							"duration such as `1h`. Defaults to `%s`.", archive.DefaultMaxDuration),
						Optional:   true,
						Validators: []validator.String{durationValidator{}},
					},
				},
			},
		},
	}
}

func (p *xanoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{version: p.version, limits: inspectionLimits(0, 0)}
	resp.ResourceData = data
	resp.DataSourceData = data
	if isKnown(cfg.ArchiveInspection) {
		var ai archiveInspectionModel
		resp.Diagnostics.Append(cfg.ArchiveInspection.As(ctx, &ai, basetypes.ObjectAsOptions{})...)
		if resp.Diagnostics.HasError() {
			return
		}
		if ai.MaxBytes.IsUnknown() || ai.Timeout.IsUnknown() {
			data.unknown = true
			return
		}
		var timeout time.Duration
		if s := ai.Timeout.ValueString(); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				resp.Diagnostics.AddAttributeError(path.Root("archive_inspection").AtName("timeout"),
					"Invalid archive_inspection timeout", fmt.Sprintf("%q is not a positive duration such as \"1h\".", s))
				return
			}
			timeout = d
		}
		data.limits = inspectionLimits(ai.MaxBytes.ValueInt64(), timeout)
	} else if cfg.ArchiveInspection.IsUnknown() {
		data.unknown = true
		return
	}

	// A value that is unknown until apply (say, a URL from another resource) cannot be checked
	// now; the objects that need the API say so when they are planned against a known value.
	for _, v := range []types.String{cfg.InstanceURL, cfg.Token, cfg.RequestTimeout, cfg.CACertFile} {
		if v.IsUnknown() {
			data.unknown = true
			return
		}
	}
	if cfg.MaxRetries.IsUnknown() || cfg.InsecureSkipVerify.IsUnknown() {
		data.unknown = true
		return
	}

	instanceURL := stringOrEnv(cfg.InstanceURL, EnvInstanceURL)
	token := stringOrEnv(cfg.Token, EnvToken)
	data.token = token
	switch {
	case instanceURL == "" && token == "":
		data.missing = "the instance URL and the Metadata API token are not set: set instance_url and token " +
			"in the provider block, or the " + EnvInstanceURL + " and " + EnvToken + " environment variables"
		return
	case instanceURL == "":
		data.missing = "the instance URL is not set: set instance_url in the provider block or the " +
			EnvInstanceURL + " environment variable"
		return
	case token == "":
		data.missing = "the Metadata API token is not set: set token in the provider block or the " +
			EnvToken + " environment variable (create one in the instance settings under Metadata API)"
		return
	}

	timeout := defaultRequestTimeout
	if s := cfg.RequestTimeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout", err.Error())
			return
		}
		timeout = d
	}
	maxRetries := defaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
		if maxRetries == 0 {
			maxRetries = -1 // the client reads 0 as "its default" and a negative count as none
		}
	}

	httpClient, err := newHTTPClient(cfg.CACertFile.ValueString(), cfg.InsecureSkipVerify.ValueBool())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("ca_cert_file"), "Invalid ca_cert_file", err.Error())
		return
	}

	client, err := xano.New(xano.Config{
		BaseURL:        instanceURL,
		Token:          token,
		UserAgent:      fmt.Sprintf("terraform-provider-xano/%s (+https://registry.terraform.io/providers/xano-community/xano)", p.version),
		HTTPClient:     httpClient,
		RequestTimeout: timeout,
		MaxRetries:     maxRetries,
		Logger:         tflogLogger{},
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("instance_url"), "Invalid Xano provider configuration", err.Error())
		return
	}
	data.client = client
	tflog.Debug(data.logContext(ctx), "Configured the Xano Metadata API client", map[string]any{"base_url": client.BaseURL()})
}

func (p *xanoProvider) Resources(_ context.Context) []func() resource.Resource {
	return resourceFactories
}

func (p *xanoProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSourceFactories
}

// resourceFactories and dataSourceFactories are filled by each object's file in its init, so that
// adding an object touches only its own file.
var (
	resourceFactories   []func() resource.Resource
	dataSourceFactories []func() datasource.DataSource
)

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func newHTTPClient(caFile string, insecure bool) (*http.Client, error) {
	if caFile == "" && !insecure {
		return cleanhttp.DefaultPooledClient(), nil
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA certificate file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tlsConfig.RootCAs = pool
	}
	if insecure {
		tlsConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it, for testing only
	}
	transport := cleanhttp.DefaultPooledTransport() // as DefaultPooledClient, with tlsConfig
	transport.TLSClientConfig = tlsConfig
	return &http.Client{Transport: transport}, nil
}

// tflogLogger adapts the client's logging hook to tflog. Tokens are masked by the context
// (see providerData.logContext); the client itself never logs Authorization.
type tflogLogger struct{}

func (tflogLogger) Log(ctx context.Context, level, msg string, fields map[string]any) {
	switch strings.ToUpper(level) {
	case "TRACE":
		tflog.Trace(ctx, msg, fields)
	case "DEBUG":
		tflog.Debug(ctx, msg, fields)
	case "WARN":
		tflog.Warn(ctx, msg, fields)
	case "ERROR":
		tflog.Error(ctx, msg, fields)
	default:
		tflog.Info(ctx, msg, fields)
	}
}
