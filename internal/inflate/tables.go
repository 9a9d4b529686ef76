package inflate

import "math/bits"

// A decode table entry packs everything one lookup needs (uint32):
//
//	bits 0-7   bits to consume: the code's length plus its extra bits (for a subtable pointer:
//	           the main table's bits)
//	bits 8-11  the code's length alone, to shift the extra bits down (for a subtable pointer:
//	           the subtable's index bits)
//	bit 12     bad: no code (an incomplete or empty code, or a symbol deflate does not allow)
//	bit 13     end of block
//	bit 14     subtable pointer
//	bits 16-30 the value: a literal byte, a length or distance base, or a subtable's start
//	bit 31     literal
const (
	entBad     = 1 << 12
	entEOB     = 1 << 13
	entSub     = 1 << 14
	entLiteral = 1 << 31
	entExcept  = entBad | entEOB | entSub

	litTableBits  = 11
	distTableBits = 8
	preTableBits  = 7
	maxCodeLen    = 15

	// Subtables have a fixed size per table (2^(max code length - main bits)); one subtable per
	// distinct main-table prefix of the long codes, at most one per symbol.
	litTableSize  = 1<<litTableBits + 288<<(maxCodeLen-litTableBits)
	distTableSize = 1<<distTableBits + 32<<(maxCodeLen-distTableBits)
	preTableSize  = 1 << preTableBits

	maxNumLit  = 286
	maxNumDist = 30
)

// Per-symbol parts of the entries: the value, the flags and the number of extra bits (in the
// low byte, to which the code's length is added).
var (
	litInfo  [288]uint32
	distInfo [32]uint32
	preInfo  [19]uint32

	fixedLit  [litTableSize]uint32
	fixedDist [distTableSize]uint32
)

var (
	lengthBase  = [29]uint32{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint32{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// The order of the code length code lengths (RFC 1951 3.2.7).
	preOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

func init() {
	for i := range 256 {
		litInfo[i] = entLiteral | uint32(i)<<16
	}
	litInfo[256] = entEOB
	for i := range 29 {
		litInfo[257+i] = lengthBase[i]<<16 | lengthExtra[i]
	}
	litInfo[286] = entBad
	litInfo[287] = entBad
	for i := range 30 {
		distInfo[i] = distBase[i]<<16 | distExtra[i]
	}
	distInfo[30] = entBad
	distInfo[31] = entBad
	for i := range 19 {
		preInfo[i] = uint32(i) << 16
	}

	var l [288]uint8
	for i := range 144 {
		l[i] = 8
	}
	for i := 144; i < 256; i++ {
		l[i] = 9
	}
	for i := 256; i < 280; i++ {
		l[i] = 7
	}
	for i := 280; i < 288; i++ {
		l[i] = 8
	}
	if !buildTable(fixedLit[:], l[:], litInfo[:], litTableBits) {
		panic("inflate: fixed literal/length code")
	}
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	if !buildTable(fixedDist[:], d[:], distInfo[:], distTableBits) {
		panic("inflate: fixed distance code")
	}
}

// buildTable fills table from the code lengths of symbols 0..len(lengths)-1, as
// compress/flate accepts them: a complete code, an empty code (every lookup is bad), or a
// single code of length 1 (the other half of the lookups are bad). It reports false for any
// other code (over-subscribed or incomplete), which is corrupt input.
func buildTable(table []uint32, lengths []uint8, info []uint32, tableBits uint) bool {
	var count [maxCodeLen + 1]int
	maxLen := 0
	for _, n := range lengths {
		count[n]++
		if int(n) > maxLen {
			maxLen = int(n)
		}
	}
	count[0] = 0
	if maxLen == 0 {
		for i := range 1 << tableBits {
			table[i] = entBad
		}
		return true
	}
	// Canonical codes: the first code of each length, and completeness.
	var next [maxCodeLen + 2]int
	code := 0
	for n := 1; n <= maxLen; n++ {
		code = (code + count[n-1]) << 1
		next[n] = code
	}
	code += count[maxLen]
	if code != 1<<maxLen {
		if code != 1 || maxLen != 1 {
			return false
		}
		for i := range 1 << tableBits {
			table[i] = entBad
		}
	}
	// Symbols sorted by length, then value.
	var offs [maxCodeLen + 2]int
	for n := 1; n <= maxLen; n++ {
		offs[n+1] = offs[n] + count[n]
	}
	var sorted [288]uint16
	for sym, n := range lengths {
		if n != 0 {
			sorted[offs[n]] = uint16(sym)
			offs[n]++
		}
	}
	total := offs[maxLen]
	subBits := uint(0)
	if uint(maxLen) > tableBits {
		subBits = uint(maxLen) - tableBits
	}
	nextSub := 1 << tableBits
	lastPrefix := -1
	subStart := 0
	mainMask := 1<<tableBits - 1
	for _, sym := range sorted[:total] {
		n := uint(lengths[sym])
		c := next[n]
		next[n]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - n))
		if n <= tableBits {
			e := info[sym] + uint32(n) | uint32(n)<<8
			for i := rev; i < 1<<tableBits; i += 1 << n {
				table[i] = e
			}
			continue
		}
		prefix := rev & mainMask
		if prefix != lastPrefix {
			lastPrefix = prefix
			subStart = nextSub
			nextSub += 1 << subBits
			table[prefix] = entSub | uint32(subStart)<<16 | uint32(subBits)<<8 | uint32(tableBits)
		}
		sn := n - tableBits
		e := info[sym] + uint32(sn) | uint32(sn)<<8
		for i := rev >> tableBits; i < 1<<subBits; i += 1 << sn {
			table[subStart+i] = e
		}
	}
	return true
}
