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
// # One inspection
//
// Inspect is the one way to inspect an archive, and Info its one result: the whole archive, or
// with the BranchView option what it holds of one branch (Info.Branch says which view it is).
// Encrypted archives (Info.Encrypted) and inspections stopped by a limit (Info.Incomplete) are
// results, not errors, in both views, so a caller cannot drop them on the way: only an archive
// that is damaged or not an archive at all, or a failing reader, is an error. ContentSHA256 is a
// shorthand that turns both into errors. Walk is not an inspection: it hands each entry to its
// caller (the emulator reads uploads with it), and a limit is its error.
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
// Info.Objects lists the objects of an archive, one
// key per object mapped to the object's canonical SHA-256 (lower-case hex): SHA-256 of the
// object's JSON in the canonical form of ContentSHA256 (sorted keys, no whitespace, numbers as
// written). They are computed in the same pass as the content hash, from the root document
// (RootDocumentRank) that the hasher holds anyway; the inventory adds one key and hash per object
// to memory, nothing per byte of the archive.
//
// The objects are the elements of every array member of the root bundle's "payload" object, and
// the workspace's own record. A root document that is not a signed bundle, or has no object
// "payload", lists no objects (an empty, non-nil map). Left out are "branch" (it describes the
// export: always [] in exports) and every member that is not an array (such as the "partial"
// flag), other than "workspace". Row pages (content/) and stored files (vault/) are not objects;
// tables are, through "dbo". Branch inventories also leave out what is workspace-wide, as
// the branch content hash does (BranchView): "dbo" and the workspace record; every other object
// has the same key in both views (a trigger on a table is still named by its table).
//
// A key is "<kind>/<label>", except the workspace record's, which is "workspace". The label is
// the object's "name" (a string, or a number as written); an object without a non-empty name is
// labelled "(guid <guid>)", and one without a guid either (or an element that is not an object)
// "(#<n>)", n its 1-based position in its list. Every payload list of a real export has its rule
// (ObjectKind, ObjectKey); a list not named here keys as "<list>/<label>":
//
//	payload member          key
//	partial                 none (a flag, not a list)
//	action_package_install  action_package_install/<label>
//	addon                   addon/<label>
//	app                     api_group/<label>
//	branch                  none (describes the export)
//	channel                 channel/<label>                  (a realtime channel)
//	dbo                     table/<label>                    (whole-archive view only)
//	env                     env/<label>                      (an environment variable)
//	function                function/<label>
//	market_item             market_item/<label>
//	message                 message/<channel>/<label>        (a realtime message)
//	microservice            microservice/<label>
//	middleware              middleware/<label>
//	query                   endpoint/<api group>/<VERB> <label>
//	realtime_server         realtime_server/<label>
//	run_install             run_install/<label>
//	task                    task/<label>
//	tool                    tool/<label>                     (attached to a toolset or not)
//	knowledge               knowledge/<label>
//	knowledge_file          knowledge_file/<label>
//	toolset                 mcp_server/<label> for "type":"mcp", agent/<label> for "type":"agent",
//	                        toolset/<label> otherwise
//	trigger                 trigger/<label>                  (see below for two of one name)
//	vault                   vault/<label>
//	workflow_test           workflow_test/<label>
//	service                 service/<label>
//	workspace               workspace                        (whole-archive view only, see below)
//
// Objects refer to each other by id in some exports and by guid in real ones (an api group has
// no id there, only a guid). A reference is resolved against the objects of the list it points
// into: by id first (objects that have one), then by guid; 0, "" and a missing reference mean
// none (Xano writes {"id":0} for "not attached"). An endpoint's api group is its "app_id", else
// "apigroup_id", else "app": {"id"}, else "app": {"guid"}; a message's channel is its "channel":
// {"id"}, else "channel": {"guid"}, else "channel_id". The parent is named by its label in its own
// key (with its disambiguation, see below); a reference that finds no single object (none, or two
// sharing the id or guid) reads "(api group id <id>)" or "(api group guid <guid>)" (a number is
// an id, a string a guid), "(channel ...)" likewise, and a missing one "(no api group)" or
// "(no channel)". Example: "endpoint/examples/GET ex_get_user".
//
// An endpoint's label is its "path", else its "name" (the path as the UI shows it, e.g.
// "users/{id}"), after the upper-cased "verb" and a space (no verb, no prefix). Names may hold
// "/" (a channel "rooms/{room_id}", an endpoint "users/{id}"): the kind ends at a key's first "/";
// in an endpoint's or a message's key, the parent's name is escaped ("%" as "%25", "/" as "%2F",
// EscapeKeySegment) so that it ends at the second "/", and the rest is the object's label as
// written: "message/rooms%2F{room_id}/joined". Keys are therefore unambiguous: the kind, the
// parent and the label can be read back from them.
//
// The workspace record (the payload's "workspace" object) is keyed "workspace" and hashed over
// its user-set members only: the canonical SHA-256 of the object made of its "name" and
// "description". The rest of the record in real exports (checksum, iv, salt, secret, crypto,
// settings, release, git, ids and times) is engine state that may change without the user doing
// anything: it is part of ContentSHA256, as every byte of the bundle is, but not of the
// inventory, so it shows no changed object. The branch view (BranchView) leaves the record out
// entirely, as its content hash always has.
//
// Objects of one list that get the same key are never merged: a trigger gets " (on <target>)",
// naming what it is attached to ("on table/user": its "obj_type" and "obj_id", resolved as above
// into dbo, channel, realtime_server or toolset; else "on <obj_type> <obj_id>"), when no other
// trigger of that key is on the same; any object then gets " (guid <guid>)" when it has a name
// and a guid that no other object with that key has, else " (#<n>)" (its position), so two
// functions named "dup" read "function/dup (guid 1a2b)" and "function/dup (guid 3c4d)". Should a
// key still meet another list's key (only a list named like a kind, say "table", can), the later
// object in payload key order gets " (<list> #<n>)" appended. Keys are therefore stable across
// exports as long as names, guids and (for unnamed or doubly-named objects) positions are; the
// order of a list (tables keep their creation order) matters only to objects keyed by position.
// PayloadKeys returns the keys of a bundle's elements by list and position.
//
// # Writing and signing
//
// Writer writes gzip(tar) in Xano's layout; NewBundle, Sign and Verify implement Xano's bundle
// signature. Encrypt and Decrypt implement this package's own password format (Xano's encrypted
// format is undocumented): Argon2id, then a chunked AES-256-GCM stream.
package archive
