// Package inflate is a DEFLATE (RFC 1951) decoder and a gzip (RFC 1952) reader on top of it,
// in pure Go, built for speed: it decodes any valid stream exactly as compress/flate does
// (the differential tests and fuzzers hold it to that), about 2.6 times as fast as
// github.com/klauspost/compress and 3.5 times as fast as compress/flate on one core
// (BENCHMARKS.md).
//
// How it is fast, after libdeflate's design:
//   - a 64-bit bit buffer refilled with one unaligned 8-byte little-endian load (all the bits a
//     length and its distance can need), while at least 16 bytes of input remain;
//   - packed decode tables: one lookup gives a literal, or a length or distance base with its
//     number of extra bits and the code's length; codes longer than the main table's bits go
//     through one subtable;
//   - several literals per refill;
//   - match copies in 16-byte steps (distance >= 16) or overlapping 8-byte words (distance
//     >= 8), a broadcast byte (distance 1) or words from a whole number of periods back
//     (distances 2-7), the next table entry looked up before the copy;
//   - output decoded into a 256 KiB buffer after a 32 KiB window, which slides.
//
// Near the end of the input every read is checked, one symbol at a time (the slow path); the
// output buffer has slack for the longest match, so the fast loop never needs a check per
// byte written. Errors are returned, never panics: corrupt data is a CorruptInputError,
// truncated data io.ErrUnexpectedEOF. The gzip reader always checks each member's CRC-32 and
// length (ISIZE), so a decoding error can never become a wrong hash silently.
//
// NewGzip chooses the decoder from the environment variable XANO_INFLATE: unset (or
// "builtin"), this package; "klauspost", github.com/klauspost/compress/gzip. The switch is a
// diagnostic kept for one release, to compare the decoders on an archive one of them refuses.
package inflate
