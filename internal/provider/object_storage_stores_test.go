package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/azuritetest"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/gcstest"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The gs:// and azblob:// stores through the real CLIs, as object_storage_test.go proves s3://
// against MinIO: against fake-gcs-server (XANO_FAKE_GCS_BINARY) and Azurite
// (XANO_AZURITE_BINARY), which make testacc sets. The provider finds each emulator the way it
// finds the real store: GCS through STORAGE_EMULATOR_HOST, Azure through AZURE_STORAGE_ACCOUNT
// and AZURE_STORAGE_KEY plus the URL's endpoint parameters; no credential is in a URL.

// skipUnlessAcc skips t without TF_ACC before any store starts (make testunit runs the package
// with TF_ACC cleared; the harness would skip only after the emulators had started).
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make testacc)")
	}
}

// accStore is one emulated store as these tests use it.
type accStore struct {
	name      string
	create    func(t testing.TB, bucket string)
	url       func(bucket, key string) string
	get       func(t testing.TB, bucket, key string) ([]byte, string)
	delete    func(t testing.TB, bucket, key string)
	keys      func(t testing.TB, bucket string) []string
	secrets   []string
	versioned bool // the store reports a version id (a GCS generation)
}

// storeObjectFacts checks, after apply, that the attributes of addr describe the object exactly
// (its bytes hash to archive_sha256 and archive_md5, its size and ETag are those recorded), read
// with the store's own client.
func storeObjectFacts(t *testing.T, s accStore, bucket, key, addr string) statecheck.StateCheck {
	return stateFunc("the object's facts in state", func(attrs map[string]any) error {
		body, etag := s.get(t, bucket, key)
		return objectFactsMatch(attrs, body, etag, addr)
	}, addr)
}

// A snapshot streamed to the store: state describes the object exactly; a schema import reads it
// back by source_url into a new branch of production; a second plan is empty (refresh made one
// HEAD); once the object is deleted in the store, the plan proposes a new snapshot.
func testAccStoreSnapshot(t *testing.T, inst *emulatortest.Instance, s accStore) {
	bucket := fmt.Sprintf("xano-t%d", bucketSeq.Add(1)) // Azure: 3 to 63 characters
	s.create(t, bucket)
	key := "xano/staging.tar.gz"
	url := s.url(bucket, key)
	snapshot := fmt.Sprintf(`
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_url   = %q
}
`, url)
	withImport := providerConfig(inst) + snapshot + `
resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "release_1"
  source_url    = xano_workspace_snapshot.test.output_url
  source_sha256 = xano_workspace_snapshot.test.archive_sha256
  set_live      = true
  # The branch is live: Xano cannot delete it at the end of the test.
  retain_on_destroy = true
}
`
	var versionID knownvalue.Check = knownvalue.Null()
	if s.versioned {
		versionID = knownvalue.NotNull()
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: withImport,
				ConfigStateChecks: []statecheck.StateCheck{
					storeObjectFacts(t, s, bucket, key, snapshotAddr),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("output_url"), knownvalue.StringExact(url)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("archive_etag"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("archive_version_id"), versionID),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, stagingFunctions...),
					expectNoSecretsInState(s.secrets...),
					checkEmulator("the bucket holds the archive only", func() error {
						if got := s.keys(t, bucket); len(got) != 1 || got[0] != key {
							return fmt.Errorf("%s bucket %s holds %v, want [%s]", s.name, bucket, got, key)
						}
						return nil
					}),
				},
			},
			{
				Config:           withImport,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The object is deleted in the store: the backup is gone, a new one is made.
				PreConfig: func() { s.delete(t, bucket, key) },
				Config:    providerConfig(inst) + snapshot,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{storeObjectFacts(t, s, bucket, key, snapshotAddr)},
			},
		},
	})
}

// gs:// against fake-gcs-server, in a bucket with object versioning (the generation is the
// version id).
func TestAccSnapshot_gcsObjectStorage(t *testing.T) {
	skipUnlessAcc(t)
	inst := startEmulator(t, nil) // before the store: skips under make testacc-live, which runs none
	srv := gcstest.Shared(t)
	testAccStoreSnapshot(t, inst, accStore{
		name:      "GCS",
		create:    func(t testing.TB, b string) { srv.CreateBucket(t, b, true) },
		url:       srv.URL,
		get:       srv.Get,
		delete:    srv.Delete,
		keys:      srv.Keys,
		versioned: true,
	})
}

// azblob:// against Azurite, with the account key only in the environment.
func TestAccSnapshot_azureObjectStorage(t *testing.T) {
	skipUnlessAcc(t)
	inst := startEmulator(t, nil) // before the store: skips under make testacc-live, which runs none
	srv := azuritetest.Shared(t)
	testAccStoreSnapshot(t, inst, accStore{
		name:    "Azure",
		create:  srv.CreateContainer,
		url:     srv.URL,
		get:     srv.Get,
		delete:  srv.Delete,
		keys:    srv.Keys,
		secrets: azuritetest.Secrets(),
	})
}
