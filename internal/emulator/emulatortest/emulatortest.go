// Package emulatortest starts a Xano Metadata API emulator for a test and offers helpers that
// change it through its real HTTP routes, as a person in the Xano UI would.
package emulatortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// Instance is a running emulator.
type Instance struct {
	// URL is the instance origin, e.g. http://127.0.0.1:PORT (the Metadata API is URL+"/api:meta").
	URL string
	// Token is the admin token.
	Token   string
	Control *emulator.Control
	Server  *emulator.Server
	// HTTP is the test server itself; nil for a Remote instance.
	HTTP *httptest.Server
	// Client sends the helpers' requests when set (a Remote instance); else HTTP's client.
	Client *http.Client
}

// Branch is one row of a workspace's branch list (Live is false when the row omits it, see
// emulator.Options.OmitLiveOnNonLive).
type Branch struct {
	Label  string `json:"label"`
	Live   bool   `json:"live"`
	Backup bool   `json:"backup"`
}

// Function is a function of a branch, as the out-of-band function routes return it.
type Function struct {
	ID     int64  `json:"id"`
	GUID   string `json:"guid"`
	Name   string `json:"name"`
	Body   string `json:"body"`
	Branch string `json:"branch"`
}

// Start starts an emulator on 127.0.0.1 with the control API enabled, seeded with fx (nil: the
// demo seed), and closes it when the test ends.
func Start(t testing.TB, fx *emulator.Fixture) *Instance {
	t.Helper()
	if fx == nil {
		fx = emulator.DemoFixture()
	}
	return StartWith(t, emulator.Options{Fixture: fx})
}

// StartWith starts an emulator with the given options (the control API is always enabled) and
// closes it when the test ends.
func StartWith(t testing.TB, opts emulator.Options) *Instance {
	t.Helper()
	opts.Control = true
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	in := Serve(srv)
	t.Cleanup(func() {
		in.HTTP.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("emulatortest: close: %v", err)
		}
	})
	in.Token = srv.AdminToken()
	return in
}

// StartPublic starts an emulator as StartWith does, but without the control API: only the public
// Metadata API answers, as on a real Xano instance. Control is nil.
func StartPublic(t testing.TB, opts emulator.Options) *Instance {
	t.Helper()
	opts.Control = false
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	in := Serve(srv)
	in.Control = nil
	t.Cleanup(func() {
		in.HTTP.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("emulatortest: close: %v", err)
		}
	})
	return in
}

// Remote is an Instance for a Metadata API served elsewhere: a real Xano instance (origin, e.g.
// https://x1a2-b3c4.n7.xano.io) or an emulator started by someone else. Only the helpers that use
// the public Metadata API work: Control, Server and HTTP are nil.
func Remote(origin, token string) *Instance {
	return &Instance{URL: strings.TrimRight(origin, "/"), Token: token, Client: &http.Client{Timeout: 5 * time.Minute}}
}

func (in *Instance) client() *http.Client {
	if in.Client != nil {
		return in.Client
	}
	return in.HTTP.Client()
}

// Serve serves an existing Server on 127.0.0.1 (with its admin token as Token). The caller
// closes in.HTTP and the Server.
func Serve(srv *emulator.Server) *Instance {
	hs := httptest.NewServer(srv)
	return &Instance{
		URL:     hs.URL,
		Token:   srv.AdminToken(),
		Control: &emulator.Control{BaseURL: hs.URL, HTTP: hs.Client()},
		Server:  srv,
		HTTP:    hs,
	}
}

// MetaURL is the Metadata API base URL (URL + "/api:meta").
func (in *Instance) MetaURL() string { return in.URL + "/api:meta" }

