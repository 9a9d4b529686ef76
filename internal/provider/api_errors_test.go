package provider

import (
	"net/http"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// TestAPIErrorHint: each kind of failure gets advice that names its remedy, and Xano's plan
// refusal (HTTP 500 "Access Denied.") is not mistaken for a passing server error.
func TestAPIErrorHint(t *testing.T) {
	cases := []struct {
		name string
		err  error
		need access
		want string
	}{
		{"unauthorized", &xano.APIError{StatusCode: http.StatusUnauthorized}, readAccess, "Create a new token"},
		{"write denied", &xano.APIError{StatusCode: http.StatusForbidden}, writeAccess, "needs write access"},
		{"read denied", &xano.APIError{StatusCode: http.StatusForbidden}, readAccess, "needs read access"},
		{"rate limited", &xano.APIError{StatusCode: http.StatusTooManyRequests}, readAccess, "max_retries"},
		{"plan refusal", &xano.APIError{StatusCode: http.StatusInternalServerError, Code: "ERROR_FATAL",
			Message: "Access Denied."}, writeAccess, "paid Xano plan"},
		{"server error", &xano.APIError{StatusCode: http.StatusBadGateway}, readAccess, "apply again later"},
		{"not found", &xano.APIError{StatusCode: http.StatusNotFound}, readAccess, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := apiErrorHint(tc.err, tc.need)
			if tc.want == "" {
				if got != "" {
					t.Fatalf("hint = %q, want none", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("hint = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
