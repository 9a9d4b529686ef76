package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform >= 1.12, OpenTofu >= 1.12) names the Xano object a resource stands
// for with typed attributes, so that an import block can say
//
//	identity = { workspace_id = 2, label = "feature/x" }
//
// instead of an ID string to escape. Older CLIs neither send nor store identity: for them the
// resources are unchanged and import by ID works as before.

// identityWorkspaceID is the identity attribute holding the workspace ID.
const identityWorkspaceID = "workspace_id"

// workspaceIdentityAttribute is the workspace_id attribute of an identity.
func workspaceIdentityAttribute() identityschema.Int64Attribute {
	return identityschema.Int64Attribute{
		Description:       "The ID of the workspace.",
		RequiredForImport: true,
	}
}

// workspaceIdentitySchema is the identity of an object that stands for a whole workspace.
func workspaceIdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		identityWorkspaceID: workspaceIdentityAttribute(),
	}}
}

// branchIdentitySchema is the identity of an object that stands for one branch: its workspace and
// its label, under labelAttr (the resource's own name for the label, "label" or "branch"). The
// label is the branch's label as it is: never URL-escaped, unlike in the import ID.
func branchIdentitySchema(labelAttr string) identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		identityWorkspaceID: workspaceIdentityAttribute(),
		labelAttr: identityschema.StringAttribute{
			Description:       "The label of the branch, as it is (not URL-escaped), e.g. `feature/x`.",
			RequiredForImport: true,
		},
	}}
}

// setWorkspaceIdentity records ws as the identity. identity is nil for a resource without an
// identity schema; the framework gives one to every operation of a resource that has one.
func setWorkspaceIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, ws int64) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.SetAttribute(ctx, path.Root(identityWorkspaceID), ws)
}

// setBranchIdentity records ws and label (under labelAttr) as the identity.
func setBranchIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, labelAttr string, ws int64, label string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	diags := identity.SetAttribute(ctx, path.Root(identityWorkspaceID), ws)
	diags.Append(identity.SetAttribute(ctx, path.Root(labelAttr), label)...)
	return diags
}

// importTarget is what an import names: by the import ID (terraform import, or an import block's
// id) or by an import block's identity.
type importTarget struct {
	WorkspaceID int64
	Label       string // empty for an object that stands for a whole workspace
	// What is how the import named it, for messages: `import ID "2/x"` or
	// `import identity {workspace_id = 2, label = "x"}`.
	What string
}

// branchImportTarget reads the branch an import names: the import ID "<workspace_id>/<label>"
// (label URL-escaped or not, see parseBranchID) or, without an ID, the identity's workspace_id and
// labelAttr.
func branchImportTarget(ctx context.Context, req resource.ImportStateRequest, labelAttr string) (importTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	if req.ID != "" || req.Identity == nil {
		ws, label, err := parseBranchID(req.ID)
		if err != nil {
			diags.AddError("Invalid import ID", err.Error())
		}
		return importTarget{WorkspaceID: ws, Label: label, What: fmt.Sprintf("import ID %q", req.ID)}, diags
	}

	ws, wsDiags := identityWorkspace(ctx, req.Identity)
	diags.Append(wsDiags...)
	var label types.String
	diags.Append(req.Identity.GetAttribute(ctx, path.Root(labelAttr), &label)...)
	if diags.HasError() {
		return importTarget{}, diags
	}
	if label.IsNull() || label.IsUnknown() || label.ValueString() == "" {
		diags.AddError("Invalid import identity",
			fmt.Sprintf("The import identity has no %s: give the branch's label as it is (not URL-escaped), e.g. "+
				"identity = { workspace_id = 2, %s = \"release_1\" }.", labelAttr, labelAttr))
		return importTarget{}, diags
	}
	return importTarget{
		WorkspaceID: ws,
		Label:       label.ValueString(),
		What: fmt.Sprintf("import identity {workspace_id = %d, %s = %q}",
			ws, labelAttr, label.ValueString()),
	}, diags
}

// workspaceImportTarget reads the workspace an import of typeName names: the import ID
// "<workspace_id>" or, without an ID, the identity's workspace_id.
func workspaceImportTarget(ctx context.Context, req resource.ImportStateRequest, typeName string) (importTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	if req.ID != "" || req.Identity == nil {
		ws, err := strconv.ParseInt(req.ID, 10, 64)
		if err != nil || ws <= 0 {
			diags.AddError("Invalid import ID",
				fmt.Sprintf("The import ID %q is not a workspace ID: import %s by the ID of its workspace, e.g. 2.",
					req.ID, typeName))
		}
		return importTarget{WorkspaceID: ws, What: fmt.Sprintf("import ID %q", req.ID)}, diags
	}
	ws, diags := identityWorkspace(ctx, req.Identity)
	return importTarget{WorkspaceID: ws, What: fmt.Sprintf("import identity {workspace_id = %d}", ws)}, diags
}

// identityWorkspace reads and checks an import identity's workspace_id.
func identityWorkspace(ctx context.Context, identity *tfsdk.ResourceIdentity) (int64, diag.Diagnostics) {
	var ws types.Int64
	diags := identity.GetAttribute(ctx, path.Root(identityWorkspaceID), &ws)
	if diags.HasError() {
		return 0, diags
	}
	if ws.IsNull() || ws.IsUnknown() || ws.ValueInt64() <= 0 {
		diags.AddError("Invalid import identity",
			"The import identity's workspace_id is missing or not a workspace ID: give the ID of the workspace, "+
				"e.g. identity = { workspace_id = 2, ... }.")
		return 0, diags
	}
	return ws.ValueInt64(), diags
}
