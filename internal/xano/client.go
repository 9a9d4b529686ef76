// Package xano is a client for the Xano Metadata API's workspace, branch, export and import
// endpoints. Exports stream into an io.Writer and imports stream from an io.Reader through a
// multipart body built on the fly, so memory does not grow with archive size.
package xano

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Config configures a Client.
type Config struct {
	// BaseURL is an instance origin (https://x.n7.xano.io) or a full .../api:meta URL.
	BaseURL string
	// Token is the Metadata API access token (sent as a bearer token, never logged or echoed).
	Token string
	// UserAgent is sent on every request, e.g. "terraform-provider-xano/1.2.3".
	UserAgent string
	// HTTPClient is the underlying client (TLS settings live in its transport). Nil: a clean default.
	HTTPClient *http.Client
	// RequestTimeout bounds each attempt of each request (default 15 minutes; 0 means default,
	// negative means none). Exports are slow to start: the server builds the archive first.
	RequestTimeout time.Duration
	// MaxRetries is the number of retries after the first attempt (default 4; negative means 0).
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff (defaults 1s and 30s).
	RetryWaitMin, RetryWaitMax time.Duration
	// RetryAfterMax caps how long a server's Retry-After is honoured (default 60s).
	RetryAfterMax time.Duration
	// Logger receives one line per request and retry, with Authorization redacted. Nil: silent.
	Logger Logger
}

// Logger is the logging hook: the provider adapts it to tflog.
type Logger interface {
	Log(ctx context.Context, level, msg string, fields map[string]any)
}

// Client talks to one instance's Metadata API. It is safe for concurrent use.
type Client struct{}

// New returns a Client, or an error naming what is wrong with cfg (never echoing the token).
func New(cfg Config) (*Client, error) { panic("not implemented") }

// BaseURL returns the normalised .../api:meta base URL.
func (c *Client) BaseURL() string { panic("not implemented") }

// NormalizeBaseURL turns an instance origin or .../api:meta URL into the .../api:meta base URL.
func NormalizeBaseURL(raw string) (string, error) { panic("not implemented") }

func (c *Client) Me(ctx context.Context) (*User, error)                   { panic("not implemented") }
func (c *Client) ListWorkspaces(ctx context.Context) ([]Workspace, error) { panic("not implemented") }
func (c *Client) GetWorkspace(ctx context.Context, id int64) (*Workspace, error) {
	panic("not implemented")
}
func (c *Client) ListBranches(ctx context.Context, workspaceID int64) ([]Branch, error) {
	panic("not implemented")
}
func (c *Client) GetBranch(ctx context.Context, workspaceID int64, label string) (*Branch, error) {
	panic("not implemented")
}
func (c *Client) CreateBranch(ctx context.Context, workspaceID int64, in CreateBranchInput) (*Branch, error) {
	panic("not implemented")
}
func (c *Client) UpdateBranch(ctx context.Context, workspaceID int64, label string, in UpdateBranchInput) (*Branch, error) {
	panic("not implemented")
}
func (c *Client) DeleteBranch(ctx context.Context, workspaceID int64, label string) error {
	panic("not implemented")
}
func (c *Client) SetLiveBranch(ctx context.Context, workspaceID int64, label string) (*Branch, error) {
	panic("not implemented")
}

// ExportSchema streams POST /workspace/{id}/export-schema into w and returns the bytes written.
// If w also implements Resetter, a connection cut mid-body is retried from the start after Reset.
func (c *Client) ExportSchema(ctx context.Context, workspaceID int64, opts ExportOptions, w io.Writer) (int64, error) {
	panic("not implemented")
}

// Export streams POST /workspace/{id}/export into w; as ExportSchema.
func (c *Client) Export(ctx context.Context, workspaceID int64, opts ExportOptions, w io.Writer) (int64, error) {
	panic("not implemented")
}

// ImportSchema uploads an archive into a new branch (POST /workspace/{id}/import-schema).
func (c *Client) ImportSchema(ctx context.Context, workspaceID int64, in ImportSchemaInput) error {
	panic("not implemented")
}

// Import replaces a workspace's whole content with an archive (POST /workspace/{id}/import).
func (c *Client) Import(ctx context.Context, workspaceID int64, in ImportInput) (*ImportResult, error) {
	panic("not implemented")
}

// Resetter is implemented by export destinations that can start over (a temp file plus hashers):
// the client calls Reset before retrying an export whose body was cut.
type Resetter interface {
	Reset() error
}
