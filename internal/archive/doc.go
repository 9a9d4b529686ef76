// Package archive reads, hashes, writes and encrypts Xano workspace export archives.
//
// A Xano export is gzip (sometimes applied twice) over a POSIX tar. The tar holds one
// signed JSON bundle at its root (workspace.json for a full export, a schema document for
// export-schema; RootDocumentRank states which entry counts as the root) and, for full exports,
// row pages under content/ and stored files under vault/.
// An archive exported with a password has no gzip/tar structure at all. As Xano's encrypted format
// is undocumented, bytes that are neither gzip, nor a plausible tar, nor a JSON or HTML response
// count as encrypted (see LooksEncrypted): Inspect reports them as Encrypted and Walk returns
// ErrEncrypted.
//
// # Reading
//
// Inspect and Walk peel every gzip layer (up to Limits.MaxGzipLayers; a layer may hold several
// concatenated gzip members, and bytes after its last member are ignored, as gzip(1) does), accept
// a bare tar, and normalise entry names (leading "./" and "/" removed, then path.Clean). Only
// regular files are entries; directories, links and devices are skipped. Two entries with the same
// normalised name make the archive ambiguous and are refused. Every gzip checksum is verified:
// the stream is read to its end, so a truncated download is refused. Anything that is not a
// well-formed archive is reported with an error wrapping ErrNotArchive; the caller's own read
// errors are returned wrapped as they are.
//
// Every reader here streams: memory does not grow with the archive's size (one JSON entry at a
// time is read, at most Limits.MaxJSONEntryBytes, and at most two canonical forms wait to be
// hashed), and the Limits stop decompression bombs and oversized JSON entries before memory or
// time runs out: Walk returns the *LimitError, while Inspect still reads the archive to its end,
// verifies its outer gzip layer and reports the limit in Info.Incomplete, so that a complete
// download is never mistaken for a bad one.
//
// Inspect uses two cores: the outer gzip layer is inflated (github.com/klauspost/compress) on
// one goroutine, the tar read and JSON canonicalised on another, and canonical JSON hashed on a
// third; buffers are reused between entries.
//
// # Content hash
//
// Info.ContentSHA256 (and ContentSHA256) is a canonical hash of what an archive contains: the
// normalised name and content of every regular file, nothing else. It ignores the gzip header and
// layer count, tar metadata (times, owners, modes, format), entry order, the key order and
// whitespace of JSON entries, and the "sig" field of signed bundles, so two exports of an unchanged
// branch hash the same even when their bytes differ. See ContentSHA256 for the exact definition.
//
// # Writing and signing
//
// Writer writes gzip(tar) in Xano's layout; NewBundle, Sign and Verify implement Xano's bundle
// signature. Encrypt and Decrypt implement this package's own password format (Xano's encrypted
// format is undocumented): Argon2id, then a chunked AES-256-GCM stream.
package archive
