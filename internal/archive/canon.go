package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth is encoding/json's nesting limit: deeper documents are not valid JSON to it.
const maxJSONDepth = 10000

// errSyntax reports input that is not exactly one valid JSON value.
var errSyntax = errors.New("invalid JSON")

// canonicalizer writes the canonical form of a JSON document (see ContentSHA256) in one pass,
// without building a tree. Its result equals decoding with encoding/json (UseNumber) into `any`
// and writing that with sorted keys; FuzzCanonicalJSON checks the two against each other.
// A canonicalizer is reused across entries: its buffers only grow to the largest document.
type canonicalizer struct {
	src     []byte
	pos     int
	depth   int
	out     []byte     // the canonical document
	keys    []byte     // decoded keys of the objects being read
	stack   [][]member // members of the objects being read, by depth
	tmp     []byte     // a decoded string value
	scratch []byte     // where an unsorted object is copied to be rewritten

	fastMisses int // objects of this document that sortedObject gave up on
	fastWaste  int // the bytes it had read of them

	bundle     bool   // the document is a signed bundle ("sig" was dropped)
	bundleType string // its "type", if a string

	// php selects the form Xano signs bundles over (see phpjson.go) instead of the canonical
	// form: members keep their order below the top level, strings are written as PHP does, and
	// the top level drops "sig" and records what Verify needs.
	php           bool
	memberTooDeep bool   // php: the top-level member being read nests deeper than maxPHPDepth
	elems         int    // the number of elements of the last array closed
	tooDeep       bool   // php: a kept top-level member other than "sig" nests too deep
	sig           []byte // php: the PHP form of the "sig" member's value (nil when absent)
	sigBuf        []byte // where sig is kept, reused
	payloadRows   int    // php: see bundleForm.payloadRows
}

// member is one "key":value of an object being read.
type member struct {
	k0, k1     int // the decoded key is keys[k0:k1]
	start, end int // its canonical `"key":value` is out[start:end]
	// For top-level members in php mode: elems is what bundleForm.payloadRows says of its value,
	// tooDeep whether the value nests deeper than maxPHPDepth.
	elems   int
	tooDeep bool
}

// canonicalize returns the canonical form of src, or errSyntax. The result is valid until the
// next call.
func (c *canonicalizer) canonicalize(src []byte) ([]byte, error) {
	c.src, c.pos, c.depth, c.fastMisses, c.fastWaste = src, 0, 0, 0, 0
	c.out, c.keys = c.out[:0], c.keys[:0]
	c.bundle, c.bundleType = false, ""
	c.memberTooDeep, c.tooDeep, c.sig, c.payloadRows = false, false, nil, 0
	err := c.value(true)
	c.skipSpace()
	c.src = nil
	if err == nil && c.pos != len(src) {
		err = errSyntax
	}
	return c.out, err
}

func (c *canonicalizer) skipSpace() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// value reads the next value; top is true for the document's top-level value.
func (c *canonicalizer) value(top bool) error {
	c.skipSpace()
	if c.pos >= len(c.src) {
		return errSyntax
	}
	switch b := c.src[c.pos]; {
	case b == '{':
		return c.object(top)
	case b == '[':
		return c.array()
	case b == '"' && c.php:
		return c.phpString()
	case b == '"':
		return c.stringValue()
	case b == 't':
		return c.literal("true")
	case b == 'f':
		return c.literal("false")
	case b == 'n':
		return c.literal("null")
	case b == '-' || ('0' <= b && b <= '9'):
		return c.number()
	}
	return errSyntax
}

func (c *canonicalizer) literal(lit string) error {
	if !bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
		return errSyntax
	}
	c.pos += len(lit)
	c.out = append(c.out, lit...)
	return nil
}

// number copies a number literal as written, after checking its grammar.
func (c *canonicalizer) number() error {
	start := c.pos
	if c.src[c.pos] == '-' {
		c.pos++
	}
	switch {
	case c.pos < len(c.src) && c.src[c.pos] == '0':
		c.pos++
	case !c.digits():
		return errSyntax
	}
	if c.pos < len(c.src) && c.src[c.pos] == '.' {
		c.pos++
		if !c.digits() {
			return errSyntax
		}
	}
	if c.pos < len(c.src) && (c.src[c.pos] == 'e' || c.src[c.pos] == 'E') {
		c.pos++
		if c.pos < len(c.src) && (c.src[c.pos] == '+' || c.src[c.pos] == '-') {
			c.pos++
		}
		if !c.digits() {
			return errSyntax
		}
	}
	c.out = append(c.out, c.src[start:c.pos]...)
	return nil
}

