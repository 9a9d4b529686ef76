package provider

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
)

// cacheEntries lists the entries of the inspection cache in dir.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".json") {
			names = append(names, de.Name())
		}
	}
	return names
}

// cacheFixture points the inspection cache at a folder of t and writes a paged archive: the
// cache's folder, and the archive's path, SHA-256 and content hash.
func cacheFixture(t *testing.T) (dir, path, sum, content string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "cache")
	t.Setenv(inspectionCacheEnv, dir)
	path, content = writePagedArchive(t)
	d, err := digestFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, path, d.SHA256, content
}

// The second inspection of an archive comes from the cache (the archive is gone by then), only
// for the same SHA-256 and limits; entries are private to the user.
func TestInspectionCache(t *testing.T) {
	dir, p, sum, want := cacheFixture(t)
	ctx := context.Background()
	src := importSource{path: p}
	first, err := inspectCached(ctx, src, archive.Limits{}, sum)
	if err != nil || first.ContentSHA256 != want || first.Facts == nil || first.RowPages == nil {
		t.Fatalf("first inspection: %+v, %v", first, err)
	}
	entries := cacheEntries(t, dir)
	if len(entries) != 1 {
		t.Fatalf("cache entries after the first inspection: %v", entries)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache folder mode: %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, entries[0])); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache entry mode: %v, %v", fi.Mode(), err)
	}

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	again, err := inspectCached(ctx, src, archive.Limits{}, sum)
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("the cached inspection differs: %+v, %v; want %+v", again, err, first)
	}
	// Other limits are another inspection: the archive is read again (and is gone).
	if _, err := inspectCached(ctx, src, archive.Limits{MaxEntries: 3}, sum); err == nil {
		t.Fatal("an inspection within other limits came from the cache")
	}

	// A damaged entry is ignored and the archive read.
	if err := os.WriteFile(filepath.Join(dir, entries[0]), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := inspectCached(ctx, src, archive.Limits{}, sum); err == nil {
		t.Fatal("a damaged cache entry was used")
	}
}

// An inspection whose bytes do not hash to the SHA-256 the caller gave is not cached, and a
// cache turned off keeps nothing.
func TestInspectionCacheKeepsOnlyWhatItHashed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv(inspectionCacheEnv, dir)
	ctx := context.Background()
	p, want := writePagedArchive(t)
	info, err := inspectCached(ctx, importSource{path: p}, archive.Limits{}, strings.Repeat("0", 64))
	if err != nil || info.ContentSHA256 != want {
		t.Fatalf("inspection: %+v, %v", info, err)
	}
	if entries := cacheEntries(t, dir); len(entries) != 0 {
		t.Fatalf("an archive that does not hash to the given SHA-256 was cached: %v", entries)
	}

	t.Setenv(inspectionCacheEnv, "off")
	d, err := digestFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inspectCached(ctx, importSource{path: p}, archive.Limits{}, d.SHA256); err != nil {
		t.Fatal(err)
	}
	if entries := cacheEntries(t, dir); len(entries) != 0 {
		t.Fatalf("the cache turned off kept %v", entries)
	}
}

// The cache keeps the newest maxInspectionCacheEntries entries.
func TestInspectionCachePrunes(t *testing.T) {
	c := inspectionCache{dir: t.TempDir()}
	ctx := context.Background()
	info := archive.Info{ContentSHA256: "c", Objects: map[string]string{}}
	for i := range maxInspectionCacheEntries + 8 {
		c.put(ctx, strings.Repeat(string(rune('a'+i%26)), 63)+string(rune('a'+i/26)), archive.Limits{}, info)
	}
	if n := len(cacheEntries(t, c.dir)); n != maxInspectionCacheEntries {
		t.Fatalf("%d entries kept, want %d", n, maxInspectionCacheEntries)
	}
	// Incomplete and encrypted inspections are never kept.
	c2 := inspectionCache{dir: t.TempDir()}
	c2.put(ctx, "x", archive.Limits{}, archive.Info{Encrypted: true})
	c2.put(ctx, "y", archive.Limits{}, archive.Info{Objects: map[string]string{}, Incomplete: &archive.LimitError{}})
	if n := len(cacheEntries(t, c2.dir)); n != 0 {
		t.Fatalf("%d unusable inspections kept", n)
	}
}

