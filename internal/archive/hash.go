package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sort"
	"sync"
)

// ContentSHA256 returns the canonical content hash of an archive, read with the default Limits:
// a shorthand for Inspect(r, Limits{}) reduced to Info.ContentSHA256, with ErrEncrypted for an
// encrypted archive and the *LimitError for an inspection that a limit stopped (so an empty
// hash is never returned without an error).
//
// The hash is defined as follows; any implementation following this text gets the same value.
//
//  1. Take every regular file of the tar (after peeling all gzip layers): type '0', '\x00',
//     '7' or GNU sparse 'S'. Directories, symlinks, hard links, devices and FIFOs are not part
//     of the content. Each name is normalised: leading "./" and "/" are removed repeatedly,
//     then the name is cleaned as by path.Clean ("a//b/./c" becomes "a/b/c"). Two entries with
//     the same normalised name are an error.
//  2. For an entry whose normalised name ends in ".json" and whose body is one valid JSON
//     value (surrounding whitespace allowed), the canonical bytes are that value re-encoded:
//     object members sorted by key (byte-wise on the UTF-8 key), no whitespace, numbers kept
//     exactly as written (1.0 and 1 differ), strings with only '"', '\\' and control characters
//     below U+0020 escaped (as \" \\ \b \f \n \r \t, others as \u00xx in lower-case hex), no
//     HTML escaping, all other characters as raw UTF-8 (invalid UTF-8 becomes U+FFFD). When an
//     object repeats a key, the last member wins. If the top-level value is an object holding
//     both an "app" and a "sig" key (a signed Xano bundle), the "sig" member is dropped: the
//     signature is a function of the rest. A ".json" entry that is not exactly one valid JSON
//     value (as encoding/json judges it, nesting at most 10000 deep) is hashed as its raw bytes.
//  3. Every other entry's canonical bytes are its raw content.
//  4. Entry digest = SHA-256 of the canonical bytes, as 64 lower-case hex digits.
//  5. The hash is SHA-256 over the lines "<name>\x00<entry digest>\n" of all entries, sorted
//     by name (byte-wise), written as 64 lower-case hex digits. Tar names cannot hold NUL, so
//     the encoding is unambiguous. An archive without regular files hashes to SHA-256("").
//
// So the hash ignores the gzip headers (time, name, OS, level), the number of gzip layers, tar
// metadata (times, owners, modes, format, padding), entry order, JSON formatting and key order,
// and bundle signatures; it changes with any change to a name or to content.
func ContentSHA256(r io.Reader) (string, error) {
	info, err := Inspect(r, Limits{})
	if err != nil {
		return "", err
	}
	if info.Encrypted {
		return "", ErrEncrypted
	}
	if info.Incomplete != nil {
		return "", info.Incomplete
	}
	return info.ContentSHA256, nil
}

// hashedEntry is one line of the final hash.
type hashedEntry struct {
	name   string
	digest [sha256.Size]byte
	job    int // the hashing job computing digest (see jsonHasher), -1 when digest is set
}

// contentHasher computes the content hash from the entries Walk yields. It holds one JSON
// entry at a time, plus one name and digest per entry.
type contentHasher struct {
	lim        Limits
	entries    []hashedEntry
	bundleType string            // the root document's type (see noteRoot)
	rootRank   int               // RootDocumentRank of the root document found so far, -1 before
	branchOnly bool              // the inventory leaves out tables and the workspace (BranchView)
	objects    map[string]string // the root document's object inventory (inventory.go)
	facts      map[string]Facts  // the facts of its objects (details.go), when wantFacts
	wantFacts  bool
	pages      map[string]int // row pages by table guid (details.go)
	// removedTables is the "dbo" list the branch view removed from the entry being added, if any
	// (raw JSON): the inventory names triggers on tables by them.
	removedTables []byte

	copyBuf []byte
	jsonBuf bytes.Buffer
	canon   canonicalizer
	jobs    *jsonHasher // hashes canonical JSON on a goroutine of its own
}

// maxKeptJSONBuffer is the largest JSON read buffer kept for the next entry, and
// maxPreallocJSON the most allocated on the word of a tar header before reading.
const (
	maxKeptJSONBuffer = 8 << 20
	maxPreallocJSON   = 4 << 20
)

func newContentHasher(lim Limits) *contentHasher {
	return &contentHasher{
		lim:      lim,
		rootRank: -1,
		copyBuf:  make([]byte, 32<<10),
	}
}

// add hashes one entry; its signature fits Walk.
func (h *contentHasher) add(e Entry, body io.Reader) error {
	he := hashedEntry{name: e.Name, job: -1}
	h.notePage(e.Name)
	if isJSONName(e.Name) {
		job, err := h.addJSON(e, body)
		if err != nil {
			return err
		}
		he.job = job
	} else {
		eh := sha256.New()
		if _, err := io.CopyBuffer(eh, body, h.copyBuf); err != nil {
			return err
		}
		eh.Sum(he.digest[:0])
	}
	h.entries = append(h.entries, he)
	return nil
}

// canonicalJSON returns the canonical form of raw, or false if raw is not one JSON value.
// That is not an error: ContentSHA256 hashes such an entry as its raw bytes.
func (h *contentHasher) canonicalJSON(raw []byte) (out []byte, isJSON bool) {
	out, err := h.canon.canonicalize(raw)
	return out, err == nil
}

