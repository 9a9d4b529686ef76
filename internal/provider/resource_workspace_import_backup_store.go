package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

// backupManifestName is the member of a backup set that lists the others; it is written last.
const backupManifestName = "manifest.json"

// backupStore is where xano_workspace_import writes its safety backup set: a local folder
// (backup_path) or an object prefix (backup_url). Members are written under names that do not
// exist yet, each atomically (nothing is visible under a name until its sink commits), and the
// manifest is the only member ever replaced.
type backupStore interface {
	// String names the set in messages: the folder, or the URL without credentials.
	String() string
	// attribute is the argument that names the store, for diagnostics.
	attribute() path.Path
	// location names one member in messages and in the manifest's documentation.
	location(name string) string
	// prepare checks that the store can hold a set (creating a missing folder).
	prepare(ctx context.Context) error
	// exists reports whether a member name is taken.
	exists(ctx context.Context, name string) (bool, error)
	// newArchive starts writing the archive member name; it digests and inspects the bytes as
	// they pass and makes them visible under name only on Commit. meta is the object metadata
	// (a folder has none).
	newArchive(ctx context.Context, name string, meta map[string]string, inspect inspectFunc) (archiveSink, error)
	// readManifest returns the set's manifest as stored, or an error wrapping fs.ErrNotExist.
	readManifest(ctx context.Context) ([]byte, error)
	// writeManifest writes the manifest atomically, replacing any manifest there.
	writeManifest(ctx context.Context, data []byte) error
	// digest hashes a member as it is stored now.
	digest(ctx context.Context, name string) (fileDigest, error)
	// remove deletes a member; a missing one is not an error.
	remove(ctx context.Context, name string) error
}

// folderStore is a backup set in a local folder, with private modes.
type folderStore struct {
	dir   string
	modes fileModes
}

var _ backupStore = folderStore{}

func (s folderStore) String() string { return s.dir }

func (folderStore) attribute() path.Path { return backupPathAttr }

func (s folderStore) location(name string) string { return filepath.Join(s.dir, name) }

func (s folderStore) prepare(context.Context) error {
	if st, err := os.Stat(s.dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%q is a file, and backup_path is the folder that holds the backup set (a manifest "+
			"and one archive per branch). Choose a folder, such as %q", s.dir, filepath.Join(filepath.Dir(s.dir), "before-restore"))
	}
	if err := mkdirAll(s.dir, s.modes.dir); err != nil {
		return fmt.Errorf("cannot create the folder %q: %s. Check the path (is one of its parents a file?) and "+
			"the permissions", s.dir, unwrapPathError(err))
	}
	return nil
}

func (s folderStore) exists(_ context.Context, name string) (bool, error) {
	_, err := os.Lstat(s.location(name))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

func (s folderStore) newArchive(_ context.Context, name string, _ map[string]string, inspect inspectFunc) (archiveSink, error) {
	sink, err := createAtomic(s.location(name), s.modes.file, inspect)
	if err != nil {
		return nil, fmt.Errorf("%s. Check that %s is writable, or choose another backup_path", err, s.dir)
	}
	return sink, nil
}

func (s folderStore) readManifest(context.Context) ([]byte, error) {
	return os.ReadFile(s.location(backupManifestName))
}

// writeManifest writes a temporary file with the set's file mode, flushes it and renames it over
// the manifest, so that a set never shows a partial manifest.
func (s folderStore) writeManifest(_ context.Context, data []byte) error {
	dst := s.location(backupManifestName)
	tmp, err := os.CreateTemp(s.dir, "."+backupManifestName+".*.partial")
	if err != nil {
		return fmt.Errorf("cannot write into %s: %w", s.dir, err)
	}
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(s.modes.file); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	syncDir(s.dir)
	return nil
}

func (s folderStore) digest(_ context.Context, name string) (fileDigest, error) {
	return digestFile(s.location(name))
}

func (s folderStore) remove(_ context.Context, name string) error {
	if err := os.Remove(s.location(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// objectStore is a backup set under an object prefix (backup_url): each member is the object
// prefix + "/" + name in the same bucket, written through blobstore (atomic: a member appears
// only when its upload completes; an aborted one leaves nothing).
type objectStore struct {
	prefix blobstore.Object
}

var _ backupStore = objectStore{}

func (s objectStore) String() string { return s.prefix.String() }

func (objectStore) attribute() path.Path { return backupURLAttr }

func (s objectStore) location(name string) string { return s.prefix.Child(name).String() }

// prepare does nothing: the bucket is checked by the first write, whose error names the fix.
func (s objectStore) prepare(context.Context) error { return nil }

func (s objectStore) exists(ctx context.Context, name string) (bool, error) {
	_, err := blobstore.Stat(ctx, s.prefix.Child(name))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, blobstore.ErrNotFound):
		return false, nil
	}
	return false, err
}

func (s objectStore) newArchive(ctx context.Context, name string, meta map[string]string, inspect inspectFunc) (archiveSink, error) {
	return newBlobSink(ctx, s.prefix.Child(name), meta, inspect)
}

// maxManifestSize bounds the manifest read back from a store (one line per branch).
const maxManifestSize = 4 << 20

func (s objectStore) readManifest(ctx context.Context) ([]byte, error) {
	r, _, err := blobstore.NewReader(ctx, s.prefix.Child(backupManifestName))
	if errors.Is(err, blobstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	data, err := io.ReadAll(io.LimitReader(r, maxManifestSize+1))
	if err == nil && len(data) > maxManifestSize {
		err = fmt.Errorf("it is larger than %d bytes", maxManifestSize)
	}
	return data, err
}

func (s objectStore) writeManifest(ctx context.Context, data []byte) error {
	w, err := blobstore.NewWriterWithOptions(ctx, s.prefix.Child(backupManifestName), nil,
		blobstore.WriterOptions{ContentType: "application/json"})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	_, err = w.Commit()
	return err
}

func (s objectStore) digest(ctx context.Context, name string) (fileDigest, error) {
	r, _, err := blobstore.NewReader(ctx, s.prefix.Child(name))
	if err != nil {
		return fileDigest{}, err
	}
	defer func() { _ = r.Close() }()
	d := newDigester()
	if _, err := io.Copy(d, r); err != nil {
		return fileDigest{}, err
	}
	return d.digest(), nil
}

func (s objectStore) remove(ctx context.Context, name string) error {
	if err := blobstore.Delete(ctx, s.prefix.Child(name)); err != nil && !errors.Is(err, blobstore.ErrNotFound) {
		return err
	}
	return nil
}
