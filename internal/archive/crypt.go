package archive

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"golang.org/x/crypto/argon2"
)

// ErrWrongPassword reports that an encrypted archive could not be opened with the given password
// (or that the password was missing).
var ErrWrongPassword = errors.New("the archive is encrypted and the password is missing or wrong")

// ErrCorruptCiphertext reports an encrypted archive that was truncated or modified after it was
// written (the password was right: it opened the header).
var ErrCorruptCiphertext = errors.New("the encrypted archive is truncated or was modified")

// The encrypted format (this package's own; Xano's is undocumented):
//
//	header (61 bytes, integers big-endian):
//	  magic      "XANOENC1"   8 bytes
//	  kdf        1            1 byte  (1 = Argon2id)
//	  time       uint32       Argon2id passes
//	  memory     uint32       Argon2id memory in KiB
//	  threads    uint8        Argon2id lanes
//	  salt       16 bytes     random per archive
//	  chunk      uint32       plaintext bytes per chunk (65536)
//	  prefix     7 bytes      random nonce prefix per archive
//	  check      16 bytes     HKDF(master, "…password check"): tells a wrong password from damage
//	chunks: AES-256-GCM(key, nonce = prefix ‖ uint32 index ‖ last flag (0 or 1), aad = header)
//
// master = Argon2id(password, salt, time, memory, threads, 32 bytes) and
// key = HKDF-SHA256(master, info "xano-archive/v1 aes-256-gcm key"). Every chunk but the last
// holds exactly chunk plaintext bytes; the last holds 0..chunk bytes and has the last flag set,
// so dropping, reordering or truncating chunks fails authentication (the STREAM construction).
const (
	encMagic      = "XANOENC1"
	encKDFArgon2  = 1
	encSaltSize   = 16
	encPrefixSize = 7
	encCheckSize  = 16
	encHeaderSize = len(encMagic) + 1 + 4 + 4 + 1 + encSaltSize + 4 + encPrefixSize + encCheckSize
	encChunkSize  = 64 << 10
	encTagSize    = 16

	infoKey   = "xano-archive/v1 aes-256-gcm key"
	infoCheck = "xano-archive/v1 password check"
)

// kdfParams are the Argon2id cost parameters.
type kdfParams struct {
	time      uint32
	memoryKiB uint32
	threads   uint8
}

// recommendedKDF is RFC 9106's second recommended Argon2id setting (64 MiB, 3 passes, 4 lanes).
var recommendedKDF = kdfParams{time: 3, memoryKiB: 64 << 10, threads: 4}

// defaultKDF is what Encrypt uses; tests lower it to stay fast.
var defaultKDF = recommendedKDF

// Bounds accepted when decrypting, so that a crafted header cannot demand unbounded memory or
// time: four times the memory and about three times the passes Encrypt uses (recommendedKDF).
const (
	maxKDFTime      = 8
	maxKDFMemoryKiB = 256 << 10 // 256 MiB
	maxKDFThreads   = 64
	minChunkSize    = 1 << 10
	maxChunkSize    = 4 << 20
)

// argon2Key is argon2.IDKey; tests count its calls.
var argon2Key = argon2.IDKey

// encHeader is the parsed header of an encrypted archive.
type encHeader struct {
	kdf    kdfParams
	salt   [encSaltSize]byte
	chunk  uint32
	prefix [encPrefixSize]byte
	check  [encCheckSize]byte
}

// marshal returns the header's bytes.
func (h *encHeader) marshal() []byte {
	b := make([]byte, 0, encHeaderSize)
	b = append(b, encMagic...)
	b = append(b, encKDFArgon2)
	b = binary.BigEndian.AppendUint32(b, h.kdf.time)
	b = binary.BigEndian.AppendUint32(b, h.kdf.memoryKiB)
	b = append(b, h.kdf.threads)
	b = append(b, h.salt[:]...)
	b = binary.BigEndian.AppendUint32(b, h.chunk)
	b = append(b, h.prefix[:]...)
	return append(b, h.check[:]...)
}

// parseEncHeader parses and bounds-checks a header of exactly encHeaderSize bytes.
func parseEncHeader(b []byte) (encHeader, error) {
	var h encHeader
	if len(b) != encHeaderSize || !IsEncrypted(b) {
		return h, fmt.Errorf("%w: no %q header", ErrNotArchive, encMagic)
	}
	b = b[len(encMagic):]
	if b[0] != encKDFArgon2 {
		return h, fmt.Errorf("encrypted archive: unsupported key derivation %d (newer format?)", b[0])
	}
	h.kdf.time = binary.BigEndian.Uint32(b[1:])
	h.kdf.memoryKiB = binary.BigEndian.Uint32(b[5:])
	h.kdf.threads = b[9]
	b = b[10:]
	b = b[copy(h.salt[:], b):]
	h.chunk = binary.BigEndian.Uint32(b)
	b = b[4:]
	b = b[copy(h.prefix[:], b):]
	copy(h.check[:], b)
	if err := h.checkBounds(); err != nil {
		return h, fmt.Errorf("encrypted archive: %w; refused before deriving the key: %w", err, ErrCorruptCiphertext)
	}
	return h, nil
}

