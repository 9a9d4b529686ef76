package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// BranchInfo describes what an archive holds of one branch, read by InspectBranch.
type BranchInfo struct {
	// ContentSHA256 is BranchContentSHA256's value.
	ContentSHA256 string
	// Objects is the branch's object inventory (see the package doc): the archive's inventory
	// without the workspace-wide tables (no "table/..." keys).
	Objects map[string]string
	// Facts are the facts of the objects (see ChangeDetails), by inventory key; nil with Objects.
	Facts map[string]Facts
	// Incomplete is the limit that stopped the inspection of a complete archive, as
	// Info.Incomplete; then ContentSHA256 is empty and Objects nil.
	Incomplete *LimitError
}

// InspectBranch streams r once, under lim (zero fields take defaults), and returns the branch
// content hash (BranchContentSHA256) and the branch's object inventory, both computed in that
// one pass. It returns ErrEncrypted for an encrypted archive.
func InspectBranch(r io.Reader, lim Limits) (BranchInfo, error) {
	w := newWalker(lim)
	defer w.close()
	h := newContentHasher(w.lim)
	defer h.close()
	h.branchOnly = true
	le, err := w.inspect(r, branchEntryFunc(h))
	if err != nil {
		return BranchInfo{}, err
	}
	if le != nil {
		return BranchInfo{Incomplete: le}, nil
	}
	return BranchInfo{ContentSHA256: h.sum(), Objects: h.inventory(), Facts: h.objectFacts()}, nil
}

// Inventory key prefixes of the payload lists Xano's UI names; any other list keeps its own name.
var inventoryPrefixes = map[string]string{
	"dbo":        "table",
	"function":   "function",
	"app":        "api_group",
	"query":      "endpoint",
	"task":       "task",
	"trigger":    "trigger",
	"middleware": "middleware",
	"addon":      "addon",
}

// inventorySkipped are payload members that describe the export itself, not objects of the
// workspace: "workspace" (the workspace's own record) and "branch" (always [] in exports, see the
// reference notes). Members that are not arrays ("partial", a flag) are skipped as well.
var inventorySkipped = map[string]bool{"workspace": true, "branch": true}

// inventory returns the object inventory of the root document seen, never nil.
func (h *contentHasher) inventory() map[string]string {
	if h.objects == nil {
		return map[string]string{}
	}
	return h.objects
}

// noteRootObjects records the inventory of a new root document: doc is its canonical form when
// it is a signed bundle, nil otherwise (then the archive lists no objects).
func (h *contentHasher) noteRootObjects(doc []byte) {
	h.objects, h.facts = nil, nil
	if doc != nil {
		h.objects = inventoryOf(doc, h.branchOnly)
		h.facts = FactsOf(doc, h.branchOnly)
	}
}

// invItem is one object of a payload list, as far as its key is concerned.
type invItem struct {
	list           string
	pos            int // 1-based position in its list
	start, end     int // the object's canonical bytes in the document
	name, guid, id string
	verb           string
	groupRef       string // the API group an endpoint refers to: its id or guid
	groupRefIsGUID bool
	hasGroupRef    bool
}

// inventoryOf returns the object inventory of a canonical JSON document (as the canonicalizer
// writes it: no whitespace, sorted keys, no repeated keys): the objects of the arrays of its
// top-level "payload" object. branchOnly leaves out "dbo" (tables). A document that is not an
// object with an object "payload" lists no objects.
func inventoryOf(doc []byte, branchOnly bool) map[string]string {
	out := map[string]string{}
	items, keys := inventoryItems(doc, branchOnly)
	for i, it := range items {
		sum := sha256.Sum256(doc[it.start:it.end])
		out[keys[i]] = hex.EncodeToString(sum[:])
	}
	return out
}

// inventoryItems returns the objects inventoryOf lists, and their keys.
func inventoryItems(doc []byte, branchOnly bool) ([]invItem, []string) {
	payload, ok := memberValue(doc, "payload")
	if !ok || doc[payload[0]] != '{' {
		return nil, nil
	}
	var items []invItem
	eachMember(doc, payload[0], func(key string, vs, ve int) bool {
		if inventorySkipped[key] || (branchOnly && key == "dbo") || doc[vs] != '[' {
			return true
		}
		pos := 0
		return eachElement(doc, vs, func(es, ee int) bool {
			pos++
			it := invItem{list: key, pos: pos, start: es, end: ee}
			if doc[es] == '{' {
				readItemFields(doc, es, &it)
			}
			items = append(items, it)
			return true
		})
	})
	return items, itemKeys(items)
}

