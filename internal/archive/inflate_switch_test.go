package archive

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xano-community/terraform-provider-xano/internal/inflate"
)

// TestInflateSwitch: the built-in inflater and the previous decoder (XANO_INFLATE=klauspost)
// give the same inspection, one and two gzip layers; a damaged archive is refused by both, and
// each error says how to compare with the other decoder.
func TestInflateSwitch(t *testing.T) {
	for _, layers := range []int{1, 2} {
		data := build(t, exportFixture(t), buildOpts{layers: layers})
		t.Setenv(inflate.EnvSwitch, "")
		builtin := inspectBytes(t, data)
		t.Setenv(inflate.EnvSwitch, inflate.SwitchKlauspost)
		klauspost := inspectBytes(t, data)
		if !reflect.DeepEqual(builtin, klauspost) {
			t.Fatalf("%d layers: the decoders disagree:\n%+v\n%+v", layers, builtin, klauspost)
		}
	}

	data := build(t, exportFixture(t), buildOpts{layers: 1})
	bad := bytes.Clone(data)
	bad[len(bad)-6] ^= 0x40 // the gzip length (ISIZE): a checksum error after a full decode
	for _, c := range []struct{ value, hint string }{
		{"", inflate.EnvSwitch + "=" + inflate.SwitchKlauspost},
		{inflate.SwitchKlauspost, "unset it"},
	} {
		t.Setenv(inflate.EnvSwitch, c.value)
		_, err := Inspect(bytes.NewReader(bad), Limits{})
		if !errors.Is(err, ErrNotArchive) || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), c.hint) {
			t.Fatalf("%s=%q: error %v, want ErrNotArchive saying it is corrupt and %q", inflate.EnvSwitch, c.value, err, c.hint)
		}
	}

	t.Setenv(inflate.EnvSwitch, "zlib")
	if _, err := Inspect(bytes.NewReader(data), Limits{}); err == nil || !strings.Contains(err.Error(), inflate.EnvSwitch) {
		t.Fatalf("an unknown decoder: error %v, want one naming %s", err, inflate.EnvSwitch)
	}
}
