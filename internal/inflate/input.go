package inflate

import "io"

const (
	inBufSize = 64 << 10
	// lookBack bytes before r are kept when the buffer is compacted, so that the whole bytes
	// still held in the bit buffer (at most 7) can be given back (at a stored block or at the
	// end of a stream).
	lookBack = 8
)

// input is the buffered compressed input shared by the deflate decoder and the gzip layer
// around it. It reads ahead of the deflate stream; the decoder gives back the bytes it did not
// use at the end of a stream, so a gzip trailer or a next member is read from the right place.
type input struct {
	src  io.Reader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	off  int64 // stream offset of buf[0]
	eof  bool  // src returned io.EOF
	err  error // src's error other than io.EOF
}

func (in *input) reset(src io.Reader) {
	if in.buf == nil {
		in.buf = make([]byte, inBufSize)
	}
	in.src = src
	in.r, in.w, in.off = 0, 0, 0
	in.eof = false
	in.err = nil
}

// offset is the stream offset of the next unread byte.
func (in *input) offset() int64 { return in.off + int64(in.r) }

// more reads from src into the free part of the buffer (moving the unread bytes to its start
// first), until at least want bytes are unread or src ends or fails. It reports whether any
// byte was added.
func (in *input) more(want int) bool {
	if in.eof || in.err != nil {
		return false
	}
	if in.r > lookBack && len(in.buf)-in.w < len(in.buf)/2 {
		k := in.r - lookBack
		copy(in.buf, in.buf[k:in.w])
		in.off += int64(k)
		in.r -= k
		in.w -= k
	}
	added := false
	empty := 0
	for in.w-in.r < want && in.w < len(in.buf) {
		n, err := in.src.Read(in.buf[in.w:])
		if n < 0 || n > len(in.buf)-in.w {
			n = 0
			err = io.ErrNoProgress
		}
		in.w += n
		if n > 0 {
			added = true
			empty = 0
		} else if empty++; empty >= 100 && err == nil {
			err = io.ErrNoProgress // as bufio: a source that keeps returning nothing
		}
		if err == io.EOF {
			in.eof = true
			break
		}
		if err != nil {
			in.err = err
			break
		}
	}
	return added
}

// short is the error for input that ended or failed where more was needed.
func (in *input) short() error {
	if in.err != nil {
		return in.err
	}
	return io.ErrUnexpectedEOF
}

// readFull copies len(p) bytes of input into p.
func (in *input) readFull(p []byte) error {
	for len(p) > 0 {
		if in.r == in.w && !in.more(len(p)) {
			return in.short()
		}
		n := copy(p, in.buf[in.r:in.w])
		in.r += n
		p = p[n:]
	}
	return nil
}

// readByte reads one byte of input.
func (in *input) readByte() (byte, error) {
	if in.r == in.w && !in.more(1) {
		return 0, in.short()
	}
	c := in.buf[in.r]
	in.r++
	return c, nil
}

// atEOF reports whether the input has no more bytes (reading ahead to find out). A source
// error is returned as such.
func (in *input) atEOF() (bool, error) {
	if in.r < in.w {
		return false, nil
	}
	if in.more(1) {
		return false, nil
	}
	if in.err != nil {
		return false, in.err
	}
	return true, nil
}
