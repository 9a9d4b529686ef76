// Package xano is a client for the Xano Metadata API's workspace, branch, export and import
// endpoints. Exports stream into an io.Writer and imports stream from an io.Reader through a
// multipart body built on the fly, so memory does not grow with archive size.
package xano

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
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
	// RequestTimeout is how long each attempt may wait on the server without progress (default
	// 15 minutes; 0 means default, negative means none). It bounds the wait for the response
	// headers, counted from the last byte of the request sent: Xano builds a whole export (or
	// applies a whole import) before it answers, so exports are slow to start. Once the headers
	// have arrived it is an idle timeout: the transfer fails only when no byte of the response
	// body (downloads) or of the request body (uploads) has moved for this long, so a multi-GB
	// export or import may take as long as it needs while bytes flow. The whole operation is
	// bounded only by the context passed to each method (the provider's resource timeouts).
	RequestTimeout time.Duration
	// MaxRetries is the number of retries after the first attempt. 0 means the default (4): to
	// turn retries off, pass a negative value, which means none (exactly one attempt).
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

// Levels passed to Logger.Log.
const (
	LevelDebug = "DEBUG"
	LevelInfo  = "INFO"
	LevelWarn  = "WARN"
	LevelError = "ERROR"
)

// Defaults applied by New.
const (
	DefaultUserAgent      = "terraform-provider-xano"
	DefaultRequestTimeout = 15 * time.Minute
	DefaultMaxRetries     = 4
	DefaultRetryWaitMin   = time.Second
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultRetryAfterMax  = 60 * time.Second
)

const (
	maxJSONBody  = 32 << 20 // a JSON answer larger than this is refused
	maxErrorBody = 64 << 10 // at most this much of an error body is read
	copyBufSize  = 256 << 10
)

// Client talks to one instance's Metadata API. It is safe for concurrent use.
type Client struct {
	base          string // normalised .../api:meta, no trailing slash
	token         string
	userAgent     string
	http          *http.Client
	timeout       time.Duration // per attempt, without progress; 0: none
	maxRetries    int
	waitMin       time.Duration
	waitMax       time.Duration
	retryAfterMax time.Duration
	logger        Logger
	red           *redactor // knows the token
}

