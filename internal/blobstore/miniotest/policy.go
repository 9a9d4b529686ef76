package miniotest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// AllowAnonymousWritesWithoutMetadataCopy lets anonymous clients (anonymous=true in the URL)
// read and write bucket's objects, but refuses a copy that replaces an object's metadata (the
// condition key s3:x-amz-metadata-directive): an upload succeeds and the metadata step after it
// is denied.
func (s *Server) AllowAnonymousWritesWithoutMetadataCopy(t testing.TB, bucket string) {
	t.Helper()
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject","s3:PutObject","s3:AbortMultipartUpload",`+
		`"s3:ListMultipartUploadParts"],"Resource":["arn:aws:s3:::%[1]s/*"]},`+
		`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:ListBucket","s3:ListBucketMultipartUploads"],`+
		`"Resource":["arn:aws:s3:::%[1]s"]},`+
		`{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:PutObject"],"Resource":["arn:aws:s3:::%[1]s/*"],`+
		`"Condition":{"StringEquals":{"s3:x-amz-metadata-directive":"REPLACE"}}}]}`, bucket)
	if _, err := s.Client().PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("bucket policy on %s: %v", bucket, err)
	}
}