// With the archive in the cache, the upload is only hashed and takes the cached content when the
// bytes are the checked ones; bytes that changed after the check leave the content unknown.
func TestInspectingUploadFromCache(t *testing.T) {
	_, p, sum, want := cacheFixture(t)
	ctx := context.Background()
	src := importSource{path: p}
	if _, err := inspectCached(ctx, src, archive.Limits{}, sum); err != nil {
		t.Fatal(err)
	}
	upload := func() (archive.Info, bool) {
		u := newInspectingUpload(ctx, src, archive.Limits{}, sum)
		defer u.close()
		rc, err := u.source(ctx, "test upload", nil).Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		_ = rc.Close()
		info, diags := u.inspected(ctx)
		return info, diags.HasError()
	}
	if info, failed := upload(); failed || info.ContentSHA256 != want {
		t.Fatalf("upload of the checked archive: content %q (failed %v), want %q", info.ContentSHA256, failed, want)
	}
	other, _ := writePagedArchive(t)
	b, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff // another archive of the same size
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if info, failed := upload(); failed || info.ContentSHA256 != "" {
		t.Fatalf("upload of bytes that changed after the check: content %q (failed %v), want unknown", info.ContentSHA256, failed)
	}
}

// The plan's check of a restore's archive inspects it in the same pass and fills the cache; with
// the archive in the cache, the check still hashes the bytes, so a changed file is refused.
func TestCheckInspectSource(t *testing.T) {
	dir, p, sum, want := cacheFixture(t)
	ctx := context.Background()
	src := importSource{path: p}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, strings.Repeat("0", 64)); !diags.HasError() {
		t.Fatal("an archive that does not match source_sha256 passed the check")
	}
	if entries := cacheEntries(t, dir); len(entries) != 0 {
		t.Fatalf("a refused archive was cached: %v", entries)
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); diags.HasError() {
		t.Fatal(diags)
	}
	if entries := cacheEntries(t, dir); len(entries) != 1 {
		t.Fatalf("cache entries after the check: %v", entries)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// The cache answers for the archive that was checked, even once the file is gone...
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if info, err := inspectCached(ctx, src, archive.Limits{}, sum); err != nil || info.ContentSHA256 != want {
		t.Fatalf("cached inspection: %+v, %v", info, err)
	}
	// ...but not for other bytes under the same name: the check hashes them.
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); !diags.HasError() {
		t.Fatal("a changed archive passed the check because its inspection was cached")
	}
}

// The plan's check remembers the identity of the local file it hashed, so that the plan made
// again at apply need not hash it; a file touched since (same bytes) is hashed again and
// remembered anew, and a file rewritten with other bytes is refused.
func TestCheckInspectSourceRemembersTheFile(t *testing.T) {
	if fileIdentity(os.Args[0]) == "" {
		t.Skip("no file identity on this system")
	}
	_, p, sum, _ := cacheFixture(t)
	ctx := context.Background()
	src := importSource{path: p}
	c := defaultInspectionCache()
	checked := func() string {
		t.Helper()
		e, ok := c.entry(ctx, sum, archive.Limits{})
		if !ok {
			t.Fatal("no cache entry")
		}
		return e.Checked
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); diags.HasError() {
		t.Fatal(diags)
	}
	first := fileIdentity(p)
	if got := checked(); got != first {
		t.Fatalf("remembered identity %q, want %q", got, first)
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); diags.HasError() {
		t.Fatal(diags)
	}

	// Touched: the same bytes under a new identity, hashed again and remembered.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if fileIdentity(p) == first {
		t.Fatal("touching the file did not change its identity")
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); diags.HasError() {
		t.Fatal(diags)
	}
	if got := checked(); got != fileIdentity(p) {
		t.Fatalf("after a touch, remembered identity %q, want %q", got, fileIdentity(p))
	}

	// Rewritten with other bytes: a new identity, so it is hashed, and refused.
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if diags := checkInspectSource(ctx, src, archive.Limits{}, sum); !diags.HasError() {
		t.Fatal("a rewritten archive passed the check on its earlier identity")
	}
}
