package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

func ptr[T any](v T) *T { return &v }

func TestFaultStatusRetryAfterAndCount(t *testing.T) {
	in := emulatortest.Start(t, nil)
	ctx := context.Background()
	if err := in.Control.AddFault(ctx, emulator.Fault{
		Method: "GET", Path: "/workspace/1/branch", Status: 429, RetryAfter: "2", Count: 2,
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		resp, data := call(t, in, "GET", "/api:meta/workspace/1/branch", in.Token, nil, "")
		wantError(t, resp.StatusCode, data, 429, "ERROR_CODE_TOO_MANY_REQUESTS", "")
		if ra := resp.Header.Get("Retry-After"); ra != "2" {
			t.Fatalf("Retry-After %q", ra)
		}
	}
	if fs, err := in.Control.Faults(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("faults left: %+v %v", fs, err)
	}
	status, data := in.Do(t, "GET", "/workspace/1/branch", nil)
	wantOK(t, status, data) // the count is used up

	// Method filter and glob; an explicit code and message.
	if err := in.Control.AddFault(ctx, emulator.Fault{Method: "POST", Path: "/workspace/1/*", Status: 500, Code: "ERROR_FATAL", Message: "boom"}); err != nil {
		t.Fatal(err)
	}
	status, data = in.Do(t, "GET", "/workspace/1/branch", nil)
	wantOK(t, status, data)
	status, data = in.Do(t, "POST", "/workspace/1/export-schema", map[string]any{})
	wantError(t, status, data, 500, "ERROR_FATAL", "boom")

	// A fault answers before authentication, as a proxy would.
	if err := in.Control.AddFault(ctx, emulator.Fault{Path: "/auth/me", Status: 503}); err != nil {
		t.Fatal(err)
	}
	resp, data := call(t, in, "GET", "/api:meta/auth/me", "", nil, "")
	wantError(t, resp.StatusCode, data, 503, "ERROR_FATAL", "")

	// ClearFaults disarms.
	if err := in.Control.AddFault(ctx, emulator.Fault{Path: "*", Status: 500, Count: 100}); err != nil {
		t.Fatal(err)
	}
	if fs, err := in.Control.Faults(ctx); err != nil || len(fs) != 1 || fs[0].Count != 100 {
		t.Fatalf("armed faults: %+v %v", fs, err)
	}
	if err := in.Control.AddFault(ctx, emulator.Fault{Path: "*", Status: 42}); err == nil {
		t.Fatal("a fault with status 42 was accepted")
	}
	if err := in.Control.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	status, data = in.Do(t, "GET", "/workspace", nil)
	wantOK(t, status, data)
}

func TestFaultDelay(t *testing.T) {
	in := emulatortest.Start(t, nil)
	if err := in.Control.AddFault(context.Background(), emulator.Fault{Path: "/workspace", DelayMS: 300}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	status, data := in.Do(t, "GET", "/workspace", nil)
	wantOK(t, status, data)
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("answered after %v", d)
	}
	// A client that gives up early sees a timeout.
	if err := in.Control.AddFault(context.Background(), emulator.Fault{Path: "/workspace", DelayMS: 2000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", in.URL+"/api:meta/workspace", nil)
	req.Header.Set("Authorization", "Bearer "+in.Token)
	if _, err := in.HTTP.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestFaultCutAfterBytes(t *testing.T) {
	in := emulatortest.Start(t, nil)
	full := in.Export(t, 1, "", true)
	if err := in.Control.AddFault(context.Background(), emulator.Fault{Method: "POST", Path: "/workspace/1/export", CutAfterBytes: ptr[int64](1000)}); err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest("POST", in.URL+"/api:meta/workspace/1/export", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+in.Token)
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("the headers should arrive: %v", err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("a cut download read to a clean end")
	}
	if len(got) != 1000 || len(full) <= 1000 {
		t.Fatalf("received %d bytes before the cut (archive is %d)", len(got), len(full))
	}
	// The next request is served normally.
	if again := in.Export(t, 1, "", true); inspect(t, again).ContentSHA256 != inspect(t, full).ContentSHA256 {
		t.Fatal("the export after the cut differs")
	}
	// A cut on a JSON answer.
	if err := in.Control.AddFault(context.Background(), emulator.Fault{Path: "/workspace", CutAfterBytes: ptr[int64](5)}); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("GET", in.URL+"/api:meta/workspace", nil)
	req.Header.Set("Authorization", "Bearer "+in.Token)
	if resp, err = in.HTTP.Client().Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("a cut JSON answer read cleanly")
	}
}

func TestFaultCutBeforeResponseStillServes(t *testing.T) {
	in := emulatortest.Start(t, nil)
	if err := in.Control.AddFault(context.Background(), emulator.Fault{Method: "POST", Path: "/workspace/1/branch", CutAfterBytes: ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", in.URL+"/api:meta/workspace/1/branch", strings.NewReader(`{"label":"ghost"}`))
	req.Header.Set("Authorization", "Bearer "+in.Token)
	req.Header.Set("Content-Type", "application/json")
	// No retries: a POST on a fresh connection.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) despite the cut", resp.StatusCode)
	}
	// The request was served: the branch exists though the client never heard back.
	if got := labels(in.Branches(t, 1)); got != "v1*,ghost" {
		t.Fatalf("branches %s", got)
	}
	// The handler records the request once it returns, which may be after the client saw the
	// connection close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, err := in.Control.Requests(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var post *emulator.RequestRecord
		for i, r := range recs {
			if r.Method == "POST" {
				post = &recs[i]
			}
		}
		if post != nil {
			if post.Path != "/workspace/1/branch" || post.Status != 0 || post.Bytes != 0 {
				t.Fatalf("log of a cut request: %+v", *post)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cut request is not in the log: %+v", recs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRequestLog(t *testing.T) {
	in := emulatortest.Start(t, nil)
	ctx := context.Background()
	in.Do(t, "GET", "/workspace", nil)
	in.Do(t, "GET", "/workspace/99", nil)
	call(t, in, "POST", "/api%3Ameta/workspace/1/export-schema", in.Token, nil, "")
	call(t, in, "GET", "/api:meta/workspace/1/branch/"+"feature%2Fx", "", nil, "")
	recs, err := in.Control.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("log %+v", recs)
	}
	want := []struct {
		method, path string
		status       int
	}{{"GET", "/workspace", 200}, {"GET", "/workspace/99", 404}, {"POST", "/workspace/1/export-schema", 200}, {"GET", "/workspace/1/branch/feature%2Fx", 401}}
	for i, w := range want {
		r := recs[i]
		if r.Method != w.method || r.Path != w.path || r.Status != w.status || r.Bytes <= 0 || r.DurationMS < 0 {
			t.Fatalf("record %d: %+v, want %+v", i, r, w)
		}
	}
	// The control API is not logged, and ClearRequests empties the log.
	if err := in.Control.ClearRequests(ctx); err != nil {
		t.Fatal(err)
	}
	if recs, _ := in.Control.Requests(ctx); len(recs) != 0 {
		t.Fatalf("log after clear: %+v", recs)
	}
	// The raw route returns a JSON array, never null.
	resp, data := call(t, in, "GET", "/_emulator/requests", "", nil, "")
	if resp.StatusCode != 200 || strings.TrimSpace(string(data)) != "[]" {
		t.Fatalf("GET /_emulator/requests: %d %s", resp.StatusCode, data)
	}
}

func TestResetAndSeed(t *testing.T) {
	in := emulatortest.Start(t, nil)
	ctx := context.Background()
	in.CreateBranch(t, 1, "dev", "")
	if err := in.Control.AddFault(ctx, emulator.Fault{Path: "/nothing"}); err != nil {
		t.Fatal(err)
	}
	if err := in.Control.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got := labels(in.Branches(t, 1)); got != "v1*" {
		t.Fatalf("after reset: %s", got)
	}

	fx := emulator.Fixture{
		Workspaces: []emulator.FixtureWorkspace{{
			ID: 5, Name: "seeded",
			Branches: []emulator.FixtureBranch{
				{Label: "v1"},
				{Label: "prod", Live: true, Functions: []emulator.FixtureFunction{{Name: "f", Body: "b"}}},
			},
			Tables: []emulator.FixtureTable{{Name: "t", Rows: 5, RowBytes: 50}},
		}},
		Tokens: []emulator.FixtureToken{{Token: "ro", Scopes: []string{"read"}, WorkspaceID: 5}},
	}
	if err := in.Control.Seed(ctx, fx); err != nil {
		t.Fatal(err)
	}
	status, data := in.Do(t, "GET", "/workspace", nil)
	wantOK(t, status, data)
	var ws []map[string]any
	decodeJSON(t, data, &ws)
	if len(ws) != 1 || ws[0]["name"] != "seeded" || ws[0]["branch"] != "prod" {
		t.Fatalf("after seed: %s", data)
	}
	if got := labels(in.Branches(t, 5)); got != "v1,prod*" {
		t.Fatalf("seeded branches %s", got)
	}
	resp, data := call(t, in, "GET", "/api:meta/workspace/5/branch", "ro", nil, "")
	wantOK(t, resp.StatusCode, data)

	// Invalid fixtures are refused and change nothing.
	bad := []emulator.Fixture{
		{Workspaces: []emulator.FixtureWorkspace{{ID: 1, Name: "a"}, {ID: 1, Name: "b"}}},
		{Workspaces: []emulator.FixtureWorkspace{{ID: 1, Branches: []emulator.FixtureBranch{{Label: "v1", Live: true}, {Label: "x", Live: true}}}}},
		{Tokens: []emulator.FixtureToken{{Token: "t", Scopes: []string{"admin"}}}},
	}
	for _, f := range bad {
		if err := in.Control.Seed(ctx, f); err == nil {
			t.Fatalf("fixture %+v accepted", f)
		}
	}
	if got := labels(in.Branches(t, 5)); got != "v1,prod*" {
		t.Fatalf("after refused seeds %s", got)
	}
	// Reset returns to the initial seed (the demo), not to the last seed.
	if err := in.Control.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	status, data = in.Do(t, "GET", "/workspace", nil)
	wantOK(t, status, data)
	decodeJSON(t, data, &ws)
	if len(ws) != 2 || ws[0]["name"] != "staging" {
		t.Fatalf("after reset: %s", data)
	}
}

func TestControlDisabled(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := &recorder{header: http.Header{}}
	r, _ := http.NewRequest("POST", "/_emulator/reset", nil)
	srv.ServeHTTP(rec, r)
	if rec.status != 404 {
		t.Fatalf("control route without Control: %d", rec.status)
	}
	if _, err := emulator.New(emulator.Options{Seed: "nope"}); err == nil {
		t.Fatal("unknown seed accepted")
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(200)
	return r.body.Write(p)
}

// A cross-site page can POST to the unauthenticated control API only with a "simple" content
// type: every POST without application/json is refused, and changes nothing.
func TestControlPostRequiresJSON(t *testing.T) {
	in := emulatortest.Start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		for _, path := range []string{"/reset", "/seed", "/faults"} {
			resp, data := call(t, in, "POST", "/_emulator"+path, "", strings.NewReader(`{"workspaces":[]}`), ct)
			wantError(t, resp.StatusCode, data, 415, "ERROR_CODE_INPUT_ERROR", "The control API takes only Content-Type: application/json.")
		}
	}
	if got := labels(in.Branches(t, 1)); got != "v1*,dev" {
		t.Fatalf("a refused control POST changed the state: %s", got)
	}
	if fs, err := in.Control.Faults(context.Background()); err != nil || len(fs) != 0 {
		t.Fatalf("faults %v %v", fs, err)
	}
	// With the header (and a charset), and from Control, which sends it: served.
	resp, data := call(t, in, "POST", "/_emulator/faults", "", strings.NewReader(`{"path":"/nothing"}`), "application/json; charset=utf-8")
	wantOK(t, resp.StatusCode, data)
	if err := in.Control.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := labels(in.Branches(t, 1)); got != "v1*" {
		t.Fatalf("after reset: %s", got)
	}
}

func TestSeedValidatesTables(t *testing.T) {
	in := emulatortest.Start(t, nil)
	seed := func(tables string) (*http.Response, []byte) {
		return call(t, in, "POST", "/_emulator/seed", "", strings.NewReader(`{"workspaces":[{"id":1,"tables":`+tables+`}]}`), "application/json")
	}
	for tables, msg := range map[string]string{
		`[{"name":"t","rows":-1}]`:           `Invalid fixture: workspace 1 table "t": rows is -1, want 0 or more`,
		`[{"name":"t","row_bytes":-1}]`:      `Invalid fixture: workspace 1 table "t": row_bytes is -1, want 0 (the default, 128) to 1048576 (1 MiB)`,
		`[{"name":"t","row_bytes":1048577}]`: `Invalid fixture: workspace 1 table "t": row_bytes is 1048577, want 0 (the default, 128) to 1048576 (1 MiB)`,
	} {
		resp, data := seed(tables)
		wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_INPUT_ERROR", msg)
	}
	if _, err := emulator.New(emulator.Options{Fixture: &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		Tables: []emulator.FixtureTable{{Name: "t", RowBytes: emulator.MaxFixtureRowBytes + 1}},
	}}}}); err == nil || !strings.Contains(err.Error(), "row_bytes") {
		t.Fatalf("New with too large rows: %v", err)
	}
	// 1 MiB rows are accepted, each alone in its page.
	resp, data := seed(`[{"name":"t","rows":3,"row_bytes":1048576}]`)
	wantOK(t, resp.StatusCode, data)
	pages := 0
	for name, body := range entries(t, in.Export(t, 1, "", true)) {
		if strings.HasPrefix(name, "content/") {
			pages++
			if len(body) < 1<<20 || len(body) > 1<<20+1024 {
				t.Fatalf("page %s of %d bytes", name, len(body))
			}
		}
	}
	if pages != 3 {
		t.Fatalf("%d pages for 3 rows of 1 MiB", pages)
	}
}

// A control body over 16 MiB is refused as too large, not truncated and parsed.
func TestControlBodyTooLarge(t *testing.T) {
	in := emulatortest.Start(t, nil)
	body := `{"workspaces":[],"padding":"` + strings.Repeat("p", 16<<20) + `"}`
	resp, data := call(t, in, "POST", "/_emulator/seed", "", strings.NewReader(body), "application/json")
	wantError(t, resp.StatusCode, data, 413, "ERROR_CODE_INPUT_ERROR", "The request body is too large (the control API takes up to 16 MiB).")
	if got := labels(in.Branches(t, 1)); got != "v1*" {
		t.Fatalf("branches %s", got)
	}
	// Just under the limit: parsed (and the unknown member ignored).
	body = `{"workspaces":[{"id":1,"name":"w"}],"padding":"` + strings.Repeat("p", 16<<20-100) + `"}`
	resp, data = call(t, in, "POST", "/_emulator/seed", "", strings.NewReader(body), "application/json")
	wantOK(t, resp.StatusCode, data)
}

func TestAdminToken(t *testing.T) {
	for in, want := range map[string]string{"": emulator.DevToken, "mine": "mine"} {
		srv, err := emulator.New(emulator.Options{AdminToken: in})
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.AdminToken(); got != want {
			t.Fatalf("AdminToken() = %q for %q", got, in)
		}
		srv.Close()
	}
	if _, err := emulator.New(emulator.Options{AdminToken: "a b"}); err == nil {
		t.Fatal("a token with a space was accepted")
	}
}
