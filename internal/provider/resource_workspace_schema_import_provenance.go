package provider

import (
	"strconv"
	"strings"
)

// A branch made by xano_workspace_schema_import carries, as its Xano description, the archive it
// was imported from. Terraform cannot read a local path or a hash back from Xano otherwise, and
// without them an imported resource (terraform import, or an import block) would always plan an
// update that only records source_path and source_sha256. With the provenance, importing a branch
// this provider made, with the configuration that made it, plans nothing. It also tells whoever
// looks at the branch in the Xano UI where it came from.

// provenancePrefix starts the description; what follows is the quoted path, ", sha256 " and the
// hex SHA-256 of the archive.
const provenancePrefix = "Managed by Terraform (xano_workspace_schema_import): imported from "

const provenanceHashLabel = ", sha256 "

// provenanceDescription is the branch description recording an import of sourcePath, whose
// bytes hash to sourceSHA256.
func provenanceDescription(sourcePath, sourceSHA256 string) string {
	return provenancePrefix + strconv.Quote(sourcePath) + provenanceHashLabel + sourceSHA256 + "."
}

// parseProvenance reads back what provenanceDescription wrote; ok is false for any other
// description (a branch made by hand, or a description edited since).
func parseProvenance(description string) (sourcePath, sourceSHA256 string, ok bool) {
	i := strings.Index(description, provenancePrefix)
	if i < 0 {
		return "", "", false
	}
	rest := description[i+len(provenancePrefix):]
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", false
	}
	sourcePath, err = strconv.Unquote(quoted)
	if err != nil || sourcePath == "" {
		return "", "", false
	}
	rest, ok = strings.CutPrefix(rest[len(quoted):], provenanceHashLabel)
	if !ok || len(rest) < 64 || !sha256HexPattern.MatchString(rest[:64]) {
		return "", "", false
	}
	return sourcePath, rest[:64], true
}
