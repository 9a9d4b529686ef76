package archive

import (
	"io"
	"sync"
)

// asyncReader reads its source on a goroutine of its own, a few buffers ahead of its reader,
// so that inflating the outer gzip layer and canonicalising and hashing what came out of it run
// on two cores. Its memory is asyncBuffers buffers of asyncBufferSize, reused.
type asyncReader struct {
	full chan asyncChunk // filled buffers, in order
	free chan []byte     // buffers to fill
	stop chan struct{}   // closed by Close
	done chan struct{}   // closed when the goroutine returned

	cur   asyncChunk // the chunk being read from
	off   int
	err   error // the source's error, once reached
	close sync.Once
}

type asyncChunk struct {
	buf []byte // the buffer (full capacity, to give back)
	n   int    // bytes of data in buf
	err error  // the source's error after these bytes, if any
}

const (
	asyncBuffers    = 4
	asyncBufferSize = 256 << 10
)

func newAsyncReader(src io.Reader) *asyncReader {
	a := &asyncReader{
		full: make(chan asyncChunk, asyncBuffers),
		free: make(chan []byte, asyncBuffers),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range asyncBuffers {
		a.free <- make([]byte, asyncBufferSize)
	}
	go a.fill(src)
	return a
}

// fill runs on the goroutine: it fills free buffers from src until src fails or ends, or Close.
func (a *asyncReader) fill(src io.Reader) {
	defer close(a.done)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n := 0
		var err error
		for n < len(buf)/2 && err == nil {
			var k int
			k, err = src.Read(buf[n:])
			n += k
		}
		select {
		case a.full <- asyncChunk{buf: buf, n: n, err: err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for a.off == a.cur.n {
		if a.err != nil {
			return 0, a.err
		}
		if a.cur.buf != nil {
			a.free <- a.cur.buf // never blocks: there are only asyncBuffers buffers
			a.cur = asyncChunk{}
		}
		c, ok := <-a.full
		if !ok {
			return 0, io.ErrClosedPipe
		}
		a.cur, a.off, a.err = c, 0, c.err
	}
	n := copy(p, a.cur.buf[a.off:a.cur.n])
	a.off += n
	return n, nil
}

// Close stops the goroutine and waits until it no longer reads the source.
func (a *asyncReader) Close() error {
	a.close.Do(func() {
		close(a.stop)
		<-a.done
	})
	return nil
}
