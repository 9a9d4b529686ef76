package archive

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkInspectSchemaObjects inspects a schema export whose root bundle holds 20,000 objects
// (about 24 MiB of JSON): the inventory's cost is what this adds to hashing the bundle, and the
// peak heap shows that it holds no second copy of the document.
func BenchmarkInspectSchemaObjects(b *testing.B) {
	data := schemaObjectsArchive(b)
	runtime.GC()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		stop := sampleHeap(&peak)
		info, err := Inspect(bytes.NewReader(data), Limits{})
		stop()
		if err != nil || info.Entries != 1 {
			b.Fatalf("Inspect = %+v, %v", info, err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// schemaObjectsArchive writes the archive of BenchmarkInspectSchemaObjects.
func schemaObjectsArchive(b *testing.B) []byte {
	body := strings.Repeat("x", 1000)
	fns := make([]any, 0, 10000)
	queries := make([]any, 0, 10000)
	for i := range 10000 {
		fns = append(fns, map[string]any{"id": i, "guid": fmt.Sprintf("f-%d", i), "name": fmt.Sprintf("fn_%d", i), "body": body})
		queries = append(queries, map[string]any{"id": i, "guid": fmt.Sprintf("q-%d", i), "name": fmt.Sprintf("path/%d", i), "verb": "GET", "app_id": 1, "body": body})
	}
	payload := map[string]any{"app": []any{map[string]any{"id": 1, "name": "public"}}, "function": fns, "query": queries}
	bundle, err := NewBundle("schema", payload)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Unix(0, 0))
	if err := w.AddJSON("schema.json", bundle); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
