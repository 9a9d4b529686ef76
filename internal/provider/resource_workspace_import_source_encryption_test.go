package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The plan judges encryption as the upload's inspection does (archive.LooksEncrypted), so that an
// archive whose encryption the plan does not see never fails at apply for want of a password.
func TestSourceEncryptedAgreesWithInspect(t *testing.T) {
	dir := t.TempDir()
	var plain bytes.Buffer
	w := archive.NewWriter(&plain, time.Unix(0, 0))
	if err := w.AddJSON("schema.json", map[string]any{"app": "xano"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var own bytes.Buffer
	ew, err := archive.Encrypt(&own, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = ew.Write(plain.Bytes())
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	opaque := make([]byte, 4096) // an encrypted export in a format this provider does not know
	for i := range opaque {
		opaque[i] = byte(i*131 + 7)
	}
	for name, data := range map[string][]byte{
		"plain.tar.gz": plain.Bytes(),
		"own.enc":      own.Bytes(),
		"opaque.enc":   opaque,
		"error.json":   []byte(`{"code":"ERROR_FATAL","message":"boom"}`),
		"short-opaque": opaque[:10],
		"empty.tar.gz": nil,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := sourceEncrypted(context.Background(), importSource{path: p})
			if err != nil {
				t.Fatal(err)
			}
			info, _ := inspectFile(p)
			if got != info.Encrypted {
				t.Errorf("sourceEncrypted = %t, but Inspect says Encrypted = %t", got, info.Encrypted)
			}
		})
	}
}