// itemKeys assigns every item its inventory key, following the rule of the package doc.
func itemKeys(items []invItem) []string {
	keys := make([]string, len(items))
	// API groups first: endpoint keys name their group by its label.
	groupByID, groupByGUID := map[string]string{}, map[string]string{}
	label := func(i int) string { return keys[i][len(prefixOf(items[i].list))+1:] }
	assign := func(sel func(it invItem) bool, base func(it invItem) string) {
		var idx []int
		type listKey struct{ list, base string }
		groups := map[listKey][]int{}
		bases := make([]string, len(items))
		for i, it := range items {
			if sel(it) {
				idx = append(idx, i)
				b := base(it)
				bases[i] = b
				groups[listKey{it.list, b}] = append(groups[listKey{it.list, b}], i)
			}
		}
		guids := map[listKey]map[string]int{}
		for _, i := range idx {
			lk := listKey{items[i].list, bases[i]}
			if len(groups[lk]) > 1 {
				if guids[lk] == nil {
					guids[lk] = map[string]int{}
				}
				guids[lk][items[i].guid]++
			}
		}
		for _, i := range idx {
			lk := listKey{items[i].list, bases[i]}
			keys[i] = disambiguate(bases[i], groups[lk], guids[lk], items, i)
		}
	}
	assign(func(it invItem) bool { return it.list == "app" }, func(it invItem) string {
		return "api_group/" + itemLabel(it)
	})
	for i, it := range items {
		if it.list != "app" {
			continue
		}
		if it.id != "" {
			if _, dup := groupByID[it.id]; !dup {
				groupByID[it.id] = label(i)
			} else {
				groupByID[it.id] = "" // ambiguous: two groups with one id
			}
		}
		if it.guid != "" {
			if _, dup := groupByGUID[it.guid]; !dup {
				groupByGUID[it.guid] = label(i)
			} else {
				groupByGUID[it.guid] = ""
			}
		}
	}
	assign(func(it invItem) bool { return it.list != "app" }, func(it invItem) string {
		if it.list != "query" {
			return prefixOf(it.list) + "/" + itemLabel(it)
		}
		group := "(no api group)"
		if it.hasGroupRef {
			m, what := groupByID, "id"
			if it.groupRefIsGUID {
				m, what = groupByGUID, "guid"
			}
			if g := m[it.groupRef]; g != "" {
				group = g
			} else {
				group = "(api group " + what + " " + it.groupRef + ")"
			}
		}
		ep := itemLabel(it)
		if it.verb != "" {
			ep = strings.ToUpper(it.verb) + " " + ep
		}
		return "endpoint/" + group + "/" + ep
	})
	// A list named like a UI prefix (say "table") could still produce a key another list has:
	// such keys get the list and position, never merged.
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		for seen[k] {
			k += " (" + items[i].list + " #" + strconv.Itoa(items[i].pos) + ")"
		}
		seen[k] = true
		keys[i] = k
	}
	return keys
}

// prefixOf returns the key prefix of a payload list.
func prefixOf(list string) string {
	if p, ok := inventoryPrefixes[list]; ok {
		return p
	}
	return list
}

// itemLabel names an object within its list: its name (for endpoints, "path" first), else its
// guid, else its position.
func itemLabel(it invItem) string {
	switch {
	case it.name != "":
		return it.name
	case it.guid != "":
		return "(guid " + it.guid + ")"
	}
	return "(#" + strconv.Itoa(it.pos) + ")"
}

// disambiguate returns the key of items[i] whose base key b is shared by the items of group:
// b itself when alone, else b with " (guid <guid>)" when the item has a name and a guid no other
// item of the group has, else b with " (#<position>)". guids counts the guids of the group.
func disambiguate(b string, group []int, guids map[string]int, items []invItem, i int) string {
	if len(group) == 1 {
		return b
	}
	it := items[i]
	if it.name != "" && it.guid != "" && guids[it.guid] == 1 {
		return b + " (guid " + it.guid + ")"
	}
	return b + " (#" + strconv.Itoa(it.pos) + ")"
}

