package provider

import (
	"bufio"
	"crypto/md5" //nolint:gosec // for composition with stores that speak MD5, never to identify content
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/inflate"
	"github.com/xano-community/terraform-provider-xano/internal/writeback"
)

// fileDigest is what state records about an archive file: the hashes of its exact bytes, which
// match Terraform's filesha256(), filebase64sha256(), filemd5() and filebase64md5(), and its size.
// The MD5 is there for composition (an object store's Content-MD5 or ETag, aws_s3_object's
// source_hash, google_storage_bucket_object's md5hash), never to identify content.
type fileDigest struct {
	SHA256       string
	Base64SHA256 string
	MD5          string
	Base64MD5    string
	Size         int64
}

// digester hashes bytes as they stream past: SHA-256 and MD5 in the same pass.
type digester struct {
	h hash.Hash
	m hash.Hash
	n int64
}

func newDigester() *digester { return &digester{h: sha256.New(), m: md5.New()} }

// newChecksumDigester hashes with SHA-256 alone, for the checks of a source archive against
// source_sha256, which record nothing: MD5 would double the time of that pass (SHA-256 runs on
// the CPU's SHA instructions, MD5 has none). Its digest has no MD5.
func newChecksumDigester() *digester { return &digester{h: sha256.New()} }

func (d *digester) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	if d.m != nil {
		_, _ = d.m.Write(p)
	}
	return d.h.Write(p)
}

func (d *digester) digest() fileDigest {
	sum := d.h.Sum(nil)
	out := fileDigest{
		SHA256:       hex.EncodeToString(sum),
		Base64SHA256: base64.StdEncoding.EncodeToString(sum),
		Size:         d.n,
	}
	if d.m != nil {
		m := d.m.Sum(nil)
		out.MD5, out.Base64MD5 = hex.EncodeToString(m), base64.StdEncoding.EncodeToString(m)
	}
	return out
}

// digestFile hashes a file by streaming it; it never holds the file in memory.
func digestFile(path string) (fileDigest, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileDigest{}, err
	}
	defer f.Close()
	d := newDigester()
	if _, err := io.Copy(d, f); err != nil {
		return fileDigest{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return d.digest(), nil
}

// inspectFile reads an archive file once for its canonical content (see package archive), within
// the archive package's default limits. An inspection stopped by a limit is reported in
// Info.Incomplete, with a nil error.
func inspectFile(path string) (archive.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return archive.Info{}, err
	}
	defer f.Close()
	return archive.Inspect(f, archive.Limits{})
}

// atomicFile writes an archive next to its destination and only replaces the destination when
// Commit succeeds: a failed or interrupted download never leaves a partial file nor replaces a
// good one. While bytes are written it hashes them and inspects the archive's content, so a
// large export is read exactly once.
//
// The temporary file is created with mode 0600 (os.CreateTemp) and, when another mode is asked,
// set to it with fchmod before its first byte, so the data is never more open than asked and the
// umask plays no part; the rename keeps that mode.
type atomicFile struct {
	dst     string
	tmp     *os.File
	dig     *digester
	inspect inspectFunc
	insp    *streamInspector
	// written is how many bytes the file holds; flushed how many of them were handed to the
	// kernel's writeback (package writeback), so that the download is written to disk while it
	// arrives and Commit's fsync does not wait for all of it at the end.
	written, flushed int64
}

// createAtomic starts writing dst with file mode perm. The folder must exist and be writable.
func createAtomic(dst string, perm os.FileMode, inspect inspectFunc) (*atomicFile, error) {
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("cannot write into %s: %w", dir, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("cannot set mode %04o on a file in %s: %w", perm, dir, err)
	}
	return &atomicFile{dst: dst, tmp: tmp, dig: newDigester(), inspect: inspect, insp: startInspector(inspect)}, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.tmp.Write(p)
	if err != nil {
		return n, err
	}
	a.written += int64(n)
	writeback.Advance(a.tmp, &a.flushed, a.written)
	_, _ = a.dig.Write(p[:n])
	a.insp.feed(p[:n])
	return n, nil
}

// Reset starts over, for a retried download (it implements xano.Resetter).
func (a *atomicFile) Reset() error {
	if err := a.tmp.Truncate(0); err != nil {
		return err
	}
	if _, err := a.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	a.dig = newDigester()
	a.written, a.flushed = 0, 0
	a.insp.abort()
	a.insp = startInspector(a.inspect)
	return nil
}

