package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ordered is a JSON object whose members are written in the order given, as Xano's engine (PHP
// arrays) writes them: the recorded answers are matched member for member, order included.
type ordered []member

type member struct {
	k string
	v any
}

// MarshalJSON writes the members in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(m.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// get returns the value of member k (nil when absent).
func (o ordered) get(k string) any {
	for _, m := range o {
		if m.k == k {
			return m.v
		}
	}
	return nil
}

// without returns o without member k.
func (o ordered) without(k string) ordered {
	out := make(ordered, 0, len(o))
	for _, m := range o {
		if m.k != k {
			out = append(out, m)
		}
	}
	return out
}

// workspaceJSON is a workspace as GET /workspace/{id} answers it, recorded on a live instance:
// exactly {"id","name","description","swagger","documentation","branch"}, branch being the live
// branch's label. GET /workspace lists the same rows (inferred: not recorded).
func workspaceJSON(w *workspace) ordered {
	return ordered{
		{"id", w.ID}, {"name", w.Name}, {"description", w.Description},
		{"swagger", false}, {"documentation", nil}, {"branch", w.Live},
	}
}

// branchRowJSON is a row of GET /workspace/{id}/branch, recorded on a live instance: exactly
// {"created_at":"2026-01-07 09:11:54+0000","label","backup","live"}.
func branchRowJSON(w *workspace, b *branch) ordered {
	return ordered{
		{"created_at", formatTime(b.CreatedAt)}, {"label", b.Label}, {"backup", b.Backup},
		{"live", b.Label == w.Live},
	}
}

// branchJSON is a branch as the single-branch routes answer (GET, POST, PUT, live): the list row
// and the branch's description and color, which these routes set (inferred: not recorded; the
// OpenAPI file documents description and color as inputs).
func branchJSON(w *workspace, b *branch) ordered {
	return append(branchRowJSON(w, b), member{"description", b.Description}, member{"color", b.Color})
}

// set returns o with member k set to v (replaced in place, or appended).
func (o ordered) set(k string, v any) ordered {
	for i, m := range o {
		if m.k == k {
			out := append(ordered(nil), o...)
			out[i].v = v
			return out
		}
	}
	return append(o[:len(o):len(o)], member{k, v})
}

// UnmarshalJSON reads a JSON object keeping its members' order (values as json.RawMessage).
func (o *ordered) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	out := ordered{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		out = append(out, member{k, v})
	}
	*o = out
	return nil
}
