package xano

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// User is the owner of the token, from GET /auth/me.
type User struct {
	ID     int64          `json:"id"`
	Name   string         `json:"name"`
	Email  string         `json:"email"`
	Extras map[string]any `json:"extras,omitempty"`
}

// UnmarshalJSON accepts id as a number or a numeric string (the OpenAPI file types it as a
// string) and ignores an extras that is not an object.
func (u *User) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Name   string          `json:"name"`
		Email  string          `json:"email"`
		Extras json.RawMessage `json:"extras"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*u = User{Name: raw.Name, Email: raw.Email}
	if id := bytes.TrimSpace(raw.ID); len(id) > 0 && string(id) != "null" {
		var s string
		if json.Unmarshal(id, &s) == nil {
			id = []byte(s)
		}
		n, err := strconv.ParseInt(string(id), 10, 64)
		if err != nil {
			return fmt.Errorf("user id %s is not an integer", raw.ID)
		}
		u.ID = n
	}
	if e := bytes.TrimSpace(raw.Extras); len(e) > 0 && e[0] == '{' {
		if err := json.Unmarshal(e, &u.Extras); err != nil {
			return err
		}
	}
	return nil
}

// Workspace is a workspace as GET /workspace and GET /workspace/{id} return it.
// Branch is the label of the live branch.
type Workspace struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Branch      string `json:"branch"`
}

// Branch is a workspace branch. Live may be omitted by the server on non-live list rows;
// it then decodes as false.
type Branch struct {
	Label string `json:"label"`
	// CreatedAt is as the server sent it: a timestamp string, or a number (epoch seconds)
	// kept as its decimal text, e.g. "1717171717".
	CreatedAt   string `json:"created_at"`
	Live        bool   `json:"live"`
	Backup      bool   `json:"backup"`
	Description string `json:"description,omitempty"`
	Color       string `json:"color,omitempty"`
}

// UnmarshalJSON accepts live and backup as booleans, "true"/"false" strings or 0/1, and
// created_at as a string or a number.
func (b *Branch) UnmarshalJSON(data []byte) error {
	type plain Branch // without this method
	var raw struct {
		plain
		CreatedAt json.RawMessage `json:"created_at"`
		Live      json.RawMessage `json:"live"`
		Backup    json.RawMessage `json:"backup"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := Branch(raw.plain)
	var err error
	if out.Live, err = flexBool(raw.Live); err != nil {
		return fmt.Errorf("branch live: %w", err)
	}
	if out.Backup, err = flexBool(raw.Backup); err != nil {
		return fmt.Errorf("branch backup: %w", err)
	}
	if out.CreatedAt, err = flexTime(raw.CreatedAt); err != nil {
		return fmt.Errorf("branch created_at: %w", err)
	}
	*b = out
	return nil
}

// flexBool decodes true/false, "true"/"false" (any case, "1"/"0" too) and the numbers 0 and 1;
// absent or null is false.
func flexBool(raw json.RawMessage) (bool, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return false, nil
	}
	var s string
	if t[0] == '"' {
		if err := json.Unmarshal(t, &s); err != nil {
			return false, err
		}
		s = strings.TrimSpace(s)
	} else {
		s = string(t)
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0", "":
		return false, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && (f == 0 || f == 1) { // 1.0, 0e0
		return f == 1, nil
	}
	return false, fmt.Errorf("%s is not a boolean", t)
}

// flexTime decodes a string as is and a number (epoch seconds) as its decimal text; absent or
// null is "".
func flexTime(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return "", nil
	}
	if t[0] == '"' {
		var s string
		err := json.Unmarshal(t, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(t, &n); err != nil {
		return "", fmt.Errorf("%s is neither a string nor a number", t)
	}
	s := n.String()
	if strings.ContainsAny(s, "eE") { // 1.7e9: written out in decimal
		f, err := n.Float64()
		if err != nil {
			return "", err
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return s, nil
}

// CreateBranchInput is the body of POST /workspace/{id}/branch.
type CreateBranchInput struct {
	Label        string `json:"label"`
	SourceBranch string `json:"source_branch,omitempty"` // default "v1"
	Description  string `json:"description,omitempty"`
	Color        string `json:"color,omitempty"`
}

// UpdateBranchInput is the body of PUT /workspace/{id}/branch/{label}. Nil fields are not sent.
type UpdateBranchInput struct {
	Label       *string `json:"label,omitempty"`
	Description *string `json:"description,omitempty"`
	Color       *string `json:"color,omitempty"`
}

// ExportOptions are the fields of export and export-schema.
type ExportOptions struct {
	Branch   string // "" exports the live branch
	Password string // non-empty encrypts the archive
	Records  *bool  // export only: include table rows (a hint old instances ignore)
	Vault    *bool  // export only: include stored files (a hint old instances ignore)
}

// ArchiveSource opens the archive to upload. It is called once per attempt, so a request the
// server refused with 429 before reading it can be sent again from the start.
type ArchiveSource struct {
	// Name is the file name sent in the multipart part. Xano treats an upload named *.enc.gz
	// as encrypted, so when the import has a password the name sent ends in ".enc.gz"
	// ("backup.tar.gz" is sent as "backup.enc.gz"); without one it is sent as given.
	Name string
	// Open opens the archive from its beginning.
	Open func() (io.ReadCloser, error)
	// Size is the archive's length in bytes, optional but recommended (os.Stat): when > 0 the
	// upload carries a Content-Length instead of being chunked (some proxies refuse chunked
	// uploads; chunk framing also costs an allocation per chunk), and an archive of another
	// length fails the upload.
	Size int64
}

// ImportSchemaInput is the body of POST /workspace/{id}/import-schema.
type ImportSchemaInput struct {
	File      ArchiveSource
	NewBranch string
	SetLive   bool
	Password  string
}

// ImportInput is the body of POST /workspace/{id}/import.
type ImportInput struct {
	File     ArchiveSource
	Password string
}

// ImportResult is what POST /workspace/{id}/import answers: the workspace with its new branch record.
type ImportResult struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Branch      map[string]any `json:"branch"`
}
