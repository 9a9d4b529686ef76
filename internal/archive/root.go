package archive

import "strings"

// RootDocumentRank tells whether, and how strongly, the entry named name (normalised, as Walk
// yields it) can be an archive's root document: the bundle that says what the archive is
// (Info.Type). The rule is:
//
//	2   "workspace.json": the root whenever present (a full export)
//	1   "schema.json": the root unless workspace.json is present (a schema export)
//	0   any other ".json" entry at the root of the tar: the root only if it is a signed bundle
//	    (IsSignedBundle) and no entry ranks higher; of several, the first in archive order
//	-1  anything else, including entries in folders and macOS AppleDouble files ("._*",
//	    written by macOS tar next to every file): never the root
//
// So, reading entries in archive order with best = -1: an entry becomes the root when its rank is
// greater than best (and, for rank 0, it is a signed bundle); then best is its rank. Names are
// compared exactly (case matters). Inspect follows this rule for Info.Type.
func RootDocumentRank(name string) int {
	switch {
	case name == "workspace.json":
		return 2
	case name == "schema.json":
		return 1
	case strings.Contains(name, "/") || strings.HasPrefix(name, "._") || !isJSONName(name):
		return -1
	}
	return 0
}

// IsSignedBundle reports whether doc is one JSON object with both an "app" and a "sig" member:
// a Xano signed bundle, whether or not its signature is valid (see Verify).
func IsSignedBundle(doc []byte) bool {
	var c canonicalizer
	_, err := c.canonicalize(doc)
	return err == nil && c.bundle
}
