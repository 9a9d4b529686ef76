package inflate

import (
	"bytes"
	"io"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// A hand-built deflate stream writer for the tests: stored, fixed and dynamic blocks with
// chosen (random, complete, up to 15-bit) codes, every length and distance code.

type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// code writes a Huffman code (most significant bit first).
func (w *bitWriter) code(c uint16, n uint8) {
	w.bits(uint64(bits.Reverse16(c)>>(16-n)), uint(n))
}

func (w *bitWriter) align() {
	if w.nacc > 0 {
		w.bits(0, 8-w.nacc)
	}
}

func (w *bitWriter) bytes() []byte {
	b := w.buf
	if w.nacc > 0 {
		b = append(b, byte(w.acc))
	}
	return b
}

// canonical computes the codes of a set of code lengths.
func canonical(lengths []uint8) []uint16 {
	var count [16]int
	for _, n := range lengths {
		count[n]++
	}
	count[0] = 0
	var next [16]int
	c := 0
	for n := 1; n < 16; n++ {
		c = (c + count[n-1]) << 1
		next[n] = c
	}
	codes := make([]uint16, len(lengths))
	for i, n := range lengths {
		if n > 0 {
			codes[i] = uint16(next[n])
			next[n]++
		}
	}
	return codes
}

// randomLengths gives a random complete code over the symbols in used (len(used) >= 2), with
// lengths at most maxLen.
func randomLengths(r *rand.Rand, size int, used []int, maxLen int, deep bool) []uint8 {
	depths := []int{1, 1}
	for len(depths) < len(used) {
		// Split a leaf: the deepest splittable one sometimes, to reach maxLen.
		i := r.IntN(len(depths))
		if deep && r.IntN(2) == 0 {
			for j, d := range depths {
				if d > depths[i] && d < maxLen {
					i = j
				}
			}
		}
		if depths[i] >= maxLen {
			continue
		}
		depths[i]++
		depths = append(depths, depths[i])
	}
	l := make([]uint8, size)
	r.Shuffle(len(depths), func(a, b int) { depths[a], depths[b] = depths[b], depths[a] })
	for k, s := range used {
		l[s] = uint8(depths[k])
	}
	return l
}

type genBlock struct {
	litLen, distLen   []uint8
	litCode, distCode []uint16
}

// lengthCode returns the code, extra bits and their count of a match length.
func lengthCode(l int) (int, uint64, uint) {
	for i := 28; i >= 0; i-- {
		if uint32(l) >= lengthBase[i] {
			if i == 28 && l != 258 {
				continue
			}
			return 257 + i, uint64(uint32(l) - lengthBase[i]), uint(lengthExtra[i])
		}
	}
	panic("length")
}

func distCode(d int) (uint64, uint) {
	for i := 29; i >= 0; i-- {
		if uint32(d) >= distBase[i] {
			return uint64(uint32(d) - distBase[i]), uint(distExtra[i])
		}
	}
	panic("dist")
}

// generate builds a random valid deflate stream from a seed and returns it with its decoded
// content.
func generate(seed1, seed2 uint64) ([]byte, []byte) {
	r := rand.New(rand.NewPCG(seed1, seed2))
	w := &bitWriter{}
	var out []byte
	nblocks := 1 + r.IntN(5)
	for b := range nblocks {
		final := b == nblocks-1
		w.bits(boolBit(final), 1)
		switch typ := r.IntN(6); {
		case typ == 0 || (b == 0 && r.IntN(3) == 0):
			// Stored, sometimes empty, sometimes a full 32 KiB of history.
			n := r.IntN(3000)
			switch r.IntN(4) {
			case 0:
				n = 0
			case 1:
				n = 33000 + r.IntN(2000)
			}
			w.bits(0, 2)
			w.align()
			w.bits(uint64(n), 16)
			w.bits(uint64(^uint16(n)), 16)
			for range n {
				c := byte(r.Uint32())
				w.bits(uint64(c), 8)
				out = append(out, c)
			}
		case typ == 1:
			w.bits(1, 2)
			var g genBlock
			g.litLen = make([]uint8, 288)
			for i := range 288 {
				switch {
				case i < 144:
					g.litLen[i] = 8
				case i < 256:
					g.litLen[i] = 9
				case i < 280:
					g.litLen[i] = 7
				default:
					g.litLen[i] = 8
				}
			}
			g.distLen = make([]uint8, 32)
			for i := range g.distLen {
				g.distLen[i] = 5
			}
			g.litCode, g.distCode = canonical(g.litLen), canonical(g.distLen)
			out = g.symbols(r, w, out, 286, 30)
		default:
			w.bits(2, 2)
			nlit := 257 + r.IntN(30)
			ndist := 1 + r.IntN(30)
			var g genBlock
			deep := r.IntN(2) == 0
			usedLit := []int{256}
			for s := range nlit {
				if s != 256 && r.IntN(4) != 0 {
					usedLit = append(usedLit, s)
				}
			}
			if len(usedLit) < 2 {
				usedLit = append(usedLit, 0)
			}
			g.litLen = randomLengths(r, nlit, usedLit, 15, deep)
			var usedDist []int
			for s := range ndist {
				if r.IntN(3) != 0 {
					usedDist = append(usedDist, s)
				}
			}
			switch {
			case len(usedDist) >= 2:
				g.distLen = randomLengths(r, ndist, usedDist, 15, deep)
			case len(usedDist) == 1: // the degenerate single code of length 1
				g.distLen = make([]uint8, ndist)
				g.distLen[usedDist[0]] = 1
			default: // no distance code: literals only
				g.distLen = make([]uint8, ndist)
			}
			g.litCode, g.distCode = canonical(g.litLen), canonical(g.distLen)
			g.header(r, w, nlit, ndist)
			out = g.symbols(r, w, out, nlit, ndist)
		}
	}
	return w.bytes(), out
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// header writes a dynamic block's code lengths with a random precode and run-length codes.
func (g *genBlock) header(r *rand.Rand, w *bitWriter, nlit, ndist int) {
	all := append(append([]uint8{}, g.litLen...), g.distLen...)
	type item struct {
		sym   int
		extra uint64
		nb    uint
	}
	var items []item
	for i := 0; i < len(all); {
		v := all[i]
		run := 1
		for i+run < len(all) && all[i+run] == v {
			run++
		}
		switch {
		case v == 0 && run >= 11 && r.IntN(4) != 0:
			n := min(run, 138)
			items = append(items, item{18, uint64(n - 11), 7})
			i += n
		case v == 0 && run >= 3 && r.IntN(3) != 0:
			n := min(run, 10)
			items = append(items, item{17, uint64(n - 3), 3})
			i += n
		case i > 0 && all[i-1] == v && run >= 3 && r.IntN(3) != 0:
			n := min(run, 6)
			items = append(items, item{16, uint64(n - 3), 2})
			i += n
		default:
			items = append(items, item{int(v), 0, 0})
			i++
		}
	}
	usedSet := map[int]bool{}
	for _, it := range items {
		usedSet[it.sym] = true
	}
	var used []int
	for s := range 19 {
		if usedSet[s] {
			used = append(used, s)
		}
	}
	var preLen []uint8
	if len(used) == 1 {
		// A single precode symbol: a complete code needs two; add an unused one.
		other := (used[0] + 1) % 19
		used = append(used, other)
	}
	preLen = randomLengths(r, 19, used, 7, false)
	preCode := canonical(preLen)
	npre := 19
	for npre > 4 && preLen[preOrder[npre-1]] == 0 {
		npre--
	}
	w.bits(uint64(nlit-257), 5)
	w.bits(uint64(ndist-1), 5)
	w.bits(uint64(npre-4), 4)
	for i := range npre {
		w.bits(uint64(preLen[preOrder[i]]), 3)
	}
	for _, it := range items {
		w.code(preCode[it.sym], preLen[it.sym])
		if it.nb > 0 {
			w.bits(it.extra, it.nb)
		}
	}
}

// symbols writes random literals and matches (every length and distance code in time) and
// the end of block.
func (g *genBlock) symbols(r *rand.Rand, w *bitWriter, out []byte, nlit, ndist int) []byte {
	var lits []int
	for s := range 256 {
		if s < nlit && g.litLen[s] > 0 {
			lits = append(lits, s)
		}
	}
	var lens []int // usable length codes
	for s := 257; s < nlit && s < 286; s++ {
		if g.litLen[s] > 0 {
			lens = append(lens, s)
		}
	}
	var dists []int
	for s := 0; s < ndist && s < 30; s++ {
		if g.distLen[s] > 0 {
			dists = append(dists, s)
		}
	}
	n := r.IntN(2000)
	if r.IntN(4) == 0 {
		n = 0
	}
	for range n {
		if len(lens) > 0 && len(dists) > 0 && len(out) > 0 && r.IntN(3) == 0 {
			lc := lens[r.IntN(len(lens))]
			i := lc - 257
			length := int(lengthBase[i])
			if lengthExtra[i] > 0 {
				length += r.IntN(1 << lengthExtra[i])
			}
			dc := dists[r.IntN(len(dists))]
			if int(distBase[dc]) > len(out) {
				continue
			}
			hi := int(distBase[dc]) + 1<<distExtra[dc] - 1
			dist := int(distBase[dc]) + r.IntN(min(hi, len(out))-int(distBase[dc])+1)
			if r.IntN(3) == 0 {
				dist = min(hi, len(out))
			}
			le, lnb := uint64(length-int(lengthBase[i])), uint(lengthExtra[i])
			de, dnb := distCode(dist)
			w.code(g.litCode[lc], g.litLen[lc])
			w.bits(le, lnb)
			w.code(g.distCode[dc], g.distLen[dc])
			w.bits(de, dnb)
			for range length {
				out = append(out, out[len(out)-dist])
			}
			continue
		}
		if len(lits) == 0 {
			break
		}
		s := lits[r.IntN(len(lits))]
		w.code(g.litCode[s], g.litLen[s])
		out = append(out, byte(s))
	}
	w.code(g.litCode[256], g.litLen[256])
	return out
}

// TestGenerated decodes hand-built streams: their content must come out, exactly as
// compress/flate decodes them.
func TestGenerated(t *testing.T) {
	n := 300
	if raceEnabled || testing.Short() {
		n = 40
	}
	for i := range n {
		stream, want := generate(uint64(i), 99)
		got, err := stdInflate(stream)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("seed %d: the generator made a stream compress/flate decodes differently: %v", i, err)
		}
		checkSame(t, stream)
	}
}

// TestEveryCode: every length 3..258 with distances at both ends of every distance code,
// up to 32768, in a fixed block after 32 KiB of history; and empty blocks of every type.
func TestEveryCode(t *testing.T) {
	w := &bitWriter{}
	r := rand.New(rand.NewPCG(5, 5))
	var out []byte
	w.bits(0, 1)
	w.bits(0, 2)
	w.align()
	w.bits(40000, 16)
	w.bits(uint64(^uint16(40000)), 16)
	for range 40000 {
		c := byte(r.Uint32())
		w.bits(uint64(c), 8)
		out = append(out, c)
	}
	// Empty stored, fixed and dynamic blocks.
	w.bits(0, 1)
	w.bits(0, 2)
	w.align()
	w.bits(0, 16)
	w.bits(0xffff, 16)
	var fixed genBlock
	fixed.litLen = make([]uint8, 288)
	for i := range 288 {
		fixed.litLen[i] = []uint8{8, 9, 7, 8}[map[bool]int{true: 0, false: 1}[i < 144]*boolInt(i < 256)+2*boolInt(i >= 256 && i < 280)+3*boolInt(i >= 280)]
	}
	fixed.distLen = bytes.Repeat([]byte{5}, 32)
	fixed.litCode, fixed.distCode = canonical(fixed.litLen), canonical(fixed.distLen)
	w.bits(0, 1)
	w.bits(1, 2)
	w.code(fixed.litCode[256], fixed.litLen[256])
	// Every length and distance.
	w.bits(1, 1)
	w.bits(1, 2)
	for length := 3; length <= 258; length++ {
		for dc := range 30 {
			for _, dist := range []int{int(distBase[dc]), int(distBase[dc]) + 1<<distExtra[dc] - 1} {
				lc, le, lnb := lengthCode(length)
				de, dnb := distCode(dist)
				w.code(fixed.litCode[lc], fixed.litLen[lc])
				w.bits(le, lnb)
				w.code(fixed.distCode[dc], fixed.distLen[dc])
				w.bits(de, dnb)
				for range length {
					out = append(out, out[len(out)-dist])
				}
			}
		}
	}
	w.code(fixed.litCode[256], fixed.litLen[256])
	stream := w.bytes()
	got, err := stdInflate(stream)
	if err != nil || !bytes.Equal(got, out) {
		t.Fatalf("the hand-built stream is wrong: %v", err)
	}
	checkSame(t, stream)
	// Distance codes 30 and 31 and length codes 286 and 287 are corrupt.
	for _, bad := range []func(w *bitWriter){
		func(w *bitWriter) {
			w.code(fixed.litCode[257], fixed.litLen[257])
			w.code(fixed.distCode[30], 5)
		},
		func(w *bitWriter) {
			w.code(fixed.litCode[257], fixed.litLen[257])
			w.code(fixed.distCode[31], 5)
		},
		func(w *bitWriter) { w.code(fixed.litCode[286], fixed.litLen[286]) },
		func(w *bitWriter) { w.code(fixed.litCode[287], fixed.litLen[287]) },
	} {
		w := &bitWriter{}
		w.bits(1, 1)
		w.bits(1, 2)
		w.code(fixed.litCode['a'], fixed.litLen['a'])
		bad(w)
		w.bits(0, 32)
		checkSame(t, w.bytes())
		if _, err := stdInflate(w.bytes()); err == nil {
			t.Fatal("compress/flate accepted a reserved code")
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FuzzGenerated decodes hand-built streams, then damaged copies of them.
func FuzzGenerated(f *testing.F) {
	for i := range 8 {
		f.Add(uint64(i), uint64(i*7), uint32(0), uint8(0))
	}
	f.Fuzz(func(t *testing.T, s1, s2 uint64, at uint32, how uint8) {
		stream, want := generate(s1, s2)
		got, err := stdInflate(stream)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("the generator made a stream compress/flate decodes differently: %v", err)
		}
		checkSame(t, stream)
		if len(stream) == 0 {
			return
		}
		i := int(at % uint32(len(stream)))
		switch how % 3 {
		case 1:
			checkSame(t, stream[:i])
		case 2:
			d := bytes.Clone(stream)
			d[i] ^= 1 << (how >> 5)
			checkSame(t, d)
		}
	})
}

// FuzzRaw decodes arbitrary bytes with both decoders.
func FuzzRaw(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x00, 0x00, 0xff, 0xff})
	f.Add([]byte{0x03, 0x00})
	for i := range 4 {
		s, _ := generate(uint64(i), 1)
		if len(s) < 4096 {
			f.Add(s)
		}
		f.Add(compress(f, sample(uint64(i), 300, i), levels[i]))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, data)
	})
}

// FuzzCompressed compresses the input at every level and decodes it back.
func FuzzCompressed(f *testing.F) {
	f.Add([]byte("hello hello hello hello"), uint8(3))
	f.Add(sample(1, 5000, 1), uint8(1))
	f.Add(sample(2, 5000, 2), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, lv uint8) {
		level := levels[int(lv)%len(levels)]
		c := compress(t, data, level)
		got, err := io.ReadAll(NewReader(bytes.NewReader(c)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("level %d: round trip failed: %v", level, err)
		}
		checkSame(t, c)
	})
}

// FuzzGzip decodes arbitrary bytes as gzip with compress/gzip and this package.
func FuzzGzip(f *testing.F) {
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkGzipSame(t, data)
	})
}
