//go:build !linux

package emulator

import "os"

// startWriteback is advice only Linux takes (sync_file_range); elsewhere the fsync at the end
// of the import writes the whole spool file.
func startWriteback(*os.File, int64, int64) {}
