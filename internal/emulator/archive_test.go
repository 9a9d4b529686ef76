package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

func TestExportSchemaShape(t *testing.T) { underEachToggle(t, testExportSchemaShape) }

func testExportSchemaShape(t *testing.T, start startFunc) {
	in := start(t, nil)
	resp, data := exportWith(t, in, 1, "export-schema", map[string]any{"branch": ""})
	wantOK(t, resp.StatusCode, data)
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("content type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="staging-schema.tar.gz"` {
		t.Fatalf("content disposition %q", cd)
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Fatal("not gzip")
	}
	// Like a full export, the schema export's document is workspace.json, of type "schema".
	ents := entries(t, data)
	if len(ents) != 1 || ents["workspace.json"] == nil {
		t.Fatalf("entries %v", keys(ents))
	}
	ok, err := archive.Verify(ents["workspace.json"])
	if err != nil || !ok {
		t.Fatalf("workspace.json signature: %v %v", ok, err)
	}
	typ, p := bundlePayload(t, ents["workspace.json"])
	if typ != "schema" {
		t.Fatalf("type %q", typ)
	}
	for _, k := range []string{"workspace", "dbo", "function", "query", "addon", "task", "trigger", "middleware", "branch"} {
		if p[k] == nil {
			t.Fatalf("payload lacks %q", k)
		}
	}
	if got := functionNames(t, p); !reflect.DeepEqual(got, []string{"compute_invoice_total", "send_welcome_email"}) {
		t.Fatalf("functions %v", got)
	}
	var dbo []struct{ GUID, Name string }
	decodeJSON(t, p["dbo"], &dbo)
	if len(dbo) != 2 || dbo[0].GUID > dbo[1].GUID {
		t.Fatalf("dbo not sorted by guid: %+v", dbo)
	}
	if strings.Contains(string(ents["workspace.json"]), `"v1"`) {
		t.Fatal("the payload names the branch")
	}
	info := inspect(t, data)
	if info.Type != "schema" || info.Encrypted || info.ContentSHA256 == "" {
		t.Fatalf("inspect %+v", info)
	}
}

