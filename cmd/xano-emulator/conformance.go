package main

// xano-emulator conformance: the read-only routes the provider uses, called on a real instance
// and on an emulator, and the differences of their answers' shapes as a table that can be pasted
// into an issue. Only shapes are printed (status codes, member names, value types, the codes of
// error bodies): no token, no host, no value.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// errDifferences is returned when the two sides differ (exit status 1, after the table).
var errDifferences = errors.New("the answers differ (see the table)")

// probeSide is one of the two Metadata APIs compared.
type probeSide struct {
	name   string // "instance" or "emulator"
	origin string // never printed
	token  string // never printed
	ws     int64
	client *http.Client
}

// probeAnswer is what one route answered, reduced to its shape.
type probeAnswer struct {
	status  int
	ctype   string            // media type
	shape   map[string]string // JSON path -> type ("string", "number", ...)
	empty   map[string]bool   // JSON paths of empty arrays (their elements are unknown)
	order   []string          // member order of the answer's (or the export bundle's payload) top object
	errCode string            // the "code" of an error body
	errMsg  string            // "empty" or "non-empty", for an error body
	note    string            // what could not be read (not JSON, not an archive...)
}

// probeRoute is one read-only route: its template (printed) and how to call it.
type probeRoute struct {
	name string
	call func(ctx context.Context, s *probeSide, live string) (*http.Response, error)
	// archive: the answer is an export archive, whose workspace.json is compared.
	archive bool
}

const maxProbeBody = 256 << 20

func probeGet(path string) func(ctx context.Context, s *probeSide, live string) (*http.Response, error) {
	return func(ctx context.Context, s *probeSide, live string) (*http.Response, error) {
		p := strings.ReplaceAll(path, "{workspace_id}", strconv.FormatInt(s.ws, 10))
		p = strings.ReplaceAll(p, "{live_label}", url.PathEscape(live))
		return s.do(ctx, http.MethodGet, p, nil, s.token)
	}
}

// probeRoutes are the routes the provider reads (and the error answers it relies on).
var probeRoutes = []probeRoute{
	{name: "GET /auth/me", call: probeGet("/auth/me")},
	{name: "GET /workspace", call: probeGet("/workspace")},
	{name: "GET /workspace/{workspace_id}", call: probeGet("/workspace/{workspace_id}")},
	{name: "GET /workspace/{workspace_id}/branch", call: probeGet("/workspace/{workspace_id}/branch")},
	{name: "GET /workspace/{workspace_id}/branch/{live_label}", call: probeGet("/workspace/{workspace_id}/branch/{live_label}")},
	{name: "GET /workspace/{workspace_id}/branch/{missing_label} (404)",
		call: probeGet("/workspace/{workspace_id}/branch/xano-conformance-no-such-branch-7f3a")},
	{name: "GET /workspace/{missing_id} (404)", call: probeGet("/workspace/2147483646")},
	{name: "GET /workspace/{workspace_id}/function?branch={missing_label} (404)",
		call: probeGet("/workspace/{workspace_id}/function?branch=xano-conformance-no-such-branch-7f3a")},
	// The 404s recorded on a live instance: exactly {"code":"ERROR_CODE_NOT_FOUND","message":""}.
	{name: "GET /workspace/{workspace_id}/table/{missing_id} (404)", call: probeGet("/workspace/{workspace_id}/table/2147483646")},
	{name: "GET /workspace/{workspace_id}/function/{missing_id} (404)", call: probeGet("/workspace/{workspace_id}/function/2147483646")},
	{name: "GET /workspace/{workspace_id}/apigroup/{missing_id} (404)", call: probeGet("/workspace/{workspace_id}/apigroup/2147483646")},
	// Who changed a drifted branch (the provider reads one page at a time, newest first).
	{name: "GET /workspace/{workspace_id}/audit_log", call: probeGet("/workspace/{workspace_id}/audit_log?page=1&per_page=1")},
	{name: "GET /workspace (invalid token, 401)", call: func(ctx context.Context, s *probeSide, _ string) (*http.Response, error) {
		return s.do(ctx, http.MethodGet, "/workspace", nil, "xano-conformance-invalid-token")
	}},
	{name: "POST /workspace/{workspace_id}/export-schema (workspace.json)", archive: true,
		call: func(ctx context.Context, s *probeSide, live string) (*http.Response, error) {
			body, _ := json.Marshal(map[string]string{"branch": live})
			return s.do(ctx, http.MethodPost, fmt.Sprintf("/workspace/%d/export-schema", s.ws), body, s.token)
		}},
}

func (s *probeSide) do(ctx context.Context, method, path string, body []byte, token string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.origin+"/api:meta"+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	return s.client.Do(req)
}

