package provider

// Helpers of the acceptance tests about objects: a provider server that records the warnings
// its plans return (the testing framework shows the CLI's plan, not its warnings), plan checks on
// those warnings and on the plan's "changed outside of Terraform" section, and out-of-band edits
// of the emulator through the routes of the Metadata API, as a person in the Xano UI makes them.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// warningLog holds the warnings of the plans of one test.
type warningLog struct {
	mu       sync.Mutex
	warnings []string // "summary: detail"
}

func (l *warningLog) add(diags []*tfprotov6.Diagnostic) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			l.warnings = append(l.warnings, d.Summary+": "+d.Detail)
		}
	}
}

// reset forgets the warnings recorded so far (call it in a step's PreConfig).
func (l *warningLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.warnings = nil
}

func (l *warningLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.warnings)
}

// recordingServer is the provider's protocol server, recording the warnings of its plans.
type recordingServer struct {
	tfprotov6.ProviderServer
	log *warningLog
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.log.add(resp.Diagnostics)
	}
	return resp, err
}

// recordingFactories serves the provider as testAccProtoV6ProviderFactories does, recording the
// warnings of its plans in log.
func recordingFactories(log *warningLog) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xano": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			return recordingServer{ProviderServer: server, log: log}, err
		},
	}
}

// expectWarning is a plan check: one warning recorded since the last reset starts with summary
// and holds every one of lines.
func expectWarning(log *warningLog, summary string, lines ...string) plancheck.PlanCheck {
	return warningCheck{log: log, summary: summary, lines: lines}
}

// expectNoWarning is a plan check: no warning recorded since the last reset starts with summary.
func expectNoWarning(log *warningLog, summary string) plancheck.PlanCheck {
	return warningCheck{log: log, summary: summary, absent: true}
}

type warningCheck struct {
	log     *warningLog
	summary string
	lines   []string
	absent  bool
}

func (c warningCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	all := c.log.all()
	for _, w := range all {
		if !strings.HasPrefix(w, c.summary) {
			continue
		}
		if c.absent {
			resp.Error = fmt.Errorf("unexpected warning:\n%s", w)
			return
		}
		missing := ""
		for _, l := range c.lines {
			if !strings.Contains(w, l) {
				missing = l
				break
			}
		}
		if missing == "" {
			return
		}
		resp.Error = fmt.Errorf("warning %q lacks %q:\n%s", c.summary, missing, w)
		return
	}
	if !c.absent {
		resp.Error = fmt.Errorf("no warning %q among the %d recorded:\n%s", c.summary, len(all), strings.Join(all, "\n---\n"))
	}
}

// expectObjectDrift is a plan check on the plan's "Objects have changed outside of Terraform"
// section (resource_drift): the objects attribute of addr changed by exactly these keys.
func expectObjectDrift(addr string, added, changed, removed []string) plancheck.PlanCheck {
	return objectDriftCheck{addr: addr, want: [3][]string{added, changed, removed}}
}

type objectDriftCheck struct {
	addr string
	want [3][]string
}

func (c objectDriftCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceDrift {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		before, after := driftObjects(rc.Change.Before), driftObjects(rc.Change.After)
		var got [3][]string
		for k, v := range after {
			if b, ok := before[k]; !ok {
				got[0] = append(got[0], k)
			} else if b != v {
				got[1] = append(got[1], k)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				got[2] = append(got[2], k)
			}
		}
		for i, what := range []string{"added", "changed", "removed"} {
			g, w := slices.Sorted(slices.Values(got[i])), slices.Sorted(slices.Values(c.want[i]))
			if !slices.Equal(g, w) {
				resp.Error = fmt.Errorf("objects %s outside of Terraform: %q, want %q", what, g, w)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("the plan shows no change of %s outside of Terraform", c.addr)
}

func driftObjects(v any) map[string]any {
	m, _ := v.(map[string]any)
	objs, _ := m["objects"].(map[string]any)
	return objs
}

// ---- out-of-band edits, on the routes of the OpenAPI file ----

// oobDo does one out-of-band request and fails the test unless it is answered 200.
func oobDo(t *testing.T, inst *emulatortest.Instance, method, path string, body any) {
	t.Helper()
	if status, data := inst.Do(t, method, path, body); status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, status, data)
	}
}

// oobList returns the items of a list route (a paged answer, or a bare array) as name -> id.
func oobList(t *testing.T, inst *emulatortest.Instance, path string) map[string]int64 {
	t.Helper()
	status, data := inst.Do(t, http.MethodGet, path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, data)
	}
	type item struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Verb string `json:"verb"`
	}
	var items []item
	if json.Unmarshal(data, &items) != nil {
		var paged struct {
			Items []item `json:"items"`
		}
		if err := json.Unmarshal(data, &paged); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, data)
		}
		items = paged.Items
	}
	out := map[string]int64{}
	for _, it := range items {
		key := it.Name
		if it.Verb != "" {
			key = it.Verb + " " + it.Name
		}
		out[key] = it.ID
	}
	return out
}

