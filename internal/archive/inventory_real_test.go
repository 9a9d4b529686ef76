package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Fixtures shaped as real Xano exports are (issue 17): the payload's members in the engine's
// order, objects referring to each other by guid, api groups without an id, "branch": {"id": 0}
// on everything, toolsets holding MCP servers and agents, a channel whose name holds "/", tables
// in creation order, and the full workspace record with its engine state.

// realPayloadMembers are the members of a real export's payload, in the engine's order.
var realPayloadMembers = []string{"partial", "action_package_install", "addon", "app", "branch", "channel", "dbo",
	"env", "function", "market_item", "message", "microservice", "middleware", "query", "realtime_server",
	"run_install", "task", "tool", "knowledge", "knowledge_file", "toolset", "trigger", "vault", "workflow_test",
	"service", "workspace"}

// realWorkspaceRecord is a workspace record as real exports carry it (values made up), with
// engine state that moves without the user doing anything.
func realWorkspaceRecord(name, checksum string) map[string]any {
	return map[string]any{
		"id": 40, "name": name, "description": "", "checksum": checksum,
		"iv": "fake-iv-" + checksum, "salt": "fake-salt", "secret": "fake-secret-not-real",
		"crypto": map[string]any{"algo": "fake"}, "settings": map[string]any{"swagger": false},
		"release": map[string]any{"id": 0}, "git": map[string]any{"enabled": false}, "branch": map[string]any{"id": 0},
		"created_at": 1767777114000,
	}
}

// realPayload returns the members of a real-shaped payload by name, and its JSON in the
// engine's member order.
func realPayload(t testing.TB, workspace map[string]any) (map[string]any, json.RawMessage) {
	t.Helper()
	br := map[string]any{"id": 0}
	o := func(guid, name string, more ...any) map[string]any {
		m := map[string]any{"guid": guid, "name": name, "branch": br}
		for i := 0; i+1 < len(more); i += 2 {
			m[fmt.Sprint(more[i])] = more[i+1]
		}
		return m
	}
	m := map[string]any{
		"partial":                false,
		"action_package_install": []any{o("Ap1aCtIoNpAcKaGeInStAlL001", "slack_actions")},
		"addon":                  []any{o("AdD0nUsErCoUnT000000000001", "user_count", "id", 7)},
		"app": []any{
			o("3cNKgRoUpExAmPlEs000000001", "examples"),
			o("Zq9gRoUpRoOmSaDmIn00000002", "rooms/admin"),
		},
		"branch": []any{},
		"channel": []any{
			o("ChRoOmS000000000000000001", "rooms/{room_id}"),
			o("ChLoBbY000000000000000002", "lobby"),
		},
		// creation order, not guid order
		"dbo": []any{
			o("TbUsEr00000000000000000009", "user", "schema", []any{map[string]any{"name": "email", "type": "email"}}),
			o("TbAcCoUnT00000000000000001", "account"),
		},
		"env":         []any{o("EnVsTrIpEkEy00000000000001", "STRIPE_KEY")},
		"function":    []any{o("FnMaThToTaL000000000000001", "math/total", "script", "return 1")},
		"market_item": []any{o("MkTeMpLaTe0000000000000001", "crm_template")},
		"message": []any{
			o("MsJoInEdRoOmS000000000001", "joined", "channel", map[string]any{"id": "ChRoOmS000000000000000001"}),
			o("MsJoInEdLoBbY000000000002", "joined", "channel", map[string]any{"id": "ChLoBbY000000000000000002"}),
			o("MsOrPhAn0000000000000003", "orphan", "channel", map[string]any{"id": "ChGoNe0000000000000000009"}),
		},
		"microservice": []any{o("McPdF000000000000000000001", "pdf_renderer")},
		"middleware":   []any{o("MwAuTh00000000000000000001", "auth")},
		"query": []any{
			o("ZW6iTZd_Um-D-JVWGONk8TaDXg0", "ex_get_user", "verb", "GET", "app", map[string]any{"id": "3cNKgRoUpExAmPlEs000000001"}),
			o("QuStAtS00000000000000000002", "stats", "verb", "post", "app", map[string]any{"id": "Zq9gRoUpRoOmSaDmIn00000002"}),
		},
		"realtime_server": []any{o("RsChAt00000000000000000001", "chat")},
		"run_install":     []any{o("RuNiNsTaLl0000000000000001", "starter_kit")},
		"task":            []any{o("TaNiGhTlY00000000000000001", "nightly_sync", "active", true)},
		"tool": []any{
			o("ToSeArCh0000000000000000001", "search_users", "toolset", map[string]any{"id": 0}),
			o("ToLoOkUp0000000000000000002", "lookup", "toolset", map[string]any{"id": "TsSuPpOrTmCp0000000000001"}),
		},
		"knowledge":      []any{o("KnDoCs00000000000000000001", "docs")},
		"knowledge_file": []any{o("KfFaQ000000000000000000001", "faq.md")},
		"toolset": []any{
			o("TsSuPpOrTmCp0000000000001", "support", "type", "mcp"),
			o("TsSuPpOrTaGeNt000000000002", "support", "type", "agent"),
		},
		"trigger": []any{
			o("TrAuDiTuSeR00000000000001", "audit", "obj_type", "database", "obj_id", "TbUsEr00000000000000000009"),
			o("TrAuDiTaCcOuNt0000000000002", "audit", "obj_type", "database", "obj_id", "TbAcCoUnT00000000000000001"),
			o("TrLeGaCy0000000000000000003", "legacy_realtime", "obj_type", "workspace_realtime_channel", "obj_id", 0),
			o("TrBrAnChLiVe00000000000004", "on_branch_live", "obj_type", "workspace", "obj_id", 0),
			o("TrCoNnEcT000000000000000005", "on_connect", "obj_type", "realtime_server", "obj_id", "RsChAt00000000000000000001"),
			o("TrJoIn000000000000000000006", "on_join", "obj_type", "channel", "obj_id", "ChRoOmS000000000000000001"),
			o("TrMcP0000000000000000000007", "on_connection", "obj_type", "toolset", "obj_id", "TsSuPpOrTmCp0000000000001"),
		},
		"vault":         []any{o("VaLoGo00000000000000000001", "logo.png")},
		"workflow_test": []any{o("WtSiGnUp000000000000000001", "signup flow")},
		"service":       []any{o("SvMaIlEr00000000000000001", "mailer")},
		"workspace":     workspace,
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range realPayloadMembers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(t, k))
		b.WriteByte(':')
		b.Write(mustJSON(t, m[k]))
	}
	b.WriteByte('}')
	return m, b.Bytes()
}

