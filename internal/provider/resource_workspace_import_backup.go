package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/xano"
)

// backupSetFormat names the manifest's format; a later change of its fields gets a new number.
const backupSetFormat = "xano-workspace-backup-set/1"

// The kinds of archive in a backup set.
const (
	backupKindFull   = "full"   // the live branch with its tables' records (POST export)
	backupKindSchema = "schema" // another branch, without records (POST export-schema)
)

// backupRestoreHowTo is written into every manifest: how to put the workspace back.
const backupRestoreHowTo = "Restore in two steps. 1) Import the file whose kind is \"full\" with xano_workspace_import " +
	"(source = that file, source_sha256 = its archive_sha256): it replaces the whole workspace, tables and records " +
	"included, and Xano imports it as branch v1, live. 2) Then import each file whose kind is \"schema\" with " +
	"xano_workspace_schema_import (branch = its branch label, set_live = false): each brings back one branch's " +
	"logic. Check each archive against archive_sha256 before importing it."

// backupManifest is the manifest.json of a backup set: what the set holds and how to restore it.
// It is written last, once every archive in it is committed and inspected, so a set without a
// manifest is incomplete and a manifest always describes a complete set.
type backupManifest struct {
	Format        string       `json:"format"`
	WorkspaceID   int64        `json:"workspace_id"`
	WorkspaceName string       `json:"workspace_name,omitempty"`
	Instance      string       `json:"instance"` // the host, never credentials
	CreatedAt     string       `json:"created_at"`
	LiveBranch    string       `json:"live_branch"`
	Restore       string       `json:"restore"`
	Files         []backupFile `json:"files"`
}

// backupFile is one archive of a backup set.
type backupFile struct {
	File          string  `json:"file"` // the member's name, relative to the set
	Branch        string  `json:"branch"`
	Live          bool    `json:"live"`
	Kind          string  `json:"kind"` // backupKindFull or backupKindSchema
	ArchiveSHA256 string  `json:"archive_sha256"`
	Size          int64   `json:"size"`
	ContentSHA256 *string `json:"content_sha256"` // null when the inspection stopped at a bound
}

// backupSetResult is what state records about a backup set.
type backupSetResult struct {
	// ManifestSHA256 is the SHA-256 of manifest.json: it pins every archive of the set.
	ManifestSHA256 string
	// LiveContent is the content hash of the live branch's full archive.
	LiveContent types.String
	// Kept is true when the store already held a set with this content, which was kept.
	Kept bool
}

// importBranches lists the branches of workspace ws that a full import deletes (all of them), the
// live branch first, then by label. When the plan listed them (planned is known), a workspace
// whose branches changed since is not touched: the plan would not have shown what apply deletes.
func importBranches(ctx context.Context, client *xano.Client, ws int64, planned types.List) ([]xano.Branch, diag.Diagnostics) {
	var diags diag.Diagnostics
	branches, err := client.ListBranches(ctx, ws)
	if err != nil {
		addAPIError(&diags, "Cannot list the branches of the workspace",
			fmt.Sprintf("Listing the branches of workspace %d, which the import deletes, failed; nothing was backed up "+
				"or imported.", ws), err, readAccess)
		return nil, diags
	}
	sortBranches(branches)
	if !isKnown(planned) {
		return branches, diags
	}
	var want []string
	diags.Append(planned.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return nil, diags
	}
	got := branchLabels(branches)
	if !slices.Equal(got, want) {
		diags.AddAttributeError(branchesDeletedAttr, "The workspace's branches changed since the plan",
			fmt.Sprintf("The plan said the import deletes the branches %s of workspace %d, but it now has %s. "+
				"Nothing was backed up or imported: run plan again to see what the import deletes.",
				quoteList(want), ws, quoteList(got)))
		return nil, diags
	}
	return branches, diags
}

// sortBranches puts the live branch first and the others in label order.
func sortBranches(bs []xano.Branch) {
	sort.SliceStable(bs, func(i, j int) bool {
		if bs[i].Live != bs[j].Live {
			return bs[i].Live
		}
		return bs[i].Label < bs[j].Label
	})
}

func branchLabels(bs []xano.Branch) []string {
	out := make([]string, 0, len(bs))
	for _, b := range bs {
		out = append(out, b.Label)
	}
	return out
}

