package xano

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	exportPassword = `ex"p/é&=+ <b>SECRETPW1`
	importPassword = `im"p/é&=+ <b>SECRETPW2`
)

// secretForms are the texts that must never appear in an error or a log.
func secretForms() []string {
	r := newRedactor(testToken, exportPassword, importPassword)
	return append(append(r.secrets, r.short...), "SECRET", "SECRETPW")
}

func assertNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, f := range secretForms() {
		if strings.Contains(text, f) {
			t.Errorf("%s leaks %q:\n%s", what, f, text)
			return
		}
	}
}

// errorText is everything an error exposes: its text and, for an APIError, its fields.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	var e *APIError
	if errors.As(err, &e) {
		s += "\ncode=" + e.Code + "\nmessage=" + e.Message + "\npayload=" + string(e.Payload)
	}
	return s
}

// TestNoSecretsInErrorsOrLogs runs every operation against a server that echoes the request
// (headers, Authorization included, and body) back in every way an error can carry it, and
// through every kind of failure, and checks no error text, field or log line holds a secret.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	var mode atomic.Value
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		body, _ := io.ReadAll(r.Body)
		var hdr []string
		for k, v := range r.Header {
			hdr = append(hdr, k+": "+strings.Join(v, ","))
		}
		sort.Strings(hdr)
		dump := strings.Join(hdr, "\n") + "\n\n" + string(body)
		m, _ := mode.Load().(string) // anything else reads as "", reported below as an unknown mode
		switch m {
		case "json":
			payload := map[string]any{"headers": r.Header, "body": string(body), "nested": []any{dump, map[string]any{dump: 1}}}
			b, _ := json.Marshal(map[string]any{"code": "E_" + r.Header.Get("Authorization"), "message": dump, "payload": payload})
			writeJSON(w, 400, string(b))
		case "json-php":
			writeJSON(w, 500, `{"code":"ERROR_FATAL","message":"`+phpJSONEscape(dump)+`","payload":"`+phpJSONEscape(string(body))+`"}`)
		case "text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, dump)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, "<html><body><pre>"+dump+"</pre></body></html>")
		case "429":
			w.Header().Set("Retry-After", "0")
			b, _ := json.Marshal(map[string]any{"code": "ERROR_CODE_TOO_MANY_REQUESTS", "message": dump})
			writeJSON(w, 429, string(b))
		case "cut":
			cutConn(t, w, "")
		case "cut-mid":
			cutConn(t, w, partialResponse(10000, dump))
		case "hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			t.Errorf("unknown mode %q", m)
		}
	})

	c, log := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 300 * time.Millisecond; cfg.MaxRetries = 2 })
	src := &source{data: []byte("archive bytes " + importPassword)}
	ops := map[string]func(context.Context) error{
		"GET workspace": func(ctx context.Context) error { _, err := c.GetWorkspace(ctx, 1); return err },
		"export": func(ctx context.Context) error {
			_, err := c.Export(ctx, 1, ExportOptions{Password: exportPassword}, io.Discard)
			return err
		},
		"export-schema": func(ctx context.Context) error {
			_, err := c.ExportSchema(ctx, 1, ExportOptions{Password: exportPassword}, &resetBuffer{})
			return err
		},
		"create branch": func(ctx context.Context) error {
			_, err := c.CreateBranch(ctx, 1, CreateBranchInput{Label: "dev"})
			return err
		},
		"import-schema": func(ctx context.Context) error {
			return c.ImportSchema(ctx, 1, ImportSchemaInput{File: src.archive("a.tar.gz"), NewBranch: "n", Password: importPassword})
		},
		"import": func(ctx context.Context) error {
			_, err := c.Import(ctx, 1, ImportInput{File: src.archive("a.tar.gz"), Password: importPassword})
			return err
		},
		"delete branch": func(ctx context.Context) error { return c.DeleteBranch(ctx, 1, "dev") },
	}
	for _, m := range []string{"json", "json-php", "text", "html", "429", "cut", "cut-mid", "hang", "cancel"} {
		for name, op := range ops {
			t.Run(m+"/"+name, func(t *testing.T) {
				ctx := context.Background()
				if m == "cancel" {
					mode.Store("hang")
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					time.AfterFunc(50*time.Millisecond, cancel)
				} else {
					mode.Store(m)
				}
				err := op(ctx)
				if err == nil {
					if m == "cut-mid" && !strings.HasPrefix(name, "export") {
						return // a non-export may answer 200 with a cut body it decodes as far as it got
					}
					t.Fatalf("no error")
				}
				if !strings.HasPrefix(err.Error(), "xano: ") {
					t.Errorf("error without the xano prefix: %v", err)
				}
				assertNoSecret(t, "error", errorText(err))
				if testing.Verbose() {
					t.Logf("%s", errorText(err))
				}
			})
		}
	}
	assertNoSecret(t, "log", log.all())
	if !strings.Contains(log.all(), "Authorization:REDACTED") {
		t.Errorf("request logs do not show the redacted Authorization header")
	}
	if !strings.Contains(log.all(), "retryablehttp: ") {
		t.Errorf("retryablehttp's messages do not reach the Logger")
	}
	if src.opens.Load() != src.closes.Load() {
		t.Errorf("archives opened %d closed %d", src.opens.Load(), src.closes.Load())
	}
}

