//go:build unix

package provider

// TestReliability drives the provider binary through the real OpenTofu CLI (dev_overrides, as a
// user runs it) against emulators of its own, and checks what a careful backup tool must do
// when things go wrong:
//
//   - faults: every fault of the emulator's fault API (429 with Retry-After, a 5xx, a connection
//     cut mid-body, a slow start; in the full matrix also 503 with Retry-After and an upload cut
//     mid-request) on every Metadata API route the provider calls. Each case either survives
//     (the apply succeeds and the next plan is empty) or fails with a clear error after which a
//     plain rerun converges or itself stops with a clear error asking the user to act; anything
//     else fails the test.
//   - SIGINT: an interrupt (sent to the CLI's process group, as a terminal's Ctrl-C is) during a
//     long export and a long import: no partial file, the state matches what happened, a rerun
//     converges.
//   - secrets: TRACE logs (TF_LOG=trace), the state, the saved plan and every output are scanned
//     for the token and the archive passwords.
//   - file modes: every archive the provider writes has the mode its configuration asks for.
//   - bad input: HTML, JSON, truncated gzip, a wrong password, a missing file, a bad token, and
//     export answers that are not archives: a clear error, and nothing is lost.
//
// It runs only when XANO_RELIABILITY is "short" (one fault per route, the form make test runs)
// or "full" (the whole matrix); scripts/reliability.sh runs it and counts the outcomes, which
// every case also appends, one JSON line each, to XANO_RELIABILITY_REPORT when set. The CLI is
// XANO_RELIABILITY_CLI (default: the pinned .tools/bin/tofu); the provider binary is
// XANO_PROVIDER_BINARY, or one built for the test.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// relCommandTimeout bounds one CLI command; relInterruptWait bounds how long the CLI may take
// to exit after SIGINT.
const (
	relCommandTimeout = 5 * time.Minute
	relInterruptWait  = 2 * time.Minute
)

// Outcomes of a case.
const (
	relSurvived   = "survived"
	relClearError = "clear error"
	relFailed     = "failed"
	relPending    = "pending" // the provider lacks the feature the case checks (reported, not failed)
)

func TestReliability(t *testing.T) {
	mode := os.Getenv("XANO_RELIABILITY")
	switch mode {
	case "short", "full":
	case "":
		t.Skip("reliability suite: set XANO_RELIABILITY=short or full (make reliability)")
	default:
		t.Fatalf("XANO_RELIABILITY=%q: want short or full", mode)
	}
	root := moduleRoot(t)
	cli := os.Getenv("XANO_RELIABILITY_CLI")
	if cli == "" {
		cli = filepath.Join(root, ".tools", "bin", "tofu")
	}
	if _, err := exec.LookPath(cli); err != nil {
		t.Fatalf("the CLI %s: %v (run make tools, or set XANO_RELIABILITY_CLI)", cli, err)
	}
	providerDir, _ := exampleProviderBinary(t, root)
	env := relEnviron(t, providerDir)
	schema := relProviderSchema(t, cli, env)

	t.Run("faults", func(t *testing.T) {
		kinds := relFaultKinds()
		base := 0 // the kinds of the short form come first
		for _, k := range kinds {
			if !k.full {
				base++
			}
		}
		for i, ep := range relEndpoints() {
			for j, kind := range kinds {
				// The short form tries one fault per route, a different one on each.
				if mode == "short" && j != i%base || kind.upload && !ep.upload {
					continue
				}
				t.Run(ep.name+"/"+kind.name, func(t *testing.T) {
					t.Parallel()
					testRelFault(t, newRelRun(t, cli, env), ep, kind)
				})
			}
		}
	})
	t.Run("sigint", func(t *testing.T) {
		t.Run("export", func(t *testing.T) {
			t.Parallel()
			testRelInterruptExport(newRelRun(t, cli, env))
		})
		t.Run("import", func(t *testing.T) {
			t.Parallel()
			testRelInterruptImport(t, newRelRun(t, cli, env))
		})
	})
	t.Run("secrets", func(t *testing.T) {
		t.Parallel()
		testRelSecrets(newRelRun(t, cli, env))
	})
	t.Run("file-modes", func(t *testing.T) {
		t.Parallel()
		testRelFileModes(newRelRun(t, cli, env), schema)
	})
	t.Run("bad-input", func(t *testing.T) {
		for _, bc := range relBadInputs() {
			if mode == "short" && !bc.short {
				continue
			}
			t.Run(bc.name, func(t *testing.T) {
				t.Parallel()
				testRelBadInput(t, newRelRun(t, cli, env), bc)
			})
		}
	})
}

// ---- faults on every route ----

// relEndpoint is one route the provider calls (internal/xano/client.go), with the
// configurations that make an apply call it: setup is applied first, without faults; target
// is then applied with the fault armed on method+path.
type relEndpoint struct {
	name         string // the client method
	method, path string // below /api:meta
	setup        []string
	target       string
	export       bool // the answer is an archive (cut further into the body)
	upload       bool // the request uploads an archive
}

const relBranchCfg = `
resource "xano_workspace_branch" "feat" {
  workspace_id = 1
  label        = "feat"
  description  = %q
}
`

const relSnapshotCfg = `
resource "xano_workspace_snapshot" "s" {
  workspace_id = 1
  include_data = %t
  output_path  = "${path.module}/backups/snapshot.tar.gz"
}
`

