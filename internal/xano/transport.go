package xano

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// transport wraps the caller's RoundTripper: each round trip is one attempt. A watchdog ends
// the attempt once it has waited RequestTimeout on the server without progress (see
// Config.RequestTimeout), and the attempt is logged when its response body is closed.
type transport struct {
	base http.RoundTripper
	c    *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	start := time.Now()
	var wd *watchdog
	if t.c.timeout > 0 {
		ctx, cancel := context.WithCancelCause(parent)
		wd = newWatchdog(ctx, parent, cancel, t.c.timeout)
		req = req.WithContext(ctx) // a copy: its body can be wrapped without touching the caller's
		wd.wrapRequestBody(req)
		wd.begin()
	}
	resp, err := t.base.RoundTrip(req)
	if wd != nil {
		if err == nil {
			wd.phase.Store(phaseReading)
		}
		wd.end()
	}
	if err != nil {
		if wd != nil {
			err = wd.explain(err)
			wd.stop()
		}
		t.c.logAttempt(parent, req, 0, start, 0, err)
		return nil, err
	}
	resp.Body = &attemptBody{
		rc: resp.Body, wd: wd,
		done: func(n int64) {
			t.c.logAttempt(parent, req, resp.StatusCode, start, n, nil)
		},
	}
	return resp, nil
}

// watchdog enforces RequestTimeout on one attempt as a timeout on waiting without progress:
// it cancels the attempt's context once the attempt has been waiting on the server (sending
// the request and awaiting the headers, or inside a Read of the response body) for the whole
// timeout since the last progress (a request body write, the headers, a response body read).
// Time the caller spends between two reads of the body is not counted: a slow destination is
// not the server's fault.
type watchdog struct {
	ctx, parent context.Context
	cancel      context.CancelCauseFunc
	d           time.Duration
	epoch       time.Time
	last        atomic.Int64 // last progress, in nanoseconds since epoch (monotonic)
	active      atomic.Int32 // > 0 while the attempt waits on the server
	phase       atomic.Int32 // phaseWaiting, phaseSending or phaseReading, for the error text

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

func newWatchdog(ctx, parent context.Context, cancel context.CancelCauseFunc, d time.Duration) *watchdog {
	w := &watchdog{ctx: ctx, parent: parent, cancel: cancel, d: d, epoch: time.Now()}
	w.mu.Lock()
	w.timer = time.AfterFunc(d, w.check)
	w.mu.Unlock()
	return w
}

// What an attempt was doing when the watchdog ended it.
const (
	phaseWaiting int32 = iota // for the response headers
	phaseSending              // the request body
	phaseReading              // the response body
)

// progress records that bytes moved.
func (w *watchdog) progress() { w.last.Store(int64(time.Since(w.epoch))) }

// begin and end bracket a wait on the server; both count as progress, so the timeout of a
// wait starts when it begins.
func (w *watchdog) begin() {
	w.progress()
	w.active.Add(1)
}

func (w *watchdog) end() {
	w.active.Add(-1)
	w.progress()
}

// check runs when the timer fires: it cancels the attempt if it has been waiting without
// progress for the whole timeout, and otherwise re-arms the timer for the time left.
func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	idle := time.Since(w.epoch) - time.Duration(w.last.Load())
	waiting := w.active.Load() > 0
	if waiting && idle >= w.d {
		w.stopped = true
		w.cancel(&timeoutError{d: w.d, phase: w.phase.Load()})
		return
	}
	next := w.d - idle
	if !waiting || next <= 0 {
		next = w.d
	}
	w.timer.Reset(next)
}

// stop ends the attempt's context and its timer.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
	w.cancel(nil)
}

// explain turns the error of an attempt the watchdog ended into its *timeoutError.
func (w *watchdog) explain(err error) error {
	if w.parent.Err() != nil {
		return err
	}
	var te *timeoutError
	if errors.As(context.Cause(w.ctx), &te) {
		return te
	}
	return err
}

// wrapRequestBody makes the request body (and the copies the transport may take through
// GetBody to replay it) report each write as progress.
func (w *watchdog) wrapRequestBody(req *http.Request) {
	req.Body = w.wrapBody(req.Body)
	if get := req.GetBody; get != nil {
		req.GetBody = func() (io.ReadCloser, error) {
			rc, err := get()
			if err != nil {
				return rc, err
			}
			return w.wrapBody(rc), nil
		}
	}
}

func (w *watchdog) wrapBody(rc io.ReadCloser) io.ReadCloser {
	if rc == nil || rc == http.NoBody {
		return rc
	}
	b := progressBody{rc: rc, wd: w}
	if _, ok := rc.(io.WriterTo); ok {
		return &progressBodyWriterTo{b}
	}
	return &b
}

