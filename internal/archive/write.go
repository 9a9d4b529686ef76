package archive

import (
	"io"
	"time"
)

// Bundle is Xano's signed JSON envelope: {app, version, type, payload, sig}.
type Bundle struct {
	App     string `json:"app"`     // always "xano"
	Version string `json:"version"` // e.g. "1.03"
	Type    string `json:"type"`    // "schema", "workspace" or "content"
	Payload any    `json:"payload"`
	Sig     string `json:"sig"`
}

// NewBundle returns a signed bundle of the given type holding payload.
func NewBundle(typ string, payload any) (Bundle, error) {
	panic("not implemented")
}

// Sign computes a bundle's signature: websafe base64 (+/= mapped to -_.) of
// sha1(PHP-style JSON of the top-level keys except sig, sorted). See the reference notes.
func Sign(b Bundle) (string, error) {
	panic("not implemented")
}

// Verify reports whether raw (a bundle's JSON bytes) carries a valid signature.
func Verify(raw []byte) (bool, error) {
	panic("not implemented")
}

// Writer writes a gzip(tar) archive in Xano's layout. Entries are written as they are added.
type Writer struct{}

// NewWriter returns a Writer that stamps modTime into the gzip header and tar entries.
func NewWriter(w io.Writer, modTime time.Time) *Writer {
	panic("not implemented")
}

// AddJSON writes v as JSON under name.
func (w *Writer) AddJSON(name string, v any) error {
	panic("not implemented")
}

// AddFile writes size bytes read from r under name.
func (w *Writer) AddFile(name string, size int64, r io.Reader) error {
	panic("not implemented")
}

// Close finishes the tar and the gzip stream (it does not close the underlying writer).
func (w *Writer) Close() error {
	panic("not implemented")
}
