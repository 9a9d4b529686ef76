package xano

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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
	// RetryAfter is the server's Retry-After (0 when absent), as sent: it is not capped.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent (1 when it was not retried).
	Attempts int

	planRestricted bool // Xano's refusal of a feature the plan lacks (see IsPlanRestricted)
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = statusText(e.StatusCode)
	}
	var s string
	if e.Code != "" {
		s = fmt.Sprintf("xano: %s %s: %d %s: %s", e.Method, e.Path, e.StatusCode, e.Code, msg)
	} else {
		s = fmt.Sprintf("xano: %s %s: %d: %s", e.Method, e.Path, e.StatusCode, msg)
	}
	if e.StatusCode == http.StatusTooManyRequests && e.RetryAfter > 0 {
		s += fmt.Sprintf(" (the server asked to retry after %s)", e.RetryAfter)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

func statusIs(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == status
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return statusIs(err, http.StatusNotFound) }

// IsUnauthorized reports a 401 (missing, unknown, expired or revoked token).
func IsUnauthorized(err error) bool { return statusIs(err, http.StatusUnauthorized) }

// IsAccessDenied reports a 403 (the token lacks a scope or is bound to another workspace). It
// does not report Xano's refusal of a feature the instance's plan lacks, which is a 500 with
// the same "Access Denied." message: the remedy differs (a paid plan, not another token), and
// callers that treat a 403 as "not visible to this token" must not do so for it. See
// IsPlanRestricted.
func IsAccessDenied(err error) bool { return statusIs(err, http.StatusForbidden) }

// IsPlanRestricted reports Xano's refusal of a feature the instance's plan does not include (on
// the free plan, e.g. exports and imports through the Metadata API): an HTTP 500 whose message
// is "Access Denied." and/or whose code is ERROR_CODE_ACCESS_DENIED. It is permanent, so it is
// never retried, and its Message says that the feature needs a paid Xano plan. Being a 500, it
// is also an IsServerError: test IsPlanRestricted first.
func IsPlanRestricted(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.planRestricted || (e.StatusCode == http.StatusInternalServerError && planRefusalText(e.Code, e.Message))
}

// planRestrictedMessage replaces Xano's bare "Access Denied." in a plan refusal's APIError.
const planRestrictedMessage = `this feature needs a paid Xano plan (Xano answered "Access Denied." with HTTP 500, ` +
	`its refusal of what the instance's plan does not include)`

// isPlanRefusal reports whether an answer is Xano's plan refusal, from its status and (the
// start of) its body.
func isPlanRefusal(status int, body []byte) bool {
	if status != http.StatusInternalServerError {
		return false
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil || env == nil {
		return false
	}
	msg := jsonText(env["message"])
	if msg == "" {
		msg = jsonText(env["error"])
	}
	return planRefusalText(jsonText(env["code"]), msg)
}

func planRefusalText(code, msg string) bool {
	return code == "ERROR_CODE_ACCESS_DENIED" ||
		strings.EqualFold(strings.TrimRight(strings.TrimSpace(msg), "."), "access denied")
}

// IsInputError reports a 400 (bad input, a rule refused, a wrong archive password).
func IsInputError(err error) bool { return statusIs(err, http.StatusBadRequest) }

// IsRateLimited reports a 429 that outlasted the retries.
func IsRateLimited(err error) bool { return statusIs(err, http.StatusTooManyRequests) }

// IsServerError reports a 5xx answer (after any retries), a plan refusal included (see
// IsPlanRestricted).
func IsServerError(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode >= 500 && e.StatusCode <= 599
}

// IsTruncated reports a download whose body was cut before it ended (see ErrTruncated).
func IsTruncated(err error) bool { return errors.Is(err, ErrTruncated) }

// IsTimeout reports an attempt that waited Config.RequestTimeout on the server without progress
// (see ErrRequestTimeout).
func IsTimeout(err error) bool { return errors.Is(err, ErrRequestTimeout) }

// ErrTruncated is wrapped by the error of a request whose response body was cut mid-way
// (connection reset, unexpected EOF) and could not be retried from the start.
var ErrTruncated = errors.New("the download was cut before it completed (connection lost mid-body)")

// ErrRequestTimeout is wrapped by the error of an attempt that waited Config.RequestTimeout on
// the server without progress: no response headers that long after the request was sent, or
// no byte of the request or response body moving for that long. Such attempts are not retried:
// a server that took that long would likely do so again.
var ErrRequestTimeout = errors.New("the request timed out")

// timeoutError is the error of one attempt the watchdog ended.
type timeoutError struct {
	d     time.Duration
	phase int32 // what the attempt was doing: phaseWaiting, phaseSending or phaseReading
}

func (e *timeoutError) Error() string {
	switch e.phase {
	case phaseSending:
		return fmt.Sprintf("%s: the upload stalled: the server took no data for %s (the request timeout)", ErrRequestTimeout, e.d)
	case phaseReading:
		return fmt.Sprintf("%s: the answer stalled: no data for %s (the request timeout)", ErrRequestTimeout, e.d)
	}
	return fmt.Sprintf("%s: no answer from the server for %s (the request timeout)", ErrRequestTimeout, e.d)
}
func (e *timeoutError) Unwrap() error { return ErrRequestTimeout }
func (e *timeoutError) Timeout() bool { return true }

// opError is a failure of one operation that is not an answer from the server (a transport
// failure, a cut body, a cancelled context, a local I/O error). Its text is redacted.
type opError struct {
	method, path string
	msg          string // already redacted
	attempts     int
	err          error
}

func (e *opError) Error() string {
	s := fmt.Sprintf("xano: %s %s: %s", e.method, e.path, e.msg)
	if e.attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.attempts)
	}
	return s
}

