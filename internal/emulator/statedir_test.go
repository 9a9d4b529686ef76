package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
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

// A state file is trusted only as far as the server's invariants hold: a page file outside the
// rows directory, a workspace without v1 or without its live branch, or ids used twice are
// refused at start-up with an error that says what is wrong.
func TestStateDirInvariants(t *testing.T) {
	base := t.TempDir()
	srv, err := emulator.New(emulator.Options{StateDir: base, Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	in := emulatortest.Serve(srv)
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", in.Export(t, 1, "", true), false)
	wantOK(t, status, data) // workspace 2's tables now have pages
	in.HTTP.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(base, "state.json"))
	if err != nil {
		t.Fatal(err)
	}

	type obj = map[string]any
	// node returns the JSON object at path (member names and indexes) in v.
	node := func(t *testing.T, v any, path ...any) obj {
		t.Helper()
		for _, p := range path {
			var ok bool
			switch k := p.(type) {
			case string:
				var m obj
				if m, ok = v.(obj); ok {
					v = m[k]
				}
			case int:
				var l []any
				if l, ok = v.([]any); ok && k < len(l) {
					v = l[k]
				}
			}
			if !ok {
				t.Fatalf("the state has no %v", path)
			}
		}
		m, ok := v.(obj)
		if !ok {
			t.Fatalf("the state's %v is not an object", path)
		}
		return m
	}
	cases := []struct {
		name, want string
		edit       func(t *testing.T, st obj)
	}{
		{"page file with a path", `page file "../../escape.pages" is not the base name`, func(t *testing.T, st obj) {
			node(t, st, "workspaces", 1, "tables", 0, "pages", 0)["file"] = "../../escape.pages"
		}},
		{"page file of another kind", `page file "state.json" is not the base name`, func(t *testing.T, st obj) {
			node(t, st, "workspaces", 1, "tables", 0, "pages", 0)["file"] = "state.json"
		}},
		{"no v1", "workspace 1 has no branch v1", func(t *testing.T, st obj) {
			node(t, st, "workspaces", 0, "branches", 0)["label"] = "main"
			node(t, st, "workspaces", 0)["live"] = "main"
		}},
		{"live branch missing", `workspace 1: its live branch "gone" is not one of its branches`, func(t *testing.T, st obj) {
			node(t, st, "workspaces", 0)["live"] = "gone"
		}},
		{"duplicate branch id", "already the id of", func(t *testing.T, st obj) {
			node(t, st, "workspaces", 1, "branches", 0)["id"] = node(t, st, "workspaces", 0, "branches", 0)["id"]
		}},
		{"duplicate workspace id", "not positive and unique", func(t *testing.T, st obj) {
			node(t, st, "workspaces", 1)["id"] = 1
		}},
		{"id above next_id", "outside 1..next_id", func(t *testing.T, st obj) { st["next_id"] = 1 }},
		{"table guid with a path", "guid is invalid", func(t *testing.T, st obj) {
			node(t, st, "workspaces", 0, "tables", 0)["guid"] = "../x"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var st obj
			if err := json.Unmarshal(good, &st); err != nil {
				t.Fatal(err)
			}
			c.edit(t, st)
			dir := t.TempDir()
			data, _ := json.Marshal(st)
			if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := emulator.New(emulator.Options{StateDir: dir})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "is not a valid state") {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	// The unedited file loads.
	srv, err = emulator.New(emulator.Options{StateDir: base})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}

// An imported table whose guid would put its pages outside content/ is refused.
func TestImportRefusesPathLikeTableGUIDs(t *testing.T) {
	in := emulatortest.Start(t, nil)
	before := labels(in.Branches(t, 2))
	for _, guid := range []string{"../evil", "a/b", `a\b`, ".."} {
		b, err := archive.NewBundle("workspace", map[string]any{
			"dbo": []any{map[string]any{"guid": guid, "name": "t"}}, "function": []any{},
		})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(b)
		src := tarOf(t, [2]string{"workspace.json", string(raw)})
		status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", src, false)
		wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "A table of the archive has an invalid guid: "+strconv.Quote(guid)+".")
		status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x"}, "s.tar.gz", src, false)
		wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	}
	if got := labels(in.Branches(t, 2)); got != before {
		t.Fatalf("branches %s", got)
	}
}
