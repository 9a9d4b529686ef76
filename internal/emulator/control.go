package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Fixture is the body of POST /_emulator/seed: it replaces the whole state.
type Fixture struct {
	Workspaces []FixtureWorkspace `json:"workspaces"`
	// Tokens are extra tokens besides the admin token.
	Tokens []FixtureToken `json:"tokens,omitempty"`
}

// FixtureWorkspace seeds one workspace. The first branch is v1; when none is marked live, v1 is.
type FixtureWorkspace struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Branches    []FixtureBranch `json:"branches,omitempty"` // default: just v1, live
	Tables      []FixtureTable  `json:"tables,omitempty"`
}

// FixtureBranch seeds one branch and its business logic. A Backup branch (what Xano's branch
// backups create) is listed with backup:true and can be set live like any other; v1 is never one.
type FixtureBranch struct {
	Label     string            `json:"label"`
	Live      bool              `json:"live,omitempty"`
	Backup    bool              `json:"backup,omitempty"`
	Functions []FixtureFunction `json:"functions,omitempty"`
	APIGroups []FixtureAPIGroup `json:"api_groups,omitempty"`
	Tasks     []FixtureTask     `json:"tasks,omitempty"`
}

// FixtureAPIGroup is one API group of a branch (payload list "app") with its endpoints.
type FixtureAPIGroup struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Endpoints   []FixtureEndpoint `json:"endpoints,omitempty"`
}

// FixtureEndpoint is one endpoint of an API group (payload list "query"): Verb is GET, POST,
// PUT, PATCH, DELETE or HEAD (any case), Path its name in the group (e.g. "users/{id}").
type FixtureEndpoint struct {
	Verb        string `json:"verb"`
	Path        string `json:"path"`
	Description string `json:"description,omitempty"`
}

// FixtureTask is one scheduled task of a branch (payload list "task").
type FixtureTask struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Active      bool   `json:"active,omitempty"`
}

// FixtureFunction is one function of a branch.
type FixtureFunction struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// FixtureTable is a workspace-wide table with Rows (0 or more) generated rows of about RowBytes
// bytes each (0: 128; at most MaxFixtureRowBytes), of the kind RowKind (empty: RowKindRealistic).
// Rows are a pure function of the table's guid and their index, generated when an export is
// built: a gigabyte of rows costs no memory.
type FixtureTable struct {
	Name     string `json:"name"`
	Rows     int64  `json:"rows,omitempty"`
	RowBytes int    `json:"row_bytes,omitempty"`
	RowKind  string `json:"row_kind,omitempty"`
}

// Row kinds of generated rows (FixtureTable.RowKind), by how well they compress: what makes an
// export of a given row count large or small.
const (
	// RowKindRealistic rows hold words of a small vocabulary, a few of them frequent, and
	// numbers: they gzip about 3.5:1 (1 KiB rows; smaller rows a little more), as real tables
	// do (inferred: typical of text and id columns, not measured on Xano).
	RowKindRealistic = "realistic"
	// RowKindRepetitive rows are windows of one 8 KiB pattern: they gzip about 25:1, so a large
	// table makes a small download.
	RowKindRepetitive = "repetitive"
	// RowKindRandom rows are random letters and digits: they gzip about 1.4:1, near the
	// worst case.
	RowKindRandom = "random"
)

// rowKind resolves a fixture's row kind, or says which ones there are.
func rowKind(kind string) (string, error) {
	switch kind {
	case "":
		return RowKindRealistic, nil
	case RowKindRealistic, RowKindRepetitive, RowKindRandom:
		return kind, nil
	}
	return "", fmt.Errorf("row_kind is %q, want %q (the default), %q or %q", kind, RowKindRealistic, RowKindRepetitive, RowKindRandom)
}

// MaxFixtureRowBytes is the largest FixtureTable.RowBytes. Exports put rows in content pages of
// about 512 KB, as Xano does; a row larger than that is alone in its page, so a page stays
// under 1.5 MiB.
const MaxFixtureRowBytes = 1 << 20

