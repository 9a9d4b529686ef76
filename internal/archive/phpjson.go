package archive

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // Xano's bundle signature is defined over SHA-1.
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"unicode/utf8"
)

// The signed form of a bundle. Xano signs a bundle with the SHA-1 of what PHP's json_encode
// writes for its top-level members but "sig", sorted by key, with JSON_HEX_QUOT, JSON_HEX_TAG,
// JSON_HEX_AMP, JSON_HEX_APOS, JSON_UNESCAPED_SLASHES and JSON_UNESCAPED_UNICODE (see Sign).
// Below the top level PHP keeps the order of object members as decoded, duplicates included,
// and numbers as written; only strings are re-encoded.
//
// The canonicalizer writes that form in its php mode, in the same single pass that checks the
// JSON, without building a tree: a content page of rows costs one scan, not a decode, a
// re-encode and a count. FuzzVerify checks it against the token-by-token reference
// (referencePHPJSON in the tests).

// maxPHPDepth bounds the nesting of a member's value (PHP's json_encode default depth is 512).
const maxPHPDepth = 512

// bundleForm is what the php mode of the canonicalizer read from a bundle.
type bundleForm struct {
	signed  []byte // the bytes the signature is the SHA-1 of; valid until the canonicalizer's next use
	sig     []byte // the PHP form of the "sig" member's value; nil when there is none
	tooDeep bool   // a signed member nests deeper than maxPHPDepth: PHP could not have signed it
	// payloadRows is the number of elements of the "payload" member when it is a list, 0 when it
	// is null or absent, and -1 otherwise.
	payloadRows int
}

// phpCanonicalizers holds php-mode canonicalizers, so that verifying page after page reuses
// their buffers.
var phpCanonicalizers = sync.Pool{New: func() any { return &canonicalizer{php: true} }}

func getPHPCanonicalizer() *canonicalizer {
	if c, ok := phpCanonicalizers.Get().(*canonicalizer); ok {
		return c
	}
	return &canonicalizer{php: true}
}

// readBundle reads raw, one JSON object, in php mode. f.signed is only valid until fn returns.
func readBundle(raw []byte, fn func(f bundleForm) error) error {
	c := getPHPCanonicalizer()
	defer phpCanonicalizers.Put(c)
	signed, err := c.canonicalize(raw)
	if err != nil {
		return err
	}
	if signed[0] != '{' {
		return errors.New("not a JSON object")
	}
	return fn(bundleForm{signed: signed, sig: c.sig, tooDeep: c.tooDeep, payloadRows: c.payloadRows})
}

// signature returns Xano's signature of a bundle's signed form: websafe base64 (+/= mapped to
// -_.) of its SHA-1.
func signature(f bundleForm) (string, error) {
	if f.tooDeep {
		return "", fmt.Errorf("JSON nested deeper than %d levels", maxPHPDepth)
	}
	sum := sha1.Sum(f.signed) //nolint:gosec // required by the format
	return websafeBase64(sum[:]), nil
}

// verify reports whether raw carries a valid signature, with what was read of it.
func verify(raw []byte) (ok bool, payloadRows int, err error) {
	err = readBundle(raw, func(f bundleForm) error {
		payloadRows = f.payloadRows
		sig, isString := stringValue(f.sig)
		if !isString || sig == "" {
			return nil // no string signature: not valid, but not an error either
		}
		want, err := signature(f)
		ok = err == nil && want == sig
		return err
	})
	if err != nil {
		return false, 0, fmt.Errorf("verifying a bundle: %w", err)
	}
	return ok, payloadRows, nil
}

// stringValue decodes raw as a JSON string; isString is false when it is not one (or nil).
// null reads as "".
func stringValue(raw []byte) (s string, isString bool) {
	return s, raw != nil && json.Unmarshal(raw, &s) == nil
}

// phpEnter notes a container opened at the canonicalizer's current depth: in php mode, one
// that PHP's json_encode would refuse makes the form unsignable (see bundleForm.tooDeep).
// Depth 1 is the bundle itself, so a member's value is at depth 2.
func (c *canonicalizer) phpEnter() {
	if c.depth-2 >= maxPHPDepth {
		c.memberTooDeep = true
	}
}

