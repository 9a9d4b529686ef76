package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// Xano error codes.
const (
	codeInputError   = "ERROR_CODE_INPUT_ERROR"
	codeBadRequest   = "ERROR_CODE_BAD_REQUEST"
	codeUnauthorized = "ERROR_CODE_UNAUTHORIZED"
	codeAccessDenied = "ERROR_CODE_ACCESS_DENIED"
	codeNotFound     = "ERROR_CODE_NOT_FOUND"
	codeSyntaxError  = "ERROR_CODE_SYNTAX_ERROR"
	codeTooMany      = "ERROR_CODE_TOO_MANY_REQUESTS"
	codeFatal        = "ERROR_FATAL"
)

// apiError is an answer in Xano's error envelope.
type apiError struct {
	Status  int
	Code    string
	Message string
	Payload any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func errInput(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeInputError, Message: msg}
}

func errMissing(param string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeInputError,
		Message: "Missing param: " + param, Payload: map[string]string{"param": param}}
}

func errBadRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: msg}
}

func errNotFound(msg string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: msg}
}

// errMissingObject is the 404 of a missing table, API group, endpoint, function or task, as
// recorded on a live instance: exactly {"code":"ERROR_CODE_NOT_FOUND","message":""}, no payload.
// A missing workspace or branch answers the same (inferred: not recorded).
var errMissingObject = errNotFound("")

// errSyntax is a 400 for a request body that is not JSON, in the shape recorded on a live
// instance for a syntax error: {"code":"ERROR_CODE_SYNTAX_ERROR","message":"Syntax error:
// unexpected 'x'","payload":{"char","line","col"}} (the recording was a XanoScript error; that a
// malformed JSON body answers so is inferred).
func errSyntax(data []byte, offset int64) *apiError {
	off := int(min(max(offset-1, 0), int64(len(data))))
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	tok := data[off:]
	if i := bytes.IndexAny(tok, " \t\r\n,:{}[]"); i > 0 {
		tok = tok[:i]
	} else if i == 0 {
		tok = tok[:1]
	}
	if len(tok) > 32 {
		tok = tok[:32]
	}
	msg := "Syntax error: unexpected end of input"
	if len(tok) > 0 {
		msg = "Syntax error: unexpected '" + strings.ToValidUTF8(string(tok), "?") + "'"
	}
	return &apiError{Status: http.StatusBadRequest, Code: codeSyntaxError, Message: msg,
		Payload: ordered{{"char", off}, {"line", line}, {"col", col}}}
}

// errTooLarge answers a request body over its limit. Xano documents no code for it (its front
// proxy answers 413 before the engine sees the request): the emulator uses
// ERROR_CODE_INPUT_ERROR, as the input is what is wrong, with status 413, so that clients that
// key on the status see the right one.
func errTooLarge(msg string) *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeInputError, Message: msg}
}

// isTooLarge reports whether err comes from a body read past its http.MaxBytesReader limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// limitBody caps what can be read of r's body at n bytes (reads past it fail with
// *http.MaxBytesError). The cap is put on the server's own ResponseWriter, under any wrapper
// with an Unwrap method, so that the server also closes the connection after the answer
// rather than reading the rest of an oversized body.
func limitBody(w http.ResponseWriter, r *http.Request, n int64) {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	r.Body = http.MaxBytesReader(w, r.Body, n)
}

func errFatal(msg string) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: codeFatal, Message: msg}
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: "Invalid token."}
	errAccessDenied = &apiError{Status: http.StatusForbidden, Code: codeAccessDenied, Message: "Access Denied."}
	errNoWorkspace  = errMissingObject
	errNoBranch     = errMissingObject
	errBadSignature = errFatal("Invalid workspace signature")
)

// codeForStatus is the envelope code used for a status (faults without an explicit code).
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return codeInputError
	case http.StatusUnauthorized:
		return codeUnauthorized
	case http.StatusForbidden:
		return codeAccessDenied
	case http.StatusNotFound:
		return codeNotFound
	case http.StatusTooManyRequests:
		return codeTooMany
	default:
		return codeFatal
	}
}

func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errFatal("An unexpected error occurred.")
	}
	// The recorded 404 has no payload member, the recorded 400 one. Other errors keep the
	// envelope's payload ("" when there is none), as the OpenAPI file documents it.
	body := ordered{{"code", e.Code}, {"message", e.Message}}
	switch {
	case e.Payload != nil:
		body = append(body, member{"payload", e.Payload})
	case e.Code != codeNotFound:
		body = append(body, member{"payload", ""})
	}
	writeJSON(w, e.Status, body)
}

