package provider

import (
	"errors"
	"io"
	"os"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// sniffBytes is how much of an archive is read to tell whether it is encrypted.
const sniffBytes = 64

// sourceEncrypted reports whether the archive at p was exported with a password, from its first
// bytes only.
func sourceEncrypted(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return archive.IsEncrypted(buf[:n]), nil
}
