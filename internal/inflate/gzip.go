package inflate

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// GzipHeader is what a gzip member's header says (RFC 1952).
type GzipHeader struct {
	Name    string
	Comment string
	Extra   []byte
	ModTime uint32 // seconds since the Unix epoch; 0: not set
	OS      byte
}

// GzipReader decompresses gzip data: one or more members, each with its CRC-32 and length
// (ISIZE) checked against what was decoded. A mismatch is ErrChecksum, so that a decoding
// error can never pass silently. Header fields (FEXTRA, FNAME, FCOMMENT, FHCRC) are read and
// checked as compress/gzip does.
type GzipReader struct {
	Header GzipHeader // the first member's header

	in input
	output
	crc uint32
	n   uint32 // bytes decoded in this member, modulo 2^32

	lenient bool
}

// NewGzipReader reads the first member's header from r and returns a reader of the
// decompressed data. Like compress/gzip, bytes after a member must be another member
// (otherwise ErrHeader); see Lenient. An empty r gives io.EOF.
func NewGzipReader(r io.Reader) (*GzipReader, error) {
	z := new(GzipReader)
	if err := z.Reset(r); err != nil {
		return nil, err
	}
	return z, nil
}

// Reset discards z's state and reads the first member's header from r, reusing z's buffers.
func (z *GzipReader) Reset(r io.Reader) error {
	z.in.reset(r)
	z.d.reset(&z.in)
	z.rd = 0
	z.err = nil
	z.lenient = false
	h, err := z.readHeader()
	if err != nil {
		z.err = err
		return err
	}
	z.Header = h
	return nil
}

// Lenient makes z end, as gzip(1) and tar(1) do, at bytes after a member that do not start
// with the gzip magic number, instead of failing with ErrHeader. Bytes that start with the
// magic number are still read as a member, and must be one.
func (z *GzipReader) Lenient() { z.lenient = true }

func (z *GzipReader) readHeader() (GzipHeader, error) {
	var h GzipHeader
	in := &z.in
	var b [10]byte
	if eof, err := in.atEOF(); err != nil || eof {
		if eof {
			err = io.EOF
		}
		return h, err
	}
	if err := in.readFull(b[:]); err != nil {
		return h, err
	}
	if b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
		return h, ErrHeader
	}
	flg := b[3]
	h.ModTime = binary.LittleEndian.Uint32(b[4:8])
	h.OS = b[9]
	digest := crc32.ChecksumIEEE(b[:])
	if flg&0x04 != 0 {
		var x [2]byte
		if err := in.readFull(x[:]); err != nil {
			return h, err
		}
		digest = crc32.Update(digest, crc32.IEEETable, x[:])
		h.Extra = make([]byte, binary.LittleEndian.Uint16(x[:]))
		if err := in.readFull(h.Extra); err != nil {
			return h, err
		}
		digest = crc32.Update(digest, crc32.IEEETable, h.Extra)
	}
	for _, f := range []struct {
		bit byte
		s   *string
	}{{0x08, &h.Name}, {0x10, &h.Comment}} {
		if flg&f.bit == 0 {
			continue
		}
		// As compress/gzip: a string of at most 511 bytes, Latin-1.
		var buf []byte
		for {
			c, err := in.readByte()
			if err != nil {
				return h, err
			}
			if c == 0 {
				break
			}
			if len(buf) >= 511 {
				return h, ErrHeader
			}
			buf = append(buf, c)
		}
		digest = crc32.Update(digest, crc32.IEEETable, append(buf, 0))
		r := make([]rune, len(buf))
		for i, c := range buf {
			r[i] = rune(c)
		}
		*f.s = string(r)
	}
	if flg&0x02 != 0 {
		var x [2]byte
		if err := in.readFull(x[:]); err != nil {
			return h, err
		}
		if binary.LittleEndian.Uint16(x[:]) != uint16(digest) {
			return h, ErrHeader
		}
	}
	z.crc, z.n = 0, 0
	z.d.restart()
	return h, nil
}

// Read implements io.Reader.
func (z *GzipReader) Read(p []byte) (int, error) { return z.read(p, z.more) }

// WriteTo implements io.WriterTo, writing the decoded bytes straight from the window.
func (z *GzipReader) WriteTo(w io.Writer) (int64, error) { return z.writeTo(w, z.more) }

// more decodes the next chunk, checks a member's trailer when it ends and starts the next one.
func (z *GzipReader) more() {
	d := &z.d
	if d.o >= d.outLimit {
		d.slide()
		z.rd = d.o
	}
	start := d.o
	d.decode()
	z.crc = crc32.Update(z.crc, crc32.IEEETable, d.out[start:d.o])
	z.n += uint32(d.o - start)
	if d.err == nil {
		return
	}
	if d.err != io.EOF {
		z.err = d.err
		return
	}
	var t [8]byte
	if err := z.in.readFull(t[:]); err != nil {
		z.err = err
		return
	}
	if binary.LittleEndian.Uint32(t[:4]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.n {
		z.err = ErrChecksum
		return
	}
	if z.lenient {
		if z.in.w-z.in.r < 2 {
			z.in.more(2)
		}
		if z.in.err != nil {
			z.err = z.in.err
			return
		}
		if z.in.w-z.in.r < 2 || z.in.buf[z.in.r] != 0x1f || z.in.buf[z.in.r+1] != 0x8b {
			z.err = io.EOF
			return
		}
	}
	if _, err := z.readHeader(); err != nil {
		z.err = err
	}
}

// Close implements io.Closer; it returns the stream's error, if any.
func (z *GzipReader) Close() error {
	if z.err == io.EOF || z.err == nil {
		return nil
	}
	return z.err
}
