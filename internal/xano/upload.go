package xano

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"sync"

	"github.com/hashicorp/go-retryablehttp"
)

// upload is a multipart body (fields first, the archive last) generated per attempt: each
// attempt's body opens the archive on its first Read and a goroutine copies it through a pipe,
// so the archive is never held in memory.
type upload struct {
	name     string
	open     func() (io.ReadCloser, error)
	size     int64 // declared archive size; 0: unknown
	fields   [][2]string
	boundary string
	length   int64 // whole body length when size is known; -1: unknown (chunked)

	mu     sync.Mutex
	bodies []*lazyBody
	wg     sync.WaitGroup
}

var errBodyClosed = errors.New("request body closed")

// readerFunc returns the retryablehttp body factory. retryablehttp calls it once up front (to
// probe the length; that body is closed unread, so nothing is opened) and once per attempt.
func (u *upload) readerFunc() retryablehttp.ReaderFunc {
	return func() (io.Reader, error) {
		b := &lazyBody{u: u}
		u.mu.Lock()
		u.bodies = append(u.bodies, b)
		u.mu.Unlock()
		return b, nil
	}
}

// finish ends every attempt's body and waits for their goroutines: once the operation has
// returned, no archive is open and no goroutine is left.
func (u *upload) finish() {
	u.mu.Lock()
	bodies := u.bodies
	u.bodies = nil
	u.mu.Unlock()
	for _, b := range bodies {
		b.Close()
	}
	u.wg.Wait()
}

// overhead is the length of the multipart framing around the archive bytes.
func (u *upload) overhead() int64 {
	var cw countWriter
	_ = u.write(&cw, strings.NewReader(""), false)
	return cw.n
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// write writes the whole multipart body to w; check verifies the archive has the declared size.
func (u *upload) write(w io.Writer, file io.Reader, check bool) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(u.boundary); err != nil {
		return err
	}
	for _, f := range u.fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	part, err := mw.CreateFormFile("file", u.name)
	if err != nil {
		return err
	}
	if check && u.size > 0 {
		file = io.LimitReader(file, u.size+1)
	}
	bp := getCopyBuf()
	defer copyBufs.Put(bp)
	buf := *bp
	var n int64
	for {
		nr, rerr := file.Read(buf)
		if nr > 0 {
			if _, werr := part.Write(buf[:nr]); werr != nil {
				return werr
			}
			n += int64(nr)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("reading the archive %q: %w", u.name, rerr)
		}
	}
	if check && u.size > 0 && n != u.size {
		return fmt.Errorf("the archive %q has %d bytes, not the declared %d", u.name, n, u.size)
	}
	return mw.Close()
}

// lazyBody is one attempt's request body.
type lazyBody struct {
	u        *upload
	once     sync.Once
	mu       sync.Mutex
	closed   bool
	pr       *io.PipeReader
	startErr error
}

// Len gives retryablehttp the Content-Length when the archive size is known (0: unknown).
func (b *lazyBody) Len() int {
	if b.u.length > 0 {
		return int(b.u.length)
	}
	return 0
}

func (b *lazyBody) Read(p []byte) (int, error) {
	b.once.Do(b.start)
	if b.startErr != nil {
		return 0, b.startErr
	}
	return b.pr.Read(p)
}

// WriteTo lets the transport copy the body in large writes: with a chunked upload, net/http
// frames (and allocates for) every write, so fewer, larger writes mean fewer chunks.
func (b *lazyBody) WriteTo(w io.Writer) (int64, error) {
	b.once.Do(b.start)
	if b.startErr != nil {
		return 0, b.startErr
	}
	bp := getCopyBuf()
	defer copyBufs.Put(bp)
	buf := *bp
	var n int64
	for {
		nr, rerr := b.pr.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

func (b *lazyBody) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.startErr = errBodyClosed
		return
	}
	src, err := b.u.open()
	if err != nil {
		b.startErr = fmt.Errorf("opening the archive %q: %w", b.u.name, err)
		return
	}
	if src == nil {
		b.startErr = fmt.Errorf("opening the archive %q: no reader", b.u.name)
		return
	}
	pr, pw := io.Pipe()
	b.pr = pr
	b.u.wg.Add(1)
	go func() {
		defer b.u.wg.Done()
		err := b.u.write(pw, src, true)
		src.Close()
		pw.CloseWithError(err) // nil: a clean EOF for the reader
	}()
}

// Close ends the attempt's body: the copying goroutine's next write fails, so it closes the
// archive and returns.
func (b *lazyBody) Close() error {
	b.mu.Lock()
	b.closed = true
	pr := b.pr
	b.mu.Unlock()
	if pr != nil {
		pr.CloseWithError(errBodyClosed)
	}
	return nil
}