// checkBounds refuses header parameters outside what Decrypt accepts.
func (h *encHeader) checkBounds() error {
	k := h.kdf
	switch {
	case k.memoryKiB > maxKDFMemoryKiB:
		return fmt.Errorf("the header asks for %d KiB of Argon2id memory, more than the %d KiB (%d MiB) accepted",
			k.memoryKiB, maxKDFMemoryKiB, maxKDFMemoryKiB>>10)
	case k.time > maxKDFTime:
		return fmt.Errorf("the header asks for %d Argon2id passes, more than the %d accepted", k.time, maxKDFTime)
	case k.threads > maxKDFThreads:
		return fmt.Errorf("the header asks for %d Argon2id lanes, more than the %d accepted", k.threads, maxKDFThreads)
	case k.time < 1 || k.threads < 1 || k.memoryKiB < 8*uint32(k.threads):
		return fmt.Errorf("the header's Argon2id parameters are invalid (passes %d, memory %d KiB, lanes %d)",
			k.time, k.memoryKiB, k.threads)
	case h.chunk < minChunkSize || h.chunk > maxChunkSize:
		return fmt.Errorf("the header's chunk size %d is outside %d..%d", h.chunk, minChunkSize, maxChunkSize)
	}
	return nil
}

// deriveKeys runs the KDF and returns the chunk cipher and the password check value.
func deriveKeys(password string, h *encHeader) (cipher.AEAD, [encCheckSize]byte, error) {
	var check [encCheckSize]byte
	master := argon2Key([]byte(password), h.salt[:], h.kdf.time, h.kdf.memoryKiB, h.kdf.threads, 32)
	key, err := hkdf.Key(sha256.New, master, nil, infoKey, 32)
	if err != nil {
		return nil, check, fmt.Errorf("deriving the archive key: %w", err)
	}
	c, err := hkdf.Key(sha256.New, master, nil, infoCheck, encCheckSize)
	if err != nil {
		return nil, check, fmt.Errorf("deriving the archive key: %w", err)
	}
	copy(check[:], c)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, check, fmt.Errorf("archive cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, check, fmt.Errorf("archive cipher: %w", err)
	}
	return aead, check, nil
}

// chunkNonce returns the nonce of chunk index of a stream with the given prefix.
func chunkNonce(nonce []byte, prefix *[encPrefixSize]byte, index uint64, last bool) []byte {
	nonce = append(nonce[:0], prefix[:]...)
	nonce = binary.BigEndian.AppendUint32(nonce, uint32(index))
	if last {
		return append(nonce, 1)
	}
	return append(nonce, 0)
}

// Encrypt returns a writer that encrypts everything written to it into dst with a key derived
// from password (a memory-hard KDF with a random salt, then a chunked AEAD so that the stream
// never needs to be held in memory). Close writes the final chunk; it does not close dst.
func Encrypt(dst io.Writer, password string) (io.WriteCloser, error) {
	return encrypt(dst, password, defaultKDF)
}

// encrypt is Encrypt with explicit KDF parameters.
func encrypt(dst io.Writer, password string, kdf kdfParams) (io.WriteCloser, error) {
	if password == "" {
		return nil, errors.New("encrypting an archive: the password is empty")
	}
	h := encHeader{kdf: kdf, chunk: encChunkSize}
	if _, err := rand.Read(h.salt[:]); err != nil {
		return nil, fmt.Errorf("encrypting an archive: %w", err)
	}
	if _, err := rand.Read(h.prefix[:]); err != nil {
		return nil, fmt.Errorf("encrypting an archive: %w", err)
	}
	aead, check, err := deriveKeys(password, &h)
	if err != nil {
		return nil, err
	}
	h.check = check
	hdr := h.marshal()
	if _, err := dst.Write(hdr); err != nil {
		return nil, fmt.Errorf("encrypting an archive: writing the header: %w", err)
	}
	return &encWriter{
		dst:    dst,
		aead:   aead,
		aad:    hdr,
		prefix: h.prefix,
		buf:    make([]byte, 0, h.chunk),
		out:    make([]byte, 0, int(h.chunk)+encTagSize),
	}, nil
}

// encWriter seals the plaintext chunk by chunk. It holds back a full chunk until more data
// arrives, because only then does it know that the chunk is not the last.
type encWriter struct {
	dst    io.Writer
	aead   cipher.AEAD
	aad    []byte
	prefix [encPrefixSize]byte
	index  uint64
	nonce  []byte
	buf    []byte // pending plaintext, at most one chunk
	out    []byte
	err    error
	closed bool
}

