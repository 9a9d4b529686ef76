package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// access says what a failed request needed from the token, to word the advice of a 403.
type access int

const (
	readAccess  access = iota // reads and exports
	writeAccess               // imports and branch changes
)

// apiErrorHint says what to do about a failed Metadata API request, for the failures that are
// not specific to one object (the token, its scopes, rate limits, timeouts, server errors).
// It returns "" for the others, which the caller explains in its own terms.
func apiErrorHint(err error, need access) string {
	switch {
	case xano.IsUnauthorized(err):
		return "Xano refused the Metadata API token (missing, unknown, expired or revoked). Create a new token " +
			"in the instance settings under Metadata API and set it as the provider's token (or XANO_TOKEN)."
	case xano.IsAccessDenied(err) && need == writeAccess:
		return "The token is not allowed to change this workspace: it needs write access (the Update permission " +
			"on the workspace's content, \"Instance Workspace: Update\"), and a token bound to one workspace " +
			"must be bound to this one. Use a token with write access."
	case xano.IsAccessDenied(err):
		return "The token is not allowed to read this workspace: it needs read access to the workspace's content, " +
			"and a token bound to one workspace must be bound to this one."
	case xano.IsRateLimited(err):
		return "Xano kept rate limiting the requests: wait a little and apply again, or raise max_retries in the " +
			"provider block."
	case xano.IsPlanRestricted(err):
		return "Xano refused the request because the instance's plan does not include the Metadata API's " +
			"import and export features: they need a paid Xano plan."
	case xano.IsTimeout(err):
		return "Xano did not start answering, or the transfer stalled, for longer than the provider's " +
			"request_timeout: raise request_timeout in the provider block (Xano builds a whole export before " +
			"sending its first byte, which takes many minutes for large workspaces)."
	case xano.IsTruncated(err):
		return "The connection to Xano was lost in the middle of the transfer: apply again."
	case xano.IsServerError(err):
		return "Xano answered with a server error: apply again later, and check the instance's status if it persists."
	}
	return ""
}

// addAPIError adds an error diagnostic for a failed request: what failed (detail, which names the
// workspace and the branch), the error itself (the client keeps the token and passwords out of
// it) and, when known, what to do.
func addAPIError(diags *diag.Diagnostics, summary, detail string, err error, need access) {
	msg := fmt.Sprintf("%s\n\n%s", detail, err)
	if hint := apiErrorHint(err, need); hint != "" {
		msg += "\n\n" + hint
	}
	diags.AddError(summary, msg)
}