// readItemFields reads the members of the object at doc[start] that make its key.
func readItemFields(doc []byte, start int, it *invItem) {
	var path, appID, apigroupID, appObjID, appObjGUID string
	eachMember(doc, start, func(key string, vs, ve int) bool {
		switch key {
		case "name":
			it.name = scalarText(doc[vs:ve])
		case "path":
			path = scalarText(doc[vs:ve])
		case "guid":
			it.guid = scalarText(doc[vs:ve])
		case "id":
			it.id = scalarText(doc[vs:ve])
		case "verb":
			it.verb = scalarText(doc[vs:ve])
		case "app_id":
			appID = scalarText(doc[vs:ve])
		case "apigroup_id":
			apigroupID = scalarText(doc[vs:ve])
		case "app":
			eachMember(doc, vs, func(k string, s, e int) bool {
				switch k {
				case "id":
					appObjID = scalarText(doc[s:e])
				case "guid":
					appObjGUID = scalarText(doc[s:e])
				}
				return true
			})
		}
		return true
	})
	// The group reference: app_id, else apigroup_id, else app.id, else app.guid.
	for _, ref := range []string{appID, apigroupID, appObjID} {
		if ref != "" {
			it.groupRef, it.hasGroupRef = ref, true
			break
		}
	}
	if !it.hasGroupRef && appObjGUID != "" {
		it.groupRef, it.groupRefIsGUID, it.hasGroupRef = appObjGUID, true, true
	}
	if it.list == "query" && path != "" {
		it.name = path
	}
}

// scalarText returns a JSON string's value or a number's literal, and "" for anything else.
func scalarText(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	switch c := v[0]; {
	case c == '"':
		return decodeString(v)
	case c == '-' || (c >= '0' && c <= '9'):
		return string(v)
	}
	return ""
}

// decodeString decodes a canonical JSON string token.
func decodeString(v []byte) string {
	if len(v) < 2 {
		return ""
	}
	inner := v[1 : len(v)-1]
	if !strings.ContainsRune(string(inner), '\\') {
		return string(inner)
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// The scanner below reads canonical JSON (no whitespace, valid); on anything else it stops
// without panicking and reports false.

// skipValue returns the index just past the value starting at doc[i], or -1.
func skipValue(doc []byte, i int) int {
	if i >= len(doc) {
		return -1
	}
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(doc); j++ {
			switch doc[j] {
			case '"':
				e := skipString(doc, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(doc) {
		switch doc[j] {
		case ',', ']', '}', ':':
			if j == i {
				return -1
			}
			return j
		}
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// skipString returns the index just past the string starting at doc[i], or -1. A quote ends the
// string unless an odd run of backslashes precedes it (valid JSON uses backslashes only in
// escapes).
func skipString(doc []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(doc[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		n := 0
		for p := q - 1; p > i && doc[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// eachMember calls fn with every member of the object at doc[start] (key decoded, value as
// doc[vs:ve]) until fn returns false, or doc is not canonical there.
func eachMember(doc []byte, start int, fn func(key string, vs, ve int) bool) {
	if start >= len(doc) || doc[start] != '{' {
		return
	}
	i := start + 1
	if i < len(doc) && doc[i] == '}' {
		return
	}
	for i < len(doc) && doc[i] == '"' {
		ke := skipString(doc, i)
		if ke < 0 || ke >= len(doc) || doc[ke] != ':' {
			return
		}
		vs := ke + 1
		ve := skipValue(doc, vs)
		if ve < 0 || ve >= len(doc) || !fn(decodeString(doc[i:ke]), vs, ve) || doc[ve] != ',' {
			return
		}
		i = ve + 1
	}
}

// eachElement calls fn with every element doc[es:ee] of the array at doc[start] until fn
// returns false; it reports false when doc is not canonical there.
func eachElement(doc []byte, start int, fn func(es, ee int) bool) bool {
	if start >= len(doc) || doc[start] != '[' {
		return false
	}
	i := start + 1
	if i < len(doc) && doc[i] == ']' {
		return true
	}
	for i < len(doc) {
		ee := skipValue(doc, i)
		if ee < 0 || ee >= len(doc) {
			return false
		}
		if !fn(i, ee) {
			return true
		}
		switch doc[ee] {
		case ',':
			i = ee + 1
		case ']':
			return true
		default:
			return false
		}
	}
	return false
}

// memberValue returns the bounds of the value of the member key of the top-level object.
func memberValue(doc []byte, key string) ([2]int, bool) {
	var r [2]int
	found := false
	eachMember(doc, 0, func(k string, vs, ve int) bool {
		if k == key {
			r, found = [2]int{vs, ve}, true
			return false
		}
		return true
	})
	return r, found
}

// bundleDoc returns doc when it is a signed bundle, nil otherwise.
func bundleDoc(doc []byte, bundle bool) []byte {
	if !bundle {
		return nil
	}
	return doc
}
