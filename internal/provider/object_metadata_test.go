package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xano-community/terraform-provider-xano/internal/archive"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore"
	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
)

// headObject is one HEAD of key in bucket, as a store's client sees it: user metadata, ETag,
// version id ("" when the bucket keeps none).
func headObject(t *testing.T, srv *miniotest.Server, bucket, key string) (map[string]string, string, string) {
	t.Helper()
	out, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HEAD %s/%s: %v", bucket, key, err)
	}
	v := aws.ToString(out.VersionId)
	if v == "null" {
		v = ""
	}
	return out.Metadata, aws.ToString(out.ETag), v
}

// objectVersions lists the version ids of key in bucket.
func objectVersions(t *testing.T, srv *miniotest.Server, bucket, key string) []string {
	t.Helper()
	out, err := srv.Client().ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list versions of %s/%s: %v", bucket, key, err)
	}
	var ids []string
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			ids = append(ids, aws.ToString(v.VersionId))
		}
	}
	return ids
}

// objectCarriesState checks, after apply, that the object at key carries the hashes of addr's
// state as its metadata, that state records the object as it finally is (its ETag and version
// after the metadata step), and that the bucket keeps that one version of it.
func objectCarriesState(t *testing.T, srv *miniotest.Server, bucket, key, addr string) statecheck.StateCheck {
	return stateFunc("the object's metadata and state", func(s map[string]any) error {
		md, etag, version := headObject(t, srv, bucket, key)
		want := map[string]string{
			metaArchiveSHA256: fmt.Sprint(s["archive_sha256"]),
			metaArchiveMD5:    fmt.Sprint(s["archive_md5"]),
			metaContentSHA256: fmt.Sprint(s["content_sha256"]),
			metaEncrypted:     fmt.Sprint(s["encrypted"]),
			metaWorkspaceID:   fmt.Sprint(s["workspace_id"]),
			metaBranch:        fmt.Sprint(s["exported_branch"]),
		}
		if objs, ok := s["objects"].(map[string]any); ok {
			want[metaObjects] = strconv.Itoa(len(objs))
		}
		for k, v := range want {
			if md[k] != v {
				return fmt.Errorf("the object's metadata %s = %q, state gives %q (metadata: %v)", k, md[k], v, md)
			}
		}
		if fmt.Sprint(s["archive_etag"]) != etag {
			return fmt.Errorf("state records ETag %v, the object's is %s", s["archive_etag"], etag)
		}
		recorded, _ := s["archive_version_id"].(string)
		if recorded != version {
			return fmt.Errorf("state records version %q, the object's is %q", recorded, version)
		}
		if ids := objectVersions(t, srv, bucket, key); len(ids) != 1 {
			return fmt.Errorf("the bucket keeps %d versions of the object (%v), want 1", len(ids), ids)
		}
		return nil
	}, addr)
}

// A snapshot in a versioned and in an unversioned bucket carries its hashes as the object's
// metadata; state records the object as it finally is (the plan that follows is empty), and
// one version of it is kept. A copy of the object with other hashes in its metadata (same
// bytes) is seen by refresh as another archive.
func TestAccSnapshot_objectMetadata(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	for _, versioned := range []bool{true, false} {
		t.Run(fmt.Sprintf("versioned=%t", versioned), func(t *testing.T) {
			bucket := newBucket(t, srv, versioned)
			key := "xano/staging.tar.gz"
			config := objectSnapshotConfig(inst, srv.URL(bucket, key, ""), "")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							objectFacts(t, srv, bucket, key, snapshotAddr),
							objectCarriesState(t, srv, bucket, key, snapshotAddr),
						},
					},
					{
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
					{
						// The same bytes under other hashes: not the archive recorded.
						PreConfig: func() { replaceArchiveSHA256(t, srv, bucket, key) },
						Config:    config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(snapshotAddr, plancheck.ResourceActionCreate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{objectCarriesStateOrLatest(t, srv, bucket, key, versioned)},
					},
				},
			})
		})
	}
}

// objectCarriesStateOrLatest is objectCarriesState for a bucket whose earlier versions were
// made by hand: only the current version is compared with state.
func objectCarriesStateOrLatest(t *testing.T, srv *miniotest.Server, bucket, key string, versioned bool) statecheck.StateCheck {
	if !versioned {
		return objectCarriesState(t, srv, bucket, key, snapshotAddr)
	}
	return stateFunc("the object's metadata and state", func(s map[string]any) error {
		md, etag, version := headObject(t, srv, bucket, key)
		if md[metaArchiveSHA256] != fmt.Sprint(s["archive_sha256"]) || etag != fmt.Sprint(s["archive_etag"]) ||
			version != fmt.Sprint(s["archive_version_id"]) {
			return fmt.Errorf("the object (%v, %s, %s) is not the one in state (%v, %v, %v)", md, etag, version,
				s["archive_sha256"], s["archive_etag"], s["archive_version_id"])
		}
		return nil
	}, snapshotAddr)
}

