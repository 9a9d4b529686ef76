package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// What changed inside an object.
//
// The inventory tells that an object changed; its facts tell what. The facts of an object are
// the fields a reviewer reads, each reduced to a short value: the columns of a table (fact
// "column <name>", valued "<type>|<digest of the column's other settings>"), its indexes ("index
// <type>(<fields>)"), the inputs of an endpoint, function or task ("input <name>", valued like a
// column), and every other top-level member of the object ("field <member>": its value when a
// short scalar, else a digest). Facts are computed from the canonical JSON of the object, so
// that two objects with the same canonical form have the same facts, and compared fact by fact
// (ChangeDetails). They are small enough to be kept where the object itself is not: the drift
// baseline of a branch keeps the facts of every object, not the objects.

// Facts are the facts of one object: fact name -> short value.
type Facts map[string]string

// MaxDetailLines is the most lines ChangeDetails returns for one object, the last one being
// "and N more" when there are more.
const MaxDetailLines = 6

// maxShortValue is the longest scalar kept as it is in a fact; longer values are digested.
const maxShortValue = 80

// factValueSep separates the type of a column or input from the digest of its other settings.
const factValueSep = "|"

// triggerTargetFields are the members of a trigger that name what it fires on: shown as
// "target <member>".
var triggerTargetFields = map[string]bool{
	"table": true, "table_id": true, "dbo": true, "dbo_id": true, "obj_id": true, "obj_type": true,
	"event": true, "events": true, "type": true, "datasource": true,
}

// objectFacts returns the facts of the object obj (canonical JSON) of the payload list list.
// A value that is not a JSON object has one fact, "value".
func objectFacts(list string, obj []byte) Facts {
	f := Facts{}
	if len(obj) == 0 || obj[0] != '{' {
		f["field value"] = shortValue(obj)
		return f
	}
	eachMember(obj, 0, func(k string, vs, ve int) bool {
		v := obj[vs:ve]
		isList := v[0] == '['
		switch {
		case k == "name" || (list == "query" && k == "path"):
			// Part of the object's key: a change makes another object.
		case list == "dbo" && k == "schema" && isList:
			namedElementFacts(f, "column", v)
		case list == "dbo" && (k == "index" || k == "indexes") && isList:
			indexFacts(f, v)
		case k == "input" && isList:
			namedElementFacts(f, "input", v)
		case secretField(list, k):
			f["field "+k] = digestValue(v)
		case list == "trigger" && triggerTargetFields[k]:
			f["target "+k] = shortValue(v)
		default:
			f["field "+k] = shortValue(v)
		}
		return true
	})
	return f
}

// namedElementFacts adds a fact per element of the array list (columns, inputs): named by the
// element's "name" (else its position), valued "<type>|<digest of its members but name>".
func namedElementFacts(f Facts, kind string, list []byte) {
	pos := 0
	eachElement(list, 0, func(es, ee int) bool {
		pos++
		el := list[es:ee]
		name, typ := "", ""
		h := sha256.New()
		if el[0] == '{' {
			eachMember(el, 0, func(k string, vs, ve int) bool {
				switch k {
				case "name":
					name = scalarText(el[vs:ve])
					return true
				case "type":
					typ = scalarText(el[vs:ve])
				}
				h.Write([]byte(strconv.Quote(k)))
				h.Write(el[vs:ve])
				return true
			})
		} else {
			h.Write(el)
		}
		fact := kind + " " + name
		if name == "" {
			fact = kind + " #" + strconv.Itoa(pos)
		}
		if _, dup := f[fact]; dup {
			fact += " (#" + strconv.Itoa(pos) + ")"
		}
		f[fact] = typ + factValueSep + hex.EncodeToString(h.Sum(nil)[:6])
		return true
	})
}

