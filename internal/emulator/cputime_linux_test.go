package emulator_test

import "syscall"

// cpuNanos is the CPU time (user and system) this process has used: on a shared machine it
// measures the work done, where wall time also counts the waits for a core.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
