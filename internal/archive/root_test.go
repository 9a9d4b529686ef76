package archive

import (
	"bytes"
	"testing"
)

func TestRootDocumentRank(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]int{
		"workspace.json":        2,
		"schema.json":           1,
		"other.json":            0,
		"README.json":           0,
		"Workspace.json":        0,
		"._workspace.json":      -1,
		"._schema.json":         -1,
		"._x.json":              -1,
		"content/x-1.json":      -1,
		"sub/workspace.json":    -1,
		"workspace.json.bak":    -1,
		"README.md":             -1,
		"vault/abc/schema.json": -1,
	} {
		if got := RootDocumentRank(name); got != want {
			t.Errorf("RootDocumentRank(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestIsSignedBundle(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]bool{
		`{"app":"xano","sig":"x","type":"schema"}`: true,
		` {"sig":"", "app":null} `:                 true,
		`{"app":"xano"}`:                           false,
		`{"sig":"x"}`:                              false,
		`[{"app":"xano","sig":"x"}]`:               false,
		`{"payload":{"app":"xano","sig":"x"}}`:     false,
		`{"app":"xano","sig":"x"`:                  false,
		"\x00\x05\x16\x07":                         false,
	} {
		if got := IsSignedBundle([]byte(doc)); got != want {
			t.Errorf("IsSignedBundle(%q) = %v, want %v", doc, got, want)
		}
	}
}

// appleDouble is the start of a macOS AppleDouble file, as macOS tar writes next to each file.
var appleDouble = append([]byte("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "), bytes.Repeat([]byte{0}, 64)...)

// TestInspectTypeFollowsRootRule checks Info.Type against the one root rule: workspace.json,
// else schema.json, else the first signed bundle at the root; AppleDouble files and unsigned
// JSON never count.
func TestInspectTypeFollowsRootRule(t *testing.T) {
	t.Parallel()
	readme := tEntry{name: "README.json", body: []byte(`{"title":"backup of shop","type":"notes"}`)}
	dotWorkspace := tEntry{name: "._workspace.json", body: appleDouble}
	signedDot := tEntry{name: "._workspace.json", body: bundleJSON(t, "bogus", nil)}
	other := tEntry{name: "other.json", body: bundleJSON(t, "share", nil)}
	schema := tEntry{name: "schema.json", body: bundleJSON(t, "schema", map[string]any{})}
	workspace := tEntry{name: "workspace.json", body: bundleJSON(t, "workspace", map[string]any{})}
	unsignedWorkspace := tEntry{name: "workspace.json", body: []byte(`{"app":"xano","type":"workspace"}`)}
	page := tEntry{name: "content/x-1.json", body: bundleJSON(t, "content", []any{})}
	cases := []struct {
		name    string
		entries []tEntry
		want    string
	}{
		{"macOS tar of a full export", []tEntry{readme, dotWorkspace, workspace, page}, "workspace"},
		{"workspace.json last", []tEntry{readme, other, schema, page, workspace}, "workspace"},
		{"schema.json over an earlier bundle", []tEntry{readme, dotWorkspace, other, schema}, "schema"},
		{"first signed bundle", []tEntry{readme, other, page}, "share"},
		{"a signed AppleDouble name never counts", []tEntry{signedDot, other}, "share"},
		{"unsigned JSON and pages only", []tEntry{readme, dotWorkspace, page}, ""},
		{"workspace.json is the root even unsigned", []tEntry{schema, unsignedWorkspace}, ""},
	}
	for _, c := range cases {
		for _, layers := range []int{0, 1} {
			if got := inspectBytes(t, build(t, c.entries, buildOpts{layers: layers})).Type; got != c.want {
				t.Errorf("%s (%d gzip layers): Type = %q, want %q", c.name, layers, got, c.want)
			}
		}
	}
}
