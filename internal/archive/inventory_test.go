package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// objectSum is the canonical SHA-256 of one payload object, computed apart from the inventory.
func objectSum(t testing.TB, v any) string {
	t.Helper()
	var c canonicalizer
	out, err := c.canonicalize(mustJSON(t, v))
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(out)
	return hex.EncodeToString(s[:])
}

// writeArchive writes entries (name -> JSON value) with this package's Writer, in order, then
// wraps the result in extra gzip layers.
func writeArchive(t testing.TB, extraLayers int, names []string, values ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Unix(1700000000, 0))
	for i, name := range names {
		if err := w.AddJSON(name, values[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for range extraLayers {
		data = gzipBytes(t, data, buildOpts{})
	}
	return data
}

func mustBundle(t testing.TB, typ string, payload any) Bundle {
	t.Helper()
	b, err := NewBundle(typ, payload)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// inventoryPayload has one object of every kind the UI names, endpoints referring to their group
// in every accepted way, a list without a UI name, and the members that are not objects.
func inventoryPayload() (map[string]any, map[string]any) {
	obj := map[string]any{
		"table":      map[string]any{"id": 1, "guid": "t-1", "name": "user", "schema": []any{"email"}},
		"function":   map[string]any{"id": 2, "guid": "f-1", "name": "math/total", "body": "return 1"},
		"public":     map[string]any{"id": 10, "guid": "g-10", "name": "public", "description": ""},
		"admin":      map[string]any{"id": 11, "guid": "g-11", "name": "admin"},
		"byAppID":    map[string]any{"id": 20, "guid": "q-20", "name": "users/{id}", "verb": "get", "app_id": 10},
		"byGroupID":  map[string]any{"id": 21, "guid": "q-21", "name": "users", "verb": "POST", "apigroup_id": 11},
		"byAppGUID":  map[string]any{"id": 22, "guid": "q-22", "name": "ignored", "path": "login", "verb": "POST", "app": map[string]any{"guid": "g-10"}},
		"byAppObjID": map[string]any{"id": 23, "guid": "q-23", "name": "me", "verb": "GET", "app": map[string]any{"id": 11}},
		"unknown":    map[string]any{"id": 24, "guid": "q-24", "name": "orphan", "verb": "DELETE", "app_id": 99},
		"noGroup":    map[string]any{"id": 25, "guid": "q-25", "name": "loose"},
		"task":       map[string]any{"id": 3, "guid": "k-1", "name": "nightly_sync", "active": true},
		"trigger":    map[string]any{"id": 4, "guid": "r-1", "name": "on_signup"},
		"middleware": map[string]any{"id": 5, "guid": "m-1", "name": "auth"},
		"addon":      map[string]any{"id": 6, "guid": "a-1", "name": "user_count"},
		"tool":       map[string]any{"id": 7, "guid": "o-1", "name": "search"},
	}
	payload := map[string]any{
		"partial":    false,
		"workspace":  map[string]any{"id": 7, "name": "shop"},
		"branch":     []any{map[string]any{"id": 0, "name": "v1"}},
		"dbo":        []any{obj["table"]},
		"function":   []any{obj["function"]},
		"app":        []any{obj["public"], obj["admin"]},
		"query":      []any{obj["byAppID"], obj["byGroupID"], obj["byAppGUID"], obj["byAppObjID"], obj["unknown"], obj["noGroup"]},
		"task":       []any{obj["task"]},
		"trigger":    []any{obj["trigger"]},
		"middleware": []any{obj["middleware"]},
		"addon":      []any{obj["addon"]},
		"tool":       []any{obj["tool"]},
		"prompt":     []any{},
	}
	return payload, obj
}

// inventoryWant is the inventory of inventoryPayload.
func inventoryWant(t testing.TB, obj map[string]any) map[string]string {
	return map[string]string{
		"table/user":                               objectSum(t, obj["table"]),
		"function/math/total":                      objectSum(t, obj["function"]),
		"api_group/public":                         objectSum(t, obj["public"]),
		"api_group/admin":                          objectSum(t, obj["admin"]),
		"endpoint/public/GET users/{id}":           objectSum(t, obj["byAppID"]),
		"endpoint/admin/POST users":                objectSum(t, obj["byGroupID"]),
		"endpoint/public/POST login":               objectSum(t, obj["byAppGUID"]),
		"endpoint/admin/GET me":                    objectSum(t, obj["byAppObjID"]),
		"endpoint/(api group id 99)/DELETE orphan": objectSum(t, obj["unknown"]),
		"endpoint/(no api group)/loose":            objectSum(t, obj["noGroup"]),
		"task/nightly_sync":                        objectSum(t, obj["task"]),
		"trigger/on_signup":                        objectSum(t, obj["trigger"]),
		"middleware/auth":                          objectSum(t, obj["middleware"]),
		"addon/user_count":                         objectSum(t, obj["addon"]),
		"tool/search":                              objectSum(t, obj["tool"]),
		// the workspace record, by its name and description only
		"workspace": objectSum(t, map[string]any{"name": "shop"}),
	}
}

func TestInspectObjectsSchemaExport(t *testing.T) {
	t.Parallel()
	payload, obj := inventoryPayload()
	data := writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", payload))
	info := inspectBytes(t, data)
	if want := inventoryWant(t, obj); !reflect.DeepEqual(info.Objects, want) {
		t.Fatalf("Objects:\n got %v\nwant %v", sortedKeys(info.Objects), sortedKeys(want))
	}
}

func TestInspectObjectsFullExportDoubleGzip(t *testing.T) {
	t.Parallel()
	payload, obj := inventoryPayload()
	// Row pages and other JSON entries are not objects of the inventory; the root is
	// workspace.json even when schema.json comes first.
	data := writeArchive(t, 1,
		[]string{"schema.json", "workspace.json", "content/t-1-1.json", "other.json"},
		mustBundle(t, "schema", map[string]any{"function": []any{map[string]any{"name": "stale"}}}),
		mustBundle(t, "workspace", payload),
		mustBundle(t, "content", []any{map[string]any{"id": 1, "email": "a@example.com"}}),
		mustBundle(t, "schema", map[string]any{"function": []any{map[string]any{"name": "other"}}}),
	)
	info := inspectBytes(t, data)
	if info.GzipLayers != 2 || info.Type != "workspace" {
		t.Fatalf("Info = %+v, want 2 layers of a workspace export", info)
	}
	if want := inventoryWant(t, obj); !reflect.DeepEqual(info.Objects, want) {
		t.Fatalf("Objects:\n got %v\nwant %v", sortedKeys(info.Objects), sortedKeys(want))
	}
}

func TestInspectObjectsIgnoreFormatting(t *testing.T) {
	t.Parallel()
	payload, _ := inventoryPayload()
	body := bundleJSON(t, "schema", payload)
	a := inspectBytes(t, build(t, []tEntry{{name: "schema.json", body: body}}, buildOpts{layers: 1}))
	b := inspectBytes(t, build(t, []tEntry{{name: "schema.json", body: reformatJSON(t, body)}}, buildOpts{layers: 2}))
	if len(a.Objects) == 0 || !reflect.DeepEqual(a.Objects, b.Objects) {
		t.Fatalf("reformatting changed the inventory:\n%v\n%v", a.Objects, b.Objects)
	}
}

func TestInspectObjectsOneChange(t *testing.T) {
	t.Parallel()
	payload, obj := inventoryPayload()
	before := inspectBytes(t, writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", payload)))
	payload["task"] = []any{map[string]any{"id": 3, "guid": "k-1", "name": "nightly_sync", "active": false}}
	payload["function"] = []any{obj["function"], map[string]any{"name": "hotfix"}}
	payload["trigger"] = []any{}
	after := inspectBytes(t, writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", payload)))
	d := DiffObjects(before.Objects, after.Objects)
	want := ObjectDiff{Added: []string{"function/hotfix"}, Changed: []string{"task/nightly_sync"}, Removed: []string{"trigger/on_signup"}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("DiffObjects = %+v, want %+v", d, want)
	}
}

func TestInspectObjectsDuplicatesAndMissingNames(t *testing.T) {
	t.Parallel()
	fns := []any{
		map[string]any{"guid": "g1", "name": "dup"},
		map[string]any{"guid": "g2", "name": "dup"},
		map[string]any{"guid": "g3", "name": "twin"},
		map[string]any{"guid": "g3", "name": "twin"},
		map[string]any{"name": "twin"},
		map[string]any{"guid": "g4"},
		map[string]any{"id": 5},
		"not an object",
		map[string]any{"guid": "g6", "name": ""},
	}
	groups := []any{
		map[string]any{"id": 1, "guid": "a1", "name": "api"},
		map[string]any{"id": 2, "guid": "a2", "name": "api"},
	}
	queries := []any{
		map[string]any{"name": "x", "verb": "GET", "app_id": 2},
		map[string]any{"name": "x", "verb": "GET", "app_id": 1},
	}
	data := writeArchive(t, 0, []string{"schema.json"},
		mustBundle(t, "schema", map[string]any{"function": fns, "app": groups, "query": queries}))
	got := inspectBytes(t, data).Objects
	want := map[string]string{
		"function/dup (guid g1)":       objectSum(t, fns[0]),
		"function/dup (guid g2)":       objectSum(t, fns[1]),
		"function/twin (#3)":           objectSum(t, fns[2]),
		"function/twin (#4)":           objectSum(t, fns[3]),
		"function/twin (#5)":           objectSum(t, fns[4]),
		"function/(guid g4)":           objectSum(t, fns[5]),
		"function/(#7)":                objectSum(t, fns[6]),
		"function/(#8)":                objectSum(t, fns[7]),
		"function/(guid g6)":           objectSum(t, fns[8]),
		"api_group/api (guid a1)":      objectSum(t, groups[0]),
		"api_group/api (guid a2)":      objectSum(t, groups[1]),
		"endpoint/api (guid a2)/GET x": objectSum(t, queries[0]),
		"endpoint/api (guid a1)/GET x": objectSum(t, queries[1]),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Objects:\n got %v\nwant %v", sortedKeys(got), sortedKeys(want))
	}
}

func TestInspectObjectsListNamedLikeAPrefix(t *testing.T) {
	t.Parallel()
	// A payload list called "table" meets dbo's "table/" keys: neither object is lost.
	data := writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", map[string]any{
		"dbo":   []any{map[string]any{"name": "user"}},
		"table": []any{map[string]any{"name": "user", "x": 1}},
	}))
	got := sortedKeys(inspectBytes(t, data).Objects)
	if want := []string{"table/user", "table/user (table #1)"}; !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
}

func TestInspectObjectsNoRootBundle(t *testing.T) {
	t.Parallel()
	for name, entries := range map[string][]tEntry{
		"empty tar":       nil,
		"unsigned schema": {{name: "schema.json", body: []byte(`{"payload":{"function":[{"name":"f"}]}}`)}},
		"not JSON":        {{name: "workspace.json", body: []byte(`{`)}},
		"payload array":   {{name: "schema.json", body: bundleJSON(t, "schema", []any{1})}},
		// a bundle found first loses its inventory to an unsigned workspace.json
		"root replaced": {
			{name: "a.json", body: bundleJSON(t, "schema", map[string]any{"function": []any{map[string]any{"name": "f"}}})},
			{name: "workspace.json", body: []byte(`[]`)},
		},
	} {
		info := inspectBytes(t, build(t, entries, buildOpts{layers: 1}))
		if info.Objects == nil || len(info.Objects) != 0 {
			t.Errorf("%s: Objects = %#v, want an empty non-nil map", name, info.Objects)
		}
	}
}

func TestInspectObjectsEncrypted(t *testing.T) {
	t.Parallel()
	payload, _ := inventoryPayload()
	enc := encryptBytes(t, writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", payload)), "pw")
	info := inspectBytes(t, enc)
	if !info.Encrypted || info.Objects != nil {
		t.Fatalf("Info = %+v, want Encrypted with nil Objects", info)
	}
	if bi, err := Inspect(bytes.NewReader(enc), Limits{}, BranchView()); err != nil || !bi.Encrypted || bi.Objects != nil {
		t.Fatalf("branch view of an encrypted archive: %+v, %v; want Encrypted with nil Objects", bi, err)
	}
}

func TestInspectBranchObjects(t *testing.T) {
	t.Parallel()
	payload, obj := inventoryPayload()
	data := writeArchive(t, 1, []string{"workspace.json", "content/t-1-1.json"},
		mustBundle(t, "workspace", payload), mustBundle(t, "content", []any{map[string]any{"id": 1}}))
	bi, err := Inspect(bytes.NewReader(data), Limits{}, BranchView())
	if err != nil {
		t.Fatal(err)
	}
	want := inventoryWant(t, obj)
	for k := range want {
		if strings.HasPrefix(k, "table/") || k == "workspace" {
			delete(want, k)
		}
	}
	if !reflect.DeepEqual(bi.Objects, want) {
		t.Fatalf("Objects:\n got %v\nwant %v", sortedKeys(bi.Objects), sortedKeys(want))
	}
	if whole := inspectBytes(t, data); !bi.Branch || whole.Branch || len(bi.ContentSHA256) != 64 || bi.ContentSHA256 == whole.ContentSHA256 {
		t.Fatalf("branch view %q (Branch %v), whole archive %q (Branch %v)", bi.ContentSHA256, bi.Branch, whole.ContentSHA256, whole.Branch)
	}
	// Workspace-wide tables do not reach the branch inventory: adding one changes nothing.
	payload["dbo"] = []any{obj["table"], map[string]any{"name": "order"}}
	data2 := writeArchive(t, 1, []string{"workspace.json"}, mustBundle(t, "workspace", payload))
	bi2, err := Inspect(bytes.NewReader(data2), Limits{}, BranchView())
	if err != nil || !DiffObjects(bi.Objects, bi2.Objects).Empty() {
		t.Fatalf("a new table changed the branch inventory: %+v, %v", DiffObjects(bi.Objects, bi2.Objects), err)
	}
}

// TestBranchContentSHA256Unchanged pins the branch hash of a fixed archive: the branch view must
// keep the values BranchContentSHA256 had.
func TestBranchContentSHA256Unchanged(t *testing.T) {
	t.Parallel()
	data := build(t, exportFixture(t), buildOpts{layers: 2})
	info, err := Inspect(bytes.NewReader(data), Limits{}, BranchView())
	if err != nil {
		t.Fatal(err)
	}
	if sum, want := info.ContentSHA256, branchGolden; sum != want {
		t.Fatalf("BranchContentSHA256 = %s, want %s", sum, want)
	}
}

func TestInventoryOfMalformed(t *testing.T) {
	t.Parallel()
	// inventoryOf expects canonical JSON; on anything else it must not panic.
	for _, doc := range []string{
		``, `{`, `{"payload"`, `{"payload":`, `{"payload":{`, `{"payload":{"f":[`, `{"payload":{"f":[{"name":"x"`,
		`{"payload":{"f":[1,`, `{"payload":{"f":["\`, `[1]`, `"x"`, `{"payload":{"f":[{"name":"a"}]}`,
		`{"payload":{"f":[{]}}`, `{"payload":{"f":[}]}}`, `{"payload":{"f":[,]}}`,
	} {
		_ = inventoryOf([]byte(doc), false)
	}
}

// branchGolden is BranchContentSHA256 of exportFixture as computed before InspectBranch existed.
const branchGolden = "38a7086aa6747df74986395c82430c98b8d3641ab35fc374f456bd7e4f0174da"

func TestInspectObjectsAmbiguousGroup(t *testing.T) {
	t.Parallel()
	// Two groups share id 1: the endpoint cannot be placed in either, and says so.
	data := writeArchive(t, 0, []string{"schema.json"}, mustBundle(t, "schema", map[string]any{
		"app":   []any{map[string]any{"id": 1, "name": "a"}, map[string]any{"id": 1, "name": "b"}},
		"query": []any{map[string]any{"name": "x", "verb": "put", "app_id": 1}, map[string]any{"name": "y", "app": map[string]any{"guid": "nope"}}},
	}))
	got := sortedKeys(inspectBytes(t, data).Objects)
	want := []string{"api_group/a", "api_group/b", "endpoint/(api group guid nope)/y", "endpoint/(api group id 1)/PUT x"}
	if !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
}