// realKeys is the key of every element of realPayload, by list.
var realKeys = map[string][]string{
	"action_package_install": {"action_package_install/slack_actions"},
	"addon":                  {"addon/user_count"},
	"app":                    {"api_group/examples", "api_group/rooms/admin"},
	"channel":                {"channel/rooms/{room_id}", "channel/lobby"},
	"dbo":                    {"table/user", "table/account"},
	"env":                    {"env/STRIPE_KEY"},
	"function":               {"function/math/total"},
	"market_item":            {"market_item/crm_template"},
	"message": {"message/rooms%2F{room_id}/joined", "message/lobby/joined",
		"message/(channel guid ChGoNe0000000000000000009)/orphan"},
	"microservice":    {"microservice/pdf_renderer"},
	"middleware":      {"middleware/auth"},
	"query":           {"endpoint/examples/GET ex_get_user", "endpoint/rooms%2Fadmin/POST stats"},
	"realtime_server": {"realtime_server/chat"},
	"run_install":     {"run_install/starter_kit"},
	"task":            {"task/nightly_sync"},
	"tool":            {"tool/search_users", "tool/lookup"},
	"knowledge":       {"knowledge/docs"},
	"knowledge_file":  {"knowledge_file/faq.md"},
	"toolset":         {"mcp_server/support", "agent/support"},
	"trigger": {"trigger/audit (on table/user)", "trigger/audit (on table/account)", "trigger/legacy_realtime",
		"trigger/on_branch_live", "trigger/on_connect", "trigger/on_join", "trigger/on_connection"},
	"vault":         {"vault/logo.png"},
	"workflow_test": {"workflow_test/signup flow"},
	"service":       {"service/mailer"},
}

// realArchive is a full export of realPayload: workspace.json and a row page.
func realArchive(t testing.TB, payload json.RawMessage) []byte {
	t.Helper()
	return writeArchive(t, 1, []string{"workspace.json", "content/TbUsEr00000000000000000009/1.json"},
		mustBundle(t, "workspace", payload),
		mustBundle(t, "content", []any{map[string]any{"id": 1, "email": "a@example.com"}}))
}

// realWant is the inventory realPayload must have: every element under its key of realKeys,
// with the canonical hash of the element, and the workspace record by its name and description.
func realWant(t testing.TB, m map[string]any) map[string]string {
	want := map[string]string{}
	for list, keys := range realKeys {
		elems, _ := m[list].([]any)
		if len(elems) != len(keys) {
			t.Fatalf("realKeys[%q] has %d keys for %d objects", list, len(keys), len(elems))
		}
		for i, k := range keys {
			want[k] = objectSum(t, elems[i])
		}
	}
	ws, _ := m["workspace"].(map[string]any)
	want["workspace"] = objectSum(t, map[string]any{"name": ws["name"], "description": ws["description"]})
	return want
}

