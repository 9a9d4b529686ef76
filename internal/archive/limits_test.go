package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// zeroPaddedExport writes, with this package's Writer, an export whose table holds a column of
// long zero-padded strings: deflate squeezes it about 750:1 or more, as the workspace.
func zeroPaddedExport(t testing.TB, pages, rowsPerPage int) (archive []byte, raw int64) {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Unix(1_700_000_000, 0))
	ws, err := NewBundle("workspace", map[string]any{"dbo": []any{map[string]any{"id": 1, "guid": "pad", "name": "padded"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddJSON("workspace.json", ws); err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("0", 64<<10)
	for p := range pages {
		rows := make([]any, rowsPerPage)
		for i := range rows {
			n := p*rowsPerPage + i
			rows[i] = map[string]any{"id": n, "code": fmt.Sprintf("%s%06d", pad, n)}
		}
		b, err := NewBundle("content", rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddJSON(fmt.Sprintf("content/pad-%d.json", p+1), b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	err = Walk(bytes.NewReader(buf.Bytes()), Limits{}, func(e Entry, body io.Reader) error {
		raw += e.Size
		_, err := io.Copy(io.Discard, body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), raw
}

// TestHighRatioExportIsInspected: a legitimate export at about 750:1 (more than the old
// single-layer ratio guard allowed) is inspected and hashed, its hash equal to the reference
// canonical form's.
func TestHighRatioExportIsInspected(t *testing.T) {
	t.Parallel()
	data, raw := zeroPaddedExport(t, 16, 16)
	ratio := raw / int64(len(data))
	if ratio < 500 {
		t.Fatalf("the test export compresses only %d:1; it must be about 750:1", ratio)
	}
	info, err := Inspect(bytes.NewReader(data), Limits{})
	if err != nil || info.Incomplete != nil || len(info.ContentSHA256) != 64 || info.Entries != 17 || info.Type != "workspace" {
		t.Fatalf("Inspect of a %d:1 export = %+v, %v", ratio, info, err)
	}
	if want := referenceContentHash(t, data); info.ContentSHA256 != want {
		t.Fatalf("ContentSHA256 = %s, reference %s", info.ContentSHA256, want)
	}
	t.Logf("%d MiB of rows at %d:1 inspected", raw>>20, ratio)
}

// referenceContentHash computes the content hash with the tree-based reference canonicaliser.
func referenceContentHash(t testing.TB, data []byte) string {
	t.Helper()
	h := newContentHasher(Limits{}.resolved())
	err := Walk(bytes.NewReader(data), Limits{}, func(e Entry, body io.Reader) error {
		if !isJSONName(e.Name) {
			return h.add(e, body)
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		if out, _, _, ok := referenceCanonical(t, raw); ok {
			raw = out
		}
		return h.add(Entry{Name: e.Name + ".ref"}, bytes.NewReader(raw))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Entries were named with a suffix so that add hashed the canonical bytes as raw content.
	for i := range h.entries {
		h.entries[i].name = strings.TrimSuffix(h.entries[i].name, ".ref")
	}
	return h.sum()
}

// TestTotalBytesLimitKeepsArchive: past MaxTotalBytes, Inspect still verifies the whole archive
// and reports Incomplete, while Walk returns the *LimitError.
func TestTotalBytesLimitKeepsArchive(t *testing.T) {
	t.Parallel()
	data, _ := zeroPaddedExport(t, 8, 16)
	lim := Limits{MaxTotalBytes: 4 << 20}
	info, err := Inspect(bytes.NewReader(data), lim)
	if err != nil || info.Incomplete == nil || info.ContentSHA256 != "" || info.GzipLayers != 1 {
		t.Fatalf("Inspect = %+v, %v; want Incomplete", info, err)
	}
	checkLimit(t, "Inspect", info.Incomplete, "MaxTotalBytes", info.Incomplete.Entry)
	if !strings.HasPrefix(info.Incomplete.Entry, "content/pad-") {
		t.Fatalf("limit on entry %q", info.Incomplete.Entry)
	}
	if !strings.Contains(info.Incomplete.Error(), "4194304") {
		t.Fatalf("message %q does not give the limit's value", info.Incomplete.Error())
	}
	err = Walk(bytes.NewReader(data), lim, func(_ Entry, body io.Reader) error {
		_, err := io.Copy(io.Discard, body)
		return err
	})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxTotalBytes" {
		t.Fatalf("Walk = %v, want the MaxTotalBytes *LimitError", err)
	}
	if _, err := ContentSHA256(bytes.NewReader(data)); err != nil {
		t.Fatalf("with default limits: %v", err)
	}
}

// TestDurationLimitKeepsArchive: a MaxDuration that ran out stops the inspection of a
// complete archive without losing it.
func TestDurationLimitKeepsArchive(t *testing.T) {
	t.Parallel()
	data := build(t, exportFixture(t), buildOpts{layers: 2})
	info, err := Inspect(bytes.NewReader(data), Limits{MaxDuration: time.Nanosecond})
	if err != nil || info.Incomplete == nil || info.ContentSHA256 != "" {
		t.Fatalf("Inspect = %+v, %v; want Incomplete", info, err)
	}
	checkLimit(t, "Inspect", info.Incomplete, "MaxDuration", "")
	if !strings.Contains(info.Incomplete.Error(), "1ns") {
		t.Fatalf("message %q does not give the duration", info.Incomplete.Error())
	}
}

// TestLimitThenDamageIsRefused: a limit does not excuse a truncated or corrupt download: the
// outer gzip layer is still read to its end and checked.
func TestLimitThenDamageIsRefused(t *testing.T) {
	t.Parallel()
	data, _ := zeroPaddedExport(t, 8, 16)
	corrupt := bytes.Clone(data)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 of the gzip trailer
	for name, b := range map[string][]byte{
		"truncated":   data[:len(data)-len(data)/4],
		"cut trailer": data[:len(data)-3],
		"bad crc":     corrupt,
	} {
		for _, lim := range []Limits{{MaxTotalBytes: 1 << 20}, {MaxDuration: time.Nanosecond}, {MaxEntries: 2}} {
			info, err := Inspect(bytes.NewReader(b), lim)
			if !errors.Is(err, ErrNotArchive) {
				t.Errorf("%s, %+v: Inspect = %+v, %v; want ErrNotArchive", name, lim, info, err)
			}
		}
	}
}

// TestLimitCallerReadError: an error of the caller's reader after a limit is returned as such.
func TestLimitCallerReadError(t *testing.T) {
	t.Parallel()
	data, _ := zeroPaddedExport(t, 4, 16)
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{boom})
	_, err := Inspect(r, Limits{MaxTotalBytes: 1 << 20})
	if !errors.Is(err, boom) {
		t.Fatalf("Inspect = %v, want the reader's error", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestRowPagesMatchReference: the canonicaliser's hash of row pages (the bulk of an export)
// equals the tree-based reference's, with unsorted and sorted keys alike.
func TestRowPagesMatchReference(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if _, err := writeRowPages(tw, 4<<20); err != nil {
		t.Fatal(err)
	}
	if err := writeEntry(tw, "content/escapes.json", []byte(`{"app":"xano","sig":"s","payload":[{"n\u00e9":"\u00e9\n","b":"a\"b","a":{"\u0061":1,"a":2}}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := inspectBytes(t, buf.Bytes()).ContentSHA256, referenceContentHash(t, buf.Bytes()); got != want {
		t.Fatalf("ContentSHA256 = %s, reference %s", got, want)
	}
}
