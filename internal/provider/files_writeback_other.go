//go:build !linux

package provider

import "os"

// startWriteback is advice that only Linux takes (sync_file_range); elsewhere Commit's fsync
// writes the whole file.
func startWriteback(*os.File, int64, int64) {}
