package inflate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
)

// The diagnostic switch between this package's decoder and the previous one.
const (
	// EnvSwitch names the environment variable that chooses the gzip decoder.
	EnvSwitch = "XANO_INFLATE"
	// SwitchBuiltin (or the variable unset or empty) chooses this package's decoder.
	SwitchBuiltin = "builtin"
	// SwitchKlauspost chooses github.com/klauspost/compress/gzip.
	SwitchKlauspost = "klauspost"
)

// Decoder names the decoder the environment chooses, or returns an error for an unknown value.
func Decoder() (string, error) {
	switch v := os.Getenv(EnvSwitch); v {
	case "", SwitchBuiltin:
		return SwitchBuiltin, nil
	case SwitchKlauspost:
		return SwitchKlauspost, nil
	default:
		return "", fmt.Errorf("the environment variable %s is %q: it must be unset, %q or %q", EnvSwitch, v, SwitchBuiltin, SwitchKlauspost)
	}
}

// NewGzip returns a reader of the gzip data read from r, decoded by the decoder that
// XANO_INFLATE chooses (see Decoder). With lenient, bytes after a member that do not start
// with the gzip magic number end the data (as gzip(1) and tar(1) do); without, they are
// ErrHeader (as compress/gzip). Every member's CRC-32 and length are checked by both decoders.
func NewGzip(r io.Reader, lenient bool) (io.ReadCloser, error) {
	which, err := Decoder()
	if err != nil {
		return nil, err
	}
	if which == SwitchKlauspost {
		return newKlauspostGzip(r, lenient)
	}
	z, err := NewGzipReader(r)
	if err != nil {
		return nil, err
	}
	if lenient {
		z.Lenient()
	}
	return z, nil
}

// IsCorrupt reports whether err says that gzip or deflate data is corrupt (not truncated, not
// an error of the source), from either decoder.
func IsCorrupt(err error) bool {
	var ce CorruptInputError
	var kce kflate.CorruptInputError
	return errors.As(err, &ce) || errors.Is(err, ErrChecksum) || errors.Is(err, ErrHeader) ||
		errors.As(err, &kce) || errors.Is(err, kgzip.ErrChecksum) || errors.Is(err, kgzip.ErrHeader)
}

// klauspostGzip is the previous decoder, with the lenient end of data.
type klauspostGzip struct {
	src     *bufio.Reader
	zr      *kgzip.Reader
	lenient bool
}

const klauspostHint = " (decoded by github.com/klauspost/compress because " + EnvSwitch + "=" + SwitchKlauspost + "; unset it to use the built-in inflater)"

func klauspostErr(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("%w%s", err, klauspostHint)
}

func newKlauspostGzip(r io.Reader, lenient bool) (*klauspostGzip, error) {
	src, ok := r.(*bufio.Reader)
	if !ok {
		src = bufio.NewReaderSize(r, 64<<10)
	}
	zr, err := kgzip.NewReader(src)
	if err != nil {
		return nil, klauspostErr(err)
	}
	if lenient {
		zr.Multistream(false)
	}
	return &klauspostGzip{src: src, zr: zr, lenient: lenient}, nil
}

func (g *klauspostGzip) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF || !g.lenient {
			return n, klauspostErr(err)
		}
		head, perr := g.src.Peek(2)
		if perr != nil && perr != io.EOF {
			return n, perr
		}
		if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
			return n, io.EOF
		}
		if err := g.zr.Reset(g.src); err != nil {
			return n, klauspostErr(err)
		}
		g.zr.Multistream(false)
		if n > 0 {
			return n, nil
		}
	}
}

func (g *klauspostGzip) Close() error { return klauspostErr(g.zr.Close()) }
