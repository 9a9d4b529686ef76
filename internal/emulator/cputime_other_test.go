//go:build !linux

package emulator_test

func cpuNanos() int64 { return 0 }
