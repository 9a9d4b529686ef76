package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// The in-place re-import of xano_workspace_schema_import keeps the branch's label. Xano cannot
// import into an existing branch, so the archive goes into a temporary branch, which takes the
// old branch's place: when the old branch is live, the temporary one is made live first (Xano
// cannot delete a live branch); the old branch is deleted, and the temporary one renamed to the
// label; only then, when set_live asks for it, is a branch that was not live made live. So the
// workspace's live branch never changes unless the re-import succeeds. Until the old branch is
// deleted, every failure deletes the temporary branch and makes the branch that was live before
// live again; after it, the error says which branch holds the import and how to finish by hand.

// cleanupTimeout bounds the requests that undo a failed operation; they run even when the
// operation's own deadline has passed.
const cleanupTimeout = 2 * time.Minute

// reimportInput is one re-import of a branch.
type reimportInput struct {
	WorkspaceID int64
	Label       string
	Source      importSource
	Encrypted   bool // the source is an encrypted archive
	Password    string
	SetLive     bool
	// Description is the branch description to set on the renamed branch (the provenance).
	Description string
}

// reimportOutcome says where a re-import stopped.
type reimportOutcome int

const (
	// reimportUnchanged: the old branch is as it was (the re-import failed before deleting it).
	reimportUnchanged reimportOutcome = iota
	// reimportDone: the label now holds the new import.
	reimportDone
	// reimportStranded: the old branch was deleted but the temporary branch holding the new
	// import could not be renamed to the label.
	reimportStranded
)

// reimportBranch re-imports in.Source into the branch in.Label, keeping the label. It returns
// the temporary label it used along with the outcome.
func reimportBranch(ctx context.Context, client *xano.Client, in reimportInput) (reimportOutcome, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	ws, label := in.WorkspaceID, in.Label
	summary := fmt.Sprintf("Cannot re-import branch %q of workspace %d", label, ws)

	old, err := client.GetBranch(ctx, ws, label)
	if err != nil {
		detail := fmt.Sprintf("Reading branch %q of workspace %d before re-importing it failed; nothing was changed.", label, ws)
		if xano.IsNotFound(err) {
			detail += " " + explainNotFound(ctx, client, ws, label) + " Run terraform plan again: when the branch " +
				"is gone, Terraform proposes to create it."
		}
		addAPIError(&diags, summary, detail, err, readAccess)
		return reimportUnchanged, "", diags
	}

	// The branch to make live again if the re-import is rolled back.
	liveBefore := label
	if !old.Live {
		w, wdiags := getWorkspace(ctx, client, ws)
		if wdiags.HasError() {
			diags.Append(wdiags...)
			diags.AddError(summary, fmt.Sprintf("Reading workspace %d before re-importing branch %q failed; nothing "+
				"was changed.", ws, label))
			return reimportUnchanged, "", diags
		}
		liveBefore = w.Branch
	}

	tmp := temporaryLabel(label)
	ctx = tflog.SetField(ctx, "temporary_branch", tmp)

	tflog.Info(ctx, "Importing the archive into a temporary branch", map[string]any{"source": in.Source.String()})
	err = client.ImportSchema(ctx, ws, xano.ImportSchemaInput{
		File:      sourceArchive(ctx, in.Source, fmt.Sprintf("import-schema into workspace %d branch %q", ws, tmp), nil),
		NewBranch: tmp,
		Password:  in.Password,
	})
	if err != nil {
		addAPIError(&diags, summary,
			fmt.Sprintf("Importing %s into the temporary branch %q of workspace %d failed. %s%s",
				in.Source.label(), tmp, ws, importRefusalAdvice(ctx, client, ws, err, in.Encrypted),
				rollBack(ctx, client, ws, label, tmp, liveBefore)),
			err, writeAccess)
		return reimportUnchanged, tmp, diags
	}

	if old.Live {
		if _, err := client.SetLiveBranch(ctx, ws, tmp); err != nil {
			addAPIError(&diags, summary,
				fmt.Sprintf("The archive was imported into the temporary branch %q of workspace %d, but making it live "+
					"(so that it can replace branch %q) failed. %s Apply again once the cause is fixed.",
					tmp, ws, label, rollBack(ctx, client, ws, label, tmp, liveBefore)),
				err, writeAccess)
			return reimportUnchanged, tmp, diags
		}
	}

	if err := client.DeleteBranch(ctx, ws, label); err != nil && !xano.IsNotFound(err) {
		// The request may have succeeded even though its answer was lost: look before undoing.
		if _, getErr := client.GetBranch(ctx, ws, label); !xano.IsNotFound(getErr) {
			addAPIError(&diags, summary,
				fmt.Sprintf("The archive was imported into the temporary branch %q of workspace %d, but deleting the "+
					"old branch %q, to rename the new one in its place, failed. %s Apply again once the cause is fixed.",
					tmp, ws, label, rollBack(ctx, client, ws, label, tmp, liveBefore)),
				err, writeAccess)
			return reimportUnchanged, tmp, diags
		}
	}

	desc := in.Description
	if _, err := client.UpdateBranch(ctx, ws, tmp, xano.UpdateBranchInput{Label: &label, Description: &desc}); err != nil {
		if _, getErr := client.GetBranch(ctx, ws, label); getErr == nil {
			tflog.Warn(ctx, "Renaming the temporary branch reported an error, but the branch has its label", map[string]any{"error": err.Error()})
			diags.Append(makeLiveAfterReimport(ctx, client, ws, label, !old.Live && in.SetLive)...)
			return reimportDone, tmp, diags
		}
		liveNote := ""
		if old.Live {
			liveNote = fmt.Sprintf(" Branch %q is live.", tmp)
		}
		addAPIError(&diags, fmt.Sprintf("Re-import of branch %q of workspace %d left the import under a temporary label", label, ws),
			fmt.Sprintf("The old branch %q of workspace %d was deleted and the archive %q is now in branch %q, "+
				"but renaming %q to %q failed.%s To finish, rename branch %q to %q in the Xano UI and run terraform "+
				"apply again: the resource takes the renamed branch as it is. Otherwise the next plan proposes to "+
				"create %q from the archive again; delete %q once another branch is live.",
				label, ws, in.Source.String(), tmp, tmp, label, liveNote, tmp, label, label, tmp),
			err, writeAccess)
		return reimportStranded, tmp, diags
	}
	tflog.Info(ctx, "Re-imported the branch under its label", map[string]any{"branch": label})
	diags.Append(makeLiveAfterReimport(ctx, client, ws, label, !old.Live && in.SetLive)...)
	return reimportDone, tmp, diags
}

