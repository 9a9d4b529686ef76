package blobstore

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// While a write runs, the Go runtime gets a soft memory limit sized from the write's buffers
// (runtime/debug.SetMemoryLimit), restored when the last write ends. Without it the collector
// lets the heap grow to twice what was live at the last collection: with 32 MiB of part buffers
// live, the garbage of the transfer manager's first part (read with io.ReadAll, a growing set of
// slices copied into a final one) stays uncollected, and the provider's peak RSS was 10-12 MiB
// above its baseline plus the buffers (measured in BENCHMARKS.md, "Memory of an export to object
// storage"). With the limit the collector runs as the heap nears baseline + buffers; the part
// buffers are pointer-free, so those collections mark almost nothing.
//
// The limit is soft: a write that needs more than it is not failed, the collector only works
// harder (the runtime caps that at about half the CPU). A limit the user set (GOMEMLIMIT) is
// never raised.

// memorySlack is what each write may hold beyond its part buffers before the collector runs:
// what the export allocates once the writer is open (its copy buffer, the inspection's inflater,
// the SDK's requests) and the runtime's own growth with the heap. Measured on a 256 MiB export to
// MinIO: with 4 MiB the collector ran back to back (10 cycles) until the first part was uploaded;
// with 6 MiB, twice, for 1-2 MiB more peak RSS; with 8 MiB, twice, for 5 MiB more.
const memorySlack = 6 << 20

// writeMemory is the limit's bookkeeping, shared by the writes of the process.
type writeMemory struct {
	sync.Mutex
	writers int
	base    int64 // the runtime's memory when the first write started
	extra   int64 // the sum of the running writes' buffers and slack
	prev    int64 // the limit before the first write
}

var memoryLimit writeMemory

// limitWriteMemory sets the soft memory limit for a write of o (limitMemory), unless o is a file,
// which a write streams to a temporary file without part buffers.
func limitWriteMemory(o Object, opts WriterOptions) (release func()) {
	if o.scheme == "file" {
		return func() {}
	}
	return limitMemory(opts.BufferBound())
}

// limitMemory sets the soft memory limit for one more write buffering up to bound bytes, and
// returns the function that ends it (idempotent).
func limitMemory(bound int64) (release func()) {
	m := &memoryLimit
	m.Lock()
	if m.writers == 0 {
		m.prev = debug.SetMemoryLimit(-1)
		// Collect and return what is free, so that the base is what is live now, not the
		// garbage of the plan or of an earlier write.
		debug.FreeOSMemory()
		m.base = runtimeMemory()
	}
	m.writers++
	m.extra += bound + memorySlack
	m.apply()
	m.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.Lock()
			defer m.Unlock()
			m.writers--
			m.extra -= bound + memorySlack
			if m.writers == 0 {
				debug.SetMemoryLimit(m.prev)
				return
			}
			m.apply()
		})
	}
}

// apply sets the limit for the running writes, never above the limit there was before them.
func (m *writeMemory) apply() {
	limit := m.base + m.extra
	if m.prev < limit {
		limit = m.prev
	}
	debug.SetMemoryLimit(limit)
}

// runtimeMemory is the memory the Go runtime holds from the system (what its memory limit
// counts): all it mapped minus what it returned.
func runtimeMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if total < released || total-released > math.MaxInt64 {
		return 0
	}
	return int64(total - released)
}
