package archive

import (
	"reflect"
	"slices"
	"testing"
)

func TestDiffObjects(t *testing.T) {
	t.Parallel()
	old := map[string]string{"function/a": "1", "function/b": "2", "task/nightly_sync": "3", "endpoint/public/GET users": "4"}
	cur := map[string]string{"function/a": "1", "function/hotfix": "5", "function/b": "2x", "endpoint/public/GET users": "4x", "addon/z": "6"}
	d := DiffObjects(old, cur)
	want := ObjectDiff{
		Added:   []string{"addon/z", "function/hotfix"},
		Changed: []string{"endpoint/public/GET users", "function/b"},
		Removed: []string{"task/nightly_sync"},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("DiffObjects = %+v, want %+v", d, want)
	}
	if d.Empty() {
		t.Fatal("Empty() is true for a diff with changes")
	}
	if e := DiffObjects(old, old); !e.Empty() {
		t.Fatalf("DiffObjects(x, x) = %+v, want empty", e)
	}
	if e := DiffObjects(nil, map[string]string{}); !e.Empty() {
		t.Fatalf("DiffObjects(nil, {}) = %+v, want empty", e)
	}
	if e := DiffObjects(nil, map[string]string{"k": "v"}); !slices.Equal(e.Added, []string{"k"}) || len(e.Changed)+len(e.Removed) != 0 {
		t.Fatalf("DiffObjects(nil, {k}) = %+v", e)
	}
}

func TestObjectDiffLines(t *testing.T) {
	t.Parallel()
	d := ObjectDiff{
		Added:   []string{"function/hotfix"},
		Changed: []string{"endpoint/public/GET users", "function/b"},
		Removed: []string{"task/nightly_sync"},
	}
	all := []string{"added function/hotfix", "changed endpoint/public/GET users", "changed function/b", "removed task/nightly_sync"}
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{0, all},
		{-1, all},
		{4, all},
		{20, all},
		{3, []string{"added function/hotfix", "changed endpoint/public/GET users", "and 2 more"}},
		{2, []string{"added function/hotfix", "and 3 more"}},
		{1, []string{"and 4 more"}},
	} {
		if got := d.Lines(tc.max); !slices.Equal(got, tc.want) {
			t.Errorf("Lines(%d) = %q, want %q", tc.max, got, tc.want)
		}
	}
	if got := (ObjectDiff{}).Lines(20); len(got) != 0 {
		t.Errorf("empty diff Lines = %q, want none", got)
	}
}
