package provider

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// inspectingUpload is the upload of a source archive whose content is inspected on its way out:
// every attempt's bytes are fed to an inspection of their own, so that uploading and inspecting
// (inflate, canonical JSON, hash) run side by side on two cores and the file is read once for
// both, rather than inspected first and uploaded after. The file's sha256 is checked before
// the upload starts (checkSourceArchive), as before.
//
// When the inspection cache holds the archive the check found (the plan inspected it), the
// attempts are only hashed on their way out, and an attempt whose bytes hash to that SHA-256
// takes the cache's inspection: the same archive, so the same content, without inflating it once
// more. Bytes that hash otherwise (the file changed during the upload) leave the content unknown.
type inspectingUpload struct {
	src     importSource
	lim     archive.Limits
	inspect inspectFunc

	mu     sync.Mutex
	latest *inspectedAttempt // the attempt opened last
}

// inspectedAttempt is one attempt's file reader, teeing what the client reads into an inspection.
type inspectedAttempt struct {
	io.ReadCloser
	insp *streamInspector
	eof  atomic.Bool // the client read the file to its end (every byte was fed)
}

func (a *inspectedAttempt) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	a.insp.feed(p[:n])
	if err == io.EOF {
		a.eof.Store(true)
	}
	return n, err
}

// newInspectingUpload inspects the upload of src, whose SHA-256 was checked to be sum.
func newInspectingUpload(ctx context.Context, src importSource, lim archive.Limits, sum string) *inspectingUpload {
	inspect := archiveInspector(lim)
	if info, ok := defaultInspectionCache().get(ctx, sum, lim); ok {
		inspect = hashedAs(sum, info)
	}
	return &inspectingUpload{src: src, lim: lim, inspect: inspect}
}

// hashedAs is an inspection that only hashes the bytes: info when they hash to sum.
func hashedAs(sum string, info archive.Info) inspectFunc {
	return func(r io.Reader) (archive.Info, error) {
		d := newChecksumDigester()
		if _, err := io.Copy(d, r); err != nil {
			return archive.Info{}, err
		}
		if got := d.digest().SHA256; got != sum {
			return archive.Info{}, fmt.Errorf("the archive changed while it was uploaded: its bytes hash to %s, not %s", got, sum)
		}
		return info, nil
	}
}

// source is sourceArchive, each attempt inspected.
func (u *inspectingUpload) source(ctx context.Context, what string, fields map[string]any) xano.ArchiveSource {
	src := sourceArchive(ctx, u.src, what, fields)
	open := src.Open
	src.Open = func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		a := &inspectedAttempt{ReadCloser: rc, insp: startInspector(u.inspect)}
		u.mu.Lock()
		prev := u.latest
		u.latest = a
		u.mu.Unlock()
		if prev != nil {
			prev.insp.abort() // an earlier attempt, cut short: its inspection is of no use
		}
		return a, nil
	}
	return src
}

// inspected returns what the archive holds, once the upload succeeded: the inspection of the
// last attempt when it read the whole file, else (an attempt that ended early, which a complete
// upload should not have) an inspection of the file itself. An archive that cannot be inspected
// is reported as inspectSourceArchive does; the import happened, so nothing here is an error.
func (u *inspectingUpload) inspected(ctx context.Context) (archive.Info, diag.Diagnostics) {
	a := u.take()
	var info archive.Info
	var err error
	if a != nil && a.eof.Load() {
		info, err = a.insp.finish()
	} else {
		if a != nil {
			a.insp.abort()
		}
		tflog.Debug(ctx, "The upload did not read the source archive to its end; inspecting it", map[string]any{"source": u.src.String()})
		info, err = inspectSource(ctx, u.src, u.lim)
	}
	info, incomplete, err := inspectionOutcome(info, err)
	switch {
	case incomplete != nil:
		return archive.Info{}, uninspectedSource(ctx, u.src, incomplete, "was imported")
	case err != nil:
		return archive.Info{}, uninspectedSource(ctx, u.src, err, "was imported")
	}
	return info, nil
}

// take hands over the latest attempt, if any: from then on nothing else finishes or aborts it.
func (u *inspectingUpload) take() *inspectedAttempt {
	u.mu.Lock()
	defer u.mu.Unlock()
	a := u.latest
	u.latest = nil
	return a
}

// close stops an inspection still running (an upload that failed).
func (u *inspectingUpload) close() {
	if a := u.take(); a != nil {
		a.insp.abort()
	}
}

// inspectSource reads the source once more, for its content only.
func inspectSource(ctx context.Context, src importSource, lim archive.Limits) (archive.Info, error) {
	r, err := src.open(ctx)
	if err != nil {
		return archive.Info{}, err
	}
	defer r.Close()
	return archive.Inspect(r, lim)
}
