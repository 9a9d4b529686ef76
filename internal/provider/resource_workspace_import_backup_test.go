package provider

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The set is all or nothing: when the export of a later branch fails, the archives already
// written are removed and no manifest is written, and an existing set is left as it was.
func TestBackUpBeforeImport_incompleteSetLeavesNothing(t *testing.T) {
	t.Parallel()
	inst := startEmulator(t, nil)
	inst.CreateBranch(t, 2, "hotfix", "")
	client, err := xano.New(xano.Config{BaseURL: inst.URL, Token: inst.Token, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "set")
	store := folderStore{dir: dir, modes: fileModes{}.orDefault()}
	branches, diags := importBranches(ctx, client, 2, types.ListNull(types.StringType))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got := branchLabels(branches); strings.Join(got, ",") != "v1,hotfix" {
		t.Fatalf("branches %q, want v1 then hotfix", got)
	}

	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/2/export-schema", Status: http.StatusInternalServerError, Count: 10})
	_, diags = backUpBeforeImport(ctx, client, store, 2, archive.Limits{}, branches, "")
	if !diags.HasError() {
		t.Fatal("the backup succeeded although the export of hotfix failed")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("an incomplete set left %d files in %s (%s...)", len(entries), dir, entries[0].Name())
	}

	// Once the exports work, the set is complete; a failure then leaves that set as it was.
	if err := inst.Control.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	res, diags := backUpBeforeImport(ctx, client, store, 2, archive.Limits{}, branches, "")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if err := expectBackupSet(t, dir, "v1", "hotfix"); err != nil {
		t.Fatal(err)
	}
	before := readFolder(t, dir)
	addFault(t, inst, emulator.Fault{Method: http.MethodPost, Path: "/workspace/2/export-schema", Status: http.StatusInternalServerError, Count: 10})
	if _, diags := backUpBeforeImport(ctx, client, store, 2, archive.Limits{}, branches, res.ManifestSHA256); !diags.HasError() {
		t.Fatal("the second backup succeeded although the export of hotfix failed")
	}
	if err := sameFolder(readFolder(t, dir), before); err != nil {
		t.Fatalf("a failed backup changed the recorded set: %v", err)
	}
}

// Apply deletes nothing the plan did not list: when the workspace's branches changed since the
// plan, nothing is backed up or imported.
func TestImportBranches_changedSincePlan(t *testing.T) {
	t.Parallel()
	inst := startEmulator(t, nil)
	client, err := xano.New(xano.Config{BaseURL: inst.URL, Token: inst.Token, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	planned, _ := types.ListValueFrom(ctx, types.StringType, []string{"v1"})
	if _, diags := importBranches(ctx, client, 2, planned); diags.HasError() {
		t.Fatalf("the branches the plan listed: %v", diags)
	}
	inst.CreateBranch(t, 2, "late", "")
	_, diags := importBranches(ctx, client, 2, planned)
	if !diags.HasError() || !strings.Contains(diagnosticsText(diags), `now has "v1", "late"`) {
		t.Fatalf("a branch created after the plan was not reported: %v", diags)
	}
}

func TestFileSafeLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"v1": "v1", "release 1/2": "release_1_2", "": "_", "ünï": "_n_", "a..b": "a..b",
		strings.Repeat("x", 70): strings.Repeat("x", 64) + "_",
	} {
		if got := fileSafeLabel(in); got != want {
			t.Errorf("fileSafeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
