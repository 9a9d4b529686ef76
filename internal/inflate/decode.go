package inflate

import (
	"encoding/binary"
	"io"
	"unsafe"
)

const (
	windowSize = 32 << 10
	// outChunk bytes are decoded between two slides of the window.
	outChunk = 256 << 10
	// outSlack bytes after the output limit take what the fast loop may write past it: two
	// literals and a longest match, plus the up to 15 bytes a word-wise match copy may write
	// past its end.
	outSlack = 512
)

// Block states.
const (
	stHeader = iota // a block header is next
	stStored        // inside a stored block
	stHuff          // inside a Huffman block
	stDone          // after the final block
)

// decoder decodes one deflate stream from in into out.
type decoder struct {
	in *input

	bb uint64 // bit buffer: the next bl bits of input, least significant first
	bl uint   // valid bits in bb (in the slow path, the bits above bl are zero)

	state  int
	final  bool // the current block is the last one
	stored int  // bytes left in the current stored block

	lt *[litTableSize]uint32
	dt *[distTableSize]uint32

	out      []byte // window and decoded bytes; out[:o] is decoded
	o        int
	hist     int // out[hist:o] is this stream's history (a new gzip member starts a new one)
	outLimit int // decoding pauses once o reaches it; len(out) = outLimit + outSlack
	err      error

	litTable  [litTableSize]uint32
	distTable [distTableSize]uint32
	preTable  [preTableSize]uint32
	lens      [maxNumLit + maxNumDist]uint8
}

func (d *decoder) reset(in *input) {
	if d.out == nil {
		d.out = make([]byte, windowSize+outChunk+outSlack)
		d.outLimit = windowSize + outChunk
	}
	d.in = in
	d.bb, d.bl = 0, 0
	d.state = stHeader
	d.final = false
	d.stored = 0
	d.o = 0
	d.hist = 0
	d.err = nil
}

// restart begins a new stream (the next gzip member) on the same input; the window is kept
// out of the new stream's reach by starting its history at the current position.
func (d *decoder) restart() {
	d.bb, d.bl = 0, 0
	d.state = stHeader
	d.final = false
	d.stored = 0
	d.err = nil
	d.hist = d.o
}

// slide moves the last window of output to the start of out, making room for more. The bytes
// before start (the reader's position) must all have been read.
func (d *decoder) slide() {
	if d.o < d.outLimit {
		return
	}
	k := d.o - windowSize
	copy(d.out, d.out[k:d.o])
	d.o = windowSize
	d.hist = max(0, d.hist-k)
}

// giveBack returns the whole bytes still held in the bit buffer to the input and drops the
// partial byte: at a stored block's header and at the end of the stream.
func (d *decoder) giveBack() {
	d.in.r -= int(d.bl >> 3)
	d.bb, d.bl = 0, 0
}

// decode decodes until out reaches outLimit, the stream ends (d.err = io.EOF) or fails.
func (d *decoder) decode() {
	for d.err == nil && d.o < d.outLimit {
		switch d.state {
		case stHeader:
			if d.final {
				d.state = stDone
				d.giveBack()
				d.err = io.EOF
				return
			}
			d.blockHeader()
		case stStored:
			d.copyStored()
		case stHuff:
			in := d.in
			if in.w-in.r < fastInput {
				in.more(fastInput)
			}
			if in.w-in.r >= fastInput {
				d.huffFast()
			} else {
				d.huffSlow()
			}
		case stDone:
			d.err = io.EOF
		}
	}
}

func (d *decoder) corrupt() {
	d.err = CorruptInputError(d.in.offset())
}

// need makes at least n bits available in the slow path.
func (d *decoder) need(n uint) bool {
	for d.bl < n {
		in := d.in
		if in.r == in.w && !in.more(1) {
			d.err = in.short()
			return false
		}
		d.bb |= uint64(in.buf[in.r]) << d.bl
		in.r++
		d.bl += 8
	}
	return true
}

// fillSlow loads whole bytes into the bit buffer while there is room for them and input.
func (d *decoder) fillSlow() {
	in := d.in
	for d.bl <= 56 {
		if in.r == in.w && !in.more(1) {
			return
		}
		d.bb |= uint64(in.buf[in.r]) << d.bl
		in.r++
		d.bl += 8
	}
}

func (d *decoder) consume(n uint) {
	d.bb >>= n
	d.bl -= n
}

func (d *decoder) blockHeader() {
	if !d.need(3) {
		return
	}
	d.final = d.bb&1 == 1
	typ := (d.bb >> 1) & 3
	d.consume(3)
	switch typ {
	case 0:
		d.giveBack()
		var h [4]byte
		if err := d.in.readFull(h[:]); err != nil {
			d.err = err
			return
		}
		n := binary.LittleEndian.Uint16(h[:2])
		if n != ^binary.LittleEndian.Uint16(h[2:]) {
			d.corrupt()
			return
		}
		d.stored = int(n)
		d.state = stStored
		if n == 0 {
			d.state = stHeader
		}
	case 1:
		d.lt, d.dt = &fixedLit, &fixedDist
		d.state = stHuff
	case 2:
		if d.dynamicHeader() {
			d.lt, d.dt = &d.litTable, &d.distTable
			d.state = stHuff
		}
	default:
		d.corrupt()
	}
}