func relEndpoints() []relEndpoint {
	branch := fmt.Sprintf(relBranchCfg, "first")
	schemaSnap := fmt.Sprintf(relSnapshotCfg, false)
	fullSnap := fmt.Sprintf(relSnapshotCfg, true)
	return []relEndpoint{
		{name: "ListWorkspaces", method: "GET", path: "/workspace", target: `
data "xano_workspaces" "all" {}
output "n" { value = length(data.xano_workspaces.all.workspaces) }
`},
		{name: "GetWorkspace", method: "GET", path: "/workspace/1", target: `
data "xano_workspace" "ws" { workspace_id = 1 }
output "name" { value = data.xano_workspace.ws.name }
`},
		{name: "ListBranches", method: "GET", path: "/workspace/1/branch", target: `
data "xano_workspace_branches" "b" { workspace_id = 1 }
output "live" { value = data.xano_workspace_branches.b.live_branch }
`},
		{name: "GetBranch", method: "GET", path: "/workspace/1/branch/feat", setup: []string{branch}, target: branch},
		{name: "CreateBranch", method: "POST", path: "/workspace/1/branch", target: branch},
		{name: "UpdateBranch", method: "PUT", path: "/workspace/1/branch/feat", setup: []string{branch},
			target: fmt.Sprintf(relBranchCfg, "second")},
		{name: "DeleteBranch", method: "DELETE", path: "/workspace/1/branch/feat", setup: []string{branch}, target: ""},
		{name: "SetLiveBranch", method: "POST", path: "/workspace/1/branch/feat/live", setup: []string{branch}, target: branch + `
resource "xano_workspace_live_branch" "live" {
  workspace_id = 1
  branch       = xano_workspace_branch.feat.label
}
`},
		{name: "ExportSchema", method: "POST", path: "/workspace/1/export-schema", target: schemaSnap, export: true},
		{name: "Export", method: "POST", path: "/workspace/1/export", target: fullSnap, export: true},
		{name: "ImportSchema", method: "POST", path: "/workspace/2/import-schema", setup: []string{schemaSnap}, target: schemaSnap + `
resource "xano_workspace_schema_import" "promote" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = xano_workspace_snapshot.s.output_path
  source_sha256 = xano_workspace_snapshot.s.archive_sha256
}
`, upload: true},
		{name: "Import", method: "POST", path: "/workspace/2/import", setup: []string{fullSnap}, target: fullSnap + `
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = xano_workspace_snapshot.s.output_path
  source_sha256 = xano_workspace_snapshot.s.archive_sha256
  backup_path   = "${path.module}/backups/before-restore"
}
`, upload: true},
	}
}

// relFaultKind builds the fault armed on an endpoint. full kinds run only in the full matrix;
// upload kinds only on the routes that upload an archive, and are made by the test's handler
// (the fault API acts on answers), not by the fault API.
type relFaultKind struct {
	name   string
	fault  func(ep relEndpoint) emulator.Fault
	full   bool
	upload bool
}

func relFaultKinds() []relFaultKind {
	return []relFaultKind{
		{name: "429-retry-after", fault: func(relEndpoint) emulator.Fault {
			return emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}
		}},
		{name: "5xx", fault: func(relEndpoint) emulator.Fault {
			return emulator.Fault{Status: http.StatusBadGateway}
		}},
		{name: "cut-mid-stream", fault: func(ep relEndpoint) emulator.Fault {
			n := int64(1) // inside the JSON answer
			if ep.export {
				n = 2048 // inside the archive
			}
			return emulator.Fault{CutAfterBytes: &n}
		}},
		{name: "slow-start", fault: func(relEndpoint) emulator.Fault {
			return emulator.Fault{DelayMS: 1500}
		}},
		{name: "503-retry-after", full: true, fault: func(relEndpoint) emulator.Fault {
			return emulator.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1"}
		}},
		{name: "upload-cut-mid-request", full: true, upload: true},
	}
}

