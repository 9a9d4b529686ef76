package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The emulator compared with itself (another one, started without its control API, as a real
// instance has none) shows no difference.
func TestConformanceAgainstTheEmulatorItself(t *testing.T) {
	inst := emulatortest.StartPublic(t, emulator.Options{Seed: "demo", AdminToken: "secret-instance-token"})
	var out, errOut bytes.Buffer
	err := run([]string{"conformance", "-instance", inst.URL, "-workspace", "1", "-token", "secret-instance-token"}, &out, &errOut)
	if err != nil {
		t.Fatalf("conformance: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "No difference.") {
		t.Fatalf("output:\n%s", out.String())
	}
	checkRedacted(t, out.String(), inst.URL, "secret-instance-token")
}

// A stand-in answering in older, documented shapes: every difference is listed, with neither
// its host nor its token.
func TestConformanceListsTheDifferencesOfAStandIn(t *testing.T) {
	const token = "stand-in-token-do-not-print"
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			writeJSON(w, 401, map[string]any{"code": "ERROR_CODE_UNAUTHORIZED", "message": "Invalid token.", "payload": ""})
			return
		}
		switch p := strings.TrimPrefix(r.URL.Path, "/api:meta"); p {
		case "/auth/me":
			writeJSON(w, 200, map[string]any{"id": 1, "name": "n", "email": "e"})
		case "/workspace":
			writeJSON(w, 200, []any{map[string]any{"id": 7, "name": "secret-name", "description": "", "branch": "v1"}})
		case "/workspace/7":
			writeJSON(w, 200, map[string]any{"id": 7, "name": "secret-name", "description": "", "branch": "v1",
				"created_at": 1767777114})
		case "/workspace/7/branch":
			writeJSON(w, 200, []any{map[string]any{"id": 3, "label": "v1", "live": true, "backup": false,
				"color": "#fff", "created_at": "2026-01-07 09:11:54+0000"}})
		case "/workspace/7/branch/v1":
			writeJSON(w, 200, map[string]any{"id": 3, "label": "v1", "live": true, "backup": false})
		default:
			writeJSON(w, 404, map[string]any{"code": "ERROR_CODE_NOT_FOUND", "message": "Invalid branch.", "payload": ""})
		}
	}))
	t.Cleanup(standIn.Close)

	t.Setenv("XANO_TOKEN", token) // the token need not be on the command line
	var out, errOut bytes.Buffer
	err := run([]string{"conformance", "-instance", standIn.URL, "-workspace", "7"}, &out, &errOut)
	if !errors.Is(err, errDifferences) {
		t.Fatalf("conformance: %v, want errDifferences\n%s%s", err, out.String(), errOut.String())
	}
	got := out.String()
	for _, row := range []string{
		"| GET /workspace/{workspace_id} | `$.created_at` | number | absent |",
		"| GET /workspace/{workspace_id} | `$.swagger` | absent | bool |",
		"| GET /workspace/{workspace_id} | `$.documentation` | absent | null |",
		"| GET /workspace/{workspace_id}/branch | `$[].id` | number | absent |",
		"| GET /workspace/{workspace_id}/branch | `$[].color` | string | absent |",
		"| GET /workspace/{workspace_id}/branch/{missing_label} (404) | error message | non-empty | empty |",
		"| GET /workspace/{workspace_id}/branch/{missing_label} (404) | `$.payload` | string | absent |",
		"| POST /workspace/{workspace_id}/export-schema (workspace.json) | status | 404 | 200 |",
	} {
		if !strings.Contains(got, row) {
			t.Errorf("no row %q in\n%s", row, got)
		}
	}
	checkRedacted(t, got, standIn.URL, token)
	if strings.Contains(got, "secret-name") {
		t.Errorf("a value was printed:\n%s", got)
	}
}

func checkRedacted(t *testing.T, out, origin, token string) {
	t.Helper()
	host := strings.TrimPrefix(origin, "http://")
	if strings.Contains(out, token) || strings.Contains(out, host) {
		t.Fatalf("the output names the token or the host:\n%s", out)
	}
}

func TestConformanceNeedsItsArguments(t *testing.T) {
	t.Setenv("XANO_TOKEN", "")
	for _, args := range [][]string{
		{"-workspace", "1", "-token", "t"},
		{"-instance", "http://127.0.0.1:1", "-workspace", "1"},
		{"-instance", "http://127.0.0.1:1", "-token", "t"},
	} {
		var out, errOut bytes.Buffer
		if err := run(append([]string{"conformance"}, args...), &out, &errOut); err == nil || errors.Is(err, errDifferences) {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// -against compares with an emulator started elsewhere (its token from -against-token).
func TestConformanceAgainstAnotherEmulator(t *testing.T) {
	inst := emulatortest.StartPublic(t, emulator.Options{Seed: "demo", AdminToken: "tok-a"})
	other := emulatortest.StartPublic(t, emulator.Options{Seed: "demo", AdminToken: "tok-b"})
	var out, errOut bytes.Buffer
	err := run([]string{"conformance", "-instance", inst.URL, "-workspace", "2", "-token", "tok-a",
		"-against", other.URL, "-against-token", "tok-b", "-against-workspace", "2"}, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "No difference.") {
		t.Fatalf("conformance: %v\n%s%s", err, out.String(), errOut.String())
	}
	checkRedacted(t, out.String(), other.URL, "tok-b")
}
