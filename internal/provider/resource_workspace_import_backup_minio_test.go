package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

// backup_url against a real S3 store (MinIO): the backup set is uploaded under the prefix, every
// archive with the bytes its manifest names and the manifest last; with a missing bucket or
// credentials the store refuses, the apply stops before importing, with an error that names what to fix, and leaves no
// object and no unfinished upload under the prefix.
func TestAccWorkspaceImport_backupURLMinIO(t *testing.T) {
	srv := miniotest.Shared(t)
	bucket := fmt.Sprintf("restore-%d", time.Now().UnixNano()%1e12)
	srv.CreateBucket(t, bucket, false)
	inst := startEmulator(t, nil)
	dir := t.TempDir()
	inst.CreateBranch(t, 2, "hotfix", "")
	staging, stagingSHA := writeTestArchive(t, dir, "staging.tar.gz", inst.Export(t, 1, "", true))
	before := productionContentSHA256(t, inst)
	wrong := srv.URL(bucket, "restores/wrong-credentials", miniotest.ProfileWrong)
	prefix := srv.URL(bucket, "restores/before-staging", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A bucket that does not exist.
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), "",
					fmt.Sprintf("backup_url = %q", srv.URL(bucket+"-missing", "restores/x", ""))),
				ExpectError: errorPattern("Cannot read the backup location", "bucket", "Nothing was exported or imported"),
			},
			{
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), "", fmt.Sprintf("backup_url = %q", wrong)),
				ExpectError: errorPattern("Cannot read the backup location", "credentials missing or invalid",
					"profile", "Nothing was exported or imported"),
			},
			{
				PreConfig: func() {
					expectProductionUnchanged(t, inst, before)
					if keys := srv.Keys(t, bucket); len(keys) != 0 {
						t.Fatalf("a refused backup left objects: %v", keys)
					}
					if ups := srv.Uploads(t, bucket); len(ups) != 0 {
						t.Fatalf("a refused backup left unfinished uploads: %v", ups)
					}
				},
				Config: workspaceImportConfig(inst, staging, fmt.Sprintf("%q", stagingSHA), "", fmt.Sprintf("backup_url = %q", prefix)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_content_sha256"), knownvalue.StringExact(before)),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("backup_sha256"), knownvalue.StringFunc(func(v string) error {
						return expectMinIOBackupSet(t, srv, bucket, "restores/before-staging", v, "v1", "hotfix")
					})),
				},
			},
		},
	})
}

// expectMinIOBackupSet checks the set under prefix in bucket: its manifest hashes to manifestSHA,
// lists branches in order (the first full and live), and every archive it lists is there with the
// SHA-256 and size it gives; nothing else is under the prefix and no upload is unfinished.
func expectMinIOBackupSet(t *testing.T, srv *miniotest.Server, bucket, prefix, manifestSHA string, branches ...string) error {
	body, _ := srv.Get(t, bucket, prefix+"/"+backupManifestName)
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != manifestSHA {
		return fmt.Errorf("the manifest hashes to %s, state records %s", got, manifestSHA)
	}
	var m backupManifest
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	want := []string{prefix + "/" + backupManifestName}
	var got []string
	for i, f := range m.Files {
		got = append(got, f.Branch)
		if (i == 0) != (f.Kind == backupKindFull && f.Live) {
			return fmt.Errorf("archive %d of the manifest: kind %s live %t", i, f.Kind, f.Live)
		}
		data, _ := srv.Get(t, bucket, prefix+"/"+f.File)
		s := sha256.Sum256(data)
		if hex.EncodeToString(s[:]) != f.ArchiveSHA256 || int64(len(data)) != f.Size {
			return fmt.Errorf("%s is not the archive the manifest names", f.File)
		}
		if md, _, _ := headObject(t, srv, bucket, prefix+"/"+f.File); md[metaArchiveSHA256] != f.ArchiveSHA256 ||
			(f.ContentSHA256 != nil && md[metaContentSHA256] != *f.ContentSHA256) || md[metaBranch] != f.Branch {
			return fmt.Errorf("%s does not carry the hashes the manifest names as its metadata: %v", f.File, md)
		}
		want = append(want, prefix+"/"+f.File)
	}
	if !slices.Equal(got, branches) {
		return fmt.Errorf("the manifest lists branches %q, want %q", got, branches)
	}
	var keys []string
	for _, k := range srv.Keys(t, bucket) {
		if strings.HasPrefix(k, prefix+"/") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		return fmt.Errorf("the prefix holds %q, want %q", keys, want)
	}
	if ups := srv.Uploads(t, bucket); len(ups) != 0 {
		return fmt.Errorf("unfinished uploads: %v", ups)
	}
	return nil
}