// FixtureToken is an extra bearer token. Scopes are "read" and/or "write"; WorkspaceID binds
// the token to one workspace (0: all), as Xano's OAuth tokens are bound. UserID and Email name
// the token's user, as GET /auth/me and the audit log name it (defaults: 2 and
// token@xano-emulator.local).
type FixtureToken struct {
	Token       string   `json:"token"`
	Scopes      []string `json:"scopes"`
	WorkspaceID int64    `json:"workspace_id,omitempty"`
	UserID      int64    `json:"user_id,omitempty"`
	Email       string   `json:"email,omitempty"`
}

// Fault makes the next Count requests matching Method and Path misbehave.
type Fault struct {
	Method string `json:"method,omitempty"` // empty: any
	// Path is matched against the path below /api:meta (e.g. /workspace/1/export); a trailing
	// "*" matches any suffix.
	Path string `json:"path"`
	// Status answers with this status and Xano's envelope (Code, Message) instead of serving.
	Status     int    `json:"status,omitempty"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"` // sent as the Retry-After header
	// DelayMS waits before answering (or serving).
	DelayMS int `json:"delay_ms,omitempty"`
	// CutAfterBytes serves the request but cuts the connection after this many body bytes;
	// 0 cuts it before any response is written. Negative or absent (nil): no cut.
	CutAfterBytes *int64 `json:"cut_after_bytes,omitempty"`
	// Count is how many matching requests the fault applies to (default 1).
	Count int `json:"count,omitempty"`
}

// RequestRecord is one entry of the request log.
type RequestRecord struct {
	Method     string  `json:"method"`
	Path       string  `json:"path"` // below /api:meta
	Status     int     `json:"status"`
	Bytes      int64   `json:"bytes"` // response body bytes written
	DurationMS float64 `json:"duration_ms"`
}

// Control is a client of the control API of an emulator at BaseURL (its origin). Its requests
// carry Content-Type: application/json, which the control API requires of every POST.
type Control struct {
	BaseURL string
	HTTP    *http.Client // nil: http.DefaultClient
}

// AddFault arms a fault (POST /_emulator/faults).
func (c *Control) AddFault(ctx context.Context, f Fault) error {
	return c.do(ctx, http.MethodPost, "/faults", f, nil)
}

// Faults returns the armed faults with their remaining counts (GET /_emulator/faults).
func (c *Control) Faults(ctx context.Context) ([]Fault, error) {
	var out []Fault
	err := c.do(ctx, http.MethodGet, "/faults", nil, &out)
	return out, err
}

// ClearFaults disarms every fault (DELETE /_emulator/faults).
func (c *Control) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Requests returns the request log (GET /_emulator/requests).
func (c *Control) Requests(ctx context.Context) ([]RequestRecord, error) {
	var out []RequestRecord
	err := c.do(ctx, http.MethodGet, "/requests", nil, &out)
	return out, err
}

// ClearRequests empties the request log (DELETE /_emulator/requests).
func (c *Control) ClearRequests(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/requests", nil, nil)
}

// Reset returns the emulator to its initial seed and clears faults and the request log
// (POST /_emulator/reset).
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil)
}

// Seed replaces the whole state with a fixture (POST /_emulator/seed).
func (c *Control) Seed(ctx context.Context, f Fixture) error {
	return c.do(ctx, http.MethodPost, "/seed", f, nil)
}

func (c *Control) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+"/_emulator"+path, body)
	if err != nil {
		return err
	}
	if in != nil || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json") // the control API requires it on every POST
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("emulator control: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("emulator control: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var env struct {
			Message string `json:"message"`
		}
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &env) == nil && env.Message != "" {
			msg = env.Message
		}
		return fmt.Errorf("emulator control: %s %s: %d: %s", method, path, resp.StatusCode, msg)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("emulator control: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}
