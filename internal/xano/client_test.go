package xano

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNormalizeBaseURL(t *testing.T) {
	ok := []struct{ in, want string }{
		{"https://x8ki-letl-twmt.n7.xano.io", "https://x8ki-letl-twmt.n7.xano.io/api:meta"},
		{"https://x8ki-letl-twmt.n7.xano.io/", "https://x8ki-letl-twmt.n7.xano.io/api:meta"},
		{"  https://X.n7.Xano.io  ", "https://x.n7.xano.io/api:meta"},
		{"https://x.n7.xano.io/api:meta", "https://x.n7.xano.io/api:meta"},
		{"https://x.n7.xano.io/api:meta/", "https://x.n7.xano.io/api:meta"},
		{"https://x.n7.xano.io/api%3Ameta", "https://x.n7.xano.io/api:meta"},
		{"https://x.n7.xano.io/api%3ameta/", "https://x.n7.xano.io/api:meta"},
		{"HTTP://127.0.0.1:8080", "http://127.0.0.1:8080/api:meta"},
		{"http://[::1]:8080/api:meta", "http://[::1]:8080/api:meta"},
		{"https://proxy.example.com/xano", "https://proxy.example.com/xano/api:meta"},
		{"https://proxy.example.com/xano/api:meta", "https://proxy.example.com/xano/api:meta"},
	}
	for _, tc := range ok {
		got, err := NormalizeBaseURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"", "empty"},
		{"x.n7.xano.io", "must start with https://"},
		{"ftp://x.n7.xano.io", "must use https://"},
		{"file:///etc/passwd", "must use https://"},
		{"https://", "no host"},
		{"https://:443", "no host"},
		{"https://user:pw@x.n7.xano.io", "must not contain a user name or password"},
		{"https://x.n7.xano.io?token=abc", "query"},
		{"https://x.n7.xano.io/api:meta?", "query"},
		{"https://x.n7.xano.io/#frag", "fragment"},
		{"https://x.n7.xano.io/api:meta/workspace", "end in /api:meta"},
		{"https://x.n7.xano.io/api:abc", "end in /api:meta"},
		{"https://x.n7.xano.io/%zz", "not a valid URL"},
	}
	for _, tc := range bad {
		got, err := NormalizeBaseURL(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
		}
		if err != nil && (strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), "token=abc")) {
			t.Errorf("NormalizeBaseURL(%q) echoed credentials: %v", tc.in, err)
		}
	}
}

