package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// password_wo_version means something else on each resource, and its description says what.
func TestPasswordVersionDescriptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    resource.Resource
		want string
	}{
		{newWorkspaceSnapshotResource(), "makes a new snapshot"},
		{newWorkspaceImportResource(), "changing it imports nothing"},
		{newWorkspaceSchemaImportResource(), "changing it imports nothing"},
	} {
		var meta resource.MetadataResponse
		tc.r.Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "xano"}, &meta)
		var resp resource.SchemaResponse
		tc.r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
		desc := resp.Schema.Attributes["password_wo_version"].GetMarkdownDescription()
		if !strings.Contains(desc, tc.want) {
			t.Errorf("%s: password_wo_version says %q, want it to say %q", meta.TypeName, desc, tc.want)
		}
	}
}

// A refused encrypted import does not tell users to bump password_wo_version: imports read the
// password from the configuration every time.
func TestImportFailedPasswordAdvice(t *testing.T) {
	t.Parallel()
	err := &xano.APIError{StatusCode: 400, Message: "Invalid password", Method: "POST", Path: "/workspace/2/import"}
	diags := importFailed(context.Background(), nil, 2, "staging.tar.gz", types.StringNull(), true, err)
	if !diags.HasError() {
		t.Fatal("no error")
	}
	detail := diags.Errors()[0].Detail()
	if strings.Contains(detail, "password_wo_version") {
		t.Errorf("the advice mentions password_wo_version, which changes nothing for an import: %s", detail)
	}
	if !strings.Contains(detail, "the password (password or password_wo) is the one it was exported with") {
		t.Errorf("the advice does not say to check the password: %s", detail)
	}
}
