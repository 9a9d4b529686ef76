package provider

import (
	"context"
	"crypto/md5" //nolint:gosec // the test checks the provider's archive_md5
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
	"github.com/xano-community/terraform-provider-xano/internal/emulator/emulatortest"
)

// The object storage tests run against MinIO (XANO_MINIO_BINARY, which make testacc sets):
// archives written to and read from s3:// URLs, with the credentials only in the shared AWS
// files miniotest writes, never in a URL.

var bucketSeq atomic.Int64

// newBucket creates a bucket of its own for one test on the shared MinIO.
func newBucket(t *testing.T, srv *miniotest.Server, versioned bool) string {
	t.Helper()
	name := fmt.Sprintf("t%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	srv.CreateBucket(t, name, versioned)
	return name
}

// objectFacts checks, after apply, that the attributes of addr describe the object exactly: its
// bytes hash to archive_sha256 and archive_md5, its size and ETag are those recorded.
func objectFacts(t *testing.T, srv *miniotest.Server, bucket, key, addr string) statecheck.StateCheck {
	return stateFunc("the object's facts in state", func(s map[string]any) error {
		body, etag := srv.Get(t, bucket, key)
		return objectFactsMatch(s, body, etag, addr)
	}, addr)
}

// objectFactsMatch compares the attributes of addr in state with an object's bytes and ETag.
func objectFactsMatch(s map[string]any, body []byte, etag, addr string) error {
	sum := sha256.Sum256(body)
	m := md5.Sum(body) //nolint:gosec
	want := map[string]any{
		"archive_sha256":       hex.EncodeToString(sum[:]),
		"archive_base64sha256": base64.StdEncoding.EncodeToString(sum[:]),
		"archive_md5":          hex.EncodeToString(m[:]),
		"archive_base64md5":    base64.StdEncoding.EncodeToString(m[:]),
		"archive_size":         float64(len(body)),
		"archive_etag":         etag,
	}
	for k, v := range want {
		if fmt.Sprint(s[k]) != fmt.Sprint(v) {
			return fmt.Errorf("%s.%s = %v, but the object gives %v", addr, k, s[k], v)
		}
	}
	return nil
}

// stateFunc runs fn on the attribute values of addr in state.
func stateFunc(what string, fn func(map[string]any) error, addr string) statecheck.StateCheck {
	return stateAttrsCheck{what: what, addr: addr, fn: fn}
}

type stateAttrsCheck struct {
	what string
	addr string
	fn   func(map[string]any) error
}

func (c stateAttrsCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("%s: no state", c.what)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == c.addr {
			if err := c.fn(r.AttributeValues); err != nil {
				resp.Error = fmt.Errorf("%s: %w", c.what, err)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s: %s is not in state", c.what, c.addr)
}

// expectKeys checks the bucket holds exactly these keys and no multipart upload in progress.
func expectKeys(t *testing.T, srv *miniotest.Server, bucket string, want ...string) error {
	got := srv.Keys(t, bucket)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("bucket %s holds %v, want %v", bucket, got, want)
	}
	if up := srv.Uploads(t, bucket); len(up) != 0 {
		return fmt.Errorf("bucket %s has multipart uploads in progress: %v", bucket, up)
	}
	return nil
}

func objectSnapshotConfig(inst *emulatortest.Instance, url, extra string) string {
	return testConfig(inst, `
resource "xano_workspace_snapshot" "test" {
  workspace_id = 1
  output_url   = %q
  %s
}
`, url, extra)
}

// objectExportConfig is the provider and a data.xano_workspace_export of workspace 1 to url.
func objectExportConfig(inst *emulatortest.Instance, url string) string {
	return testConfig(inst, `
data "xano_workspace_export" "test" {
  workspace_id = 1
  output_url   = %q
}
`, url)
}

// A snapshot to a store on https whose private CA the runner trusts through AWS_CA_BUNDLE (a
// self-hosted MinIO; over https the parts go unsigned with trailing checksums, as on every cloud
// store), with full_object_checksum=true as the guide advises for MinIO: state describes the
// object, which carries a full-object CRC32 and the archive's hashes as metadata; a second plan
// is empty (refresh's HEAD over https).
func TestAccSnapshot_objectStorageHTTPS(t *testing.T) {
	srv := miniotest.StartTLS(t)
	t.Setenv("AWS_CA_BUNDLE", srv.CABundle)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	key := "xano/staging.tar.gz"
	url := srv.URL(bucket, key, "") + "&full_object_checksum=true"
	config := objectSnapshotConfig(inst, url, "")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					objectFacts(t, srv, bucket, key, snapshotAddr),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
					expectNoSecretsInState(miniotest.Secrets()...),
					checkEmulator("the object has a full-object checksum and its hashes as metadata", func() error {
						out, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket),
							Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled})
						if err != nil {
							return err
						}
						if out.ChecksumType != s3types.ChecksumTypeFullObject || aws.ToString(out.ChecksumCRC32) == "" {
							return fmt.Errorf("checksum %s %q, want a FULL_OBJECT CRC32", out.ChecksumType, aws.ToString(out.ChecksumCRC32))
						}
						if out.Metadata[metaArchiveSHA256] == "" || out.Metadata[metaContentSHA256] == "" {
							return fmt.Errorf("metadata %v: want the archive's hashes", out.Metadata)
						}
						return nil
					}),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// A snapshot streamed to S3 (MinIO, versioned bucket): state describes the object exactly, and
