package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// An unknown workspace is explained from the 404 that reading it returned: one request, not a
// second GET to find out what the first one already said.
func TestGetWorkspace_notFoundAsksOnce(t *testing.T) {
	t.Parallel()
	inst := startEmulator(t, nil)
	client, err := xano.New(xano.Config{BaseURL: inst.URL, Token: inst.Token})
	if err != nil {
		t.Fatal(err)
	}
	clearRequests(t, inst)

	_, diags := getWorkspace(context.Background(), client, 99)
	if !diags.HasError() {
		t.Fatal("reading workspace 99 succeeded; want a not-found error")
	}
	if got := diags.Errors()[0]; got.Summary() != "Workspace 99 not found" ||
		!strings.Contains(got.Detail(), "Workspace 99 does not exist, or the token cannot see it") {
		t.Errorf("got %q: %q", got.Summary(), got.Detail())
	}
	n, err := countRequests(inst, http.MethodGet, "/workspace/99")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("GET /workspace/99 was sent %d times, want once", n)
	}
}
