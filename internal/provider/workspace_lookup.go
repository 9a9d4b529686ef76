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
		diags.AddError(fmt.Sprintf("Workspace %d not found", id), explainNotFound(ctx, client, id, ""))
	case err != nil:
		addAPIError(&diags, fmt.Sprintf("Cannot read workspace %d", id),
			fmt.Sprintf("Reading workspace %d failed.", id), err, readAccess)
	}
	return ws, diags
}