func testRelFault(t *testing.T, r *relRun, ep relEndpoint, kind relFaultKind) {
	r.category, r.name = "fault", ep.name+" "+ep.method+" "+ep.path+" / "+kind.name
	r.startEmulator(emulator.DemoFixture())
	for i, cfg := range ep.setup {
		r.writeConfig(cfg)
		if code, out := r.apply(); code != 0 {
			t.Fatalf("setup apply %d exited %d:\n%s", i+1, code, out)
		}
	}
	r.writeConfig(ep.target)
	if kind.upload {
		r.emu.cutUpload(ep.path, 1024)
		code, out := r.apply()
		if !r.emu.uploadCut.Load() {
			r.fail("the apply never uploaded to %s %s: the case does not exercise its route\n%s", ep.method, ep.path, out)
			return
		}
		r.judge(code, out)
		return
	}
	f := kind.fault(ep)
	f.Method, f.Path, f.Count = ep.method, ep.path, 1
	if err := r.emu.ctl.AddFault(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	code, out := r.apply()
	if left, err := r.emu.ctl.Faults(t.Context()); err != nil {
		t.Fatal(err)
	} else if len(left) != 0 {
		r.fail("the apply never called %s %s: the case does not exercise its route\n%s", ep.method, ep.path, out)
		return
	}
	r.judge(code, out)
}

// ---- SIGINT during a long export and a long import ----

func testRelInterruptExport(r *relRun) {
	r.category, r.name = "sigint", "SIGINT during a long export (snapshot)"
	r.startEmulator(relBigFixture())
	r.writeConfig(fmt.Sprintf(relSnapshotCfg, true))
	gate := r.emu.holdExport(32 << 10)
	r.interrupt("/workspace/1/export", func() bool {
		return gate.reached() && len(r.partialFiles()) > 0
	}, gate)
	r.checkSnapshotsMatchState()
	r.converge()
}

func testRelInterruptImport(t *testing.T, r *relRun) {
	r.category, r.name = "sigint", "SIGINT during a long import (workspace import)"
	r.startEmulator(relBigFixture())
	snap := fmt.Sprintf(relSnapshotCfg, true)
	r.writeConfig(snap)
	if code, out := r.apply(); code != 0 {
		t.Fatalf("setup apply exited %d:\n%s", code, out)
	}
	r.writeConfig(snap + `
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = xano_workspace_snapshot.s.output_path
  source_sha256 = xano_workspace_snapshot.s.archive_sha256
}
`)
	gate := r.emu.holdImport(32 << 10)
	r.interrupt("/workspace/2/import", gate.reached, gate)
	r.checkSnapshotsMatchState()
	r.converge()
}

// relBigFixture is the demo seed with a table large enough that its export spans many reads.
func relBigFixture() *emulator.Fixture {
	fx := emulator.DemoFixture()
	fx.Workspaces[0].Tables = append(fx.Workspaces[0].Tables, emulator.FixtureTable{Name: "events", Rows: 20000, RowBytes: 512})
	return fx
}

// ---- secrets ----

func testRelSecrets(r *relRun) {
	r.category, r.name = "secrets", "token and passwords in TRACE logs, state, plan and output"
	r.startEmulator(emulator.DemoFixture())
	password := "pw-" + rand.Text()
	r.secrets = append(r.secrets, password)
	r.env["TF_VAR_archive_password"] = password
	r.writeConfig(`
variable "archive_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
resource "xano_workspace_snapshot" "enc" {
  workspace_id        = 1
  output_path         = "${path.module}/backups/enc.tar.gz"
  password_wo         = var.archive_password
  password_wo_version = 1
}
resource "xano_workspace_schema_import" "promote" {
  workspace_id        = 2
  branch              = "release_1"
  source_path         = xano_workspace_snapshot.enc.output_path
  source_sha256       = xano_workspace_snapshot.enc.archive_sha256
  password_wo         = var.archive_password
  password_wo_version = 1
}
`)
	// plan -out and show -json: the saved plan holds neither.
	if code, out := r.cmd("plan", "-input=false", "-out=secrets.tfplan"); code != 0 {
		r.fail("plan exited %d:\n%s", code, out)
		return
	}
	if code, out := r.cmd("show", "-json", "secrets.tfplan"); code != 0 {
		r.fail("show -json exited %d:\n%s", code, out)
		return
	}
	r.scanFile(filepath.Join(r.dir, "secrets.tfplan"))
	code, out := r.apply()
	if code != 0 {
		r.fail("apply exited %d:\n%s", code, out)
		return
	}
	if code, out := r.cmd("show", "-json"); code != 0 {
		r.fail("show -json exited %d:\n%s", code, out)
		return
	}
	r.converge()
}

// ---- file modes ----

// testRelFileModes applies every object that writes an archive and checks each file's mode
// against the mode its configuration asks for: file_permission when the provider has it (its
// default otherwise), else the mode the provider writes today, reported as pending.
func testRelFileModes(r *relRun, schema relSchema) {
	r.category, r.name = "file-modes", "modes of written archives and folders"
	r.startEmulator(emulator.DemoFixture())
	// Each file, the object that writes it, and the mode configured for it ("": the default).
	files := []struct{ rel, typ, mode string }{
		{"backups/default.tar.gz", "xano_workspace_snapshot", ""},
		{"backups/custom.tar.gz", "xano_workspace_snapshot", "0640"},
		{"exports/data-source.tar.gz", "xano_workspace_export", ""},
		{"backups/before-restore/" + backupManifestName, "xano_workspace_import", ""}, // in the backup set's folder
	}
	perm := func(i int) string {
		if f := files[i]; f.mode != "" && schema.has(f.typ, "file_permission") {
			return fmt.Sprintf("  file_permission = %q\n", f.mode)
		}
		return ""
	}
	r.writeConfig(fmt.Sprintf(`
resource "xano_workspace_snapshot" "default" {
  workspace_id = 1
  include_data = true
  output_path  = "${path.module}/%s"
%s}
resource "xano_workspace_snapshot" "custom" {
  workspace_id = 1
  output_path  = "${path.module}/%s"
%s}
data "xano_workspace_export" "e" {
  workspace_id = 1
  output_path  = "${path.module}/%s"
%s}
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = xano_workspace_snapshot.default.output_path
  source_sha256 = xano_workspace_snapshot.default.archive_sha256
  backup_path   = "${path.module}/%s"
%s}
`, files[0].rel, perm(0), files[1].rel, perm(1), files[2].rel, perm(2), path.Dir(files[3].rel), perm(3)))
	if code, out := r.apply(); code != 0 {
		r.fail("apply exited %d:\n%s", code, out)
		return
	}
	var problems, pending []string
	for _, f := range files {
		st, err := os.Stat(filepath.Join(r.dir, filepath.FromSlash(f.rel)))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		got := st.Mode().Perm()
		want := fs.FileMode(0o600) // the default of file_permission
		if f.mode != "" {
			m, err := strconv.ParseUint(f.mode, 8, 32)
			if err != nil {
				r.t.Fatal(err)
			}
			want = fs.FileMode(m)
		}
		has := schema.has(f.typ, "file_permission")
		switch {
		case !has && got != want:
			pending = append(pending, fmt.Sprintf("%s (%s) is %04o, want %04o once it has file_permission", f.rel, f.typ, got, want))
		case has && got != want:
			problems = append(problems, fmt.Sprintf("%s (%s) is %04o, want %04o", f.rel, f.typ, got, want))
		}
	}
	// The folders the provider created (the test made none but the configuration's own).
	for _, d := range []struct{ rel, typ string }{{"backups", "xano_workspace_snapshot"}, {"exports", "xano_workspace_export"},
		{"backups/before-restore", "xano_workspace_import"}} {
		st, err := os.Stat(filepath.Join(r.dir, d.rel))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		got := st.Mode().Perm()
		switch has := schema.has(d.typ, "directory_permission"); {
		case !has && got != 0o700:
			pending = append(pending, fmt.Sprintf("the folder %s (%s) is %04o, want 0700 once it has directory_permission", d.rel, d.typ, got))
		case has && got != 0o700:
			problems = append(problems, fmt.Sprintf("the folder %s (%s) is %04o, want 0700 (directory_permission's default)", d.rel, d.typ, got))
		}
	}
	switch {
	case len(problems) > 0:
		r.fail("%s", strings.Join(problems, "; "))
	case len(pending) > 0:
		r.record(relPending, strings.Join(pending, "; "))
	default:
		r.record(relSurvived, "every archive has the configured mode")
	}
}

// ---- bad input ----

// relBadInput is a source or an answer that is not what it should be.
type relBadInput struct {
	name  string
	short bool // part of the short form
	// prepare sets the emulator and the folder up (writes files, applies what must exist
	// first) and returns the configuration whose apply must fail.
	prepare func(r *relRun) string
	// keep lists files that must hold the same bytes after the failed apply.
	keep []string
}

const relSchemaImportCfg = `
resource "xano_workspace_schema_import" "bad" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = "${path.module}/%s"
  source_sha256 = %q
%s}
`

const relRestoreCfg = `
resource "xano_workspace_import" "bad" {
  workspace_id  = 2
  allow_data_loss = true
  source_path   = "${path.module}/%s"
  source_sha256 = %q
  backup_path   = "${path.module}/backups/production-before"
}
`

func relBadInputs() []relBadInput {
	// source writes a bad source file and returns the config importing it with tmpl.
	source := func(tmpl, name string, data []byte, extra ...string) func(r *relRun) string {
		return func(r *relRun) string {
			r.writeFile(name, data)
			args := []any{name, relSHA256(data)}
			if strings.Count(tmpl, "%") == 3 {
				args = append(args, strings.Join(extra, ""))
			}
			return fmt.Sprintf(tmpl, args...)
		}
	}
	html := []byte("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>upstream</body></html>\n")
	jsonBody := []byte(`{"code":"ERROR_FATAL","message":"Something went wrong."}` + "\n")
	truncated := func(r *relRun) []byte {
		data := r.emu.export(r.t, "")
		return data[:len(data)/2]
	}
	// answer makes POST /workspace/1/export(-schema) answer 200 with body, after a good snapshot
	// at the same path, which must survive.
	answer := func(body func(r *relRun) []byte, ctype string) func(r *relRun) string {
		return func(r *relRun) string {
			cfg := `
resource "xano_workspace_snapshot" "s" {
  workspace_id = 1
  output_path  = "${path.module}/backups/snapshot.tar.gz"
  triggers     = { n = "%d" }
}
`
			r.writeConfig(fmt.Sprintf(cfg, 1))
			if code, out := r.apply(); code != 0 {
				r.t.Fatalf("setup apply exited %d:\n%s", code, out)
			}
			b := body(r)
			r.emu.setOverride("/api:meta/workspace/1/export-schema", func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", ctype)
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(b)
			})
			return fmt.Sprintf(cfg, 2)
		}
	}
	return []relBadInput{
		{name: "schema-import/html-file", short: true, prepare: source(relSchemaImportCfg, "in/page.tar.gz", html)},
		{name: "schema-import/json-file", prepare: source(relSchemaImportCfg, "in/error.tar.gz", jsonBody)},
		{name: "schema-import/truncated-gzip", short: true, prepare: func(r *relRun) string {
			return source(relSchemaImportCfg, "in/half.tar.gz", truncated(r))(r)
		}},
		{name: "schema-import/missing-file", short: true, prepare: func(*relRun) string {
			return fmt.Sprintf(relSchemaImportCfg, "in/nowhere.tar.gz", strings.Repeat("ab", 32), "")
		}},
		{name: "schema-import/wrong-sha256", prepare: func(r *relRun) string {
			data := r.emu.export(r.t, "")
			r.writeFile("in/good.tar.gz", data)
			return fmt.Sprintf(relSchemaImportCfg, "in/good.tar.gz", strings.Repeat("0", 64), "")
		}},
		{name: "schema-import/wrong-password", short: true, prepare: func(r *relRun) string {
			good := "pw-" + rand.Text()
			wrong := "pw-" + rand.Text()
			r.secrets = append(r.secrets, good, wrong)
			data := r.emu.export(r.t, good)
			r.writeFile("in/enc.tar.gz", data)
			r.env["TF_VAR_wrong"] = wrong
			return `
variable "wrong" {
  type      = string
  sensitive = true
  ephemeral = true
}
` + fmt.Sprintf(relSchemaImportCfg, "in/enc.tar.gz", relSHA256(data), "  password_wo = var.wrong\n  password_wo_version = 1\n")
		}},
		{name: "schema-import/no-password-for-encrypted", prepare: func(r *relRun) string {
			pw := "pw-" + rand.Text()
			r.secrets = append(r.secrets, pw)
			data := r.emu.export(r.t, pw)
			r.writeFile("in/enc.tar.gz", data)
			return fmt.Sprintf(relSchemaImportCfg, "in/enc.tar.gz", relSHA256(data), "")
		}},
		{name: "restore/html-file", short: true, prepare: source(relRestoreCfg, "in/page.tar.gz", html)},
		{name: "restore/truncated-gzip", prepare: func(r *relRun) string {
			return source(relRestoreCfg, "in/half.tar.gz", truncated(r))(r)
		}},
		{name: "restore/missing-file", prepare: func(*relRun) string {
			return fmt.Sprintf(relRestoreCfg, "in/nowhere.tar.gz", strings.Repeat("ab", 32))
		}},
		{name: "export/answers-html", short: true, keep: []string{"backups/snapshot.tar.gz"},
			prepare: answer(func(*relRun) []byte { return html }, "text/html")},
		{name: "export/answers-json", keep: []string{"backups/snapshot.tar.gz"},
			prepare: answer(func(*relRun) []byte { return jsonBody }, "application/json")},
		{name: "export/answers-truncated-gzip", short: true, keep: []string{"backups/snapshot.tar.gz"},
			prepare: answer(truncated, "application/gzip")},
		{name: "provider/bad-token", short: true, prepare: func(r *relRun) string {
			bad := "bad-" + rand.Text()
			r.secrets = append(r.secrets, bad)
			r.env["XANO_TOKEN"] = bad
			return fmt.Sprintf(relSnapshotCfg, false)
		}},
	}
}

