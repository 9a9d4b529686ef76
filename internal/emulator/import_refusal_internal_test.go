package emulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// pagesServer is an emulator with a state directory whose workspace 1 has a table of 16
// content pages (8 MiB of generated rows) and whose workspace 2 is empty, and the full export
// of workspace 1.
func pagesServer(t *testing.T) (*Server, []byte) {
	t.Helper()
	s, err := New(Options{StateDir: t.TempDir(), Fixture: &Fixture{Workspaces: []FixtureWorkspace{
		{ID: 1, Name: "big", Tables: []FixtureTable{{Name: "rows", Rows: 8 << 10, RowBytes: 1024}}},
		{ID: 2, Name: "target"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	rec := serveAs(s, httptest.NewRequest(http.MethodPost, "/api:meta/workspace/1/export", strings.NewReader(`{}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body.Bytes())
	}
	full := rec.Body.Bytes()
	if n := len(contentPages(t, full)); n < 12 {
		t.Fatalf("the export has %d content pages, the tests need at least 12", n)
	}
	return s, full
}

func serveAs(s *Server, req *http.Request) *httptest.ResponseRecorder {
	req.Header.Set("Authorization", "Bearer "+DevToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// multipartImport returns the body and content type of an import of archive.
func multipartImport(t *testing.T, data []byte) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "w.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return body.Bytes(), mw.FormDataContentType()
}

// assertNothingLeft fails when an import left a pending spool file, a spool file on disk, or
// a table in workspace 2.
func assertNothingLeft(t *testing.T, s *Server) {
	t.Helper()
	s.mu.Lock()
	pending, dir := len(s.pending), s.rowsDir
	s.mu.Unlock()
	if pending != 0 {
		t.Fatalf("%d pending spool files left", pending)
	}
	if dir != "" {
		left, _ := filepath.Glob(filepath.Join(dir, "*"+spoolSuffix))
		if len(left) != 0 {
			t.Fatalf("spool files left: %v", left)
		}
	}
	if ws := s.snapshot().workspace(2); ws == nil || len(ws.Tables) != 0 {
		t.Fatal("a refused import changed workspace 2")
	}
}

// assertImports imports data into workspace 2 and checks that an export gives its pages back.
func assertImports(t *testing.T, s *Server, data []byte) {
	t.Helper()
	body, ct := multipartImport(t, data)
	req := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/2/import", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if rec := serveAs(s, req); rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body.Bytes())
	}
	rec := serveAs(s, httptest.NewRequest(http.MethodPost, "/api:meta/workspace/2/export", strings.NewReader(`{}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("export after import: %d %s", rec.Code, rec.Body.Bytes())
	}
	got, want := contentPages(t, rec.Body.Bytes()), contentPages(t, data)
	if len(got) != len(want) {
		t.Fatalf("%d content pages after the import, the archive had %d", len(got), len(want))
	}
	for name, body := range want {
		if got[name] != body {
			t.Fatalf("content page %s differs after the import", name)
		}
	}
}

// A content page whose signature fails after several good ones (already written to the spool)
// refuses the whole import and leaves nothing behind: no pending or written spool file, no
// table. The same archive untampered then imports.
func TestImportRefusesABadPageAfterGoodOnes(t *testing.T) {
	s, full := pagesServer(t)
	const bad = 7 // the content page (in the archive's order) that is tampered
	seen := 0
	var out bytes.Buffer
	w := archive.NewWriter(&out, time.Unix(1_700_000_000, 0))
	err := archive.Walk(bytes.NewReader(full), archive.Limits{}, func(e archive.Entry, body io.Reader) error {
		data, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name, "content/") {
			if seen++; seen == bad {
				i := bytes.Index(data, []byte(`"id":`))
				if i < 0 {
					t.Fatalf("no id in %s", e.Name)
				}
				data = bytes.Clone(data)
				data[i+5] ^= 1 // another digit: the page stays valid JSON, its signature fails
			}
		}
		return w.AddFile(e.Name, int64(len(data)), bytes.NewReader(data))
	})
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if seen < bad+3 {
		t.Fatalf("only %d content pages", seen)
	}
	body, ct := multipartImport(t, out.Bytes())
	req := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/2/import", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	rec := serveAs(s, req)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Invalid workspace signature") {
		t.Fatalf("a tampered page after good ones: %d %s", rec.Code, rec.Body.Bytes())
	}
	assertNothingLeft(t, s)
	assertImports(t, s, full)
}

// cutReader gives the first n bytes of r, then cancels the request's context and fails, as
// the body of a client that goes away mid-upload does.
type cutReader struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

var errClientGone = errors.New("client disconnected")

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		return 0, errClientGone
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

// An upload cut short mid-way (the client gone, the request's context cancelled) while pages
// are being spooled leaves nothing behind, at every point of the archive tried; the full
// archive then imports.
func TestImportCutShortLeavesNothing(t *testing.T) {
	s, full := pagesServer(t)
	body, ct := multipartImport(t, full)
	for _, frac := range []int{25, 50, 90} {
		ctx, cancel := context.WithCancel(context.Background())
		cut := &cutReader{r: bytes.NewReader(body), n: len(body) * frac / 100, cancel: cancel}
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api:meta/workspace/2/import", cut)
		req.Header.Set("Content-Type", ct)
		rec := serveAs(s, req)
		cancel()
		if rec.Code == http.StatusOK {
			t.Fatalf("an upload cut at %d%% was accepted", frac)
		}
		assertNothingLeft(t, s)
	}
	assertImports(t, s, full)
}
