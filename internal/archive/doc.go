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
// Inspect uses two cores: the outer gzip layer is inflated (internal/inflate; see XANO_INFLATE) on
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
// # Object inventory
//
// Info.Objects (and BranchInfo.Objects, from InspectBranch) list the objects of an archive, one
// key per object mapped to the object's canonical SHA-256 (lower-case hex): SHA-256 of the
// object's JSON in the canonical form of ContentSHA256 (sorted keys, no whitespace, numbers as
// written). They are computed in the same pass as the content hash, from the root document
// (RootDocumentRank) that the hasher holds anyway; the inventory adds one key and hash per object
// to memory, nothing per byte of the archive.
//
// The objects are the elements of every array member of the root bundle's "payload" object. A
// root document that is not a signed bundle, or has no object "payload", lists no objects (an
// empty, non-nil map). Left out are the members that describe the export rather than the
// workspace's objects: "workspace" (the workspace's own record), "branch" (always [] in exports)
// and every member that is not an array (such as the "partial" flag). Row pages (content/) and
// stored files (vault/) are not objects; tables are, through "dbo". Branch inventories also leave
// out "dbo": tables are workspace-wide, as for BranchContentSHA256.
//
// A key is "<kind>/<label>". The kind is Xano's UI name of the list: "table" (dbo), "function",
// "api_group" (app), "endpoint" (query), "task", "trigger", "middleware", "addon"; any other list
// keeps its own name ("tool/search"). The label is the object's "name" (a string, or a number as
// written); an object without a non-empty name is labelled "(guid <guid>)", and one without a
// guid either (or an element that is not an object) "(#<n>)", n its 1-based position in its list.
//
// Endpoints read "endpoint/<api group>/<VERB> <path>": the label is the endpoint's "path", else its
// "name" (the path as the UI shows it, e.g. "users/{id}"), after the upper-cased "verb" and a space
// (no verb, no prefix). The API group is found by the endpoint's "app_id", else "apigroup_id",
// else "app": {"id"}, else "app": {"guid"}, matched against the id (or guid) of the "app" list's
// objects, and named by that group's label (with its disambiguation, see below). An endpoint
// whose group is not in the archive (or whose id or guid two groups share) names it
// "(api group id <id>)" or "(api group guid <guid>)";
// one without any reference "(no api group)". Example: "endpoint/public/GET users/{id}".
//
// Objects of one list that get the same key are never merged: each gets " (guid <guid>)" when it
// has a name and a guid that no other object with that key has, else " (#<n>)" (its position), so
// two functions named "dup" read "function/dup (guid 1a2b)" and "function/dup (guid 3c4d)". Should
// a key still meet another list's key (only a list named like a kind, say "table", can), the later
// object in payload key order gets " (<list> #<n>)" appended. Keys are therefore stable across
// exports as long as names, guids and (for unnamed or doubly-named objects) positions are.
//
// # Writing and signing
//
// Writer writes gzip(tar) in Xano's layout; NewBundle, Sign and Verify implement Xano's bundle
// signature. Encrypt and Decrypt implement this package's own password format (Xano's encrypted
// format is undocumented): Argon2id, then a chunked AES-256-GCM stream.
package archive
