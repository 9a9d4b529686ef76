package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
)

// seededBytes returns n reproducible pseudo-random bytes, standing for ciphertext of a format
// this package does not know.
func seededBytes(t testing.TB, n int, seed byte) []byte {
	t.Helper()
	b := make([]byte, n)
	rng := rand.New(rand.NewChaCha8([32]byte{seed}))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	if isGzip(b) || b[0] == '{' || b[0] == '<' {
		t.Fatalf("seed %d: the random bytes start like something else", seed)
	}
	return b
}

// v7Tar returns a bare tar whose headers have no "ustar" magic (a pre-POSIX tar): only their
// checksum tells them from random bytes.
func v7Tar(t testing.TB) []byte {
	t.Helper()
	data := build(t, []tEntry{{name: "workspace.json", body: bundleJSON(t, "workspace", map[string]any{})}}, buildOpts{})
	h := data[:tarBlockSize]
	clear(h[257:265]) // magic and version
	clear(h[148:156])
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:155], []byte(strconv.FormatInt(int64(sum), 8)+"\x00"))
	if !tarChecksumOK(h) {
		t.Fatal("v7Tar: bad checksum")
	}
	return data
}

func TestLooksEncrypted(t *testing.T) {
	t.Parallel()
	random := seededBytes(t, 4096, 1)
	ours := encryptBytes(t, []byte("x"), "pw")
	tarData := build(t, exportFixture(t), buildOpts{})
	gnu := build(t, exportFixture(t), buildOpts{format: tar.FormatGNU})
	v7 := v7Tar(t)
	cases := []struct {
		name string
		data []byte
		want bool
	}{
		{"random bytes", random, true},
		{"random bytes, 64 of them", random[:64], true},
		{"random bytes, 16 of them", random[:16], true},
		{"this package's header", ours, true},
		{"this package's magic alone", ours[:len(encMagic)], true},
		{"empty", nil, false},
		{"gzip", build(t, exportFixture(t), buildOpts{layers: 1}), false},
		{"gzip, first byte", []byte{0x1f}, false},
		{"tar", tarData, false},
		{"tar, first 64 bytes", tarData[:64], false},
		{"tar, first 200 bytes", tarData[:200], false},
		{"GNU tar", gnu, false},
		{"tar without the ustar magic", v7, false},
		{"empty tar", make([]byte, 1024), false},
		{"JSON error", []byte(`{"code":"ERROR_FATAL","message":"Something went wrong"}`), false},
		{"JSON with BOM and space", []byte("\xef\xbb\xbf \n[{\"code\":\"ERROR\"}]"), false},
		{"HTML page", []byte("<!DOCTYPE html><html><body><h1>Erreur 502 – passerelle</h1></body></html>"), false},
		{"HTML cut inside a character", []byte("<p>passerelle \xe2\x80"), false},
		{"brace then binary", append([]byte("{"), random[:100]...), true},
	}
	for _, c := range cases {
		if got := LooksEncrypted(c.data); got != c.want {
			t.Errorf("%s: LooksEncrypted = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestInspectUnknownEncryptedFormat checks that an archive in an encrypted format other than this
// package's (Xano's is undocumented) is reported as encrypted, not discarded as a non-archive.
func TestInspectUnknownEncryptedFormat(t *testing.T) {
	t.Parallel()
	random := seededBytes(t, 64<<10, 2)
	cases := []struct {
		name   string
		data   []byte
		layers int
	}{
		{"random bytes", random, 0},
		{"short random bytes", random[:100], 0},
		{"random bytes in gzip", gzipBytes(t, random, buildOpts{}), 1},
		{"this package's format", encryptBytes(t, build(t, exportFixture(t), buildOpts{layers: 1}), "pw"), 0},
	}
	for _, c := range cases {
		info, err := Inspect(bytes.NewReader(c.data), Limits{})
		if err != nil || !info.Encrypted || info.GzipLayers != c.layers || info.ContentSHA256 != "" || info.Type != "" {
			t.Errorf("%s: Inspect = %+v, %v; want Encrypted under %d gzip layers", c.name, info, err, c.layers)
		}
		err = Walk(bytes.NewReader(c.data), Limits{}, func(Entry, io.Reader) error { return nil })
		if !errors.Is(err, ErrEncrypted) {
			t.Errorf("%s: Walk = %v, want ErrEncrypted", c.name, err)
		}
	}
	// Only this package's format can be decrypted.
	if _, err := Decrypt(bytes.NewReader(random), "pw"); !errors.Is(err, ErrNotArchive) {
		t.Errorf("Decrypt(random bytes) = %v, want ErrNotArchive", err)
	}
}

func TestInspectTarsAreNotEncrypted(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"bare tar":          build(t, exportFixture(t), buildOpts{}),
		"gzip":              build(t, exportFixture(t), buildOpts{layers: 1}),
		"tar without magic": v7Tar(t),
		"empty tar":         make([]byte, 1024),
	} {
		info, err := Inspect(bytes.NewReader(data), Limits{})
		if err != nil || info.Encrypted || len(info.ContentSHA256) != 64 {
			t.Errorf("%s: Inspect = %+v, %v; want a readable archive", name, info, err)
		}
	}
}