func keys[M ~map[string]V, V any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestExportFullRows(t *testing.T) { underEachToggle(t, testExportFullRows) }

func testExportFullRows(t *testing.T, start startFunc) {
	in := start(t, &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
		ID: 7, Name: "big",
		Tables: []emulator.FixtureTable{{Name: "wide", Rows: 1200, RowBytes: 1000}, {Name: "small", Rows: 3}, {Name: "empty"}},
	}}})
	resp, data := exportWith(t, in, 7, "export", map[string]any{})
	wantOK(t, resp.StatusCode, data)
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="big.tar.gz"` {
		t.Fatalf("content disposition %q", cd)
	}
	ents := entries(t, data)
	_, p := bundlePayload(t, ents["workspace.json"])
	var dbo []struct{ GUID, Name string }
	decodeJSON(t, p["dbo"], &dbo)
	guid := map[string]string{}
	for _, d := range dbo {
		guid[d.Name] = d.GUID
	}
	var wideBytes int
	count := func(name string) (rows, pages int) {
		for page := 1; ; page++ {
			raw, ok := ents[fmt.Sprintf("content/%s-%d.json", guid[name], page)]
			if !ok {
				return rows, page - 1
			}
			if name == "wide" {
				wideBytes += len(raw)
			}
			if ok, err := archive.Verify(raw); err != nil || !ok {
				t.Fatalf("page %s-%d signature: %v %v", name, page, ok, err)
			}
			var b struct {
				Type    string            `json:"type"`
				Payload []json.RawMessage `json:"payload"`
			}
			if err := json.Unmarshal(raw, &b); err != nil || b.Type != "content" {
				t.Fatalf("page %s-%d: %v %q", name, page, err, b.Type)
			}
			if len(raw) > 600<<10 {
				t.Fatalf("page of %d bytes", len(raw))
			}
			rows += len(b.Payload)
		}
	}
	if rows, pages := count("wide"); rows != 1200 || pages < 3 {
		t.Fatalf("wide: %d rows in %d pages", rows, pages)
	}
	if wideBytes < 1200*1000*9/10 || wideBytes > 1200*1000*11/10 {
		t.Fatalf("1200 rows of about 1000 bytes take %d bytes", wideBytes)
	}
	if rows, pages := count("small"); rows != 3 || pages != 1 {
		t.Fatalf("small: %d rows in %d pages", rows, pages)
	}
	if _, pages := count("empty"); pages != 0 {
		t.Fatalf("empty: %d pages", pages)
	}
	// Rows are deterministic: a second export has the same pages.
	_, again := exportWith(t, in, 7, "export", map[string]any{})
	if ea := entries(t, again); !bytes.Equal(ea[fmt.Sprintf("content/%s-2.json", guid["wide"])], ents[fmt.Sprintf("content/%s-2.json", guid["wide"])]) {
		t.Fatal("generated rows differ between exports")
	}

	// records=false (also as a form string) leaves the rows out.
	for _, v := range []any{false, "false", "0"} {
		_, data := exportWith(t, in, 7, "export", map[string]any{"records": v})
		if ents := entries(t, data); len(ents) != 1 || ents["workspace.json"] == nil {
			t.Fatalf("records=%v: entries %v", v, keys(ents))
		}
	}
}

func TestExportBranchSelection(t *testing.T) { underEachToggle(t, testExportBranchSelection) }

func testExportBranchSelection(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	in.AddFunction(t, 1, "dev", "dev_only", "return 1")

	v1 := inspect(t, in.Export(t, 1, "v1", false)).ContentSHA256
	dev := inspect(t, in.Export(t, 1, "dev", false)).ContentSHA256
	live := inspect(t, in.Export(t, 1, "", false)).ContentSHA256
	if v1 == dev || live != v1 {
		t.Fatalf("v1 %s dev %s live %s", v1, dev, live)
	}
	in.SetLive(t, 1, "dev")
	if live := inspect(t, in.Export(t, 1, "", false)).ContentSHA256; live != dev {
		t.Fatal("an empty branch does not export the live branch")
	}
	if full := entries(t, in.Export(t, 1, "", true)); !strings.Contains(string(full["workspace.json"]), "dev_only") {
		t.Fatal("full export of the live branch lacks its function")
	}
	for _, route := range []string{"export", "export-schema"} {
		resp, data := exportWith(t, in, 1, route, map[string]any{"branch": "nope"})
		wantError(t, resp.StatusCode, data, 404, "ERROR_CODE_NOT_FOUND", "")
	}
	resp, data := exportWith(t, in, 42, "export", map[string]any{})
	wantError(t, resp.StatusCode, data, 404, "ERROR_CODE_NOT_FOUND", "")
}

func TestExportBytesDifferContentHashStable(t *testing.T) {
	underEachToggle(t, testExportBytesDifferContentHashStable)
}

func testExportBytesDifferContentHashStable(t *testing.T, start startFunc) {
	in := start(t, nil)
	for _, full := range []bool{false, true} {
		a := in.Export(t, 1, "", full)
		b := in.Export(t, 1, "", full)
		if bytes.Equal(a, b) {
			t.Fatalf("full=%v: two exports have the same bytes", full)
		}
		if ha, hb := inspect(t, a).ContentSHA256, inspect(t, b).ContentSHA256; ha != hb {
			t.Fatalf("full=%v: content hash changed without a change: %s %s", full, ha, hb)
		}
	}
	before := inspect(t, in.Export(t, 1, "", false)).ContentSHA256
	// Changes elsewhere do not matter.
	in.CreateBranch(t, 1, "dev", "")
	in.AddFunction(t, 1, "dev", "elsewhere", "x")
	in.AddFunction(t, 2, "", "other_ws", "x")
	if h := inspect(t, in.Export(t, 1, "", false)).ContentSHA256; h != before {
		t.Fatal("content hash changed by another branch or workspace")
	}
	in.AddFunction(t, 1, "", "added", "return 1")
	after := inspect(t, in.Export(t, 1, "", false)).ContentSHA256
	if after == before {
		t.Fatal("content hash unchanged after adding a function")
	}
	fns := in.Functions(t, 1, "")
	in.UpdateFunction(t, 1, fns[0].ID, "edited by hand")
	if h := inspect(t, in.Export(t, 1, "", false)).ContentSHA256; h == after {
		t.Fatal("content hash unchanged after editing a function")
	}
}

// Encryption uses a memory-hard KDF (about a second per run): this test keeps to five runs.
func TestEncryptedExportAndImport(t *testing.T) {
	in := emulatortest.Start(t, nil)
	resp, enc := exportWith(t, in, 1, "export-schema", map[string]any{"password": "s3cret"}) // KDF 1
	wantOK(t, resp.StatusCode, enc)
	if !archive.IsEncrypted(enc) || bytes.HasPrefix(enc, []byte{0x1f, 0x8b}) {
		t.Fatal("export-schema with a password is not encrypted")
	}
	if info := inspect(t, enc); !info.Encrypted || info.ContentSHA256 != "" {
		t.Fatalf("inspect %+v", info)
	}

	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "a"}, "s.tar.gz", enc, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "A password is required to decrypt this file.")
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "a", "password": "wrong"}, "s.tar.gz", enc, false) // KDF 2
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The password is incorrect.")
	if got := labels(in.Branches(t, 2)); got != "v1*" {
		t.Fatalf("a failed import changed branches: %s", got)
	}
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "a", "password": "s3cret"}, "s.tar.gz", enc, false) // KDF 3
	wantOK(t, status, data)
	if got := labels(in.Branches(t, 2)); got != "v1*,a" {
		t.Fatalf("branches %s", got)
	}

	// A plain archive named .enc.gz needs a password too.
	plain := in.Export(t, 1, "", false)
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "b"}, "s.enc.gz", plain, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "A password is required to decrypt this file.")

	// Full export and import with a password.
	resp, encFull := exportWith(t, in, 1, "export", map[string]any{"password": "pw"}) // KDF 4
	wantOK(t, resp.StatusCode, encFull)
	if !archive.IsEncrypted(encFull) {
		t.Fatal("export with a password is not encrypted")
	}
	status, data = upload(t, in, "/workspace/2/import", nil, "w.tar.gz", encFull, true)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "A password is required to decrypt this file.")
	status, data = upload(t, in, "/workspace/2/import", map[string]string{"password": "pw"}, "w.tar.gz", encFull, true) // KDF 5
	wantOK(t, status, data)
	if got := labels(in.Branches(t, 2)); got != "v1*" {
		t.Fatalf("branches after import %s", got)
	}
	if fs := in.Functions(t, 2, ""); len(fs) != 2 {
		t.Fatalf("functions after an encrypted import: %+v", fs)
	}
}

func TestImportSchema(t *testing.T) { underEachToggle(t, testImportSchema) }

func testImportSchema(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.AddTable(t, 1, "invoice")
	schema := in.Export(t, 1, "", false)
	stagingHash := inspect(t, schema).ContentSHA256

	for i, fileFirst := range []bool{false, true} {
		label := fmt.Sprintf("release-%d", i)
		status, data := upload(t, in, "/workspace/2/import-schema",
			map[string]string{"newbranch": label, "setlive": []string{"true", "1"}[i]}, "schema.tar.gz", schema, fileFirst)
		wantOK(t, status, data)
		if string(data) != "{}" {
			t.Fatalf("import-schema answered %s", data)
		}
		if got := in.LiveBranch(t, 2); got != label {
			t.Fatalf("setlive: live is %q", got)
		}
	}
	if got := labels(in.Branches(t, 2)); got != "v1,release-0,release-1*" {
		t.Fatalf("branches %s", got)
	}
	// setlive false keeps the live branch.
	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "quiet", "setlive": "false"}, "s.tar.gz", schema, false)
	wantOK(t, status, data)
	if got := in.LiveBranch(t, 2); got != "release-1" {
		t.Fatalf("live %q", got)
	}
	// The new branch holds staging's functions; staging's tables were added to production,
	// except "user": production has its own table of that name (another guid), which stays.
	names := func(fs []emulatortest.Function) (out []string) {
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return out
	}
	if got := names(in.Functions(t, 2, "quiet")); !reflect.DeepEqual(got, []string{"compute_invoice_total", "send_welcome_email"}) {
		t.Fatalf("functions %v", got)
	}
	status, data = in.Do(t, "GET", "/workspace/2/table", nil)
	wantOK(t, status, data)
	var tables []struct{ Name string }
	decodeJSON(t, data, &tables)
	if len(tables) != 3 {
		t.Fatalf("tables after import-schema: %s", data)
	}
	// Re-importing adds no table twice.
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "again"}, "s.tar.gz", schema, false)
	wantOK(t, status, data)
	_, data = in.Do(t, "GET", "/workspace/2/table", nil)
	decodeJSON(t, data, &tables)
	if len(tables) != 3 {
		t.Fatalf("tables after a second import-schema: %s", data)
	}
	// An import into the source workspace round-trips: same content as the source branch.
	status, data = upload(t, in, "/workspace/1/import-schema", map[string]string{"newbranch": "copy"}, "s.tar.gz", schema, false)
	wantOK(t, status, data)
	if h := inspect(t, in.Export(t, 1, "copy", false)).ContentSHA256; h != stagingHash {
		t.Fatal("import-schema then export-schema does not round-trip")
	}
}

func TestImportSchemaRefusals(t *testing.T) { underEachToggle(t, testImportSchemaRefusals) }

func testImportSchemaRefusals(t *testing.T, start startFunc) {
	in := start(t, nil)
	schema := in.Export(t, 1, "", false)
	in.CreateBranch(t, 2, "taken", "")
	before := labels(in.Branches(t, 2))

	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "taken"}, "s.tar.gz", schema, false)
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "taken"}, "s.tar.gz", schema, true)
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x"}, "", nil, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: file")
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{}, "s.tar.gz", schema, false)
	env := wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: newbranch")
	if string(env.Payload) != `{"param":"newbranch"}` {
		t.Fatalf("payload %s", env.Payload)
	}
	resp, data := call(t, in, "POST", "/api:meta/workspace/2/import-schema", in.Token, strings.NewReader(`{"newbranch":"x"}`), "application/json")
	wantError(t, resp.StatusCode, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: file")
	for _, junk := range [][]byte{[]byte("hello, not an archive"), {}, schema[:len(schema)/2]} {
		status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x"}, "s.tar.gz", junk, false)
		wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	}
	// Bytes that are no archive count as encrypted in an unknown format: with a password, it is
	// the wrong one.
	// The same when the password comes after the file (read as it arrived).
	for _, fileFirst := range []bool{false, true} {
		status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x", "password": "pw"}, "s.tar.gz", []byte("\x00\x9c binary, not an archive"), fileFirst)
		wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The password is incorrect.")
	}
	status, data = upload(t, in, "/workspace/99/import-schema", map[string]string{"newbranch": "x"}, "s.tar.gz", schema, false)
	wantError(t, status, data, 404, "ERROR_CODE_NOT_FOUND", "")

	// A tampered bundle: a function body edited after export, signature left as it was.
	tampered := rebuild(t, schema, func(name string, body []byte) []byte {
		return bytes.Replace(body, []byte("Welcome!"), []byte("Hacked!!"), 1)
	})
	status, data = upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "x", "setlive": "true"}, "s.tar.gz", tampered, false)
	wantError(t, status, data, 500, "ERROR_FATAL", "Invalid workspace signature")

	if got := labels(in.Branches(t, 2)); got != before {
		t.Fatalf("a refused import changed the branches: %s -> %s", before, got)
	}
	_, data = in.Do(t, "GET", "/workspace/2/table", nil)
	var tables []any
	decodeJSON(t, data, &tables)
	if len(tables) != 1 {
		t.Fatalf("a refused import added tables: %s", data)
	}
}

func TestImportReplacesWorkspace(t *testing.T) { underEachToggle(t, testImportReplacesWorkspace) }

func testImportReplacesWorkspace(t *testing.T, start startFunc) {
	in := start(t, nil)
	in.CreateBranch(t, 1, "dev", "")
	in.AddFunction(t, 1, "dev", "dev_fn", "return 1")
	in.SetLive(t, 1, "dev")
	full := in.Export(t, 1, "", true) // the live branch (dev)
	src := entries(t, full)

	in.CreateBranch(t, 2, "feature", "")
	in.CreateBranch(t, 2, "hotfix", "")
	in.SetLive(t, 2, "hotfix")
	status, data := upload(t, in, "/workspace/2/import", map[string]string{"password": ""}, "backup.tar.gz", full, false)
	wantOK(t, status, data)
	var resp struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Branch struct {
			ID        int64  `json:"id"`
			Label     string `json:"label"`
			Color     string `json:"color"`
			Backup    *bool  `json:"backup"`
			CreatedAt string `json:"created_at"`
			UpdatedAt string `json:"updated_at"`
		} `json:"branch"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.ID != 2 || resp.Name != "production" || resp.Branch.Label != "v1" || resp.Branch.Color != "#ebc346" ||
		resp.Branch.Backup == nil || *resp.Branch.Backup || !createdAtRE.MatchString(resp.Branch.UpdatedAt) {
		t.Fatalf("import answered %s", data)
	}
	if got := labels(in.Branches(t, 2)); got != "v1*" {
		t.Fatalf("branches after import %s", got)
	}
	if got := in.LiveBranch(t, 2); got != "v1" {
		t.Fatalf("live %q", got)
	}
	if fs := in.Functions(t, 2, "v1"); len(fs) != 3 {
		t.Fatalf("functions after import %+v", fs)
	}
	// Tables and rows are the source's: the row pages come back byte for byte.
	got := entries(t, in.Export(t, 2, "", true))
	for name, body := range src {
		if !strings.HasPrefix(name, "content/") {
			continue
		}
		if !bytes.Equal(got[name], body) {
			t.Fatalf("row page %s differs after import", name)
		}
	}
	if len(got) != len(src) {
		t.Fatalf("entries %v, want %v", keys(got), keys(src))
	}
	_, p := bundlePayload(t, got["workspace.json"])
	_, ps := bundlePayload(t, src["workspace.json"])
	if string(p["dbo"]) != string(ps["dbo"]) || string(p["function"]) != string(ps["function"]) {
		t.Fatal("imported tables or functions differ from the source")
	}
	// Importing the re-export again keeps everything (spooled rows are streamed back).
	again := in.Export(t, 2, "", true)
	status, data = upload(t, in, "/workspace/2/import", nil, "again.tar.gz", again, true)
	wantOK(t, status, data)
	if a, b := inspect(t, again).ContentSHA256, inspect(t, in.Export(t, 2, "", true)).ContentSHA256; a != b {
		t.Fatal("import of a re-export changed the content")
	}
}