func TestNewValidation(t *testing.T) {
	cases := []struct {
		cfg     Config
		wantErr string
	}{
		{Config{Token: testToken}, "instance URL is required"},
		{Config{BaseURL: "x.xano.io", Token: testToken}, "must start with https://"},
		{Config{BaseURL: "https://x.xano.io"}, "a Metadata API token is required"},
		{Config{BaseURL: "https://x.xano.io", Token: "   "}, "a Metadata API token is required"},
		{Config{BaseURL: "https://x.xano.io", Token: "abc def" + testToken}, "token contains spaces"},
		{Config{BaseURL: "https://x.xano.io", Token: testToken + "\x00"}, "token contains spaces"},
	}
	for _, tc := range cases {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("New(%+v): %v; want %q", tc.cfg.BaseURL, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Errorf("New echoed the token: %v", err)
		}
	}
	c, err := New(Config{BaseURL: "https://x.xano.io/", Token: " " + testToken + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://x.xano.io/api:meta" || c.token != testToken {
		t.Errorf("BaseURL %q token trimmed %v", c.BaseURL(), c.token == testToken)
	}
	if c.timeout != DefaultRequestTimeout || c.maxRetries != DefaultMaxRetries || c.waitMin != time.Second ||
		c.waitMax != 30*time.Second || c.retryAfterMax != time.Minute || c.userAgent != "terraform-provider-xano" {
		t.Errorf("defaults: %+v", c)
	}
	c, _ = New(Config{BaseURL: "https://x.xano.io/", Token: testToken, MaxRetries: -1, RequestTimeout: -1})
	if c.maxRetries != 0 || c.timeout != 0 {
		t.Errorf("negative MaxRetries/RequestTimeout: %d %s", c.maxRetries, c.timeout)
	}
	hc := &http.Client{}
	if _, err := New(Config{BaseURL: "https://x.xano.io/", Token: testToken, HTTPClient: hc}); err != nil || hc.Transport != nil {
		t.Errorf("New modified the caller's http.Client: %v", err)
	}
}

func TestEndpoints(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			envelope(w, 401, "ERROR_CODE_UNAUTHORIZED", "bad auth header")
			return
		}
		if ua := r.Header.Get("User-Agent"); ua != "terraform-provider-xano/9.9" {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", "user agent "+ua)
			return
		}
		body, _ := io.ReadAll(r.Body)
		key := r.Method + " " + path
		switch key {
		case "GET /auth/me":
			writeJSON(w, 200, `{"id":"7","name":"Ada","email":"ada@example.com","extras":{"instance":{"id":1}}}`)
		case "GET /workspace":
			writeJSON(w, 200, `[{"id":1,"name":"staging","description":"d","branch":"v1"},{"id":2,"name":"prod","branch":"v2"}]`)
		case "GET /workspace/1":
			writeJSON(w, 200, `{"id":1,"name":"staging","description":"d","branch":"v1","created_at":1700000000}`)
		case "GET /workspace/1/branch":
			writeJSON(w, 200, `[{"created_at":"2023-06-22 22:59:11+0000","label":"v1","live":true,"backup":false},{"created_at":"2023-06-23 22:59:11+0000","label":"dev","backup":false}]`)
		case "GET /workspace/1/branch/dev":
			writeJSON(w, 200, `{"created_at":"2023-06-23 22:59:11+0000","label":"dev","live":false,"backup":false}`)
		case "POST /workspace/1/branch":
			if string(body) != `{"label":"dev","source_branch":"v1","color":"#ebc346"}` {
				envelope(w, 400, "ERROR_CODE_INPUT_ERROR", "body "+string(body))
				return
			}
			writeJSON(w, 200, `{"created_at":"x","label":"dev","live":false,"backup":false}`)
		case "PUT /workspace/1/branch/dev":
			if string(body) != `{"description":"new"}` {
				envelope(w, 400, "ERROR_CODE_INPUT_ERROR", "body "+string(body))
				return
			}
			writeJSON(w, 200, `{"created_at":"x","label":"dev","live":false,"backup":false,"description":"new"}`)
		case "DELETE /workspace/1/branch/a":
			writeJSON(w, 200, `{}`)
		case "DELETE /workspace/1/branch/b":
			writeJSON(w, 200, `null`)
		case "DELETE /workspace/1/branch/c":
			w.WriteHeader(200)
		case "POST /workspace/1/branch/dev/live":
			writeJSON(w, 200, `{"created_at":"x","label":"dev","live":true,"backup":false}`)
		case "POST /workspace/1/branch/empty/live":
			w.WriteHeader(200)
		case "POST /workspace/1/export-schema", "POST /workspace/1/export":
			if r.Header.Get("Accept") != "*/*" || r.Header.Get("Content-Type") != "application/json" {
				envelope(w, 400, "ERROR_CODE_INPUT_ERROR", "headers")
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte("ARCHIVE:"))
			_, _ = w.Write(body)
		case "POST /workspace/1/import-schema", "POST /workspace/1/import":
			_, params, _ := strings.Cut(r.Header.Get("Content-Type"), "boundary=")
			mr := multipart.NewReader(strings.NewReader(string(body)), params)
			var got []string
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					envelope(w, 400, "ERROR_CODE_INPUT_ERROR", err.Error())
					return
				}
				v, _ := io.ReadAll(p)
				s := p.FormName() + "=" + string(v)
				if p.FileName() != "" {
					s = p.FormName() + "(" + p.FileName() + ")=" + string(v)
				}
				got = append(got, s)
			}
			if path == "/workspace/1/import" {
				writeJSON(w, 200, `{"id":1,"name":"staging","description":"","branch":{"id":9,"label":"v1","parts":`+jsonString(strings.Join(got, "&"))+`}}`)
				return
			}
			w.Header().Set("X-Parts", strings.Join(got, "&"))
			writeJSON(w, 200, `{}`)
		default:
			envelope(w, 404, "ERROR_CODE_NOT_FOUND", "no route "+key)
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "terraform-provider-xano/9.9" })
	ctx := context.Background()

	me, err := c.Me(ctx)
	if err != nil || me.ID != 7 || me.Email != "ada@example.com" || me.Extras["instance"] == nil {
		t.Errorf("Me: %+v %v", me, err)
	}
	wss, err := c.ListWorkspaces(ctx)
	if err != nil || len(wss) != 2 || wss[1] != (Workspace{ID: 2, Name: "prod", Branch: "v2"}) {
		t.Errorf("ListWorkspaces: %+v %v", wss, err)
	}
	ws, err := c.GetWorkspace(ctx, 1)
	if err != nil || *ws != (Workspace{ID: 1, Name: "staging", Description: "d", Branch: "v1"}) {
		t.Errorf("GetWorkspace: %+v %v", ws, err)
	}
	brs, err := c.ListBranches(ctx, 1)
	if err != nil || len(brs) != 2 || !brs[0].Live || brs[1].Live || brs[1].Label != "dev" {
		t.Errorf("ListBranches: %+v %v", brs, err)
	}
	br, err := c.GetBranch(ctx, 1, "dev")
	if err != nil || br.Label != "dev" || br.CreatedAt != "2023-06-23 22:59:11+0000" {
		t.Errorf("GetBranch: %+v %v", br, err)
	}
	br, err = c.CreateBranch(ctx, 1, CreateBranchInput{Label: "dev", SourceBranch: "v1", Color: "#ebc346"})
	if err != nil || br.Label != "dev" {
		t.Errorf("CreateBranch: %+v %v", br, err)
	}
	desc := "new"
	br, err = c.UpdateBranch(ctx, 1, "dev", UpdateBranchInput{Description: &desc})
	if err != nil || br.Description != "new" {
		t.Errorf("UpdateBranch: %+v %v", br, err)
	}
	for _, l := range []string{"a", "b", "c"} {
		if err := c.DeleteBranch(ctx, 1, l); err != nil {
			t.Errorf("DeleteBranch(%s): %v", l, err)
		}
	}
	br, err = c.SetLiveBranch(ctx, 1, "dev")
	if err != nil || !br.Live || br.Label != "dev" {
		t.Errorf("SetLiveBranch: %+v %v", br, err)
	}
	br, err = c.SetLiveBranch(ctx, 1, "empty")
	if err != nil || !br.Live || br.Label != "empty" {
		t.Errorf("SetLiveBranch (empty answer): %+v %v", br, err)
	}

	var out strings.Builder
	n, err := c.ExportSchema(ctx, 1, ExportOptions{Branch: "dev", Password: "pw", Records: ptr(true)}, &out)
	if want := `ARCHIVE:{"branch":"dev","password":"pw"}`; err != nil || out.String() != want || n != int64(len(want)) {
		t.Errorf("ExportSchema: %d %q %v", n, out.String(), err)
	}
	out.Reset()
	n, err = c.Export(ctx, 1, ExportOptions{Records: ptr(false), Vault: ptr(true)}, &out)
	if want := `ARCHIVE:{"branch":"","password":"","records":false,"vault":true}`; err != nil || out.String() != want || n != int64(len(want)) {
		t.Errorf("Export: %d %q %v", n, out.String(), err)
	}

	src := &source{data: []byte("tar-gz-bytes")}
	res, err := c.Import(ctx, 1, ImportInput{File: src.archive("backup.tar.gz"), Password: ""})
	if err != nil || res.ID != 1 || res.Branch["parts"] != "password=&file(backup.tar.gz)=tar-gz-bytes" {
		t.Errorf("Import: %+v %v", res, err)
	}
	if src.opens.Load() != 1 || src.closes.Load() != 1 {
		t.Errorf("Import: opened %d closed %d", src.opens.Load(), src.closes.Load())
	}
	// Import-schema's answer is {}; check the parts through a second server-side echo.
	if err := c.ImportSchema(ctx, 1, ImportSchemaInput{File: src.archive("s.tar.gz"), NewBranch: "next", SetLive: true, Password: "pw"}); err != nil {
		t.Errorf("ImportSchema: %v", err)
	}
	// Declared size: sent with a Content-Length; a wrong size fails the upload.
	sized := src.archive("sized.tar.gz")
	sized.Size = int64(len(src.data))
	if _, err := c.Import(ctx, 1, ImportInput{File: sized}); err != nil {
		t.Errorf("Import with Size: %v", err)
	}
	sized.Size++
	if _, err := c.Import(ctx, 1, ImportInput{File: sized}); err == nil || !strings.Contains(err.Error(), "not the declared") {
		t.Errorf("Import with a wrong Size: %v", err)
	}
	if src.opens.Load() != src.closes.Load() {
		t.Errorf("archives opened %d closed %d", src.opens.Load(), src.closes.Load())
	}

	// Local validation.
	if _, err := c.GetBranch(ctx, 1, ""); err == nil {
		t.Error("GetBranch with an empty label: no error")
	}
	if err := c.DeleteBranch(ctx, 1, ".."); err == nil {
		t.Error("DeleteBranch(..): no error")
	}
	if _, err := c.GetWorkspace(ctx, 0); err == nil {
		t.Error("GetWorkspace(0): no error")
	}
}