// New returns a Client, or an error naming what is wrong with cfg (never echoing the token).
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, errors.New("the instance URL is required (e.g. https://x8ki-letl-twmt.n7.xano.io)")
	}
	base, err := NormalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("a Metadata API token is required")
	}
	for i := 0; i < len(token); i++ {
		if token[i] < 0x21 || token[i] > 0x7e {
			return nil, errors.New("the Metadata API token contains spaces, control or non-ASCII characters: check that it was copied whole and alone")
		}
	}
	c := &Client{
		base:          base,
		token:         token,
		userAgent:     cfg.UserAgent,
		timeout:       cfg.RequestTimeout,
		maxRetries:    cfg.MaxRetries,
		waitMin:       cfg.RetryWaitMin,
		waitMax:       cfg.RetryWaitMax,
		retryAfterMax: cfg.RetryAfterMax,
		logger:        cfg.Logger,
		red:           newRedactor(token),
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	switch {
	case c.timeout == 0:
		c.timeout = DefaultRequestTimeout
	case c.timeout < 0:
		c.timeout = 0
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.waitMin <= 0 {
		c.waitMin = DefaultRetryWaitMin
	}
	if c.waitMax <= 0 {
		c.waitMax = DefaultRetryWaitMax
	}
	if c.waitMax < c.waitMin {
		c.waitMax = c.waitMin
	}
	if c.retryAfterMax <= 0 {
		c.retryAfterMax = DefaultRetryAfterMax
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient // a copy: the caller's client is not modified
	} else {
		hc = *cleanhttp.DefaultPooledClient()
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = &transport{base: rt, c: c}
	if hc.CheckRedirect == nil {
		// Following a redirect would turn a POST into a GET (an export or import would silently
		// hit another route): answer with the redirect, which names its target (see apiError).
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	c.http = &hc
	return c, nil
}

// BaseURL returns the normalised .../api:meta base URL.
func (c *Client) BaseURL() string { return c.base }

// NormalizeBaseURL turns an instance origin or .../api:meta URL into the .../api:meta base URL.
// A path before /api:meta (a reverse proxy's prefix) is kept; /api%3Ameta is accepted for
// /api:meta. Credentials, a query or a fragment are refused.
func NormalizeBaseURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the instance URL is empty")
	}
	if !strings.Contains(s, "://") {
		return "", fmt.Errorf("the instance URL must start with https:// (for example https://%s)", strings.TrimLeft(s, "/"))
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, which may hold credentials
		}
		return "", fmt.Errorf("the instance URL is not a valid URL: %v", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", fmt.Errorf("the instance URL must use https:// (or http://), not %q", u.Scheme+"://")
	}
	if u.Opaque != "" {
		return "", errors.New("the instance URL must look like https://<host>[/api:meta]")
	}
	if u.User != nil {
		return "", errors.New("the instance URL must not contain a user name or password: the token is configured separately")
	}
	if u.Hostname() == "" {
		return "", errors.New("the instance URL has no host name")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", errors.New("the instance URL must not contain a query (?...)")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return "", errors.New("the instance URL must not contain a fragment (#...)")
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	lower := strings.ToLower(p)
	for _, suffix := range []string{"/api:meta", "/api%3ameta"} {
		if strings.HasSuffix(lower, suffix) {
			p = strings.TrimRight(p[:len(p)-len(suffix)], "/")
			lower = strings.ToLower(p)
			break
		}
	}
	if strings.Contains(lower, "/api:") || strings.Contains(lower, "/api%3a") {
		return "", fmt.Errorf("the instance URL must be the instance origin or end in /api:meta, not %s://%s%s",
			scheme, u.Host, u.EscapedPath())
	}
	return scheme + "://" + strings.ToLower(u.Host) + p + "/api:meta", nil
}

// call describes one API operation.
type call struct {
	method      string
	path        string // escaped, below the base URL
	safe        bool   // retried on 5xx and connection errors (reads and exports)
	accept      string
	contentType string
	expect      bool // send Expect: 100-continue (uploads)
	body        any  // nil, []byte or retryablehttp.ReaderFunc
	upload      *upload
	secrets     []string
}

func workspacePath(id int64) string { return fmt.Sprintf("/workspace/%d", id) }

func branchPath(workspaceID int64, label string) string {
	return fmt.Sprintf("/workspace/%d/branch/%s", workspaceID, url.PathEscape(label))
}

func checkWorkspace(id int64) error {
	if id <= 0 {
		return fmt.Errorf("xano: invalid workspace id %d: it must be a positive integer", id)
	}
	return nil
}

func checkLabel(label string) error {
	switch label {
	case "":
		return errors.New("xano: a branch label is required")
	case ".", "..":
		// Proxies resolve dot segments even when escaped: the request would hit another route.
		return fmt.Errorf("xano: the branch label %q cannot be addressed in a URL", label)
	}
	return nil
}

func jsonCall(method, path string, safe bool, in any) (*call, error) {
	cl := &call{method: method, path: path, safe: safe, accept: "application/json"}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("xano: %s %s: encoding the request: %w", method, path, err)
		}
		cl.body = b
		cl.contentType = "application/json"
	}
	return cl, nil
}

// doJSON runs cl and decodes a 2xx JSON answer into out (nil: the body is ignored).
func (c *Client) doJSON(ctx context.Context, cl *call, out any) error {
	return c.run(ctx, cl, func(st *callState, resp *http.Response) error {
		return st.decodeJSON(ctx, resp, out)
	}, func() error { return nil })
}

// Me returns the owner of the token (GET /auth/me).
func (c *Client) Me(ctx context.Context) (*User, error) {
	cl, _ := jsonCall(http.MethodGet, "/auth/me", true, nil)
	var u User
	if err := c.doJSON(ctx, cl, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ListWorkspaces returns every workspace the token can see (GET /workspace). The documented
// answer is a bare array; {"items":[...]} and {"workspaces":[...]} are accepted too.
func (c *Client) ListWorkspaces(ctx context.Context) ([]Workspace, error) {
	cl, _ := jsonCall(http.MethodGet, "/workspace", true, nil)
	var raw json.RawMessage
	if err := c.doJSON(ctx, cl, &raw); err != nil {
		return nil, err
	}
	var out []Workspace
	if err := decodeList(raw, &out, "workspaces"); err != nil {
		return nil, fmt.Errorf("xano: GET /workspace: unexpected answer: %w", err)
	}
	return out, nil
}

// decodeList decodes a bare JSON array, or an object wrapping it under "items" or altKey.
func decodeList(raw json.RawMessage, out any, altKey string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		inner, ok := obj["items"]
		if !ok {
			inner, ok = obj[altKey]
		}
		if !ok {
			return errors.New("expected a JSON array")
		}
		raw = inner
	}
	return json.Unmarshal(raw, out)
}

// GetWorkspace returns one workspace (GET /workspace/{id}).
func (c *Client) GetWorkspace(ctx context.Context, id int64) (*Workspace, error) {
	if err := checkWorkspace(id); err != nil {
		return nil, err
	}
	cl, _ := jsonCall(http.MethodGet, workspacePath(id), true, nil)
	var ws Workspace
	if err := c.doJSON(ctx, cl, &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// ListBranches returns a workspace's branches, backups included (GET /workspace/{id}/branch).
func (c *Client) ListBranches(ctx context.Context, workspaceID int64) ([]Branch, error) {
	if err := checkWorkspace(workspaceID); err != nil {
		return nil, err
	}
	path := workspacePath(workspaceID) + "/branch"
	cl, _ := jsonCall(http.MethodGet, path, true, nil)
	var raw json.RawMessage
	if err := c.doJSON(ctx, cl, &raw); err != nil {
		return nil, err
	}
	var out []Branch
	if err := decodeList(raw, &out, "branches"); err != nil {
		return nil, fmt.Errorf("xano: GET %s: unexpected answer: %w", path, err)
	}
	return out, nil
}

// GetBranch returns one branch (GET /workspace/{id}/branch/{label}).
func (c *Client) GetBranch(ctx context.Context, workspaceID int64, label string) (*Branch, error) {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(label)); err != nil {
		return nil, err
	}
	cl, _ := jsonCall(http.MethodGet, branchPath(workspaceID, label), true, nil)
	var b Branch
	if err := c.doJSON(ctx, cl, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// CreateBranch clones a branch into a new one (POST /workspace/{id}/branch). Never retried
// except on 429.
func (c *Client) CreateBranch(ctx context.Context, workspaceID int64, in CreateBranchInput) (*Branch, error) {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(in.Label)); err != nil {
		return nil, err
	}
	cl, err := jsonCall(http.MethodPost, workspacePath(workspaceID)+"/branch", false, in)
	if err != nil {
		return nil, err
	}
	var b Branch
	if err := c.doJSON(ctx, cl, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// UpdateBranch changes a branch's label, description or color (PUT /workspace/{id}/branch/{label}).
func (c *Client) UpdateBranch(ctx context.Context, workspaceID int64, label string, in UpdateBranchInput) (*Branch, error) {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(label)); err != nil {
		return nil, err
	}
	if in.Label != nil {
		if err := checkLabel(*in.Label); err != nil {
			return nil, err
		}
	}
	cl, err := jsonCall(http.MethodPut, branchPath(workspaceID, label), false, in)
	if err != nil {
		return nil, err
	}
	var b Branch
	if err := c.doJSON(ctx, cl, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// DeleteBranch deletes a branch (DELETE /workspace/{id}/branch/{label}). Xano refuses to delete
// v1 and the live branch.
func (c *Client) DeleteBranch(ctx context.Context, workspaceID int64, label string) error {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(label)); err != nil {
		return err
	}
	cl, _ := jsonCall(http.MethodDelete, branchPath(workspaceID, label), false, nil)
	return c.doJSON(ctx, cl, nil) // {} documented; null or empty accepted
}

// SetLiveBranch makes a branch the live one (POST /workspace/{id}/branch/{label}/live).
func (c *Client) SetLiveBranch(ctx context.Context, workspaceID int64, label string) (*Branch, error) {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(label)); err != nil {
		return nil, err
	}
	cl, _ := jsonCall(http.MethodPost, branchPath(workspaceID, label)+"/live", false, nil)
	var raw json.RawMessage
	if err := c.doJSON(ctx, cl, &raw); err != nil {
		return nil, err
	}
	var b Branch
	if t := bytes.TrimSpace(raw); len(t) > 0 && string(t) != "null" {
		if err := json.Unmarshal(t, &b); err != nil {
			return nil, fmt.Errorf("xano: POST %s: unexpected answer: %w", cl.path, err)
		}
	}
	if b.Label == "" { // an empty answer: the call succeeded, so the branch is live
		b.Label, b.Live = label, true
	}
	return &b, nil
}

// exportBody is the JSON body of export and export-schema.
type exportBody struct {
	Branch   string `json:"branch"`
	Password string `json:"password"`
	Records  *bool  `json:"records,omitempty"`
	Vault    *bool  `json:"vault,omitempty"`
}

// ExportSchema streams POST /workspace/{id}/export-schema into w and returns the bytes written.
// If w also implements Resetter, a connection cut mid-body is retried from the start after Reset.
func (c *Client) ExportSchema(ctx context.Context, workspaceID int64, opts ExportOptions, w io.Writer) (int64, error) {
	return c.export(ctx, workspaceID, "/export-schema", exportBody{Branch: opts.Branch, Password: opts.Password}, w)
}

// Export streams POST /workspace/{id}/export into w; as ExportSchema.
func (c *Client) Export(ctx context.Context, workspaceID int64, opts ExportOptions, w io.Writer) (int64, error) {
	return c.export(ctx, workspaceID, "/export", exportBody(opts), w)
}

func (c *Client) export(ctx context.Context, workspaceID int64, route string, in exportBody, w io.Writer) (int64, error) {
	if err := checkWorkspace(workspaceID); err != nil {
		return 0, err
	}
	if w == nil {
		return 0, errors.New("xano: export: nil destination writer")
	}
	cl, err := jsonCall(http.MethodPost, workspacePath(workspaceID)+route, true, in)
	if err != nil {
		return 0, err
	}
	cl.accept = "*/*"
	cl.secrets = []string{in.Password}

	var written int64
	consume := func(st *callState, resp *http.Response) error {
		n, err := st.copyBody(ctx, w, resp.Body)
		written = n
		return err
	}
	var restart func() error
	if r, ok := w.(Resetter); ok {
		restart = func() error {
			written = 0
			return r.Reset()
		}
	}
	err = c.run(ctx, cl, consume, restart)
	return written, err
}

// ImportSchema uploads an archive into a new branch (POST /workspace/{id}/import-schema).
func (c *Client) ImportSchema(ctx context.Context, workspaceID int64, in ImportSchemaInput) error {
	if err := errors.Join(checkWorkspace(workspaceID), checkLabel(in.NewBranch), checkSource(in.File)); err != nil {
		return err
	}
	setLive := "false"
	if in.SetLive {
		setLive = "true"
	}
	cl, err := uploadCall(workspacePath(workspaceID)+"/import-schema", in.File, in.Password,
		[][2]string{{"newbranch", in.NewBranch}, {"setlive", setLive}, {"password", in.Password}})
	if err != nil {
		return err
	}
	return c.doJSON(ctx, cl, nil) // {} documented
}

// Import replaces a workspace's whole content with an archive (POST /workspace/{id}/import).
func (c *Client) Import(ctx context.Context, workspaceID int64, in ImportInput) (*ImportResult, error) {
	if err := errors.Join(checkWorkspace(workspaceID), checkSource(in.File)); err != nil {
		return nil, err
	}
	cl, err := uploadCall(workspacePath(workspaceID)+"/import", in.File, in.Password,
		[][2]string{{"password", in.Password}})
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.doJSON(ctx, cl, &raw); err != nil {
		return nil, err
	}
	var res ImportResult
	if t := bytes.TrimSpace(raw); len(t) > 0 && string(t) != "null" {
		if err := json.Unmarshal(t, &res); err != nil {
			return nil, fmt.Errorf("xano: POST %s: unexpected answer: %w", cl.path, err)
		}
	}
	return &res, nil
}

func checkSource(src ArchiveSource) error {
	if src.Open == nil {
		return errors.New("xano: import: the archive source has no Open function")
	}
	if src.Size < 0 {
		return fmt.Errorf("xano: import: invalid archive size %d", src.Size)
	}
	return nil
}

// uploadCall prepares a multipart upload: fields first, the file last, built on the fly per attempt.
func uploadCall(path string, src ArchiveSource, password string, fields [][2]string) (*call, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("xano: POST %s: %w", path, err)
	}
	name := uploadName(src.Name, password != "")
	u := &upload{
		name:     name,
		open:     src.Open,
		size:     src.Size,
		fields:   fields,
		boundary: "xano-" + hex.EncodeToString(rnd[:]),
	}
	u.length = -1
	if src.Size > 0 {
		u.length = u.overhead() + src.Size
	}
	return &call{
		method:      http.MethodPost,
		path:        path,
		accept:      "application/json",
		contentType: "multipart/form-data; boundary=" + u.boundary,
		expect:      true,
		body:        u.readerFunc(),
		upload:      u,
		secrets:     []string{password},
	}, nil
}

// uploadName is the file name of the multipart part. Xano decides whether an uploaded archive is
// encrypted from its name (only *.enc.gz is, as far as is known), so with a password the name is
// made to end in ".enc.gz": "<name without .tar.gz, .tgz, .gz, .tar or .xano>.enc.gz". Without
// a password the given name is kept ("archive.tar.gz" when empty).
func uploadName(name string, encrypted bool) string {
	if !encrypted {
		if name == "" {
			return "archive.tar.gz"
		}
		return name
	}
	if strings.HasSuffix(strings.ToLower(name), encSuffix) {
		return name
	}
	base := name
	for stripped := true; stripped; {
		stripped = false
		for _, ext := range []string{".tar.gz", ".tgz", ".gz", ".tar", ".xano"} {
			if len(base) >= len(ext) && strings.EqualFold(base[len(base)-len(ext):], ext) {
				base, stripped = base[:len(base)-len(ext)], true
				break
			}
		}
	}
	if base == "" {
		base = "archive"
	}
	return base + encSuffix
}

// encSuffix is the ending by which Xano recognises an encrypted archive upload.
const encSuffix = ".enc.gz"

// Resetter is implemented by export destinations that can start over (a temp file plus hashers):
// the client calls Reset before retrying an export whose body was cut.
type Resetter interface {
	Reset() error
}