func TestImportRefusalsChangeNothing(t *testing.T) {
	underEachToggle(t, testImportRefusalsChangeNothing)
}

func testImportRefusalsChangeNothing(t *testing.T, start startFunc) {
	in := start(t, nil)
	full := in.Export(t, 1, "", true)
	in.CreateBranch(t, 2, "feature", "")
	before := inspect(t, in.Export(t, 2, "", true)).ContentSHA256

	// A row page edited after export.
	tamperedRows := rebuild(t, full, func(name string, body []byte) []byte {
		if strings.HasPrefix(name, "content/") {
			return bytes.Replace(body, []byte(`"id":3}`), []byte(`"id":4}`), 1)
		}
		return body
	})
	status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", tamperedRows, false)
	wantError(t, status, data, 500, "ERROR_FATAL", "Invalid workspace signature")
	tamperedDoc := rebuild(t, full, func(name string, body []byte) []byte {
		return bytes.Replace(body, []byte(`"name":"user"`), []byte(`"name":"USER"`), 1)
	})
	status, data = upload(t, in, "/workspace/2/import", nil, "w.tar.gz", tamperedDoc, false)
	wantError(t, status, data, 500, "ERROR_FATAL", "Invalid workspace signature")
	status, data = upload(t, in, "/workspace/2/import", nil, "w.tar.gz", []byte("junk"), false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "")
	status, data = upload(t, in, "/workspace/2/import", nil, "", nil, false)
	wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "Missing param: file")

	if got := labels(in.Branches(t, 2)); got != "v1*,feature" {
		t.Fatalf("branches %s", got)
	}
	if after := inspect(t, in.Export(t, 2, "", true)).ContentSHA256; after != before {
		t.Fatal("a refused import changed the workspace")
	}
	_ = http.StatusOK
}

