package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator accepts a Go duration string such as "15m" or "90s".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration such as `15m`, `90s` or `1h30m`"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a positive duration: write it as `15m`, `90s` or `1h30m`.", req.ConfigValue.ValueString()))
	}
}

// branchLabelPattern is Xano's branch label rule (letters, digits and _ first, then letters,
// digits, _, - and .), widened to accept / so that branches created with a slash, which Xano's
// import paths allow, can still be managed.
var branchLabelPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

const maxBranchLabelLength = 100

// branchLabelValidator checks a branch label against Xano's rules. With newBranch it also refuses
// v1, the default branch that every workspace already has.
type branchLabelValidator struct {
	newBranch bool
}

func (v branchLabelValidator) Description(context.Context) string {
	d := "must start with a letter, digit or `_`, then letters, digits, `_`, `-`, `.` or `/`, at most 100 characters"
	if v.newBranch {
		d += ", and must not be `v1` (every workspace already has it)"
	}
	return d
}

func (v branchLabelValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v branchLabelValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkBranchLabel(req.ConfigValue.ValueString(), v.newBranch); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid branch label", msg)
	}
}

// checkBranchLabel returns what is wrong with label, or "".
func checkBranchLabel(label string, newBranch bool) string {
	switch {
	case label == "":
		return "The branch label is empty: give the branch a name such as `release_2026_11`."
	case len(label) > maxBranchLabelLength:
		return fmt.Sprintf("The branch label %q is longer than %d characters.", label, maxBranchLabelLength)
	case !branchLabelPattern.MatchString(label):
		return fmt.Sprintf("The branch label %q is not valid: it must start with a letter, digit or `_`, "+
			"followed by letters, digits, `_`, `-`, `.` or `/` (no spaces).", label)
	case newBranch && strings.EqualFold(label, "v1"):
		return "`v1` is the default branch that every Xano workspace already has, so it cannot be created by " +
			"an import: choose another label, such as `v2` or `release_2026_11`."
	}
	return ""
}

var sha256HexPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// sha256HexValidator accepts a lowercase hex SHA-256, as filesha256() returns.
type sha256HexValidator struct{}

func (sha256HexValidator) Description(context.Context) string {
	return "must be a lowercase hexadecimal SHA-256 (64 characters), as `filesha256()` returns"
}

func (v sha256HexValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v sha256HexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !sha256HexPattern.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SHA-256",
			fmt.Sprintf("%q is not a lowercase hexadecimal SHA-256: pass `filesha256(\"path/to/archive\")` "+
				"or another object's `archive_sha256`.", req.ConfigValue.ValueString()))
	}
}
