// Package emulator is a local, faithful stand-in for the Xano Metadata API's workspace, branch,
// export and import routes (see DESIGN.md and the reference notes' emulator contract), plus enough
// of tables and functions to change a workspace out of band, and an optional control API for tests
// and demos (faults, request log, reset, seed).
package emulator

import (
	"net/http"
	"time"
)

// DevToken is the documented development admin token used when Options.AdminToken is empty.
const DevToken = "xano-emulator-dev-token"

// Options configures a Server.
type Options struct {
	// AdminToken is a token with every scope on every workspace. Empty: DevToken.
	AdminToken string
	// Control enables the control API under /_emulator/.
	Control bool
	// StateDir, when set, persists the state across restarts (atomic writes). Empty: memory only.
	StateDir string
	// Seed is "" (empty instance) or "demo" (workspace 1 "staging" with tables, rows and
	// functions; workspace 2 "production").
	Seed string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the emulator. It is an http.Handler serving /api:meta (and /api%3Ameta) and,
// when enabled, /_emulator/.
type Server struct{}

// New returns a Server with its initial state (loaded from StateDir, or seeded).
func New(opts Options) (*Server, error) { panic("not implemented") }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { panic("not implemented") }

// Close flushes persisted state and releases spooled files.
func (s *Server) Close() error { panic("not implemented") }
