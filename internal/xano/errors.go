package xano

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// APIError is a non-2xx answer from the Metadata API, parsed from Xano's {code, message, payload}
// envelope. Its text names the request (method and path) but never the token or a password.
type APIError struct {
	StatusCode int
	Code       string          // e.g. ERROR_CODE_NOT_FOUND
	Message    string          // Xano's message
	Payload    json.RawMessage // optional
	Method     string
	Path       string // path below the base URL, e.g. /workspace/1/branch/v2
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.Code != "" {
		return fmt.Sprintf("xano: %s %s: %d %s: %s", e.Method, e.Path, e.StatusCode, e.Code, msg)
	}
	return fmt.Sprintf("xano: %s %s: %d: %s", e.Method, e.Path, e.StatusCode, msg)
}

func statusIs(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == status
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsUnauthorized reports a 401 (missing, unknown, expired or revoked token).
func IsUnauthorized(err error) bool { return statusIs(err, http.StatusUnauthorized) }

// IsAccessDenied reports a 403 (the token lacks a scope or is bound to another workspace).
func IsAccessDenied(err error) bool { return statusIs(err, http.StatusForbidden) }

// IsInputError reports a 400 (bad input, a rule refused, a wrong archive password).
func IsInputError(err error) bool { return statusIs(err, http.StatusBadRequest) }

// IsRateLimited reports a 429 that outlasted the retries.
func IsRateLimited(err error) bool { return statusIs(err, http.StatusTooManyRequests) }