// digits skips one or more decimal digits and reports whether there was one.
func (c *canonicalizer) digits() bool {
	start := c.pos
	for c.pos < len(c.src) && '0' <= c.src[c.pos] && c.src[c.pos] <= '9' {
		c.pos++
	}
	return c.pos > start
}

func (c *canonicalizer) enter() error {
	c.depth++
	if c.depth > maxJSONDepth {
		return errSyntax
	}
	if c.php {
		c.phpEnter()
	}
	for len(c.stack) < c.depth {
		c.stack = append(c.stack, nil)
	}
	return nil
}

func (c *canonicalizer) array() error {
	c.pos++
	if err := c.enter(); err != nil {
		return err
	}
	c.out = append(c.out, '[')
	n := 0
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == ']' {
		c.pos++
	} else {
		for {
			if err := c.value(false); err != nil {
				return err
			}
			n++
			c.skipSpace()
			if c.pos >= len(c.src) {
				return errSyntax
			}
			c.pos++
			if c.src[c.pos-1] == ']' {
				break
			}
			if c.src[c.pos-1] != ',' {
				return errSyntax
			}
			c.out = append(c.out, ',')
		}
	}
	c.out = append(c.out, ']')
	c.elems = n
	c.depth--
	return nil
}

func (c *canonicalizer) object(top bool) error {
	if !top && !c.php && c.fastMisses < maxFastMisses && c.fastWaste <= len(c.src)/8 {
		pos, outLen, depth := c.pos, len(c.out), c.depth
		if done, err := c.sortedObject(); done {
			return err
		}
		// Not already canonical: read it again the general way.
		c.fastMisses++
		c.fastWaste += c.pos - pos
		c.pos, c.out, c.depth = pos, c.out[:outLen], depth
	}
	c.pos++
	if err := c.enter(); err != nil {
		return err
	}
	objStart, keyMark := len(c.out), len(c.keys)
	c.out = append(c.out, '{')
	members := c.stack[c.depth-1][:0]
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == '}' {
		c.pos++
	} else {
		for {
			c.skipSpace()
			if c.pos >= len(c.src) || c.src[c.pos] != '"' {
				return errSyntax
			}
			if len(members) > 0 {
				c.out = append(c.out, ',')
			}
			m := member{k0: len(c.keys), start: len(c.out)}
			if k, ok := c.plainString(); ok && (!c.php || phpPlainRun(k, 0) == len(k)) {
				// Printable ASCII without escapes: decoded and canonical forms are the raw bytes
				// (and the PHP form too, without the characters PHP escapes).
				c.keys = append(c.keys, k...)
				c.out = append(c.out, c.src[c.pos-len(k)-2:c.pos]...) // the key with its quotes
				c.out = append(c.out, ':')
				m.k1 = len(c.keys)
			} else {
				if ok {
					c.keys = append(c.keys, k...)
				} else {
					var err error
					if c.keys, err = c.decodeString(c.keys); err != nil {
						return err
					}
				}
				m.k1 = len(c.keys)
				if c.php {
					c.out = appendPHPString(c.out, c.keys[m.k0:m.k1])
				} else {
					c.out = appendCanonicalString(c.out, c.keys[m.k0:m.k1])
				}
				c.out = append(c.out, ':')
			}
			c.skipSpace()
			if c.pos >= len(c.src) || c.src[c.pos] != ':' {
				return errSyntax
			}
			c.pos++
			c.skipSpace()
			kind := byte(0)
			if c.pos < len(c.src) {
				kind = c.src[c.pos]
			}
			if err := c.value(false); err != nil {
				return err
			}
			m.end = len(c.out)
			if top && c.php {
				switch kind {
				case '[':
					m.elems = c.elems
				case 'n':
					m.elems = 0
				default:
					m.elems = -1
				}
				m.tooDeep, c.memberTooDeep = c.memberTooDeep, false
			}
			members = append(members, m)
			c.skipSpace()
			if c.pos >= len(c.src) {
				return errSyntax
			}
			c.pos++
			if c.src[c.pos-1] == '}' {
				break
			}
			if c.src[c.pos-1] != ',' {
				return errSyntax
			}
		}
	}
	c.stack[c.depth-1] = members
	c.finishObject(objStart, members, top)
	c.keys = c.keys[:keyMark]
	c.depth--
	return nil
}

// maxFastMisses is how many objects of a document may fail sortedObject's test before it is
// no longer tried: a document whose objects are not written in canonical order is then read
// the general way only. The bytes read again after misses are also bounded (fastWaste, an
// eighth of the document), so that no document costs much more than one reading.
const maxFastMisses = 16

