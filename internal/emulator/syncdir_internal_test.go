package emulator

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := syncDir(dir); err != nil {
		t.Fatalf("sync of a directory: %v", err)
	}
	if runtime.GOOS == "windows" {
		return // a no-op there
	}
	if err := syncDir(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("the sync of a missing directory reported no error")
	}
}