// addJSON reads a JSON entry (bounded by MaxJSONEntryBytes) and queues its canonical form (or
// its raw bytes) for hashing; it returns the hashing job.
func (h *contentHasher) addJSON(e Entry, body io.Reader) (int, error) {
	if h.jsonBuf.Cap() > maxKeptJSONBuffer {
		h.jsonBuf = bytes.Buffer{}
	}
	h.jsonBuf.Reset()
	h.jsonBuf.Grow(int(min(max(e.Size, 0), maxPreallocJSON)) + bytes.MinRead) // the header is not trusted
	n, err := h.jsonBuf.ReadFrom(io.LimitReader(body, h.lim.MaxJSONEntryBytes+1))
	if err != nil {
		return -1, err
	}
	if n > h.lim.MaxJSONEntryBytes {
		return -1, &LimitError{Limit: "MaxJSONEntryBytes", Value: h.lim.MaxJSONEntryBytes, Entry: e.Name}
	}
	if h.jobs == nil {
		h.jobs = newJSONHasher()
	}
	raw := h.jsonBuf.Bytes()
	h.canon.out = h.jobs.buffer()
	out, isJSON := h.canonicalJSON(raw)
	if !isJSON {
		// Not JSON after all: hashed as raw bytes.
		out = append(out[:0], raw...)
		if h.noteRoot(e.Name, false, "") {
			h.noteRootObjects(nil)
		}
	} else if h.noteRoot(e.Name, h.canon.bundle, h.canon.bundleType) {
		// Read before the buffer goes to the hashing job: the inventory keeps no slice of it.
		h.noteRootObjects(bundleDoc(out, h.canon.bundle))
	}
	h.canon.out = nil // the buffer now belongs to the hashing job
	if c := &h.canon; max(cap(c.scratch), cap(c.tmp), cap(c.keys)) > maxKeptJSONBuffer {
		h.canon = canonicalizer{}
	}
	return h.jobs.submit(out), nil
}

// noteRoot applies the root document rule (RootDocumentRank) to a JSON entry: bundle tells
// whether it is a signed bundle, typ its "type". The root's type is kept when it is a bundle.
// It reports whether the entry became the root.
func (h *contentHasher) noteRoot(name string, bundle bool, typ string) bool {
	rank := RootDocumentRank(name)
	if rank <= h.rootRank || (rank == 0 && !bundle) {
		return false
	}
	h.rootRank, h.bundleType = rank, ""
	if bundle {
		h.bundleType = typ
	}
	return true
}

// close stops the hashing goroutine, if any; sum must not be called after it.
func (h *contentHasher) close() {
	if h.jobs != nil {
		h.jobs.wait()
	}
}

// sum returns the final content hash in lower-case hex.
func (h *contentHasher) sum() string {
	if h.jobs != nil {
		digests := h.jobs.wait()
		for i := range h.entries {
			if j := h.entries[i].job; j >= 0 {
				h.entries[i].digest, h.entries[i].job = digests[j], -1
			}
		}
	}
	sort.Slice(h.entries, func(i, j int) bool { return h.entries[i].name < h.entries[j].name })
	fh := sha256.New()
	line := make([]byte, 0, 256)
	for _, e := range h.entries {
		line = append(line[:0], e.name...)
		line = append(line, 0)
		line = hex.AppendEncode(line, e.digest[:])
		line = append(line, '\n')
		_, _ = fh.Write(line)
	}
	return hex.EncodeToString(fh.Sum(nil))
}

// jsonHasher computes the SHA-256 of canonical JSON documents on a goroutine of its own, in the
// order they were submitted, while the caller canonicalises the next entry. It owns
// jsonHashBuffers output buffers, handed out by buffer and given back once hashed, so at most
// that many canonical documents exist at a time.
type jsonHasher struct {
	todo    chan []byte
	free    chan []byte
	done    chan struct{}
	n       int
	digests [][sha256.Size]byte // written by the goroutine, read after done
	once    sync.Once
}

const jsonHashBuffers = 2

func newJSONHasher() *jsonHasher {
	j := &jsonHasher{
		todo: make(chan []byte, jsonHashBuffers),
		free: make(chan []byte, jsonHashBuffers),
		done: make(chan struct{}),
	}
	for range jsonHashBuffers {
		j.free <- nil
	}
	go j.run()
	return j
}

func (j *jsonHasher) run() {
	defer close(j.done)
	eh := sha256.New()
	var d [sha256.Size]byte
	for b := range j.todo {
		eh.Reset()
		_, _ = eh.Write(b)
		eh.Sum(d[:0])
		j.digests = append(j.digests, d)
		if cap(b) > maxKeptJSONBuffer {
			b = nil
		}
		j.free <- b[:0]
	}
}

// buffer returns an empty output buffer, waiting for one to be hashed if both are in use.
func (j *jsonHasher) buffer() []byte { return <-j.free }

// submit queues b (from buffer) for hashing and returns its job number.
func (j *jsonHasher) submit(b []byte) int {
	j.todo <- b
	j.n++
	return j.n - 1
}

// wait ends the goroutine and returns the digests, by job number.
func (j *jsonHasher) wait() [][sha256.Size]byte {
	j.once.Do(func() { close(j.todo) })
	<-j.done
	return j.digests
}
