package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// The inspection cache: what the inspection of a source archive found (its content hash, its
// inventory with the facts of its objects), kept on disk by the archive's SHA-256.
//
// Terraform plans a resource twice in one `terraform apply`: at plan, and again at apply, in a
// new provider process, to check that the plan still holds. A full import's plan inflates the
// whole archive to show its changes; without the cache the second plan inflates it again, which
// costs as much as the first (the inflate speed is the product's speed). With it, the second
// plan (and an apply's check of expected_content_sha256) reads the entry the first one wrote.
//
// An entry is found only by the SHA-256 of the archive's exact bytes, which the caller has just
// verified (source_sha256) in the same call, together with the inspection's limits and the
// provider binary that wrote it (so an entry never outlives a change of the inspection code).
// It is written only by an inspection that hashed the very bytes it inspected to that SHA-256,
// so an entry always describes the archive its name says. The upload itself is still inspected
// as it goes (inspectingUpload): state records what was uploaded, never what the cache says.
//
// The entries hold what the plan shows of the archive (object names, hashes, facts; never
// records, scripts or secret values) and live in the user's cache folder, readable by the user
// alone (0700/0600), beside which the archive itself sits with everything in it. They are
// removed after a day, and the newest maxInspectionCacheEntries are kept. The cache is an
// optimisation only: any failure to read or write it is logged and the archive is inspected.
// XANO_INSPECTION_CACHE_DIR moves it; XANO_INSPECTION_CACHE_DIR=off turns it off.

const (
	inspectionCacheEnv        = "XANO_INSPECTION_CACHE_DIR"
	maxInspectionCacheEntries = 32
	maxInspectionCacheAge     = 24 * time.Hour
	// inspectionCacheFormat changes when the entry's encoding does.
	inspectionCacheFormat = "1"
)

// inspectionCache is a folder of entries; the zero value (no folder) caches nothing.
type inspectionCache struct{ dir string }

// defaultInspectionCache is the cache in the user's cache folder, or XANO_INSPECTION_CACHE_DIR.
func defaultInspectionCache() inspectionCache {
	dir := os.Getenv(inspectionCacheEnv)
	switch {
	case strings.EqualFold(dir, "off"):
		return inspectionCache{}
	case dir != "":
		return inspectionCache{dir: dir}
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return inspectionCache{}
	}
	return inspectionCache{dir: filepath.Join(base, "terraform-provider-xano", "inspections")}
}

// cacheEntry is one file of the cache.
type cacheEntry struct {
	SHA256 string       `json:"archive_sha256"`
	Info   archive.Info `json:"info"`
	// Checked is the identity (fileIdentity) of the local file that was hashed to SHA256, when
	// it was unchanged during the whole pass; "" for an object or when it changed.
	Checked string `json:"checked,omitempty"`
}

// entryName is the file name of the entry for the archive with this SHA-256, inspected with the
// facts of its objects within lim by this provider binary.
func (c inspectionCache) entryName(sum string, lim archive.Limits) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%+v\n%s\n", inspectionCacheFormat, sum, lim, binaryIdentity())
	return hex.EncodeToString(h.Sum(nil)) + ".json"
}

// binaryIdentity names the running provider binary by its path, size and modification time: a
// rebuilt or upgraded provider never reads the entries of another.
func binaryIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	st, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	return fmt.Sprintf("%s %d %d", exe, st.Size(), st.ModTime().UnixNano())
}

// get returns the inspection of the archive whose SHA-256 is sum, if the cache has it.
func (c inspectionCache) get(ctx context.Context, sum string, lim archive.Limits) (archive.Info, bool) {
	e, ok := c.entry(ctx, sum, lim)
	return e.Info, ok
}

// entry returns the entry of the archive whose SHA-256 is sum, if there is one.
func (c inspectionCache) entry(ctx context.Context, sum string, lim archive.Limits) (cacheEntry, bool) {
	if c.dir == "" || sum == "" {
		return cacheEntry{}, false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, c.entryName(sum, lim)))
	if err != nil {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if err := json.Unmarshal(b, &e); err != nil || e.SHA256 != sum || e.Info.Objects == nil {
		tflog.Debug(ctx, "Ignoring an unreadable inspection cache entry", map[string]any{"archive_sha256": sum})
		return cacheEntry{}, false
	}
	tflog.Debug(ctx, "The archive's inspection comes from the cache", map[string]any{"archive_sha256": sum})
	return e, true
}

// put records info, the inspection of the archive whose bytes hash to sum. Only a whole,
// readable inspection is kept.
func (c inspectionCache) put(ctx context.Context, sum string, lim archive.Limits, info archive.Info) {
	c.putChecked(ctx, sum, lim, info, "")
}

