package provider

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// What the import resources share so that the promotion reviewed is the one applied: the
// planned explanation (changes, see changes.go), the content the reviewer approved
// (expected_content_sha256) and, for xano_workspace_import, the confirmation that the import may
// lose data (allow_data_loss).

// planGuards are the attributes of the import resources this file defines.
type planGuards struct {
	Changes               types.Object `tfsdk:"changes"`
	ExpectedContentSHA256 types.String `tfsdk:"expected_content_sha256"`
}

var (
	expectedContentAttr = path.Root("expected_content_sha256")
	allowDataLossAttr   = path.Root("allow_data_loss")
)

const (
	schemaImportChangesDescription = "For a new branch made live, the archive's objects are compared with the " +
		"workspace's live branch (one export-schema in memory at plan time); for a re-import of a new archive, " +
		"with what the branch held after its last import; for a drift repair, the branch as the last refresh " +
		"observed it with the archive last imported (the changes the repair undoes). Workspace-wide tables are " +
		"left out: every branch shares them, and Xano's import-schema does not remove or alter an existing table " +
		"(inferred), so a schema import loses no records and `destructive` stays empty."
	workspaceImportChangesDescription = "The archive's objects, tables included, are compared with the workspace's " +
		"live branch (one export-schema in memory at plan time, when the archive is known then). `destructive` " +
		"always lists the replacement of every record and the deletion of every branch but the live one, which " +
		"every full import does, with the row pages the archive brings, then the tables and columns it removes or " +
		"retypes."
)

// addPlanGuardAttributes adds changes and expected_content_sha256 to a resource's attributes,
// and allow_data_loss when dataLoss.
func addPlanGuardAttributes(attrs map[string]schema.Attribute, changesWhat string, dataLoss bool) {
	attrs["changes"] = changesSchema(changesWhat)
	attrs["expected_content_sha256"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The canonical content hash (`content_sha256` of `xano_workspace_snapshot`, or " +
			"`provider::xano::archive_content_sha256`) the archive must have: the one reviewed. Apply checks the " +
			"archive at `source_path` against it **before anything is imported** (and the plan, when it can read " +
			"the archive), and fails if it holds other content, so a plan reviewed from one archive cannot import " +
			"another written at the same path since. Unlike `source_sha256`, it does not depend on how the archive " +
			"was compressed or signed. An encrypted archive's content cannot be read: set it only for archives " +
			"exported without a password.",
		Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9a-f]{64}$`),
			"must be a SHA-256 in lowercase hex (64 characters)")},
	}
	if dataLoss {
		attrs["allow_data_loss"] = schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Confirms that the import may lose data. A full import replaces every record of " +
				"the workspace with the archive's and deletes every branch but the live one (Xano's documented " +
				"behaviour for the first, seen in client code for the second), and may remove tables and columns: " +
				"the plan lists these in `changes.destructive` and **fails unless this is `true`**. Review the plan " +
				"(and set `backup_path`) before setting it.",
		}
	}
}

// checkExpectedContent fails when expected is set and info's content is not it: the archive
// src is not the one reviewed. when says what happens now ("Nothing was imported", "The plan
// stops").
func checkExpectedContent(expected types.String, src importSource, info archive.Info, when string) diag.Diagnostics {
	var diags diag.Diagnostics
	if !isKnown(expected) {
		return diags
	}
	want := expected.ValueString()
	switch {
	case info.Encrypted:
		diags.AddAttributeError(expectedContentAttr, "Cannot check the archive's content",
			fmt.Sprintf("%s is encrypted, so its content cannot be compared with expected_content_sha256 "+
				"%s. %s. Remove expected_content_sha256 to import an encrypted archive, or import one exported "+
				"without a password.", src.label(), want, when))
	case info.ContentSHA256 == "":
		diags.AddAttributeError(expectedContentAttr, "Cannot check the archive's content",
			fmt.Sprintf("The content of %s could not be read whole (it is beyond the archive reader's "+
				"limits: see archive_inspection in the provider configuration), so it cannot be compared with "+
				"expected_content_sha256 %s. %s.", src.label(), want, when))
	case info.ContentSHA256 != want:
		diags.AddAttributeError(expectedContentAttr, "The archive is not the one reviewed",
			fmt.Sprintf("%s holds content %s, not expected_content_sha256 %s: the archive was replaced "+
				"since the plan was reviewed, or the expectation is out of date. %s. Review the new archive (plan "+
				"again) and update expected_content_sha256 if it is the one to import.", src.label(), info.ContentSHA256, want, when))
	}
	return diags
}

// dataLossError is the plan's error for an import that loses data without allow_data_loss.
func dataLossError(resourceWhat string, destructive []string) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.AddAttributeError(allowDataLossAttr, "The import loses data: allow_data_loss is not set",
		fmt.Sprintf("Applying this plan %s, which loses data:\n  %s\n\nXano cannot undo an import. If this is "+
			"intended, set allow_data_loss = true (and backup_path, to keep what is there now) and plan again; the "+
			"saved plan then shows the same list under changes.destructive.", resourceWhat, strings.Join(destructive, "\n  ")))
	return diags
}
