package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// backupRecord is the backup file that the state says xano_workspace_import wrote.
type backupRecord struct {
	path, sha256 string
}

// recordedBackup is the backup recorded in prior (nil on create or when there is none).
func recordedBackup(prior *workspaceImportModel) *backupRecord {
	if prior == nil || !isKnown(prior.BackupPath) || !isKnown(prior.BackupSHA256) {
		return nil
	}
	return &backupRecord{path: prior.BackupPath.ValueString(), sha256: prior.BackupSHA256.ValueString()}
}

// backUpBeforeImport exports workspace ws, with its records, to dst, before an import overwrites
// the workspace. It replaces only a file that this resource recorded (recorded: the backup of the
// last import). Any other file at dst may be the only copy of the workspace from before an earlier
// attempt whose import was applied without an answer, so it is never replaced: the export goes
// to a temporary file first, and the file at dst is kept when it holds the same content as the
// workspace now (then it is just as good a backup: the earlier import was refused or not
// applied), else the backup fails and nothing is imported.
//
// req names the workspace and carries the inspection limits and file modes; the export always
// includes the records. A backup received whole is kept even when its content inspection stops at
// a limit (a warning says so): a backup that was received is a backup.
func backUpBeforeImport(ctx context.Context, client *xano.Client, req exportRequest, dst string, recorded *backupRecord) (exportResult, diag.Diagnostics) {
	req.IncludeData = true
	if st, err := os.Stat(dst); err != nil || st.IsDir() {
		// Nothing there (or a folder, or an unusable path, which exportToFile explains).
		return writeBackup(ctx, client, req, dst)
	}
	existing, err := digestFile(dst)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddAttributeError(backupPathAttr, "Cannot read backup_path",
			fmt.Sprintf("%q exists, and reading it to check what it holds failed: %s. It is not replaced. Fix its "+
				"permissions, or move it and apply again.", dst, unwrapPathError(err)))
		return exportResult{}, diags
	}
	if recorded != nil && samePath(recorded.path, dst) && existing.SHA256 == recorded.sha256 {
		return writeBackup(ctx, client, req, dst) // the backup of the last import, replaced as documented
	}
	return keepUnrecordedBackup(ctx, client, req, dst, existing)
}

// writeBackup exports the workspace to dst (atomically).
func writeBackup(ctx context.Context, client *xano.Client, req exportRequest, dst string) (exportResult, diag.Diagnostics) {
	res, diags := exportToFile(ctx, client, req, dst, backupPathAttr)
	if !diags.HasError() {
		tflog.Info(ctx, "Backed up the workspace before importing", map[string]any{
			"backup_path": dst, "backup_sha256": res.Digest.SHA256,
		})
	}
	return res, diags
}

// keepUnrecordedBackup handles a file at dst that this resource did not record (existing is its
// digest): the workspace is exported next to it, and the file is kept, and recorded as the backup,
// when both hold the same content; otherwise the backup fails and the file is left as it is.
func keepUnrecordedBackup(ctx context.Context, client *xano.Client, req exportRequest, dst string, existing fileDigest) (exportResult, diag.Diagnostics) {
	pending := filepath.Join(filepath.Dir(dst),
		"."+filepath.Base(dst)+"."+strconv.FormatInt(time.Now().UnixNano(), 36)+".pending")
	defer func() {
		if err := os.Remove(pending); err != nil && !errors.Is(err, os.ErrNotExist) {
			tflog.Warn(ctx, "Cannot remove a temporary export", map[string]any{"path": pending, "error": err.Error()})
		}
	}()
	now, diags := exportToFile(ctx, client, req, pending, backupPathAttr)
	if diags.HasError() {
		return exportResult{}, diags
	}
	old, err := inspectFile(dst, req.Limits)
	sameContent := err == nil && !old.Encrypted && old.ContentSHA256 != "" && old.ContentSHA256 == now.Info.ContentSHA256
	if sameContent || existing.SHA256 == now.Digest.SHA256 {
		if !sameContent {
			old = now.Info // the same bytes: what the export's inspection found holds for the file too
		}
		tflog.Info(ctx, "backup_path already holds the workspace as it is: kept as the backup", map[string]any{
			"backup_path": dst, "backup_sha256": existing.SHA256,
		})
		return exportResult{Branch: now.Branch, Digest: existing, Info: old}, diags
	}
	held := "an archive whose content cannot be read"
	if err == nil && old.ContentSHA256 != "" {
		held = "an archive with content " + old.ContentSHA256
	}
	diags.AddAttributeError(backupPathAttr, "backup_path already holds another archive",
		fmt.Sprintf("%q already exists and is not the backup this resource recorded. It holds %s, while workspace %d "+
			"now holds content %s, so it is not replaced: it may be the only copy of the workspace from before an "+
			"earlier import whose outcome was unknown. Move it somewhere safe (or choose another backup_path), "+
			"then apply again.", dst, held, req.WorkspaceID, now.Info.ContentSHA256))
	return exportResult{}, diags
}