// Commit flushes the file to disk, renames it over dst and returns its digest and content. An
// archive whose inspection stopped at a limit is still committed, once its outer gzip layer is
// checked whole (its checksum and length): the returned Info then has no hash nor objects, and incomplete says
// which limit stopped the inspection.
func (a *atomicFile) Commit() (fileDigest, archive.Info, *archive.LimitError, error) {
	info, incomplete, inspErr := inspectionOutcome(a.insp.finish())
	if inspErr == nil && incomplete != nil {
		// archive.Inspect verifies the outer gzip layer of what it did not inspect; checked again
		// here, so that no limit can let a damaged download replace a good file.
		inspErr = verifyGzipFile(a.tmp.Name())
	}
	if inspErr != nil {
		a.Abort()
		return fileDigest{}, archive.Info{}, nil, fmt.Errorf("the export is not a readable Xano archive: %w", inspErr)
	}
	if err := a.tmp.Sync(); err != nil {
		a.Abort()
		return fileDigest{}, archive.Info{}, nil, fmt.Errorf("flushing %s: %w", a.tmp.Name(), err)
	}
	if err := a.tmp.Close(); err != nil {
		a.Abort()
		return fileDigest{}, archive.Info{}, nil, err
	}
	if err := os.Rename(a.tmp.Name(), a.dst); err != nil {
		a.Abort()
		return fileDigest{}, archive.Info{}, nil, fmt.Errorf("replacing %s: %w", a.dst, err)
	}
	syncDir(filepath.Dir(a.dst))
	return a.dig.digest(), info, incomplete, nil
}

// inspectionOutcome sorts an inspection's result (archive.Info, the one shape of every
// inspection): an encrypted archive is a success (Info says Encrypted), an inspection stopped by
// a limit is an incomplete success (the limit is returned apart as well, and Info has no hash
// nor objects), anything else that failed is an error.
func inspectionOutcome(info archive.Info, err error) (archive.Info, *archive.LimitError, error) {
	switch {
	case err == nil:
		return info, info.Incomplete, nil
	case errors.Is(err, archive.ErrEncrypted):
		return archive.Info{Encrypted: true, Branch: info.Branch}, nil, nil
	default:
		return archive.Info{}, nil, err
	}
}

// verifyGzipFile reads the outer gzip layer of a file to its end, so that a download the content
// inspection gave up on is still refused when it is truncated or corrupt (a bad checksum or
// length, a missing end). It holds nothing in memory.
func verifyGzipFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := inflate.NewGzip(bufio.NewReaderSize(f, 1<<20), false)
	if err != nil {
		return fmt.Errorf("%w: %s", archive.ErrNotArchive, err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return fmt.Errorf("%w: the gzip stream is damaged or truncated: %s", archive.ErrNotArchive, err)
	}
	return zr.Close()
}

// Abort removes the temporary file; dst is left as it was.
func (a *atomicFile) Abort() {
	a.insp.abort()
	_ = a.tmp.Close()
	_ = os.Remove(a.tmp.Name())
}

// syncDir makes a rename durable; failures are ignored (not every filesystem supports it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// inspectFunc reads a whole archive and reports what it holds.
type inspectFunc func(io.Reader) (archive.Info, error)

// archiveInspector is the inspection of every archive written or hashed, its canonical content,
// within lim (the provider's archive_inspection settings).
func archiveInspector(lim archive.Limits) inspectFunc {
	return func(r io.Reader) (archive.Info, error) { return archive.Inspect(r, lim) }
}

// streamInspector runs an inspectFunc on a copy of the bytes being written, in a goroutine.
type streamInspector struct {
	pw   *io.PipeWriter
	done chan struct{}
	info archive.Info
	err  error
	dead bool // the inspector stopped reading (it finished early or failed)
}

func startInspector(inspect inspectFunc) *streamInspector {
	pr, pw := io.Pipe()
	s := &streamInspector{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.info, s.err = inspect(pr)
		// Whatever inspect left unread (padding after the tar) is drained so writers never block.
		_, _ = io.Copy(io.Discard, pr)
	}()
	return s
}

func (s *streamInspector) feed(p []byte) {
	if s.dead {
		return
	}
	if _, err := s.pw.Write(p); err != nil {
		s.dead = true
	}
}

func (s *streamInspector) finish() (archive.Info, error) {
	_ = s.pw.Close()
	<-s.done
	if s.err == nil && s.info.Encrypted {
		return s.info, nil
	}
	return s.info, s.err
}

func (s *streamInspector) abort() {
	_ = s.pw.CloseWithError(errors.New("download restarted"))
	<-s.done
}
