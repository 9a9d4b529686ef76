package xano

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of a workspace's audit log (GET /workspace/{id}/audit_log). A row
// recorded on a live instance reads {"id":7672,"created_at":"2026-01-11 21:14:37+0000",
// "type":"function:delete","msg":"Function deleted: ...","label":["function"],
// "user":{"id":2273,"email":"..."},"workspace":{"id":40,"name":"..."},"branch":{"id":0,"label":null}}.
type AuditEntry struct {
	ID int64 `json:"id"`
	// CreatedAt is as the server sent it (a timestamp string, or a number kept as its text);
	// Time is it parsed, zero when it cannot be.
	CreatedAt string    `json:"-"`
	Time      time.Time `json:"-"`
	// Type is "<kind>:<action>" ("function:delete"); Msg says it in words ("Function deleted: x").
	Type  string   `json:"type"`
	Msg   string   `json:"msg"`
	Label []string `json:"label"`
	User  struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"user"`
	// Branch is the branch the change was made on; Label is "" when the row names none.
	Branch struct {
		ID    int64  `json:"id"`
		Label string `json:"label"`
	} `json:"branch"`
}

// UnmarshalJSON reads created_at as a string or a number and tolerates a null branch label,
// user or branch.
func (e *AuditEntry) UnmarshalJSON(data []byte) error {
	type plain AuditEntry
	var raw struct {
		plain
		CreatedAt json.RawMessage `json:"created_at"`
		User      json.RawMessage `json:"user"`
		Branch    json.RawMessage `json:"branch"`
		Label     json.RawMessage `json:"label"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := AuditEntry(raw.plain)
	var err error
	if out.CreatedAt, err = flexTime(raw.CreatedAt); err != nil {
		return fmt.Errorf("audit log created_at: %w", err)
	}
	out.Time = parseXanoTime(out.CreatedAt)
	if b := bytes.TrimSpace(raw.User); len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &out.User); err != nil {
			return fmt.Errorf("audit log user: %w", err)
		}
	}
	if b := bytes.TrimSpace(raw.Branch); len(b) > 0 && b[0] == '{' {
		var br struct {
			ID    int64   `json:"id"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal(b, &br); err != nil {
			return fmt.Errorf("audit log branch: %w", err)
		}
		out.Branch.ID = br.ID
		if br.Label != nil {
			out.Branch.Label = *br.Label
		}
	}
	if b := bytes.TrimSpace(raw.Label); len(b) > 0 {
		switch b[0] {
		case '[':
			if err := json.Unmarshal(b, &out.Label); err != nil {
				return fmt.Errorf("audit log label: %w", err)
			}
		case '"':
			var s string
			if err := json.Unmarshal(b, &s); err != nil {
				return err
			}
			out.Label = []string{s}
		}
	}
	*e = out
	return nil
}

// parseXanoTime parses Xano's timestamp forms: "2026-01-11 21:14:37+0000" (and RFC 3339), or a
// number of seconds or, when larger than any date in seconds, milliseconds since the epoch.
func parseXanoTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05-0700", "2006-01-02 15:04:05.999999-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
		if n > 1e11 { // milliseconds: 1e11 seconds is the year 5138
			return time.UnixMilli(int64(n)).UTC()
		}
		return time.Unix(int64(n), 0).UTC()
	}
	return time.Time{}
}

// AuditLogPage is one page of a workspace's audit log.
type AuditLogPage struct {
	Items []AuditEntry
	// More reports that a later page may hold more rows: the answer named a next page, or (an
	// answer without paging members) the page was full.
	More bool
}

// AuditLog returns one page (from 1) of a workspace's audit log, newest first, perPage rows at
// most (GET /workspace/{id}/audit_log?page=&per_page=). The answer may be the paged shape
// {curPage, nextPage, items, ...}, {items} or a bare array. A token that may not read the log
// gets an error for which IsAccessDenied is true; an instance without the route, IsNotFound.
func (c *Client) AuditLog(ctx context.Context, workspaceID int64, page, perPage int) (*AuditLogPage, error) {
	if err := checkWorkspace(workspaceID); err != nil {
		return nil, err
	}
	if page < 1 || perPage < 1 {
		return nil, fmt.Errorf("xano: audit log page %d of %d rows: both must be positive", page, perPage)
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}}
	path := workspacePath(workspaceID) + "/audit_log"
	cl, _ := jsonCall(http.MethodGet, path+"?"+q.Encode(), true, nil)
	var raw json.RawMessage
	if err := c.doJSON(ctx, cl, &raw); err != nil {
		return nil, err
	}
	out := &AuditLogPage{}
	if err := decodeList(raw, &out.Items, "audit_log"); err != nil {
		return nil, fmt.Errorf("xano: GET %s: unexpected answer: %w", path, err)
	}
	var paging struct {
		NextPage json.RawMessage `json:"nextPage"`
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &paging) == nil && paging.NextPage != nil {
		n := bytes.TrimSpace(paging.NextPage)
		out.More = len(n) > 0 && string(n) != "null" && string(n) != "false"
	} else {
		out.More = len(out.Items) >= perPage
	}
	return out, nil
}
