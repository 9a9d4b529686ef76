package emulator

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// A plain archive is read as it arrives: its content pages are spooled while the upload is
// read, and a request that fails after the file part (here: too many parts) leaves no
// pending spool behind; the same archive then imports, and its pages are kept.
func TestWalkedUploadLeavesNoSpoolWhenTheRequestFails(t *testing.T) {
	s, err := New(Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	do := func(req *http.Request) *httptest.ResponseRecorder {
		t.Helper()
		req.Header.Set("Authorization", "Bearer "+DevToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	rec := do(httptest.NewRequest(http.MethodPost, "/api:meta/workspace/1/export", strings.NewReader(`{}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body.Bytes())
	}
	full := rec.Body.Bytes()
	importWith := func(extraParts int) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "w.tar.gz")
		_, _ = fw.Write(full)
		for i := range extraParts {
			_ = mw.WriteField("extra"+strconv.Itoa(i), "x")
		}
		_ = mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/api:meta/workspace/2/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return do(req)
	}
	pending := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.pending)
	}

	if rec := importWith(maxUploadParts); rec.Code != http.StatusBadRequest {
		t.Fatalf("an upload of too many parts: %d %s", rec.Code, rec.Body.Bytes())
	}
	if n := pending(); n != 0 {
		t.Fatalf("a failed upload left %d pending spool files", n)
	}
	if rec := importWith(0); rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body.Bytes())
	}
	if n := pending(); n != 0 {
		t.Fatalf("a committed import left %d pending spool files", n)
	}
	rec = do(httptest.NewRequest(http.MethodPost, "/api:meta/workspace/2/export", strings.NewReader(`{}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("export after import: %d %s", rec.Code, rec.Body.Bytes())
	}
	got, want := contentPages(t, rec.Body.Bytes()), contentPages(t, full)
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d content pages after the import, the archive had %d", len(got), len(want))
	}
	for name, body := range want {
		if got[name] != body {
			t.Fatalf("content page %s differs after the import", name)
		}
	}
}

// contentPages returns the content pages of an archive by name.
func contentPages(t *testing.T, data []byte) map[string]string {
	t.Helper()
	pages := map[string]string{}
	err := archive.Walk(bytes.NewReader(data), archive.Limits{}, func(e archive.Entry, body io.Reader) error {
		if !strings.HasPrefix(e.Name, "content/") {
			return nil
		}
		b, err := io.ReadAll(body)
		pages[e.Name] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}
