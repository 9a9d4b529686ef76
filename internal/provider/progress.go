package provider

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// progressInterval is how often a long transfer reports its progress at INFO.
const progressInterval = 5 * time.Second

// progress wraps a transfer and logs the bytes moved and the rate through tflog at INFO, so that
// TF_LOG=INFO shows a large export or import moving.
type progress struct {
	ctx    context.Context
	what   string // "export of workspace 1", ...
	start  time.Time
	last   time.Time
	n      int64
	fields map[string]any
}

func newProgress(ctx context.Context, what string, fields map[string]any) *progress {
	now := time.Now()
	return &progress{ctx: ctx, what: what, start: now, last: now, fields: fields}
}

func (p *progress) add(n int) {
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= progressInterval {
		p.last = now
		p.log("in progress")
	}
}

// done logs the final figures.
func (p *progress) done() { p.log("done") }

func (p *progress) log(state string) {
	elapsed := time.Since(p.start)
	fields := map[string]any{
		"bytes":           p.n,
		"elapsed_seconds": elapsed.Round(time.Millisecond).Seconds(),
	}
	if s := elapsed.Seconds(); s > 0 {
		fields["mib_per_second"] = float64(p.n) / (1 << 20) / s
	}
	for k, v := range p.fields {
		fields[k] = v
	}
	tflog.Info(p.ctx, p.what+" "+state, fields)
}

// writer counts bytes written through it.
func (p *progress) writer(w io.Writer) io.Writer { return &progressWriter{w: w, p: p} }

// reader counts bytes read through it.
func (p *progress) reader(r io.ReadCloser) io.ReadCloser { return &progressReader{r: r, p: p} }

type progressWriter struct {
	w io.Writer
	p *progress
}

func (w *progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.p.add(n)
	return n, err
}

// Reset forwards a retried download's restart to the destination (xano.Resetter).
func (w *progressWriter) Reset() error {
	if r, ok := w.w.(interface{ Reset() error }); ok {
		w.p.n = 0
		return r.Reset()
	}
	return errors.New("the download cannot be restarted")
}

type progressReader struct {
	r io.ReadCloser
	p *progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.add(n)
	return n, err
}

func (r *progressReader) Close() error { return r.r.Close() }
