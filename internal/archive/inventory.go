package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// inventorySkipped are payload members that describe the export itself, not objects of the
// workspace: "branch" (always [] in exports, see the reference notes) and "workspace" (the
// workspace's own record, inventoried apart: see workspaceKey). Members that are not arrays
// ("partial", a flag) are skipped as well.
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
	if doc == nil {
		return
	}
	var tables []byte
	if h.branchOnly && h.removedTables != nil {
		// The branch view hashes the bundle without its tables; triggers on tables are still
		// named by them, as in the whole-archive view.
		var c canonicalizer
		if t, err := c.canonicalize(h.removedTables); err == nil {
			tables = t
		}
	}
	h.objects = inventoryWith(doc, h.branchOnly, tables)
	if h.wantFacts {
		h.facts = factsWith(doc, h.branchOnly, tables)
	}
}

// inventoryOf returns the object inventory of a canonical JSON document (as the canonicalizer
// writes it: no whitespace, sorted keys, no repeated keys): the objects of the arrays of its
// top-level "payload" object, and the workspace's record (workspaceKey). branchOnly leaves out
// what is workspace-wide: "dbo" (tables) and the workspace record. A document that is not an
// object with an object "payload" lists no objects.
func inventoryOf(doc []byte, branchOnly bool) map[string]string {
	return inventoryWith(doc, branchOnly, nil)
}

// inventoryWith is inventoryOf for a document whose "dbo" list was removed (the branch view):
// tables is that list in canonical form, or nil. Its tables are not listed, but the objects that
// refer to them are named by them, so that keys are the same in both views.
func inventoryWith(doc []byte, branchOnly bool, tables []byte) map[string]string {
	out := map[string]string{}
	items, payload, ok := payloadItems(doc)
	if !ok {
		return out
	}
	if tables != nil {
		items = withTables(items, tables)
	}
	keys := itemKeys(items)
	for i, it := range items {
		if branchOnly && it.List == "dbo" {
			continue // read only for the triggers on tables: keys are the same in both views
		}
		sum := sha256.Sum256(doc[it.start:it.end])
		out[keys[i]] = hex.EncodeToString(sum[:])
	}
	if !branchOnly {
		// Every other key holds a "/": this one meets none.
		if sum, ok := workspaceSum(doc, payload); ok {
			out[workspaceKey] = sum
		}
	}
	return out
}

// payloadItems reads the elements of the array members of doc's object "payload" (skipping
// inventorySkipped), in payload key order; payload is the position of the payload object. ok is
// false when doc has no object payload.
func payloadItems(doc []byte) (items []invItem, payload int, ok bool) {
	pv, found := memberValue(doc, "payload")
	if !found || doc[pv[0]] != '{' {
		return nil, 0, false
	}
	eachMember(doc, pv[0], func(key string, vs, ve int) bool {
		if inventorySkipped[key] || doc[vs] != '[' {
			return true
		}
		pos := 0
		return eachElement(doc, vs, func(es, ee int) bool {
			pos++
			it := invItem{ObjectIdent: ObjectIdent{List: key, Pos: pos}, start: es, end: ee}
			if doc[es] == '{' {
				readItemFields(doc, es, &it)
			}
			items = append(items, it)
			return true
		})
	})
	return items, pv[0], true
}

// withTables returns items with the elements of the canonical array tables inserted as the "dbo"
// list, where payload key order puts it (their bytes are not in the document: they are read for
// their keys only, and never hashed).
func withTables(items []invItem, tables []byte) []invItem {
	var dbo []invItem
	pos := 0
	eachElement(tables, 0, func(es, ee int) bool {
		pos++
		it := invItem{ObjectIdent: ObjectIdent{List: "dbo", Pos: pos}}
		if tables[es] == '{' {
			readItemFields(tables, es, &it)
		}
		dbo = append(dbo, it)
		return true
	})
	at := len(items)
	for i, it := range items {
		if it.List == "dbo" {
			return items // the document has its own
		}
		if it.List > "dbo" {
			at = i
			break
		}
	}
	return slices.Insert(items, at, dbo...)
}

// workspaceKey is the inventory key of the workspace's own record (the payload's "workspace").
const workspaceKey = "workspace"

// workspaceMembers are the members of the workspace record that its inventory hash covers: what
// a user sets. The rest of the record (checksum, iv, salt, secret, crypto, settings, release,
// git, branch, ids and times) is engine state, part of content_sha256 but not of the inventory.
var workspaceMembers = map[string]bool{"name": true, "description": true}

