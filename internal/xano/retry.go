package xano

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Retry policy
//
//	answer                               safe (GETs, export, export-schema)   other (writes, imports)
//	429                                  retried                              retried (refused before doing anything)
//	5xx except 501                       retried                              not retried
//	500 "Access Denied." (plan refusal)  not retried                          not retried
//	501, 4xx                             not retried                          not retried
//	connection error before an answer    retried                              not retried
//	body cut mid-download                retried from the start (JSON; exports only into a Resetter)
//	attempt timeout, cancelled context   not retried                          not retried
//
// Waits: Retry-After (seconds or HTTP date) on 429/503, capped by RetryAfterMax; otherwise
// exponential from RetryWaitMin, doubling, with up to 50% jitter, capped by RetryWaitMax.
// MaxRetries bounds the retries of one operation in total, cut-body restarts included.

// stateKey is the context key of the *callState of the operation a request belongs to: the
// retry policy (which only gets the context) reads the request's safety from it.
type stateKey struct{}

// callState is one operation: its call, its redactor and its attempt count across restarts.
type callState struct {
	c        *Client
	call     *call
	ctx      context.Context // carries the state itself; for logs
	red      *redactor
	attempts int // requests sent so far (all Do loops and restarts)
	reason   string
}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// run performs cl with retries and hands a 2xx answer to consume. When consume fails with
// ErrTruncated on a safe call and restart is non-nil, the whole operation is tried again after
// restart, within the same retry budget.
func (c *Client) run(ctx context.Context, cl *call, consume func(*callState, *http.Response) error, restart func() error) error {
	if cl.upload != nil {
		defer cl.upload.finish()
	}
	st := &callState{c: c, call: cl, red: c.red.with(cl.secrets...)}
	ctx = context.WithValue(ctx, stateKey{}, st)
	st.ctx = ctx
	for {
		resp, err := c.send(ctx, st)
		if err != nil {
			return err
		}
		err = consume(st, resp)
		resp.Body.Close()
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrTruncated) || restart == nil || !cl.safe || ctx.Err() != nil || st.attempts > c.maxRetries {
			return err
		}
		if rerr := restart(); rerr != nil {
			return st.fail("the download was cut and resetting the destination to retry failed", rerr)
		}
		wait := c.backoffWait(st.attempts-1, nil)
		c.log(ctx, LevelWarn, "xano: retrying a request whose response body was cut", map[string]any{
			"method": cl.method, "path": cl.path, "attempt": st.attempts + 1,
			"wait": wait.String(), "reason": st.red.redact(err.Error()),
		})
		if err := sleep(ctx, wait); err != nil {
			return st.fail("cancelled while waiting to retry", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fail wraps a non-API failure of the operation, redacting its text.
func (st *callState) fail(what string, err error) error {
	msg := st.red.redactOwn(what)
	if err != nil {
		msg += ": " + st.red.redact(err.Error())
	}
	return &opError{method: st.call.method, path: st.call.path, msg: msg, attempts: st.attempts, err: err}
}

// send sends the request with retries (retryablehttp) and returns a 2xx answer with its body
// open, or an error: an *APIError for any other answer.
func (c *Client) send(ctx context.Context, st *callState) (*http.Response, error) {
	cl := st.call
	var body any
	if cl.body != nil {
		body = cl.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, c.base+cl.path, body)
	if err != nil {
		return nil, st.fail("building the request", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", cl.accept)
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if cl.expect {
		req.Header.Set("Expect", "100-continue")
	}
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryWaitMin: c.waitMin,
		RetryWaitMax: c.waitMax,
		RetryMax:     c.maxRetries - st.attempts,
		CheckRetry:   checkRetry,
		Backoff:      st.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, _ int) {
			if s := stateFrom(r.Context()); s != nil {
				s.attempts++
			}
		},
	}
	if c.logger != nil {
		rc.Logger = &leveledLogger{ctx: ctx, l: c.logger, red: st.red}
	}
	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil {
			drainClose(resp.Body)
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = ctxErr
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL; the path is already in the message
		}
		return nil, st.fail("request failed", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, st.apiError(resp)
	}
	return resp, nil
}

// apiError reads (at most maxErrorBody of) a non-2xx answer and closes it.
func (st *callState) apiError(resp *http.Response) *APIError {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     st.call.method,
		Path:       st.call.path,
		Attempts:   st.attempts,
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	parseErrorBody(e, data, st.red)
	if isPlanRefusal(resp.StatusCode, data) {
		e.planRestricted = true
		e.Message = planRestrictedMessage
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode <= 399 && loc != "" {
		if u, err := resp.Request.URL.Parse(loc); err == nil {
			u.RawQuery, u.Fragment, u.User = "", "", nil
			loc = u.String()
		}
		e.Message = fmt.Sprintf("the server redirects to %s: set the instance URL to that address's origin", st.red.redact(loc))
	}
	return e
}

func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
	body.Close()
}

// checkRetry is the retryablehttp.CheckRetry policy (see the table above).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := stateFrom(ctx)
	safe := st != nil && st.call.safe
	if err != nil {
		if safe && isConnError(err) {
			st.reason = st.red.redact(err.Error())
			return true, nil
		}
		return false, nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		// The server refused before doing anything: safe to send again, whatever the request.
	case resp.StatusCode >= 500 && resp.StatusCode <= 599 && resp.StatusCode != http.StatusNotImplemented && safe:
		if isPlanRefusal(resp.StatusCode, peekBody(resp, maxPeek)) {
			return false, nil // permanent: retrying cannot lift the plan's restriction
		}
	default:
		return false, nil
	}
	if st != nil {
		st.reason = fmt.Sprintf("status %d", resp.StatusCode)
	}
	return true, nil
}

// maxPeek is how much of a 5xx body checkRetry reads to recognise Xano's plan refusal.
const maxPeek = 4 << 10

// peekBody reads at most n bytes of resp's body and puts them back in front of the rest, so
// whoever reads the answer next (the error parser, or the drain before a retry) sees it whole.
func peekBody(resp *http.Response, n int64) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, n))
	rest := io.Reader(resp.Body)
	if err != nil {
		rest = &errReader{err: err} // the next reader sees the failure too
	}
	resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(data), rest), c: resp.Body}
	return data
}

