package provider

import (
	"context"
	"fmt"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// explainNotFound says which of workspace ws and branch label a 404 was about, by asking for the
// workspace: Xano answers 404 for both. label "" means the request named no branch. The answer
// names what to check next. A 404 to a request for the workspace itself needs no second request:
// explain it with notFoundExplanation.
func explainNotFound(ctx context.Context, client *xano.Client, ws int64, label string) string {
	_, err := client.GetWorkspace(ctx, ws)
	return notFoundExplanation(ws, label, err)
}

// notFoundExplanation is explainNotFound once the outcome of reading workspace ws is known:
// wsErr is the error of GET /workspace/{ws} (nil when the workspace exists).
func notFoundExplanation(ws int64, label string, wsErr error) string {
	switch {
	case wsErr == nil && label != "":
		return fmt.Sprintf("Workspace %d has no branch %q. Check the label (labels are case-sensitive); the "+
			"xano_workspace_branches data source lists the workspace's branches.", ws, label)
	case wsErr == nil:
		return fmt.Sprintf("Workspace %d exists, but Xano answered that what was asked of it was not found.", ws)
	case xano.IsNotFound(wsErr) || xano.IsAccessDenied(wsErr):
		return fmt.Sprintf("Workspace %d does not exist, or the token cannot see it. Check workspace_id; the "+
			"xano_workspaces data source lists the workspaces the token can see.", ws)
	}
	return fmt.Sprintf("Xano answered 404 for workspace %d, and checking whether the workspace exists failed too: %s", ws, wsErr)
}
