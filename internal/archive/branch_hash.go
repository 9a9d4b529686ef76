package archive

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// Workspace-wide parts of an export: what every branch of a workspace shares, so that they are
// left out of the branch view (BranchView).
var (
	// workspaceWidePrefixes are the folders of entries that hold workspace data: table rows
	// (content/) and stored files (vault/).
	workspaceWidePrefixes = []string{"content/", "vault/"}
	// workspaceWidePayload are the members of the root bundle's payload that describe the
	// workspace rather than the branch: its tables ("dbo") and its own record ("workspace": its
	// name, description and the like).
	workspaceWidePayload = []string{"dbo", "workspace"}
)

// branchEntryFunc returns the Walk function that feeds h what the branch view hashes.
func branchEntryFunc(h *contentHasher) func(Entry, io.Reader) error {
	return func(e Entry, body io.Reader) error {
		if isWorkspaceWideEntry(e.Name) {
			return nil
		}
		if !isJSONName(e.Name) || strings.Contains(e.Name, "/") {
			return h.add(e, body)
		}
		// A JSON entry at the root may be the bundle. Walk bounds its body by
		// MaxJSONEntryBytes, so it can be read whole.
		raw, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		raw, h.removedTables = withoutWorkspacePayload(raw)
		defer func() { h.removedTables = nil }()
		return h.add(Entry{Name: e.Name, Size: int64(len(raw))}, bytes.NewReader(raw))
	}
}

// isWorkspaceWideEntry reports an entry that holds workspace data rather than branch content.
func isWorkspaceWideEntry(name string) bool {
	for _, p := range workspaceWidePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// withoutWorkspacePayload returns raw without the workspace-wide payload members when raw is a
// signed bundle with an object payload holding any of them, and raw unchanged otherwise; tables is
// the "dbo" member it removed (raw JSON), or nil. The result is hashed through the canonicaliser,
// so re-encoding it here loses nothing that the hash keeps: key order, whitespace and string
// escapes are normalised there, and numbers stay as written (json.RawMessage keeps them verbatim).
func withoutWorkspacePayload(raw []byte) (out, tables []byte) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return raw, nil
	}
	if _, ok := top["app"]; !ok {
		return raw, nil
	}
	if _, ok := top["sig"]; !ok {
		return raw, nil
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(top["payload"], &payload); err != nil || payload == nil {
		return raw, nil
	}
	removed := false
	for _, k := range workspaceWidePayload {
		if v, ok := payload[k]; ok {
			if k == "dbo" {
				tables = v
			}
			delete(payload, k)
			removed = true
		}
	}
	if !removed {
		return raw, nil
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return raw, nil
	}
	top["payload"] = p
	out, err = json.Marshal(top)
	if err != nil {
		return raw, nil
	}
	return out, tables
}
