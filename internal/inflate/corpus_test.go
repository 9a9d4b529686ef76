package inflate

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// TestCorpus decodes real gzip files: the checked-in ones (gzip -1/-9, pigz -1 with 32 KiB
// blocks, pigz -11 (zopfli), two members of different tools, an export of the emulator with
// -double-gzip, both layers), files made now by gzip -1..-9
// and pigz when they are installed, and Go's writers (compress/gzip and klauspost/compress at
// every level). Each must decode as compress/gzip decodes it.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			inner := checkGzipDecodes(t, data)
			if len(inner) > 2 && inner[0] == 0x1f && inner[1] == 0x8b {
				checkGzipDecodes(t, inner) // the emulator's -double-gzip export
			}
		})
	}

	scale := 1
	if raceEnabled || testing.Short() {
		scale = 8 // the race detector makes compressing slow
	}
	content := append(sample(11, 300000/scale, 1), sample(12, 100000/scale, 4)...)
	content = append(content, sample(13, 50000/scale, 3)...)
	src := filepath.Join(t.TempDir(), "content")
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	var tools [][]string
	if _, err := exec.LookPath("gzip"); err == nil {
		for _, l := range []string{"-1", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9"} {
			tools = append(tools, []string{"gzip", l, "-c", src})
		}
	} else {
		t.Log("gzip is not installed: its levels are covered by testdata only")
	}
	if _, err := exec.LookPath("pigz"); err == nil {
		for _, l := range []string{"-1", "-6", "-9"} {
			tools = append(tools, []string{"pigz", l, "-b", "64", "-c", src})
		}
		tools = append(tools, []string{"pigz", "-i", "-c", src})
	} else {
		t.Log("pigz is not installed: it is covered by testdata only")
	}
	for _, tool := range tools {
		out, err := exec.Command(tool[0], tool[1:]...).Output()
		if err != nil {
			t.Fatalf("%v: %v", tool, err)
		}
		t.Run(tool[0]+tool[1], func(t *testing.T) { checkGzipDecodes(t, out, content) })
	}
	for _, level := range []int{-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9} {
		var a, b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&a, level)
		_, _ = w.Write(content)
		_ = w.Close()
		checkGzipDecodes(t, a.Bytes(), content)
		kw, _ := kgzip.NewWriterLevel(&b, level)
		_, _ = kw.Write(content)
		_ = kw.Close()
		checkGzipDecodes(t, b.Bytes(), content)
	}
}

// checkGzipDecodes decodes a gzip file with compress/gzip and with GzipReader (several input
// shapes, strict and lenient): the same bytes, no error.
func checkGzipDecodes(t *testing.T, data []byte, want ...[]byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("compress/gzip: %v", err)
	}
	if len(want) > 0 && !bytes.Equal(ref, want[0]) {
		t.Fatal("compress/gzip does not decode the content written")
	}
	shapes := readers[:3]
	if raceEnabled || testing.Short() {
		shapes = readers[:1] // the other shapes are covered by the differential tests
	}
	for _, rd := range shapes {
		for _, lenient := range []bool{false, true} {
			z, err := NewGzipReader(rd.wrap(data))
			if err != nil {
				t.Fatal(err)
			}
			if lenient {
				z.Lenient()
			}
			got, err := io.ReadAll(z)
			if err != nil || !bytes.Equal(got, ref) {
				t.Fatalf("%s lenient=%v: %v (%d bytes, want %d)", rd.name, lenient, err, len(got), len(ref))
			}
		}
	}
	return ref
}
