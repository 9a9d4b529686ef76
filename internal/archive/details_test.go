package archive

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// canonical returns the canonical form of a JSON text.
func canonical(t testing.TB, s string) []byte {
	t.Helper()
	var c canonicalizer
	out, err := c.canonicalize([]byte(s))
	if err != nil {
		t.Fatalf("canonicalize(%s): %v", s, err)
	}
	return append([]byte(nil), out...)
}

func detailsOf(t *testing.T, list, before, after string) ObjectDetails {
	t.Helper()
	return ChangeDetails(objectFacts(list, canonical(t, before)), objectFacts(list, canonical(t, after)))
}

func TestChangeDetailsTable(t *testing.T) {
	before := `{"name":"user","guid":"g1","schema":[{"name":"id","type":"int"},{"name":"email","type":"email","nullable":false},{"name":"age","type":"int"},{"name":"nick","type":"text","description":"n"}],
		"index":[{"type":"primary","field":[{"name":"id"}]}]}`
	after := `{"name":"user","guid":"g1","schema":[{"name":"id","type":"int"},{"name":"email","type":"email","nullable":true},{"name":"age","type":"decimal"},{"name":"nickname","type":"text","description":"n"},{"name":"plan","type":"enum"}],
		"index":[{"type":"primary","field":[{"name":"id"}]},{"type":"btree","field":[{"name":"age","op":"desc"}]}]}`
	d := detailsOf(t, "dbo", before, after)
	want := []string{
		"column age retyped int → decimal",
		"column nick renamed to nickname",
		"column email changed",
		"column plan added (enum)",
		"index btree(age desc) added",
	}
	if !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("lines:\n got %q\nwant %q", d.Lines, want)
	}
	if want := want[:2]; !reflect.DeepEqual(d.Destructive, want) {
		t.Errorf("destructive: got %q, want %q", d.Destructive, want)
	}
}

func TestChangeDetailsColumnRemoved(t *testing.T) {
	d := detailsOf(t, "dbo", `{"schema":[{"name":"a","type":"text"},{"name":"b","type":"int"}]}`,
		`{"schema":[{"name":"b","type":"int"}]}`)
	want := []string{"column a removed (was text)"}
	if !reflect.DeepEqual(d.Lines, want) || !reflect.DeepEqual(d.Destructive, want) {
		t.Errorf("got %+v, want %q destructive", d, want)
	}
}

func TestChangeDetailsEndpoint(t *testing.T) {
	d := detailsOf(t, "query",
		`{"path":"users","verb":"GET","auth":{"table":"user"},"input":[{"name":"q","type":"text"},{"name":"page","type":"int"}],"middleware":{"pre":[]},"description":"lists"}`,
		`{"path":"users","verb":"GET","input":[{"name":"q","type":"int"},{"name":"limit","type":"int","default":10}],"middleware":{"pre":[{"name":"log"}]},"description":"lists users"}`)
	want := []string{
		"auth removed",
		`description "lists" → "lists users"`,
		"input limit added (int)",
		"input page removed (was int)",
		"input q retyped text → int",
		"middleware changed",
	}
	if !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("lines:\n got %q\nwant %q", d.Lines, want)
	}
	if len(d.Destructive) != 0 {
		t.Errorf("an endpoint's change loses no data: %q", d.Destructive)
	}
}

func TestChangeDetailsTaskAndTrigger(t *testing.T) {
	d := detailsOf(t, "task", `{"name":"sync","active":true,"schedule":[{"starts_on":"2026-01-01","freq":86400}]}`,
		`{"name":"sync","active":false,"schedule":[{"starts_on":"2026-01-01","freq":3600}]}`)
	if want := []string{"active true → false", "schedule changed"}; !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("task: got %q, want %q", d.Lines, want)
	}
	d = detailsOf(t, "trigger", `{"name":"t","table_id":3,"event":"insert"}`, `{"name":"t","table_id":4,"event":"insert"}`)
	if want := []string{"target table_id 3 → 4"}; !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("trigger: got %q, want %q", d.Lines, want)
	}
	// A generic object: its changed top-level members by name; a long value is not shown.
	long := strings.Repeat("x", 100)
	d = detailsOf(t, "addon", `{"name":"a","code":"`+long+`","n":1}`, `{"name":"a","code":"`+long+`y","n":"1"}`)
	if want := []string{"code changed", `n 1 → "1"`}; !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("generic: got %q, want %q", d.Lines, want)
	}
}

func TestChangeDetailsUnknownAndEqual(t *testing.T) {
	f := objectFacts("dbo", canonical(t, `{"schema":[{"name":"a","type":"text"}]}`))
	if d := ChangeDetails(nil, f); d.Lines != nil {
		t.Errorf("unknown facts give no details, got %q", d.Lines)
	}
	if d := ChangeDetails(f, f); len(d.Lines) != 0 {
		t.Errorf("equal facts give no details, got %q", d.Lines)
	}
}

