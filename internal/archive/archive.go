package archive

import (
	"errors"
	"fmt"
)

// Limits bound what a reader accepts. The zero value of a field means "use the default".
type Limits struct {
	// MaxGzipLayers is how many nested gzip layers are peeled (Xano sometimes gzips twice).
	MaxGzipLayers int
	// MaxEntries is the largest number of tar entries accepted (every tar header counts,
	// directories and links included).
	MaxEntries int
	// MaxJSONEntryBytes is the largest single JSON entry that is parsed (JSON is canonicalised
	// in memory, one entry at a time).
	MaxJSONEntryBytes int64
	// MaxTotalBytes is the largest total of uncompressed tar entry bytes accepted.
	MaxTotalBytes int64
	// MaxRatio is the largest uncompressed/compressed ratio accepted once MaxRatioFloor
	// uncompressed bytes have been read (a decompression-bomb guard).
	MaxRatio int64
}

// Default limits: generous for real workspaces, small enough to stop a bomb early.
//
// DefaultMaxRatio is below what one deflate layer reaches on repetitive input (at most about
// 1030:1, 1011:1 with compress/flate), so a single-layer bomb is refused once MaxRatioFloor bytes
// came out rather than at MaxTotalBytes. Exports of real-looking rows stay well below it: the
// emulator's generated rows compress 15:1 (128-byte rows) to 143:1 (64 KiB rows, gzip -9 alike).
// Data that repeats whole multi-KiB values row after row can come close; raise MaxRatio for it.
const (
	DefaultMaxGzipLayers     = 4
	DefaultMaxEntries        = 1_000_000
	DefaultMaxJSONEntryBytes = 256 << 20 // 256 MiB
	DefaultMaxTotalBytes     = 64 << 30  // 64 GiB
	DefaultMaxRatio          = 256
	MaxRatioFloor            = 64 << 20 // ratios are only judged past 64 MiB of output
)

// ErrEncrypted reports that an archive has no gzip/tar structure: it was exported with a password
// (see LooksEncrypted for how that is judged).
var ErrEncrypted = errors.New("archive is encrypted (exported with a password): it has no gzip/tar structure to read")

// ErrNotArchive reports bytes that are not a gzip/tar archive and do not look encrypted either:
// empty input, a damaged gzip or tar, or a JSON or HTML response saved as the archive.
var ErrNotArchive = errors.New("not a Xano export archive")

// LimitError reports that an archive exceeded one of the Limits.
type LimitError struct {
	Limit string // which limit, e.g. "MaxJSONEntryBytes"
	Value int64  // the limit's value
	Entry string // the tar entry being read, if any
}

func (e *LimitError) Error() string {
	if e.Entry != "" {
		return fmt.Sprintf("archive refused: entry %q exceeds the %s limit (%d)", e.Entry, e.Limit, e.Value)
	}
	return fmt.Sprintf("archive refused: it exceeds the %s limit (%d)", e.Limit, e.Value)
}
