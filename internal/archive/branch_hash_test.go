package archive

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// branchArchive writes a gzip(tar) holding a signed schema bundle with payload at the root
// (schema.json), then the extra entries, in order.
func branchArchive(t *testing.T, payload map[string]any, extra map[string]string, modTime time.Time) []byte {
	t.Helper()
	b, err := NewBundle("schema", payload)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, modTime)
	if err := w.AddJSON("schema.json", b); err != nil {
		t.Fatal(err)
	}
	for name, body := range extra {
		if err := w.AddFile(name, int64(len(body)), strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// branchPayload is a schema payload: the branch's functions, and the workspace's tables and
// record.
func branchPayload(functions []string, tables []string, workspaceName string) map[string]any {
	fns := []any{}
	for _, f := range functions {
		fns = append(fns, map[string]any{"name": f, "body": "return 1"})
	}
	dbo := []any{}
	for _, tb := range tables {
		dbo = append(dbo, map[string]any{"name": tb, "guid": "guid-" + tb})
	}
	return map[string]any{
		"workspace": map[string]any{"name": workspaceName, "description": ""},
		"dbo":       dbo,
		"function":  fns,
		"query":     []any{map[string]any{"name": "get_user", "verb": "GET", "size": 1.50}},
	}
}

// branchHash is the branch content hash of data: Inspect's ContentSHA256 in the branch view.
func branchHash(t *testing.T, data []byte) string {
	t.Helper()
	info, err := Inspect(bytes.NewReader(data), Limits{}, BranchView())
	if err != nil {
		t.Fatal(err)
	}
	if !info.Branch || info.Encrypted || info.Incomplete != nil || len(info.ContentSHA256) != 64 {
		t.Fatalf("branch view: %+v", info)
	}
	return info.ContentSHA256
}

func contentHash(t *testing.T, data []byte) string {
	t.Helper()
	sum, err := ContentSHA256(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// Tables and the workspace's record are workspace-wide: changing them changes ContentSHA256 but
// not BranchContentSHA256.
func TestBranchContentSHA256IgnoresWorkspaceWideParts(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	base := branchArchive(t, branchPayload([]string{"fn_a"}, []string{"user"}, "production"), nil, t0)
	variants := map[string][]byte{
		"a table added to the workspace": branchArchive(t,
			branchPayload([]string{"fn_a"}, []string{"user", "invoice"}, "production"), nil, t0),
		"the workspace renamed": branchArchive(t,
			branchPayload([]string{"fn_a"}, []string{"user"}, "prod"), nil, t0),
		"table rows and stored files": branchArchive(t,
			branchPayload([]string{"fn_a"}, []string{"user"}, "production"),
			map[string]string{"content/guid-user-1.json": `{"payload":[{"id":1}]}`, "vault/a/b.txt": "file"}, t0),
	}
	want := branchHash(t, base)
	for name, data := range variants {
		t.Run(name, func(t *testing.T) {
			if got := branchHash(t, data); got != want {
				t.Errorf("BranchContentSHA256 = %s, want %s (the base archive's)", got, want)
			}
			if contentHash(t, data) == contentHash(t, base) {
				t.Error("ContentSHA256 is the same as the base archive's: the variant changes nothing")
			}
		})
	}
}

// The branch's own content counts, and everything ContentSHA256 ignores is ignored.
func TestBranchContentSHA256SeesBranchContent(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	base := branchArchive(t, branchPayload([]string{"fn_a"}, []string{"user"}, "production"), nil, t0)
	want := branchHash(t, base)

	if got := branchHash(t, branchArchive(t, branchPayload([]string{"fn_a"}, []string{"user"}, "production"), nil, t0.Add(time.Hour))); got != want {
		t.Errorf("another export time: %s, want %s", got, want)
	}
	for name, data := range map[string][]byte{
		"a function added": branchArchive(t, branchPayload([]string{"fn_a", "fn_b"}, []string{"user"}, "production"), nil, t0),
		"another root file": branchArchive(t, branchPayload([]string{"fn_a"}, []string{"user"}, "production"),
			map[string]string{"notes.txt": "x"}, t0),
	} {
		if got := branchHash(t, data); got == want {
			t.Errorf("%s: BranchContentSHA256 did not change", name)
		}
	}
}

// Without workspace-wide parts, the two hashes are the same, including for JSON that is not a
// bundle, JSON in folders and non-JSON entries.
func TestBranchContentSHA256EqualsContentSHA256WithoutWorkspaceParts(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	data := branchArchive(t, map[string]any{"function": []any{"x"}, "number": 1.0},
		map[string]string{
			"plain.json":      `{"b": 1, "a": [1.0, "\u00e9"]}`,
			"broken.json":     `{"a":`,
			"dir/nested.json": `{"app":"xano","sig":"s","payload":{"dbo":[1]}}`,
			"readme.txt":      "hello",
		}, t0)
	if got, want := branchHash(t, data), contentHash(t, data); got != want {
		t.Errorf("BranchContentSHA256 = %s, ContentSHA256 = %s", got, want)
	}
}

func TestBranchContentSHA256Refusals(t *testing.T) {
	var enc bytes.Buffer
	ew, err := Encrypt(&enc, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = ew.Write(branchArchive(t, branchPayload(nil, nil, "w"), nil, time.Time{}))
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	if info, err := Inspect(bytes.NewReader(enc.Bytes()), Limits{}, BranchView()); err != nil || !info.Encrypted || !info.Branch || info.ContentSHA256 != "" || info.Objects != nil {
		t.Errorf("encrypted archive: %+v, %v; want Encrypted in the branch view", info, err)
	}
	if _, err := Inspect(strings.NewReader(`{"code":"ERROR_FATAL"}`), Limits{}, BranchView()); !errors.Is(err, ErrNotArchive) {
		t.Errorf("a JSON response: err = %v, want ErrNotArchive", err)
	}
	// A limit is not an error: the inspection says which one stopped it, and has no hash.
	big := branchArchive(t, branchPayload([]string{strings.Repeat("f", 4096)}, nil, "w"), nil, time.Time{})
	info, err := Inspect(bytes.NewReader(big), Limits{MaxJSONEntryBytes: 1024}, BranchView())
	if err != nil || info.Incomplete == nil || info.Incomplete.Limit != "MaxJSONEntryBytes" || info.ContentSHA256 != "" || info.Objects != nil || !info.Branch {
		t.Errorf("a bundle over MaxJSONEntryBytes: %+v, %v; want Incomplete", info, err)
	}
	info, err = Inspect(bytes.NewReader(big), Limits{MaxTotalBytes: 512}, BranchView())
	if err != nil || info.Incomplete == nil || info.Incomplete.Limit != "MaxTotalBytes" || info.Incomplete.Value != 512 {
		t.Errorf("an archive over MaxTotalBytes: %+v, %v; want Incomplete", info, err)
	}
	// ContentSHA256 never returns an empty hash without an error.
	if sum, err := ContentSHA256(bytes.NewReader(enc.Bytes())); sum != "" || !errors.Is(err, ErrEncrypted) {
		t.Errorf("ContentSHA256(encrypted) = %q, %v", sum, err)
	}
}
