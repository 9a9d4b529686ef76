package archive

import (
	"bytes"
	"unicode/utf8"
)

// SniffBytes is how many leading bytes LooksEncrypted needs to judge a file as Inspect and Walk
// do. Fewer bytes are accepted (a file may be shorter), but then a bare tar is judged on the
// header fields that are present only.
const SniffBytes = tarBlockSize

// tarBlockSize is the size of a tar header block.
const tarBlockSize = 512

// LooksEncrypted reports whether the first bytes of a file (at least SniffBytes of them when the
// file is that long) are those of an encrypted export. Inspect and Walk apply the same rule to
// the input and to the content of every gzip layer.
//
// Xano's own encrypted format is undocumented, so anything that is not recognisably something
// else counts as encrypted: bytes are encrypted unless they are
//
//   - empty;
//   - gzip (they start with 1f 8b);
//   - a plausible tar: a header block with a valid checksum or the "ustar" magic, an all-zero
//     block (an empty tar), or, given fewer than SniffBytes bytes, a start of a header whose
//     name and numeric fields are well formed;
//   - text that looks like a JSON or HTML response (an error body saved as the archive):
//     UTF-8 without control characters whose first character, after an optional byte order
//     mark and white space, is '{', '[' or '<'.
//
// Bytes that start with this package's own header (see Encrypt) always count as encrypted; only
// those can be opened with Decrypt. IsEncrypted recognises that header alone.
func LooksEncrypted(prefix []byte) bool {
	switch {
	case len(prefix) == 0:
		return false
	case IsEncrypted(prefix):
		return true
	case isGzip(prefix) || (len(prefix) == 1 && prefix[0] == 0x1f):
		return false
	case plausibleTar(prefix):
		return false
	case looksLikeResponse(prefix):
		return false
	}
	return true
}

// plausibleTar reports whether b starts like a tar archive.
func plausibleTar(b []byte) bool {
	if len(b) >= tarBlockSize {
		h := b[:tarBlockSize]
		return allZero(h) || string(h[257:262]) == "ustar" || tarChecksumOK(h)
	}
	if allZero(b) {
		return true
	}
	return tarPrefixWellFormed(b)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// tarChecksumOK reports whether a header block's checksum field matches its bytes, summed as
// unsigned or (as some old tars did) signed bytes, the checksum field counting as spaces.
func tarChecksumOK(h []byte) bool {
	field := bytes.Trim(h[148:156], " \x00")
	if len(field) == 0 {
		return false
	}
	var want int64
	for _, c := range field {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var unsigned, signed int64
	for i, c := range h {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}

// tarPrefixWellFormed judges a tar header from its first bytes only: the name field is a
// non-empty run of UTF-8 text padded with NULs, and the numeric fields that are present
// (mode, uid, gid, size, mtime, checksum) hold octal digits, spaces and NULs, or a base-256
// number (first byte with the high bit set).
func tarPrefixWellFormed(b []byte) bool {
	name := b[:min(len(b), 100)]
	end := bytes.IndexByte(name, 0)
	if end < 0 {
		end = len(name)
	}
	if end == 0 || !allZero(name[end:]) {
		return false
	}
	if !isText(name[:end]) {
		return false
	}
	for _, f := range [][2]int{{100, 108}, {108, 116}, {116, 124}, {124, 136}, {136, 148}, {148, 156}} {
		if len(b) <= f[0] {
			break
		}
		field := b[f[0]:min(len(b), f[1])]
		if field[0]&0x80 != 0 && f[0] != 148 {
			continue // base-256 (GNU)
		}
		for _, c := range field {
			if (c < '0' || c > '7') && c != ' ' && c != 0 {
				return false
			}
		}
	}
	return true
}

// utf8BOM is the byte order mark some servers put before a text body.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// looksLikeResponse reports whether b is text that starts like a JSON or HTML document.
func looksLikeResponse(b []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(b, utf8BOM), " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[' && t[0] != '<') {
		return false
	}
	return isText(b)
}

// isText reports whether b is UTF-8 (its last character may be cut short) without control
// characters other than tab, line feed, form feed and carriage return.
func isText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f {
			return false
		}
	}
	if n := len(b); n > 0 {
		start := n - 1
		for start > 0 && start > n-utf8.UTFMax && !utf8.RuneStart(b[start]) {
			start--
		}
		if !utf8.FullRune(b[start:]) {
			b = b[:start]
		}
	}
	return utf8.Valid(b)
}