// makeLiveAfterReimport makes the re-imported branch live when it was not live before and set_live
// asks for it: last, so that a failed re-import never changes the workspace's live branch. A
// failure here leaves the import done and the branch not live, which the next plan proposes to fix.
func makeLiveAfterReimport(ctx context.Context, client *xano.Client, ws int64, label string, makeLive bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if !makeLive {
		return diags
	}
	if _, err := client.SetLiveBranch(ctx, ws, label); err != nil {
		addAPIError(&diags, fmt.Sprintf("Cannot make branch %q of workspace %d live", label, ws),
			fmt.Sprintf("Branch %q of workspace %d was re-imported, but making it live failed; the live branch is "+
				"unchanged. Apply again to make it live.", label, ws), err, writeAccess)
	}
	return diags
}

// temporaryLabel is the label a re-import of label goes into first: "<label>__tf_<random>", or
// "tf_reimport_<random>" when that would be too long.
func temporaryLabel(label string) string {
	suffix := randomLabelSuffix()
	if l := label + "__tf_" + suffix; checkBranchLabel(l, true) == "" {
		return l
	}
	return "tf_reimport_" + suffix
}

const labelAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomLabelSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = labelAlphabet[int(b[i])%len(labelAlphabet)]
	}
	return string(b)
}

// discardBranch deletes a branch the resource made and does not keep (a temporary branch, or the
// remains of a failed import), if it exists. When it is live and restoreLive is set, restoreLive
// is made live again first (Xano never deletes the live branch). It has its own deadline, so that
// it also cleans up after the operation's timeout. It returns what it did, as a sentence for the
// error that explains the failure, and whether nothing is left to do by hand.
func discardBranch(ctx context.Context, client *xano.Client, ws int64, label, restoreLive string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()

	b, err := client.GetBranch(ctx, ws, label)
	switch {
	case xano.IsNotFound(err):
		return fmt.Sprintf("No branch %q was left behind.", label), true
	case err != nil:
		return fmt.Sprintf("Checking whether branch %q was left behind failed (%s): if it exists, delete it in the Xano UI.", label, err), false
	}
	restored := false
	if b.Live {
		if restoreLive == "" {
			return fmt.Sprintf("Branch %q exists and is live, so it was kept: make another branch live and delete it "+
				"in the Xano UI, or import it into Terraform.", label), false
		}
		if _, err := client.SetLiveBranch(ctx, ws, restoreLive); err != nil {
			return fmt.Sprintf("Branch %q was made live and making %q live again failed (%s): make %q live and delete %q "+
				"in the Xano UI.", label, restoreLive, err, restoreLive, label), false
		}
		restored = true
	}
	if err := client.DeleteBranch(ctx, ws, label); err != nil && !xano.IsNotFound(err) {
		if restored {
			return fmt.Sprintf("Branch %q was made live again, but deleting branch %q failed (%s): delete it in the "+
				"Xano UI.", restoreLive, label, err), false
		}
		return fmt.Sprintf("Deleting branch %q failed (%s): delete it in the Xano UI.", label, err), false
	}
	tflog.Info(ctx, "Deleted a branch left by a failed import", map[string]any{"branch": label})
	if restored {
		return fmt.Sprintf("Branch %q was made live again and branch %q was deleted.", restoreLive, label), true
	}
	return fmt.Sprintf("Branch %q was deleted.", label), true
}

// rollBack undoes a re-import of label that failed before the old branch was deleted: the
// temporary branch is deleted, and liveBefore, the branch that was live before the re-import
// began, made live again if the temporary branch is live. It returns what the user needs to know,
// as sentences.
func rollBack(ctx context.Context, client *xano.Client, ws int64, label, tmp, liveBefore string) string {
	cleanup, clean := discardBranch(ctx, client, ws, tmp, liveBefore)
	switch {
	case clean && liveBefore == label:
		return fmt.Sprintf("%s Branch %q was not changed and is live.", cleanup, label)
	case clean:
		return fmt.Sprintf("%s Branch %q was not changed.", cleanup, label)
	}
	return fmt.Sprintf("%s Branch %q itself keeps its content.", cleanup, label)
}

// importRefusalAdvice explains an import-schema failure that is about the request (the archive,
// its password, the workspace) rather than the token or the server, which addAPIError covers.
// It returns "" or a sentence followed by a space.
func importRefusalAdvice(ctx context.Context, client *xano.Client, ws int64, err error, encrypted bool) string {
	switch {
	case xano.IsInputError(err) && encrypted:
		return "Xano could not decrypt the archive: check password_wo (or password), which must be the password " +
			"the archive was exported with. "
	case xano.IsInputError(err):
		return "Xano refused the archive or the request: check that source_path is an unmodified archive exported " +
			"from Xano (export-schema or export). "
	case xano.IsNotFound(err):
		return explainNotFound(ctx, client, ws, "") + " "
	}
	return ""
}
