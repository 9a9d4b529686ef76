// Package storetest runs an object store of the tests (MinIO, fake-gcs-server, Azurite) as a
// process on loopback: what their harnesses (miniotest, gcstest, azuritetest) share. Each
// harness keeps what is its store's own: the command line, the credentials, the clients.
package storetest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary returns the store's program named by the environment variable env. When env is unset
// it skips t, saying unset, or fails it under CI (CI=true) when required says every store must be
// proven there; a path that does not exist fails t, naming makeTarget.
func Binary(t testing.TB, env, unset, makeTarget string, required bool) string {
	t.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		if required && os.Getenv("CI") == "true" {
			t.Fatal(unset + " (CI=true: a store that is not tested is a failure)")
		}
		t.Skip(unset)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s: %v (run `make %s`)", env, err, makeTarget)
	}
	return bin
}

// FreePort is a TCP port free on loopback now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}

// Retry calls start up to three times (a port taken between FreePort and the server's own
// listen is the usual failure) and returns its first success, or its last error.
func Retry[T any](start func() (T, error)) (T, error) {
	var v T
	var err error
	for range 3 {
		if v, err = start(); err == nil {
			return v, nil
		}
	}
	return v, err
}

// Proc is a running store process.
type Proc struct {
	cmd      *exec.Cmd
	done     chan struct{}
	log      *os.File
	stopOnce sync.Once
}

// Ready says whether an HTTP status answers the readiness probe.
type Ready func(status int) bool

// StatusOK is ready on 200 only.
func StatusOK(status int) bool { return status == http.StatusOK }

// AnyAnswer is ready on any answer (a refused anonymous request is an answer).
func AnyAnswer(int) bool { return true }

// Start starts cmd with its output in logPath, dying with the test process even if TestMain
// never stops it, and waits up to limit for probeURL to answer as ready says. name and addr
// name the server in the error, which ends with the end of its output.
func Start(cmd *exec.Cmd, logPath, name, addr, probeURL string, ready Ready, limit time.Duration) (*Proc, error) {
	return StartProbed(cmd, logPath, name, addr, probeURL, ready, limit, &http.Client{Timeout: 2 * time.Second})
}

// StartProbed is Start with the client of the readiness probe (one that trusts the server's
// certificate, for a server on https).
func StartProbed(cmd *exec.Cmd, logPath, name, addr, probeURL string, ready Ready, limit time.Duration, probe *http.Client) (*Proc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, cmd.Path, err)
	}
	p := &Proc{cmd: cmd, done: make(chan struct{}), log: log}
	go func() { _ = cmd.Wait(); close(p.done) }()
	if err := p.waitReady(probe, probeURL, ready, limit); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s on %s did not become ready: %w\n%s", name, addr, err, tail(p.Log(), 2000))
	}
	return p, nil
}

func (p *Proc) waitReady(client *http.Client, url string, ready Ready, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.done:
			return errors.New("the process exited")
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if ready(resp.StatusCode) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to %s within %s (last error: %v)", url, limit, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the process (SIGTERM, then SIGKILL after 15 s) and closes its log.
func (p *Proc) Stop() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		_ = p.log.Close()
	})
}

// Log is what the process printed so far (for a failing test's message).
func (p *Proc) Log() string {
	b, _ := os.ReadFile(p.log.Name())
	return string(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Fleet is the servers of one store that a test process started: one shared by its tests
// (Shared) and private ones for tests that stop theirs (Private); StopAll stops them all. The
// zero value is ready. Starts are serialized.
type Fleet[S interface{ Stop() }] struct {
	mu      sync.Mutex
	servers []S
	shared  S
	started bool
}

// Shared returns the fleet's shared server, started by start on first use; a failed start
// fails t.
func (f *Fleet[S]) Shared(t testing.TB, start func() (S, error)) S {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started {
		s, err := start()
		if err != nil {
			t.Fatal(err)
		}
		f.servers = append(f.servers, s)
		f.shared, f.started = s, true
	}
	return f.shared
}

// Private starts a server for t alone with start, stopped when t ends; a failed start fails t.
func (f *Fleet[S]) Private(t testing.TB, start func() (S, error)) S {
	t.Helper()
	f.mu.Lock()
	s, err := start()
	if err == nil {
		f.servers = append(f.servers, s)
	}
	f.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StopAll stops every server of the fleet; a later Shared starts a new one.
func (f *Fleet[S]) StopAll() {
	f.mu.Lock()
	servers := f.servers
	var none S
	f.servers, f.shared, f.started = nil, none, false
	f.mu.Unlock()
	for _, s := range servers {
		s.Stop()
	}
}
