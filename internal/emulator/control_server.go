package emulator

import (
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// serveControl serves the control API; rest is the path below /_emulator.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, rest string) {
	// The control API is unauthenticated. A web page the developer visits may POST to it, but
	// only with a "simple" content type (text/plain, a form, multipart) unless the browser asks
	// first (CORS preflight), which nothing here ever allows: every POST must say
	// application/json, body or not.
	// A browser sends the page's own host name as Host, also after a DNS rebinding attack has
	// pointed that name at this machine: only loopback hosts are answered.
	if !s.opts.ControlAnyHost && !loopbackHost(r.Host) {
		writeError(w, &apiError{Status: http.StatusForbidden, Code: codeAccessDenied,
			Message: "The control API answers only requests addressed to 127.0.0.1, [::1] or localhost."})
		return
	}
	if r.Method == http.MethodPost {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
			writeError(w, &apiError{Status: http.StatusUnsupportedMediaType, Code: codeInputError,
				Message: "The control API takes only Content-Type: application/json."})
			return
		}
	}
	switch {
	case rest == "/faults" && r.Method == http.MethodPost:
		var f Fault
		if err := decodeControl(w, r, &f); err != nil {
			writeError(w, err)
			return
		}
		if f.Count <= 0 {
			f.Count = 1
		}
		if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
			writeError(w, errInput("status must be an HTTP status code"))
			return
		}
		s.fmu.Lock()
		s.faults = append(s.faults, &f)
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, f)
	case rest == "/faults" && r.Method == http.MethodGet:
		s.fmu.Lock()
		out := make([]Fault, 0, len(s.faults))
		for _, f := range s.faults {
			out = append(out, *f)
		}
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case rest == "/faults" && r.Method == http.MethodDelete:
		s.fmu.Lock()
		s.faults = nil
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	case rest == "/requests" && r.Method == http.MethodGet:
		s.fmu.Lock()
		out := s.requests.list()
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case rest == "/requests" && r.Method == http.MethodDelete:
		s.fmu.Lock()
		s.requests.clear()
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	case rest == "/reset" && r.Method == http.MethodPost:
		if err := s.replaceState(s.initial); err != nil {
			writeError(w, err)
			return
		}
		s.fmu.Lock()
		s.faults = nil
		s.requests.clear()
		s.fmu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	case rest == "/seed" && r.Method == http.MethodPost:
		var fx Fixture
		if err := decodeControl(w, r, &fx); err != nil {
			writeError(w, err)
			return
		}
		if err := s.replaceState(&fx); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeError(w, errNotFound("Unknown control route."))
	}
}

// maxControlBody is the largest body of a control request (a fixture of many workspaces fits:
// rows are generated, not listed).
const maxControlBody = 16 << 20

func decodeControl(w http.ResponseWriter, r *http.Request, v any) error {
	limitBody(w, r, maxControlBody)
	data, err := io.ReadAll(r.Body)
	if isTooLarge(err) {
		return errTooLarge("The request body is too large (the control API takes up to 16 MiB).")
	}
	if err != nil {
		return errInput("Unable to read the request body.")
	}
	if len(data) == 0 {
		return errInput("A JSON body is required.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errInput("Invalid JSON: " + err.Error())
	}
	return nil
}

// replaceState replaces the whole state with a fixture's.
func (s *Server) replaceState(fx *Fixture) error {
	st, err := stateFromFixture(fx, s.now())
	if err != nil {
		return errInput("Invalid fixture: " + err.Error())
	}
	return s.mutate(func(c *state) error {
		*c = *st
		return nil
	})
}

// loopbackHost reports whether a request's Host (with or without a port) names this machine:
// localhost or a loopback IP.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