func testRelBadInput(t *testing.T, r *relRun, bc relBadInput) {
	r.category, r.name = "bad-input", bc.name
	r.startEmulator(emulator.DemoFixture())
	cfg := bc.prepare(r)
	before := map[string][]byte{}
	for _, rel := range bc.keep {
		data, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatalf("%s should exist before the failing apply: %v", rel, err)
		}
		before[rel] = data
	}
	stateBefore, _ := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	r.writeConfig(cfg)
	code, out := r.apply()
	if code == 0 {
		r.fail("the apply succeeded on bad input:\n%s", out)
		return
	}
	if why := relUnclear(out); why != "" {
		r.fail("the error is not clear (%s):\n%s", why, out)
		return
	}
	r.t.Logf("the failed apply:\n%s", out)
	var lost []string
	for rel, data := range before {
		now, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(now, data) {
			lost = append(lost, rel)
		}
	}
	if p := r.partialFiles(); len(p) > 0 {
		lost = append(lost, "partial files left: "+strings.Join(p, ", "))
	}
	if len(lost) > 0 {
		r.fail("the failed apply lost or left files: %s\n%s", strings.Join(lost, "; "), out)
		return
	}
	stateAfter, _ := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if strings.Contains(string(stateAfter), `"bad"`) && !strings.Contains(string(stateBefore), `"bad"`) {
		r.fail("the state records the object whose apply failed")
		return
	}
	r.checkSnapshotsMatchState()
	if !r.t.Failed() {
		r.record(relClearError, relFirstError(out))
	}
}

