package archive

import (
	"sort"
	"strconv"
)

// ObjectDiff is the difference between two object inventories (see DiffObjects): the keys of the
// objects added, changed (same key, another hash) and removed, each sorted (byte-wise).
type ObjectDiff struct {
	Added, Changed, Removed []string
}

// DiffObjects compares the inventory old with new: a key only in new is added, only in old is
// removed, in both with different hashes is changed. Nil and empty inventories are alike.
func DiffObjects(old, new map[string]string) ObjectDiff {
	var d ObjectDiff
	for k, h := range new {
		oh, ok := old[k]
		switch {
		case !ok:
			d.Added = append(d.Added, k)
		case oh != h:
			d.Changed = append(d.Changed, k)
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			d.Removed = append(d.Removed, k)
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Changed)
	sort.Strings(d.Removed)
	return d
}

// Empty reports whether d has no added, changed or removed object.
func (d ObjectDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Changed) == 0 && len(d.Removed) == 0
}

// Len is the number of objects d lists.
func (d ObjectDiff) Len() int { return len(d.Added) + len(d.Changed) + len(d.Removed) }

// Lines describes d in words, one object a line: "added <key>", then "changed <key>", then
// "removed <key>", in the order of d's lists. When d lists more than max objects, the result is
// max lines, the last being "and N more" (N the objects not shown). max <= 0 means no limit.
func (d ObjectDiff) Lines(max int) []string {
	total := d.Len()
	show := total
	if max > 0 && total > max {
		show = max - 1
	}
	lines := make([]string, 0, min(total, show+1))
	for _, part := range []struct {
		word string
		keys []string
	}{{"added", d.Added}, {"changed", d.Changed}, {"removed", d.Removed}} {
		for _, k := range part.keys {
			if len(lines) == show {
				break
			}
			lines = append(lines, part.word+" "+k)
		}
	}
	if show < total {
		lines = append(lines, "and "+strconv.Itoa(total-show)+" more")
	}
	return lines
}
