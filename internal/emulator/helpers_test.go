package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

type envelope struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Payload json.RawMessage `json:"payload"`
}

// call sends a request with an explicit token ("" = none) and content type.
func call(t testing.TB, in *emulatortest.Instance, method, path, token string, body io.Reader, contentType string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, in.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := in.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp, data
}

// wantError checks a status and Xano's envelope (code, and message when not empty).
func wantError(t testing.TB, status int, data []byte, wantStatus int, code, message string) envelope {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d (body %s)", status, wantStatus, data)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("error body %q is not the envelope: %v", data, err)
	}
	if env.Code != code {
		t.Fatalf("code %q, want %q (body %s)", env.Code, code, data)
	}
	if (message != "" || code == "ERROR_CODE_NOT_FOUND") && env.Message != message {
		t.Fatalf("message %q, want %q", env.Message, message)
	}
	if code == "ERROR_CODE_NOT_FOUND" && message == "" {
		// Recorded on a live instance: exactly this, no payload.
		if string(data) != `{"code":"ERROR_CODE_NOT_FOUND","message":""}` {
			t.Fatalf("404 body %s, want exactly {\"code\":\"ERROR_CODE_NOT_FOUND\",\"message\":\"\"}", data)
		}
	} else if env.Payload == nil && code != "ERROR_CODE_NOT_FOUND" {
		t.Fatalf("envelope without payload: %s", data)
	}
	return env
}

// decodeJSON unmarshals a response body into v, failing the test when it is not valid JSON of
// that shape.
func decodeJSON(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

func wantOK(t testing.TB, status int, data []byte) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200 (body %s)", status, data)
	}
}

// multipartBody builds an upload; with fileFirst the file part precedes the fields.
func multipartBody(t testing.TB, fields map[string]string, filename string, file []byte, fileFirst bool) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	writeFile := func() {
		if file == nil {
			return
		}
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if fileFirst {
		writeFile()
	}
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if !fileFirst {
		writeFile()
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// upload posts a multipart request to a meta route with the admin token.
func upload(t testing.TB, in *emulatortest.Instance, path string, fields map[string]string, filename string, file []byte, fileFirst bool) (int, []byte) {
	t.Helper()
	body, ct := multipartBody(t, fields, filename, file, fileFirst)
	resp, data := call(t, in, http.MethodPost, "/api:meta"+path, in.Token, body, ct)
	return resp.StatusCode, data
}

// exportWith posts an export request with a JSON body and returns the response and its bytes.
func exportWith(t testing.TB, in *emulatortest.Instance, ws int64, route string, body map[string]any) (*http.Response, []byte) {
	t.Helper()
	data, _ := json.Marshal(body)
	return call(t, in, http.MethodPost, fmt.Sprintf("/api:meta/workspace/%d/%s", ws, route), in.Token, bytes.NewReader(data), "application/json")
}

func inspect(t testing.TB, data []byte) archive.Info {
	t.Helper()
	info, err := archive.Inspect(bytes.NewReader(data), archive.Limits{})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return info
}

// entries returns an archive's entries by name.
func entries(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := archive.Walk(bytes.NewReader(data), archive.Limits{}, func(e archive.Entry, body io.Reader) error {
		b, err := io.ReadAll(body)
		out[e.Name] = b
		return err
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return out
}

// bundlePayload decodes the payload of a bundle entry.
func bundlePayload(t testing.TB, raw []byte) (typ string, payload map[string]json.RawMessage) {
	t.Helper()
	var b struct {
		Type    string                     `json:"type"`
		Payload map[string]json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("bundle: %v", err)
	}
	return b.Type, b.Payload
}

// functionNames returns the names of a bundle's functions, in order.
func functionNames(t testing.TB, payload map[string]json.RawMessage) []string {
	t.Helper()
	var fs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(payload["function"], &fs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func labels(bs []emulatortest.Branch) string {
	var out []string
	for _, b := range bs {
		s := b.Label
		if b.Live {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// rebuild rewrites an archive's entries (in the given order) with edit applied to each body.
func rebuild(t testing.TB, data []byte, edit func(name string, body []byte) []byte) []byte {
	t.Helper()
	var names []string
	bodies := map[string][]byte{}
	err := archive.Walk(bytes.NewReader(data), archive.Limits{}, func(e archive.Entry, body io.Reader) error {
		b, err := io.ReadAll(body)
		names = append(names, e.Name)
		bodies[e.Name] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := archive.NewWriter(&out, timeZero)
	for _, n := range names {
		b := edit(n, bodies[n])
		if err := w.AddFile(n, int64(len(b)), bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// startFunc starts an emulator seeded with fx (nil: the demo seed) for a test.
type startFunc func(t testing.TB, fx *emulator.Fixture) *emulatortest.Instance

// toggles are the faithfulness options of the reference's emulator contract (section 6) that
// the endpoint tests also run under: they must pass whatever the toggles.
var toggles = []struct {
	name string
	opts emulator.Options
}{
	{"default", emulator.Options{}},
	{"DoubleGzip", emulator.Options{DoubleGzip: true}},
	{"OmitLiveOnNonLive", emulator.Options{OmitLiveOnNonLive: true}},
}

// underEachToggle runs an endpoint test once per toggle, each as a subtest.
func underEachToggle(t *testing.T, test func(t *testing.T, start startFunc)) {
	for _, tg := range toggles {
		t.Run(tg.name, func(t *testing.T) {
			test(t, func(tb testing.TB, fx *emulator.Fixture) *emulatortest.Instance {
				tb.Helper()
				if fx == nil {
					fx = emulator.DemoFixture()
				}
				opts := tg.opts
				opts.Fixture = fx
				return emulatortest.StartWith(tb, opts)
			})
		})
	}
}