// ---- the run of one case ----

// relRun is one case: its folder, its emulator, the CLI's environment and the secrets that
// must appear nowhere.
type relRun struct {
	t        *testing.T
	cli      string
	dir      string
	logs     string
	environ  []string
	env      map[string]string
	emu      *relEmulator
	secrets  []string
	runs     int
	category string
	name     string
	recorded bool
	// recordNote is prepended to the detail of the outcome (what happened after SIGINT).
	recordNote string
}

func newRelRun(t *testing.T, cli string, environ []string) *relRun {
	work := t.TempDir()
	r := &relRun{
		t: t, cli: cli, dir: filepath.Join(work, "config"), logs: filepath.Join(work, "logs"),
		environ: environ, env: map[string]string{},
	}
	for _, d := range []string{r.dir, r.logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		r.scanFile(filepath.Join(r.dir, "terraform.tfstate"))
		if !r.recorded {
			outcome := relFailed
			if !t.Failed() {
				outcome = relSurvived
			}
			r.record(outcome, "")
		}
	})
	return r
}

// relEnviron is the CLI's environment: this process's, without what would change what the CLI
// does, with a CLI configuration whose dev_overrides name the provider binary.
func relEnviron(t *testing.T, providerDir string) []string {
	cfg := filepath.Join(t.TempDir(), "cli.tfrc")
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, a := range exampleXanoAddrs {
		fmt.Fprintf(&b, "    %q = %q\n", a, providerDir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "XANO_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+cfg, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
}

func (r *relRun) startEmulator(fx *emulator.Fixture) {
	r.emu = startRelEmulator(r.t, fx)
	r.secrets = append(r.secrets, r.emu.token)
	r.env["XANO_TOKEN"] = r.emu.token
}

// writeConfig replaces main.tf with the provider block and body.
func (r *relRun) writeConfig(body string) {
	r.t.Helper()
	cfg := fmt.Sprintf(`terraform {
  required_providers {
    xano = { source = "xano-community/xano" }
  }
}
provider "xano" {
  instance_url = %q
  max_retries  = 3
}
`, r.emu.hs.URL) + body
	r.writeFile("main.tf", []byte(cfg))
}

func (r *relRun) writeFile(rel string, data []byte) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// command prepares the CLI with args, logging at TRACE level to a file of its own.
func (r *relRun) command(ctx context.Context, args ...string) (*exec.Cmd, string) {
	r.runs++
	log := filepath.Join(r.logs, fmt.Sprintf("%02d-%s.log", r.runs, args[0]))
	cmd := exec.CommandContext(ctx, r.cli, append([]string{args[0], "-no-color"}, args[1:]...)...)
	cmd.Dir = r.dir
	cmd.Env = append(slices.Clone(r.environ), "TF_LOG=trace", "TF_LOG_PATH="+log)
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd, log
}

// cmd runs the CLI and returns its exit code and output (standard output and error). The
// output and the TRACE log must hold no secret.
func (r *relRun) cmd(args ...string) (int, string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), relCommandTimeout)
	defer cancel()
	cmd, log := r.command(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := relExitCode(ctx, r.t, err)
	r.scanText("the output of "+args[0], out.String())
	if st, err := os.Stat(log); err != nil || st.Size() == 0 {
		r.fail("%s wrote no TRACE log to %s: the secrets scan would see nothing", args[0], log)
	}
	r.scanFile(log)
	return code, r.redact(out.String())
}

func (r *relRun) apply() (int, string) {
	r.t.Helper()
	return r.cmd("apply", "-auto-approve", "-input=false")
}

func relExitCode(ctx context.Context, t *testing.T, err error) int {
	t.Helper()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		return exitErr.ExitCode()
	default:
		t.Fatalf("the CLI did not finish: %v", err)
		return -1
	}
}

// judge classifies the outcome of an apply that met a fault: it survived (exit 0, then an
// empty plan) or failed with a clear error after which a plain rerun converges or itself
// stops with a clear error (reported as such: RELIABILITY.md lists them).
func (r *relRun) judge(code int, out string) {
	r.t.Helper()
	if p := r.partialFiles(); len(p) > 0 {
		r.fail("partial files left after the apply: %s", strings.Join(p, ", "))
		return
	}
	r.checkSnapshotsMatchState()
	if code == 0 {
		if pc, pout := r.cmd("plan", "-detailed-exitcode", "-input=false"); pc != 0 {
			r.fail("the apply succeeded, but the next plan exited %d (not converged):\n%s", pc, pout)
			return
		}
		r.record(relSurvived, "")
		return
	}
	if why := relUnclear(out); why != "" {
		r.fail("the apply failed without a clear error (%s):\n%s", why, out)
		return
	}
	msg := relFirstError(out)
	// A plain rerun converges, or stops with a clear error that asks the user to act (the
	// outcome of a write whose answer was lost is unknown: the provider must not guess).
	if err := r.emu.ctl.ClearFaults(r.t.Context()); err != nil {
		r.t.Fatal(err)
	}
	code, out = r.apply()
	if code != 0 {
		if why := relUnclear(out); why != "" {
			r.fail("a rerun of apply exited %d without a clear error (%s):\n%s", code, why, out)
			return
		}
		if p := r.partialFiles(); len(p) > 0 {
			r.fail("partial files left after the rerun: %s", strings.Join(p, ", "))
			return
		}
		r.checkSnapshotsMatchState()
		r.record(relClearError, msg+"; the rerun stops too, asking for action: "+relFirstError(out))
		return
	}
	if pc, pout := r.cmd("plan", "-detailed-exitcode", "-input=false"); pc != 0 {
		r.fail("after the rerun, plan exited %d (not converged):\n%s", pc, pout)
		return
	}
	r.checkSnapshotsMatchState()
	r.record(relClearError, msg+"; a rerun converges")
}