// a second plan is empty (refresh made one HEAD). The object rewritten by someone else, then
// deleted: each time refresh forgets the snapshot and the plan makes a new one.
func TestAccSnapshot_objectStorage(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, true)
	key := "xano/staging.tar.gz"
	url := srv.URL(bucket, key, "")
	config := objectSnapshotConfig(inst, url, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					objectFacts(t, srv, bucket, key, snapshotAddr),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("output_url"), knownvalue.StringExact(url)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("output_path"), knownvalue.Null()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("archive_version_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("track_archive"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(snapshotAddr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
					expectNoSecretsInState(miniotest.Secrets()...),
					checkEmulator("the bucket holds the archive only", func() error { return expectKeys(t, srv, bucket, key) }),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Someone rewrites the object: the snapshot is gone, a new one is made.
				PreConfig: func() { srv.Put(t, bucket, key, []byte("not the snapshot")) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{objectFacts(t, srv, bucket, key, snapshotAddr)},
			},
			{
				// The object is deleted: the plan proposes a new backup.
				PreConfig: func() { srv.Delete(t, bucket, key) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{objectFacts(t, srv, bucket, key, snapshotAddr)},
			},
			{
				// track_archive = false is an update in place (no export)...
				Config: objectSnapshotConfig(inst, url, "track_archive = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				// ...after which a deleted object goes unnoticed.
				PreConfig:        func() { srv.Delete(t, bucket, key) },
				Config:           objectSnapshotConfig(inst, url, "track_archive = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The deprecated track_file still works, and setting it with track_archive is an error.
func TestAccSnapshot_trackFileAlias(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	key := "a.tar.gz"
	url := srv.URL(bucket, key, "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      objectSnapshotConfig(inst, url, "track_file = false\n  track_archive = false"),
				ExpectError: regexp.MustCompile(`(?s)track_archive.*track_file|track_file.*track_archive`),
			},
			{
				Config: objectSnapshotConfig(inst, url, "track_file = false"),
			},
			{
				// With track_file = false, a deleted object is not noticed: the plan is empty.
				PreConfig:        func() { srv.Delete(t, bucket, key) },
				Config:           objectSnapshotConfig(inst, url, "track_file = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The export data source streams to an object when output_url is set.
func TestAccWorkspaceExportDataSource_objectStorage(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	key := "exports/staging.tar.gz"
	const addr = "data.xano_workspace_export.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: objectExportConfig(inst, srv.URL(bucket, key, "")),
			ConfigStateChecks: []statecheck.StateCheck{
				objectFacts(t, srv, bucket, key, addr),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("archive_version_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("content_sha256"), knownvalue.StringRegexp(sha256HexRegex)),
				expectNoSecretsInState(miniotest.Secrets()...),
			},
		}},
	})
}

// Promotion and restore through object storage: a snapshot of staging to S3 is imported into a
// new branch of production by source_url, and a full export to S3 restores workspace 2.
func TestAccWorkspaceSchemaImport_sourceURL(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, true)
	config := providerConfig(inst) + fmt.Sprintf(`
resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  output_url   = %q
}

resource "xano_workspace_schema_import" "test" {
  workspace_id  = 2
  branch        = "release_1"
  source_url    = xano_workspace_snapshot.staging.output_url
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  set_live      = true
  # The branch is live: Xano cannot delete it at the end of the test.
  retain_on_destroy = true
}
`, srv.URL(bucket, "staging.tar.gz", ""))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("live"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(schemaImportAddr, tfjsonpath.New("source_path"), knownvalue.Null()),
					siBranchesAre(t, inst, "release_1", "v1"),
					siFunctionsAre(t, inst, stagingFunctions...),
				},
			},
			{
				// A fresh plan reads nothing and changes nothing.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})

}

// A full restore of workspace 2 from an object; a wrong source_sha256 uploads nothing.
func TestAccWorkspaceImport_sourceURL(t *testing.T) {
	srv := miniotest.Shared(t)
	bucket := newBucket(t, srv, false)
	inst2 := startEmulator(t, nil)
	full := inst2.Export(t, 1, "", true)
	srv.Put(t, bucket, "full/staging.tar.gz", full)
	fullFile, _ := writeTestArchive(t, t.TempDir(), "full.tar.gz", full)
	sum := sha256.Sum256(full)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A wrong source_sha256 uploads nothing.
				Config: providerConfig(inst2) + fmt.Sprintf(`
resource "xano_workspace_import" "restore" {
  workspace_id  = 2
  source_url    = %q
  source_sha256 = %q
}
`, srv.URL(bucket, "full/staging.tar.gz", ""), strings.Repeat("0", 64)),
				ExpectError: errorPattern("does not match source_sha256"),
			},
			{
				Config: providerConfig(inst2) + fmt.Sprintf(`
resource "xano_workspace_import" "restore" {
  workspace_id    = 2
  source_url      = %q
  source_sha256   = %q
  allow_data_loss = true
}
`, srv.URL(bucket, "full/staging.tar.gz", ""), hex.EncodeToString(sum[:])),
				// The plan reads the object to show what the restore changes, as it does a file.
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("changes").AtMapKey("compared_with"),
						knownvalue.StringExact(`the live branch "v1" of workspace 2, tables included, which the import replaces`)),
					plancheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("changes").AtMapKey("destructive"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringRegexp(regexp.MustCompile(`^every record of workspace 2 is replaced by the archive's: `)),
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_sha256"), knownvalue.StringExact(hex.EncodeToString(sum[:]))),
					statecheck.ExpectKnownValue(workspaceImportAddr, tfjsonpath.New("imported_content_sha256"), archiveContentIs(fullFile)),
					checkEmulator("workspace 2 holds staging's functions", func() error {
						return expectBranchFunctions(t, inst2, 2, "", "compute_invoice_total", "send_welcome_email")
					}),
				},
			},
		},
	})
}