// workspaceSum is the hash of the workspace record of the payload object at doc[payload]: the
// canonical SHA-256 of the object made of its workspaceMembers only. ok is false when the payload
// has no object "workspace".
func workspaceSum(doc []byte, payload int) (sum string, ok bool) {
	eachMember(doc, payload, func(key string, vs, ve int) bool {
		if key != "workspace" {
			return true
		}
		if doc[vs] != '{' {
			return false
		}
		// The canonical form of the kept members: doc's members are sorted already.
		b := []byte{'{'}
		eachMember(doc, vs, func(k string, s, e int) bool {
			if workspaceMembers[k] {
				if len(b) > 1 {
					b = append(b, ',')
				}
				b = appendCanonicalString(b, []byte(k))
				b = append(append(b, ':'), doc[s:e]...)
			}
			return true
		})
		b = append(b, '}')
		h := sha256.Sum256(b)
		sum, ok = hex.EncodeToString(h[:]), true
		return false
	})
	return sum, ok
}

// invItem is one element of a payload list: what makes its key, and its canonical bytes.
type invItem struct {
	ObjectIdent
	start, end int    // the element's canonical bytes in the document
	id         string // its "id", by which other objects may refer to it
	ref        objRef // the parent of an endpoint (its api group) or a message (its channel)
	objType    string // a trigger's obj_type
	objID      objRef // a trigger's obj_id
}

// readItemFields reads the members of the object at doc[start] that make its key.
func readItemFields(doc []byte, start int, it *invItem) {
	var path string
	var appID, apigroupID, appObj, appGUID, channelID, channelObj, channelGUID objRef
	eachMember(doc, start, func(key string, vs, ve int) bool {
		v := doc[vs:ve]
		switch key {
		case "name":
			it.Name = scalarText(v)
		case "path":
			path = scalarText(v)
		case "guid":
			it.GUID = scalarText(v)
		case "id":
			it.id = scalarText(v)
		case "verb":
			it.Verb = scalarText(v)
		case "type":
			it.Type = scalarText(v)
		case "app_id":
			appID = refOf(v)
		case "apigroup_id":
			apigroupID = refOf(v)
		case "app":
			appObj, appGUID = objectRefs(doc, vs, ve)
		case "channel_id":
			channelID = refOf(v)
		case "channel":
			channelObj, channelGUID = objectRefs(doc, vs, ve)
		case "obj_type":
			it.objType = scalarText(v)
		case "obj_id":
			it.objID = refOf(v)
		}
		return true
	})
	switch it.List {
	case "query":
		it.ref = firstRef(appID, apigroupID, appObj, appGUID)
		if path != "" {
			it.Name = path
		}
	case "message":
		it.ref = firstRef(channelObj, channelGUID, channelID)
	}
}

// objRef is a reference to another object: an id or a guid, a number or a string.
type objRef struct {
	val string
	num bool // written as a JSON number
}

// set reports a reference to an object: 0, "" and anything that is not a number or a string
// refer to none (Xano writes {"id":0} for "not attached").
func (r objRef) set() bool { return r.val != "" && r.val != "0" }

// refOf reads a reference written as a scalar.
func refOf(v []byte) objRef {
	return objRef{val: scalarText(v), num: len(v) > 0 && v[0] != '"'}
}

// objectRefs reads a reference written as an object ({"id": ...} and/or {"guid": ...}), or as a
// scalar (returned as byID).
func objectRefs(doc []byte, vs, ve int) (byID, byGUID objRef) {
	if doc[vs] != '{' {
		return refOf(doc[vs:ve]), objRef{}
	}
	eachMember(doc, vs, func(k string, s, e int) bool {
		switch k {
		case "id":
			byID = refOf(doc[s:e])
		case "guid":
			byGUID = refOf(doc[s:e])
		}
		return true
	})
	return byID, byGUID
}

// firstRef returns the first reference that is set.
func firstRef(refs ...objRef) objRef {
	for _, r := range refs {
		if r.set() {
			return r
		}
	}
	return objRef{}
}

// itemKeys assigns every item its inventory key, following the rule of the package doc: first
// the objects that refer to none, then endpoints, messages and triggers, whose keys name (or are
// told apart by) the objects they refer to.
func itemKeys(items []invItem) []string {
	keys := make([]string, len(items))
	dependent := func(it *invItem) bool {
		return it.List == "query" || it.List == "message" || it.List == "trigger"
	}
	assignKeys(items, keys, func(it *invItem) bool { return !dependent(it) }, nil)

	targets := newRefTargets(items, keys)
	assignKeys(items, keys, dependent, func(it *invItem) string {
		switch it.List {
		case "query":
			it.Parent = targets.label("app", it.ref, "api group")
		case "message":
			it.Parent = targets.label("channel", it.ref, "channel")
		case "trigger":
			return targets.triggerTarget(it)
		}
		return ""
	})

	// A list named like a kind (say "table") could still produce a key another list has: such
	// keys get the list and position, never merged.
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		for seen[k] {
			k += " (" + items[i].List + " #" + strconv.Itoa(items[i].Pos) + ")"
		}
		seen[k] = true
		keys[i] = k
	}
	return keys
}

