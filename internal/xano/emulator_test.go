package xano_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// These tests run the client over HTTP against the real emulator.

const (
	readOnlyToken = "ro-token-for-tests"
	boundToken    = "ws2-bound-token-for-tests"
)

func fixture() *emulator.Fixture {
	fx := emulator.DemoFixture()
	fx.Tokens = []emulator.FixtureToken{
		{Token: readOnlyToken, Scopes: []string{"read"}},
		{Token: boundToken, Scopes: []string{"read", "write"}, WorkspaceID: 2},
	}
	return fx
}

func client(t *testing.T, in *emulatortest.Instance, token string, mod func(*xano.Config)) *xano.Client {
	t.Helper()
	cfg := xano.Config{
		BaseURL:      in.URL,
		Token:        token,
		HTTPClient:   in.HTTP.Client(),
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 10 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := xano.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// attempts counts the emulator's log entries for method and path.
func attempts(t *testing.T, in *emulatortest.Instance, method, path string) int {
	t.Helper()
	recs, err := in.Control.Requests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func addFault(t *testing.T, in *emulatortest.Instance, f emulator.Fault) {
	t.Helper()
	if err := in.Control.AddFault(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func TestEmulatorEndpoints(t *testing.T) {
	in := emulatortest.Start(t, fixture())
	c := client(t, in, in.Token, nil)
	ctx := context.Background()

	if got := c.BaseURL(); got != in.MetaURL() {
		t.Errorf("BaseURL %q, want %q", got, in.MetaURL())
	}
	me, err := c.Me(ctx)
	if err != nil || me.ID == 0 || me.Email == "" {
		t.Fatalf("Me: %+v %v", me, err)
	}
	wss, err := c.ListWorkspaces(ctx)
	if err != nil || len(wss) != 2 || wss[0].Name != "staging" || wss[1].Name != "production" || wss[0].Branch != "v1" {
		t.Fatalf("ListWorkspaces: %+v %v", wss, err)
	}
	ws, err := c.GetWorkspace(ctx, 1)
	if err != nil || ws.ID != 1 || ws.Name != "staging" || ws.Branch != "v1" {
		t.Fatalf("GetWorkspace: %+v %v", ws, err)
	}
	brs, err := c.ListBranches(ctx, 1)
	if err != nil || len(brs) != 1 || brs[0].Label != "v1" || !brs[0].Live {
		t.Fatalf("ListBranches: %+v %v", brs, err)
	}

	// Branch lifecycle, with a label that needs escaping.
	label := "feat/a b"
	br, err := c.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: label, Description: "d", Color: "#ebc346"})
	if err != nil || br.Label != label || br.Live || br.CreatedAt == "" {
		t.Fatalf("CreateBranch: %+v %v", br, err)
	}
	br, err = c.GetBranch(ctx, 1, label)
	if err != nil || br.Label != label {
		t.Fatalf("GetBranch(%q): %+v %v", label, br, err)
	}
	desc, renamed := "changed", "feat-2"
	br, err = c.UpdateBranch(ctx, 1, label, xano.UpdateBranchInput{Label: &renamed, Description: &desc})
	if err != nil || br.Label != renamed {
		t.Fatalf("UpdateBranch: %+v %v", br, err)
	}
	if _, err := c.GetBranch(ctx, 1, label); !xano.IsNotFound(err) {
		t.Errorf("GetBranch(old label) after rename: want 404, got %v", err)
	}
	br, err = c.SetLiveBranch(ctx, 1, renamed)
	if err != nil || !br.Live || br.Label != renamed {
		t.Fatalf("SetLiveBranch: %+v %v", br, err)
	}
	if ws, _ := c.GetWorkspace(ctx, 1); ws.Branch != renamed {
		t.Errorf("live branch after SetLiveBranch: %q", ws.Branch)
	}
	if err := c.DeleteBranch(ctx, 1, renamed); !xano.IsInputError(err) {
		t.Errorf("deleting the live branch: want 400, got %v", err)
	}
	if _, err := c.SetLiveBranch(ctx, 1, "v1"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBranch(ctx, 1, renamed); err != nil {
		t.Fatalf("DeleteBranch: %v", err)
	}
	if err := c.DeleteBranch(ctx, 1, "v1"); !xano.IsInputError(err) {
		t.Errorf("deleting v1: want 400, got %v", err)
	}

	// Exports.
	var schema bytes.Buffer
	n, err := c.ExportSchema(ctx, 1, xano.ExportOptions{}, &schema)
	if err != nil || n != int64(schema.Len()) || n == 0 || !bytes.HasPrefix(schema.Bytes(), []byte{0x1f, 0x8b}) {
		t.Fatalf("ExportSchema: %d bytes, %v", n, err)
	}
	var full bytes.Buffer
	records := true
	n, err = c.Export(ctx, 1, xano.ExportOptions{Branch: "v1", Records: &records}, &full)
	if err != nil || n != int64(full.Len()) || full.Len() <= schema.Len() {
		t.Fatalf("Export: %d bytes (schema %d), %v", n, schema.Len(), err)
	}
	var enc bytes.Buffer
	if _, err := c.ExportSchema(ctx, 1, xano.ExportOptions{Password: "s3cret"}, &enc); err != nil || bytes.HasPrefix(enc.Bytes(), []byte{0x1f, 0x8b}) {
		t.Fatalf("encrypted ExportSchema: %v (gzip magic: %v)", err, bytes.HasPrefix(enc.Bytes(), []byte{0x1f, 0x8b}))
	}

	// Imports.
	err = c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("schema.tar.gz", schema.Bytes()), NewBranch: "promoted", SetLive: true})
	if err != nil {
		t.Fatalf("ImportSchema: %v", err)
	}
	if ws, _ := c.GetWorkspace(ctx, 2); ws.Branch != "promoted" {
		t.Errorf("ImportSchema with SetLive: live branch %q", ws.Branch)
	}
	err = c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("schema.enc.gz", enc.Bytes()), NewBranch: "enc", Password: "wrong"})
	if !xano.IsInputError(err) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("ImportSchema with a wrong password: want a 400 without the password, got %v", err)
	}
	err = c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("schema.enc.gz", enc.Bytes()), NewBranch: "enc", Password: "s3cret"})
	if err != nil {
		t.Errorf("ImportSchema with the password: %v", err)
	}
	sized := bytesSource("full.tar.gz", full.Bytes())
	sized.Size = int64(full.Len())
	res, err := c.Import(ctx, 2, xano.ImportInput{File: sized})
	if err != nil || res.ID != 2 {
		t.Fatalf("Import: %+v %v", res, err)
	}
	brs, err = c.ListBranches(ctx, 2)
	if err != nil || len(brs) != 1 || brs[0].Label != "v1" || !brs[0].Live {
		t.Errorf("branches after a full import: %+v %v", brs, err)
	}
	if _, err := c.Import(ctx, 2, xano.ImportInput{File: bytesSource("junk.tar.gz", []byte("not an archive"))}); !xano.IsInputError(err) {
		t.Errorf("Import of junk: want 400, got %v", err)
	}
}