func (e *encWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.closed {
		return 0, errors.New("encrypting an archive: write after Close")
	}
	n := 0
	for len(p) > 0 {
		if len(e.buf) == cap(e.buf) {
			if err := e.seal(false); err != nil {
				return n, err
			}
		}
		k := copy(e.buf[len(e.buf):cap(e.buf)], p)
		e.buf = e.buf[:len(e.buf)+k]
		p = p[k:]
		n += k
	}
	return n, nil
}

// Close seals and writes the last chunk (possibly empty). It does not close dst.
func (e *encWriter) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err != nil {
		return e.err
	}
	return e.seal(true)
}

// seal encrypts the pending plaintext as the next chunk and writes it.
func (e *encWriter) seal(last bool) error {
	if e.index > math.MaxUint32 {
		e.err = errors.New("encrypting an archive: too many chunks")
		return e.err
	}
	e.nonce = chunkNonce(e.nonce, &e.prefix, e.index, last)
	e.out = e.aead.Seal(e.out[:0], e.nonce, e.buf, e.aad)
	if _, err := e.dst.Write(e.out); err != nil {
		e.err = fmt.Errorf("encrypting an archive: %w", err)
		return e.err
	}
	e.index++
	e.buf = e.buf[:0]
	return nil
}

// Decrypt returns a reader of the plaintext of an archive made by Encrypt. A wrong password
// yields ErrWrongPassword, at the latest when the first chunk is read.
//
// With this format a wrong (or empty) password is reported by Decrypt itself, after the KDF
// runs on the header. Bytes that do not start with the header yield ErrNotArchive; a truncated
// or modified stream yields ErrCorruptCiphertext from Read. A header asking for more than
// 256 MiB of Argon2id memory or more than 8 passes is refused with ErrCorruptCiphertext before
// any key derivation (Encrypt uses 64 MiB and 3 passes).
func Decrypt(src io.Reader, password string) (io.Reader, error) {
	raw := make([]byte, encHeaderSize)
	n, err := io.ReadFull(src, raw)
	switch {
	case err != nil && !IsEncrypted(raw[:n]):
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: no %q header", ErrNotArchive, encMagic)
		}
		return nil, fmt.Errorf("decrypting an archive: reading the header: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("decrypting an archive: the header is truncated: %w", ErrCorruptCiphertext)
	case err != nil:
		return nil, fmt.Errorf("decrypting an archive: reading the header: %w", err)
	}
	h, err := parseEncHeader(raw)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, ErrWrongPassword
	}
	aead, check, err := deriveKeys(password, &h)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(check[:], h.check[:]) != 1 {
		return nil, ErrWrongPassword
	}
	return &decReader{
		src:    bufio.NewReaderSize(src, 32<<10),
		aead:   aead,
		aad:    raw,
		prefix: h.prefix,
		ct:     make([]byte, int(h.chunk)+encTagSize),
	}, nil
}

// decReader opens the chunks one at a time.
type decReader struct {
	src    *bufio.Reader
	aead   cipher.AEAD
	aad    []byte
	prefix [encPrefixSize]byte
	index  uint64
	nonce  []byte
	ct     []byte // one sealed chunk
	pt     []byte // the opened chunk not yet returned
	done   bool   // the last chunk was opened
	err    error
}

func (d *decReader) Read(p []byte) (int, error) {
	for len(d.pt) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.pt)
	d.pt = d.pt[n:]
	return n, nil
}

// next reads and opens the next chunk. A short chunk, or a full one followed by the end of the
// stream, must be the last: authentication fails if it was not sealed as such.
func (d *decReader) next() error {
	n, err := io.ReadFull(d.src, d.ct)
	last := false
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		last = true
	case err != nil:
		return fmt.Errorf("decrypting an archive: %w", err)
	default:
		if _, perr := d.src.Peek(1); perr == io.EOF {
			last = true
		} else if perr != nil {
			return fmt.Errorf("decrypting an archive: %w", perr)
		}
	}
	if n < encTagSize {
		return fmt.Errorf("decrypting an archive: chunk %d is missing or cut short: %w", d.index, ErrCorruptCiphertext)
	}
	if d.index > math.MaxUint32 {
		return fmt.Errorf("decrypting an archive: too many chunks: %w", ErrCorruptCiphertext)
	}
	d.nonce = chunkNonce(d.nonce, &d.prefix, d.index, last)
	pt, oerr := d.aead.Open(d.ct[:0], d.nonce, d.ct[:n], d.aad)
	if oerr != nil {
		return fmt.Errorf("decrypting an archive: chunk %d fails authentication: %w", d.index, ErrCorruptCiphertext)
	}
	d.index++
	d.pt = pt
	d.done = last
	return nil
}

// IsEncrypted reports whether the first bytes of an archive are the header Encrypt writes: only
// such archives can be opened with Decrypt. To tell whether a file is encrypted in any format
// (Xano's own is undocumented), use LooksEncrypted.
func IsEncrypted(prefix []byte) bool {
	return bytes.HasPrefix(prefix, []byte(encMagic))
}
