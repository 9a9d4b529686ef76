package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// deleteBranch deletes a branch on behalf of a resource's Delete. A branch that is already gone
// counts as deleted. Xano cannot delete the live branch: rather than send a request bound to fail,
// it checks first and says how to proceed; advice is appended to that message with what the
// resource itself offers (", or set retain_on_destroy = true to keep it", ...), or "".
func deleteBranch(ctx context.Context, client *xano.Client, ws int64, label, advice string) diag.Diagnostics {
	var diags diag.Diagnostics
	b, err := client.GetBranch(ctx, ws, label)
	switch {
	case xano.IsNotFound(err):
		tflog.Info(ctx, "The branch is already gone", map[string]any{"workspace_id": ws, "branch": label})
		return diags
	case err != nil:
		addAPIError(&diags, "Cannot delete the branch",
			fmt.Sprintf("Reading branch %q of workspace %d before deleting it failed.", label, ws), err, readAccess)
		return diags
	case b.Live:
		diags.AddError("Cannot delete the live branch", liveBranchDeleteMessage(ws, label, advice))
		return diags
	}
	err = client.DeleteBranch(ctx, ws, label)
	switch {
	case err == nil || xano.IsNotFound(err):
		return diags
	case xano.IsInputError(err):
		// Another branch was live a moment ago; this one may have been made live since.
		addAPIError(&diags, "Xano refused to delete the branch",
			fmt.Sprintf("Xano refused to delete branch %q of workspace %d. Xano never deletes the live "+
				"branch nor v1: if this branch was made live in the meantime, make another branch live "+
				"first (in the Xano UI or with xano_workspace_live_branch)%s.", label, ws, advice), err, writeAccess)
	default:
		addAPIError(&diags, "Cannot delete the branch",
			fmt.Sprintf("Deleting branch %q of workspace %d failed.", label, ws), err, writeAccess)
	}
	return diags
}

// liveBranchDeleteMessage is the refusal to delete a live branch, with what to do instead.
func liveBranchDeleteMessage(ws int64, label, advice string) string {
	return fmt.Sprintf("Branch %q is the live branch of workspace %d, and Xano cannot delete a live branch. "+
		"Make another branch live first (in the Xano UI or with xano_workspace_live_branch)%s.", label, ws, advice)
}