func bytesSource(name string, data []byte) xano.ArchiveSource {
	return xano.ArchiveSource{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

func TestEmulatorErrors(t *testing.T) {
	in := emulatortest.Start(t, fixture())
	ctx := context.Background()
	c := client(t, in, in.Token, nil)

	if _, err := c.GetWorkspace(ctx, 999); !xano.IsNotFound(err) {
		t.Errorf("unknown workspace: want 404, got %v", err)
	}
	if _, err := c.GetBranch(ctx, 1, "nope"); !xano.IsNotFound(err) {
		t.Errorf("unknown branch: want 404, got %v", err)
	}
	if _, err := c.ListBranches(ctx, 999); !xano.IsNotFound(err) {
		t.Errorf("branches of an unknown workspace: want 404, got %v", err)
	}
	if _, err := c.Export(ctx, 1, xano.ExportOptions{Branch: "nope"}, io.Discard); err == nil || (!xano.IsNotFound(err) && !xano.IsInputError(err)) {
		t.Errorf("export of an unknown branch: want 404 or 400, got %v", err)
	}
	if _, err := c.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: "dup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: "dup"}); !xano.IsInputError(err) {
		t.Errorf("duplicate branch: want 400, got %v", err)
	}
	if attempts(t, in, http.MethodPost, "/workspace/1/branch") != 2 {
		t.Errorf("a refused create was retried")
	}

	bad := client(t, in, "not-a-token", nil)
	_, err := bad.Me(ctx)
	if !xano.IsUnauthorized(err) || strings.Contains(err.Error(), "not-a-token") {
		t.Errorf("bad token: want 401 without the token, got %v", err)
	}

	ro := client(t, in, readOnlyToken, nil)
	if _, err := ro.ListBranches(ctx, 1); err != nil {
		t.Errorf("read-only token reading: %v", err)
	}
	if _, err := ro.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: "x"}); !xano.IsAccessDenied(err) {
		t.Errorf("read-only token writing: want 403, got %v", err)
	}
	bound := client(t, in, boundToken, nil)
	if _, err := bound.GetWorkspace(ctx, 1); !xano.IsAccessDenied(err) {
		t.Errorf("token bound to workspace 2 on workspace 1: want 403, got %v", err)
	}
	if _, err := bound.GetWorkspace(ctx, 2); err != nil {
		t.Errorf("token bound to workspace 2 on workspace 2: %v", err)
	}
}

