package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

func TestObjectsValueRoundTrip(t *testing.T) {
	ctx := context.Background()
	if v := objectsValue(nil); !v.IsNull() {
		t.Errorf("objectsValue(nil) = %v, want null", v)
	}
	in := map[string]string{"function/a": "1", "endpoint/public/GET users": "2"}
	v := objectsValue(in)
	got := objectsFromValue(ctx, v)
	if len(got) != 2 || got["function/a"] != "1" || got["endpoint/public/GET users"] != "2" {
		t.Errorf("round trip: %v", got)
	}
	if objectsFromValue(ctx, types.MapUnknown(types.StringType)) != nil {
		t.Error("an unknown map must read as no inventory")
	}
	if r := (exportResult{Info: archive.Info{Encrypted: true, Objects: in}}); !r.objects().IsNull() {
		t.Error("an encrypted export must have null objects")
	}
}

func TestDriftChanges(t *testing.T) {
	ctx := context.Background()
	base := map[string]string{"function/a": "1", "task/t": "2"}
	now := objectsValue(map[string]string{"function/a": "9", "function/hotfix": "3"})
	got := driftChanges(ctx, baselineData{ContentSHA256: "x", Objects: base}, now, nil)
	want := "Changes since the import:\n  added function/hotfix\n  changed function/a\n  removed task/t"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := driftChanges(ctx, baselineData{ContentSHA256: "x"}, now, nil); !strings.Contains(got, "not known") {
		t.Errorf("without a recorded inventory: %q", got)
	}
	if got := driftChanges(ctx, baselineData{ContentSHA256: "x", Objects: base}, objectsValue(base), nil); !strings.Contains(got, "No function, API, task") {
		t.Errorf("same objects: %q", got)
	}
	// Long lists stop at maxObjectLines, the last saying how many more.
	many := map[string]string{}
	for i := range 30 {
		many[fmt.Sprintf("function/f%02d", i)] = "1"
	}
	lines := strings.Split(driftChanges(ctx, baselineData{ContentSHA256: "x", Objects: map[string]string{}}, objectsValue(many), nil), "\n")
	if len(lines) != 1+maxObjectLines || lines[len(lines)-1] != "  and 11 more" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestArchiveReadProblem(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.tar.gz")
	_, err := readBranchInventory(context.Background(), importSource{path: missing}, archive.Limits{})
	if got := archiveReadProblem(missing, err); !strings.Contains(got, "does not exist") {
		t.Errorf("missing: %q", got)
	}
	page := filepath.Join(dir, "page.tar.gz")
	if err := os.WriteFile(page, []byte("<html>502 Bad Gateway</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = readBranchInventory(context.Background(), importSource{path: page}, archive.Limits{})
	if !errors.Is(err, archive.ErrNotArchive) {
		t.Fatalf("page: %v", err)
	}
	if got := archiveReadProblem(page, err); !strings.Contains(got, "is not a Xano export archive") {
		t.Errorf("page: %q", got)
	}
	if got := archiveReadProblem("x", archive.ErrEncrypted); !strings.Contains(got, "is encrypted") {
		t.Errorf("encrypted: %q", got)
	}
}
