package provider

import (
	"strings"
	"testing"
)

func TestProvenanceRoundTrip(t *testing.T) {
	sum := strings.Repeat("0123456789abcdef", 4)
	for _, p := range []string{
		"build/staging.tar.gz",
		`C:\archives\staging "final".tar.gz`,
		"./a path/with, sha256 inside.tar.gz",
		"ünïcödé/архив.tar.gz",
	} {
		gotPath, gotSum, ok := parseProvenance(provenanceDescription(p, sum))
		if !ok || gotPath != p || gotSum != sum {
			t.Errorf("round trip of %q: got (%q, %q, %v)", p, gotPath, gotSum, ok)
		}
	}
}

func TestProvenanceRejectsOtherDescriptions(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	for _, d := range []string{
		"",
		"Release of November",
		provenancePrefix + `"unterminated, sha256 ` + sum,
		provenancePrefix + `"x.tar.gz", sha256 ` + sum[:63],
		provenancePrefix + `"x.tar.gz", sha256 ` + strings.ToUpper(sum),
		provenancePrefix + `"", sha256 ` + sum + ".",
		provenancePrefix + `"x.tar.gz" sha256 ` + sum + ".",
	} {
		if p, s, ok := parseProvenance(d); ok {
			t.Errorf("parseProvenance(%q) = (%q, %q, true), want not ok", d, p, s)
		}
	}
}