func TestInspectObjectsRealShapes(t *testing.T) {
	t.Parallel()
	m, payload := realPayload(t, realWorkspaceRecord("CRM Application", "c1"))
	for _, list := range realPayloadMembers {
		if _, ok := realKeys[list]; !ok && list != "partial" && list != "branch" && list != "workspace" {
			t.Fatalf("payload list %q has no key in the fixture", list)
		}
	}
	data := realArchive(t, payload)
	info := inspectBytes(t, data)
	want := realWant(t, m)
	if !reflect.DeepEqual(info.Objects, want) {
		t.Fatalf("Objects:\n got %q\nwant %q", sortedKeys(info.Objects), sortedKeys(want))
	}
	// The bundle is signed as Xano signs it, and verifies.
	bundle := mustJSON(t, mustBundle(t, "workspace", payload))
	if ok, err := Verify(bundle); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	// PayloadKeys names every element as the inventory does, by list and position.
	keys, err := PayloadKeys(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys, realKeys) {
		t.Fatalf("PayloadKeys:\n got %q\nwant %q", keys, realKeys)
	}
}

// Engine state of the workspace record moves without the user: it changes neither the inventory
// nor the branch view (nor, as before, the branch content hash); a rename changes the key
// "workspace" only.
func TestInspectObjectsRealWorkspaceRecord(t *testing.T) {
	t.Parallel()
	_, p1 := realPayload(t, realWorkspaceRecord("CRM Application", "c1"))
	_, p2 := realPayload(t, realWorkspaceRecord("CRM Application", "c2"))
	_, p3 := realPayload(t, realWorkspaceRecord("CRM", "c1"))
	a, b, c := realArchive(t, p1), realArchive(t, p2), realArchive(t, p3)
	ia, ib, ic := inspectBytes(t, a), inspectBytes(t, b), inspectBytes(t, c)
	if d := DiffObjects(ia.Objects, ib.Objects); !d.Empty() {
		t.Fatalf("engine state changed the inventory: %+v", d)
	}
	if ia.ContentSHA256 == ib.ContentSHA256 {
		t.Fatal("the content hash covers the whole record; it did not change")
	}
	if d := DiffObjects(ia.Objects, ic.Objects); !reflect.DeepEqual(d, ObjectDiff{Changed: []string{"workspace"}}) {
		t.Fatalf("a rename: %+v, want changed workspace", d)
	}
	for _, data := range [][]byte{a, b, c} {
		bi, err := Inspect(bytes.NewReader(data), Limits{}, BranchView())
		if err != nil {
			t.Fatal(err)
		}
		ba, _ := Inspect(bytes.NewReader(a), Limits{}, BranchView())
		if bi.ContentSHA256 != ba.ContentSHA256 || !DiffObjects(ba.Objects, bi.Objects).Empty() {
			t.Fatalf("the workspace record reached the branch view: %s vs %s", bi.ContentSHA256, ba.ContentSHA256)
		}
		if _, has := bi.Objects["workspace"]; has {
			t.Fatal("the branch view lists the workspace record")
		}
		for k, h := range ia.Objects {
			if strings.HasPrefix(k, "table/") || k == "workspace" {
				if _, has := bi.Objects[k]; has {
					t.Fatalf("the branch view lists %q", k)
				}
			} else if bi.Objects[k] != h {
				// The same keys in both views: triggers on tables are still named by their table.
				t.Fatalf("the branch view has %q = %q, the whole archive %q", k, bi.Objects[k], h)
			}
		}
	}
}

// Tables keep creation order; keys and hashes do not depend on it, nor on the order of members.
func TestInspectObjectsRealOrder(t *testing.T) {
	t.Parallel()
	m, payload := realPayload(t, realWorkspaceRecord("CRM Application", "c1"))
	before := inspectBytes(t, realArchive(t, payload)).Objects
	dbo, _ := m["dbo"].([]any)
	if len(dbo) != 2 {
		t.Fatalf("dbo = %v", m["dbo"])
	}
	m["dbo"] = []any{dbo[1], dbo[0]}
	after := inspectBytes(t, realArchive(t, mustJSON(t, m))).Objects
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("reordering tables changed the inventory: %+v", DiffObjects(before, after))
	}
}

