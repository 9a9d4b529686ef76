package emulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// filler yields n bytes of junk without holding them.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), f.n)]
	for i := range p {
		p[i] = 'x'
	}
	f.n -= int64(len(p))
	return len(p), nil
}

// countingReader counts what is read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// streamedUpload is a multipart body with the fields first, then a file of size junk bytes,
// generated as it is read.
func streamedUpload(fields map[string]string, size int64) (io.Reader, string, int64) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_, _ = mw.CreateFormFile("file", "big.tar.gz")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	total := int64(head.Len()) + size + int64(len(tail))
	return io.MultiReader(&head, &filler{size}, strings.NewReader(tail)), mw.FormDataContentType(), total
}

// rawPost sends a POST on a fresh TCP connection, writing the body in the background while it
// reads the answer, as a client still sending its upload would; size < 0 sends it chunked.
// It returns the answer and how many body bytes were written before the end or the close.
func rawPost(t *testing.T, in *emulatortest.Instance, path, contentType string, body io.Reader, size int64) (*http.Response, []byte, int64) {
	t.Helper()
	u, err := url.Parse(in.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cr := &countingReader{r: body}
	req, err := http.NewRequest(http.MethodPost, in.URL+"/api:meta"+path, io.NopCloser(cr))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	if size < 0 {
		req.TransferEncoding = []string{"chunked"}
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	req.Header.Set("Content-Type", contentType)
	written := make(chan struct{})
	go func() {
		defer close(written)
		_ = req.Write(conn) // fails once the server closes the connection
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("POST %s: no answer: %v", path, err)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", path, err)
	}
	conn.Close()
	<-written
	return resp, data, cr.n
}

func TestUploadLargerThanMaxUploadBytes(t *testing.T) {
	const limit = 1 << 20
	in := emulatortest.StartWith(t, emulator.Options{Fixture: emulator.DemoFixture(), MaxUploadBytes: limit})
	before := labels(in.Branches(t, 2))
	// Small enough: imported.
	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "small"}, "s.tar.gz", in.Export(t, 1, "", false), false)
	wantOK(t, status, data)
	for _, route := range []string{"import-schema", "import"} {
		fields := map[string]string{"newbranch": "big"}
		// Declared too large: refused before any byte of the body is read.
		body, ct, size := streamedUpload(fields, 2*limit)
		resp, data, _ := rawPost(t, in, "/workspace/2/"+route, ct, body, size)
		wantError(t, resp.StatusCode, data, 413, "ERROR_CODE_INPUT_ERROR", "The upload is too large.")
		if !resp.Close {
			t.Fatalf("%s: the connection stays open after a 413", route)
		}
		// Chunked, so found too large while reading.
		body, ct, _ = streamedUpload(fields, 2*limit)
		resp, data, _ = rawPost(t, in, "/workspace/2/"+route, ct, body, -1)
		wantError(t, resp.StatusCode, data, 413, "ERROR_CODE_INPUT_ERROR", "The upload is too large.")
	}
	if got := labels(in.Branches(t, 2)); got != before+",small" {
		t.Fatalf("branches %s", got)
	}
	if _, err := emulator.New(emulator.Options{MaxUploadBytes: -1}); err == nil {
		t.Fatal("a negative MaxUploadBytes was accepted")
	}
}

// An upload refused on its fields is read on (and thrown away) for at most 64 MiB, then the
// connection is closed: a client cannot keep the server reading.
func TestEarlyRefusalDrainIsBounded(t *testing.T) {
	in := emulatortest.Start(t, nil)
	in.CreateBranch(t, 2, "taken", "")
	body, ct, _ := streamedUpload(map[string]string{"newbranch": "taken"}, 512<<20)
	resp, data, written := rawPost(t, in, "/workspace/2/import-schema", ct, body, -1)
	wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	if !resp.Close {
		t.Fatal("the connection stays open after a drain cut short")
	}
	// 64 MiB drained, plus what the socket buffers of both ends hold.
	t.Logf("the client wrote %.1f MiB before the close", float64(written)/(1<<20))
	if written < 63<<20 || written > 96<<20 {
		t.Fatalf("the client wrote %d MiB of its 512 MiB upload", written>>20)
	}
}

