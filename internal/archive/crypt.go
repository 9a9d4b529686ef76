package archive

import (
	"errors"
	"io"
)

// ErrWrongPassword reports that an encrypted archive could not be opened with the given password
// (or that the password was missing).
var ErrWrongPassword = errors.New("the archive is encrypted and the password is missing or wrong")

// Encrypt returns a writer that encrypts everything written to it into dst with a key derived
// from password (a memory-hard KDF with a random salt, then a chunked AEAD so that the stream
// never needs to be held in memory). Close writes the final chunk; it does not close dst.
func Encrypt(dst io.Writer, password string) (io.WriteCloser, error) {
	panic("not implemented")
}

// Decrypt returns a reader of the plaintext of an archive made by Encrypt. A wrong password
// yields ErrWrongPassword, at the latest when the first chunk is read.
func Decrypt(src io.Reader, password string) (io.Reader, error) {
	panic("not implemented")
}

// IsEncrypted reports whether the first bytes of an archive are the header Encrypt writes.
func IsEncrypted(prefix []byte) bool {
	panic("not implemented")
}