// indexFacts adds a fact per index: named by its type and fields ("index btree(created_at
// desc)"), valued by a digest of the whole index.
func indexFacts(f Facts, list []byte) {
	pos := 0
	eachElement(list, 0, func(es, ee int) bool {
		pos++
		el := list[es:ee]
		typ := ""
		var fields []string
		if el[0] == '{' {
			eachMember(el, 0, func(k string, vs, ve int) bool {
				switch k {
				case "type":
					typ = scalarText(el[vs:ve])
				case "field", "fields":
					eachElement(el, vs, func(fs, fe int) bool {
						name, op := "", ""
						eachMember(el, fs, func(k string, s, e int) bool {
							switch k {
							case "name":
								name = scalarText(el[s:e])
							case "op":
								op = scalarText(el[s:e])
							}
							return true
						})
						if op != "" {
							name += " " + op
						}
						fields = append(fields, name)
						return true
					})
				}
				return true
			})
		}
		fact := "index " + typ + "(" + strings.Join(fields, ", ") + ")"
		if typ == "" && fields == nil {
			fact = "index #" + strconv.Itoa(pos)
		}
		if _, dup := f[fact]; dup {
			fact += " (#" + strconv.Itoa(pos) + ")"
		}
		sum := sha256.Sum256(el)
		f[fact] = hex.EncodeToString(sum[:6])
		return true
	})
}

// secretLists are payload lists whose values may be secrets (environment variables, stored
// files): their fields are only ever said to have changed, never shown.
var secretLists = map[string]bool{"env": true, "vault": true}

// secretWords in a member's name mark a value never shown (a key, a token, a password...).
var secretWords = []string{"secret", "password", "passwd", "token", "key", "salt", "credential", "private", "auth_code"}