// References resolve by id when the target has one, and by guid when it has none (or the id
// does not match); renaming a parent renames the keys of its children.
func TestInspectObjectsReferenceResolution(t *testing.T) {
	t.Parallel()
	doc := func(group string) []byte {
		return mustJSON(t, mustBundle(t, "schema", map[string]any{
			"app": []any{
				map[string]any{"guid": "gA", "name": group},
				map[string]any{"id": 5, "guid": "gB", "name": "numbered"},
			},
			"query": []any{
				map[string]any{"name": "a", "verb": "GET", "app": map[string]any{"id": "gA"}},
				map[string]any{"name": "b", "verb": "GET", "app": map[string]any{"id": 5}},
				map[string]any{"name": "c", "verb": "GET", "app": map[string]any{"id": "gB"}},
				map[string]any{"name": "d", "verb": "GET", "app": map[string]any{"id": 0}},
				map[string]any{"name": "e", "verb": "GET", "app_id": 6},
			},
			"channel": []any{map[string]any{"id": 3, "guid": "cA", "name": "news"}},
			"message": []any{
				map[string]any{"name": "m1", "channel": map[string]any{"id": 3}},
				map[string]any{"name": "m2", "channel_id": 3},
				map[string]any{"name": "m3"},
			},
		}))
	}
	keys, err := PayloadKeys(doc("examples"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"endpoint/examples/GET a", "endpoint/numbered/GET b", "endpoint/numbered/GET c",
		"endpoint/(no api group)/GET d", "endpoint/(api group id 6)/GET e"}
	if !slices.Equal(keys["query"], want) {
		t.Fatalf("endpoints: %q, want %q", keys["query"], want)
	}
	if want := []string{"message/news/m1", "message/news/m2", "message/(no channel)/m3"}; !slices.Equal(keys["message"], want) {
		t.Fatalf("messages: %q, want %q", keys["message"], want)
	}
	keys, _ = PayloadKeys(doc("100% off/sale"))
	if got := keys["query"][0]; got != "endpoint/100%25 off%2Fsale/GET a" {
		t.Fatalf("escaped group: %q", got)
	}
}

// Triggers with one name are told apart by what they are attached to, then by guid.
func TestInspectObjectsTriggerNames(t *testing.T) {
	t.Parallel()
	keys, err := PayloadKeys(mustJSON(t, mustBundle(t, "schema", map[string]any{
		"dbo": []any{map[string]any{"guid": "t1", "name": "user"}},
		"trigger": []any{
			map[string]any{"guid": "r1", "name": "audit", "obj_type": "database", "obj_id": "t1"},
			map[string]any{"guid": "r2", "name": "audit", "obj_type": "database", "obj_id": "t1"},
			map[string]any{"guid": "r3", "name": "audit", "obj_type": "database", "obj_id": "t9"},
			map[string]any{"guid": "r4", "name": "audit", "obj_type": "workspace", "obj_id": 0},
			map[string]any{"guid": "r5", "name": "solo", "obj_type": "database", "obj_id": "t1"},
		},
	})))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"trigger/audit (guid r1)", "trigger/audit (guid r2)", "trigger/audit (on database t9)",
		"trigger/audit (on workspace)", "trigger/solo"}
	if !slices.Equal(keys["trigger"], want) {
		t.Fatalf("triggers: %q, want %q", keys["trigger"], want)
	}
}

func TestObjectKeyRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		o    ObjectIdent
		want string
	}{
		{ObjectIdent{List: "dbo", Name: "user"}, "table/user"},
		{ObjectIdent{List: "app", Name: "public"}, "api_group/public"},
		{ObjectIdent{List: "query", Name: "users/{id}", Verb: "get", Parent: "public"}, "endpoint/public/GET users/{id}"},
		{ObjectIdent{List: "query", Name: "x", Parent: "a/b"}, "endpoint/a%2Fb/x"},
		{ObjectIdent{List: "message", Name: "hi", Parent: "rooms/{room_id}"}, "message/rooms%2F{room_id}/hi"},
		{ObjectIdent{List: "toolset", Name: "s", Type: "mcp"}, "mcp_server/s"},
		{ObjectIdent{List: "toolset", Name: "s", Type: "agent"}, "agent/s"},
		{ObjectIdent{List: "toolset", Name: "s"}, "toolset/s"},
		{ObjectIdent{List: "env", GUID: "g"}, "env/(guid g)"},
		{ObjectIdent{List: "vault", Pos: 3}, "vault/(#3)"},
	} {
		if got := ObjectKey(c.o); got != c.want {
			t.Errorf("ObjectKey(%+v) = %q, want %q", c.o, got, c.want)
		}
	}
}
