package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// getWorkspace reads a workspace, explaining a failure (an unknown workspace in particular).
func getWorkspace(ctx context.Context, client *xano.Client, id int64) (*xano.Workspace, diag.Diagnostics) {
	var diags diag.Diagnostics
	ws, err := client.GetWorkspace(ctx, id)
	switch {
	case xano.IsNotFound(err):
		// This 404 is the answer to reading the workspace: no second request is needed to explain it.
		diags.AddError(fmt.Sprintf("Workspace %d not found", id), notFoundExplanation(id, "", err))
	case err != nil:
		addAPIError(&diags, fmt.Sprintf("Cannot read workspace %d", id),
			fmt.Sprintf("Reading workspace %d failed.", id), err, readAccess)
	}
	return ws, diags
}
