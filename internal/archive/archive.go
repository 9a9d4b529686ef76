package archive

import (
	"errors"
	"fmt"
	"time"
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
	// MaxTotalBytes is the largest total of uncompressed tar entry bytes inspected (a
	// decompression-bomb guard, with MaxDuration).
	MaxTotalBytes int64
	// MaxDuration is the longest an inspection may take, from the first read to the end of the
	// tar (a decompression-bomb guard that also bounds how long a slow reader may keep it).
	MaxDuration time.Duration
}

// Default limits: generous for real workspaces, small enough to stop a bomb in bounded time.
//
// The bomb guard bounds the total decompressed bytes and the time spent, not the ratio of one
// deflate layer: a legitimate export can reach any ratio deflate produces (about 1030:1 on a
// column of zero-padded strings). DefaultMaxTotalBytes is far above any real export (Xano
// workspaces are limited well below it) and, at the speed of this package, is inspected in about
// a minute; DefaultMaxDuration stops inspection of an archive that takes longer, whatever its
// size. An archive stopped by a limit is still read to its end and its outer gzip checksums
// verified by Inspect (see Info.Incomplete): a limit never turns a complete download into an
// error.
const (
	DefaultMaxGzipLayers     = 4
	DefaultMaxEntries        = 1_000_000
	DefaultMaxJSONEntryBytes = 256 << 20 // 256 MiB
	DefaultMaxTotalBytes     = 64 << 30  // 64 GiB
	DefaultMaxDuration       = 30 * time.Minute
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
	Value int64  // the limit's value (nanoseconds for MaxDuration)
	Entry string // the tar entry being read, if any
}

func (e *LimitError) Error() string {
	v := fmt.Sprint(e.Value)
	if e.Limit == "MaxDuration" {
		v = time.Duration(e.Value).String()
	}
	if e.Entry != "" {
		return fmt.Sprintf("archive inspection stopped: entry %q exceeds the %s limit (%s)", e.Entry, e.Limit, v)
	}
	return fmt.Sprintf("archive inspection stopped: it exceeds the %s limit (%s)", e.Limit, v)
}