func TestNoSecretsInConfigErrors(t *testing.T) {
	for _, base := range []string{
		"https://user:" + testToken + "@x.xano.io",
		"https://x.xano.io/?token=" + testToken,
		"https://x.xano.io/#" + testToken,
		"ftp://" + "x.xano.io",
		"https://x.xano.io/%zz" + testToken,
	} {
		_, err := New(Config{BaseURL: base, Token: testToken})
		if err == nil {
			t.Errorf("%q accepted", base)
			continue
		}
		assertNoSecret(t, "config error", err.Error())
	}
	_, err := New(Config{BaseURL: "https://x.xano.io", Token: testToken + " " + testToken})
	if err == nil {
		t.Fatal("a token with a space accepted")
	}
	assertNoSecret(t, "config error", err.Error())
}

func TestRedactor(t *testing.T) {
	r := newRedactor("abcdefgh", `p"w/é&xyz`)
	for _, in := range []string{"xabcdefghx", `p"w/é&xyz`, `p\"w/é\u0026xyz`, `p\"w/é&xyz`, `p\"w\/\u00e9&xyz`, "p%22w%2F%C3%A9%26xyz"} {
		if got := r.redact(in); strings.Contains(got, "abcdefgh") || strings.Contains(got, "é") || !strings.Contains(got, redacted) {
			t.Errorf("redact(%q) = %q", in, got)
		}
	}
	got := r.redactJSON(json.RawMessage(`{"k":"p\"w/\u00e9\u0026xyz","abcdefgh":[1,"abcdefgh"]}`))
	if string(got) != `{"REDACTED":[1,"REDACTED"],"k":"REDACTED"}` {
		t.Errorf("redactJSON = %s", got)
	}
	if got := r.redactJSON(json.RawMessage(`not json abcdefgh`)); string(got) != `"not json REDACTED"` {
		t.Errorf("redactJSON(non-JSON) = %s", got)
	}
}

// TestRedactShortSecrets: a secret shorter than 8 characters is not cut out of a text (that
// garbles it and, by the gaps, shows the secret): the server's message or payload holding it
// is withheld whole. Longer secrets are still cut out.
func TestRedactShortSecrets(t *testing.T) {
	r := newRedactor(testToken).with("Q", "pw1234", "98765", "")
	cases := []struct{ in, want string }{
		{"Invalid password: Q", withheldMessage},
		{"wrong password pw1234 for the archive", withheldMessage},
		{`escaped: p\u0077`, `escaped: p\u0077`}, // neither secret
		{"Missing param: label", "Missing param: label"},
		{"token " + testToken + " is bad", "token REDACTED is bad"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := r.redactMessage(tc.in); got != tc.want {
			t.Errorf("redactMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := r.redact("dial tcp: Q: connection refused"); got != withheldText {
		t.Errorf("redact of a text holding a short secret: %q", got)
	}
	if got := r.redactOwn("stopped after 98765 bytes: Quit"); got != "stopped after 98765 bytes: Quit" {
		t.Errorf("redactOwn garbled the client's own text: %q", got)
	}
	for _, in := range []string{`{"password":"pw1234"}`, `{"pw1234":1}`, `{"echo":["x",{"y":"pw1234!"}]}`, `{"pin":98765,"a":1}`, `not json: pw1234`} {
		if got := string(r.redactJSON(json.RawMessage(in))); got != jsonString(withheldMessage) {
			t.Errorf("redactJSON(%s) = %s, want the payload withheld", in, got)
		}
	}
	if got := string(r.redactJSON(json.RawMessage(`{"id":7,"label":"dev"}`))); got != `{"id":7,"label":"dev"}` {
		t.Errorf("redactJSON of a payload without secrets = %s", got)
	}

	// Through the client: a server echoing a one-character password in its message and payload.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		writeJSON(w, 400, `{"code":"ERROR_CODE_INPUT_ERROR","message":"The archive password x is wrong.","payload":{"password":"x"}}`)
	})
	c, log := newTestClient(t, srv.URL, nil)
	_, err := c.Export(context.Background(), 1, ExportOptions{Password: "x"}, io.Discard)
	var e *APIError
	if !errors.As(err, &e) || e.Message != withheldMessage || string(e.Payload) != jsonString(withheldMessage) || e.Code != "ERROR_CODE_INPUT_ERROR" {
		t.Fatalf("%+v", err)
	}
	if want := "xano: POST /workspace/1/export: 400 ERROR_CODE_INPUT_ERROR: " + withheldMessage; err.Error() != want {
		t.Errorf("error text %q, want %q", err.Error(), want)
	}
	if strings.Contains(err.Error(), redacted) || !strings.Contains(log.all(), "User-Agent:terraform-provider-xano") {
		t.Errorf("short-secret redaction garbled the error or the log:\n%v\n%s", err, log.all())
	}
	// A longer password is still cut out of the message, which stays readable.
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		writeJSON(w, 400, `{"code":"ERROR_CODE_INPUT_ERROR","message":"The archive password long-password is wrong."}`)
	})
	c, _ = newTestClient(t, srv.URL, nil)
	_, err = c.Export(context.Background(), 1, ExportOptions{Password: "long-password"}, io.Discard)
	if !errors.As(err, &e) || e.Message != "The archive password REDACTED is wrong." {
		t.Errorf("long password: %v", err)
	}
}
