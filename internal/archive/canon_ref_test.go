package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"testing"
)

// This file holds the tree-based reference implementation of the canonical JSON form that the
// one-pass canonicalizer must match: decode with encoding/json (UseNumber), drop a top-level
// bundle's "sig", write with sorted keys.

// parseJSON decodes exactly one JSON value (numbers as json.Number). ok is false for anything
// that is not a single valid JSON value.
func parseJSON(raw []byte) (v any, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// signedBundle reports whether v is a signed Xano bundle: an object with "app" and "sig".
func signedBundle(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	_, hasApp := m["app"]
	_, hasSig := m["sig"]
	return m, hasApp && hasSig
}

// writeCanonical writes v (as decoded by parseJSON) in the canonical form ContentSHA256 defines.
func writeCanonical(w *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(t))
	case json.Number:
		w.WriteString(t.String())
	case string:
		writeCanonicalString(w, t)
	case []any:
		w.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeCanonical(w, x); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			writeCanonicalString(w, k)
			w.WriteByte(':')
			if err := writeCanonical(w, t[k]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value of type %T", v)
	}
	return nil
}

// writeCanonicalString writes s quoted, escaping only '"', '\\' and control characters.
func writeCanonicalString(w *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			w.WriteByte('\\')
			w.WriteByte(c)
		case '\b':
			w.WriteString(`\b`)
		case '\f':
			w.WriteString(`\f`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			w.WriteString(`\u00`)
			w.WriteByte(hexDigits[c>>4])
			w.WriteByte(hexDigits[c&0xf])
		}
		start = i + 1
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

// referenceCanonical is the canonical form of data as ContentSHA256 defines it, computed over a
// decoded tree; ok is false if data is not one JSON value. typ is a signed bundle's type.
func referenceCanonical(t testing.TB, data []byte) (out []byte, bundle bool, typ string, ok bool) {
	v, ok := parseJSON(data)
	if !ok {
		return nil, false, "", false
	}
	if m, isBundle := signedBundle(v); isBundle {
		delete(m, "sig")
		typ, _ = m["type"].(string)
		bundle = true
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), bundle, typ, true
}