// progressBody is a request body that reports the bytes the transport takes from it.
type progressBody struct {
	rc io.ReadCloser
	wd *watchdog
}

func (b *progressBody) Read(p []byte) (int, error) {
	b.wd.phase.CompareAndSwap(phaseWaiting, phaseSending)
	n, err := b.rc.Read(p)
	if n > 0 {
		b.wd.progress()
	}
	return n, err
}

// Close is called by the transport once it has sent the body (or given up on it).
func (b *progressBody) Close() error {
	b.wd.phase.CompareAndSwap(phaseSending, phaseWaiting)
	return b.rc.Close()
}

// progressBodyWriterTo keeps the body's WriteTo (large writes, fewer chunks; see lazyBody)
// and reports each completed write to the connection.
type progressBodyWriterTo struct{ progressBody }

func (b *progressBodyWriterTo) WriteTo(dst io.Writer) (int64, error) {
	wt, _ := b.rc.(io.WriterTo) // checked by wrapBody
	b.wd.phase.CompareAndSwap(phaseWaiting, phaseSending)
	return wt.WriteTo(&progressWriter{w: dst, wd: b.wd})
}

type progressWriter struct {
	w  io.Writer
	wd *watchdog
}

func (pw *progressWriter) Write(p []byte) (int, error) {
	n, err := pw.w.Write(p)
	if n > 0 {
		pw.wd.progress()
	}
	return n, err
}

// attemptBody is an attempt's response body: it counts the bytes read for the log, brackets
// each Read as a wait on the server for the watchdog, and ends the attempt on Close.
type attemptBody struct {
	rc   io.ReadCloser
	wd   *watchdog // nil: no timeout
	n    int64
	once sync.Once
	done func(n int64)
}

func (b *attemptBody) Read(p []byte) (int, error) {
	if b.wd == nil {
		n, err := b.rc.Read(p)
		b.n += int64(n)
		return n, err
	}
	b.wd.begin()
	n, err := b.rc.Read(p)
	b.wd.end()
	b.n += int64(n)
	if err != nil && err != io.EOF {
		err = b.wd.explain(err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		if b.wd != nil {
			b.wd.stop()
		}
		b.done(b.n)
	})
	return err
}

// logAttempt logs one attempt at DEBUG: method, path, status, duration, bytes read, headers
// (Authorization redacted).
func (c *Client) logAttempt(ctx context.Context, req *http.Request, status int, start time.Time, n int64, err error) {
	if c.logger == nil {
		return
	}
	st := stateFrom(ctx)
	red := c.red
	path := req.URL.EscapedPath()
	attempt := 0
	if st != nil {
		red = st.red
		path = st.call.path
		attempt = st.attempts
	}
	headers := make(map[string]string, len(req.Header))
	for k, v := range req.Header {
		if http.CanonicalHeaderKey(k) == "Authorization" {
			headers[k] = redacted
			continue
		}
		headers[k] = red.redactOwn(strings.Join(v, ", ")) // the client's own headers; Authorization is above
	}
	fields := map[string]any{
		"method":      req.Method,
		"path":        path,
		"attempt":     attempt,
		"duration_ms": time.Since(start).Milliseconds(),
		"bytes":       n,
		"headers":     headers,
	}
	msg := "xano: request"
	if err != nil {
		fields["error"] = red.redact(err.Error())
		msg = "xano: request failed"
	} else {
		fields["status"] = status
	}
	c.log(ctx, LevelDebug, msg, fields)
}

func (c *Client) log(ctx context.Context, level, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Log(ctx, level, msg, fields)
	}
}

// leveledLogger adapts retryablehttp's LeveledLogger to the Logger hook of one operation,
// redacting every message and value.
type leveledLogger struct {
	ctx context.Context
	l   Logger
	red *redactor
}

func (a *leveledLogger) Error(msg string, kv ...any) { a.log(LevelError, msg, kv) }
func (a *leveledLogger) Info(msg string, kv ...any)  { a.log(LevelInfo, msg, kv) }
func (a *leveledLogger) Debug(msg string, kv ...any) { a.log(LevelDebug, msg, kv) }
func (a *leveledLogger) Warn(msg string, kv ...any)  { a.log(LevelWarn, msg, kv) }

func (a *leveledLogger) log(level, msg string, kv []any) {
	fields := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		fields[fmt.Sprint(kv[i])] = a.red.redact(fmt.Sprint(kv[i+1]))
	}
	a.l.Log(a.ctx, level, "retryablehttp: "+a.red.redactOwn(msg), fields)
}
