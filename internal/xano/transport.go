package xano

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// transport wraps the caller's RoundTripper: each round trip is one attempt. It bounds the
// attempt (headers and the whole body) with RequestTimeout and logs it when its body is closed.
type transport struct {
	base http.RoundTripper
	c    *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	start := time.Now()
	ctx, cancel := parent, context.CancelFunc(func() {})
	if t.c.timeout > 0 {
		ctx, cancel = context.WithTimeout(parent, t.c.timeout)
		req = req.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if parent.Err() == nil && ctx.Err() == context.DeadlineExceeded {
			err = &timeoutError{d: t.c.timeout}
		}
		cancel()
		t.c.logAttempt(parent, req, 0, start, 0, err)
		return nil, err
	}
	resp.Body = &attemptBody{
		rc: resp.Body, ctx: ctx, parent: parent, cancel: cancel,
		timeout: t.c.timeout,
		done: func(n int64) {
			t.c.logAttempt(parent, req, resp.StatusCode, start, n, nil)
		},
	}
	return resp, nil
}

// attemptBody ends its attempt's context on Close (not before: the caller reads the body
// within the attempt's deadline) and counts the bytes read for the log.
type attemptBody struct {
	rc          io.ReadCloser
	ctx, parent context.Context
	cancel      context.CancelFunc
	timeout     time.Duration
	n           int64
	once        sync.Once
	done        func(n int64)
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF && b.parent.Err() == nil && b.ctx.Err() == context.DeadlineExceeded {
		err = &timeoutError{d: b.timeout}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		b.cancel()
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
		headers[k] = red.redact(strings.Join(v, ", "))
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
	a.l.Log(a.ctx, level, "retryablehttp: "+a.red.redact(msg), fields)
}