// converge reruns apply without faults: it must succeed, and the next plan must be empty.
func (r *relRun) converge() {
	r.t.Helper()
	if r.emu != nil {
		if err := r.emu.ctl.ClearFaults(r.t.Context()); err != nil {
			r.t.Fatal(err)
		}
		r.emu.clearOverrides()
	}
	if code, out := r.apply(); code != 0 {
		r.fail("a rerun of apply exited %d (does not converge):\n%s", code, out)
		return
	}
	if code, out := r.cmd("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		r.fail("after the rerun, plan exited %d (not converged):\n%s", code, out)
		return
	}
	r.checkSnapshotsMatchState()
}

// interrupt starts apply, waits until ready() says the long operation is under way, sends
// SIGINT to the CLI's process group (as a terminal does on Ctrl-C) and waits for the CLI to
// exit. gate holds the transfer; it is released a while after the interrupt, so that a CLI
// that waits for the operation to finish can do so.
func (r *relRun) interrupt(path string, ready func() bool, gate *relGate) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), relCommandTimeout)
	defer cancel()
	cmd, log, out, done := r.startApply(ctx)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	finished := false
wait:
	for !ready() {
		select {
		case err := <-done:
			done <- err
			finished = true
			break wait
		case <-tick.C:
		case <-ctx.Done():
			break wait
		}
	}
	if finished {
		gate.close()
		r.fail("the apply ended before the long operation was under way:\n%s", r.redact(out.String()))
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		r.t.Fatal(err)
	}
	release := time.AfterFunc(5*time.Second, gate.close)
	defer release.Stop()
	exited, err := r.awaitExit(cmd, done)
	if !exited {
		gate.close()
		r.fail("the CLI had not exited %s after SIGINT", relInterruptWait)
		return
	}
	gate.close()
	code := relExitCode(ctx, r.t, err)
	text := out.String()
	r.scanText("the output of the interrupted apply", text)
	r.scanFile(log)
	if p := r.partialFiles(); len(p) > 0 {
		r.fail("partial files left after SIGINT: %s", strings.Join(p, ", "))
	}
	how := "the operation completed before the CLI exited"
	if strings.Contains(text, "context canceled") || strings.Contains(text, "interrupted") {
		how = "the provider cancelled the operation"
	}
	how += "; " + r.emu.outcome(r.t, path)
	r.t.Logf("after SIGINT: exit %d; %s\n%s", code, how, r.redact(text))
	r.recordNote = fmt.Sprintf("exit %d after SIGINT; %s", code, how)
}

// startApply starts `apply -auto-approve` in a process group of its own, so that a SIGINT to the
// group reaches the CLI as a terminal's Ctrl-C does; out collects its output, done its exit.
func (r *relRun) startApply(ctx context.Context) (cmd *exec.Cmd, log string, out *bytes.Buffer, done chan error) {
	r.t.Helper()
	cmd, log = r.command(ctx, "apply", "-auto-approve", "-input=false")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, log, out, done
}

// awaitExit waits up to relInterruptWait for the CLI started by startApply to exit after a
// SIGINT; past that it kills the group and returns false.
func (r *relRun) awaitExit(cmd *exec.Cmd, done chan error) (exited bool, err error) {
	select {
	case err = <-done:
		return true, err
	case <-time.After(relInterruptWait):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		r.t.Logf("the CLI, killed: %v", <-done)
		return false, nil
	}
}

// checkSnapshotsMatchState: every archive the state records is on disk with the recorded hash.
func (r *relRun) checkSnapshotsMatchState() {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, "terraform.tfstate"))
	if err != nil {
		return
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		r.fail("the state is not JSON: %v", err)
		return
	}
	for _, res := range st.Resources {
		if res.Mode != "managed" {
			continue
		}
		for _, in := range res.Instances {
			pairs := [][2]string{{"output_path", "archive_sha256"}, {"backup_path", "backup_sha256"}}
			for _, p := range pairs {
				path, _ := in.Attributes[p[0]].(string)
				sum, _ := in.Attributes[p[1]].(string)
				if path == "" || sum == "" {
					continue
				}
				if !filepath.IsAbs(path) {
					path = filepath.Join(r.dir, path)
				}
				if p[0] == "backup_path" {
					path = filepath.Join(path, backupManifestName) // backup_sha256 is the set's manifest's
				}
				got, err := os.ReadFile(path)
				if err != nil {
					r.fail("%s.%s: the state records %s, which cannot be read: %v", res.Type, res.Name, p[0], err)
					continue
				}
				if relSHA256(got) != sum {
					r.fail("%s.%s: %s does not hold the archive the state records (%s)", res.Type, res.Name, p[0], p[1])
				}
			}
		}
	}
}

// partialFiles lists the provider's temporary files left in the folder.
func (r *relRun) partialFiles() []string {
	var out []string
	_ = filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(d.Name(), ".partial") || strings.Contains(d.Name(), ".partial.")) {
			rel, _ := filepath.Rel(r.dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func (r *relRun) redact(s string) string {
	for _, sec := range r.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<secret>")
		}
	}
	return s
}

func (r *relRun) scanText(what, s string) {
	if r.redact(s) != s {
		r.fail("%s contains a token or a password", what)
	}
}

func (r *relRun) scanFile(p string) {
	data, err := os.ReadFile(p)
	if err != nil {
		return
	}
	r.scanText(filepath.Base(p), string(data))
}

// ---- outcomes ----

var (
	relReport   sync.Mutex
	relErrorRe  = regexp.MustCompile(`(?m)^(?:│ )?Error: (.+)$`)
	relCrashRes = []*regexp.Regexp{
		regexp.MustCompile(`(?m)^panic: `), regexp.MustCompile(`goroutine \d+ \[`),
		regexp.MustCompile(`(?i)plugin (?:crashed|did not respond)`), regexp.MustCompile(`rpc error: code = Unavailable`),
	}
)