// replaceArchiveSHA256 copies the object onto itself with another xano-archive-sha256, as a
// person or a tool could.
func replaceArchiveSHA256(t *testing.T, srv *miniotest.Server, bucket, key string) {
	t.Helper()
	md, before, _ := headObject(t, srv, bucket, key)
	defer func() {
		// MinIO, as S3, gives a copy of a single-part object the same ETag (its MD5): in a bucket
		// without versions only the metadata tells this object from the archive recorded.
		if _, after, version := headObject(t, srv, bucket, key); version == "" && after != before {
			t.Fatalf("the copy by hand changed the ETag (%s, was %s): the step no longer tests the metadata check", after, before)
		}
	}()
	md[metaArchiveSHA256] = "0000000000000000000000000000000000000000000000000000000000000000"
	if _, err := srv.Client().CopyObject(context.Background(), &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		CopySource: aws.String(bucket + "/" + key), Metadata: md, MetadataDirective: s3types.MetadataDirectiveReplace}); err != nil {
		t.Fatalf("copy %s/%s: %v", bucket, key, err)
	}
}

// The export data source's object carries its hashes too, as recorded in its state.
func TestAccWorkspaceExportDataSource_objectMetadata(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, true)
	key := "exports/staging.tar.gz"
	const addr = "data.xano_workspace_export.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: objectExportConfig(inst, srv.URL(bucket, key, "")),
			ConfigStateChecks: []statecheck.StateCheck{
				objectFacts(t, srv, bucket, key, addr),
				objectCarriesState(t, srv, bucket, key, addr),
			},
		}},
	})
}

// A store that refuses the metadata step (a bucket policy denying copies that replace
// metadata) loses nothing: the snapshot is written and recorded with the object's attributes
// as uploaded, the object has no hash metadata, and the plan that follows is empty.
func TestAccSnapshot_objectMetadataDenied(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	bucket := newBucket(t, srv, false)
	srv.AllowAnonymousWritesWithoutMetadataCopy(t, bucket)
	key := "xano/staging.tar.gz"
	config := objectSnapshotConfig(inst, srv.URL(bucket, key, "")+"&anonymous=true", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					objectFacts(t, srv, bucket, key, snapshotAddr),
					stateFunc("the object without hash metadata", func(map[string]any) error {
						if md, _, _ := headObject(t, srv, bucket, key); md[metaArchiveSHA256] != "" || md[metaWrittenBy] == "" {
							return fmt.Errorf("metadata = %v, want the upload's only", md)
						}
						return nil
					}, snapshotAddr),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The sink of an export object: the archive committed, its hashes become the object's metadata
// and the sink records the object as it then is; when the store refuses that step the archive
// stays as uploaded, recorded with its attributes, and a warning says why the hashes are only
// in state.
func TestBlobSinkHashMetadata(t *testing.T) {
	srv := miniotest.Shared(t)
	inst := startEmulator(t, nil)
	data := inst.Export(t, 1, "", true)
	for _, denied := range []bool{false, true} {
		t.Run(fmt.Sprintf("denied=%t", denied), func(t *testing.T) {
			bucket := newBucket(t, srv, true)
			url := srv.URL(bucket, "k.tar.gz", "")
			if denied {
				srv.AllowAnonymousWritesWithoutMetadataCopy(t, bucket)
				url += "&anonymous=true"
			}
			obj, err := blobstore.Parse(url)
			if err != nil {
				t.Fatal(err)
			}
			sink, err := newBlobSink(context.Background(), obj, map[string]string{metaWrittenBy: "test"}, archiveInspector(archive.Limits{}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sink.Write(data); err != nil {
				t.Fatal(err)
			}
			d, info, _, err := sink.Commit()
			if err != nil {
				t.Fatal(err)
			}
			md, etag, version := headObject(t, srv, bucket, "k.tar.gz")
			if sink.attrs.ETag != etag || sink.attrs.VersionID != version {
				t.Errorf("the sink records %s/%s, the object is %s/%s", sink.attrs.ETag, sink.attrs.VersionID, etag, version)
			}
			if ids := objectVersions(t, srv, bucket, "k.tar.gz"); len(ids) != 1 {
				t.Errorf("versions = %v, want one", ids)
			}
			w := sink.commitWarnings()
			if denied {
				if md[metaArchiveSHA256] != "" || len(w) != 1 || !strings.Contains(w[0].Detail(), d.SHA256) ||
					!strings.Contains(w[0].Detail(), "access denied") {
					t.Errorf("metadata %v, warnings %v", md, w)
				}
				return
			}
			if md[metaArchiveSHA256] != d.SHA256 || md[metaContentSHA256] != info.ContentSHA256 || md[metaWrittenBy] != "test" || len(w) != 0 {
				t.Errorf("metadata %v, warnings %v", md, w)
			}
		})
	}
}
