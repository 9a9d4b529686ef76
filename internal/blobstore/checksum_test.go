package blobstore

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestFullObjectChecksum: the full-object CRC32 is declared on AWS S3 by default, with a custom
// endpoint only when the URL asks for it, and never when the URL turns checksums off; the URL
// parameter is the provider's own and never reaches gocloud.
func TestFullObjectChecksum(t *testing.T) {
	for _, c := range []struct {
		param  string
		custom bool
		calc   aws.RequestChecksumCalculation
		want   bool
	}{
		{"", false, aws.RequestChecksumCalculationWhenSupported, true}, // AWS S3
		{"", true, aws.RequestChecksumCalculationWhenSupported, false}, // an S3-compatible store
		{"true", true, aws.RequestChecksumCalculationWhenSupported, true},
		{"false", false, aws.RequestChecksumCalculationWhenSupported, false},
		{"true", true, aws.RequestChecksumCalculationWhenRequired, false},
		{"", false, aws.RequestChecksumCalculationWhenRequired, false},
	} {
		if got := fullObjectChecksum(c.param, c.custom, c.calc); got != c.want {
			t.Errorf("fullObjectChecksum(%q, custom endpoint %v, %v) = %v, want %v", c.param, c.custom, c.calc, got, c.want)
		}
	}
	o, err := Parse("s3://b/k?endpoint=http://127.0.0.1:9000&full_object_checksum=true&region=us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if o.fullObject != "true" || o.bucket != "s3://b?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1" {
		t.Errorf("Parse: fullObject %q, gocloud URL %q", o.fullObject, o.bucket)
	}
}
