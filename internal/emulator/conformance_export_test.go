package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// realPayloadMembers are the members of a real export's payload, in the engine's order (read
// from an engine-signed workspace.json).
var realPayloadMembers = []string{"partial", "action_package_install", "addon", "app", "branch", "channel", "dbo",
	"env", "function", "market_item", "message", "microservice", "middleware", "query", "realtime_server",
	"run_install", "task", "tool", "knowledge", "knowledge_file", "toolset", "trigger", "vault", "workflow_test",
	"service", "workspace"}

// orderedKeys returns the member names of a JSON object in the order written.
func orderedKeys(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %.80s", raw)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		k, _ := tok.(string)
		out = append(out, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestConformanceExportShape(t *testing.T) {
	in := emulatortest.Start(t, nil)
	in.AddTable(t, 1, "zz_created_third") // tables keep creation order, not name or guid order
	in.AddTable(t, 1, "aa_created_fourth")
	for _, full := range []bool{false, true} {
		data := in.Export(t, 1, "", full)
		root := entries(t, data)["workspace.json"]
		if got := orderedKeys(t, root); !slices.Equal(got, []string{"app", "version", "type", "payload", "sig"}) {
			t.Fatalf("envelope members %v", got)
		}
		if ok, err := archive.Verify(root); !ok || err != nil {
			t.Fatalf("signature: %v %v", ok, err)
		}
		typ, p := bundlePayload(t, root)
		if want := map[bool]string{false: "schema", true: "workspace"}[full]; typ != want {
			t.Fatalf("type %q, want %q", typ, want)
		}
		var env struct {
			Payload json.RawMessage `json:"payload"`
		}
		decodeJSON(t, root, &env)
		if got := orderedKeys(t, env.Payload); !slices.Equal(got, realPayloadMembers) {
			t.Fatalf("payload members\n got %v\nwant %v", got, realPayloadMembers)
		}
		if string(p["partial"]) != "false" || string(p["branch"]) != "[]" {
			t.Fatalf("partial %s, branch %s", p["partial"], p["branch"])
		}

		var ws map[string]any
		decodeJSON(t, p["workspace"], &ws)
		for _, k := range []string{"id", "name", "description", "checksum", "iv", "salt", "secret", "crypto", "settings", "release", "git", "branch"} {
			if _, ok := ws[k]; !ok {
				t.Errorf("the workspace record has no %q: %s", k, p["workspace"])
			}
		}
		for _, k := range []string{"iv", "salt", "secret"} {
			if s, _ := ws[k].(string); !strings.HasPrefix(s, "FAKE-") {
				t.Errorf("workspace %s %q is not plainly fake", k, s)
			}
		}

		type obj = map[string]any
		var lists = map[string][]obj{}
		for _, k := range []string{"app", "query", "task", "function", "dbo"} {
			var l []obj
			decodeJSON(t, p[k], &l)
			lists[k] = l
		}
		lists["workspace"] = []obj{ws}
		for k, l := range lists {
			for _, o := range l {
				if !reflect.DeepEqual(o["branch"], obj{"id": float64(0)}) {
					t.Errorf("%s %v: branch is %v, want {id: 0}", k, o["name"], o["branch"])
				}
			}
		}
		groups := map[string]string{}
		for _, g := range lists["app"] {
			if _, has := g["id"]; has {
				t.Errorf("api group %v has an id: real exports give it only a guid", g["name"])
			}
			guid, _ := g["guid"].(string)
			name, _ := g["name"].(string)
			groups[guid] = name
		}
		for _, e := range lists["query"] {
			ref, _ := e["app"].(obj)
			if _, has := e["app_id"]; has || groups[fmt.Sprint(ref["id"])] == "" {
				t.Errorf("endpoint %v does not name its api group by guid: %v", e["name"], e)
			}
		}
		var names []string
		for _, d := range lists["dbo"] {
			name, _ := d["name"].(string)
			names = append(names, name)
		}
		if want := []string{"user", "order", "zz_created_third", "aa_created_fourth"}; !slices.Equal(names, want) {
			t.Errorf("dbo order %v, want creation order %v", names, want)
		}

		// The inventory names the endpoints by their group's name.
		objs := inspect(t, data).Objects
		for _, k := range []string{"endpoint/public/GET users", "api_group/public", "task/nightly_sync", "table/user"} {
			if _, ok := objs[k]; !ok {
				t.Errorf("the inventory has no %q: %v", k, keys(objs))
			}
		}
	}
}

// realBundle is a schema shaped as a real export (payload members in the engine's order, guid
// references, an api group without id, branch {id: 0}, a full workspace record), made up.
func realBundle(t testing.TB, typ, wsName string) []byte {
	t.Helper()
	br := map[string]any{"id": 0}
	payload := fmt.Sprintf(`{"partial":false,"action_package_install":[],"addon":[],`+
		`"app":[{"guid":"3cNKgRoUpExAmPlEs000000001","name":"examples","canonical":"3cNKgRoU","branch":%[1]s}],`+
		`"branch":[],"channel":[{"guid":"ChRoOmS0000000000000000001","name":"rooms/{room_id}","branch":%[1]s}],`+
		`"dbo":[{"guid":"TbUsEr00000000000000000009","name":"user","branch":%[1]s},{"guid":"TbAcCoUnT00000000000000001","name":"account","branch":%[1]s}],`+
		`"env":[],"function":[{"id":3,"guid":"FnMaThToTaL000000000000001","name":"math/total","script":"return 1","branch":%[1]s}],`+
		`"market_item":[],"message":[{"guid":"MsJoInEd0000000000000000001","name":"joined","channel":{"id":"ChRoOmS0000000000000000001"},"branch":%[1]s}],`+
		`"microservice":[],"middleware":[],`+
		`"query":[{"id":5,"guid":"ZW6iTZd_Um-D-JVWGONk8TaDXg0","name":"ex_get_user","verb":"GET","app":{"id":"3cNKgRoUpExAmPlEs000000001"},"branch":%[1]s}],`+
		`"realtime_server":[],"run_install":[],"task":[],"tool":[{"guid":"ToSeArCh00000000000000001","name":"search","toolset":{"id":0},"branch":%[1]s}],`+
		`"knowledge":[],"knowledge_file":[],"toolset":[{"guid":"TsMcP000000000000000000001","name":"support","type":"mcp","branch":%[1]s}],`+
		`"trigger":[{"guid":"TrAuDiT0000000000000000001","name":"audit","obj_type":"database","obj_id":"TbUsEr00000000000000000009","branch":%[1]s}],`+
		`"vault":[],"workflow_test":[],"service":[],`+
		`"workspace":{"id":40,"name":%[2]q,"description":"","checksum":"c1","iv":"fake-iv","salt":"fake-salt","secret":"fake-secret","crypto":{"algo":"fake"},"settings":{"swagger":false},"release":{"id":0},"git":{"enabled":false},"branch":%[1]s}}`,
		mustJSONString(t, br), wsName)
	b, err := archive.NewBundle(typ, json.RawMessage(payload))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustJSONString(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A real-shaped archive imported over a workspace is exported unchanged (the same content hash,
// the same members in the same order), and its endpoint is found under its api group by guid.
func TestConformanceRealBundleImportExport(t *testing.T) {
	in := emulatortest.Start(t, &emulator.Fixture{Workspaces: []emulator.FixtureWorkspace{{ID: 40, Name: "CRM Application"}}})
	raw := realBundle(t, "workspace", "CRM Application")
	src := tarOf(t, [2]string{"workspace.json", string(raw)})
	status, data := upload(t, in, "/workspace/40/import", nil, "w.tar.gz", src, false)
	wantOK(t, status, data)
	exported := in.Export(t, 40, "", true)
	if a, b := inspect(t, src).ContentSHA256, inspect(t, exported).ContentSHA256; a != b {
		t.Fatalf("a real-shaped archive imported then exported changed content:\n%s", entries(t, exported)["workspace.json"])
	}
	var env, srcEnv struct {
		Payload json.RawMessage `json:"payload"`
	}
	decodeJSON(t, entries(t, exported)["workspace.json"], &env)
	decodeJSON(t, raw, &srcEnv)
	if a, b := orderedKeys(t, env.Payload), orderedKeys(t, srcEnv.Payload); !slices.Equal(a, b) {
		t.Fatalf("member order changed:\n got %v\nwant %v", a, b)
	}
	if _, ok := inspect(t, exported).Objects["endpoint/examples/GET ex_get_user"]; !ok {
		t.Fatalf("inventory: %v", keys(inspect(t, exported).Objects))
	}
	// The endpoint is listed under its api group: the guid reference was resolved.
	status, data = in.Do(t, http.MethodGet, "/workspace/40/apigroup", nil)
	wantOK(t, status, data)
	var groups struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	decodeJSON(t, data, &groups)
	if len(groups.Items) != 1 || groups.Items[0].Name != "examples" {
		t.Fatalf("groups: %s", data)
	}
	status, data = in.Do(t, http.MethodGet, fmt.Sprintf("/workspace/40/apigroup/%d/api", groups.Items[0].ID), nil)
	wantOK(t, status, data)
	if !strings.Contains(string(data), `"name":"ex_get_user"`) {
		t.Fatalf("the endpoint is not under its group: %s", data)
	}
}

// A real-shaped schema imported into a new branch: its endpoint is found under its api group by
// guid, and the branch's export keeps every member of the archive (the workspace record is the
// workspace's own).
func TestConformanceRealBundleImportSchema(t *testing.T) {
	in := emulatortest.Start(t, nil)
	raw := realBundle(t, "schema", "CRM Application")
	src := tarOf(t, [2]string{"workspace.json", string(raw)})
	status, data := upload(t, in, "/workspace/1/import-schema", map[string]string{"newbranch": "real"}, "s.tar.gz", src, false)
	wantOK(t, status, data)
	status, data = in.Do(t, http.MethodGet, "/workspace/1/apigroup?branch=real", nil)
	wantOK(t, status, data)
	var groups struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	decodeJSON(t, data, &groups)
	if len(groups.Items) != 1 {
		t.Fatalf("groups: %s", data)
	}
	status, data = in.Do(t, http.MethodGet, fmt.Sprintf("/workspace/1/apigroup/%d/api", groups.Items[0].ID), nil)
	wantOK(t, status, data)
	if !strings.Contains(string(data), `"name":"ex_get_user"`) {
		t.Fatalf("the endpoint is not under its group: %s", data)
	}
	objs := inspect(t, in.Export(t, 1, "real", false)).Objects
	for _, k := range []string{"endpoint/examples/GET ex_get_user", "message/rooms%2F{room_id}/joined", "mcp_server/support", "trigger/audit"} {
		if _, ok := objs[k]; !ok {
			t.Errorf("the export of the imported branch has no %q: %v", k, keys(objs))
		}
	}
}
