package inflate

import (
	"errors"
	"io"
	"strconv"
)

// hint is appended to the decoder's errors: how to compare with the previous decoder.
const hint = " (decoded by the built-in inflater; to compare with the previous decoder, set the environment variable " + EnvSwitch + "=" + SwitchKlauspost + " and retry)"

// CorruptInputError reports corrupt deflate data at an offset of the compressed input.
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return "inflate: corrupt deflate data before input byte " + strconv.FormatInt(int64(e), 10) + hint
}

var (
	// ErrChecksum is returned when a gzip member's CRC-32 or length (ISIZE) does not match
	// what was decoded.
	ErrChecksum = errors.New("gzip: checksum or length mismatch: the data is corrupt" + hint)
	// ErrHeader is returned for a gzip header that is not valid.
	ErrHeader = errors.New("gzip: invalid header")
)

// Reader decompresses a raw deflate stream (RFC 1951) read from an io.Reader. It reads ahead
// of the stream's end. The zero value is not usable: use NewReader.
type Reader struct {
	in input
	output
}

// NewReader returns a Reader decompressing the deflate stream read from r.
func NewReader(r io.Reader) *Reader {
	z := new(Reader)
	z.Reset(r)
	return z
}

// Reset discards z's state and makes it read a new stream from r, reusing its buffers.
func (z *Reader) Reset(r io.Reader) {
	z.in.reset(r)
	z.d.reset(&z.in)
	z.rd = 0
	z.err = nil
}

// Read implements io.Reader. At the end of the stream it returns io.EOF; corrupt data gives a
// CorruptInputError, truncated data io.ErrUnexpectedEOF, and an error of the source is
// returned as such.
func (z *Reader) Read(p []byte) (int, error) { return z.read(p, z.more) }

// WriteTo implements io.WriterTo, writing the decoded bytes straight from the window.
func (z *Reader) WriteTo(w io.Writer) (int64, error) { return z.writeTo(w, z.more) }

// output is what Reader and GzipReader share: the decoder, the decoded bytes not yet handed
// out (out[rd:d.o]) and the error that ends the stream. Each reader brings its own more, which
// decodes the next chunk or sets err.
type output struct {
	d   decoder
	rd  int // out[rd:d.o] is decoded and not yet read
	err error
}

func (o *output) read(p []byte, more func()) (int, error) {
	for {
		if o.rd < o.d.o {
			n := copy(p, o.d.out[o.rd:o.d.o])
			o.rd += n
			return n, nil
		}
		if o.err != nil {
			return 0, o.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		more()
	}
}

func (o *output) writeTo(w io.Writer, more func()) (int64, error) {
	var total int64
	for {
		if o.rd < o.d.o {
			n, err := w.Write(o.d.out[o.rd:o.d.o])
			o.rd += n
			total += int64(n)
			if err != nil {
				return total, err
			}
			continue
		}
		if o.err != nil {
			if o.err == io.EOF {
				return total, nil
			}
			return total, o.err
		}
		more()
	}
}

// more decodes the next chunk into the window.
func (z *Reader) more() {
	d := &z.d
	if d.o >= d.outLimit {
		d.slide()
		z.rd = d.o
	}
	d.decode()
	if d.err != nil {
		z.err = d.err
	}
}

// Close implements io.Closer; it returns the stream's error, if any.
func (z *Reader) Close() error {
	if z.err == io.EOF || z.err == nil {
		return nil
	}
	return z.err
}