// An upload refused on its fields (which come first) gets a clean answer even when its file is
// large, and the file is never read as an archive.
func TestImportSchemaEarlyRefusalLargeUpload(t *testing.T) {
	in := emulatortest.Start(t, nil)
	in.CreateBranch(t, 2, "taken", "")
	junk := bytes.Repeat([]byte("not an archive "), 2<<20) // 30 MiB
	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "taken"}, "big.tar.gz", junk, false)
	wantError(t, status, data, 400, "ERROR_CODE_BAD_REQUEST", "duplicate record")
}

// schemaBundle returns a signed schema bundle holding one function, named after where it is.
func schemaBundle(t testing.TB, fn string) []byte {
	t.Helper()
	b, err := archive.NewBundle("schema", map[string]any{
		"dbo": []any{}, "function": []any{map[string]any{"name": fn, "body": "return 1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tarOf writes the entries, in order, as gzip(tar).
func tarOf(t testing.TB, ents ...[2]string) []byte {
	t.Helper()
	var out bytes.Buffer
	w := archive.NewWriter(&out, timeZero)
	for _, e := range ents {
		if err := w.AddFile(e[0], int64(len(e[1])), strings.NewReader(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The root document is workspace.json, else schema.json, else the first other root-level
// *.json that is a signed bundle, wherever each lies in the tar; AppleDouble files and unsigned
// JSON are never taken.
func TestImportRootDocumentRule(t *testing.T) { underEachToggle(t, testImportRootDocumentRule) }

func testImportRootDocumentRule(t *testing.T, start startFunc) {
	appleDouble := "\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
	readme := `{"title":"not a bundle"}`
	ws := func(name string) [2]string {
		return [2]string{name, string(schemaBundle(t, "from_"+strings.TrimSuffix(name, ".json")))}
	}
	cases := []struct {
		name string
		ents [][2]string
		want string // the function of the document taken; "" = refused
	}{
		{"workspace.json last", [][2]string{{"._workspace.json", appleDouble}, {"README.json", readme}, ws("other.json"), ws("schema.json"), ws("workspace.json")}, "from_workspace"},
		{"schema.json before another bundle", [][2]string{{"README.json", readme}, ws("a.json"), ws("schema.json")}, "from_schema"},
		{"first other signed bundle", [][2]string{{"._b.json", appleDouble}, {"README.json", readme}, ws("b.json"), ws("c.json")}, "from_b"},
		{"not in a folder", [][2]string{ws("nested/workspace.json"), ws("d.json")}, "from_d"},
		{"AppleDouble and README only", [][2]string{{"._workspace.json", appleDouble}, {"README.json", readme}}, ""},
	}
	in := start(t, nil)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			label := fmt.Sprintf("root-%d", i)
			status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": label}, "s.tar.gz", tarOf(t, c.ents...), false)
			if c.want == "" {
				wantError(t, status, data, 400, "ERROR_CODE_INPUT_ERROR", "The archive holds no workspace document (workspace.json or schema.json).")
				return
			}
			wantOK(t, status, data)
			fs := in.Functions(t, 2, label)
			if len(fs) != 1 || fs[0].Name != c.want {
				t.Fatalf("functions %+v, want %s", fs, c.want)
			}
		})
	}
	// A workspace.json whose signature does not match is refused, not passed over for another.
	bad := strings.Replace(string(schemaBundle(t, "f")), `"return 1"`, `"return 2"`, 1)
	status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "bad"}, "s.tar.gz",
		tarOf(t, ws("schema.json"), [2]string{"workspace.json", bad}), false)
	wantError(t, status, data, 500, "ERROR_FATAL", "Invalid workspace signature")
}

// Every payload member an import does not turn into tables or functions comes back verbatim
// from an export of what was imported: import then export round-trips.
func TestImportKeepsEveryPayloadKey(t *testing.T) { underEachToggle(t, testImportKeepsEveryPayloadKey) }

func testImportKeepsEveryPayloadKey(t *testing.T, start startFunc) {
	extra := map[string]string{
		"app":           `[{"id":1,"name":"web","settings":{"z":1,"a":[1,2]}}]`,
		"tool":          `[{"name":"t"}]`,
		"env":           `{"vars":[{"name":"API_URL","value":"http://x"}]}`,
		"microservice":  `[]`,
		"realtime":      `{"enabled":true}`,
		"agent":         `[{"name":"a","model":"m"}]`,
		"mcp_server":    `[{"name":"m"}]`,
		"workflow_test": `[{"name":"wt","steps":[]}]`,
		"query":         `[{"name":"q","verb":"GET"}]`,
		"addon":         `[{"name":"ad"}]`,
		"task":          `[{"name":"nightly","schedule":"0 0 * * *"}]`,
		"trigger":       `[{"name":"tr"}]`,
		"middleware":    `[{"name":"mw"}]`,
		"branch":        `[{"label":"kept as it was"}]`,
		"api_group":     `[{"name":"g","canonical":"abc"}]`,
		"datasource":    `[{"name":"live"}]`,
		"file":          `[]`,
		"price":         `1.50`,
		"note":          `"a string"`,
		"nothing":       `null`,
	}
	payload := map[string]any{
		"workspace": map[string]any{"name": "production", "description": "Production workspace (emulator demo seed)"},
		"dbo":       []any{},
		"function":  []any{map[string]any{"guid": "g1", "name": "f", "body": "return 1"}},
	}
	for k, v := range extra {
		payload[k] = json.RawMessage(v)
	}
	for _, typ := range []string{"workspace", "schema"} {
		t.Run(typ, func(t *testing.T) {
			b, err := archive.NewBundle(typ, payload)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			src := tarOf(t, [2]string{"workspace.json", string(raw)})
			in := start(t, &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{
				ID: 2, Name: "production", Description: "Production workspace (emulator demo seed)",
			}}})
			var exported []byte
			if typ == "workspace" {
				status, data := upload(t, in, "/workspace/2/import", nil, "w.tar.gz", src, false)
				wantOK(t, status, data)
				exported = in.Export(t, 2, "", true)
			} else {
				status, data := upload(t, in, "/workspace/2/import-schema", map[string]string{"newbranch": "imported"}, "s.tar.gz", src, false)
				wantOK(t, status, data)
				in.CreateBranch(t, 2, "copy", "imported") // a branch created from it carries them too
				exported = in.Export(t, 2, "copy", false)
			}
			_, got := bundlePayload(t, entries(t, exported)["workspace.json"])
			for k, v := range extra {
				if string(got[k]) != v {
					t.Errorf("payload %s: exported %s, imported %s", k, got[k], v)
				}
			}
			if typ == "workspace" {
				// Nothing else changed either: the export has the content of the imported archive.
				if a, b := inspect(t, src).ContentSHA256, inspect(t, exported).ContentSHA256; a != b {
					t.Fatalf("import then export changed the content (keys %v)", keys(got))
				}
				return
			}
			// A schema imported into a new branch: every member as it came, but the workspace
			// record, which is the workspace's own (workspace-wide, as on a real instance).
			_, srcPayload := bundlePayload(t, raw)
			if !slices.Equal(keys(got), keys(srcPayload)) {
				t.Fatalf("exported members %v, imported %v", keys(got), keys(srcPayload))
			}
			for k, v := range srcPayload {
				var a, b any
				decodeJSON(t, v, &a)
				decodeJSON(t, got[k], &b)
				if k != "workspace" && !reflect.DeepEqual(a, b) {
					t.Errorf("payload %s: exported %s, imported %s", k, got[k], v)
				}
			}
			if !strings.Contains(string(got["workspace"]), `"secret":"FAKE-emulator-not-a-secret-`) {
				t.Errorf("the workspace record is not the emulator's own: %s", got["workspace"])
			}
		})
	}
}