func oobFunctionID(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name string) int64 {
	t.Helper()
	id, ok := oobList(t, inst, fmt.Sprintf("/workspace/%d/function?branch=%s&per_page=1000", ws, branch))[name]
	if !ok {
		t.Fatalf("no function %q in branch %q of workspace %d", name, branch, ws)
	}
	return id
}

func oobDeleteFunction(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name string) {
	t.Helper()
	oobDo(t, inst, http.MethodDelete, fmt.Sprintf("/workspace/%d/function/%d", ws, oobFunctionID(t, inst, ws, branch, name)), nil)
}

// oobPublicGroupID is the id of API group public (the demo seed) in a branch.
func oobPublicGroupID(t *testing.T, inst *emulatortest.Instance, ws int64, branch string) int64 {
	t.Helper()
	id, ok := oobList(t, inst, fmt.Sprintf("/workspace/%d/apigroup?branch=%s&per_page=1000", ws, branch))["public"]
	if !ok {
		t.Fatalf("no API group public in branch %q of workspace %d", branch, ws)
	}
	return id
}

func oobAddEndpoint(t *testing.T, inst *emulatortest.Instance, ws, group int64, verb, path, desc string) {
	t.Helper()
	oobDo(t, inst, http.MethodPost, fmt.Sprintf("/workspace/%d/apigroup/%d/api", ws, group),
		map[string]any{"name": path, "verb": verb, "description": desc, "tag": []string{}})
}

func oobEndpointID(t *testing.T, inst *emulatortest.Instance, ws, group int64, verb, path string) int64 {
	t.Helper()
	id, ok := oobList(t, inst, fmt.Sprintf("/workspace/%d/apigroup/%d/api?per_page=1000", ws, group))[verb+" "+path]
	if !ok {
		t.Fatalf("no endpoint %s %s in API group %d of workspace %d", verb, path, group, ws)
	}
	return id
}

func oobUpdateEndpoint(t *testing.T, inst *emulatortest.Instance, ws, group int64, verb, path, desc string) {
	t.Helper()
	oobDo(t, inst, http.MethodPut, fmt.Sprintf("/workspace/%d/apigroup/%d/api/%d", ws, group, oobEndpointID(t, inst, ws, group, verb, path)),
		map[string]any{"name": path, "verb": verb, "description": desc})
}

// oobDeleteLegacyEndpoint deletes the endpoint GET legacy (the demo seed) of an API group.
func oobDeleteLegacyEndpoint(t *testing.T, inst *emulatortest.Instance, ws, group int64) {
	t.Helper()
	oobDo(t, inst, http.MethodDelete, fmt.Sprintf("/workspace/%d/apigroup/%d/api/%d", ws, group, oobEndpointID(t, inst, ws, group, "GET", "legacy")), nil)
}

func oobAddTask(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name, desc string) {
	t.Helper()
	oobDo(t, inst, http.MethodPost, fmt.Sprintf("/workspace/%d/task", ws),
		map[string]any{"branch": branch, "name": name, "description": desc, "active": true})
}

func oobTaskID(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name string) int64 {
	t.Helper()
	id, ok := oobList(t, inst, fmt.Sprintf("/workspace/%d/task?branch=%s&per_page=1000", ws, branch))[name]
	if !ok {
		t.Fatalf("no task %q in branch %q of workspace %d", name, branch, ws)
	}
	return id
}

func oobUpdateTask(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name, desc string) {
	t.Helper()
	oobDo(t, inst, http.MethodPut, fmt.Sprintf("/workspace/%d/task/%d", ws, oobTaskID(t, inst, ws, branch, name)),
		map[string]any{"name": name, "description": desc, "active": true})
}

func oobDeleteTask(t *testing.T, inst *emulatortest.Instance, ws int64, branch, name string) {
	t.Helper()
	oobDo(t, inst, http.MethodDelete, fmt.Sprintf("/workspace/%d/task/%d", ws, oobTaskID(t, inst, ws, branch, name)), nil)
}

// mapKeysFunc is a value check of a map's keys.
type mapKeysFunc func(keys []string) error

func (f mapKeysFunc) CheckValue(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("expected a map, got %T", v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return f(keys)
}

func (f mapKeysFunc) String() string { return "map keys" }

// requestCount is a plan check: the emulator received want requests method path since its
// request log was last cleared.
func requestCount(inst *emulatortest.Instance, method, path string, want int) plancheck.PlanCheck {
	return requestCountCheck{inst: inst, method: method, path: path, want: want}
}

type requestCountCheck struct {
	inst         *emulatortest.Instance
	method, path string
	want         int
}

func (c requestCountCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	n, err := countRequests(c.inst, c.method, c.path)
	if err == nil && n != c.want {
		err = fmt.Errorf("the plan made %d requests %s %s, want %d", n, c.method, c.path, c.want)
	}
	resp.Error = err
}
