package xano

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// These tests pin down RequestTimeout's semantics: it bounds the wait for the response headers
// and is then an idle timeout on the transfer, never a bound on a transfer whose bytes keep
// moving (the caller's context bounds the whole operation).

const idleTimeout = time.Second

// steadyGap is the pause between two chunks of a slow but steady transfer: well below the
// timeout, while the whole transfer (steadyChunks gaps) lasts well beyond it.
const (
	steadyGap    = 40 * time.Millisecond
	steadyChunks = 60
)

// flowing runs a scenario whose bytes keep moving, which must therefore succeed. On a loaded
// machine the test's own goroutines can stall for longer than the timeout, which rightly fails
// the attempt; so the scenario gets up to three tries when it fails with a timeout. A client
// bounding the whole transfer fails every try: each lasts well beyond the timeout.
func flowing(t *testing.T, what string, run func() error) {
	t.Helper()
	var err error
	for try := 1; try <= 3; try++ {
		if err = run(); err == nil || !IsTimeout(err) {
			break
		}
		t.Logf("%s, try %d (the machine may be loaded): %v", what, try, err)
	}
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

func TestTimeoutLateHeaders(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		select { // the archive is still being built
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	start := time.Now()
	_, err := c.Export(context.Background(), 1, ExportOptions{}, &resetBuffer{})
	if !IsTimeout(err) || IsTruncated(err) || srv.hits.Load() != 1 || !strings.Contains(err.Error(), "no answer from the server for 1s") {
		t.Errorf("late headers: %v (hits %d)", err, srv.hits.Load())
	}
	if d := time.Since(start); d < idleTimeout || d > 10*idleTimeout {
		t.Errorf("gave up after %s, want about %s", d, idleTimeout)
	}
}

func TestTimeoutSlowSteadyDownload(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		time.Sleep(idleTimeout / 4) // slow to start, within the timeout
		for i := 0; i < steadyChunks; i++ {
			if _, err := io.WriteString(w, "chunk;"); err != nil {
				return
			}
			flush(t, w)
			time.Sleep(steadyGap)
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	flowing(t, "slow but steady export", func() error {
		srv.hits.Store(0)
		start := time.Now()
		var out strings.Builder
		n, err := c.Export(context.Background(), 1, ExportOptions{}, &out)
		switch {
		case err != nil:
			return err
		case out.String() != strings.Repeat("chunk;", steadyChunks) || n != int64(out.Len()):
			return fmt.Errorf("%d bytes: %q", n, out.String())
		case time.Since(start) < 2*idleTimeout:
			return fmt.Errorf("the transfer took %s: too short to show it may outlast the timeout", time.Since(start))
		case srv.hits.Load() != 1:
			return fmt.Errorf("%d requests, want 1", srv.hits.Load())
		}
		return nil
	})
}

func TestTimeoutStalledDownload(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		for i := 0; i < 3; i++ { // flowing for a while, then stalled
			_, _ = io.WriteString(w, "chunk;")
			flush(t, w)
			time.Sleep(steadyGap)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	out := &resetBuffer{}
	start := time.Now()
	n, err := c.Export(context.Background(), 1, ExportOptions{}, out)
	if !IsTimeout(err) || IsTruncated(err) || n != 18 || out.resets != 0 || srv.hits.Load() != 1 ||
		!strings.Contains(err.Error(), "the answer stalled: no data for 1s") {
		t.Errorf("stalled export: %d bytes, %v (hits %d, resets %d)", n, err, srv.hits.Load(), out.resets)
	}
	if d := time.Since(start); d < idleTimeout || d > 10*idleTimeout {
		t.Errorf("gave up after %s, want about %s after the stall", d, idleTimeout)
	}
}

// slowWriter is an export destination that takes its time on the first write.
type slowWriter struct {
	strings.Builder
	pause time.Duration
}

func (w *slowWriter) Write(p []byte) (int, error) {
	if w.pause > 0 {
		time.Sleep(w.pause)
		w.pause = 0
	}
	return w.Builder.Write(p)
}

// TestTimeoutSlowDestination: time spent writing what was read is not the server's: it does
// not count towards the timeout.
func TestTimeoutSlowDestination(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		_, _ = io.WriteString(w, "first;")
		flush(t, w)
		time.Sleep(steadyGap)
		_, _ = io.WriteString(w, "second")
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	flowing(t, "export into a slow destination", func() error {
		out := &slowWriter{pause: 3 * idleTimeout}
		if _, err := c.Export(context.Background(), 1, ExportOptions{}, out); err != nil || out.String() != "first;second" {
			return fmt.Errorf("%q: %w", out.String(), err)
		}
		return nil
	})
}

// slowSource yields chunks bytes every gap, then ends.
type slowSource struct {
	chunks int
	gap    time.Duration
}

func (s *slowSource) Read(p []byte) (int, error) {
	if s.chunks == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.gap)
	s.chunks--
	n := copy(p, strings.Repeat("x", 1024))
	return n, nil
}

func (s *slowSource) Close() error { return nil }

func TestTimeoutSlowSteadyUpload(t *testing.T) {
	for _, sized := range []bool{false, true} {
		name := "chunked"
		if sized {
			name = "sized"
		}
		t.Run(name, func(t *testing.T) {
			var got atomic.Int64
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
				mr, err := r.MultipartReader()
				if err != nil {
					envelope(w, 400, "ERROR_CODE_INPUT_ERROR", err.Error())
					return
				}
				for {
					p, err := mr.NextPart()
					if err != nil {
						break
					}
					n, _ := io.Copy(io.Discard, p)
					if p.FormName() == "file" {
						got.Store(n)
					}
				}
				writeJSON(w, 200, `{}`)
			})
			c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
			src := ArchiveSource{Name: "a.tar.gz", Open: func() (io.ReadCloser, error) {
				return &slowSource{chunks: steadyChunks, gap: steadyGap}, nil
			}}
			if sized {
				src.Size = steadyChunks * 1024
			}
			flowing(t, "slow but steady upload", func() error {
				got.Store(0)
				start := time.Now()
				switch err := c.ImportSchema(context.Background(), 1, ImportSchemaInput{File: src, NewBranch: "n"}); {
				case err != nil:
					return err
				case got.Load() != steadyChunks*1024:
					return fmt.Errorf("the server received %d archive bytes", got.Load())
				case time.Since(start) < 2*idleTimeout:
					return fmt.Errorf("the upload took %s: too short to show it may outlast the timeout", time.Since(start))
				}
				return nil
			})
		})
	}
}

// TestTimeoutStalledUpload: a server that stops taking the upload fails the attempt once
// nothing has moved for the timeout.
func TestTimeoutStalledUpload(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		_, _ = io.ReadFull(r.Body, make([]byte, 1024)) // accepts the upload, then stops reading
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	// Far more than the socket buffers hold, generated as it is sent.
	src := ArchiveSource{Name: "big.tar.gz", Open: func() (io.ReadCloser, error) {
		return &patternReader{left: 256 << 20}, nil
	}}
	start := time.Now()
	_, err := c.Import(context.Background(), 1, ImportInput{File: src})
	if !IsTimeout(err) || srv.hits.Load() != 1 || !strings.Contains(err.Error(), "the upload stalled") {
		t.Errorf("stalled upload: %v (hits %d)", err, srv.hits.Load())
	}
	if d := time.Since(start); d > 20*idleTimeout {
		t.Errorf("gave up after %s", d)
	}
}

// TestTimeoutAfterUpload: once the upload is sent, the server has the timeout to answer (an
// import is applied before Xano answers).
func TestTimeoutAfterUpload(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	src := &source{data: []byte("archive")}
	_, err := c.Import(context.Background(), 1, ImportInput{File: src.archive("a.tar.gz")})
	if !IsTimeout(err) || srv.hits.Load() != 1 || !strings.Contains(err.Error(), "no answer from the server for 1s") {
		t.Errorf("import without an answer: %v (hits %d)", err, srv.hits.Load())
	}
}

// TestTimeoutContextBoundsTheWhole: the caller's context, not RequestTimeout, bounds a
// transfer that keeps moving.
func TestTimeoutContextBoundsTheWhole(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		for {
			if _, err := io.WriteString(w, "chunk;"); err != nil {
				return
			}
			flush(t, w)
			select {
			case <-time.After(steadyGap):
			case <-r.Context().Done():
				return
			}
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = idleTimeout })
	flowing(t, "an endless export", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*idleTimeout)
		defer cancel()
		_, err := c.Export(ctx, 1, ExportOptions{}, io.Discard)
		switch {
		case IsTimeout(err):
			return err
		case errors.Is(err, context.DeadlineExceeded):
			return nil // the caller's deadline ended it
		}
		return fmt.Errorf("want the caller's deadline, got %w", err)
	})
}
