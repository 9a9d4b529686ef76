package archive

import "testing"

func TestParseKey(t *testing.T) {
	for key, want := range map[string]KeyParts{
		"function/hotfix":                   {Kind: "function", Name: "hotfix"},
		"function/dup (guid 1a2b)":          {Kind: "function", Name: "dup"},
		"endpoint/public/GET users/{id}":    {Kind: "endpoint", Parent: "public", Verb: "GET", Name: "users/{id}"},
		"endpoint/a%2Fb%25/users":           {Kind: "endpoint", Parent: "a/b%", Name: "users"},
		"message/rooms%2F{room_id}/hello":   {Kind: "message", Parent: "rooms/{room_id}", Name: "hello"},
		"trigger/on_insert (on table/user)": {Kind: "trigger", Name: "on_insert"},
		"task/nightly (x) (#2)":             {Kind: "task", Name: "nightly (x)"},
		"table/user (dbo #3)":               {Kind: "table", Name: "user"},
		"workspace":                         {Kind: "workspace"},
		"api_group/public":                  {Kind: "api_group", Name: "public"},
	} {
		if got := ParseKey(key); got != want {
			t.Errorf("ParseKey(%q) = %+v, want %+v", key, got, want)
		}
	}
	// ParseKey reverses ObjectKey.
	for _, o := range []ObjectIdent{
		{List: "query", Name: "users/{id}", Verb: "get", Parent: "v1/public"},
		{List: "message", Name: "m", Parent: "c%"},
		{List: "dbo", Name: "user"},
		{List: "toolset", Type: "mcp", Name: "srv"},
	} {
		p := ParseKey(ObjectKey(o))
		if p.Name != o.Name || p.Parent != o.Parent {
			t.Errorf("ParseKey(ObjectKey(%+v)) = %+v", o, p)
		}
	}
}
