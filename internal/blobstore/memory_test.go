package blobstore

import (
	"math"
	"runtime/debug"
	"testing"
)

// currentLimit reads the soft memory limit without changing it.
func currentLimit() int64 { return debug.SetMemoryLimit(-1) }

func TestLimitMemoryScopedToWrites(t *testing.T) {
	before := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	const bound = 32 << 20
	end1 := limitMemory(bound)
	base := memoryLimit.base
	if base <= 0 {
		t.Fatalf("base = %d, want the runtime's memory", base)
	}
	if got, want := currentLimit(), base+bound+memorySlack; got != want {
		t.Fatalf("one write: limit %d, want base + buffers + slack = %d", got, want)
	}
	end2 := limitMemory(bound)
	if got, want := currentLimit(), base+2*(bound+memorySlack); got != want {
		t.Fatalf("two writes: limit %d, want %d", got, want)
	}
	end1()
	end1() // idempotent: an Abort after a failed Commit
	if got, want := currentLimit(), base+bound+memorySlack; got != want {
		t.Fatalf("one write left: limit %d, want %d", got, want)
	}
	end2()
	if got := currentLimit(); got != math.MaxInt64 {
		t.Fatalf("no write left: limit %d, want the previous one (no limit)", got)
	}
}

func TestLimitMemoryKeepsALowerUserLimit(t *testing.T) {
	const user = 1 << 20 // below any base + buffers
	before := debug.SetMemoryLimit(user)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	end := limitMemory(32 << 20)
	if got := currentLimit(); got != user {
		t.Fatalf("during a write: limit %d, want the user's %d (never raised)", got, user)
	}
	end()
	if got := currentLimit(); got != user {
		t.Fatalf("after: limit %d, want the user's %d", got, user)
	}
}

func TestWriteMemoryOnlyForBufferingStores(t *testing.T) {
	before := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	file, err := Parse("file:///tmp/xano/a.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	end := limitWriteMemory(file, WriterOptions{})
	if got := currentLimit(); got != math.MaxInt64 {
		t.Errorf("a file write set the limit to %d: it buffers no parts", got)
	}
	end()
	s3, err := Parse("s3://bucket/a.tar.gz?region=eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	end = limitWriteMemory(s3, WriterOptions{})
	if got := currentLimit(); got == math.MaxInt64 {
		t.Error("an S3 write set no limit")
	}
	end()
	if got := currentLimit(); got != math.MaxInt64 {
		t.Errorf("after the S3 write the limit is %d, want none", got)
	}
}