func (e *opError) Unwrap() error { return e.err }

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return fmt.Sprintf("HTTP %d", code)
}

// redactor removes secrets (the token, passwords) from text that may reach an error or a log.
//
// A secret of at least shortSecret characters is replaced by REDACTED wherever it occurs. A
// shorter one cannot be: replacing every "a" of a message garbles it and, by the gaps it
// leaves, shows the secret. So a text holding a short secret is withheld whole (see scrub).
type redactor struct {
	secrets []string // forms of the long secrets, longest first: replaced
	short   []string // forms of the short secrets: a text holding one is withheld
}

const redacted = "REDACTED"

// shortSecret is the length (in characters) below which a secret is not replaced but withholds
// the text it occurs in.
const shortSecret = 8

// What replaces a withheld text: a server's message or payload, or other text (a transport
// error, a log value).
const (
	withheldMessage = "the server's message was withheld because it may contain a secret"
	withheldText    = "(withheld because it may contain a secret)"
)

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.add(s)
	}
	return r
}

// add registers a secret and the forms it takes when a server echoes it back: raw, JSON-escaped
// (Go's and PHP's styles), and URL-encoded.
func (r *redactor) add(s string) {
	if s == "" {
		return
	}
	list := &r.secrets
	if utf8.RuneCountInString(s) < shortSecret {
		list = &r.short
	}
	forms := []string{s, jsonEscape(s, true), jsonEscape(s, false), phpJSONEscape(s), url.QueryEscape(s), url.PathEscape(s)}
	for _, f := range forms {
		if f != "" && !slices.Contains(*list, f) {
			*list = append(*list, f)
		}
	}
	// Longest first, so a secret that contains another is removed whole.
	slices.SortStableFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// jsonEscape is s as it appears inside a JSON string written by Go.
func jsonEscape(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n") // Encode ends the value with a newline
	return out[1 : len(out)-1]
}

// phpJSONEscape is s as PHP's json_encode writes it by default: "/" as "\/", non-ASCII as \uXXXX.
func phpJSONEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (r *redactor) with(secrets ...string) *redactor {
	n := &redactor{secrets: slices.Clone(r.secrets), short: slices.Clone(r.short)}
	for _, s := range secrets {
		n.add(s)
	}
	return n
}

// redact cleans text that may echo a secret (a transport error, a log value): long secrets are
// replaced, and a text holding a short one is withheld.
func (r *redactor) redact(s string) string { return r.scrub(s, withheldText) }

// redactMessage is redact for a server's message: withheld, it says so.
func (r *redactor) redactMessage(s string) string { return r.scrub(s, withheldMessage) }

// redactOwn cleans the client's own text (fixed words, numbers, the request's own headers),
// which cannot echo a secret but may hold a long one: the long ones are replaced; a short one
// found there is a coincidence, not an echo, so the text is kept.
func (r *redactor) redactOwn(s string) string {
	if r == nil {
		return s
	}
	return r.replaceLong(s)
}

// scrub replaces the long secrets in s, then returns withheld instead if s holds a short one.
func (r *redactor) scrub(s, withheld string) string {
	if r == nil {
		return s
	}
	s = r.replaceLong(s)
	if r.holdsShort(s) {
		return withheld
	}
	return s
}

func (r *redactor) replaceLong(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}

func (r *redactor) holdsShort(s string) bool {
	for _, sec := range r.short {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// redactJSON redacts every string (and key) of a server's JSON value; text that is not JSON
// becomes a redacted JSON string. A value holding a short secret anywhere (in a string, a key,
// a number, or its raw text) is withheld whole: it becomes the JSON string withheldMessage.
func (r *redactor) redactJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	whole := func() json.RawMessage {
		b, _ := json.Marshal(r.redactMessage(string(raw)))
		return b
	}
	if r != nil && r.holdsShort(r.replaceLong(string(raw))) {
		return whole()
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return whole()
	}
	short := false
	v = r.redactValue(v, &short)
	if short {
		return whole()
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return whole()
	}
	return json.RawMessage(strings.TrimSpace(b.String()))
}

// redactValue replaces the long secrets in every string and key of v, and sets *short when one
// of them, or a number, holds a short secret.
func (r *redactor) redactValue(v any, short *bool) any {
	str := func(s string) string {
		if r == nil {
			return s
		}
		s = r.replaceLong(s)
		if r.holdsShort(s) {
			*short = true
		}
		return s
	}
	switch v := v.(type) {
	case string:
		return str(v)
	case json.Number:
		str(v.String())
		return v
	case []any:
		for i := range v {
			v[i] = r.redactValue(v[i], short)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[str(k)] = r.redactValue(e, short)
		}
		return out
	default:
		return v
	}
}

// parseErrorBody fills Code, Message and Payload from an error body: Xano's envelope when it is
// one, else the status text and a short sanitised snippet.
func parseErrorBody(e *APIError, body []byte, red *redactor) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err == nil && env != nil {
		code := jsonText(env["code"])
		msg := jsonText(env["message"])
		if msg == "" {
			msg = jsonText(env["error"])
		}
		if code != "" || msg != "" {
			e.Code = red.redact(code)
			e.Message = red.redactMessage(msg)
			if p := env["payload"]; len(p) > 0 && string(p) != "null" && string(p) != `""` {
				e.Payload = red.redactJSON(p)
			}
			return
		}
	}
	// Redact before cutting the snippet, so no part of a secret survives the cut.
	if snip := snippet([]byte(red.redactMessage(string(body)))); snip != "" {
		e.Message = statusText(e.StatusCode) + ": " + snip
	}
}

// jsonText is a JSON string's value, or another JSON value's compact text ("" for null/absent).
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

const snippetMax = 200

// snippet is a short, printable, single-line excerpt of a body that is not Xano's envelope.
func snippet(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	if !utf8.Valid(body) || strings.ContainsRune(string(body), 0) {
		return fmt.Sprintf("(%d bytes of binary data)", len(body))
	}
	s := string(body)
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "<") {
		s = stripTags(t)
	}
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		if n >= snippetMax {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// stripTags drops <...> sequences, enough to read an HTML error page from a proxy.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