// assignKeys sets the keys of the items sel selects: ObjectKey, told apart from the other items
// of its list with the same key by disambiguate. resolve, if not nil, completes an item first
// (its Parent) and returns what tells it apart from same-named objects of its list, if anything.
func assignKeys(items []invItem, keys []string, sel func(*invItem) bool, resolve func(*invItem) string) {
	type listKey struct{ list, base string }
	groups := map[listKey][]int{}
	bases := make([]string, len(items))
	quals := make([]string, len(items))
	var idx []int
	for i := range items {
		it := &items[i]
		if !sel(it) {
			continue
		}
		if resolve != nil {
			quals[i] = resolve(it)
		}
		idx = append(idx, i)
		bases[i] = ObjectKey(it.ObjectIdent)
		lk := listKey{it.List, bases[i]}
		groups[lk] = append(groups[lk], i)
	}
	for _, i := range idx {
		keys[i] = disambiguate(bases[i], groups[listKey{items[i].List, bases[i]}], items, quals, i)
	}
}

// disambiguate returns the key of items[i] whose base key b is shared by the items of group:
// b itself when alone; else b with " (<qualifier>)" when the item has a qualifier (a trigger's
// target) no other item of the group has; else b with " (guid <guid>)" when the item has a name
// and a guid no other item of the group has; else b with " (#<position>)".
func disambiguate(b string, group []int, items []invItem, quals []string, i int) string {
	if len(group) == 1 {
		return b
	}
	it := items[i]
	sameQual, sameGUID := 0, 0
	for _, j := range group {
		if quals[j] == quals[i] {
			sameQual++
		}
		if items[j].GUID == it.GUID {
			sameGUID++
		}
	}
	switch {
	case quals[i] != "" && sameQual == 1:
		return b + " (" + quals[i] + ")"
	case it.Name != "" && it.GUID != "" && sameGUID == 1:
		return b + " (guid " + it.GUID + ")"
	}
	return b + " (#" + strconv.Itoa(it.Pos) + ")"
}

// refTargets finds the objects that references point at, by list: by id first (the objects that
// have one), then by guid (real exports refer by guid, and some objects, api groups, have no id).
type refTargets struct {
	items  []invItem
	keys   []string
	byID   map[string]map[string]int // list -> id -> item index, -1 when two objects share it
	byGUID map[string]map[string]int
}

// refLists are the lists other objects refer to.
var refLists = []string{"app", "channel", "dbo", "realtime_server", "toolset"}

func newRefTargets(items []invItem, keys []string) *refTargets {
	t := &refTargets{items: items, keys: keys, byID: map[string]map[string]int{}, byGUID: map[string]map[string]int{}}
	for _, l := range refLists {
		t.byID[l], t.byGUID[l] = map[string]int{}, map[string]int{}
	}
	note := func(m map[string]int, k string, i int) {
		if k == "" {
			return
		}
		if _, dup := m[k]; dup {
			m[k] = -1
			return
		}
		m[k] = i
	}
	for i, it := range items {
		if m := t.byID[it.List]; m != nil {
			note(m, it.id, i)
			note(t.byGUID[it.List], it.GUID, i)
		}
	}
	return t
}

// find returns the index of the object of list r refers to, or -1.
func (t *refTargets) find(list string, r objRef) int {
	if !r.set() {
		return -1
	}
	if i, ok := t.byID[list][r.val]; ok {
		return i
	}
	if i, ok := t.byGUID[list][r.val]; ok {
		return i
	}
	return -1
}

// label names the object of list r refers to as it is named in its own key (after the kind), or
// says what is known of it: "(no <what>)" without a reference, "(<what> id <n>)" or
// "(<what> guid <g>)" when no single object of the archive has that id or guid.
func (t *refTargets) label(list string, r objRef, what string) string {
	if !r.set() {
		return "(no " + what + ")"
	}
	if i := t.find(list, r); i >= 0 {
		_, l, _ := strings.Cut(t.keys[i], "/")
		return l
	}
	if r.num {
		return "(" + what + " id " + r.val + ")"
	}
	return "(" + what + " guid " + r.val + ")"
}

// triggerTargetLists are the lists a trigger's obj_type points into.
var triggerTargetLists = map[string]string{
	"database":                   "dbo",
	"channel":                    "channel",
	"workspace_realtime_channel": "channel",
	"realtime_server":            "realtime_server",
	"toolset":                    "toolset",
}

// triggerTarget says what a trigger is attached to ("on table/user", "on workspace"), to tell
// apart triggers with one name; "" when it has no obj_type.
func (t *refTargets) triggerTarget(it *invItem) string {
	if it.objType == "" {
		return ""
	}
	if l, ok := triggerTargetLists[it.objType]; ok {
		if i := t.find(l, it.objID); i >= 0 {
			return "on " + t.keys[i]
		}
	}
	if it.objID.set() {
		return "on " + it.objType + " " + it.objID.val
	}
	return "on " + it.objType
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
