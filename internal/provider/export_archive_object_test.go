package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
)

func TestHashMetadata(t *testing.T) {
	d := fileDigest{SHA256: "aa", MD5: "bb"}
	md := hashMetadata(d, archive.Info{ContentSHA256: "cc", Objects: map[string]string{"table/1": "x", "function/2": "y"}})
	want := map[string]string{metaArchiveSHA256: "aa", metaArchiveMD5: "bb", metaContentSHA256: "cc", metaObjects: "2", metaEncrypted: "false"}
	if len(md) != len(want) {
		t.Errorf("metadata = %v, want %v", md, want)
	}
	for k, v := range want {
		if md[k] != v {
			t.Errorf("%s = %q, want %q", k, md[k], v)
		}
	}
	// An encrypted archive, or one whose inspection stopped at a bound: no content facts.
	for _, info := range []archive.Info{{Encrypted: true}, {}} {
		md := hashMetadata(d, info)
		if _, ok := md[metaContentSHA256]; ok {
			t.Errorf("%+v: content hash in %v", info, md)
		}
		if _, ok := md[metaObjects]; ok {
			t.Errorf("%+v: objects count in %v", info, md)
		}
	}
}

// Refresh compares the hashes in an object's metadata with state when the object has them.
func TestObjectChangedMetadata(t *testing.T) {
	m := workspaceSnapshotModel{
		ArchiveETag: types.StringValue(`"e1"`), ArchiveVersionID: types.StringNull(), ArchiveSize: types.Int64Value(10),
		ArchiveSHA256: types.StringValue("aa"), ContentSHA256: types.StringValue("cc"),
	}
	same := blobstore.Attrs{ETag: `"e1"`, Size: 10, Metadata: map[string]string{metaArchiveSHA256: "aa", metaContentSHA256: "cc"}}
	if why := m.objectChanged(same); why != "" {
		t.Errorf("same object: %s", why)
	}
	none := blobstore.Attrs{ETag: `"e1"`, Size: 10, Metadata: map[string]string{}}
	if why := m.objectChanged(none); why != "" {
		t.Errorf("an object without hash metadata is judged by ETag, version and size: %s", why)
	}
	for _, k := range []string{metaArchiveSHA256, metaContentSHA256} {
		a := blobstore.Attrs{ETag: `"e1"`, Size: 10, Metadata: map[string]string{metaArchiveSHA256: "aa", metaContentSHA256: "cc"}}
		a.Metadata[k] = "other"
		if why := m.objectChanged(a); why == "" {
			t.Errorf("%s differs, but the object is judged unchanged", k)
		}
	}
	// An encrypted archive has no content_sha256 in state: its metadata has none to compare.
	m.ContentSHA256 = types.StringNull()
	if why := m.objectChanged(same); why != "" {
		t.Errorf("null content_sha256: %s", why)
	}
}
