package provider

import (
	"context"
	"errors"
	"io"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// sourceEncrypted reports whether the archive at p was exported with a password, from its first
// bytes only. It applies archive.LooksEncrypted, the rule archive.Inspect uses, so an archive in
// Xano's own (undocumented) encrypted format counts too, not only this provider's.
func sourceEncrypted(ctx context.Context, src importSource) (bool, error) {
	f, err := src.open(ctx)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, archive.SniffBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return archive.LooksEncrypted(buf[:n]), nil
}