// putChecked is put for the local file of identity checked, which was hashed to sum.
func (c inspectionCache) putChecked(ctx context.Context, sum string, lim archive.Limits, info archive.Info, checked string) {
	if c.dir == "" || sum == "" || info.Encrypted || info.Incomplete != nil || info.Objects == nil {
		return
	}
	if err := c.write(c.entryName(sum, lim), cacheEntry{SHA256: sum, Info: info, Checked: checked}); err != nil {
		tflog.Debug(ctx, "Cannot write the inspection cache", map[string]any{"error": err.Error()})
		return
	}
	c.prune()
}

// write writes one entry atomically (a temporary file renamed into place).
func (c inspectionCache) write(name string, e cacheEntry) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".entry-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(c.dir, name))
}

// prune removes the entries older than maxInspectionCacheAge and all but the newest
// maxInspectionCacheEntries.
func (c inspectionCache) prune() {
	des, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var entries []entry
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		if time.Since(fi.ModTime()) > maxInspectionCacheAge {
			_ = os.Remove(filepath.Join(c.dir, de.Name()))
			continue
		}
		entries = append(entries, entry{de.Name(), fi.ModTime()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].mod.After(entries[j].mod) })
	for _, e := range entries[min(len(entries), maxInspectionCacheEntries):] {
		_ = os.Remove(filepath.Join(c.dir, e.name))
	}
}

// inspectCached returns the inspection, with the facts of its objects, of the source archive
// whose SHA-256 the caller has just verified to be sum: from the cache, else by one pass that
// hashes and inspects the archive, cached when those bytes hash to sum.
func inspectCached(ctx context.Context, src importSource, lim archive.Limits, sum string) (archive.Info, error) {
	c := defaultInspectionCache()
	if info, ok := c.get(ctx, sum, lim); ok {
		return info, nil
	}
	r, err := src.open(ctx)
	if err != nil {
		return archive.Info{}, err
	}
	defer r.Close()
	d, info, err := readSourceArchive(r, lim, archive.WithFacts())
	if err != nil {
		return info, err
	}
	if d.SHA256 == sum {
		c.put(ctx, sum, lim, info)
	}
	return info, nil
}

// inspectSourceBy inspects the source archive, through the cache when its SHA-256 is known.
func inspectSourceBy(ctx context.Context, src importSource, lim archive.Limits, sum types.String) (archive.Info, error) {
	if isKnown(sum) {
		return inspectCached(ctx, src, lim, sum.ValueString())
	}
	return inspectSource(ctx, src, lim)
}

// checkInspectSource is checkSourceArchive for an archive the plan is about to inspect (a planned
// restore shows its changes): when the cache does not hold it, the pass that checks it against
// sum also inspects it and fills the cache, so the plan reads the archive once, not twice.
//
// A local file that this check hashed before and that has not changed since (the same
// fileIdentity: device, inode, size, modification and status-change times) is not hashed again:
// the plan Terraform makes again at apply then reads nothing. This is only the plan's early
// check; the apply always hashes the archive right before uploading it (checkSourceArchive).
func checkInspectSource(ctx context.Context, src importSource, lim archive.Limits, sum string) diag.Diagnostics {
	c := defaultInspectionCache()
	before := ""
	if !src.isObject() {
		before = fileIdentity(src.path)
	}
	// unchanged is the identity to remember: the file's, when it did not change during the check.
	unchanged := func() string {
		if before != "" && before == fileIdentity(src.path) {
			return before
		}
		return ""
	}
	if e, ok := c.entry(ctx, sum, lim); ok {
		if before != "" && before == e.Checked {
			tflog.Debug(ctx, "The source archive is the file checked before, unchanged", map[string]any{"source": src.String()})
			return nil
		}
		diags := checkSourceArchive(ctx, src, sum)
		if checked := unchanged(); !diags.HasError() && checked != "" {
			c.putChecked(ctx, sum, lim, e.Info, checked)
		}
		return diags
	}
	r, diags := openSource(ctx, src)
	if diags.HasError() {
		return diags
	}
	defer r.Close()
	d, info, err := readSourceArchive(r, lim, archive.WithFacts())
	if readErr := (*sourceReadError)(nil); errors.As(err, &readErr) {
		diags.AddAttributeError(src.attr(), "Cannot read the source archive",
			fmt.Sprintf("Hashing %s failed: %s.", src.label(), readErr.err))
		return diags
	}
	if diags.Append(checkSourceDigest(src, d, sum)...); diags.HasError() || err != nil {
		return diags // an archive that cannot be inspected is reported where it is compared
	}
	c.putChecked(ctx, sum, lim, info, unchanged())
	return diags
}
