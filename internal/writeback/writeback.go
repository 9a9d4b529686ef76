// Package writeback hands the bytes written to a file to the kernel's writeback while the file
// is being written, so that the fsync that ends the write (a snapshot's before its rename, an
// emulator import's spool) has little left to wait for instead of the whole file. It is advice
// only Linux takes (sync_file_range); the fsync still decides what is durable.
//
// This is a leaf package: the provider and the emulator both use it.
package writeback

import "os"

// Chunk is how many written bytes are handed to the disk at once.
const Chunk = 8 << 20

// Advance starts the writeback of the bytes of f from *flushed to written once there are Chunk
// of them, and then moves *flushed to written. Call it after each write, with the file's size.
func Advance(f *os.File, flushed *int64, written int64) {
	if written-*flushed < Chunk {
		return
	}
	start(f, *flushed, written-*flushed)
	*flushed = written
}
