package inflate

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestSwitch: both decoders behind NewGzip give the same bytes, strict and lenient, with two
// members and trailing bytes; each error says how to compare with the other decoder; an
// unknown value of the switch is refused.
func TestSwitch(t *testing.T) {
	var b bytes.Buffer
	for _, s := range []string{"first member ", "second member"} {
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
	}
	good := b.Bytes()
	trailing := append(bytes.Clone(good), "not gzip"...)
	corrupt := bytes.Clone(good)
	corrupt[len(good)-5] ^= 1 // the second member's length

	for _, which := range []string{"", SwitchBuiltin, SwitchKlauspost} {
		t.Setenv(EnvSwitch, which)
		read := func(data []byte, lenient bool) (string, error) {
			z, err := NewGzip(bytes.NewReader(data), lenient)
			if err != nil {
				return "", err
			}
			got, err := io.ReadAll(z)
			if cerr := z.Close(); err == nil {
				err = cerr
			}
			return string(got), err
		}
		for _, lenient := range []bool{false, true} {
			if got, err := read(good, lenient); err != nil || got != "first member second member" {
				t.Fatalf("%q lenient=%v: %q, %v", which, lenient, got, err)
			}
		}
		if got, err := read(trailing, true); err != nil || got != "first member second member" {
			t.Fatalf("%q lenient, trailing bytes: %q, %v", which, got, err)
		}
		if _, err := read(trailing, false); err == nil {
			t.Fatalf("%q strict: trailing bytes accepted", which)
		}
		_, err := read(corrupt, true)
		want := EnvSwitch + "=" + SwitchKlauspost
		if which == SwitchKlauspost {
			want = "unset it"
		}
		if !IsCorrupt(err) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%q: corrupt data gave %v, want a corrupt-data error saying %q", which, err, want)
		}
	}
	t.Setenv(EnvSwitch, "zlib")
	if _, err := NewGzip(bytes.NewReader(good), true); err == nil || !strings.Contains(err.Error(), EnvSwitch) {
		t.Fatalf("unknown decoder: %v", err)
	}
	if IsCorrupt(errors.New("other")) || IsCorrupt(io.ErrUnexpectedEOF) {
		t.Fatal("IsCorrupt of an unrelated error")
	}
}