func TestExplain(t *testing.T) {
	doc := func(users string) []byte {
		return canonical(t, `{"payload":{"dbo":[{"name":"user","schema":[`+users+`]},{"name":"order","schema":[]}],
			"function":[{"name":"f","input":[]}]}}`)
	}
	oldDoc := doc(`{"name":"id","type":"int"},{"name":"email","type":"text"}`)
	newDoc := canonical(t, `{"payload":{"dbo":[{"name":"user","schema":[{"name":"id","type":"int"}]}],
		"function":[{"name":"f","input":[{"name":"x","type":"int"}]}]}}`)
	e := Explain(inventoryOf(oldDoc, false), inventoryOf(newDoc, false), FactsOf(oldDoc, false), FactsOf(newDoc, false))
	if want := []string{"table/order removed", "table/user: column email removed (was text)"}; !reflect.DeepEqual(e.Destructive, want) {
		t.Errorf("destructive: got %q, want %q", e.Destructive, want)
	}
	if want := []string{"input x added (int)"}; !reflect.DeepEqual(e.Details["function/f"].Lines, want) {
		t.Errorf("function details: got %q, want %q", e.Details["function/f"].Lines, want)
	}
	// The facts follow the inventory's keys.
	if inv, facts := inventoryOf(oldDoc, true), FactsOf(oldDoc, true); len(inv) != len(facts) {
		t.Errorf("keys differ: %v vs %v", inv, facts)
	} else {
		for k := range inv {
			if _, ok := facts[k]; !ok {
				t.Errorf("no facts for %q", k)
			}
		}
	}
}

// FuzzChangeDetails checks, for any two objects, that facts have the inventory's keys, that an
// object compared with itself has no details, and that details are bounded and list their
// destructive lines first.
func FuzzChangeDetails(f *testing.F) {
	f.Add("dbo", `{"schema":[{"name":"a","type":"text"}],"index":[{"type":"btree","fields":[{"name":"a"}]}]}`,
		`{"schema":[{"name":"b","type":"text"},{"name":"a"},3],"index":[{},{}]}`)
	f.Add("query", `{"input":[{"name":"x"},{"name":"x"}],"verb":"GET"}`, `{"input":[1,"s",null],"verb":"POST"}`)
	f.Add("trigger", `{"table_id":1}`, `[1,2]`)
	f.Fuzz(func(t *testing.T, list, a, b string) {
		var c canonicalizer
		ca, err := c.canonicalize([]byte(a))
		if err != nil {
			return
		}
		ca = append([]byte(nil), ca...)
		cb, err := c.canonicalize([]byte(b))
		if err != nil {
			return
		}
		fa, fb := objectFacts(list, ca), objectFacts(list, cb)
		if d := ChangeDetails(fa, fa); len(d.Lines) != 0 {
			t.Fatalf("an object compared with itself has details: %q", d.Lines)
		}
		d := ChangeDetails(fa, fb)
		if len(d.Lines) > MaxDetailLines {
			t.Fatalf("%d lines", len(d.Lines))
		}
		for i, line := range d.Destructive {
			if i < len(d.Lines) && !strings.HasPrefix(d.Lines[i], "and ") && d.Lines[i] != line {
				t.Fatalf("destructive line %q is not listed first: %q", line, d.Lines)
			}
		}
		doc, _ := json.Marshal(map[string]any{"payload": map[string]any{list: []json.RawMessage{ca, cb}}})
		cd, err := c.canonicalize(doc)
		if err != nil {
			t.Fatal(err)
		}
		if inv, facts := inventoryOf(cd, false), FactsOf(cd, false); len(inv) != len(facts) {
			t.Fatalf("inventory has %d keys, facts %d", len(inv), len(facts))
		}
	})
}

func TestTablePages(t *testing.T) {
	for name, want := range map[string]string{
		"content/abc-1.json": "abc", "content/a-b_c-12.json": "a-b_c", "content/g/3.json": "g",
		"content/abc.json": "", "content/-1.json": "", "workspace.json": "", "content/x-y.json": "",
	} {
		got, ok := pageTable(name)
		if got != want || ok != (want != "") {
			t.Errorf("pageTable(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	doc := canonical(t, `{"payload":{"dbo":[{"name":"user","guid":"g-1"},{"name":"order","guid":"g2"}]}}`)
	got := TablePages(FactsOf(doc, false), map[string]int{"g-1": 2, "g2": 1, "zz": 4})
	want := map[string]int{"table/user": 2, "table/order": 1, "(table guid zz)": 4}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TablePages = %v, want %v", got, want)
	}
}

// BenchmarkInspectFacts is BenchmarkInspectSchemaObjects with and without the facts
// (WithFacts), in one run: their ratio is what the facts cost a plan that asks for them.
func BenchmarkInspectFacts(b *testing.B) {
	data := schemaObjectsArchive(b)
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"hash-only", nil}, {"with-facts", []Option{WithFacts()}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Inspect(bytes.NewReader(data), Limits{}, tc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Values that may be secrets are never shown: an environment variable's, or any member named
// like a key, a token or a password; their change is still told.
func TestChangeDetailsSecrets(t *testing.T) {
	d := detailsOf(t, "env", `{"name":"STRIPE","value":"sk_live_1"}`, `{"name":"STRIPE","value":"sk_live_2"}`)
	if want := []string{"value changed"}; !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("env: got %q, want %q", d.Lines, want)
	}
	d = detailsOf(t, "function", `{"name":"f","api_key":"a1","token":"t1"}`, `{"name":"f","api_key":"a2","token":"t2"}`)
	if want := []string{"api_key changed", "token changed"}; !reflect.DeepEqual(d.Lines, want) {
		t.Errorf("function: got %q, want %q", d.Lines, want)
	}
	for _, line := range d.Lines {
		if strings.Contains(line, "a1") || strings.Contains(line, "t2") {
			t.Errorf("a secret is shown: %q", line)
		}
	}
}
