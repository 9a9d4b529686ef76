package xano

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(2 * time.Second).Format(time.RFC850), 2 * time.Second, true},
		{"99999999999999999999", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestExpBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, 2*time.Second
	for retry := 0; retry < 40; retry++ {
		base := lo << min(retry, 10)
		for i := 0; i < 50; i++ {
			d := expBackoff(lo, hi, retry)
			if d < lo || d > hi || (base < hi && (d < base || d > base+base/2)) {
				t.Fatalf("retry %d: %s out of bounds", retry, d)
			}
		}
	}
}

// statusThenOK answers status (with retryAfter) to the first n requests, then 200 {}.
func statusThenOK(t *testing.T, n int64, status int, retryAfter string) *server {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		_, _ = io.Copy(io.Discard, r.Body)
		if srv.hits.Load() <= n {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			envelope(w, status, "ERROR_CODE_X", "try again")
			return
		}
		if strings.HasSuffix(path, "export") || strings.HasSuffix(path, "export-schema") {
			_, _ = io.WriteString(w, "ARCHIVE")
			return
		}
		writeJSON(w, 200, `{"id":1,"label":"dev","name":"w"}`)
	})
	return srv
}

// operations runs every kind of request against c.
func operations(c *Client, src *source) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"GET me":        func(ctx context.Context) error { _, err := c.Me(ctx); return err },
		"GET workspace": func(ctx context.Context) error { _, err := c.GetWorkspace(ctx, 1); return err },
		"GET branch":    func(ctx context.Context) error { _, err := c.GetBranch(ctx, 1, "dev"); return err },
		"export": func(ctx context.Context) error {
			_, err := c.Export(ctx, 1, ExportOptions{Password: "pw-export"}, io.Discard)
			return err
		},
		"export-schema": func(ctx context.Context) error {
			_, err := c.ExportSchema(ctx, 1, ExportOptions{}, io.Discard)
			return err
		},
		"create branch": func(ctx context.Context) error {
			_, err := c.CreateBranch(ctx, 1, CreateBranchInput{Label: "dev"})
			return err
		},
		"update branch": func(ctx context.Context) error {
			_, err := c.UpdateBranch(ctx, 1, "dev", UpdateBranchInput{})
			return err
		},
		"delete branch": func(ctx context.Context) error { return c.DeleteBranch(ctx, 1, "dev") },
		"set live":      func(ctx context.Context) error { _, err := c.SetLiveBranch(ctx, 1, "dev"); return err },
		"import-schema": func(ctx context.Context) error {
			return c.ImportSchema(ctx, 1, ImportSchemaInput{File: src.archive("a.tar.gz"), NewBranch: "n", Password: "pw-import"})
		},
		"import": func(ctx context.Context) error {
			_, err := c.Import(ctx, 1, ImportInput{File: src.archive("a.tar.gz"), Password: "pw-import"})
			return err
		},
		"list workspaces": func(ctx context.Context) error { _, err := c.ListWorkspaces(ctx); return err },
	}
}

var safeOps = map[string]bool{"GET me": true, "GET workspace": true, "GET branch": true, "export": true, "export-schema": true, "list workspaces": true}

func TestRetry429EveryRequest(t *testing.T) {
	for name := range operations(nil, nil) {
		t.Run(name, func(t *testing.T) {
			srv := statusThenOK(t, 2, 429, "0")
			c, log := newTestClient(t, srv.URL, nil)
			src := &source{data: []byte("archive")}
			if err := operations(c, src)[name](context.Background()); err != nil && !strings.Contains(err.Error(), "unexpected answer") {
				t.Fatalf("after two 429s: %v", err)
			}
			if got := srv.hits.Load(); got != 3 {
				t.Errorf("%d requests, want 3", got)
			}
			if n := log.count("WARN xano: retrying request"); n != 2 {
				t.Errorf("%d retry log lines, want 2:\n%s", n, log.all())
			}
		})
	}
}