// Faults: wrong credentials, a missing bucket, access denied, MinIO stopped. Each fails with an
// error naming what to fix, leaves nothing in the bucket and nothing in state, and no credential
// reaches the error.
func TestAccSnapshot_objectStorageFaults(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	srv.AllowAnonymousRead(t, bucket)
	// Before each step: nothing was left in the bucket by the failed one.
	empty := func() {
		if err := expectKeys(t, srv, bucket); err != nil {
			t.Error(err)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      objectSnapshotConfig(inst, srv.URL(bucket, "k.tar.gz", miniotest.ProfileWrong), ""),
				ExpectError: errorPattern("credentials missing or invalid", "profile"),
			},
			{
				PreConfig:   empty,
				Config:      objectSnapshotConfig(inst, srv.URL(bucket, "k.tar.gz", "no-such-profile"), ""),
				ExpectError: errorPattern("credentials missing or invalid"),
			},
			{
				PreConfig:   empty,
				Config:      objectSnapshotConfig(inst, srv.URL("no-such-bucket-"+bucket, "k.tar.gz", ""), ""),
				ExpectError: errorPattern("bucket not found", "create the bucket"),
			},
			{
				PreConfig:   empty,
				Config:      objectSnapshotConfig(inst, srv.URL(bucket, "k.tar.gz", "")+"&anonymous=true", ""),
				ExpectError: errorPattern("access denied", "s3:PutObject"),
			},
			{
				PreConfig:   empty,
				Config:      objectSnapshotConfig(inst, "s3://"+bucket+"/k.tar.gz?aws_secret_access_key=x", ""),
				ExpectError: errorPattern("looks like a credential"),
			},
			{
				// Nothing was left by any of the above, and nothing was recorded: the snapshot is created.
				PreConfig: empty,
				Config:    objectSnapshotConfig(inst, srv.URL(bucket, "k.tar.gz", ""), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkEmulator("only the good snapshot is in the bucket", func() error { return expectKeys(t, srv, bucket, "k.tar.gz") }),
				},
			},
		},
	})
}

// MinIO stops while the export is under way: the apply fails naming the endpoint, the previous
// object is untouched, and no multipart upload is left behind once MinIO is back.
func TestAccSnapshot_objectStorageStoppedMidApply(t *testing.T) {
	srv := miniotest.Start(t)
	inst := startEmulator(t, nil)
	srv.CreateBucket(t, "stopped", false)
	url := srv.URL("stopped", "k.tar.gz", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The export answers after 2 s; MinIO is stopped as soon as the export is asked for.
				if err := inst.Control.AddFault(context.Background(), emulator.Fault{Method: "POST", Path: "/workspace/1/export*", DelayMS: 2000}); err != nil {
					t.Fatal(err)
				}
				go func() {
					deadline := time.Now().Add(2 * time.Minute)
					for time.Now().Before(deadline) {
						if reqs, err := inst.Control.Requests(context.Background()); err == nil {
							for _, r := range reqs {
								if strings.HasPrefix(r.Path, "/workspace/1") {
									srv.Stop()
									return
								}
							}
						}
						time.Sleep(20 * time.Millisecond)
					}
				}()
			},
			Config:      objectSnapshotConfig(inst, url, ""),
			ExpectError: errorPattern("store unreachable", "endpoint="),
		}},
	})
}