// phpTop finishes the top-level object in php mode: members (sorted, the last of equal keys
// kept) minus "sig" become the signed form, and what verify needs is recorded.
func (c *canonicalizer) phpTop(members []member) []member {
	c.sig, c.tooDeep, c.payloadRows = nil, false, 0
	kept := members[:0]
	for _, m := range members {
		switch string(c.keys[m.k0:m.k1]) {
		case "sig":
			c.sig = append(c.sigBuf[:0], c.out[m.start+len(`"sig":`):m.end]...)
			c.sigBuf = c.sig
			continue
		case "payload":
			c.payloadRows = m.elems
		}
		c.tooDeep = c.tooDeep || m.tooDeep
		kept = append(kept, m)
	}
	return kept
}

// phpString copies a string value in PHP form.
func (c *canonicalizer) phpString() error {
	// Fast path: printable ASCII without the characters PHP escapes, and valid UTF-8 other than
	// U+2028 and U+2029, is its own PHP form.
	for i := c.pos + 1; ; {
		if i = phpPlainRun(c.src, i); i >= len(c.src) {
			break
		}
		if b := c.src[i]; b == '"' {
			c.out = append(c.out, c.src[c.pos:i+1]...)
			c.pos = i + 1
			return nil
		} else if b < utf8.RuneSelf {
			break // an escape, a control character or one of " < > & '
		}
		r, size := utf8.DecodeRune(c.src[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			break
		}
		i += size
	}
	var err error
	if c.tmp, err = c.decodeString(c.tmp[:0]); err != nil {
		return err
	}
	c.out = appendPHPString(c.out, c.tmp)
	return nil
}

// phpPlainRun returns the index of the first byte at or after i that is '"', '\\', '<', '>',
// '&', '\”, a control character or not ASCII (len(s) if none), eight bytes at a time, as
// plainRun does for its own set.
func phpPlainRun(s []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	zero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		special := (w & highs) | ((w - 0x20*ones) & ^w & highs) |
			zero(w^('"'*ones)) | zero(w^('\\'*ones)) | zero(w^('<'*ones)) |
			zero(w^('>'*ones)) | zero(w^('&'*ones)) | zero(w^('\''*ones))
		if special != 0 {
			return i + bits.TrailingZeros64(special)/8
		}
	}
	for ; i < len(s); i++ {
		if phpSpecial(s[i]) {
			return i
		}
	}
	return i
}

// phpSpecial reports whether b needs a look before being copied into a PHP-form string.
func phpSpecial(b byte) bool {
	switch b {
	case '"', '\\', '<', '>', '&', '\'':
		return true
	}
	return b < 0x20 || b >= utf8.RuneSelf
}

// appendPHPString appends s (UTF-8; invalid bytes become U+FFFD) quoted as json_encode does
// with the flags Xano signs with: '"' and the four HTML-significant characters as upper-case
// \u escapes, '/' and non-ASCII raw, except U+2028 and U+2029, which PHP escapes unless
// JSON_UNESCAPED_LINE_TERMINATORS is given.
func appendPHPString(dst, s []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		switch r {
		case '"':
			dst = append(dst, `\u0022`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '<':
			dst = append(dst, `\u003C`...)
		case '>':
			dst = append(dst, `\u003E`...)
		case '&':
			dst = append(dst, `\u0026`...)
		case '\'':
			dst = append(dst, `\u0027`...)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\u2028':
			dst = append(dst, `\u2028`...)
		case '\u2029':
			dst = append(dst, `\u2029`...)
		default:
			if r < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
				continue
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

// sortMembers sorts the members of an object by key and keeps the last of equal keys (as
// decoding into a map does); it reports whether that changed anything.
func (c *canonicalizer) sortMembers(members []member) ([]member, bool) {
	key := func(m member) []byte { return c.keys[m.k0:m.k1] }
	sorted := true
	for i := 1; i < len(members); i++ {
		if bytes.Compare(key(members[i-1]), key(members[i])) >= 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return members, false
	}
	slices.SortStableFunc(members, func(a, b member) int { return bytes.Compare(key(a), key(b)) })
	kept := members[:0]
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(key(m), key(members[i+1])) {
			continue // a later member has the same key and wins
		}
		kept = append(kept, m)
	}
	return kept, true
}