// secretField reports a member of an object of list whose value a plan must not show.
func secretField(list, member string) bool {
	if secretLists[list] {
		return true
	}
	m := strings.ToLower(member)
	for _, w := range secretWords {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// digestValue is the value of a fact never shown: "#" and a digest of the canonical bytes.
func digestValue(v []byte) string {
	sum := sha256.Sum256(v)
	return "#" + hex.EncodeToString(sum[:6])
}

// shortValue is a fact's value: a string's text or a number's or literal's token when short
// (strings quoted, so that "1" and 1 differ; a text of several lines is never shown), else "#"
// and a digest of the canonical bytes.
func shortValue(v []byte) string {
	if len(v) <= maxShortValue+2 && len(v) > 0 && v[0] != '{' && v[0] != '[' {
		if v[0] != '"' {
			return string(v)
		}
		// A text of several lines (a script) is not shown.
		if s := decodeString(v); !strings.ContainsAny(s, "\n\r") {
			return strconv.Quote(s)
		}
	}
	return digestValue(v)
}

// FactsOf returns the facts of every object of a canonical JSON root document, by inventory key
// (the keys of inventoryOf(doc, branchOnly)).
func FactsOf(doc []byte, branchOnly bool) map[string]Facts {
	return factsWith(doc, branchOnly, nil)
}

// factsWith is FactsOf for the branch view of a document whose "dbo" list was removed, as
// inventoryWith: the same items, the same keys.
func factsWith(doc []byte, branchOnly bool, tables []byte) map[string]Facts {
	items, payload, ok := payloadItems(doc)
	if !ok {
		return map[string]Facts{}
	}
	if tables != nil {
		items = withTables(items, tables)
	}
	keys := itemKeys(items)
	out := make(map[string]Facts, len(items)+1)
	for i, it := range items {
		if branchOnly && it.List == "dbo" {
			continue // as inventoryWith
		}
		out[keys[i]] = objectFacts(it.List, doc[it.start:it.end])
	}
	if !branchOnly {
		// The workspace record: the members its inventory hash covers.
		eachMember(doc, payload, func(key string, vs, ve int) bool {
			if key != "workspace" || doc[vs] != '{' {
				return key != "workspace"
			}
			f := Facts{}
			eachMember(doc, vs, func(k string, s, e int) bool {
				if workspaceMembers[k] {
					f["field "+k] = shortValue(doc[s:e])
				}
				return true
			})
			out[workspaceKey] = f
			return false
		})
	}
	return out
}

// ObjectDetails are the field-level changes of one changed object.
type ObjectDetails struct {
	// Lines describe the changes, one a line, at most MaxDetailLines (the last then being
	// "and N more"); the data-losing ones come first.
	Lines []string
	// Destructive are the changes that lose data (a column removed, retyped or renamed), also
	// among Lines.
	Destructive []string
}

// ChangeDetails compares the facts of one object before (old) and after (new): what was added,
// removed or changed, fact by fact. A column or input that has the same settings under another
// name, when it is the only one that went and the only one that came, is renamed. The changes
// that lose a table's data (column removed, retyped, renamed) are destructive and listed first.
// Nil facts (not known) give no details.
func ChangeDetails(old, new Facts) ObjectDetails { //nolint:predeclared // the contract's names
	if old == nil || new == nil {
		return ObjectDetails{}
	}
	var destructive, other []string
	names := make([]string, 0, len(old)+len(new))
	for k := range old {
		names = append(names, k)
	}
	for k := range new {
		if _, ok := old[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)

	// Renames: per kind, an element gone and one come with the same value, when no other gone
	// or come element has that value. Iterating over gone in sorted order keeps lines stable.
	gone, came := map[string][]string{}, map[string][]string{}
	for _, k := range names {
		kind, _ := splitFact(k)
		if kind != "column" && kind != "input" {
			continue
		}
		_, inOld := old[k]
		_, inNew := new[k]
		switch {
		case inOld && !inNew:
			gone[kind] = append(gone[kind], k)
		case inNew && !inOld:
			came[kind] = append(came[kind], k)
		}
	}
	renamed := map[string]bool{}
	for kind, g := range gone {
		// A value that exactly one gone and one come element have.
		goneBy, cameBy := map[string][]string{}, map[string][]string{}
		for _, k := range g {
			goneBy[old[k]] = append(goneBy[old[k]], k)
		}
		for _, k := range came[kind] {
			cameBy[new[k]] = append(cameBy[new[k]], k)
		}
		for _, from := range g {
			v := old[from]
			if len(goneBy[v]) != 1 || len(cameBy[v]) != 1 {
				continue
			}
			to := cameBy[v][0]
			_, fromName := splitFact(from)
			_, toName := splitFact(to)
			line := kind + " " + fromName + " renamed to " + toName
			if kind == "column" {
				destructive = append(destructive, line)
			} else {
				other = append(other, line)
			}
			renamed[from], renamed[to] = true, true
		}
	}
	for _, k := range names {
		if renamed[k] {
			continue
		}
		ov, inOld := old[k]
		nv, inNew := new[k]
		kind, name := splitFact(k)
		label := k
		if kind == "field" || kind == "target" {
			label = name
			if kind == "target" {
				label = "target " + name
			}
		}
		switch kind {
		case "column", "input":
			ot, _, _ := strings.Cut(ov, factValueSep)
			nt, _, _ := strings.Cut(nv, factValueSep)
			switch {
			case !inOld:
				other = append(other, label+" added"+typeNote(nt, ""))
			case !inNew:
				line := label + " removed" + typeNote(ot, "was ")
				if kind == "column" {
					destructive = append(destructive, line)
				} else {
					other = append(other, line)
				}
			case ot != nt:
				line := label + " retyped " + orNone(ot) + " → " + orNone(nt)
				if kind == "column" {
					destructive = append(destructive, line)
				} else {
					other = append(other, line)
				}
			case ov != nv:
				other = append(other, label+" changed")
			}
		default:
			switch {
			case !inOld:
				other = append(other, label+" added")
			case !inNew:
				other = append(other, label+" removed")
			case ov != nv && readable(ov) && readable(nv) && !identityFields[name]:
				other = append(other, label+" "+ov+" → "+nv)
			case ov != nv:
				other = append(other, label+" changed")
			}
		}
	}
	sort.Strings(destructive)
	sort.Strings(other)
	lines := append(append([]string(nil), destructive...), other...)
	return ObjectDetails{Lines: capLines(lines, MaxDetailLines), Destructive: destructive}
}

// splitFact splits a fact name into its kind and the rest.
func splitFact(k string) (kind, name string) {
	kind, name, _ = strings.Cut(k, " ")
	return kind, name
}

func typeNote(t, prefix string) string {
	if t == "" {
		return ""
	}
	return " (" + prefix + t + ")"
}

func orNone(t string) string {
	if t == "" {
		return "(none)"
	}
	return t
}

// identityFields are members whose values (numbers, random strings) say nothing to a reader:
// their change is shown without them.
var identityFields = map[string]bool{"id": true, "guid": true}

// readable reports whether a fact's value is its own text rather than a digest.
func readable(v string) bool { return !strings.HasPrefix(v, "#") }

// capLines returns lines, or its first limit-1 and "and N more" when it has more than limit.
func capLines(lines []string, limit int) []string {
	if limit <= 0 || len(lines) <= limit {
		return lines
	}
	out := append([]string(nil), lines[:limit-1]...)
	return append(out, "and "+strconv.Itoa(len(lines)-limit+1)+" more")
}

// WithFacts makes Inspect report the facts of the objects it inventories (Info.Facts): one more
// pass over the root document, which an inspection that only hashes does without.
func WithFacts() Option {
	return func(c *inspectConfig) { c.facts = true }
}

// objectFacts returns the facts of the root document's objects: nil when not asked for, else
// never nil.
func (h *contentHasher) objectFacts() map[string]Facts {
	if !h.wantFacts {
		return nil
	}
	if h.facts == nil {
		return map[string]Facts{}
	}
	return h.facts
}

// Explanation is an ObjectDiff with what changed inside each changed object and the changes
// that lose data.
type Explanation struct {
	ObjectDiff
	// Details are the field-level changes of the changed objects whose facts are known on both
	// sides, by key.
	Details map[string]ObjectDetails
	// Destructive names the changes that lose data, one a line: "<key> removed" for a table,
	// "<key>: <change>" for a change inside a table. Sorted by key.
	Destructive []string
}

// Explain compares two inventories (see DiffObjects) and, for each changed object whose facts
// are known on both sides, says what changed inside it (ChangeDetails). A table removed is
// destructive (its records go with it), and so is a destructive change inside a table.
func Explain(oldObjects, newObjects map[string]string, oldFacts, newFacts map[string]Facts) Explanation {
	e := Explanation{ObjectDiff: DiffObjects(oldObjects, newObjects), Details: map[string]ObjectDetails{}}
	for _, k := range e.Removed {
		if isTableKey(k) {
			e.Destructive = append(e.Destructive, k+" removed")
		}
	}
	for _, k := range e.Changed {
		d := ChangeDetails(oldFacts[k], newFacts[k])
		if len(d.Lines) == 0 {
			continue
		}
		e.Details[k] = d
		for _, line := range d.Destructive {
			e.Destructive = append(e.Destructive, k+": "+line)
		}
	}
	sort.Strings(e.Destructive)
	return e
}

// isTableKey reports whether an inventory key names a table.
func isTableKey(k string) bool { return strings.HasPrefix(k, ObjectKind("dbo", "")+"/") }

// pageTable returns the table guid of a row page's entry name, "content/<guid>-<page>.json" or
// "content/<guid>/<page>.json", and false for any other entry.
func pageTable(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "content/")
	if !ok || !strings.HasSuffix(rest, ".json") {
		return "", false
	}
	if dir, _, found := strings.Cut(rest, "/"); found {
		return dir, dir != ""
	}
	rest = strings.TrimSuffix(rest, ".json")
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || i == len(rest)-1 {
		return "", false
	}
	if _, err := strconv.Atoi(rest[i+1:]); err != nil {
		return "", false
	}
	return rest[:i], true
}

// notePage counts a row page of the archive (contentHasher.add calls it for every entry).
func (h *contentHasher) notePage(name string) {
	guid, ok := pageTable(name)
	if !ok {
		return
	}
	if h.pages == nil {
		h.pages = map[string]int{}
	}
	h.pages[guid]++
}

// TablePages names the tables whose records an archive holds: the row pages of each table (by
// table guid, Info.RowPages) counted under the table's inventory key, found by the "guid" of the
// table objects of facts. Pages of a table the archive does not describe are counted under
// "(table guid <guid>)".
func TablePages(facts map[string]Facts, pages map[string]int) map[string]int {
	byGUID := map[string]string{}
	for k, f := range facts {
		if !isTableKey(k) {
			continue
		}
		if g := f["field guid"]; strings.HasPrefix(g, `"`) {
			if s, err := strconv.Unquote(g); err == nil {
				byGUID[s] = k
			}
		}
	}
	out := make(map[string]int, len(pages))
	for guid, n := range pages {
		k, ok := byGUID[guid]
		if !ok {
			k = "(table guid " + guid + ")"
		}
		out[k] += n
	}
	return out
}
