package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// writePagedArchive writes an export of a few signed row pages and returns its path and its
// content hash as archive.Inspect reads it from the file.
func writePagedArchive(t *testing.T) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := archive.NewWriter(&buf, time.Unix(1_700_000_000, 0))
	ws, err := archive.NewBundle("workspace", map[string]any{"dbo": []any{map[string]any{"guid": "g", "name": "rows"}}})
	if err == nil {
		err = w.AddJSON("workspace.json", ws)
	}
	for page := 1; err == nil && page <= 8; page++ {
		rows := make([]any, 0, 500)
		for i := range 500 {
			rows = append(rows, map[string]any{"id": page*1000 + i, "note": fmt.Sprintf("row %d of page %d", i, page)})
		}
		var b archive.Bundle
		if b, err = archive.NewBundle("content", rows); err == nil {
			err = w.AddJSON(fmt.Sprintf("content/g-%d.json", page), b)
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "export.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := inspectFile(p)
	if err != nil || info.ContentSHA256 == "" {
		t.Fatalf("inspecting the test archive: %+v, %v", info, err)
	}
	return p, info.ContentSHA256
}

// The content of an uploaded archive is what its last attempt read, inspected on the way; an
// attempt cut short before it, or a last attempt that did not reach the end, changes nothing:
// the hash is the file's.
func TestInspectingUpload(t *testing.T) {
	t.Parallel()
	p, want := writePagedArchive(t)
	ctx := context.Background()
	read := func(t *testing.T, u *inspectingUpload, n int64) {
		t.Helper()
		rc, err := u.source(ctx, "test upload", nil).Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if n < 0 {
			_, err = io.Copy(io.Discard, rc)
		} else {
			_, err = io.CopyN(io.Discard, rc, n)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, attempts := range map[string][]int64{
		"one attempt":             {-1},
		"a retry after a cut":     {1000, -1},
		"three attempts":          {10, 5000, -1},
		"the last one ends early": {-1, 2000},
		"only a part is read":     {100},
		"nothing of it is read":   {0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newInspectingUpload(context.Background(), importSource{path: p}, archive.Limits{}, "")
			defer u.close()
			for _, n := range attempts {
				read(t, u, n)
			}
			info, diags := u.inspected(ctx)
			if diags.HasError() || info.ContentSHA256 != want {
				t.Fatalf("content %q (%v), want %q", info.ContentSHA256, diags, want)
			}
		})
	}
	// An upload that failed: close stops the inspection still waiting for bytes.
	u := newInspectingUpload(context.Background(), importSource{path: p}, archive.Limits{}, "")
	read(t, u, 4096)
	done := make(chan struct{})
	go func() { u.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not stop the inspection")
	}
}

// An archive past the inspection limits is still imported: the content hash is unknown and a
// warning names the limit.
func TestInspectingUploadPastALimit(t *testing.T) {
	t.Parallel()
	p, _ := writePagedArchive(t)
	u := newInspectingUpload(context.Background(), importSource{path: p}, archive.Limits{MaxTotalBytes: 4096}, "")
	defer u.close()
	rc, err := u.source(context.Background(), "test upload", nil).Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	info, diags := u.inspected(context.Background())
	if diags.HasError() || diags.WarningsCount() != 1 || info.ContentSHA256 != "" {
		t.Fatalf("info %+v, diags %v", info, diags)
	}
	if got := diags.Warnings()[0].Detail(); !bytes.Contains([]byte(got), []byte("MaxTotalBytes")) || !bytes.Contains([]byte(got), []byte("was imported")) {
		t.Fatalf("warning %q", got)
	}
}
