package archive

import "fmt"

// PHPJSON rewrites raw, one JSON value, as Xano's engine writes JSON: every string as PHP's
// json_encode escapes it with the flags the engine signs with (`'` as \u0027, `"` inside a string
// as \u0022, < > & as \u003C \u003E \u0026, slashes and non-ASCII unescaped), object members in
// the order written, numbers as written. The emulator answers in this form, as the recorded
// answers of a real instance are (`unexpected \u0027invalid\u0027`).
func PHPJSON(raw []byte) ([]byte, error) {
	const head, tail = `{"v":`, `}`
	wrapped := make([]byte, 0, len(head)+len(raw)+len(tail))
	wrapped = append(append(append(wrapped, head...), raw...), tail...)
	c := getPHPCanonicalizer()
	defer phpCanonicalizers.Put(c)
	out, err := c.canonicalize(wrapped)
	if err != nil {
		return nil, fmt.Errorf("writing JSON in PHP form: %w", err)
	}
	if len(out) < len(head)+len(tail) || string(out[:len(head)]) != head {
		return nil, fmt.Errorf("writing JSON in PHP form: unexpected form %.20q", out)
	}
	return append([]byte(nil), out[len(head):len(out)-len(tail)]...), nil
}
