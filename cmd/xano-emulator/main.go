// Command xano-emulator runs a local Xano Metadata API emulator (workspaces, branches, export
// and import) for tests, demos and CI.
//
//	xano-emulator [-addr 127.0.0.1:8787] [-token TOKEN] [-state-dir DIR] [-seed demo|""] [-fixture FILE]
//	              [-control] [-control-allow-remote] [-double-gzip] [-omit-live-on-non-live]
//	              [-max-upload-bytes N] [-version]
//
// -fixture seeds the emulator from a JSON file holding an emulator.Fixture (the body that
// POST /_emulator/seed takes), instead of -seed, when there is no saved state.
//
// The control API (-control) is unauthenticated: it is refused on an -addr that is not loopback
// unless -control-allow-remote is given.
//
// On start it prints the instance URL and the token; it stops cleanly on SIGINT or SIGTERM.
//
//	xano-emulator conformance -instance URL -workspace N [-token T] [-against URL] [-against-workspace N]
//
// calls the read-only routes the provider uses on a real Xano instance (token from -token or
// XANO_TOKEN) and on an emulator (one started in-process with the demo seed, or -against), and
// prints the differences of their answers' shapes as a Markdown table to paste into an issue:
// status codes, content types, error codes, JSON members and value types, never a token, a host or
// a value. The exit status is 1 when they differ.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// version is set by goreleaser at build time (-X main.version=...).
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "xano-emulator:", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	addr    string
	opts    emulator.Options
	version bool
}

// readFixture reads a seed fixture file; unknown fields are refused, so that a typo is not
// silently an empty workspace.
func readFixture(name string) (*emulator.Fixture, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("-fixture: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var fx emulator.Fixture
	if err := dec.Decode(&fx); err != nil {
		return nil, fmt.Errorf("-fixture %s is not a fixture (the JSON body of POST /_emulator/seed): %w", name, err)
	}
	return &fx, nil
}

// parseFlags reads the command line and checks what can be checked before starting.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("xano-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8787", "listen address (port 0 picks a free port)")
	fs.StringVar(&c.opts.AdminToken, "token", emulator.DevToken, "admin bearer token")
	fs.StringVar(&c.opts.StateDir, "state-dir", "", "persist the state in this directory (empty: memory only)")
	fs.StringVar(&c.opts.Seed, "seed", "demo", `initial content when there is no saved state: "demo" or "" (empty instance)`)
	fs.BoolVar(&c.opts.Control, "control", false, "enable the control API under /_emulator/ (faults, request log, reset, seed)")
	allowRemote := fs.Bool("control-allow-remote", false,
		"allow -control on an -addr that is not loopback (the control API is unauthenticated)")
	fs.BoolVar(&c.opts.DoubleGzip, "double-gzip", false, "gzip exports twice, as Xano sometimes does")
	fs.BoolVar(&c.opts.OmitLiveOnNonLive, "omit-live-on-non-live", false,
		`leave "live" out of the branch list's rows that are not live, as Xano does`)
	fs.Int64Var(&c.opts.MaxUploadBytes, "max-upload-bytes", emulator.DefaultMaxUploadBytes,
		"largest import request body, in bytes (413 beyond)")
	fs.Int64Var(&c.opts.ExportBytesPerSecond, "export-bytes-per-second", 0,
		"send exports no faster than this many bytes per second (0: as fast as the connection)")
	fixture := fs.String("fixture", "", "seed from this JSON file (a fixture, as POST /_emulator/seed takes) instead of -seed")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: xano-emulator [flags]")
		fmt.Fprintln(stderr, "       xano-emulator conformance -instance URL -workspace N   (compare a real instance; -h for more)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *fixture != "" {
		fx, err := readFixture(*fixture)
		if err != nil {
			return nil, err
		}
		c.opts.Fixture = fx
	}
	c.opts.ControlAnyHost = *allowRemote
	if c.opts.Control && !*allowRemote && !isLoopback(c.addr) {
		return nil, fmt.Errorf("-control on %q: the control API is unauthenticated and this address is "+
			"not loopback; listen on 127.0.0.1 or [::1], or add -control-allow-remote", c.addr)
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "conformance" {
		return runConformance(args[1:], stdout, stderr)
	}
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if c.version {
		fmt.Fprintf(stdout, "xano-emulator %s\n", version)
		return nil
	}
	srv, err := emulator.New(c.opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		srv.Close()
		return err
	}
	// Signals are handled from here on: once the URL is printed, SIGINT/SIGTERM stop cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "xano-emulator listening on %s\n", url)
	fmt.Fprintf(stdout, "instance_url: %s\n", url)
	fmt.Fprintf(stdout, "meta_api: %s/api:meta\n", url)
	fmt.Fprintf(stdout, "token: %s\n", srv.AdminToken()) // DevToken when -token is empty
	if c.opts.Control {
		fmt.Fprintf(stdout, "control: %s/_emulator/\n", url)
	}
	if c.opts.StateDir != "" {
		fmt.Fprintf(stdout, "state_dir: %s\n", c.opts.StateDir)
	}

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(stderr, "xano-emulator: ", log.LstdFlags),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "xano-emulator: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	serr := hs.Shutdown(sctx)
	if errors.Is(serr, context.DeadlineExceeded) {
		hs.Close()
		serr = nil
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		serr = errors.Join(serr, err)
	}
	return errors.Join(serr, srv.Close())
}

// isLoopback reports whether a listen address only accepts connections from this machine:
// host "localhost" or a loopback IP. An empty host (":8787") listens on every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
