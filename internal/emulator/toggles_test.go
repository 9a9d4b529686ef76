package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

func TestDoubleGzip(t *testing.T) {
	in := emulatortest.StartWith(t, emulator.Options{Fixture: emulator.DemoFixture(), DoubleGzip: true})
	for _, full := range []bool{false, true} {
		data := in.Export(t, 1, "", full)
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		inner, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(inner, []byte{0x1f, 0x8b}) {
			t.Fatalf("full=%v: the gzip layer holds no second gzip", full)
		}
		if info := inspect(t, data); info.GzipLayers != 2 {
			t.Fatalf("full=%v: %d gzip layers", full, info.GzipLayers)
		}
		// The content is what a single-gzip emulator exports, and it imports.
		plain := emulatortest.Start(t, nil)
		if a, b := inspect(t, data).ContentSHA256, inspect(t, plain.Export(t, 1, "", full)).ContentSHA256; a != b {
			t.Fatalf("full=%v: double gzip changed the content", full)
		}
	}
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", in.Export(t, 1, "", true), false)
	wantOK(t, status, data)
	if fs := in.Functions(t, 2, ""); len(fs) != 2 {
		t.Fatalf("functions after importing a double-gzipped export: %+v", fs)
	}
	// Off by default.
	if info := inspect(t, emulatortest.Start(t, nil).Export(t, 1, "", true)); info.GzipLayers != 1 {
		t.Fatalf("default export has %d gzip layers", info.GzipLayers)
	}
}

// branchRows returns the raw rows of GET /workspace/{id}/branch.
func branchRows(t *testing.T, in *emulatortest.Instance, ws string) []map[string]json.RawMessage {
	t.Helper()
	status, data := in.Do(t, "GET", "/workspace/"+ws+"/branch", nil)
	wantOK(t, status, data)
	var rows []map[string]json.RawMessage
	decodeJSON(t, data, &rows)
	return rows
}

func TestOmitLiveOnNonLive(t *testing.T) {
	for _, omit := range []bool{false, true} {
		in := emulatortest.StartWith(t, emulator.Options{Fixture: emulator.DemoFixture(), OmitLiveOnNonLive: omit})
		in.CreateBranch(t, 1, "dev", "")
		in.CreateBranch(t, 1, "old", "")
		in.SetLive(t, 1, "dev")
		for _, row := range branchRows(t, in, "1") {
			live, has := row["live"]
			var label string
			_ = json.Unmarshal(row["label"], &label)
			switch {
			case label == "dev" && string(live) != "true":
				t.Fatalf("omit=%v: live row %v", omit, row)
			case label != "dev" && omit && has:
				t.Fatalf("omit=%v: non-live row with live: %v", omit, row)
			case label != "dev" && !omit && string(live) != "false":
				t.Fatalf("omit=%v: non-live row without live:false: %v", omit, row)
			}
		}
		// A single branch keeps live:false either way.
		status, data := in.Do(t, "GET", "/workspace/1/branch/old", nil)
		wantOK(t, status, data)
		var b map[string]json.RawMessage
		decodeJSON(t, data, &b)
		if string(b["live"]) != "false" {
			t.Fatalf("omit=%v: GET branch/old: %s", omit, data)
		}
	}
}

func TestBackupBranches(t *testing.T) {
	fx := &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: 1, Name: "w",
		Branches: []emulator.FixtureBranch{
			{Label: "v1", Live: true},
			{Label: "v1_backup_2024", Backup: true, Functions: []emulator.FixtureFunction{{Name: "old", Body: "x"}}},
		},
	}}}
	underEachToggle(t, func(t *testing.T, start startFunc) {
		in := start(t, fx)
		backup := func() map[string]any {
			var rows []map[string]any
			status, data := in.Do(t, "GET", "/workspace/1/branch", nil)
			wantOK(t, status, data)
			decodeJSON(t, data, &rows)
			if len(rows) != 2 || rows[0]["backup"] != false || rows[1]["backup"] != true {
				t.Fatalf("rows %s", data)
			}
			return rows[1]
		}
		backup()
		// A backup branch can be set live.
		status, data := in.Do(t, "POST", "/workspace/1/branch/v1_backup_2024/live", nil)
		wantOK(t, status, data)
		var b map[string]any
		decodeJSON(t, data, &b)
		if b["live"] != true || b["backup"] != true {
			t.Fatalf("set live answered %s", data)
		}
		if row := backup(); row["live"] != true || in.LiveBranch(t, 1) != "v1_backup_2024" {
			t.Fatalf("backup row after set live: %v", row)
		}
		// A branch created from it is not a backup.
		status, data = in.Do(t, "POST", "/workspace/1/branch", map[string]any{"label": "restored", "source_branch": "v1_backup_2024"})
		wantOK(t, status, data)
		decodeJSON(t, data, &b)
		if b["backup"] != false {
			t.Fatalf("created from a backup: %s", data)
		}
		if fs := in.Functions(t, 1, "restored"); len(fs) != 1 || fs[0].Name != "old" {
			t.Fatalf("functions %+v", fs)
		}
	})
	// v1 is never a backup.
	bad := emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{ID: 1, Branches: []emulator.FixtureBranch{{Label: "v1", Backup: true}}}}}
	if _, err := emulator.New(emulator.Options{Fixture: &bad}); err == nil {
		t.Fatal("a backup v1 was accepted")
	}
}
