//go:build unix

package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/xano-community/terraform-provider-xano/internal/blobstore/miniotest"
	"github.com/xano-community/terraform-provider-xano/internal/emulator"
)

// An export to an object interrupted mid-upload, through the real CLI (TF_ACC_TERRAFORM_PATH:
// scripts/testacc.sh runs it on OpenTofu and on Terraform 1.5.7) and the provider binary
// (dev_overrides, as the reliability suite runs it), against MinIO.
//
// A first apply writes a small snapshot (no data) at the key. The configuration then asks for
// the data too, with create_before_destroy, so the new snapshot is created first, over the same
// key. The emulator lets its export pass at full speed for interruptMidway bytes, then trickles
// it; once MinIO lists at least two uploaded parts of the multipart upload at the key, the CLI's
// process group gets SIGINT (a Ctrl-C). Nothing here waits for a time to pass: the test polls
// for the upload's parts, and the export stays held until the CLI has exited.
//
// Then: the object at the key is still the first one (same bytes, same ETag), no multipart
// upload is left in the bucket (the provider aborted it), the state still records the first
// snapshot (its ETag and hash), and neither the output nor the TRACE log holds a credential.
// A rerun converges: the new snapshot is written and recorded.
func TestAccSnapshot_objectStorageInterrupted(t *testing.T) {
	cli := realCLI(t, "to interrupt a real CLI")
	srv := miniotest.Shared(t)
	bucket := newBucket(t, srv, false)
	const key = "nightly/ws-1.tar.gz"
	providerDir, _ := exampleProviderBinary(t, moduleRoot(t))
	r := newRelRun(t, cli, relEnviron(t, providerDir))
	r.category, r.name = "sigint", "SIGINT during an export to an object (snapshot, MinIO)"
	for _, kv := range miniotest.Env() {
		if k, v, _ := strings.Cut(kv, "="); v != "" {
			r.env[k] = v
		}
	}
	r.secrets = append(r.secrets, miniotest.Secrets()...)
	r.startEmulator(interruptFixture())

	config := func(includeData bool) string {
		return fmt.Sprintf(`
resource "xano_workspace_snapshot" "s" {
  workspace_id = 1
  include_data = %t
  output_url   = %q
  lifecycle {
    create_before_destroy = true
  }
}
`, includeData, srv.URL(bucket, key, ""))
	}

	// The first snapshot: schema only, small.
	r.writeConfig(config(false))
	if code, out := r.apply(); code != 0 {
		t.Fatalf("the first apply exited %d:\n%s", code, out)
	}
	before, beforeETag := srv.Get(t, bucket, key)
	recorded := snapshotInState(t, r.dir)
	if recorded["archive_etag"] != beforeETag || recorded["archive_sha256"] != relSHA256(before) {
		t.Fatalf("after the first apply, the state records %v, but the object has ETag %s and sha256 %s",
			recorded, beforeETag, relSHA256(before))
	}

	// The replacement, with the data: interrupted while its upload is under way.
	r.writeConfig(config(true))
	gate := r.emu.holdExport(interruptMidway)
	defer gate.close()
	r.interruptUpload(func() bool {
		return gate.reached() && uploadedParts(t, srv, bucket, key) >= 2
	})

	after, afterETag := srv.Get(t, bucket, key)
	if afterETag != beforeETag || !bytes.Equal(after, before) {
		t.Errorf("the object at the key was replaced by the interrupted upload (ETag %s, was %s; %d bytes, were %d)",
			afterETag, beforeETag, len(after), len(before))
	}
	if up := srv.Uploads(t, bucket); len(up) != 0 {
		t.Errorf("multipart uploads left in the bucket after SIGINT (not aborted): %v", up)
	}
	if keys := srv.Keys(t, bucket); strings.Join(keys, ",") != key {
		t.Errorf("the bucket holds %v, want only %s", keys, key)
	}
	now := snapshotInState(t, r.dir)
	for _, k := range []string{"archive_etag", "archive_sha256", "archive_size", "include_data"} {
		if fmt.Sprint(now[k]) != fmt.Sprint(recorded[k]) {
			t.Errorf("after SIGINT the state records %s = %v, want the first snapshot's %v", k, now[k], recorded[k])
		}
	}

	// A rerun without the hold converges: the new snapshot is at the key and in state.
	r.converge()
	body, etag := srv.Get(t, bucket, key)
	final := snapshotInState(t, r.dir)
	if final["archive_etag"] != etag || final["archive_sha256"] != relSHA256(body) || final["include_data"] != true {
		t.Errorf("after the rerun, the state records %v, but the object has ETag %s and sha256 %s", final, etag, relSHA256(body))
	}
	if up := srv.Uploads(t, bucket); len(up) != 0 {
		t.Errorf("multipart uploads left in the bucket after the rerun: %v", up)
	}
}