func TestImportSchemaParts(t *testing.T) {
	var parts string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		mr, err := r.MultipartReader()
		if err != nil {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", err.Error())
			return
		}
		var got []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			v, _ := io.ReadAll(p)
			got = append(got, p.FormName()+"="+string(v))
		}
		parts = strings.Join(got, "&")
		writeJSON(w, 200, `{}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	src := &source{data: []byte("DATA")}
	err := c.ImportSchema(context.Background(), 3, ImportSchemaInput{File: src.archive("x.tar.gz"), NewBranch: "next", SetLive: true, Password: "pw"})
	if err != nil || parts != "newbranch=next&setlive=true&password=pw&file=DATA" {
		t.Errorf("ImportSchema parts %q, %v", parts, err)
	}
}

// TestUploadBodyRead reads an upload body through Read (as an HTTP/2 transport does) rather than
// WriteTo, and checks its framing and declared length.
func TestUploadBodyRead(t *testing.T) {
	src := &source{data: []byte(strings.Repeat("archive!", 100000))}
	a := src.archive("a.tar.gz")
	a.Size = int64(len(src.data))
	cl, err := uploadCall("/workspace/1/import", a, "pw", [][2]string{{"password", "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := cl.upload.readerFunc()()
	data, err := io.ReadAll(struct{ io.Reader }{r}) // hide WriteTo
	if err != nil {
		t.Fatal(err)
	}
	cl.upload.finish()
	lr, ok := r.(interface{ Len() int })
	if !ok {
		t.Fatalf("the upload body %T does not report its length", r)
	}
	if int64(len(data)) != cl.upload.length || lr.Len() != len(data) {
		t.Errorf("body %d bytes, declared %d", len(data), cl.upload.length)
	}
	mr := multipart.NewReader(strings.NewReader(string(data)), cl.upload.boundary)
	var got []string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		v, _ := io.ReadAll(p)
		got = append(got, p.FormName()+":"+sha256Hex(v))
	}
	if want := []string{"password:" + sha256Hex([]byte("pw")), "file:" + sha256Hex(src.data)}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("parts %v, want %v", got, want)
	}
	if src.opens.Load() != 1 || src.closes.Load() != 1 {
		t.Errorf("opens %d closes %d", src.opens.Load(), src.closes.Load())
	}
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return fmt.Sprintf("%x", s) }

func TestListWorkspacesWrapped(t *testing.T) {
	for _, body := range []string{`{"items":[{"id":3,"name":"a"}]}`, `{"workspaces":[{"id":3,"name":"a"}]}`} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) { writeJSON(w, 200, body) })
		c, _ := newTestClient(t, srv.URL, nil)
		wss, err := c.ListWorkspaces(context.Background())
		if err != nil || len(wss) != 1 || wss[0].ID != 3 {
			t.Errorf("%s: %+v %v", body, wss, err)
		}
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) { writeJSON(w, 200, `{"other":1}`) })
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.ListWorkspaces(context.Background()); err == nil {
		t.Error("an object without items: no error")
	}
}

func TestLabelEscaping(t *testing.T) {
	var got []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		got = append(got, r.Method+" "+r.RequestURI)
		writeJSON(w, 200, `{"label":"feature/a b","live":true}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	label := "feature/a b?#%"
	if _, err := c.GetBranch(ctx, 1, label); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetLiveBranch(ctx, 1, label); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBranch(ctx, 1, label); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /api:meta/workspace/1/branch/feature%2Fa%20b%3F%23%25",
		"POST /api:meta/workspace/1/branch/feature%2Fa%20b%3F%23%25/live",
		"DELETE /api:meta/workspace/1/branch/feature%2Fa%20b%3F%23%25",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("request URIs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrorParsing(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		ctype, body string
		check       func(*APIError) bool
		wantText    string
	}{
		{"envelope", 404, "application/json", `{"code":"ERROR_CODE_NOT_FOUND","message":"Invalid workspace.","payload":{"id":1}}`,
			func(e *APIError) bool {
				return e.Code == "ERROR_CODE_NOT_FOUND" && e.Message == "Invalid workspace." && string(e.Payload) == `{"id":1}`
			},
			"xano: GET /workspace/1: 404 ERROR_CODE_NOT_FOUND: Invalid workspace."},
		{"empty payload", 400, "application/json", `{"code":"ERROR_CODE_INPUT_ERROR","message":"Missing param: label","payload":""}`,
			func(e *APIError) bool { return e.Payload == nil && e.Code == "ERROR_CODE_INPUT_ERROR" },
			"xano: GET /workspace/1: 400 ERROR_CODE_INPUT_ERROR: Missing param: label"},
		{"message only", 403, "application/json", `{"message":"Access Denied."}`,
			func(e *APIError) bool { return e.Code == "" && e.Message == "Access Denied." },
			"xano: GET /workspace/1: 403: Access Denied."},
		{"html", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>",
			func(e *APIError) bool { return e.Message == "Bad Gateway: 502 Bad Gateway 502 Bad Gateway" },
			"xano: GET /workspace/1: 502: Bad Gateway: 502 Bad Gateway 502 Bad Gateway"},
		{"plain long", 400, "text/plain", strings.Repeat("x\x01y ", 200),
			func(e *APIError) bool { return len(e.Message) < 260 && strings.HasSuffix(e.Message, "...") },
			"xano: GET /workspace/1: 400: Bad Request: x y x y"},
		{"empty", 401, "", "",
			func(e *APIError) bool { return e.Message == "" && e.Code == "" },
			"xano: GET /workspace/1: 401: Unauthorized"},
		{"binary", 400, "application/octet-stream", "\x1f\x8b\x08\x00\x00\x00",
			func(e *APIError) bool { return e.Message == "Bad Request: (6 bytes of binary data)" },
			"xano: GET /workspace/1: 400: Bad Request: (6 bytes of binary data)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = -1 })
			_, err := c.GetWorkspace(context.Background(), 1)
			var e *APIError
			if !errors.As(err, &e) {
				t.Fatalf("not an APIError: %v", err)
			}
			if e.StatusCode != tc.status || e.Method != "GET" || e.Path != "/workspace/1" || e.Attempts != 1 || !tc.check(e) {
				t.Errorf("%+v", e)
			}
			if !strings.HasPrefix(err.Error(), tc.wantText) {
				t.Errorf("text %q, want prefix %q", err.Error(), tc.wantText)
			}
		})
	}
	if !IsNotFound(&APIError{StatusCode: 404}) || !IsUnauthorized(&APIError{StatusCode: 401}) ||
		!IsAccessDenied(&APIError{StatusCode: 403}) || !IsInputError(&APIError{StatusCode: 400}) ||
		!IsRateLimited(&APIError{StatusCode: 429}) || !IsServerError(&APIError{StatusCode: 503}) || IsNotFound(errors.New("x")) {
		t.Error("Is* helpers")
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		http.Redirect(w, r, "https://elsewhere.example.com/api:meta"+path+"?x=1", http.StatusMovedPermanently)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Export(context.Background(), 1, ExportOptions{}, io.Discard)
	var e *APIError
	if !errors.As(err, &e) || e.StatusCode != 301 || srv.hits.Load() != 1 ||
		!strings.Contains(err.Error(), "redirects to https://elsewhere.example.com/api:meta/workspace/1/export:") {
		t.Errorf("hits %d: %v", srv.hits.Load(), err)
	}
}