// sortedObject copies the object at c.pos when it is already in canonical form as far as its
// members go: every key printable ASCII without escapes, and each key greater than the one
// before (so sorted and without duplicates). Then its canonical form is its members as read,
// and no member needs to be remembered. It reports done=false, having read an unknown part of
// the object, when a key fails the test; the caller reads the object again from its start.
// Errors (with done=true) are the syntax errors the general reading would find.
func (c *canonicalizer) sortedObject() (done bool, err error) {
	c.pos++
	if err := c.enter(); err != nil {
		return true, err
	}
	c.out = append(c.out, '{')
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == '}' {
		c.pos++
	} else {
		var prev []byte
		for n := 0; ; n++ {
			c.skipSpace()
			if c.pos >= len(c.src) || c.src[c.pos] != '"' {
				return true, errSyntax
			}
			k, ok := c.plainString()
			if !ok || (n > 0 && bytes.Compare(prev, k) >= 0) {
				return false, nil
			}
			prev = k
			if n > 0 {
				c.out = append(c.out, ',')
			}
			c.out = append(c.out, c.src[c.pos-len(k)-2:c.pos]...) // the key with its quotes
			c.out = append(c.out, ':')
			c.skipSpace()
			if c.pos >= len(c.src) || c.src[c.pos] != ':' {
				return true, errSyntax
			}
			c.pos++
			if err := c.value(false); err != nil {
				return true, err
			}
			c.skipSpace()
			if c.pos >= len(c.src) {
				return true, errSyntax
			}
			c.pos++
			if c.src[c.pos-1] == '}' {
				break
			}
			if c.src[c.pos-1] != ',' {
				return true, errSyntax
			}
		}
	}
	c.out = append(c.out, '}')
	c.depth--
	return true, nil
}

// finishObject puts the members written since objStart in canonical order: sorted by key, the
// last of equal keys kept, and "sig" dropped from a top-level signed bundle. Then it closes the
// object.
//
// In php mode only the top level is rewritten so (see phpTop); below it, members stay as written.
func (c *canonicalizer) finishObject(objStart int, members []member, top bool) {
	if c.php && !top {
		c.out = append(c.out, '}')
		return
	}
	members, changed := c.sortMembers(members)
	if c.php {
		members, changed = c.phpTop(members), true
	} else if top {
		if sig := c.signedBundle(members); sig >= 0 {
			members = slices.Delete(members, sig, sig+1)
			changed = true
		}
	}
	if changed && top {
		// The whole document: write the members in order into scratch and swap the two
		// buffers, one copy of the document instead of two.
		w := append(c.scratch[:0], c.out[:objStart+1]...)
		for i, m := range members {
			if i > 0 {
				w = append(w, ',')
			}
			w = append(w, c.out[m.start:m.end]...)
		}
		c.out, c.scratch = w, c.out[:0]
	} else if changed {
		base := objStart + 1
		c.scratch = append(c.scratch[:0], c.out[base:]...)
		c.out = c.out[:base]
		for i, m := range members {
			if i > 0 {
				c.out = append(c.out, ',')
			}
			c.out = append(c.out, c.scratch[m.start-base:m.end-base]...)
		}
	}
	c.out = append(c.out, '}')
}

// signedBundle reports the index of "sig" among the sorted, unique members of a top-level
// object that also has "app" (-1 if it is not a signed bundle), and records the bundle's type.
func (c *canonicalizer) signedBundle(members []member) int {
	sig, hasApp := -1, false
	typ := ""
	for i, m := range members {
		switch string(c.keys[m.k0:m.k1]) {
		case "app":
			hasApp = true
		case "sig":
			sig = i
		case "type":
			// The canonical member is `"type":<value>`.
			_ = json.Unmarshal(c.out[m.start+len(`"type":`):m.end], &typ)
		}
	}
	if !hasApp || sig < 0 {
		return -1
	}
	c.bundle, c.bundleType = true, typ
	return sig
}