// interruptMidway is how many bytes of the export pass at full speed before the hold: more
// than two parts of the multipart upload (blobstore.DefaultPartSize, 8 MiB), so that two are
// uploaded and a third is being filled when SIGINT comes.
const interruptMidway = 18 << 20

// interruptFixture has a table whose full export is well above interruptMidway (random rows
// gzip about 1.4:1: 40000 rows of 1 KiB make about 29 MB).
func interruptFixture() *emulator.Fixture {
	fx := emulator.DemoFixture()
	fx.Workspaces[0].Tables = append(fx.Workspaces[0].Tables,
		emulator.FixtureTable{Name: "events", Rows: 40000, RowBytes: 1024, RowKind: emulator.RowKindRandom})
	return fx
}

// uploadedParts is how many parts MinIO holds of the multipart upload in progress at key (0
// when there is none).
func uploadedParts(t *testing.T, srv *miniotest.Server, bucket, key string) int {
	t.Helper()
	c := srv.Client()
	ctx := t.Context()
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list uploads in %s: %v", bucket, err)
	}
	n := 0
	for _, u := range ups.Uploads {
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
		if err != nil {
			continue // aborted meanwhile
		}
		n = max(n, len(parts.Parts))
	}
	return n
}

// snapshotInState is the attributes of xano_workspace_snapshot.s in the local state (nil when
// the state has none, or more than one instance, which would be a deposed one left behind).
func snapshotInState(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("the state: %v", err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				Deposed    string         `json:"deposed"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("the state is not JSON: %v", err)
	}
	for _, res := range st.Resources {
		if res.Type != "xano_workspace_snapshot" || res.Name != "s" {
			continue
		}
		if len(res.Instances) != 1 || res.Instances[0].Deposed != "" {
			t.Errorf("the state holds %d instances of the snapshot (a deposed one?): %s", len(res.Instances), data)
			return nil
		}
		return res.Instances[0].Attributes
	}
	return nil
}

// interruptUpload starts apply, waits until ready() says the upload is under way, sends SIGINT
// to the CLI's process group (as a terminal does on Ctrl-C) and waits for the CLI to exit. The
// export stays held the whole time (unlike relRun.interrupt, which opens its gate a while after
// the signal): an upload that went on after SIGINT would keep the CLI waiting on the trickle
// and fail the test, instead of completing and passing by the clock. The apply must fail with
// an error of the snapshot; its output and TRACE log must hold no credential.
func (r *relRun) interruptUpload(ready func() bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), relCommandTimeout)
	defer cancel()
	cmd, log, out, done := r.startApply(ctx)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !ready() {
		select {
		case err := <-done:
			r.t.Fatalf("the apply ended (%v) before the upload was under way:\n%s", err, r.redact(out.String()))
		case <-tick.C:
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			r.t.Fatalf("the upload was not under way within %s:\n%s", relCommandTimeout, r.redact(out.String()))
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		r.t.Fatal(err)
	}
	exited, err := r.awaitExit(cmd, done)
	if !exited {
		r.t.Fatalf("the CLI had not exited %s after SIGINT: the upload was not cancelled", relInterruptWait)
	}
	code := relExitCode(ctx, r.t, err)
	text := out.String()
	r.scanText("the output of the interrupted apply", text)
	r.scanFile(log)
	if code == 0 {
		r.t.Fatalf("the interrupted apply exited 0:\n%s", r.redact(text))
	}
	// The CLI adds its own "execution halted" errors (a summary alone); the provider's error on
	// the snapshot says that nothing was written.
	if !strings.Contains(text, "with xano_workspace_snapshot.s") || !strings.Contains(text, "nothing was written") {
		r.t.Errorf("the interrupted apply has no error of the snapshot saying that nothing was written:\n%s", r.redact(text))
	}
	r.t.Logf("after SIGINT: exit %d\n%s", code, r.redact(text))
	r.recordNote = fmt.Sprintf("exit %d after SIGINT: %s", code, relFirstError(text))
}