func quoteList(ss []string) string {
	if len(ss) == 0 {
		return "(none)"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// backUpBeforeImport writes the safety backup set of workspace ws into store before an import
// overwrites it: the live branch with its records (kind full) and every other branch's schema
// (kind schema; tables are workspace-wide, so their definitions come with each branch and their
// rows with the live branch's archive), then the manifest. Every archive is written under a new
// name, committed and inspected before the next starts; the manifest is written last, so nothing
// is imported unless the whole set is complete. On any failure the members written so far are
// removed and the store is left as it was.
//
// recorded is the SHA-256 of the manifest that state says this resource wrote into this store
// ("" for none). The manifest is the only member ever replaced, and only when it is that one: a
// manifest this resource did not record (the set of an earlier attempt whose import may have been
// applied without an answer) may describe the only copy of the workspace from before, so it is
// kept when its set holds the workspace as it is now (then it is as good a backup, and recorded),
// and otherwise the backup fails and nothing is imported. Once a new manifest replaced the
// recorded one, the archives only the old set listed are removed.
func backUpBeforeImport(ctx context.Context, client *xano.Client, store backupStore, ws int64, lim archive.Limits, branches []xano.Branch, recorded string) (backupSetResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	fail := func(summary, detail string) (backupSetResult, diag.Diagnostics) {
		diags.AddAttributeError(store.attribute(), summary, detail)
		return backupSetResult{}, diags
	}
	if len(branches) == 0 || !branches[0].Live {
		return fail("The workspace has no live branch",
			fmt.Sprintf("Xano did not say which branch of workspace %d is live, so its backup cannot tell the "+
				"archive with the records apart. Nothing was imported.", ws))
	}
	if err := store.prepare(ctx); err != nil {
		return fail("Cannot write the backup set", err.Error())
	}
	old, oldSum, err := readBackupManifest(ctx, store)
	switch {
	case errors.Is(err, errNotAManifest):
		return fail("The backup location holds another manifest.json", fmt.Sprintf("%s already holds a %s that is not "+
			"a backup set's manifest (%s). It is not replaced: move it, or choose another backup location, and apply "+
			"again. Nothing was imported.", store, backupManifestName, err))
	case err != nil:
		return fail("Cannot read the backup location", fmt.Sprintf("Checking whether %s already holds a backup set "+
			"failed: %s. Nothing was exported or imported.", store, err))
	}

	set, written, wdiags := writeBackupArchives(ctx, client, store, ws, lim, branches)
	diags.Append(wdiags...)
	discard := func() {
		for _, name := range written {
			if err := store.remove(ctx, name); err != nil {
				tflog.Warn(ctx, "Cannot remove an archive of an unused backup set", map[string]any{
					"backup": store.location(name), "error": err.Error(),
				})
			}
		}
	}
	if diags.HasError() {
		discard()
		return backupSetResult{}, diags
	}
	set.Instance = instanceHost(client.BaseURL())
	if w, wdiags := getWorkspace(ctx, client, ws); !wdiags.HasError() {
		set.WorkspaceName = w.Name
	}
	result := backupSetResult{LiveContent: contentValue(set.Files[0].ContentSHA256)}

	if old != nil && oldSum != recorded {
		// Not the set this resource wrote last: keep it if it is as good a backup, else stop.
		discard()
		if why := sameBackupSet(ctx, store, old, &set); why != "" {
			return fail("The backup location already holds another backup set",
				fmt.Sprintf("%s already holds a backup set (%s, sha256 %s) that this resource did not record, and it "+
					"is not the workspace as it is now: %s. It is not replaced: it may be the only copy of workspace %d "+
					"from before an earlier import whose outcome was unknown. Move it somewhere safe (or choose another "+
					"backup location), then apply again.", store, backupManifestName, oldSum, why, ws))
		}
		tflog.Info(ctx, "The backup location already holds the workspace as it is: its set is kept as the backup",
			map[string]any{"backup": store.String(), "backup_sha256": oldSum})
		result.ManifestSHA256, result.Kept = oldSum, true
		result.LiveContent = contentValue(old.Files[0].ContentSHA256)
		return result, diags
	}

	data, err := json.MarshalIndent(&set, "", "  ")
	if err != nil {
		discard()
		return fail("Cannot write the backup set's manifest", err.Error())
	}
	data = append(data, '\n')
	if err := store.writeManifest(ctx, data); err != nil {
		discard()
		return fail("Cannot write the backup set's manifest",
			fmt.Sprintf("Writing %s failed: %s. The archives just exported were removed and nothing was imported.",
				store.location(backupManifestName), err))
	}
	sum := sha256.Sum256(data)
	result.ManifestSHA256 = hex.EncodeToString(sum[:])
	if old != nil {
		removeReplacedArchives(ctx, store, old, &set)
	}
	tflog.Info(ctx, "Backed up the workspace before importing", map[string]any{
		"backup": store.String(), "backup_sha256": result.ManifestSHA256, "archives": len(set.Files),
	})
	return result, diags
}

// writeBackupArchives exports every branch into store under new names. It returns the manifest
// (without workspace name and instance) and the names it wrote, also on failure.
func writeBackupArchives(ctx context.Context, client *xano.Client, store backupStore, ws int64, lim archive.Limits, branches []xano.Branch) (backupManifest, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	now := time.Now().UTC()
	set := backupManifest{
		Format: backupSetFormat, WorkspaceID: ws, CreatedAt: now.Format(time.RFC3339),
		LiveBranch: branches[0].Label, Restore: backupRestoreHowTo,
	}
	prefix := now.Format("20060102T150405.000Z")
	var written []string
	for i, b := range branches {
		kind := backupKindSchema
		if i == 0 {
			kind = backupKindFull
		}
		name := fmt.Sprintf("%s-%02d-%s.%s.tar.gz", prefix, i+1, fileSafeLabel(b.Label), kind)
		if taken, err := store.exists(ctx, name); err != nil || taken {
			why := "it exists already"
			if err != nil {
				why = err.Error()
			}
			diags.AddAttributeError(store.attribute(), "Cannot write the backup set",
				fmt.Sprintf("%s cannot be used for the backup of branch %q (%s). Nothing was imported; apply again.",
					store.location(name), b.Label, why))
			return set, written, diags
		}
		req := exportRequest{WorkspaceID: ws, Limits: lim, IncludeData: kind == backupKindFull}
		if kind == backupKindSchema {
			req.Branch = b.Label
		}
		meta := exportMetadata(req)
		meta[metaBranch] = b.Label
		sink, err := store.newArchive(ctx, name, meta, archiveInspector(lim))
		if err != nil {
			diags.AddAttributeError(store.attribute(), "Cannot write the backup set", err.Error())
			return set, written, diags
		}
		res, ediags := exportArchive(ctx, client, req, sink)
		diags.Append(ediags...)
		if diags.HasError() {
			return set, written, diags
		}
		written = append(written, name)
		if res.Branch != b.Label {
			diags.AddAttributeError(store.attribute(), "The live branch changed during the backup",
				fmt.Sprintf("Branch %q of workspace %d was live when the backup started, and %q when it was exported. "+
					"Nothing was imported: apply again once no one changes the live branch.", b.Label, ws, res.Branch))
			return set, written, diags
		}
		f := backupFile{File: name, Branch: b.Label, Live: b.Live, Kind: kind,
			ArchiveSHA256: res.Digest.SHA256, Size: res.Digest.Size}
		if c := res.contentSHA256(); isKnown(c) {
			v := c.ValueString()
			f.ContentSHA256 = &v
		}
		set.Files = append(set.Files, f)
	}
	return set, written, diags
}

// errNotAManifest marks a manifest.json that is not a backup set's manifest.
var errNotAManifest = errors.New("not a backup set's manifest")

// readBackupManifest reads the manifest in store and its SHA-256; (nil, "", nil) when none.
func readBackupManifest(ctx context.Context, store backupStore) (*backupManifest, string, error) {
	data, err := store.readManifest(ctx)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var m backupManifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, "", fmt.Errorf("%w: %w", errNotAManifest, err)
	}
	if m.Format != backupSetFormat || len(m.Files) == 0 || m.Files[0].Kind != backupKindFull {
		return nil, "", fmt.Errorf("%w: its format is not %s", errNotAManifest, backupSetFormat)
	}
	sum := sha256.Sum256(data)
	return &m, hex.EncodeToString(sum[:]), nil
}

// sameBackupSet says why the set old does not hold what the fresh set now holds ("" when it
// does): the same branches, each archive of the same kind with the same known content, and every
// archive of old still in the store with the bytes its manifest names.
func sameBackupSet(ctx context.Context, store backupStore, old, now *backupManifest) string {
	if old.WorkspaceID != now.WorkspaceID {
		return fmt.Sprintf("it is a backup of workspace %d", old.WorkspaceID)
	}
	if len(old.Files) != len(now.Files) {
		return fmt.Sprintf("it holds %d archives, and the workspace has %d branches", len(old.Files), len(now.Files))
	}
	for i, f := range now.Files {
		o := old.Files[i]
		switch {
		case o.Branch != f.Branch || o.Kind != f.Kind || o.Live != f.Live:
			return fmt.Sprintf("it holds branch %q (%s), where the workspace now has branch %q (%s)", o.Branch, o.Kind, f.Branch, f.Kind)
		case o.ContentSHA256 == nil || f.ContentSHA256 == nil:
			return fmt.Sprintf("the content of branch %q could not be compared (its inspection stopped at a bound)", f.Branch)
		case *o.ContentSHA256 != *f.ContentSHA256:
			return fmt.Sprintf("branch %q holds content %s there, and %s now", f.Branch, *o.ContentSHA256, *f.ContentSHA256)
		}
	}
	for _, o := range old.Files {
		d, err := store.digest(ctx, o.File)
		switch {
		case err != nil:
			return fmt.Sprintf("its archive %s cannot be read (%s)", store.location(o.File), unwrapPathError(err))
		case d.SHA256 != o.ArchiveSHA256:
			return fmt.Sprintf("its archive %s changed since the manifest was written", store.location(o.File))
		}
	}
	return ""
}

// removeReplacedArchives removes the archives of a replaced set that the new set does not list;
// a failure only warns (the new set is complete either way).
func removeReplacedArchives(ctx context.Context, store backupStore, old, now *backupManifest) {
	keep := map[string]bool{}
	for _, f := range now.Files {
		keep[f.File] = true
	}
	for _, f := range old.Files {
		if keep[f.File] || strings.ContainsAny(f.File, `/\`) || f.File == backupManifestName {
			continue // never a name outside the set, nor the manifest
		}
		if err := store.remove(ctx, f.File); err != nil {
			tflog.Warn(ctx, "Cannot remove an archive of the replaced backup set", map[string]any{
				"backup": store.location(f.File), "error": err.Error(),
			})
		}
	}
}

// fileSafeLabel is a branch label as part of a file or object name.
func fileSafeLabel(label string) string {
	var b strings.Builder
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 || b.Len() > 64 {
		return strings.TrimSuffix(b.String()[:min(b.Len(), 64)], ".") + "_"
	}
	return b.String()
}

// instanceHost is the host of the Metadata API URL, without credentials, path or query.
func instanceHost(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host
}

func contentValue(s *string) types.String {
	if s == nil {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// backupStore is where the plan's backup set goes: nil without backup_path or backup_url.
func (m *workspaceImportModel) backupStore() (backupStore, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case isKnown(m.BackupURL):
		o, err := blobstore.Parse(m.BackupURL.ValueString())
		if err != nil {
			diags.AddAttributeError(backupURLAttr, "Invalid backup_url", err.Error())
			return nil, diags
		}
		return objectStore{prefix: o}, diags
	case isKnown(m.BackupPath):
		return folderStore{dir: m.BackupPath.ValueString(), modes: modesFrom(m.FilePermission, m.DirPermission).orDefault()}, diags
	}
	return nil, diags
}

// backupLocation is backup_path or backup_url, whichever is set (null for neither).
func (m *workspaceImportModel) backupLocation() types.String {
	if !m.BackupURL.IsNull() {
		return m.BackupURL
	}
	return m.BackupPath
}

// recordedBackup is the SHA-256 of the manifest that prior (nil on create) records for the backup
// location m writes to; "" when there is none.
func recordedBackup(m, prior *workspaceImportModel) string {
	if prior == nil || !isKnown(prior.BackupSHA256) {
		return ""
	}
	switch {
	case isKnown(m.BackupURL) && isKnown(prior.BackupURL) && m.BackupURL.Equal(prior.BackupURL):
	case isKnown(m.BackupPath) && isKnown(prior.BackupPath) &&
		samePath(prior.BackupPath.ValueString(), m.BackupPath.ValueString()):
	default:
		return ""
	}
	return prior.BackupSHA256.ValueString()
}
