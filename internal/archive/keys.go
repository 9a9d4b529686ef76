package archive

import (
	"strconv"
	"strings"
)

// The key rules of the object inventory (see the package doc, "Object inventory"), exported so
// that other code naming an archive's objects names them as the inventory does.

// ObjectIdent is what the key of one object of a payload list is made of.
type ObjectIdent struct {
	// List is the payload list the object is an element of ("query", "dbo", ...).
	List string
	// Pos is the object's 1-based position in its list.
	Pos int
	// Name is the object's "name" (a string, or a number as written); for an endpoint its "path"
	// when it has one, else its "name".
	Name string
	// GUID is the object's "guid".
	GUID string
	// Verb is an endpoint's "verb".
	Verb string
	// Type is the object's "type": a toolset's tells an MCP server ("mcp") from an agent ("agent").
	Type string
	// Parent is, for an endpoint, its api group and, for a message, its channel, as resolved
	// from the object's reference: the parent's label as in the parent's own key (after its kind
	// and "/"), or "(no api group)", "(api group guid <guid>)", "(channel id <id>)" and the like
	// when the reference is missing or finds no single object (see the package doc).
	Parent string
}

// ObjectKind returns the kind an object of the payload list is named by, the first part of its
// key: Xano's UI name of the list ("table" for "dbo", "api_group" for "app", "endpoint" for
// "query"), "mcp_server" or "agent" for a toolset of type "mcp" or "agent" (typ), and the list's
// own name otherwise ("function", "message", "toolset", ...).
func ObjectKind(list, typ string) string {
	switch list {
	case "dbo":
		return "table"
	case "app":
		return "api_group"
	case "query":
		return "endpoint"
	case "toolset":
		switch typ {
		case "mcp":
			return "mcp_server"
		case "agent":
			return "agent"
		}
	}
	return list
}

// ObjectLabel names an object within its kind: its name, else "(guid <guid>)", else
// "(#<position>)".
func ObjectLabel(o ObjectIdent) string {
	switch {
	case o.Name != "":
		return o.Name
	case o.GUID != "":
		return "(guid " + o.GUID + ")"
	}
	return "(#" + strconv.Itoa(o.Pos) + ")"
}

// ObjectKey returns the key of an object before it is told apart from objects of its list with
// the same key (the inventory then appends " (guid <guid>)" and the like, see the package doc):
//
//   - an endpoint: "endpoint/<api group>/<VERB> <label>" (no verb: "endpoint/<api group>/<label>");
//   - a message: "message/<channel>/<label>";
//   - any other object: "<kind>/<label>".
//
// The api group and channel (Parent) are escaped by EscapeKeySegment, so the kind ends at the
// key's first "/", the parent at its second, and the rest is the object's label as written.
func ObjectKey(o ObjectIdent) string {
	label := ObjectLabel(o)
	switch o.List {
	case "query":
		if o.Verb != "" {
			label = strings.ToUpper(o.Verb) + " " + label
		}
		return "endpoint/" + EscapeKeySegment(o.Parent) + "/" + label
	case "message":
		return "message/" + EscapeKeySegment(o.Parent) + "/" + label
	}
	return ObjectKind(o.List, o.Type) + "/" + label
}

// keySegmentEscaper writes "%" and "/" of a parent's name as "%25" and "%2F".
var keySegmentEscaper = strings.NewReplacer("%", "%25", "/", "%2F")

// EscapeKeySegment writes a parent's name (an api group's, a channel's) for the middle part of a
// key: "%" as "%25" and "/" as "%2F", so a channel named "rooms/{room_id}" reads
// "message/rooms%2F{room_id}/<name>" and the key stays unambiguous.
func EscapeKeySegment(s string) string { return keySegmentEscaper.Replace(s) }

// PayloadKeys returns the inventory key of every element of the payload lists of a JSON document
// (a signed bundle, as read from an archive: any formatting), by list and then by position: the
// keys Inspect's Objects uses for them, disambiguation included (the workspace record, key
// "workspace", is not an element of a list and is not returned). A document that is not one JSON
// value is an error; one without an object "payload" has no keys (an empty map).
func PayloadKeys(doc []byte) (map[string][]string, error) {
	var c canonicalizer
	canon, err := c.canonicalize(doc)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	items, _, ok := payloadItems(canon)
	if !ok {
		return out, nil
	}
	keys := itemKeys(items)
	for i, it := range items {
		out[it.List] = append(out[it.List], keys[i])
	}
	return out, nil
}
