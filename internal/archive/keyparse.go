package archive

import (
	"net/url"
	"strings"
)

// KeyParts is what an inventory key says of its object (see ObjectKey): the reverse of the key
// rules, for code that names objects from elsewhere (an audit log, say).
type KeyParts struct {
	// Kind is the key's first part ("function", "endpoint", "table", ...).
	Kind string
	// Parent is an endpoint's api group or a message's channel, unescaped; "" for other kinds.
	Parent string
	// Name is the object's name as written (an endpoint's path), without the verb and without a
	// suffix that tells same-keyed objects apart (" (guid ...)", " (on ...)", " (#n)").
	Name string
	// Verb is an endpoint's verb, "" when it has none (and for other kinds).
	Verb string
}

// httpVerbs are the verbs an endpoint key may start its label with.
var httpVerbs = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true}

// ParseKey splits an inventory key into its parts. A key without "/" (the workspace record's
// "workspace") is all kind.
func ParseKey(key string) KeyParts {
	kind, rest, ok := strings.Cut(key, "/")
	if !ok {
		return KeyParts{Kind: key}
	}
	p := KeyParts{Kind: kind}
	if kind == "endpoint" || kind == "message" {
		parent, label, ok := strings.Cut(rest, "/")
		if ok {
			if u, err := url.PathUnescape(parent); err == nil {
				parent = u
			}
			p.Parent, rest = parent, label
		}
	}
	rest = stripTieBreak(rest)
	if kind == "endpoint" {
		if verb, path, ok := strings.Cut(rest, " "); ok && httpVerbs[verb] {
			p.Verb, rest = verb, path
		}
	}
	p.Name = rest
	return p
}

// stripTieBreak removes the suffixes the inventory appends to tell same-keyed objects apart.
func stripTieBreak(s string) string {
	for {
		i := strings.LastIndex(s, " (")
		if i < 0 || !strings.HasSuffix(s, ")") {
			return s
		}
		suffix := s[i+2 : len(s)-1]
		if !strings.HasPrefix(suffix, "guid ") && !strings.HasPrefix(suffix, "on ") && !strings.HasPrefix(suffix, "#") &&
			!strings.Contains(suffix, " #") {
			return s
		}
		s = s[:i]
	}
}