func TestEmulatorFaults(t *testing.T) {
	in := emulatortest.Start(t, fixture())
	ctx := context.Background()
	c := client(t, in, in.Token, nil)
	reset := func() {
		t.Helper()
		if err := in.Control.ClearFaults(ctx); err != nil {
			t.Fatal(err)
		}
		if err := in.Control.ClearRequests(ctx); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("429 Retry-After honoured", func(t *testing.T) {
		reset()
		addFault(t, in, emulator.Fault{Method: "GET", Path: "/workspace", Status: 429, RetryAfter: "1", Count: 1})
		start := time.Now()
		if _, err := c.ListWorkspaces(ctx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("retried after %s, before the server's Retry-After: 1", d)
		}
		if n := attempts(t, in, "GET", "/workspace"); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
	t.Run("429 outlasting the retries", func(t *testing.T) {
		reset()
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/branch", Status: 429, Code: "ERROR_CODE_TOO_MANY_REQUESTS", RetryAfter: "0", Count: 10})
		c := client(t, in, in.Token, func(cfg *xano.Config) { cfg.MaxRetries = 2 })
		_, err := c.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: "rl"})
		var e *xano.APIError
		if !xano.IsRateLimited(err) || !errors.As(err, &e) || e.Attempts != 3 || e.Code != "ERROR_CODE_TOO_MANY_REQUESTS" {
			t.Errorf("want a 429 after 3 attempts, got %v", err)
		}
		if n := attempts(t, in, "POST", "/workspace/1/branch"); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("429 on import re-sends the archive", func(t *testing.T) {
		reset()
		var schema bytes.Buffer
		if _, err := c.ExportSchema(ctx, 1, xano.ExportOptions{}, &schema); err != nil {
			t.Fatal(err)
		}
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/2/import-schema", Status: 429, RetryAfter: "0", Count: 1})
		if err := c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("s.tar.gz", schema.Bytes()), NewBranch: "after-429"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetBranch(ctx, 2, "after-429"); err != nil {
			t.Errorf("the imported branch: %v", err)
		}
	})
	t.Run("503 retried on export, not on create", func(t *testing.T) {
		reset()
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/export-schema", Status: 503, Count: 2})
		if _, err := c.ExportSchema(ctx, 1, xano.ExportOptions{}, io.Discard); err != nil {
			t.Errorf("export after two 503s: %v", err)
		}
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/branch", Status: 503, Count: 1})
		if _, err := c.CreateBranch(ctx, 1, xano.CreateBranchInput{Label: "x503"}); !xano.IsServerError(err) {
			t.Errorf("create after a 503: want the 503, got %v", err)
		}
		if n := attempts(t, in, "POST", "/workspace/1/branch"); n != 1 {
			t.Errorf("create: %d attempts, want 1", n)
		}
	})
	t.Run("connection cut before the answer", func(t *testing.T) {
		reset()
		zero := int64(0)
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/export", CutAfterBytes: &zero, Count: 1})
		var out bytes.Buffer
		if _, err := c.Export(ctx, 1, xano.ExportOptions{}, &out); err != nil || out.Len() == 0 {
			t.Errorf("export after a cut before the answer: %v", err)
		}
		addFault(t, in, emulator.Fault{Method: "DELETE", Path: "/workspace/1/branch/dup*", CutAfterBytes: &zero, Count: 1})
		if err := c.DeleteBranch(ctx, 1, "dup-none"); err == nil {
			t.Errorf("delete after a cut: want an error (not retried)")
		}
	})
	t.Run("connection cut mid-export", func(t *testing.T) {
		reset()
		var clean bytes.Buffer
		if _, err := c.Export(ctx, 1, xano.ExportOptions{}, &clean); err != nil {
			t.Fatal(err)
		}
		cut := int64(clean.Len() / 2)
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/export", CutAfterBytes: &cut, Count: 1})
		var plain bytes.Buffer
		n, err := c.Export(ctx, 1, xano.ExportOptions{}, &plain)
		if !xano.IsTruncated(err) || n != cut || int64(plain.Len()) != cut {
			t.Errorf("cut export into a plain writer: %d bytes, %v", n, err)
		}
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/1/export", CutAfterBytes: &cut, Count: 1})
		out := &resettable{}
		n, err = c.Export(ctx, 1, xano.ExportOptions{}, out)
		if err != nil || out.resets != 1 || n != int64(out.Len()) {
			t.Fatalf("cut export into a Resetter: %d bytes (clean %d), %d resets, %v", n, clean.Len(), out.resets, err)
		}
		// Two exports may differ in a few bytes (timestamps); the retried one must be whole.
		zr, err := gzip.NewReader(bytes.NewReader(out.Bytes()))
		if err == nil {
			_, err = io.Copy(io.Discard, zr)
		}
		if err != nil {
			t.Errorf("the retried export is not a whole gzip stream: %v", err)
		}
	})
}

type resettable struct {
	bytes.Buffer
	resets int
}

func (r *resettable) Reset() error { r.Buffer.Reset(); r.resets++; return nil }

func ptr[T any](v T) *T { return &v }

// settledAttempts is attempts once the emulator has logged at least one matching request: it
// logs a request when its handler returns, which may be after the client saw the connection
// close. It then waits a little longer, so that a retry would show too.
func settledAttempts(t *testing.T, in *emulatortest.Instance, method, path string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for attempts(t, in, method, path) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return attempts(t, in, method, path)
}

// TestEmulatorImportsNotRetried: an import is never sent twice after the server may have acted
// on it, because it would then be applied twice.
func TestEmulatorImportsNotRetried(t *testing.T) {
	in := emulatortest.Start(t, fixture())
	ctx := context.Background()
	c := client(t, in, in.Token, nil)
	reset := func() {
		t.Helper()
		if err := in.Control.ClearFaults(ctx); err != nil {
			t.Fatal(err)
		}
		if err := in.Control.ClearRequests(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var schema, full bytes.Buffer
	if _, err := c.ExportSchema(ctx, 1, xano.ExportOptions{}, &schema); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Export(ctx, 1, xano.ExportOptions{}, &full); err != nil {
		t.Fatal(err)
	}
	labels := func(ws int64) string {
		t.Helper()
		brs, err := c.ListBranches(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		var ls []string
		for _, b := range brs {
			ls = append(ls, b.Label)
		}
		return strings.Join(ls, ",")
	}

	// The emulator serves a request under a CutAfterBytes: 0 fault and then closes the
	// connection before writing any of the answer: the import IS applied server-side though the
	// client never hears back. That is exactly why the client must not retry it: a second
	// import-schema would fail on (or duplicate) the branch, a second import would apply the
	// archive again.
	t.Run("import-schema, connection dropped before the answer", func(t *testing.T) {
		reset()
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/2/import-schema", CutAfterBytes: ptr[int64](0)})
		err := c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("s.tar.gz", schema.Bytes()), NewBranch: "cut-schema"})
		var apiErr *xano.APIError
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("want a connection error, got %v", err)
		}
		if n := settledAttempts(t, in, "POST", "/workspace/2/import-schema"); n != 1 {
			t.Errorf("%d requests in the emulator's log, want 1 (not retried)", n)
		}
		// Applied server-side despite the error.
		if _, err := c.GetBranch(ctx, 2, "cut-schema"); err != nil {
			t.Errorf("the import-schema the client saw fail was applied: want its branch, got %v", err)
		}
	})
	t.Run("import, connection dropped before the answer", func(t *testing.T) {
		reset()
		if _, err := c.CreateBranch(ctx, 2, xano.CreateBranchInput{Label: "before-import"}); err != nil {
			t.Fatal(err)
		}
		addFault(t, in, emulator.Fault{Path: "/workspace/2/import", CutAfterBytes: ptr[int64](0)})
		sized := bytesSource("full.tar.gz", full.Bytes())
		sized.Size = int64(full.Len())
		_, err := c.Import(ctx, 2, xano.ImportInput{File: sized})
		var apiErr *xano.APIError
		if err == nil || errors.As(err, &apiErr) {
			t.Fatalf("want a connection error, got %v", err)
		}
		if n := settledAttempts(t, in, "POST", "/workspace/2/import"); n != 1 {
			t.Errorf("%d requests in the emulator's log, want 1 (not retried)", n)
		}
		// Applied server-side despite the error: the full import replaced the branches.
		if got := labels(2); got != "v1" {
			t.Errorf("branches after the import the client saw fail: %s, want v1 (the import was applied)", got)
		}
	})
	t.Run("503 on import and import-schema", func(t *testing.T) {
		reset()
		if _, err := c.CreateBranch(ctx, 2, xano.CreateBranchInput{Label: "kept"}); err != nil {
			t.Fatal(err)
		}
		before := labels(2)
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/2/import", Status: 503, Count: 5})
		addFault(t, in, emulator.Fault{Method: "POST", Path: "/workspace/2/import-schema", Status: 503, Count: 5})
		_, err := c.Import(ctx, 2, xano.ImportInput{File: bytesSource("full.tar.gz", full.Bytes())})
		var e *xano.APIError
		if !xano.IsServerError(err) || !errors.As(err, &e) || e.StatusCode != 503 || e.Attempts != 1 {
			t.Errorf("import: want the 503 after one attempt, got %v", err)
		}
		err = c.ImportSchema(ctx, 2, xano.ImportSchemaInput{File: bytesSource("s.tar.gz", schema.Bytes()), NewBranch: "x503"})
		if !xano.IsServerError(err) || !errors.As(err, &e) || e.StatusCode != 503 || e.Attempts != 1 {
			t.Errorf("import-schema: want the 503 after one attempt, got %v", err)
		}
		if n := attempts(t, in, "POST", "/workspace/2/import"); n != 1 {
			t.Errorf("import: %d requests, want 1", n)
		}
		if n := attempts(t, in, "POST", "/workspace/2/import-schema"); n != 1 {
			t.Errorf("import-schema: %d requests, want 1", n)
		}
		if got := labels(2); got != before {
			t.Errorf("branches %s after refused imports, want %s", got, before)
		}
	})
}

// TestEmulatorRetryAfterHTTPDate: a 429 whose Retry-After is an HTTP date is retried no sooner
// than that date.
func TestEmulatorRetryAfterHTTPDate(t *testing.T) {
	in := emulatortest.Start(t, fixture())
	ctx := context.Background()
	c := client(t, in, in.Token, nil) // backoff of 1-10 ms: only the date can make it wait
	// HTTP dates have a resolution of one second: this one is 0.5 to 1.5 s ahead.
	date := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second)
	addFault(t, in, emulator.Fault{Method: "GET", Path: "/workspace", Status: 429, RetryAfter: date.UTC().Format(http.TimeFormat), Count: 1})
	start := time.Now()
	if _, err := c.ListWorkspaces(ctx); err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	if end.Before(date) {
		t.Errorf("retried %s before the server's Retry-After date", date.Sub(end))
	}
	if d := end.Sub(start); d > date.Sub(start)+15*time.Second {
		t.Errorf("took %s, want about %s", d, date.Sub(start))
	}
	if n := attempts(t, in, "GET", "/workspace"); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}
