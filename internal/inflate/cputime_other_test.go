//go:build !linux

package inflate

func cpuNanos() int64 { return 0 }