// writeJSON answers v as JSON in the engine's form (archive.PHPJSON: strings escaped as PHP's
// json_encode does, ' as \u0027; members in the order written).
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err == nil {
		data, err = archive.PHPJSON(data)
	}
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"code":"ERROR_FATAL","message":"Unable to encode the response."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	// The status is sent: a failed write (the client went away, or a fault cut the connection)
	// can be reported to no one.
	_, _ = w.Write(data)
}

// params are a request's inputs: the URL query overlaid by the body (JSON, multipart or
// urlencoded), as the Xano engine reads them.
type params map[string]any

// maxParamsBody is the largest body of a JSON (or form) route: their inputs are a few labels.
const maxParamsBody = 1 << 20

var errParamsTooLarge = errTooLarge("The request body is too large.")

func readParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p[k] = v[len(v)-1]
		}
	}
	limitBody(w, r, maxParamsBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxParamsBody); err != nil {
			if isTooLarge(err) {
				return nil, errParamsTooLarge
			}
			return nil, errInput("Unable to parse the multipart body.")
		}
		// Removing the spilled temporary files is best effort (net/http removes them again
		// after the handler returns); a failure would not change this request's answer.
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p[k] = v[len(v)-1]
			}
		}
	default:
		// JSON, urlencoded, or no content type: read the body and tell them apart by its first
		// byte, as clients (curl -d) often send JSON labelled as a form.
		data, err := io.ReadAll(r.Body)
		if isTooLarge(err) {
			return nil, errParamsTooLarge
		}
		if err != nil {
			return nil, errInput("Unable to read the request body.")
		}
		data = bytes.TrimSpace(data)
		switch {
		case len(data) == 0:
		case data[0] == '{' || ct == "application/json":
			var body map[string]any
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			err := dec.Decode(&body)
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, errSyntax(data, se.Offset)
			}
			if err == nil && dec.More() {
				return nil, errSyntax(data, dec.InputOffset()+1)
			}
			if err != nil || body == nil {
				return nil, errInput("Unable to parse the JSON body: an object is expected.")
			}
			for k, v := range body {
				p[k] = v
			}
		default:
			form, err := url.ParseQuery(string(data))
			if err != nil {
				return nil, errInput("Unable to parse the form body.")
			}
			for k, v := range form {
				if len(v) > 0 {
					p[k] = v[len(v)-1]
				}
			}
		}
	}
	return p, nil
}

// str returns a string input; ok is false when it is absent or null.
// required returns a non-empty string parameter, or Xano's "Missing param" input error.
func (p params) required(key string) (string, error) {
	if v, _ := p.str(key); v != "" {
		return v, nil
	}
	return "", errMissing(key)
}

func (p params) str(key string) (string, bool) {
	v, ok := p[key]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		data, _ := json.Marshal(x)
		return string(data), true
	}
}

// boolean returns a boolean input (true, "true", "1", 1...), def when absent.
func (p params) boolean(key string, def bool) bool {
	v, ok := p[key]
	if !ok || v == nil {
		return def
	}
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f != 0
	case string:
		return parseBool(x, def)
	}
	return def
}

func parseBool(s string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off", "":
		return false
	}
	return def
}

// tokenInfo is what a bearer token may do.
type tokenInfo struct {
	admin       bool
	read, write bool
	workspaceID int64
	userID      int64  // the token's user, as /auth/me and the audit log name it
	email       string // likewise
}

// The users of the admin token and of extra tokens that name none.
const (
	adminUserID, adminEmail = 1, "admin@xano-emulator.local"
	tokenUserID, tokenEmail = 2, "token@xano-emulator.local"
)

func (s *Server) authenticate(r *http.Request, st *state) (tokenInfo, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return tokenInfo{}, errUnauthorized
	}
	if tok == s.admin {
		return tokenInfo{admin: true, read: true, write: true, userID: adminUserID, email: adminEmail}, nil
	}
	for _, t := range st.Tokens {
		if t.Token == tok {
			ti := tokenInfo{workspaceID: t.WorkspaceID, userID: tokenUserID, email: tokenEmail}
			if t.UserID != 0 {
				ti.userID = t.UserID
			}
			if t.Email != "" {
				ti.email = t.Email
			}
			ti.write = slices.Contains(t.Scopes, "write")
			ti.read = ti.write || slices.Contains(t.Scopes, "read")
			return ti, nil
		}
	}
	return tokenInfo{}, errUnauthorized
}

// allow checks the token's scope and workspace binding.
func (ti tokenInfo) allow(wsID int64, write bool) error {
	if ti.admin {
		return nil
	}
	if ti.workspaceID != 0 && wsID != 0 && ti.workspaceID != wsID {
		return errAccessDenied
	}
	if write && !ti.write || !write && !ti.read {
		return errAccessDenied
	}
	return nil
}

func (ti tokenInfo) sees(wsID int64) bool {
	return ti.admin || ti.read && (ti.workspaceID == 0 || ti.workspaceID == wsID)
}
