package archive

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/crypto/argon2"
)

// encryptBytes encrypts plain with Encrypt and fails the test on error.
func encryptBytes(t testing.TB, plain []byte, password string) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := Encrypt(&out, password)
	if err != nil {
		t.Fatal(err)
	}
	// Odd-sized writes exercise the chunk buffering.
	if _, err := io.CopyBuffer(struct{ io.Writer }{w}, bytes.NewReader(plain), make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, encChunkSize - 1, encChunkSize, encChunkSize + 1, 3*encChunkSize + 17} {
		plain := randomBytes(t, n)
		enc := encryptBytes(t, plain, "correct horse")
		if !IsEncrypted(enc) {
			t.Fatalf("%d bytes: output does not start with the header", n)
		}
		chunks := max(1, (n+encChunkSize-1)/encChunkSize)
		if n > 0 && n%encChunkSize == 0 {
			chunks = n / encChunkSize
		}
		if want := encHeaderSize + n + chunks*encTagSize; len(enc) != want {
			t.Fatalf("%d bytes: ciphertext is %d bytes, want %d", n, len(enc), want)
		}
		r, err := Decrypt(iotest.HalfReader(bytes.NewReader(enc)), "correct horse")
		if err != nil {
			t.Fatalf("%d bytes: Decrypt: %v", n, err)
		}
		got, err := io.ReadAll(iotest.OneByteReader(r))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: round trip gave %d bytes, %v", n, len(got), err)
		}
	}
}

func TestEncryptIsRandomised(t *testing.T) {
	t.Parallel()
	a := encryptBytes(t, []byte("same"), "pw")
	b := encryptBytes(t, []byte("same"), "pw")
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same plaintext are identical: salt and nonce must be random")
	}
}

func TestDecryptWrongPassword(t *testing.T) {
	t.Parallel()
	enc := encryptBytes(t, []byte("secret workspace"), "right")
	for _, pw := range []string{"wrong", "", "right "} {
		if _, err := Decrypt(bytes.NewReader(enc), pw); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Decrypt(%q) = %v, want ErrWrongPassword", pw, err)
		}
	}
}

func TestDecryptTruncatedOrTampered(t *testing.T) {
	t.Parallel()
	plain := randomBytes(t, 2*encChunkSize+100)
	enc := encryptBytes(t, plain, "pw")
	chunk := encChunkSize + encTagSize
	flip := func(i int) []byte { b := bytes.Clone(enc); b[i] ^= 1; return b }
	swapped := bytes.Clone(enc)
	copy(swapped[encHeaderSize:], enc[encHeaderSize+chunk:encHeaderSize+2*chunk])
	copy(swapped[encHeaderSize+chunk:], enc[encHeaderSize:encHeaderSize+chunk])
	cases := map[string][]byte{
		"header only":             enc[:encHeaderSize],
		"cut inside chunk 0":      enc[:encHeaderSize+100],
		"cut at a chunk boundary": enc[:encHeaderSize+2*chunk],
		"cut inside the last":     enc[:len(enc)-1],
		"byte flipped in chunk 1": flip(encHeaderSize + chunk + 5),
		"tag flipped":             flip(len(enc) - 1),
		"chunks swapped":          swapped,
		"data appended":           append(bytes.Clone(enc), 0),
		"nonce prefix changed":    flip(encHeaderSize - encCheckSize - 1),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := Decrypt(bytes.NewReader(data), "pw")
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if !errors.Is(err, ErrCorruptCiphertext) {
				t.Fatalf("got %v, want ErrCorruptCiphertext", err)
			}
		})
	}
	// A truncated header or a damaged salt cannot be told from a wrong password, but fails.
	if _, err := Decrypt(bytes.NewReader(enc[:encHeaderSize-1]), "pw"); !errors.Is(err, ErrCorruptCiphertext) {
		t.Fatalf("truncated header: %v", err)
	}
	if _, err := Decrypt(bytes.NewReader(flip(len(encMagic)+12)), "pw"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("salt changed: %v, want ErrWrongPassword", err)
	}
}

func TestDecryptRefusesHostileHeader(t *testing.T) {
	t.Parallel()
	enc := encryptBytes(t, []byte("x"), "pw")
	mem := bytes.Clone(enc)
	copy(mem[len(encMagic)+5:], []byte{0xff, 0xff, 0xff, 0xff}) // 4 TiB of Argon2 memory
	kdf := bytes.Clone(enc)
	kdf[len(encMagic)] = 9
	for name, data := range map[string][]byte{"huge memory": mem, "unknown KDF": kdf} {
		if _, err := Decrypt(bytes.NewReader(data), "pw"); err == nil || errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%s: Decrypt = %v, want a format error", name, err)
		}
	}
	for _, data := range [][]byte{nil, []byte("XANO"), []byte("not encrypted at all, but long enough to hold a header of sixty-one bytes")} {
		if _, err := Decrypt(bytes.NewReader(data), "pw"); !errors.Is(err, ErrNotArchive) {
			t.Fatalf("Decrypt(%q) = %v, want ErrNotArchive", data, err)
		}
	}
}

