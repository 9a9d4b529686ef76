package writeback

import (
	"os"

	"golang.org/x/sys/unix"
)

// start asks the kernel to start writing the n bytes of f at off to disk, without waiting for
// them (sync_file_range with SYNC_FILE_RANGE_WRITE). A failure changes nothing.
func start(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}
