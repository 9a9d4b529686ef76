package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// referenceObjectSums decodes doc with encoding/json and returns the canonical SHA-256 of every
// object the inventory must list (all of them, and those of the tables), sorted, and of the
// workspace record (its name and description); ok is false when doc is not a document with an
// object payload.
func referenceObjectSums(t *testing.T, doc []byte) (all, tables []string, workspace string, ok bool) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var top any
	if d.Decode(&top) != nil {
		return nil, nil, "", false
	}
	m, _ := top.(map[string]any)
	payload, isObj := m["payload"].(map[string]any)
	if !isObj {
		return nil, nil, "", false
	}
	var c canonicalizer
	if ws, isObj := payload["workspace"].(map[string]any); isObj {
		kept := map[string]any{}
		for k := range workspaceMembers {
			if v, has := ws[k]; has {
				kept[k] = v
			}
		}
		raw, err := json.Marshal(kept)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.canonicalize(raw)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(out)
		all = append(all, hex.EncodeToString(s[:]))
		workspace = hex.EncodeToString(s[:])
	}
	for list, v := range payload {
		elems, isList := v.([]any)
		if !isList || inventorySkipped[list] {
			continue
		}
		for _, e := range elems {
			raw, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.canonicalize(raw)
			if err != nil {
				t.Fatalf("canonicalize(%q): %v", raw, err)
			}
			s := sha256.Sum256(out)
			all = append(all, hex.EncodeToString(s[:]))
			if list == "dbo" {
				tables = append(tables, hex.EncodeToString(s[:]))
			}
		}
	}
	sort.Strings(all)
	sort.Strings(tables)
	return all, tables, workspace, true
}

func sortedValues(m map[string]string) []string {
	v := make([]string, 0, len(m))
	for _, h := range m {
		v = append(v, h)
	}
	sort.Strings(v)
	return v
}

// FuzzInventory checks that the inventory of a canonical document lists every payload object
// once, by its canonical hash as computed apart, and that branch inventories leave out exactly
// the tables.
func FuzzInventory(f *testing.F) {
	payload, _ := inventoryPayload()
	f.Add(bundleJSON(f, "schema", payload))
	f.Add([]byte(`{"payload":{"function":[{"name":"a","guid":"g"},{"name":"a","guid":"g"},{"guid":"x"},3,"s",[],null]}}`))
	f.Add([]byte(`{"payload":{"app":[{"id":1,"name":"a\"b"}],"query":[{"app_id":1,"verb":"get","name":"x\\y"},{"app":{"guid":"z"}}]}}`))
	f.Add([]byte(`{"payload":{"dbo":[{"name":"t"}],"table":[{"name":"t"}],"workspace":{"name":"w"},"branch":[1],"partial":true}}`))
	f.Add([]byte(`{"payload":{"f":[{"name":"\u00e9\n","id":1e3}]},"payload":{"g":[{}]}}`))
	_, realShaped := realPayload(f, realWorkspaceRecord("CRM Application", "c1"))
	f.Add(mustJSON(f, mustBundle(f, "workspace", realShaped)))
	f.Add(bundleJSON(f, "schema", map[string]any{"dbo": []any{map[string]any{"guid": "t", "name": "u"}, map[string]any{"guid": "t2", "name": "u"}},
		"trigger": []any{map[string]any{"name": "a", "obj_type": "database", "obj_id": "t"}, map[string]any{"name": "a", "obj_type": "database", "obj_id": "t2"}},
		"table":   []any{map[string]any{"name": "u (guid t)"}}, "workspace": map[string]any{"name": "w"}}))
	f.Add([]byte(`{"payload":{"app":[{"guid":"g","name":"a/b%"}],"query":[{"app":{"id":"g"},"name":"x"},{"app":{"id":"g"},"name":"x"}],"channel":[{"guid":"c","name":"r/{id}"}],"message":[{"channel":{"id":"c"},"name":"m"}],"trigger":[{"name":"t","obj_type":"channel","obj_id":"c"},{"name":"t","obj_type":"database","obj_id":0}],"toolset":[{"name":"s","type":"mcp"},{"name":"s","type":"agent"}],"mcp_server":[{"name":"s"}]}}`))
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	var c canonicalizer
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = inventoryOf(data, false) // not canonical: must not panic
		out, err := c.canonicalize(data)
		if err != nil {
			return
		}
		doc := bytes.Clone(out)
		inv := inventoryOf(doc, false)
		branch := inventoryOf(doc, true)
		if again := inventoryOf(doc, false); !reflect.DeepEqual(inv, again) {
			t.Fatalf("inventory is not deterministic: %v then %v", inv, again)
		}
		for k, h := range inv {
			if k == "" || (!strings.Contains(k, "/") && k != workspaceKey) || len(h) != 64 {
				t.Fatalf("bad inventory line %q -> %q", k, h)
			}
		}
		// The branch view reads a bundle without its tables and workspace record, and the tables
		// apart: it must list what the branch inventory of the whole document lists.
		if stripped, tables := withoutWorkspacePayload(data); !bytes.Equal(stripped, data) {
			var sc, tc canonicalizer
			sdoc, err := sc.canonicalize(stripped)
			if err != nil {
				t.Fatalf("the stripped bundle is not JSON: %v", err)
			}
			var tdoc []byte
			if tables != nil {
				if tdoc, err = tc.canonicalize(tables); err != nil {
					t.Fatalf("the tables are not JSON: %v", err)
				}
			}
			if got := inventoryWith(sdoc, true, tdoc); !reflect.DeepEqual(got, branch) {
				t.Fatalf("branch view of %q:\n got %q\nwant %q", data, sortedKeys(got), sortedKeys(branch))
			}
		}
		// PayloadKeys names the elements of the lists as the inventory does.
		byList, err := PayloadKeys(data)
		if err != nil {
			t.Fatalf("PayloadKeys: %v", err)
		}
		var listed []string
		for _, keys := range byList {
			listed = append(listed, keys...)
		}
		if _, has := inv[workspaceKey]; has && !slices.Contains(listed, workspaceKey) {
			listed = append(listed, workspaceKey)
		}
		sort.Strings(listed)
		if got := sortedKeys(inv); !slices.Equal(got, listed) {
			t.Fatalf("PayloadKeys of %q:\n got %q\nwant %q", data, listed, got)
		}
		all, tables, workspace, ok := referenceObjectSums(t, data)
		if !ok {
			if len(inv) != 0 {
				t.Fatalf("document without an object payload lists %v", inv)
			}
			return
		}
		if got := sortedValues(inv); !slices.Equal(got, all) {
			t.Fatalf("inventory of %q:\n got %q\nwant %q (keys %q)", data, got, all, sortedKeys(inv))
		}
		if workspace != "" && inv[workspaceKey] != workspace {
			t.Fatalf("workspace of %q: %q, want %q", data, inv[workspaceKey], workspace)
		}
		if _, has := branch[workspaceKey]; has && !strings.Contains(string(data), `"workspace":[`) {
			t.Fatalf("branch inventory of %q lists the workspace record", data)
		}
		var rest []string
		if workspace != "" {
			i, _ := slices.BinarySearch(all, workspace)
			all = slices.Delete(slices.Clone(all), i, i+1)
		}
		for _, h := range all {
			if i, found := slices.BinarySearch(tables, h); found {
				tables = slices.Delete(tables, i, i+1)
				continue
			}
			rest = append(rest, h)
		}
		if got := sortedValues(branch); !slices.Equal(got, rest) {
			t.Fatalf("branch inventory of %q:\n got %q\nwant %q", data, got, rest)
		}
	})
}