func TestUploadPartAndFieldLimits(t *testing.T) {
	in := emulatortest.Start(t, nil)
	schema := in.Export(t, 1, "", false)
	fields := func(n int, size int) map[string]string {
		f := map[string]string{"newbranch": fmt.Sprintf("b%d-%d", n, size)}
		for i := 0; i < n; i++ {
			f[fmt.Sprintf("unknown%d", i)] = strings.Repeat("u", size)
		}
		return f
	}
	// Unknown fields are accepted (and ignored) within the bounds: 32 parts, 64 KiB of fields.
	status, data := upload(t, in, "/workspace/2/import-schema", fields(30, 2000), "s.tar.gz", schema, false)
	wantOK(t, status, data)
	status, data = upload(t, in, "/workspace/2/import-schema", fields(31, 10), "s.tar.gz", schema, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The multipart body has more than 32 parts.")
	status, data = upload(t, in, "/workspace/2/import-schema", fields(1, 65<<10), "s.tar.gz", schema, true)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The fields of the upload are larger than 64 KiB.")
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x", "password": strings.Repeat("p", 65<<10)}, "s.tar.gz", schema, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The fields of the upload are larger than 64 KiB.")
	// A second file part counts as a field.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("newbranch", "two-files")
	for _, file := range [][]byte{schema, make([]byte, 65<<10)} {
		fw, _ := mw.CreateFormFile("file", "s.tar.gz")
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	resp, data := call(t, in, "POST", "/api:meta/workspace/2/import-schema", in.Token, &buf, mw.FormDataContentType())
	wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_INPUT_ERROR", "The fields of the upload are larger than 64 KiB.")
	if got := labels(in.Branches(t, 2)); got != "v1*,b30-2000" {
		t.Fatalf("branches %s", got)
	}
}

func TestJSONBodyLimit(t *testing.T) {
	in := emulatortest.Start(t, nil)
	pad := func(n int) string { return strings.Repeat("d", n) }
	// Within 1 MiB: served.
	status, data := in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "ok", "description": pad(1<<20 - 100)})
	wantOK(t, status, data)
	// Over it, as JSON, a form or multipart: 413.
	status, data = in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "big", "description": pad(1 << 20)})
	wantError(t, status, data, 413, "ERROR_CODE_INPUT_ERROR", "The request body is too large.")
	resp, data := call(t, in, "POST", "/api:meta/workspace/1/branch", in.Token, strings.NewReader("label=big&description="+pad(1<<20)), "application/x-www-form-urlencoded")
	wantError(t, resp.StatusCode, data, 413, "ERROR_CODE_INPUT_ERROR", "The request body is too large.")
	body, ct := multipartBody(t, map[string]string{"label": "big", "description": pad(1 << 20)}, "", nil, false)
	resp, data = call(t, in, "POST", "/api:meta/workspace/1/branch", in.Token, body, ct)
	wantError(t, resp.StatusCode, data, 413, "ERROR_CODE_INPUT_ERROR", "The request body is too large.")
	status, data = in.Do(t, "POST", "/workspace/1/export", map[string]any{"branch": pad(1 << 20)})
	wantError(t, status, data, 413, "ERROR_CODE_INPUT_ERROR", "The request body is too large.")
	if got := labels(in.Branches(t, 1)); got != "v1*,ok" {
		t.Fatalf("branches %s", got)
	}
}

// A content page is read only up to 16 MiB (Xano's are ~512 KB); rows are counted as imported.
func TestImportContentPageLimit(t *testing.T) {
	in := emulatortest.Start(t, nil)
	b, err := archive.NewBundle("workspace", map[string]any{
		"dbo": []any{map[string]any{"guid": "g", "name": "t"}}, "function": []any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(b)
	big := `{"payload":["` + strings.Repeat("r", 16<<20) + `"]}`
	src := tarOf(t, [2]string{"workspace.json", string(raw)}, [2]string{"content/g-1.json", big})
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", src, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "A content page of the archive is larger than 16 MiB.")

	// A real export: the row counts are those of the source.
	status, data = upload(t, in, "/workspace/2/import", nil, "w.tar.gz", in.Export(t, 1, "", true), false)
	wantOK(t, status, data)
	status, data = in.Do(t, "GET", "/workspace/2/table", nil)
	wantOK(t, status, data)
	var tables []struct {
		Name string `json:"name"`
		Rows int64  `json:"rows"`
	}
	decodeJSON(t, data, &tables)
	got := map[string]int64{}
	for _, tb := range tables {
		got[tb.Name] = tb.Rows
	}
	if len(got) != 2 || got["user"] != 50 || got["order"] != 200 {
		t.Fatalf("imported row counts %v", got)
	}
}
