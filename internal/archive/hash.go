package archive

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
)

// ContentSHA256 returns the canonical content hash of an archive, read with the default Limits.
// It is Inspect(r, Limits{}).ContentSHA256, and ErrEncrypted for an encrypted archive.
//
// The hash is defined as follows; any implementation following this text gets the same value.
//
//  1. Take every regular file of the tar (after peeling all gzip layers): type '0', '\x00',
//     '7' or GNU sparse 'S'. Directories, symlinks, hard links, devices and FIFOs are not part
//     of the content. Each name is normalised: leading "./" and "/" are removed repeatedly,
//     then the name is cleaned as by path.Clean ("a//b/./c" becomes "a/b/c"). Two entries with
//     the same normalised name are an error.
//  2. For an entry whose normalised name ends in ".json" and whose body is one valid JSON
//     value (surrounding whitespace allowed), the canonical bytes are that value re-encoded:
//     object members sorted by key (byte-wise on the UTF-8 key), no whitespace, numbers kept
//     exactly as written (1.0 and 1 differ), strings with only '"', '\\' and control characters
//     below U+0020 escaped (as \" \\ \b \f \n \r \t, others as \u00xx in lower-case hex), no
//     HTML escaping, all other characters as raw UTF-8 (invalid UTF-8 becomes U+FFFD). When an
//     object repeats a key, the last member wins. If the top-level value is an object holding
//     both an "app" and a "sig" key (a signed Xano bundle), the "sig" member is dropped: the
//     signature is a function of the rest. A ".json" entry that is not valid JSON is hashed as
//     its raw bytes.
//  3. Every other entry's canonical bytes are its raw content.
//  4. Entry digest = SHA-256 of the canonical bytes, as 64 lower-case hex digits.
//  5. The hash is SHA-256 over the lines "<name>\x00<entry digest>\n" of all entries, sorted
//     by name (byte-wise), written as 64 lower-case hex digits. Tar names cannot hold NUL, so
//     the encoding is unambiguous. An archive without regular files hashes to SHA-256("").
//
// So the hash ignores the gzip headers (time, name, OS, level), the number of gzip layers, tar
// metadata (times, owners, modes, format, padding), entry order, JSON formatting and key order,
// and bundle signatures; it changes with any change to a name or to content.
func ContentSHA256(r io.Reader) (string, error) {
	info, err := Inspect(r, Limits{})
	if err != nil {
		return "", err
	}
	if info.Encrypted {
		return "", ErrEncrypted
	}
	return info.ContentSHA256, nil
}

// hashedEntry is one line of the final hash.
type hashedEntry struct {
	name   string
	digest [sha256.Size]byte
}

// contentHasher computes the content hash from the entries Walk yields. It holds one JSON
// entry at a time, plus one name and digest per entry.
type contentHasher struct {
	lim        Limits
	entries    []hashedEntry
	bundleType string
	typeFrom   string // the entry bundleType was read from

	copyBuf []byte
	jsonBuf bytes.Buffer
	out     *bufio.Writer
}

// maxKeptJSONBuffer is the largest JSON read buffer kept for the next entry.
const maxKeptJSONBuffer = 8 << 20

func newContentHasher(lim Limits) *contentHasher {
	return &contentHasher{
		lim:     lim,
		copyBuf: make([]byte, 32<<10),
		out:     bufio.NewWriterSize(io.Discard, 32<<10),
	}
}

// add hashes one entry; its signature fits Walk.
func (h *contentHasher) add(e Entry, body io.Reader) error {
	eh := sha256.New()
	if isJSONName(e.Name) {
		if err := h.addJSON(e, body, eh); err != nil {
			return err
		}
	} else if _, err := io.CopyBuffer(eh, body, h.copyBuf); err != nil {
		return err
	}
	he := hashedEntry{name: e.Name}
	eh.Sum(he.digest[:0])
	h.entries = append(h.entries, he)
	return nil
}

// addJSON reads a JSON entry (bounded by MaxJSONEntryBytes) and hashes its canonical form.
func (h *contentHasher) addJSON(e Entry, body io.Reader, eh hash.Hash) error {
	if h.jsonBuf.Cap() > maxKeptJSONBuffer {
		h.jsonBuf = bytes.Buffer{}
	}
	h.jsonBuf.Reset()
	h.jsonBuf.Grow(int(min(max(e.Size, 0), h.lim.MaxJSONEntryBytes)) + bytes.MinRead)
	n, err := h.jsonBuf.ReadFrom(io.LimitReader(body, h.lim.MaxJSONEntryBytes+1))
	if err != nil {
		return err
	}
	if n > h.lim.MaxJSONEntryBytes {
		return &LimitError{Limit: "MaxJSONEntryBytes", Value: h.lim.MaxJSONEntryBytes, Entry: e.Name}
	}
	raw := h.jsonBuf.Bytes()
	v, ok := parseJSON(raw)
	if !ok {
		_, _ = eh.Write(raw)
		return nil
	}
	if m, isBundle := signedBundle(v); isBundle {
		delete(m, "sig")
		h.noteBundle(e.Name, m)
	}
	h.out.Reset(eh)
	if err := writeCanonical(h.out, v); err != nil {
		return fmt.Errorf("canonicalising %q: %w", e.Name, err)
	}
	return h.out.Flush()
}

// noteBundle records the type of a signed bundle found at the root of the tar. workspace.json
// wins over any other; otherwise the first one found is kept.
func (h *contentHasher) noteBundle(name string, m map[string]any) {
	if strings.Contains(name, "/") {
		return
	}
	if h.typeFrom != "" && (h.typeFrom == "workspace.json" || name != "workspace.json") {
		return
	}
	typ, _ := m["type"].(string)
	h.bundleType, h.typeFrom = typ, name
}

// sum returns the final content hash in lower-case hex.
func (h *contentHasher) sum() string {
	sort.Slice(h.entries, func(i, j int) bool { return h.entries[i].name < h.entries[j].name })
	fh := sha256.New()
	line := make([]byte, 0, 256)
	for _, e := range h.entries {
		line = append(line[:0], e.name...)
		line = append(line, 0)
		line = hex.AppendEncode(line, e.digest[:])
		line = append(line, '\n')
		_, _ = fh.Write(line)
	}
	return hex.EncodeToString(fh.Sum(nil))
}

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
func writeCanonical(w *bufio.Writer, v any) error {
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
func writeCanonicalString(w *bufio.Writer, s string) {
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