func TestExportErrorNeverWritten(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		envelope(w, 400, "ERROR_CODE_INPUT_ERROR", "unknown branch")
	})
	c, _ := newTestClient(t, srv.URL, nil)
	var out strings.Builder
	n, err := c.Export(context.Background(), 1, ExportOptions{Branch: "nope"}, &out)
	if !IsInputError(err) || n != 0 || out.Len() != 0 {
		t.Errorf("n=%d out=%q err=%v", n, out.String(), err)
	}
}

func TestUserDecoding(t *testing.T) {
	var u User
	if err := json.Unmarshal([]byte(`{"id":12,"name":"n","email":"e","extras":"weird"}`), &u); err != nil || u.ID != 12 || u.Extras != nil {
		t.Errorf("%+v %v", u, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"x"}`), &u); err == nil {
		t.Error("non-numeric id accepted")
	}
}

func ptr[T any](v T) *T { return &v }

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestUploadFileName: Xano treats an upload named *.enc.gz as encrypted, so with a password
// the file part's name ends in .enc.gz; without one the given name is sent as is.
func TestUploadFileName(t *testing.T) {
	var got atomic.Value
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		mr, err := r.MultipartReader()
		if err != nil {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", err.Error())
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "file" {
				got.Store(p.FileName())
			}
			_, _ = io.Copy(io.Discard, p)
		}
		writeJSON(w, 200, `{}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	cases := []struct{ name, password, want string }{
		{"schema.tar.gz", "", "schema.tar.gz"},
		{"schema.enc.gz", "", "schema.enc.gz"},
		{"", "", "archive.tar.gz"},
		{"schema.tar.gz", "pw", "schema.enc.gz"},
		{"backup.TGZ", "pw", "backup.enc.gz"},
		{"backup.gz", "pw", "backup.enc.gz"},
		{"backup.xano", "pw", "backup.enc.gz"},
		{"backup.xano.tar.gz", "pw", "backup.enc.gz"},
		{"nightly-2024.01.02", "pw", "nightly-2024.01.02.enc.gz"},
		{"already.enc.gz", "pw", "already.enc.gz"},
		{"ALREADY.ENC.GZ", "pw", "ALREADY.ENC.GZ"},
		{".tar.gz", "pw", "archive.enc.gz"},
		{"", "pw", "archive.enc.gz"},
	}
	for _, tc := range cases {
		src := &source{data: []byte("DATA")}
		got.Store("")
		err := c.ImportSchema(context.Background(), 1, ImportSchemaInput{File: src.archive(tc.name), NewBranch: "n", Password: tc.password})
		if g, _ := got.Load().(string); err != nil || g != tc.want {
			t.Errorf("ImportSchema %q (password %v): sent %q, want %q (%v)", tc.name, tc.password != "", g, tc.want, err)
		}
		got.Store("")
		_, err = c.Import(context.Background(), 1, ImportInput{File: src.archive(tc.name), Password: tc.password})
		if g, _ := got.Load().(string); err != nil || g != tc.want {
			t.Errorf("Import %q (password %v): sent %q, want %q (%v)", tc.name, tc.password != "", g, tc.want, err)
		}
	}
}

func TestBranchDecoding(t *testing.T) {
	cases := []struct {
		in           string
		live, backup bool
		created      string
	}{
		{`{"label":"v1","live":true,"backup":false,"created_at":"2024-05-31 10:00:00+0000"}`, true, false, "2024-05-31 10:00:00+0000"},
		{`{"label":"v1","live":"true","backup":"false"}`, true, false, ""},
		{`{"label":"v1","live":"FALSE","backup":"True"}`, false, true, ""},
		{`{"label":"v1","live":1,"backup":0}`, true, false, ""},
		{`{"label":"v1","live":0,"backup":1}`, false, true, ""},
		{`{"label":"v1","live":"1","backup":"0"}`, true, false, ""},
		{`{"label":"v1","live":null,"backup":null,"created_at":null}`, false, false, ""},
		{`{"label":"v1"}`, false, false, ""},
		{`{"label":"v1","created_at":1717171717}`, false, false, "1717171717"},
		{`{"label":"v1","created_at":1717171717.25}`, false, false, "1717171717.25"},
		{`{"label":"v1","created_at":1.717171717e9}`, false, false, "1717171717"},
		{`{"label":"v1","created_at":1717171717000}`, false, false, "1717171717000"},
	}
	for _, tc := range cases {
		var b Branch
		if err := json.Unmarshal([]byte(tc.in), &b); err != nil || b.Label != "v1" || b.Live != tc.live || b.Backup != tc.backup || b.CreatedAt != tc.created {
			t.Errorf("%s: %+v %v", tc.in, b, err)
		}
	}
	var b Branch
	if err := json.Unmarshal([]byte(`{"label":"dev","description":"d","color":"#fff","live":true}`), &b); err != nil ||
		b != (Branch{Label: "dev", Description: "d", Color: "#fff", Live: true}) {
		t.Errorf("other fields: %+v %v", b, err)
	}
	for _, in := range []string{`{"live":"yes"}`, `{"backup":2}`, `{"live":{}}`, `{"created_at":true}`, `{"created_at":[1]}`} {
		if err := json.Unmarshal([]byte(in), &b); err == nil {
			t.Errorf("%s accepted: %+v", in, b)
		}
	}
	// A list of branches from an older server, through the client.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		writeJSON(w, 200, `[{"label":"v1","live":1,"created_at":1717171717},{"label":"old","live":"false","backup":"true","created_at":"1717000000"}]`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	brs, err := c.ListBranches(context.Background(), 1)
	if err != nil || len(brs) != 2 || !brs[0].Live || brs[0].CreatedAt != "1717171717" || brs[1].Live || !brs[1].Backup {
		t.Errorf("ListBranches: %+v %v", brs, err)
	}
}
