//go:build !linux

package archive

func cpuNanos() int64 { return 0 }