type peekedBody struct {
	io.Reader
	c io.Closer
}

func (b *peekedBody) Close() error { return b.c.Close() }

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// isConnError reports a failure to get an answer that a new connection may fix: refused or
// reset connections, and connections closed before an answer. Timeouts, TLS and DNS "no such
// host" failures are not.
func isConnError(err error) bool {
	if errors.Is(err, ErrRequestTimeout) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" && !opErr.Timeout() {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"server closed idle connection", "connection reset by peer", "broken pipe", "http2: server sent GOAWAY"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// backoff is the retryablehttp.Backoff of one operation; it also logs the retry.
func (st *callState) backoff(_, _ time.Duration, attemptNum int, resp *http.Response) time.Duration {
	wait := st.c.backoffWait(st.attempts-1, resp)
	reason := st.reason
	if resp != nil {
		reason = fmt.Sprintf("status %d", resp.StatusCode)
	}
	st.c.log(st.ctx, LevelWarn, "xano: retrying request", map[string]any{
		"method": st.call.method, "path": st.call.path, "attempt": st.attempts + 1,
		"max_attempts": st.c.maxRetries + 1, "wait": wait.String(), "reason": reason,
	})
	return wait
}

// backoffWait is how long to wait before retry number retry+1 (retry counts from 0).
func (c *Client) backoffWait(retry int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.retryAfterMax)
		}
	}
	return expBackoff(c.waitMin, c.waitMax, retry)
}

// expBackoff doubles from lo with up to 50% added jitter, capped by hi.
func expBackoff(lo, hi time.Duration, retry int) time.Duration {
	if retry < 0 {
		retry = 0
	}
	d := lo
	for i := 0; i < retry && d < hi; i++ {
		d *= 2
	}
	if d >= hi || d <= 0 {
		return hi
	}
	if j := int64(d / 2); j > 0 {
		d += time.Duration(rand.Int64N(j + 1))
	}
	return min(d, hi)
}

// parseRetryAfter parses a Retry-After header: delay seconds or an HTTP date (past: 0).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64((1<<63-1)/time.Second) {
			n = int64((1<<63 - 1) / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// copyBody streams an export body into w with a pooled buffer, telling read failures (a cut
// body: ErrTruncated; a timeout; a cancelled context) from write failures.
func (st *callState) copyBody(ctx context.Context, w io.Writer, body io.Reader) (int64, error) {
	bp := getCopyBuf()
	defer copyBufs.Put(bp)
	buf := *bp
	var n int64
	for {
		nr, rerr := body.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr == nil && nw != nr {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, st.fail("writing the archive", werr)
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, st.readError(ctx, n, rerr)
		}
	}
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// getCopyBuf takes a *[]byte of copyBufSize from copyBufs; give it back with copyBufs.Put.
func getCopyBuf() *[]byte {
	bp, ok := copyBufs.Get().(*[]byte)
	if !ok {
		panic("xano: copyBufs holds a value that is not a *[]byte")
	}
	return bp
}

// readError classifies a failure while reading a 2xx body after n bytes.
func (st *callState) readError(ctx context.Context, n int64, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return st.fail(fmt.Sprintf("interrupted after %d bytes", n), ctxErr)
	}
	if errors.Is(err, ErrRequestTimeout) {
		return st.fail(fmt.Sprintf("stopped after %d bytes", n), err)
	}
	return st.fail(fmt.Sprintf("%s: after %d bytes", ErrTruncated, n), &truncatedError{err: err})
}

// truncatedError is ErrTruncated carrying its cause.
type truncatedError struct{ err error }

func (e *truncatedError) Error() string   { return e.err.Error() }
func (e *truncatedError) Unwrap() []error { return []error{ErrTruncated, e.err} }

// decodeJSON reads a 2xx JSON answer (bounded) into out; nil out discards it.
func (st *callState) decodeJSON(ctx context.Context, resp *http.Response, out any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody+1))
	if err != nil {
		return st.readError(ctx, int64(len(data)), err)
	}
	if len(data) > maxJSONBody {
		return st.fail(fmt.Sprintf("the answer is larger than %d bytes", maxJSONBody), nil)
	}
	if out == nil {
		return nil
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		data = []byte("null")
	}
	if err := json.Unmarshal(data, out); err != nil {
		return st.fail("the answer is not the expected JSON", err)
	}
	return nil
}
