package archive

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkCanonicalizeRows canonicalises one content page of realistic rows (about 600 KB,
// the bundle's members out of order as Xano writes them), the canonical hashing's main work.
func BenchmarkCanonicalizeRows(b *testing.B) {
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "oslo", "refund", "premium", "order", "paris", "zulu", "kilo"}
	x := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x
	}
	word := func() string { return words[next()%uint64(len(words))] }
	var rows []any
	for id := 1; id <= 2000; id++ {
		note := ""
		for range 4 + next()%16 {
			note += word() + " "
		}
		rows = append(rows, map[string]any{
			"id": id, "created_at": 1_700_000_000_000 + int64(next()%100_000_000_000),
			"name": word() + " " + word(), "email": word() + "." + strconv.FormatUint(next()%100000, 10) + "@example.com",
			"score": float64(next()%1_000_000) / 100, "active": next()%2 == 0, "note": note,
			"ref": strconv.FormatUint(next(), 16), "status": word(), "tags": []string{word(), word()},
			"token": strconv.FormatUint(next(), 36),
		})
	}
	payload, err := json.Marshal(rows)
	if err != nil {
		b.Fatal(err)
	}
	page := []byte(`{"app":"xano","version":"1.03","type":"content","payload":`)
	page = append(page, payload...)
	page = append(page, `,"sig":"sKwLxVwvnOQBWimwzD0M24Gi1Kg."}`...)
	var c canonicalizer
	b.SetBytes(int64(len(page)))
	start, n := cpuNanos(), 0
	for b.Loop() {
		if _, err := c.canonicalize(page); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// MB per CPU second (Linux): steadier than the wall clock on a shared machine.
	if used := cpuNanos() - start; used > 0 {
		b.ReportMetric(float64(len(page))*float64(n)/(float64(used)/1e9)/1e6, "cpu-MB/s")
	}
}

// TestSortedObjectMatchesReference: documents of many objects in canonical order, out of
// order, and mixed (past the limits after which sortedObject is no longer tried), nested,
// canonicalise as the encoding/json reference does.
func TestSortedObjectMatchesReference(t *testing.T) {
	row := func(i int, sorted bool) string {
		if sorted {
			return `{"a":` + strconv.Itoa(i) + `,"b":{"c":[{"d":1,"e":"x"}],"f":null},"g":"h` + strconv.Itoa(i) + `"}`
		}
		return `{"g":"h` + strconv.Itoa(i) + `","a":` + strconv.Itoa(i) + `,"b":{"f":null,"c":[{"e":"x","d":1}]}}`
	}
	for _, pattern := range []string{"s", "u", "su", "uuuuuuuuuuuuuuuuuuuus", "sssssssssssu", "usssssssssssssssss"} {
		var b []byte
		b = append(b, '[')
		for i := range 200 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, row(i, pattern[i%len(pattern)] == 's')...)
		}
		b = append(b, ']')
		for _, doc := range [][]byte{b, []byte(`{"z":1,"rows":` + string(b) + `}`)} {
			want, _, _, ok := referenceCanonical(t, doc)
			var c canonicalizer
			got, err := c.canonicalize(doc)
			if !ok || err != nil || !bytes.Equal(got, want) {
				t.Fatalf("pattern %q: canonical form differs from the reference (%v)", pattern, err)
			}
		}
	}
}
