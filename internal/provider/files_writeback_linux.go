package provider

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the n bytes of f at off to disk, without
// waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE), so that the fsync of Commit has
// little left to wait for. It is advice: a failure changes nothing, Commit's fsync still decides.
func startWriteback(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}
