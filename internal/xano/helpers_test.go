package xano

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "tok-SECRET-0123456789abcdef"

// captureLogger records every log line with its fields.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Log(_ context.Context, level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *captureLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *captureLogger) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// newTestClient returns a client of srv with short waits and a capturing logger.
func newTestClient(t testing.TB, srvURL string, mod func(*Config)) (*Client, *captureLogger) {
	t.Helper()
	log := &captureLogger{}
	cfg := Config{
		BaseURL:      srvURL,
		Token:        testToken,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		Logger:       log,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

// server is an httptest server whose handler sees paths below /api:meta and counts requests.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t testing.TB, h func(w http.ResponseWriter, r *http.Request, path string)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		p := r.URL.EscapedPath()
		if !strings.HasPrefix(p, "/api:meta") {
			http.Error(w, "not under /api:meta: "+p, http.StatusTeapot)
			return
		}
		h(w, r, strings.TrimPrefix(p, "/api:meta"))
	}))
	t.Cleanup(s.Close)
	return s
}

// writeJSON answers status with a JSON body. As everywhere in the test servers, a failed write
// is not checked here: it shows in what the client under test reports.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// flush sends what has been written so far to the client.
func flush(t testing.TB, w http.ResponseWriter) {
	f, ok := w.(http.Flusher)
	if !ok {
		t.Error("flushing unsupported")
		return
	}
	f.Flush()
}

func envelope(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, fmt.Sprintf(`{"code":%q,"message":%q}`, code, msg))
}

// cutConn hijacks the connection, writes raw (a partial response, or nothing) and closes it.
func cutConn(t testing.TB, w http.ResponseWriter, raw string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("hijacking unsupported")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if raw != "" {
		_, _ = buf.WriteString(raw) // buffered: a failure shows in Flush, and then in the client
		buf.Flush()
	}
	conn.Close()
}

// partialResponse is a 200 announcing total bytes but carrying only body.
func partialResponse(total int, body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n%s", total, body)
}

// source is an ArchiveSource over fixed bytes that records opens and closes.
type source struct {
	data   []byte
	opens  atomic.Int64
	closes atomic.Int64
}

func (s *source) archive(name string) ArchiveSource {
	return ArchiveSource{Name: name, Open: func() (io.ReadCloser, error) {
		s.opens.Add(1)
		return &srcReader{Reader: strings.NewReader(string(s.data)), s: s}, nil
	}}
}

type srcReader struct {
	io.Reader
	s    *source
	once sync.Once
}

func (r *srcReader) Close() error { r.once.Do(func() { r.s.closes.Add(1) }); return nil }

// resetBuffer is an export destination implementing Resetter.
type resetBuffer struct {
	strings.Builder
	resets int
}

func (b *resetBuffer) Reset() error { b.Builder.Reset(); b.resets++; return nil }