// parseInventory reads "key=value" lines into an inventory (later lines win).
func parseInventory(b []byte) map[string]string {
	m := map[string]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func FuzzDiffObjects(f *testing.F) {
	f.Add([]byte("function/a=1\nfunction/b=2\ntask/x=3"), []byte("function/a=1\nfunction/b=9\naddon/y=4"), 2)
	f.Add([]byte(""), []byte("a=1"), 0)
	f.Add([]byte("a=1\nb=2\nc=3"), []byte(""), 1)
	f.Fuzz(func(t *testing.T, a, b []byte, limit int) {
		old, cur := parseInventory(a), parseInventory(b)
		d := DiffObjects(old, cur)
		for _, l := range [][]string{d.Added, d.Changed, d.Removed} {
			if !slices.IsSorted(l) || len(slices.Compact(slices.Clone(l))) != len(l) {
				t.Fatalf("list not sorted or repeated: %q", l)
			}
		}
		status := map[string]string{}
		for _, k := range d.Added {
			status[k] = "added"
		}
		for _, k := range d.Changed {
			status[k] = "changed"
		}
		for _, k := range d.Removed {
			status[k] = "removed"
		}
		if len(status) != d.Len() {
			t.Fatalf("a key is in two lists: %+v", d)
		}
		for _, m := range []map[string]string{old, cur} {
			for k := range m {
				ov, inOld := old[k]
				nv, inNew := cur[k]
				want := ""
				switch {
				case !inOld:
					want = "added"
				case !inNew:
					want = "removed"
				case ov != nv:
					want = "changed"
				}
				if status[k] != want {
					t.Fatalf("key %q: %q, want %q", k, status[k], want)
				}
			}
		}
		if d.Empty() != (d.Len() == 0) {
			t.Fatalf("Empty() = %v for %+v", d.Empty(), d)
		}
		limit %= 64
		lines := d.Lines(limit)
		total := d.Len()
		switch {
		case limit <= 0 || total <= limit:
			if len(lines) != total {
				t.Fatalf("Lines(%d) = %d lines for %d objects", limit, len(lines), total)
			}
		default:
			if len(lines) != limit || lines[limit-1] != "and "+strconv.Itoa(total-limit+1)+" more" {
				t.Fatalf("Lines(%d) of %d objects = %q", limit, total, lines)
			}
		}
		for i, l := range lines {
			if i == len(lines)-1 && strings.HasPrefix(l, "and ") && limit > 0 && total > limit {
				break
			}
			word, key, _ := strings.Cut(l, " ")
			if status[key] != word {
				t.Fatalf("line %q does not match the diff", l)
			}
		}
	})
}
