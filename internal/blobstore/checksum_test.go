package blobstore

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestFullObjectChecksum: the full-object CRC32 is declared only when the URL asks for it, and
// never when the URL turns checksums off; the URL parameter is the provider's own and never
// reaches gocloud.
func TestFullObjectChecksum(t *testing.T) {
	for _, c := range []struct {
		param string
		calc  aws.RequestChecksumCalculation
		want  bool
	}{
		{"", aws.RequestChecksumCalculationWhenSupported, false},
		{"true", aws.RequestChecksumCalculationWhenSupported, true},
		{"false", aws.RequestChecksumCalculationWhenSupported, false},
		{"true", aws.RequestChecksumCalculationWhenRequired, false},
	} {
		if got := fullObjectChecksum(c.param, c.calc); got != c.want {
			t.Errorf("fullObjectChecksum(%q, %v) = %v, want %v", c.param, c.calc, got, c.want)
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