// probe calls a route and reduces the answer to its shape. Errors name the route only: never the
// host, the token or the answer.
func (s *probeSide) probe(ctx context.Context, rt probeRoute, live string) probeAnswer {
	resp, err := rt.call(ctx, s, live)
	if err != nil {
		return probeAnswer{note: "request failed: " + redactErr(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	a := probeAnswer{status: resp.StatusCode}
	a.ctype, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		a.note = "reading the answer failed"
		return a
	}
	if rt.archive && resp.StatusCode == http.StatusOK {
		root, err := archiveRoot(data)
		if err != nil {
			a.note = "not an archive with a root document"
			return a
		}
		data = root
	}
	a.read(data, resp.StatusCode >= 400)
	return a
}

// redactErr keeps an error's kind, not its text (which names the host).
func redactErr(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne):
		return "network error"
	}
	return "error"
}

// archiveRoot returns an export archive's root document (workspace.json, or what
// archive.RootDocumentRank ranks first).
func archiveRoot(data []byte) ([]byte, error) {
	var root []byte
	best := -1
	err := archive.Walk(bytes.NewReader(data), archive.Limits{}, func(e archive.Entry, body io.Reader) error {
		rank := archive.RootDocumentRank(e.Name)
		if rank <= 0 || (best > 0 && rank >= best) {
			return nil
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		root, best = b, rank
		return nil
	})
	if err == nil && root == nil {
		err = errors.New("no root document")
	}
	return root, err
}

// read fills the shape of a JSON answer.
func (a *probeAnswer) read(data []byte, isError bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		a.note = "not JSON"
		return
	}
	a.shape, a.empty = map[string]string{}, map[string]bool{}
	flatten("$", v, 0, a.shape, a.empty)
	a.order = memberOrder(data)
	if isError {
		if m, ok := v.(map[string]any); ok {
			a.errCode, _ = m["code"].(string)
			if msg, _ := m["message"].(string); msg == "" {
				a.errMsg = "empty"
			} else {
				a.errMsg = "non-empty"
			}
		}
	}
}

// maxProbeDepth is how deep shapes are compared (path segments below $): $.payload.query[].name.
const maxProbeDepth = 4

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// flatten records the type of v at path and, below maxProbeDepth, of its members (an array's
// elements are merged under path[]; two types of one path read "a|b").
func flatten(path string, v any, depth int, out map[string]string, empty map[string]bool) {
	t := jsonType(v)
	if prev, ok := out[path]; ok && prev != t && !strings.Contains("|"+prev+"|", "|"+t+"|") {
		parts := append(strings.Split(prev, "|"), t)
		sort.Strings(parts)
		t = strings.Join(parts, "|")
	}
	out[path] = t
	if depth >= maxProbeDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			flatten(path+"."+k, c, depth+1, out, empty)
		}
	case []any:
		if len(x) == 0 {
			empty[path] = true
		}
		for _, c := range x {
			flatten(path+"[]", c, depth+1, out, empty)
		}
	}
}

// memberOrder returns the member names of the answer's top object in order; for a bundle, those
// of its payload.
func memberOrder(data []byte) []string {
	keys := func(raw []byte) ([]string, map[string]json.RawMessage) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, nil
		}
		var out []string
		vals := map[string]json.RawMessage{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, nil
			}
			k, _ := tok.(string)
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				return nil, nil
			}
			out = append(out, k)
			vals[k] = v
		}
		return out, vals
	}
	order, vals := keys(data)
	if p, ok := vals["payload"]; ok {
		if po, _ := keys(p); po != nil {
			return po
		}
	}
	return order
}

// probeDiff is one row of the table.
type probeDiff struct{ route, what, instance, emulator string }

