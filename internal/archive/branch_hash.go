package archive

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// Workspace-wide parts of an export: what every branch of a workspace shares, so that they are
// left out of BranchContentSHA256.
var (
	// workspaceWidePrefixes are the folders of entries that hold workspace data: table rows
	// (content/) and stored files (vault/).
	workspaceWidePrefixes = []string{"content/", "vault/"}
	// workspaceWidePayload are the members of the root bundle's payload that describe the
	// workspace rather than the branch: its tables ("dbo") and its own record ("workspace": its
	// name, description and the like).
	workspaceWidePayload = []string{"dbo", "workspace"}
)

// BranchContentSHA256 is the canonical content hash of what an archive holds of one branch: it
// is computed as ContentSHA256 is (see there), over the archive without what the workspace's
// branches share:
//
//   - entries under content/ and vault/ (table rows and stored files) are left out;
//   - in a signed bundle at the root of the tar (a ".json" entry without "/" in its name, whose
//     top-level object holds "app" and "sig") with an object "payload", the payload members
//     "dbo" (the tables) and "workspace" (the workspace's own record) are removed before the
//     bundle is canonicalised.
//
// Xano's tables are workspace-wide: an export-schema of any branch lists every table of the
// workspace. Two exports of a branch whose own content (functions, APIs, tasks, ...) did not
// change therefore have the same BranchContentSHA256 even if tables were added to the workspace
// in between, while their ContentSHA256 differ. An archive without any of these parts has the
// same BranchContentSHA256 as ContentSHA256.
//
// It streams r once, under lim (zero fields take defaults), and returns ErrEncrypted for an
// encrypted archive.
func BranchContentSHA256(r io.Reader, lim Limits) (string, error) {
	w := newWalker(lim)
	defer w.close()
	h := newContentHasher(w.lim)
	defer h.close()
	err := w.run(r, func(e Entry, body io.Reader) error {
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
		raw = withoutWorkspacePayload(raw)
		return h.add(Entry{Name: e.Name, Size: int64(len(raw))}, bytes.NewReader(raw))
	})
	if err != nil {
		return "", err
	}
	return h.sum(), nil
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
// signed bundle with an object payload holding any of them, and raw unchanged otherwise. The
// result is hashed through the canonicaliser, so re-encoding it here loses nothing that the hash
// keeps: key order, whitespace and string escapes are normalised there, and numbers stay as
// written (json.RawMessage keeps them verbatim).
func withoutWorkspacePayload(raw []byte) []byte {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return raw
	}
	if _, ok := top["app"]; !ok {
		return raw
	}
	if _, ok := top["sig"]; !ok {
		return raw
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(top["payload"], &payload); err != nil || payload == nil {
		return raw
	}
	removed := false
	for _, k := range workspaceWidePayload {
		if _, ok := payload[k]; ok {
			delete(payload, k)
			removed = true
		}
	}
	if !removed {
		return raw
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return raw
	}
	top["payload"] = p
	out, err := json.Marshal(top)
	if err != nil {
		return raw
	}
	return out
}
