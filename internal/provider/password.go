package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// passwordAttributes returns the archive password attributes shared by every object that
// exports or imports: password_wo with password_wo_version (write-only, never in state;
// Terraform and OpenTofu 1.11 or later) and, for older CLIs, password (sensitive, in state).
// what says what the password is for; versionChange says what changing password_wo_version does
// for this resource, since that differs (a new snapshot, or nothing for imports, which read the
// password at each import). Extra plan modifiers (such as RequiresReplace) are applied to
// password and password_wo_version.
func passwordAttributes(what, versionChange string, pm []planmodifier.String, pmVersion []planmodifier.Int64) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"password": schema.StringAttribute{
			MarkdownDescription: "The password " + what + ". It is stored in state (marked sensitive): prefer " +
				"`password_wo` on Terraform or OpenTofu 1.11 and later. Conflicts with `password_wo`.",
			Optional:      true,
			Sensitive:     true,
			PlanModifiers: pm,
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.ConflictsWith(path.MatchRoot("password_wo")),
			},
		},
		"password_wo": schema.StringAttribute{
			MarkdownDescription: "The password " + what + ", write-only: it never reaches state or plan. " +
				"Needs Terraform or OpenTofu 1.11 or later. See `password_wo_version`.",
			Optional:  true,
			Sensitive: true,
			WriteOnly: true,
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.ConflictsWith(path.MatchRoot("password")),
			},
		},
		"password_wo_version": schema.Int64Attribute{
			MarkdownDescription: "A number that stands for the value of `password_wo` in plans: write-only values " +
				"are not stored, so a change of the password alone is invisible to Terraform. " + versionChange,
			Optional:      true,
			PlanModifiers: pmVersion,
			Validators: []validator.Int64{
				int64validator.AlsoRequires(path.MatchRoot("password_wo")),
			},
		},
	}
}

// importPasswordVersionChange is versionChange for the import resources: they read the password
// from the configuration whenever they import.
const importPasswordVersionChange = "The password is read from the configuration at each import, so the " +
	"version only records that it changed: changing it imports nothing."

// passwordFromConfig returns the password configured with password or password_wo ("" for none).
// Write-only values are only ever in the configuration, never in plan or state.
func passwordFromConfig(ctx context.Context, cfg tfsdk.Config) (string, diag.Diagnostics) {
	var pw, wo types.String
	diags := cfg.GetAttribute(ctx, path.Root("password"), &pw)
	diags.Append(cfg.GetAttribute(ctx, path.Root("password_wo"), &wo)...)
	if diags.HasError() {
		return "", diags
	}
	if v := wo.ValueString(); v != "" {
		return v, diags
	}
	return pw.ValueString(), diags
}
