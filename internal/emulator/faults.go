package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errCut is returned by writes after a fault cut the connection.
var errCut = errors.New("emulator: connection cut by a fault")

// takeFault returns the first armed fault matching the request (and uses one of its counts).
func (s *Server) takeFault(method, path string) *Fault {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		unescaped = path
	}
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if !pathMatches(f.Path, path) && !pathMatches(f.Path, unescaped) {
			continue
		}
		fc := *f
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return &fc
	}
	return nil
}

func pathMatches(pattern, path string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return pattern == path || strings.TrimSuffix(pattern, "/") == strings.TrimSuffix(path, "/")
}

func (s *Server) logRequest(rec RequestRecord) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.requests.add(rec)
}

// requestLog is a ring buffer of the last limit requests: adding one costs the same whether it
// is full or not (it grows up to limit, then overwrites the oldest record).
type requestLog struct {
	limit int
	recs  []RequestRecord
	next  int // where the next record goes once len(recs) == limit
}

func newRequestLog(limit int) requestLog { return requestLog{limit: limit} }

func (l *requestLog) add(rec RequestRecord) {
	if len(l.recs) < l.limit {
		l.recs = append(l.recs, rec)
		return
	}
	l.recs[l.next] = rec
	l.next = (l.next + 1) % l.limit
}

// list returns the records, oldest first (never nil).
func (l *requestLog) list() []RequestRecord {
	out := make([]RequestRecord, 0, len(l.recs))
	out = append(out, l.recs[l.next:]...)
	return append(out, l.recs[:l.next]...)
}

func (l *requestLog) clear() {
	l.recs, l.next = nil, 0
}

// metaWriter wraps the ResponseWriter of an /api:meta request: it records the status and the body
// bytes written and applies a fault's connection cut.
type metaWriter struct {
	rw          http.ResponseWriter
	status      int
	bytes       int64
	cut         int64 // -1: no cut
	cutDone     bool
	wroteHeader bool
}

func (m *metaWriter) Header() http.Header { return m.rw.Header() }

func (m *metaWriter) WriteHeader(status int) {
	if m.wroteHeader || m.cutDone {
		return
	}
	if m.cut == 0 {
		m.cutNow()
		return
	}
	m.wroteHeader = true
	m.status = status
	m.rw.WriteHeader(status)
}

func (m *metaWriter) Write(p []byte) (int, error) {
	if m.cutDone {
		return 0, errCut
	}
	if !m.wroteHeader {
		m.WriteHeader(http.StatusOK)
		if m.cutDone {
			return 0, errCut
		}
	}
	if m.cut > 0 && m.bytes+int64(len(p)) >= m.cut {
		n := int(m.cut - m.bytes)
		n, _ = m.rw.Write(p[:n])
		m.bytes += int64(n)
		m.cutNow()
		return n, errCut
	}
	n, err := m.rw.Write(p)
	m.bytes += int64(n)
	return n, err
}

func (m *metaWriter) Flush() {
	if m.cutDone {
		return
	}
	if !m.wroteHeader {
		m.WriteHeader(http.StatusOK)
		if m.cutDone {
			return
		}
	}
	http.NewResponseController(m.rw).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (m *metaWriter) Unwrap() http.ResponseWriter { return m.rw }

// cutNow sends what was written so far and closes the TCP connection.
func (m *metaWriter) cutNow() {
	m.cutDone = true
	rc := http.NewResponseController(m.rw)
	if m.wroteHeader {
		rc.Flush()
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		// Not hijackable (e.g. HTTP/2): abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// serveMeta serves one /api:meta request: faults, then the route, recording it in the log.
func (s *Server) serveMeta(w http.ResponseWriter, r *http.Request, rest string) {
	start := time.Now()
	if rest == "" {
		rest = "/"
	}
	mw := &metaWriter{rw: w, cut: -1}
	defer func() {
		s.logRequest(RequestRecord{
			Method: r.Method, Path: rest, Status: mw.status, Bytes: mw.bytes,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000,
		})
	}()
	if f := s.takeFault(r.Method, rest); f != nil {
		if f.CutAfterBytes != nil && *f.CutAfterBytes >= 0 {
			mw.cut = *f.CutAfterBytes
		}
		if f.DelayMS > 0 {
			t := time.NewTimer(time.Duration(f.DelayMS) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if f.Status != 0 {
			code := f.Code
			if code == "" {
				code = codeForStatus(f.Status)
			}
			msg := f.Message
			if msg == "" {
				msg = http.StatusText(f.Status)
				if f.Status == http.StatusTooManyRequests {
					msg = "Too many requests. Please try again later."
				}
			}
			if f.RetryAfter != "" {
				mw.Header().Set("Retry-After", f.RetryAfter)
			}
			writeError(mw, &apiError{Status: f.Status, Code: code, Message: msg})
			return
		}
		if f.RetryAfter != "" {
			mw.Header().Set("Retry-After", f.RetryAfter)
		}
	}
	s.route(mw, r, rest)
	if !mw.wroteHeader && !mw.cutDone {
		mw.WriteHeader(http.StatusOK)
	}
}
