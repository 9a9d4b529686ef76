package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxPHPDepth bounds the nesting writePHPJSON accepts (PHP's json_encode default depth is 512).
const maxPHPDepth = 512

// writePHPJSON re-encodes one JSON value the way PHP's json_encode does with the flags Xano
// signs with (see Sign), keeping the order of object members and number literals as written.
func writePHPJSON(buf *bytes.Buffer, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := writePHPValue(buf, dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// writePHPValue copies the next value of dec to buf, token by token.
func writePHPValue(buf *bytes.Buffer, dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxPHPDepth {
			return fmt.Errorf("JSON nested deeper than %d levels", maxPHPDepth)
		}
		return writePHPContainer(buf, dec, t, depth+1)
	case string:
		writePHPString(buf, t)
	case json.Number:
		buf.WriteString(t.String())
	case bool:
		if t {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case nil:
		buf.WriteString("null")
	default:
		return fmt.Errorf("unexpected JSON token %v", tok)
	}
	return nil
}

// writePHPContainer copies an object or array whose opening delimiter open was just read.
func writePHPContainer(buf *bytes.Buffer, dec *json.Decoder, open json.Delim, depth int) error {
	closing := byte(']')
	if open == '{' {
		closing = '}'
	} else if open != '[' {
		return fmt.Errorf("unexpected JSON delimiter %v", open)
	}
	buf.WriteByte(byte(open))
	for i := 0; dec.More(); i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		if open == '{' {
			key, err := dec.Token()
			if err != nil {
				return fmt.Errorf("invalid JSON: %w", err)
			}
			name, ok := key.(string) // the decoder only yields string keys
			if !ok {
				return fmt.Errorf("invalid JSON: object key %v is not a string", key)
			}
			writePHPString(buf, name)
			buf.WriteByte(':')
		}
		if err := writePHPValue(buf, dec, depth); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return fmt.Errorf("invalid JSON: %w", err)
	}
	buf.WriteByte(closing)
	return nil
}

// writePHPString writes s quoted as json_encode does with JSON_HEX_QUOT, JSON_HEX_TAG,
// JSON_HEX_AMP, JSON_HEX_APOS, JSON_UNESCAPED_SLASHES and JSON_UNESCAPED_UNICODE: the four
// HTML-significant characters and '"' as upper-case \u escapes, '/' and non-ASCII raw, except
// U+2028 and U+2029 which PHP escapes unless JSON_UNESCAPED_LINE_TERMINATORS is given.
func writePHPString(buf *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\u0022`)
		case '\\':
			buf.WriteString(`\\`)
		case '<':
			buf.WriteString(`\u003C`)
		case '>':
			buf.WriteString(`\u003E`)
		case '&':
			buf.WriteString(`\u0026`)
		case '\'':
			buf.WriteString(`\u0027`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		case '\u2028':
			buf.WriteString(`\u2028`)
		case '\u2029':
			buf.WriteString(`\u2029`)
		default:
			if r < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[r>>4])
				buf.WriteByte(hexDigits[r&0xf])
				continue
			}
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}
