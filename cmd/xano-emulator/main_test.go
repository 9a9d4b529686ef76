package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunServesAndStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-token", "tok", "-state-dir", dir, "-control"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url, token string
	var lines []string
	for sc.Scan() && (url == "" || token == "") {
		line := sc.Text()
		lines = append(lines, line)
		if v, ok := strings.CutPrefix(line, "instance_url: "); ok {
			url = v
		}
		if v, ok := strings.CutPrefix(line, "token: "); ok {
			token = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // drain the rest of the output
	if !strings.HasPrefix(lines[0], "xano-emulator listening on http://127.0.0.1:") || url == "" || token != "tok" {
		t.Fatalf("start-up lines %q", lines)
	}
	if strings.HasSuffix(url, ":0") {
		t.Fatalf("the printed URL %q has port 0", url)
	}
	req, _ := http.NewRequest("GET", url+"/api:meta/workspace", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"staging"`) {
		t.Fatalf("GET /workspace: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Post(url+"/_emulator/reset", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("control API: %v %v", err, resp)
	}
	resp.Body.Close()

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no clean exit on SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Fatalf("state not persisted: %v", err)
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	if err := run([]string{"-seed", "bogus", "-addr", "127.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown seed accepted")
	}
	if err := run([]string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Fatal("extra argument accepted")
	}
}

func TestRunRefusesRemoteControl(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		err := run([]string{"-addr", addr, "-control"}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-control-allow-remote") {
			t.Fatalf("-control on %s: %v", addr, err)
		}
	}
	// With -control-allow-remote the address passes (the bogus seed stops the run before it
	// listens anywhere).
	err := run([]string{"-addr", "0.0.0.0:0", "-control", "-control-allow-remote", "-seed", "bogus"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unknown seed") {
		t.Fatalf("-control-allow-remote: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8787": true, "127.1.2.3:0": true, "[::1]:0": true, "localhost:0": true, "LOCALHOST:1": true,
		"0.0.0.0:0": false, ":8787": false, "[::]:0": false, "10.0.0.1:0": false, "example.com:0": false, "junk": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v", addr, got)
		}
	}
}

func TestParseFlagsToggles(t *testing.T) {
	c, err := parseFlags([]string{"-double-gzip", "-omit-live-on-non-live", "-max-upload-bytes", "1024"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.opts.DoubleGzip || !c.opts.OmitLiveOnNonLive || c.opts.MaxUploadBytes != 1024 {
		t.Fatalf("options %+v", c.opts)
	}
	c, err = parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.DoubleGzip || c.opts.OmitLiveOnNonLive || c.opts.MaxUploadBytes != 8<<30 || c.addr != "127.0.0.1:8787" {
		t.Fatalf("defaults %+v %q", c.opts, c.addr)
	}
	if err := run([]string{"-max-upload-bytes", "-1", "-addr", "127.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Fatal("a negative -max-upload-bytes was accepted")
	}
}

// startRun runs the command until it has printed its token and returns the printed lines by
// prefix, with a function that stops it with SIGTERM and checks that it exits cleanly.
func startRun(t *testing.T, args ...string) (lines map[string]string, stop func()) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	lines = map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			lines[k] = v
			if k == "token" {
				break
			}
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return lines, func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no clean exit on SIGTERM")
		}
	}
}

// startupLines runs the command until it has printed its token, then stops it with SIGTERM and
// returns the printed lines by prefix.
func startupLines(t *testing.T, args ...string) map[string]string {
	t.Helper()
	lines, stop := startRun(t, args...)
	stop()
	return lines
}

// The printed token is the one the server accepts: -token "" falls back to the dev token.
func TestRunPrintsTheTokenInUse(t *testing.T) {
	if got := startupLines(t, "-token", "")["token"]; got != "xano-emulator-dev-token" {
		t.Fatalf(`-token "": printed %q`, got)
	}
	if got := startupLines(t, "-token", "t0k")["token"]; got != "t0k" {
		t.Fatalf("-token t0k: printed %q", got)
	}
	for _, tok := range []string{"a b", " lead", "tab\there", "new\nline", "nul\x00", "bell\x07", "nbsp\u00a0"} {
		err := run([]string{"-addr", "127.0.0.1:0", "-token", tok}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "whitespace or a control character") {
			t.Fatalf("-token %q: %v", tok, err)
		}
	}
}

func TestRunPrintsItsVersion(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"-version"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "xano-emulator dev\n" {
		t.Fatalf("-version printed %q", got)
	}
}

// -fixture seeds the instance from a file; a file that is not a fixture stops the start with
// an error that names the file, before anything listens.
func TestFixtureFlagSeedsTheInstance(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "fixture.json")
	if err := os.WriteFile(good, []byte(`{"workspaces":[{"id":7,"name":"ci","branches":[{"label":"v1","functions":[{"name":"ping","body":"return 1"}]}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseFlags([]string{"-fixture", good}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	fx := c.opts.Fixture
	if fx == nil || len(fx.Workspaces) != 1 || fx.Workspaces[0].Name != "ci" || len(fx.Workspaces[0].Branches[0].Functions) != 1 {
		t.Fatalf("fixture read as %+v", fx)
	}

	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`{"workspace":[{"id":7,"name":"ci"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		typo:                              `unknown field "workspace"`,
		filepath.Join(dir, "absent.json"): "no such file",
	} {
		err := run([]string{"-addr", "127.0.0.1:0", "-fixture", name}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-fixture") || !strings.Contains(err.Error(), want) {
			t.Fatalf("-fixture %s: %v", name, err)
		}
	}
}

// The seeded instance serves the fixture's workspace, not the demo seed.
func TestFixtureFlagServesTheFixture(t *testing.T) {
	good := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(good, []byte(`{"workspaces":[{"id":7,"name":"ci"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	lines, stop := startRun(t, "-token", "tok", "-fixture", good)
	defer stop()
	url := lines["instance_url"]
	if url == "" {
		t.Fatalf("no instance_url printed: %v", lines)
	}
	req, _ := http.NewRequest("GET", url+"/api:meta/workspace", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ci"`) || strings.Contains(string(body), `"staging"`) {
		t.Fatalf("GET /workspace: %d %s", resp.StatusCode, body)
	}
}