// dynamicHeader reads the code lengths of a dynamic block and builds its tables.
func (d *decoder) dynamicHeader() bool {
	if !d.need(14) {
		return false
	}
	nlit := int(d.bb&31) + 257
	ndist := int(d.bb>>5&31) + 1
	npre := int(d.bb>>10&15) + 4
	if nlit > maxNumLit || ndist > maxNumDist {
		d.corrupt()
		return false
	}
	d.consume(14)
	var pre [19]uint8
	for i := range npre {
		if !d.need(3) {
			return false
		}
		pre[preOrder[i]] = uint8(d.bb & 7)
		d.consume(3)
	}
	if !buildTable(d.preTable[:], pre[:], preInfo[:], preTableBits) {
		d.corrupt()
		return false
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		d.fillSlow()
		e := d.preTable[d.bb&(preTableSize-1)]
		if e&entBad != 0 {
			d.corrupt()
			return false
		}
		if uint(e&0xff) > d.bl {
			d.err = d.in.short()
			return false
		}
		d.consume(uint(e & 0xff))
		sym := e >> 16
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var nb uint
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				d.corrupt()
				return false
			}
			rep, nb, v = 3, 2, lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		if !d.need(nb) {
			return false
		}
		rep += int(d.bb & (1<<nb - 1))
		d.consume(nb)
		if i+rep > len(lens) {
			d.corrupt()
			return false
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if !buildTable(d.litTable[:], lens[:nlit], litInfo[:], litTableBits) ||
		!buildTable(d.distTable[:], lens[nlit:], distInfo[:], distTableBits) {
		d.corrupt()
		return false
	}
	return true
}

func (d *decoder) copyStored() {
	in := d.in
	for d.stored > 0 && d.o < d.outLimit {
		if in.r == in.w && !in.more(1) {
			d.err = in.short()
			return
		}
		n := min(d.stored, d.outLimit-d.o, in.w-in.r)
		copy(d.out[d.o:d.o+n], in.buf[in.r:in.r+n])
		d.o += n
		in.r += n
		d.stored -= n
	}
	if d.stored == 0 {
		d.state = stHeader
	}
}

// huffSlow decodes one symbol (and its match) with every read checked: near the end of the
// input.
func (d *decoder) huffSlow() {
	d.fillSlow()
	lt := d.lt
	e := lt[d.bb&(1<<litTableBits-1)]
	if e&entSub != 0 {
		if d.bl < litTableBits {
			d.err = d.in.short()
			return
		}
		d.consume(litTableBits)
		e = lt[(e>>16)+uint32(d.bb&(1<<(e>>8&15)-1))]
	}
	if e&entBad != 0 {
		d.corrupt()
		return
	}
	n := uint(e & 0xff)
	if n > d.bl {
		d.err = d.in.short()
		return
	}
	if e&entLiteral != 0 {
		d.consume(n)
		d.out[d.o] = byte(e >> 16)
		d.o++
		return
	}
	if e&entEOB != 0 {
		d.consume(n)
		d.state = stHeader
		return
	}
	length := int(e>>16) + int((d.bb&(1<<n-1))>>(e>>8&15))
	d.consume(n)

	dt := d.dt
	e = dt[d.bb&(1<<distTableBits-1)]
	if e&entSub != 0 {
		if d.bl < distTableBits {
			d.err = d.in.short()
			return
		}
		d.consume(distTableBits)
		e = dt[(e>>16)+uint32(d.bb&(1<<(e>>8&15)-1))]
	}
	if e&entBad != 0 {
		d.corrupt()
		return
	}
	n = uint(e & 0xff)
	if n > d.bl {
		d.err = d.in.short()
		return
	}
	dist := int(e>>16) + int((d.bb&(1<<n-1))>>(e>>8&15))
	d.consume(n)
	if dist > d.o-d.hist {
		d.corrupt()
		return
	}
	out := d.out
	for i := range length {
		out[d.o+i] = out[d.o-dist+i]
	}
	d.o += length
}

// fastInput is the unread input the fast loop needs: two 8-byte refills per iteration.
const fastInput = 16

// huffFast decodes symbols while at least fastInput bytes of input and room for a longest
// match in out remain. It reads and writes the buffers without bounds checks (see word.go):
// every access is within them because of the loop's conditions, as the comments say.
func (d *decoder) huffFast() {
	inb := unsafe.Pointer(unsafe.SliceData(d.in.buf))
	r := d.in.r
	// An iteration starts with r <= inLimit and refills at most twice, each reading 8 bytes at
	// r and advancing r by at most 7: every read is below r+15 < w, in the buffer.
	inLimit := d.in.w - fastInput
	outb := unsafe.Pointer(unsafe.SliceData(d.out))
	o := d.o
	// An iteration starts with o < outLimit and writes at most three literals, or two and a
	// match of 258 bytes plus up to 15 bytes past its end (word copies): below
	// outLimit+outSlack = len(out).
	outLimit := d.outLimit
	bb, bl := d.bb, d.bl
	lt := d.lt
	if r > inLimit || o >= outLimit {
		return
	}

	// e is always the literal/length entry of the next bits: looked up after each refill and
	// before each match copy, whose latency it hides.
	bb |= load64(inb, r) << (bl & 63)
	r += int(63-bl) >> 3
	bl |= 56
	e := lt[bb&(1<<litTableBits-1)]
	for {
		if e&entLiteral != 0 {
			// Up to three literals from one refill (15 bits each at most).
			bb >>= e & 63
			bl -= uint(e & 0xff)
			store8(outb, o, byte(e>>16))
			o++
			e = lt[bb&(1<<litTableBits-1)]
			if e&entLiteral != 0 {
				bb >>= e & 63
				bl -= uint(e & 0xff)
				store8(outb, o, byte(e>>16))
				o++
				e = lt[bb&(1<<litTableBits-1)]
				if e&entLiteral != 0 {
					bb >>= e & 63
					bl -= uint(e & 0xff)
					store8(outb, o, byte(e>>16))
					o++
					bb |= load64(inb, r) << (bl & 63)
					r += int(63-bl) >> 3
					bl |= 56
					e = lt[bb&(1<<litTableBits-1)]
					if r > inLimit || o >= outLimit {
						break
					}
					continue
				}
			}
			// A length (or a long code) follows: make room for its bits and its distance's.
			bb |= load64(inb, r) << (bl & 63)
			r += int(63-bl) >> 3
			bl |= 56
		}
		// bl >= 56: enough for a length code and its extra bits (20) and a distance (28).
		if e&entExcept != 0 {
			if e&entSub != 0 {
				bb >>= litTableBits
				bl -= litTableBits
				e = lt[(e>>16)+uint32(bb&(1<<(e>>8&15)-1))]
				if e&entLiteral != 0 {
					bb >>= e & 63
					bl -= uint(e & 0xff)
					store8(outb, o, byte(e>>16))
					o++
					bb |= load64(inb, r) << (bl & 63)
					r += int(63-bl) >> 3
					bl |= 56
					e = lt[bb&(1<<litTableBits-1)]
					if r > inLimit || o >= outLimit {
						break
					}
					continue
				}
			}
			if e&entExcept != 0 {
				if e&entEOB != 0 {
					bb >>= e & 63
					bl -= uint(e & 0xff)
					d.state = stHeader
					break
				}
				d.in.r = r
				d.corrupt()
				break
			}
		}
		n := e & 63
		length := int(e>>16) + int((bb&(1<<n-1))>>(e>>8&15))
		bb >>= n
		bl -= uint(n)

		dt := d.dt
		e = dt[bb&(1<<distTableBits-1)]
		if e&entExcept != 0 {
			if e&entSub != 0 {
				bb >>= distTableBits
				bl -= distTableBits
				e = dt[(e>>16)+uint32(bb&(1<<(e>>8&15)-1))]
			}
			if e&entBad != 0 {
				d.in.r = r
				d.corrupt()
				break
			}
		}
		n = e & 63
		dist := int(e>>16) + int((bb&(1<<n-1))>>(e>>8&15))
		bb >>= n
		bl -= uint(n)
		if dist > o-d.hist {
			d.in.r = r
			d.corrupt()
			break
		}
		bb |= load64(inb, r) << (bl & 63)
		r += int(63-bl) >> 3
		bl |= 56
		e = lt[bb&(1<<litTableBits-1)]

		// The match: out[o-dist:] is within out (dist <= o-d.hist, d.hist >= 0).
		src := o - dist
		end := o + length
		switch {
		case dist >= 16:
			// Words 16 bytes apart never overlap: two loads, then two stores.
			for {
				a, b := load64(outb, src), load64(outb, src+8)
				store64(outb, o, a)
				store64(outb, o+8, b)
				o += 16
				src += 16
				if o >= end {
					break
				}
			}
		case dist >= 8:
			for {
				store64(outb, o, load64(outb, src))
				o += 8
				src += 8
				if o >= end {
					break
				}
			}
		case dist == 1:
			v := uint64(load8(outb, src)) * 0x0101010101010101
			for {
				store64(outb, o, v)
				o += 8
				if o >= end {
					break
				}
			}
		default:
			// A short period: the first 8 bytes one by one, then 8-byte words from a whole
			// number of periods back.
			for i := range 8 {
				store8(outb, o+i, load8(outb, src+i))
			}
			step := 8 / dist * dist
			for p := o + step; p < end; p += step {
				store64(outb, p, load64(outb, p-step))
			}
		}
		o = end
		if r > inLimit || o >= outLimit {
			break
		}
	}
	d.in.r = r
	d.o = o
	d.bb = bb & (1<<(bl&63) - 1)
	d.bl = bl
}