// withKDFParams returns a copy of an encrypted archive whose header asks for the given Argon2id
// passes and memory.
func withKDFParams(enc []byte, passes, memoryKiB uint32) []byte {
	out := bytes.Clone(enc)
	binary.BigEndian.PutUint32(out[len(encMagic)+1:], passes)
	binary.BigEndian.PutUint32(out[len(encMagic)+5:], memoryKiB)
	return out
}

// TestDecryptKDFCaps checks that a header asking for more than 256 MiB or 8 passes is refused
// with an error naming the parameter, before any key derivation, and that the caps themselves
// are accepted. Not parallel: it replaces argon2Key.
func TestDecryptKDFCaps(t *testing.T) {
	enc := encryptBytes(t, []byte("x"), "pw") // with the real KDF, so the stub's key is wrong
	calls := 0
	var lastTime, lastMem uint32
	argon2Key = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		calls++
		lastTime, lastMem = time, memory
		return make([]byte, keyLen)
	}
	t.Cleanup(func() { argon2Key = argon2.IDKey })
	for _, c := range []struct {
		name          string
		passes, mem   uint32
		wantInMessage string
	}{
		{"memory over the cap", 3, 256<<10 + 1, "262145 KiB of Argon2id memory, more than the 262144 KiB (256 MiB) accepted"},
		{"the old 1 GiB cap", 3, 1 << 20, "more than the 262144 KiB (256 MiB) accepted"},
		{"passes over the cap", 9, 64 << 10, "9 Argon2id passes, more than the 8 accepted"},
		{"16 passes", 16, 64 << 10, "more than the 8 accepted"},
	} {
		_, err := Decrypt(bytes.NewReader(withKDFParams(enc, c.passes, c.mem)), "pw")
		if err == nil || !strings.Contains(err.Error(), c.wantInMessage) || !errors.Is(err, ErrCorruptCiphertext) {
			t.Errorf("%s: Decrypt = %v, want an error saying %q", c.name, err, c.wantInMessage)
		}
		if calls != 0 {
			t.Fatalf("%s: the KDF ran before the header was refused", c.name)
		}
	}
	// At the caps the header is accepted and the KDF runs with its parameters (the stub's key is
	// wrong, so the password check fails).
	_, err := Decrypt(bytes.NewReader(withKDFParams(enc, 8, 256<<10)), "pw")
	if !errors.Is(err, ErrWrongPassword) || calls != 1 || lastTime != 8 || lastMem != 256<<10 {
		t.Fatalf("at the caps: Decrypt = %v after %d KDF calls (passes %d, memory %d KiB)", err, calls, lastTime, lastMem)
	}
	if recommendedKDF.time > maxKDFTime || recommendedKDF.memoryKiB > maxKDFMemoryKiB {
		t.Fatalf("Encrypt's setting %+v is over the caps", recommendedKDF)
	}
}

func TestIsEncrypted(t *testing.T) {
	t.Parallel()
	enc := encryptBytes(t, nil, "pw")
	if !IsEncrypted(enc) || !IsEncrypted(enc[:len(encMagic)]) {
		t.Fatal("IsEncrypted(Encrypt output) = false")
	}
	for _, b := range [][]byte{nil, enc[:len(encMagic)-1], {0x1f, 0x8b, 8}, []byte("xanoenc1")} {
		if IsEncrypted(b) {
			t.Fatalf("IsEncrypted(%q) = true", b)
		}
	}
}

// closeRecorder notes whether Close was called.
type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestEncryptDoesNotCloseDst(t *testing.T) {
	t.Parallel()
	var dst closeRecorder
	w, err := Encrypt(&dst, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil || dst.closed {
		t.Fatalf("Close = %v, dst closed = %v; want nil and dst left open", err, dst.closed)
	}
	if _, err := w.Write([]byte("late")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if _, err := Encrypt(&dst, ""); err == nil {
		t.Fatal("Encrypt with an empty password succeeded")
	}
}

// TestEncryptRecommendedKDF runs the real Argon2id setting once.
func TestEncryptRecommendedKDF(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id with 64 MiB takes a while")
	}
	var out bytes.Buffer
	w, err := encrypt(&out, "pw", recommendedKDF)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("payload")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := parseEncHeader(out.Bytes()[:encHeaderSize])
	if err != nil || h.kdf != recommendedKDF || h.chunk != encChunkSize {
		t.Fatalf("header = %+v, %v", h, err)
	}
	r, err := Decrypt(&out, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || string(got) != "payload" {
		t.Fatalf("got %q, %v", got, err)
	}
}