// relUnclear says why an error output is not a clear error ("" when it is one): it must have
// an error diagnostic with a summary and a detail, and no crash.
func relUnclear(out string) string {
	for _, re := range relCrashRes {
		if re.MatchString(out) {
			return "the provider crashed or stopped answering"
		}
	}
	m := relErrorRe.FindStringSubmatchIndex(out)
	if m == nil {
		return "no Error: diagnostic"
	}
	rest := out[m[1]:]
	detail := 0
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "│"))
		if strings.HasPrefix(line, "╵") || strings.HasPrefix(line, "Error:") {
			break
		}
		if strings.HasPrefix(line, "with ") || strings.HasPrefix(line, "on ") || strings.Contains(line, ": resource \"") {
			continue
		}
		detail += len(line)
	}
	if detail < 20 {
		return "the error has no detail saying what happened and what to do"
	}
	return ""
}

func relFirstError(out string) string {
	if m := relErrorRe.FindStringSubmatch(out); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func (r *relRun) fail(format string, args ...any) {
	r.t.Helper()
	msg := r.redact(fmt.Sprintf(format, args...))
	r.t.Errorf("%s: %s", r.name, msg)
	if !r.recorded {
		first, _, _ := strings.Cut(msg, "\n")
		r.record(relFailed, first)
	}
}

// record reports the outcome of the case: in the test log (RELIABILITY lines) and, when
// XANO_RELIABILITY_REPORT names a file, as one JSON line appended to it.
func (r *relRun) record(outcome, detail string) {
	if r.recorded {
		return
	}
	r.recorded = true
	if r.recordNote != "" {
		detail = strings.TrimSpace(r.recordNote + "; " + detail)
	}
	if outcome == relSurvived && r.t.Failed() {
		outcome = relFailed
	}
	r.t.Logf("RELIABILITY %s | %s | %s | %s", r.category, r.name, outcome, detail)
	p := os.Getenv("XANO_RELIABILITY_REPORT")
	if p == "" {
		return
	}
	line, _ := json.Marshal(map[string]string{"category": r.category, "case": r.name, "outcome": outcome, "detail": detail})
	relReport.Lock()
	defer relReport.Unlock()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		r.t.Errorf("XANO_RELIABILITY_REPORT: %v", err)
		return
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
}

func relSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ---- the provider's schema (what the binary under test offers) ----

type relSchema map[string]map[string]bool // resource or data source type -> attribute names

func (s relSchema) has(typ, attr string) bool { return s[typ][attr] }

// relSchemaEntry is one resource or data source of `providers schema -json`.
type relSchemaEntry struct {
	Block struct {
		Attributes map[string]any `json:"attributes"`
	} `json:"block"`
}

func relProviderSchema(t *testing.T, cli string, environ []string) relSchema {
	dir := t.TempDir()
	cfg := "terraform {\n  required_providers {\n    xano = { source = \"xano-community/xano\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), relCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "providers", "schema", "-json")
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("providers schema -json: %v", err)
	}
	var doc struct {
		Schemas map[string]struct {
			Resources   map[string]relSchemaEntry `json:"resource_schemas"`
			DataSources map[string]relSchemaEntry `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("providers schema -json: %v", err)
	}
	s := relSchema{}
	for _, p := range doc.Schemas {
		for _, group := range []map[string]relSchemaEntry{p.Resources, p.DataSources} {
			for typ, r := range group {
				s[typ] = map[string]bool{}
				for a := range r.Block.Attributes {
					s[typ][a] = true
				}
			}
		}
	}
	if len(s) == 0 {
		t.Fatal("providers schema -json lists no xano resources")
	}
	return s
}

// ---- the emulator, with holds and bad answers for the SIGINT and bad-input cases ----

// relEmulator is a real emulator served on loopback through a handler that can hold an
// export's body or an import's upload after some bytes (a long transfer, for SIGINT) and
// answer a route with a body of the test's choosing (answers that are not archives).
type relEmulator struct {
	srv        *emulator.Server
	hs         *httptest.Server
	ctl        *emulator.Control
	token      string
	exportGate *relGate
	importGate *relGate
	mu         sync.Mutex
	overrides  map[string]func(http.ResponseWriter)
	// cutPath, when set, is the upload route (below /api:meta) whose next request is cut after
	// cutAfter bytes of its body; uploadCut records that it was.
	cutPath   string
	cutAfter  int64
	uploadCut atomic.Bool
}

// holdExport slows the full exports after their first n bytes until the gate is closed.
func (e *relEmulator) holdExport(n int64) *relGate {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.exportGate.close()
	e.exportGate = newRelGate(n)
	return e.exportGate
}

// holdImport slows the uploads of full imports after their first n bytes until the gate is
// closed.
func (e *relEmulator) holdImport(n int64) *relGate {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.importGate.close()
	e.importGate = newRelGate(n)
	return e.importGate
}

// cutUpload arms a cut of the next upload to path after n bytes of its request body.
func (e *relEmulator) cutUpload(path string, n int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cutPath, e.cutAfter = path, n
}

func startRelEmulator(t *testing.T, fx *emulator.Fixture) *relEmulator {
	skipWhenLive(t, "faults injected into the emulator")
	srv, err := emulator.New(emulator.Options{Fixture: fx, Control: true, AdminToken: "rel-" + rand.Text()})
	if err != nil {
		t.Fatal(err)
	}
	e := &relEmulator{srv: srv, token: srv.AdminToken(), exportGate: newRelGate(-1), importGate: newRelGate(-1)}
	e.hs = httptest.NewServer(e)
	e.ctl = &emulator.Control{BaseURL: e.hs.URL, HTTP: e.hs.Client()}
	t.Cleanup(func() {
		e.clearOverrides() // opens the gates
		e.hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("emulator: close: %v", err)
		}
	})
	return e
}

func (e *relEmulator) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	e.mu.Lock()
	override := e.overrides[req.URL.Path]
	exportGate, importGate := e.exportGate, e.importGate
	cut := e.cutPath != "" && req.Method == http.MethodPost && req.URL.Path == "/api:meta"+e.cutPath
	cutAfter := e.cutAfter
	if cut {
		e.cutPath = ""
	}
	e.mu.Unlock()
	if cut {
		// Read part of the upload, then drop the connection: the network failed mid-request.
		_, _ = io.CopyN(io.Discard, req.Body, cutAfter)
		e.uploadCut.Store(true)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	if override != nil && req.Method == http.MethodPost {
		_, _ = io.Copy(io.Discard, req.Body)
		override(w)
		return
	}
	if req.Method == http.MethodPost {
		switch {
		case strings.HasSuffix(req.URL.Path, "/export"):
			w = &relHeldWriter{ResponseWriter: w, gate: exportGate, ctx: req.Context()}
		case strings.HasSuffix(req.URL.Path, "/import"):
			req.Body = &relHeldReader{ReadCloser: req.Body, gate: importGate, ctx: req.Context()}
		}
	}
	e.srv.ServeHTTP(w, req)
}

func (e *relEmulator) setOverride(path string, fn func(http.ResponseWriter)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.overrides == nil {
		e.overrides = map[string]func(http.ResponseWriter){}
	}
	e.overrides[path] = fn
}

func (e *relEmulator) clearOverrides() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.overrides = nil
	e.cutPath = ""
	e.exportGate.close()
	e.importGate.close()
}

// export returns an export-schema of workspace 1 (encrypted with password when not empty),
// fetched with a plain HTTP request, as curl would.
func (e *relEmulator) export(t *testing.T, password string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"branch": "", "password": password})
	req, err := http.NewRequest(http.MethodPost, e.hs.URL+"/api:meta/workspace/1/export-schema", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export-schema of workspace 1: %d %v", resp.StatusCode, err)
	}
	return data
}

// outcome says how the emulator logged the POST request on path (below /api:meta), once it has.
func (e *relEmulator) outcome(t *testing.T, path string) string {
	for range 100 {
		recs, err := e.ctl.Requests(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range slices.Backward(recs) {
			if rec.Method == http.MethodPost && rec.Path == path {
				return fmt.Sprintf("the emulator logged POST %s with status %d and %d body bytes sent", path, rec.Status, rec.Bytes)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Sprintf("the emulator had not finished POST %s 10s after the CLI exited", path)
}

// relGate lets a transfer pass its first after bytes at full speed, then slows it to a trickle
// (relTrickle per relTrickleEvery) until the gate is opened: a long transfer whose peer sees
// every cancellation (a closed connection fails the next read or write). after < 0: no gate.
type relGate struct {
	after int64
	n     atomic.Int64
	once  sync.Once
	open  chan struct{}
	held  atomic.Bool
}

const (
	relTrickle      = 4 << 10
	relTrickleEvery = 100 * time.Millisecond
)

func newRelGate(after int64) *relGate {
	return &relGate{after: after, open: make(chan struct{})}
}

func (g *relGate) close() { g.once.Do(func() { close(g.open) }) }

// reached reports whether the transfer has been slowed down.
func (g *relGate) reached() bool { return g.held.Load() }

// pass is called before n more bytes move (n <= relTrickle once held).
func (g *relGate) pass(ctx context.Context, n int) error {
	if g.after < 0 || g.n.Add(int64(n)) <= g.after {
		return nil
	}
	select {
	case <-g.open:
		return nil
	default:
	}
	g.held.Store(true)
	t := time.NewTimer(relTrickleEvery)
	defer t.Stop()
	select {
	case <-t.C:
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

type relHeldWriter struct {
	http.ResponseWriter
	gate *relGate
	ctx  context.Context
}

func (w *relHeldWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), relTrickle)]
		if err := w.gate.pass(w.ctx, len(chunk)); err != nil {
			return written, err
		}
		n, err := w.ResponseWriter.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
		if w.gate.reached() {
			_ = http.NewResponseController(w.ResponseWriter).Flush() // the bytes go out now
		}
		p = p[n:]
	}
	return written, nil
}

func (w *relHeldWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type relHeldReader struct {
	io.ReadCloser
	gate *relGate
	ctx  context.Context
}

func (r *relHeldReader) Read(p []byte) (int, error) {
	if len(p) > relTrickle {
		p = p[:relTrickle]
	}
	n, err := r.ReadCloser.Read(p)
	if n > 0 {
		if gerr := r.gate.pass(r.ctx, n); gerr != nil {
			return n, gerr
		}
	}
	return n, err
}

// TestRelUnclear pins what the suite calls a clear error.
func TestRelUnclear(t *testing.T) {
	good := `
│ Error: Cannot create the branch
│
│   with xano_workspace_branch.feat,
│   on main.tf line 11, in resource "xano_workspace_branch" "feat":
│   11: resource "xano_workspace_branch" "feat" {
│
│ Creating branch "feat" in workspace 1 failed: choose another label.
╵
`
	cases := []struct {
		name, out string
		clear     bool
	}{
		{"clear", good, true},
		{"plain, no box", "Error: Source archive not found\n\nThe file in/x.tar.gz does not exist: write it first.\n", true},
		{"no diagnostic", "Apply complete!\n", false},
		{"summary only", "│ Error: execution halted\n│\n╵\n", false},
		{"summary and location only", "│ Error: Failed\n│\n│   with xano_workspace_branch.feat,\n│   on main.tf line 11, in resource \"xano_workspace_branch\" \"feat\":\n╵\n", false},
		{"crash", good + "panic: runtime error: invalid memory address\ngoroutine 1 [running]:\n", false},
		{"plugin gone", good + "Error: Plugin did not respond\n", false},
	}
	for _, tc := range cases {
		why := relUnclear(tc.out)
		if (why == "") != tc.clear {
			t.Errorf("%s: relUnclear = %q, want clear=%v", tc.name, why, tc.clear)
		}
	}
	if got := relFirstError(good); got != "Cannot create the branch" {
		t.Errorf("relFirstError = %q", got)
	}
}
