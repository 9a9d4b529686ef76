package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

func rowFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "rows"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestStateDirPersistence(t *testing.T) {
	dir := t.TempDir()
	srv, err := emulator.New(emulator.Options{StateDir: dir, Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	in := emulatortest.Serve(srv)
	in.CreateBranch(t, 1, "dev", "")
	in.AddFunction(t, 1, "dev", "persisted", "return 42")
	in.SetLive(t, 1, "dev")
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", in.Export(t, 1, "", true), false)
	wantOK(t, status, data)
	wantHash := inspect(t, in.Export(t, 2, "", true)).ContentSHA256
	in.HTTP.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if files := rowFiles(t, dir); len(files) != 1 {
		t.Fatalf("spooled row files: %v", files)
	}

	// A new server on the same directory has the same state, rows included, and ignores its seed.
	srv2, err := emulator.New(emulator.Options{StateDir: dir, Seed: ""})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	in2 := emulatortest.Serve(srv2)
	defer in2.HTTP.Close()
	if got := labels(in2.Branches(t, 1)); got != "v1,dev*" {
		t.Fatalf("branches after restart: %s", got)
	}
	found := false
	for _, f := range in2.Functions(t, 1, "dev") {
		found = found || f.Name == "persisted" && f.Body == "return 42"
	}
	if !found {
		t.Fatal("function lost across the restart")
	}
	if got := inspect(t, in2.Export(t, 2, "", true)).ContentSHA256; got != wantHash {
		t.Fatal("imported rows changed across the restart")
	}
	// A later import replaces the rows: the old spool file goes away.
	old := rowFiles(t, dir)
	status, data = upload(t, in2, "/workspace/2/import", nil, "w.tar.gz", in2.Export(t, 2, "", true), false)
	wantOK(t, status, data)
	if files := rowFiles(t, dir); len(files) != 1 || files[0] == old[0] {
		t.Fatalf("row files after a second import: %v (before %v)", files, old)
	}
	// Only the state file and the rows directory remain: no temporary files.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "state.json" && e.Name() != "rows" || strings.Contains(e.Name(), "tmp") {
			t.Fatalf("unexpected file %s in the state dir", e.Name())
		}
	}
}

func TestStateDirCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.New(emulator.Options{StateDir: dir}); err == nil {
		t.Fatal("a corrupt state file was accepted")
	}
}
