package inflate

import (
	"encoding/binary"
	"unsafe"
)

// Unchecked buffer access for the fast loop. The callers guarantee that every access lies
// within the buffer p points to (see huffFast); the fuzz tests run the fast loop on every
// kind of stream. The 8-byte loads and stores are little-endian on every architecture and
// compile to single unaligned moves where the architecture allows them.

// An [8]byte has no alignment requirement, so these conversions are valid for any i (also
// under -race's pointer checks).

func load64(p unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
}

func store64(p unsafe.Pointer, i int, v uint64) {
	binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(p, i))[:], v)
}

func load8(p unsafe.Pointer, i int) byte { return *(*byte)(unsafe.Add(p, i)) }

func store8(p unsafe.Pointer, i int, v byte) { *(*byte)(unsafe.Add(p, i)) = v }