// compare lists how b (the emulator) differs from a (the instance).
func compare(route string, a, b probeAnswer) []probeDiff {
	var out []probeDiff
	add := func(what, x, y string) { out = append(out, probeDiff{route, what, x, y}) }
	if a.note != "" || b.note != "" {
		if a.note != b.note {
			add("answer", orDash(a.note, "read"), orDash(b.note, "read"))
		}
	}
	if a.status != b.status {
		add("status", strconv.Itoa(a.status), strconv.Itoa(b.status))
		return out // different answers: their bodies are not comparable
	}
	if a.ctype != b.ctype {
		add("content type", orDash(a.ctype, "none"), orDash(b.ctype, "none"))
	}
	if a.errCode != b.errCode {
		add("error code", orDash(a.errCode, "none"), orDash(b.errCode, "none"))
	}
	if a.errMsg != b.errMsg {
		add("error message", orDash(a.errMsg, "none"), orDash(b.errMsg, "none"))
	}
	paths := map[string]bool{}
	for p := range a.shape {
		paths[p] = true
	}
	for p := range b.shape {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	for _, p := range sorted {
		if unknownElements(p, a.empty, b.empty, a.shape, b.shape) {
			continue
		}
		x, y := orDash(a.shape[p], "absent"), orDash(b.shape[p], "absent")
		if x != y {
			add(p, x, y)
		}
	}
	if a.shape != nil && b.shape != nil && strings.Join(a.order, ",") != strings.Join(b.order, ",") {
		if sameSet(a.order, b.order) {
			i := 0
			for i < len(a.order) && a.order[i] == b.order[i] {
				i++
			}
			add("member order", fmt.Sprintf("#%d %s", i+1, a.order[i]), fmt.Sprintf("#%d %s", i+1, b.order[i]))
		}
	}
	return out
}

// unknownElements reports whether p lies below an array that is empty on one side (or both),
// whose elements can then not be compared.
func unknownElements(p string, ea, eb map[string]bool, sa, sb map[string]string) bool {
	for i := strings.Index(p, "[]"); i >= 0; {
		arr := p[:i]
		if ea[arr] || eb[arr] || sa[arr] == "" || sb[arr] == "" {
			return sa[arr] != "" || sb[arr] != ""
		}
		j := strings.Index(p[i+2:], "[]")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, ",") == strings.Join(y, ",")
}

func orDash(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// liveLabel reads the live branch's label from GET /workspace/{id}; "" when it cannot.
func (s *probeSide) liveLabel(ctx context.Context) string {
	resp, err := s.do(ctx, http.MethodGet, fmt.Sprintf("/workspace/%d", s.ws), nil, s.token)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var w struct {
		Branch string `json:"branch"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&w) != nil {
		return ""
	}
	return w.Branch
}

// runConformance is `xano-emulator conformance`.
func runConformance(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("xano-emulator conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	instance := fs.String("instance", "", "origin of the Xano instance to check, e.g. https://x1a2-b3c4.n7.xano.io (required)")
	token := fs.String("token", "", "its Metadata API token (read scope); default: the XANO_TOKEN environment variable")
	ws := fs.Int64("workspace", 0, "the ID of a workspace of the instance (required)")
	against := fs.String("against", "", "origin of the emulator to compare with; default: one started here, seeded with the demo instance")
	againstToken := fs.String("against-token", "", "the token of -against; default: XANO_AGAINST_TOKEN, else the emulator's development token")
	againstWS := fs.Int64("against-workspace", 1, "the workspace of the emulator to compare with")
	timeout := fs.Duration("timeout", 2*time.Minute, "timeout of each request")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: xano-emulator conformance -instance URL -workspace N [-token T] [-against URL]")
		fmt.Fprintln(stderr, "Calls the read-only routes the provider uses on a Xano instance and on an emulator, and prints the")
		fmt.Fprintln(stderr, "differences of their answers' shapes (status, members, value types, error codes): no token, host or")
		fmt.Fprintln(stderr, "value is printed. Exit status 1 when they differ.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("conformance: unexpected arguments: %v", fs.Args())
	}
	if *token == "" {
		*token = os.Getenv("XANO_TOKEN")
	}
	if *againstToken == "" {
		*againstToken = os.Getenv("XANO_AGAINST_TOKEN")
	}
	switch {
	case *instance == "":
		return errors.New("conformance: -instance is required (the origin of a Xano instance)")
	case *token == "":
		return errors.New("conformance: no token: set XANO_TOKEN (or -token)")
	case *ws <= 0:
		return errors.New("conformance: -workspace is required (the ID of a workspace of the instance)")
	}
	client := &http.Client{Timeout: *timeout}
	inst := &probeSide{name: "instance", origin: strings.TrimRight(*instance, "/"), token: *token, ws: *ws, client: client}
	emu := &probeSide{name: "emulator", origin: strings.TrimRight(*against, "/"), token: *againstToken, ws: *againstWS, client: client}
	what := "an emulator at -against"
	if *against == "" {
		srv, err := emulator.New(emulator.Options{Seed: "demo"})
		if err != nil {
			return err
		}
		defer srv.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		emu.origin, emu.token = "http://"+ln.Addr().String(), srv.AdminToken()
		what = "an emulator started here (demo seed, workspace " + strconv.FormatInt(emu.ws, 10) + ")"
	} else if emu.token == "" {
		emu.token = emulator.DevToken
	}
	diffs := probeAll(context.Background(), inst, emu)
	printDiffs(stdout, what, diffs)
	if len(diffs) > 0 {
		return errDifferences
	}
	return nil
}

// probeAll calls every route on both sides and returns the differences.
func probeAll(ctx context.Context, inst, emu *probeSide) []probeDiff {
	liveA, liveB := inst.liveLabel(ctx), emu.liveLabel(ctx)
	var diffs []probeDiff
	for _, rt := range probeRoutes {
		a := inst.probe(ctx, rt, liveA)
		b := emu.probe(ctx, rt, liveB)
		diffs = append(diffs, compare(rt.name, a, b)...)
	}
	return diffs
}

// printDiffs writes the table (Markdown), or says there is no difference.
func printDiffs(w io.Writer, what string, diffs []probeDiff) {
	fmt.Fprintf(w, "xano-emulator %s conformance: a Xano instance (host, token and values redacted) against %s\n", version, what)
	fmt.Fprintf(w, "%d read-only routes compared: status, content type, error code, JSON members and value types (to depth %d).\n\n",
		len(probeRoutes), maxProbeDepth)
	if len(diffs) == 0 {
		fmt.Fprintln(w, "No difference.")
		return
	}
	fmt.Fprintln(w, "| route | what | instance | emulator |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, d := range diffs {
		what := d.what
		if strings.HasPrefix(what, "$") {
			what = "`" + what + "`"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", d.route, what, d.instance, d.emulator)
	}
	fmt.Fprintf(w, "\n%d differences.\n", len(diffs))
}