// Do sends a request to path (below /api:meta, already escaped) with body encoded as JSON
// (nil: no body) and the admin token, and returns the status and the response body.
func (in *Instance) Do(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("emulatortest: encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, in.MetaURL()+path, rd)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	resp, err := in.client().Do(req)
	if err != nil {
		t.Fatalf("emulatortest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("emulatortest: %s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, data
}

// must sends a request that has to succeed and decodes its answer into out (when not nil).
func (in *Instance) must(t testing.TB, method, path string, body, out any) {
	t.Helper()
	status, data := in.Do(t, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("emulatortest: %s %s: %d %s", method, path, status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("emulatortest: %s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// AddFunction creates a function on a branch ("" = live), or replaces its body when a function
// of that name exists there.
func (in *Instance) AddFunction(t testing.TB, ws int64, branch, name, body string) Function {
	t.Helper()
	var f Function
	in.must(t, http.MethodPost, fmt.Sprintf("/workspace/%d/function", ws),
		map[string]string{"name": name, "body": body, "branch": branch}, &f)
	return f
}

// UpdateFunction replaces the body of a function by id.
func (in *Instance) UpdateFunction(t testing.TB, ws, id int64, body string) Function {
	t.Helper()
	var f Function
	in.must(t, http.MethodPut, fmt.Sprintf("/workspace/%d/function/%d", ws, id), map[string]string{"body": body}, &f)
	return f
}

// Functions lists the functions of a branch ("" = live).
func (in *Instance) Functions(t testing.TB, ws int64, branch string) []Function {
	t.Helper()
	var fs []Function
	for page := 1; ; page++ {
		var p struct {
			NextPage *int       `json:"nextPage"`
			Items    []Function `json:"items"`
		}
		in.must(t, http.MethodGet, fmt.Sprintf("/workspace/%d/function?branch=%s&page=%d&per_page=1000",
			ws, url.QueryEscape(branch), page), nil, &p)
		fs = append(fs, p.Items...)
		if p.NextPage == nil {
			return fs
		}
	}
}

// AddTable creates a workspace-wide table.
func (in *Instance) AddTable(t testing.TB, ws int64, name string) {
	t.Helper()
	in.must(t, http.MethodPost, fmt.Sprintf("/workspace/%d/table", ws), map[string]string{"name": name}, nil)
}

// CreateBranch clones source ("" = v1) into a new branch.
func (in *Instance) CreateBranch(t testing.TB, ws int64, label, source string) {
	t.Helper()
	body := map[string]string{"label": label}
	if source != "" {
		body["source_branch"] = source
	}
	in.must(t, http.MethodPost, fmt.Sprintf("/workspace/%d/branch", ws), body, nil)
}

// SetLive makes a branch live.
func (in *Instance) SetLive(t testing.TB, ws int64, label string) {
	t.Helper()
	in.must(t, http.MethodPost, fmt.Sprintf("/workspace/%d/branch/%s/live", ws, url.PathEscape(label)), nil, nil)
}

// DeleteBranch deletes a branch.
func (in *Instance) DeleteBranch(t testing.TB, ws int64, label string) {
	t.Helper()
	in.must(t, http.MethodDelete, fmt.Sprintf("/workspace/%d/branch/%s", ws, url.PathEscape(label)), nil, nil)
}

// Branches lists a workspace's branches in creation order.
func (in *Instance) Branches(t testing.TB, ws int64) []Branch {
	t.Helper()
	var bs []Branch
	in.must(t, http.MethodGet, fmt.Sprintf("/workspace/%d/branch", ws), nil, &bs)
	return bs
}

// LiveBranch returns the label of a workspace's live branch.
func (in *Instance) LiveBranch(t testing.TB, ws int64) string {
	t.Helper()
	var w struct {
		Branch string `json:"branch"`
	}
	in.must(t, http.MethodGet, fmt.Sprintf("/workspace/%d", ws), nil, &w)
	return w.Branch
}

// Export returns the bytes of an export (full) or export-schema of a branch ("" = live).
func (in *Instance) Export(t testing.TB, ws int64, branch string, full bool) []byte {
	t.Helper()
	route := "export-schema"
	if full {
		route = "export"
	}
	status, data := in.Do(t, http.MethodPost, fmt.Sprintf("/workspace/%d/%s", ws, route), map[string]string{"branch": branch})
	if status != http.StatusOK {
		t.Fatalf("emulatortest: %s: %d %s", route, status, data)
	}
	return data
}
