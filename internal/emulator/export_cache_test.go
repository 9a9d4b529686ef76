package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// kindFixture is workspace 1 with one table of rows generated rows of 1 KiB of the given kind.
func kindFixture(kind string, rows int64) *emulator.Fixture {
	return &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: 1, Name: "sized",
		Tables: []emulator.FixtureTable{{Name: "rows", Rows: rows, RowBytes: 1024, RowKind: kind}},
	}}}
}

// postExport does one full export of workspace 1 and returns the response (body read) and body.
func postExport(t *testing.T, in *emulatortest.Instance) (*http.Response, []byte) {
	t.Helper()
	resp, data := exportWith(t, in, 1, "export", map[string]any{})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", resp.StatusCode, data)
	}
	return resp, data
}

// Each row kind compresses as its doc says: the default is realistic (about 3.5:1), repetitive
// rows compress far more, random ones hardly at all.
func TestRowKindsCompressAsDocumented(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		min, max float64
	}{
		{"", 3, 5}, // the default: realistic
		{emulator.RowKindRealistic, 3, 5},
		{emulator.RowKindRepetitive, 15, 1000},
		{emulator.RowKindRandom, 1, 1.6},
	} {
		t.Run("kind="+tc.kind, func(t *testing.T) {
			in := emulatortest.Start(t, kindFixture(tc.kind, 4096))
			_, data := postExport(t, in)
			var rows int
			for name, body := range entries(t, data) {
				if strings.HasPrefix(name, "content/") {
					rows += len(body)
				}
			}
			ratio := float64(rows) / float64(len(data))
			if rows < 4000<<10 || ratio < tc.min || ratio > tc.max {
				t.Fatalf("%d bytes of pages in a %d-byte archive: %.2f:1, want %.1f to %.1f", rows, len(data), ratio, tc.min, tc.max)
			}
		})
	}
}

// Generated rows are a pure function of the table: two instances export the same content.
func TestRealisticRowsAreDeterministic(t *testing.T) {
	a := inspect(t, emulatortest.Start(t, kindFixture("", 700)).Export(t, 1, "", true))
	b := inspect(t, emulatortest.Start(t, kindFixture("", 700)).Export(t, 1, "", true))
	if a.ContentSHA256 == "" || a.ContentSHA256 != b.ContentSHA256 {
		t.Fatalf("content hashes %q and %q", a.ContentSHA256, b.ContentSHA256)
	}
}

func TestUnknownRowKindIsRefused(t *testing.T) {
	_, err := emulator.New(emulator.Options{Fixture: kindFixture("huge", 1)})
	if err == nil || !strings.Contains(err.Error(), `row_kind is "huge", want "realistic" (the default), "repetitive" or "random"`) {
		t.Fatalf("New: %v", err)
	}
}

// An export is built before it is sent: it has a Content-Length. Exporting an unchanged
// workspace again gives the same content in different bytes (the gzip header's time), as
// Xano's exports do; a change shows in the next export.
func TestExportIsBuiltFirstAndReusedWhileUnchanged(t *testing.T) {
	in := emulatortest.Start(t, kindFixture("", 600))
	r1, first := postExport(t, in)
	r2, second := postExport(t, in)
	for i, r := range []*http.Response{r1, r2} {
		body := [][]byte{first, second}[i]
		if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
			t.Fatalf("export %d: Content-Length %q for %d bytes", i+1, got, len(body))
		}
	}
	if bytes.Equal(first, second) {
		t.Fatal("two exports have the same bytes")
	}
	h1, h2 := inspect(t, first).ContentSHA256, inspect(t, second).ContentSHA256
	if h1 != h2 {
		t.Fatalf("content hashes of an unchanged workspace: %s then %s", h1, h2)
	}
	in.AddFunction(t, 1, "v1", "added_later", "return 1")
	_, third := postExport(t, in)
	if h3 := inspect(t, third).ContentSHA256; h3 == h1 {
		t.Fatal("the export after a change has the content of the one before it")
	}
	_, payload := bundlePayload(t, entries(t, third)["workspace.json"])
	if !strings.Contains(strings.Join(functionNames(t, payload), ","), "added_later") {
		t.Fatal("the export after a change does not hold the new function")
	}
}

// An encrypted export of a built archive still decrypts to the archive, and has no
// Content-Length (its size is only known once it is encrypted).
func TestEncryptedExportOfABuiltArchive(t *testing.T) {
	in := emulatortest.Start(t, kindFixture("", 300))
	postExport(t, in) // builds the archive
	resp, enc := exportWith(t, in, 1, "export", map[string]any{"password": "pw"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != "" {
		t.Fatalf("encrypted export: %d, Content-Length %q", resp.StatusCode, resp.Header.Get("Content-Length"))
	}
	if !inspect(t, enc).Encrypted {
		t.Fatal("the export with a password is not encrypted")
	}
}

// With ExportBytesPerSecond, the body takes at least its size over the rate (less the
// limiter's one burst of 64 KiB) from the moment the request is sent: a lower bound, which a
// slow machine cannot break.
func TestExportBytesPerSecondPacesTheBody(t *testing.T) {
	const rate = 2 << 20
	in := emulatortest.StartWith(t, emulator.Options{Fixture: kindFixture(emulator.RowKindRandom, 1024), ExportBytesPerSecond: rate})
	req, err := http.NewRequest(http.MethodPost, in.MetaURL()+"/workspace/1/export", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	// The clock starts before the request is sent: the server paces from its first byte,
	// and what it has pushed into the socket buffers before Do returns counts too.
	start := time.Now()
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	floor := time.Duration(float64(n-64<<10) / rate * float64(time.Second))
	if n < 512<<10 || elapsed < floor {
		t.Fatalf("%d bytes in %v at %d B/s: want at least %v", n, elapsed, rate, floor)
	}
}
