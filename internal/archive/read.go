package archive

import "io"

// Info describes an archive read by Inspect.
type Info struct {
	// Encrypted is true for an archive exported with a password; then nothing else is known
	// and ContentSHA256 is empty.
	Encrypted bool
	// GzipLayers is how many gzip layers were peeled.
	GzipLayers int
	// Type is the root bundle's "type" ("schema" or "workspace"), empty if there is no bundle.
	Type string
	// Entries is the number of regular-file tar entries.
	Entries int
	// ContentSHA256 is the canonical content hash (see ContentSHA256), lowercase hex.
	ContentSHA256 string
}

// Inspect streams an archive once and reports what it is and its canonical content hash.
// An encrypted archive is not an error: Info.Encrypted is set. Zero-valued limits take defaults.
func Inspect(r io.Reader, lim Limits) (Info, error) {
	panic("not implemented")
}

// Entry is one regular file of an archive, as Walk yields it.
type Entry struct {
	Name string // normalised: no leading "./" or "/"
	Size int64
}

// Walk peels the gzip layers of r and calls fn for every regular file in the tar, in archive
// order, with a reader limited to that entry. fn must not keep the reader after it returns.
// Walk returns ErrEncrypted for an encrypted archive and ErrNotArchive for other non-archives.
func Walk(r io.Reader, lim Limits, fn func(e Entry, body io.Reader) error) error {
	panic("not implemented")
}