// plainString reads the string at c.pos when it is printable ASCII without escapes (so its
// raw, decoded and canonical contents are the same bytes) and returns its contents; otherwise
// it reads nothing and returns false.
func (c *canonicalizer) plainString() ([]byte, bool) {
	src := c.src
	for i := plainRun(src, c.pos+1); i < len(src); i++ {
		switch b := src[i]; {
		case b == '"':
			k := src[c.pos+1 : i]
			c.pos = i + 1
			return k, true
		case b == '\\' || b < 0x20 || b >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// plainRun returns the index of the first byte at or after i that is '"', '\\', a control
// character or not ASCII (len(s) if none), looking at eight bytes at a time.
func plainRun(s []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		q := w ^ ('"' * ones)   // zero bytes where w has '"'
		bs := w ^ ('\\' * ones) // zero bytes where w has '\\'
		// A byte's high bit ends up set when it is non-ASCII, below 0x20, or zero in q or bs.
		// Borrows can flag bytes above a real match, never below one, so the lowest flagged
		// byte is the first special one (FuzzPlainRun checks this against a byte loop).
		special := (w & highs) | ((w - 0x20*ones) & ^w & highs) | ((q - ones) & ^q & highs) | ((bs - ones) & ^bs & highs)
		if special != 0 {
			return i + bits.TrailingZeros64(special)/8
		}
	}
	for ; i < len(s); i++ {
		if b := s[i]; b == '"' || b == '\\' || b < 0x20 || b >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// stringValue copies a string value in canonical form.
func (c *canonicalizer) stringValue() error {
	// Fast path: printable ASCII and valid UTF-8 without escapes is its own canonical form.
	for i := c.pos + 1; i < len(c.src); {
		if i = plainRun(c.src, i); i >= len(c.src) {
			break
		}
		b := c.src[i]
		switch {
		case b == '"':
			c.out = append(c.out, c.src[c.pos:i+1]...)
			c.pos = i + 1
			return nil
		case b == '\\' || b < 0x20:
			i = len(c.src) // take the slow path
		case b < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(c.src[i:])
			if r == utf8.RuneError && size == 1 {
				i = len(c.src)
			}
			i += size
		}
	}
	var err error
	if c.tmp, err = c.decodeString(c.tmp[:0]); err != nil {
		return err
	}
	c.out = appendCanonicalString(c.out, c.tmp)
	return nil
}

// decodeString reads the string at c.pos and appends its decoded UTF-8 to dst, exactly as
// encoding/json unquotes: invalid UTF-8 bytes and unpaired surrogates become U+FFFD.
func (c *canonicalizer) decodeString(dst []byte) ([]byte, error) {
	src := c.src
	c.pos++ // the opening quote
	for c.pos < len(src) {
		switch b := src[c.pos]; {
		case b == '"':
			c.pos++
			return dst, nil
		case b == '\\':
			var err error
			if dst, err = c.decodeEscape(dst); err != nil {
				return dst, err
			}
		case b < 0x20:
			return dst, errSyntax
		case b < utf8.RuneSelf:
			dst = append(dst, b)
			c.pos++
		default:
			r, size := utf8.DecodeRune(src[c.pos:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, unicode.ReplacementChar)
			} else {
				dst = append(dst, src[c.pos:c.pos+size]...)
			}
			c.pos += size
		}
	}
	return dst, errSyntax
}

// decodeEscape decodes the escape sequence at c.pos.
func (c *canonicalizer) decodeEscape(dst []byte) ([]byte, error) {
	if c.pos+1 >= len(c.src) {
		return dst, errSyntax
	}
	if r, ok := simpleEscape(c.src[c.pos+1]); ok {
		c.pos += 2
		return append(dst, r), nil
	}
	if c.src[c.pos+1] != 'u' {
		return dst, errSyntax
	}
	r := hex4(c.src[c.pos:])
	if r < 0 {
		return dst, errSyntax
	}
	c.pos += 6
	if utf16.IsSurrogate(r) {
		if pair := utf16.DecodeRune(r, hex4(c.src[c.pos:])); pair != unicode.ReplacementChar {
			c.pos += 6
			r = pair
		} else {
			r = unicode.ReplacementChar
		}
	}
	return utf8.AppendRune(dst, r), nil
}

// simpleEscape returns the byte a one-character escape such as \n stands for.
func simpleEscape(e byte) (byte, bool) {
	switch e {
	case '"', '\\', '/':
		return e, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// hex4 decodes `\uXXXX` at the start of s, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, b := range s[2:6] {
		switch {
		case '0' <= b && b <= '9':
			b -= '0'
		case 'a' <= b && b <= 'f':
			b -= 'a' - 10
		case 'A' <= b && b <= 'F':
			b -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(b)
	}
	return r
}

// appendCanonicalString appends s quoted, escaping only '"', '\\' and control characters.
func appendCanonicalString(dst, s []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i, b := range s {
		if b >= 0x20 && b != '"' && b != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch b {
		case '"', '\\':
			dst = append(dst, '\\', b)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
