package provider

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

func TestSourceEncrypted(t *testing.T) {
	t.Parallel()
	random := make([]byte, 4096)
	rng := rand.New(rand.NewChaCha8([32]byte{7}))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var plain bytes.Buffer
	w := archive.NewWriter(&plain, time.Unix(0, 0))
	if err := w.AddJSON("workspace.json", map[string]any{"app": "xano"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(plain.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var bareTar bytes.Buffer
	if _, err := bareTar.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want bool
	}{
		{"unknown encrypted format", random, true},
		{"this provider's format", append([]byte("XANOENC1"), random[:200]...), true},
		{"gzip", plain.Bytes(), false},
		{"bare tar", bareTar.Bytes(), false},
		{"JSON error", []byte(`{"code":"ERROR_FATAL","message":"Invalid password"}`), false},
		{"HTML page", []byte("<!DOCTYPE html>\n<html><body>Bad Gateway</body></html>"), false},
	}
	dir := t.TempDir()
	for i, c := range cases {
		p := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(p, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := sourceEncrypted(p)
		if err != nil || got != c.want {
			t.Errorf("%s: sourceEncrypted = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := sourceEncrypted(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file is not an error")
	}
}
