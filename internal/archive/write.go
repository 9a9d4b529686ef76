package archive

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Bundle is Xano's signed JSON envelope: {app, version, type, payload, sig}.
type Bundle struct {
	App     string `json:"app"`     // always "xano"
	Version string `json:"version"` // e.g. "1.03"
	Type    string `json:"type"`    // "schema", "workspace" or "content"
	Payload any    `json:"payload"`
	Sig     string `json:"sig"`
}

// Bundle constants written by NewBundle.
const (
	BundleApp     = "xano"
	BundleVersion = "1.03"
)

// NewBundle returns a signed bundle of the given type holding payload.
func NewBundle(typ string, payload any) (Bundle, error) {
	b := Bundle{App: BundleApp, Version: BundleVersion, Type: typ, Payload: payload}
	sig, err := Sign(b)
	if err != nil {
		return Bundle{}, err
	}
	b.Sig = sig
	return b, nil
}

// Sign computes a bundle's signature: websafe base64 (+/= mapped to -_.) of
// sha1(PHP-style JSON of the top-level keys except sig, sorted). See the reference notes.
//
// The PHP-style JSON is what PHP's json_encode writes with JSON_HEX_QUOT, JSON_HEX_TAG,
// JSON_HEX_AMP, JSON_HEX_APOS, JSON_UNESCAPED_SLASHES and JSON_UNESCAPED_UNICODE (phpjson.go).
// Below the top level, object members keep their order: for Sign, the order encoding/json
// marshals the payload in (struct fields in declaration order, map keys sorted); for Verify, the
// order in the raw bytes, as PHP keeps the order of the arrays it decoded. Numbers are kept as
// written.
func Sign(b Bundle) (string, error) {
	b.Sig = ""
	raw, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("signing a %q bundle: %w", b.Type, err)
	}
	var sig string
	err = readBundle(raw, func(f bundleForm) error {
		sig, err = signature(f)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("signing a %q bundle: %w", b.Type, err)
	}
	return sig, nil
}

// Verify reports whether raw (a bundle's JSON bytes) carries a valid signature.
// A bundle without a string "sig" is not valid; bytes that are not one JSON object are an error.
func Verify(raw []byte) (bool, error) {
	ok, _, err := verify(raw)
	return ok, err
}

// VerifyPage is Verify for a content page (content/<table guid>/<n>.json), which also counts the
// rows of its payload in the same pass. A page whose signature is valid but whose payload is
// not a list (nor null) is an error.
func VerifyPage(raw []byte) (ok bool, rows int, err error) {
	ok, rows, err = verify(raw)
	if err == nil && ok && rows < 0 {
		return false, 0, errors.New("verifying a content page: its payload is not a list of rows")
	}
	return ok, max(rows, 0), err
}

// websafeBase64 is standard base64 with '+', '/' and '=' mapped to '-', '_' and '.'.
func websafeBase64(b []byte) string {
	return strings.NewReplacer("+", "-", "/", "_", "=", ".").Replace(base64.StdEncoding.EncodeToString(b))
}

// Writer writes a gzip(tar) archive in Xano's layout. Entries are written as they are added.
// After an error every later call returns that error.
type Writer struct {
	gz      *gzip.Writer
	tw      *tar.Writer
	modTime time.Time
	err     error
	closed  bool
	buf     []byte // reused by AddFile, so that an archive of many entries allocates once
}

// NewWriter returns a Writer that stamps modTime into the gzip header and tar entries.
func NewWriter(w io.Writer, modTime time.Time) *Writer {
	gz := gzip.NewWriter(w)
	gz.ModTime = modTime
	return &Writer{gz: gz, tw: tar.NewWriter(gz), modTime: modTime}
}

// AddJSON writes v as JSON under name.
func (w *Writer) AddJSON(name string, v any) error {
	if w.err != nil {
		return w.err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("archive entry %q: encoding JSON: %w", name, err)
	}
	return w.AddFile(name, int64(len(data)), bytes.NewReader(data))
}

// AddFile writes size bytes read from r under name. The name must be what a reader of the
// archive gets back (see Walk): relative, with "/" between non-empty segments none of which is
// "." or ".."; other names are refused, as is a negative size, without spoiling the Writer.
func (w *Writer) AddFile(name string, size int64, r io.Reader) error {
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return fmt.Errorf("archive entry %q: the writer is closed", name)
	case size < 0:
		return fmt.Errorf("archive entry %q: invalid size %d", name, size)
	}
	if err := checkEntryName(name); err != nil {
		return fmt.Errorf("archive entry %q: %w", name, err)
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		Size:     size,
		Mode:     0o644,
		ModTime:  w.modTime,
	}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return w.setErr(fmt.Errorf("archive entry %q: writing the tar header: %w", name, err))
	}
	if w.buf == nil {
		w.buf = make([]byte, 32<<10)
	}
	n, err := io.CopyBuffer(w.tw, io.LimitReader(r, size), w.buf)
	if err == nil && n < size {
		err = io.EOF
	}
	if err == io.EOF {
		return w.setErr(fmt.Errorf("archive entry %q: the source ended after %d of %d bytes", name, n, size))
	}
	if err != nil {
		return w.setErr(fmt.Errorf("archive entry %q: %w", name, err))
	}
	return nil
}

// Close finishes the tar and the gzip stream (it does not close the underlying writer).
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.tw.Close(); err != nil {
		return w.setErr(fmt.Errorf("finishing the tar: %w", err))
	}
	if err := w.gz.Close(); err != nil {
		return w.setErr(fmt.Errorf("finishing the gzip stream: %w", err))
	}
	return nil
}

// checkEntryName refuses a name that readers would change (normaliseName) or refuse.
func checkEntryName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case strings.IndexByte(name, 0) >= 0:
		return errors.New("the name holds a NUL byte")
	case strings.HasPrefix(name, "/"):
		return errors.New(`the name must be relative (no leading "/")`)
	}
	for seg := range strings.SplitSeq(name, "/") {
		switch seg {
		case "":
			return errors.New(`the name has an empty segment ("//" or a trailing "/")`)
		case ".", "..":
			return fmt.Errorf("the name has a %q segment", seg)
		}
	}
	return nil
}

func (w *Writer) setErr(err error) error {
	w.err = err
	return err
}