func TestRetry503OnlySafe(t *testing.T) {
	for name := range operations(nil, nil) {
		t.Run(name, func(t *testing.T) {
			srv := statusThenOK(t, 1, 503, "")
			c, _ := newTestClient(t, srv.URL, nil)
			src := &source{data: []byte("archive")}
			err := operations(c, src)[name](context.Background())
			if safeOps[name] {
				if err != nil && !strings.Contains(err.Error(), "unexpected answer") {
					t.Errorf("503 then 200: %v", err)
				}
				if got := srv.hits.Load(); got != 2 {
					t.Errorf("%d requests, want 2", got)
				}
				return
			}
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != 503 || e.Attempts != 1 {
				t.Errorf("want a 503 APIError without retry, got %v", err)
			}
			if got := srv.hits.Load(); got != 1 {
				t.Errorf("%d requests, want 1 (not retried)", got)
			}
		})
	}
}

func TestRetry501NotRetried(t *testing.T) {
	srv := statusThenOK(t, 1, 501, "")
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.GetWorkspace(context.Background(), 1)
	if !IsServerError(err) || srv.hits.Load() != 1 {
		t.Errorf("%d requests, %v", srv.hits.Load(), err)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	srv := statusThenOK(t, 1, 429, "1")
	c, log := newTestClient(t, srv.URL, nil)
	start := time.Now()
	if _, err := c.GetWorkspace(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	// The upper bound is loose: a loaded machine may be slow, and a wait of about 1s is the point.
	if d := time.Since(start); d < time.Second || d > 15*time.Second {
		t.Errorf("waited %s, want about 1s (Retry-After: 1)", d)
	}
	if !strings.Contains(log.all(), "wait:1s") {
		t.Errorf("retry log does not show the wait:\n%s", log.all())
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	// A date two seconds ahead (second resolution): the wait is between 1 and 2 s.
	srv := statusThenOK(t, 1, 429, time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
	c, _ := newTestClient(t, srv.URL, nil)
	start := time.Now()
	if _, err := c.GetWorkspace(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 15*time.Second {
		t.Errorf("waited %s, want 1-2s", d)
	}
	// A date an hour ahead is capped by RetryAfterMax.
	srv = statusThenOK(t, 1, 429, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	c, _ = newTestClient(t, srv.URL, func(cfg *Config) { cfg.RetryAfterMax = 50 * time.Millisecond })
	start = time.Now()
	if _, err := c.GetWorkspace(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 15*time.Second {
		t.Errorf("waited %s, want about 50ms (capped, not an hour)", d)
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv := statusThenOK(t, 100, 429, "0")
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.CreateBranch(context.Background(), 1, CreateBranchInput{Label: "dev"})
	var e *APIError
	if !IsRateLimited(err) || !errors.As(err, &e) || e.Attempts != 3 || srv.hits.Load() != 3 {
		t.Fatalf("hits %d: %v", srv.hits.Load(), err)
	}
	if !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("text does not count attempts: %v", err)
	}
	// Connection errors on a safe request, exhausted.
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) { cutConn(t, w, "") })
	c, _ = newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 1 })
	_, err = c.GetWorkspace(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts") || srv.hits.Load() != 2 || !errors.Is(err, io.EOF) {
		t.Errorf("hits %d: %v", srv.hits.Load(), err)
	}
}

func TestImport429ResendsBody(t *testing.T) {
	t.Run("refused after reading", func(t *testing.T) { testImport429(t, true) })
	// Refused before reading: thanks to Expect: 100-continue the first attempt never even
	// opens the archive.
	t.Run("refused before reading", func(t *testing.T) { testImport429(t, false) })
}

func testImport429(t *testing.T, readFirst bool) {
	data := make([]byte, 3<<20+17) // larger than any buffer involved
	for i := range data {
		data[i] = byte(i * 7)
	}
	want := sha256.Sum256(data)
	var mu sync.Mutex
	var sums [][32]byte
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		if srv.hits.Load() == 1 {
			if readFirst {
				_, _ = io.Copy(io.Discard, r.Body)
			}
			w.Header().Set("Retry-After", "0")
			envelope(w, 429, "ERROR_CODE_TOO_MANY_REQUESTS", "slow down")
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", err.Error())
			return
		}
		var fields []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "file" {
				h := sha256.New()
				if _, err := io.Copy(h, p); err != nil {
					t.Errorf("reading the uploaded archive: %v", err)
				}
				mu.Lock()
				sums = append(sums, [32]byte(h.Sum(nil)))
				mu.Unlock()
			} else {
				v, _ := io.ReadAll(p)
				fields = append(fields, p.FormName()+"="+string(v))
			}
		}
		if strings.Join(fields, "&") != "newbranch=next&setlive=false&password=" {
			envelope(w, 400, "ERROR_CODE_INPUT_ERROR", strings.Join(fields, "&"))
			return
		}
		writeJSON(w, 200, `{}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	src := &source{data: data}
	if err := c.ImportSchema(context.Background(), 1, ImportSchemaInput{File: src.archive("big.tar.gz"), NewBranch: "next"}); err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0] != want {
		t.Errorf("the retried upload does not carry the archive intact")
	}
	wantOpens := int64(2)
	if !readFirst {
		wantOpens = 1
	}
	if srv.hits.Load() != 2 || src.opens.Load() != wantOpens || src.closes.Load() != wantOpens {
		t.Errorf("hits %d opens %d closes %d", srv.hits.Load(), src.opens.Load(), src.closes.Load())
	}
}

func TestConnectionCutBeforeResponse(t *testing.T) {
	var srv *server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		_, _ = io.Copy(io.Discard, r.Body)
		if srv.hits.Load() == 1 {
			cutConn(t, w, "")
			return
		}
		if strings.Contains(path, "branch") {
			writeJSON(w, 200, `{"label":"dev"}`)
			return
		}
		_, _ = io.WriteString(w, "ARCHIVE")
	})
	c, _ := newTestClient(t, srv.URL, nil)
	var out strings.Builder
	n, err := c.Export(context.Background(), 1, ExportOptions{}, &out)
	if err != nil || out.String() != "ARCHIVE" || n != 7 || srv.hits.Load() != 2 {
		t.Errorf("export after a cut connection: %d %q %v (hits %d)", n, out.String(), err, srv.hits.Load())
	}
	srv.hits.Store(0)
	_, err = c.CreateBranch(context.Background(), 1, CreateBranchInput{Label: "dev"})
	if err == nil || srv.hits.Load() != 1 || !errors.Is(err, io.EOF) {
		t.Errorf("create branch after a cut connection: want one attempt and an EOF error, got %v (hits %d)", err, srv.hits.Load())
	}
}

func TestCutMidBody(t *testing.T) {
	full := strings.Repeat("0123456789", 1000)
	cuts := atomic.Int64{}
	newCutServer := func(times int64) *server {
		cuts.Store(0)
		return newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
			_, _ = io.Copy(io.Discard, r.Body)
			if cuts.Add(1) <= times {
				cutConn(t, w, partialResponse(len(full), full[:4000]))
				return
			}
			_, _ = io.WriteString(w, full)
		})
	}

	t.Run("resetter", func(t *testing.T) {
		srv := newCutServer(1)
		c, log := newTestClient(t, srv.URL, nil)
		var out resetBuffer
		out.WriteString("stale")
		n, err := c.Export(context.Background(), 1, ExportOptions{}, &out)
		if err != nil || out.String() != full || n != int64(len(full)) || out.resets != 1 || srv.hits.Load() != 2 {
			t.Errorf("n=%d resets=%d hits=%d err=%v len=%d", n, out.resets, srv.hits.Load(), err, out.Len())
		}
		if !strings.Contains(log.all(), "response body was cut") {
			t.Errorf("no retry log:\n%s", log.all())
		}
	})
	t.Run("resetter exhausted", func(t *testing.T) {
		srv := newCutServer(100)
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
		var out resetBuffer
		n, err := c.ExportSchema(context.Background(), 1, ExportOptions{}, &out)
		if !IsTruncated(err) || n != 4000 || out.resets != 2 || srv.hits.Load() != 3 || !strings.Contains(err.Error(), "after 3 attempts") {
			t.Errorf("n=%d resets=%d hits=%d err=%v", n, out.resets, srv.hits.Load(), err)
		}
	})
	t.Run("plain writer", func(t *testing.T) {
		srv := newCutServer(1)
		c, _ := newTestClient(t, srv.URL, nil)
		var out strings.Builder
		n, err := c.Export(context.Background(), 1, ExportOptions{}, &out)
		if !IsTruncated(err) || !errors.Is(err, io.ErrUnexpectedEOF) || n != 4000 || out.Len() != 4000 || srv.hits.Load() != 1 {
			t.Errorf("n=%d hits=%d err=%v", n, srv.hits.Load(), err)
		}
		if !strings.Contains(err.Error(), "cut") {
			t.Errorf("the error does not say the download was cut: %v", err)
		}
	})
	t.Run("json get restarts", func(t *testing.T) {
		body := `{"id":1,"name":"` + strings.Repeat("n", 100) + `"}`
		var hits atomic.Int64
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
			if hits.Add(1) == 1 {
				cutConn(t, w, partialResponse(len(body), body[:20]))
				return
			}
			writeJSON(w, 200, body)
		})
		c, _ := newTestClient(t, srv.URL, nil)
		if ws, err := c.GetWorkspace(context.Background(), 1); err != nil || ws.ID != 1 || hits.Load() != 2 {
			t.Errorf("%+v %v hits %d", ws, err, hits.Load())
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestExportWriteError(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) { _, _ = io.WriteString(w, "ARCHIVE") })
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Export(context.Background(), 1, ExportOptions{}, failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "writing the archive: disk full") || IsTruncated(err) || srv.hits.Load() != 1 {
		t.Errorf("%v (hits %d)", err, srv.hits.Load())
	}
}

func TestContextCancellation(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		if strings.HasSuffix(path, "/1") {
			select { // hang before answering
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		if strings.HasSuffix(path, "/2") { // rate limited for a long time
			w.Header().Set("Retry-After", "30")
			envelope(w, 429, "ERROR_CODE_TOO_MANY_REQUESTS", "slow down")
			return
		}
		// export: headers and a little body, then hang
		_, _ = w.Write([]byte("AR"))
		flush(t, w)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, srv.URL, nil)

	check := func(name string, f func(ctx context.Context) error) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := f(ctx)
		if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
			t.Errorf("%s: %v after %s", name, err, time.Since(start))
		}
	}
	check("waiting for headers", func(ctx context.Context) error { _, err := c.GetWorkspace(ctx, 1); return err })
	check("backoff", func(ctx context.Context) error { _, err := c.GetWorkspace(ctx, 2); return err })
	check("export body", func(ctx context.Context) error {
		var out resetBuffer
		_, err := c.Export(ctx, 3, ExportOptions{}, &out)
		if out.resets != 0 {
			t.Errorf("a cancelled export was reset/retried")
		}
		return err
	})
	src := &source{data: make([]byte, 1<<20)}
	check("import", func(ctx context.Context) error {
		return c.ImportSchema(ctx, 1, ImportSchemaInput{File: src.archive("a"), NewBranch: "n"})
	})
	if src.opens.Load() != src.closes.Load() {
		t.Errorf("archives opened %d closed %d", src.opens.Load(), src.closes.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Me(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("already cancelled: %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		wait := func() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		switch {
		case strings.HasSuffix(path, "/1"): // slow headers
			wait()
		case strings.HasSuffix(path, "/2/export"): // stalled body
			_, _ = w.Write([]byte("AR"))
			flush(t, w)
			wait()
		default: // slow but within the timeout, body sent after a pause
			_, _ = w.Write([]byte("AR"))
			flush(t, w)
			time.Sleep(150 * time.Millisecond)
			_, _ = w.Write([]byte("CHIVE"))
		}
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 300 * time.Millisecond })

	_, err := c.GetWorkspace(context.Background(), 1)
	if !IsTimeout(err) || srv.hits.Load() != 1 || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("slow headers: %v (hits %d)", err, srv.hits.Load())
	}
	srv.hits.Store(0)
	var out resetBuffer
	_, err = c.Export(context.Background(), 2, ExportOptions{}, &out)
	if !IsTimeout(err) || IsTruncated(err) || srv.hits.Load() != 1 || out.resets != 0 {
		t.Errorf("stalled body: %v (hits %d)", err, srv.hits.Load())
	}
	out = resetBuffer{}
	n, err := c.Export(context.Background(), 3, ExportOptions{}, &out)
	if err != nil || out.String() != "ARCHIVE" || n != 7 {
		t.Errorf("body read after headers within the timeout: %v %q", err, out.String())
	}
}

// TestPlanRestricted: Xano refuses what the instance's plan does not include with a 500
// "Access Denied." (and/or ERROR_CODE_ACCESS_DENIED). It is permanent: not retried, even on a
// safe request, and reported as such.
func TestPlanRestricted(t *testing.T) {
	for _, body := range []string{
		`{"code":"ERROR_CODE_ACCESS_DENIED","message":"Access Denied."}`,
		`{"code":"ERROR_FATAL","message":"Access Denied."}`,
		`{"message":"access denied"}`,
		`{"code":"ERROR_CODE_ACCESS_DENIED","message":"Upgrade required."}`,
	} {
		t.Run(body, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
				_, _ = io.Copy(io.Discard, r.Body)
				writeJSON(w, 500, body)
			})
			c, _ := newTestClient(t, srv.URL, nil)
			for name, op := range operations(c, &source{data: []byte("archive")}) {
				srv.hits.Store(0)
				err := op(context.Background())
				var e *APIError
				if !IsPlanRestricted(err) || IsAccessDenied(err) || !errors.As(err, &e) || e.Attempts != 1 {
					t.Errorf("%s: want a plan refusal after one attempt, got %v", name, err)
					continue
				}
				if srv.hits.Load() != 1 {
					t.Errorf("%s: %d requests, want 1 (a plan refusal is permanent)", name, srv.hits.Load())
				}
				if !strings.Contains(e.Message, "needs a paid Xano plan") || !strings.Contains(err.Error(), "needs a paid Xano plan") {
					t.Errorf("%s: the error does not say a paid plan is needed: %v", name, err)
				}
			}
		})
	}
	if !IsPlanRestricted(&APIError{StatusCode: 500, Message: "Access Denied."}) ||
		IsPlanRestricted(&APIError{StatusCode: 403, Code: "ERROR_CODE_ACCESS_DENIED", Message: "Access Denied."}) ||
		IsPlanRestricted(&APIError{StatusCode: 500, Message: "boom"}) || IsPlanRestricted(errors.New("Access Denied.")) {
		t.Error("IsPlanRestricted on constructed errors")
	}
}

// TestRetry5xxBodyPeekedAndRestored: recognising the plan refusal reads the start of a 5xx
// body; the answer a retry gives up on still carries its whole message.
func TestRetry5xxBodyPeekedAndRestored(t *testing.T) {
	long := strings.Repeat("0123456789", 1000) // beyond what is peeked
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		writeJSON(w, 500, `{"code":"ERROR_FATAL","message":"`+long+`"}`)
	})
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.GetWorkspace(context.Background(), 1)
	var e *APIError
	if !errors.As(err, &e) || e.Message != long || e.Code != "ERROR_FATAL" || e.Attempts != 3 || srv.hits.Load() != 3 || IsPlanRestricted(err) {
		t.Errorf("hits %d: %.200v", srv.hits.Load(), err)
	}
	// A 403 "Access Denied." is the token's, not the plan's.
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
		envelope(w, 403, "ERROR_CODE_ACCESS_DENIED", "Access Denied.")
	})
	c, _ = newTestClient(t, srv.URL, nil)
	if _, err := c.GetWorkspace(context.Background(), 1); !IsAccessDenied(err) || IsPlanRestricted(err) || strings.Contains(err.Error(), "plan") {
		t.Errorf("403: %v", err)
	}
}

// TestNegativeMaxRetries: 0 means the default (4), so the provider passes a negative value
// for an explicit "no retries": exactly one attempt, whatever the failure.
func TestNegativeMaxRetries(t *testing.T) {
	for _, n := range []int{-1, -5} {
		for _, status := range []int{429, 503} {
			srv := statusThenOK(t, 100, status, "0")
			c, log := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = n })
			_, err := c.GetWorkspace(context.Background(), 1)
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != status || e.Attempts != 1 || srv.hits.Load() != 1 {
				t.Errorf("MaxRetries %d, %d: %v (hits %d)", n, status, err, srv.hits.Load())
			}
			if log.count("retrying") != 0 {
				t.Errorf("MaxRetries %d: retry logged:\n%s", n, log.all())
			}
		}
		// A cut connection, and a body cut mid-export into a Resetter.
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, path string) {
			if strings.HasSuffix(path, "/export") {
				cutConn(t, w, partialResponse(100, "ARCH"))
				return
			}
			cutConn(t, w, "")
		})
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = n })
		if _, err := c.Me(context.Background()); err == nil || srv.hits.Load() != 1 {
			t.Errorf("MaxRetries %d, cut connection: %v (hits %d)", n, err, srv.hits.Load())
		}
		srv.hits.Store(0)
		out := &resetBuffer{}
		if _, err := c.Export(context.Background(), 1, ExportOptions{}, out); !IsTruncated(err) || srv.hits.Load() != 1 || out.resets != 0 {
			t.Errorf("MaxRetries %d, cut export: %v (hits %d, resets %d)", n, err, srv.hits.Load(), out.resets)
		}
	}
}
