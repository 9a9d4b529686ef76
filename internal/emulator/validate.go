package emulator

import (
	"fmt"
	"path/filepath"
	"strings"
)

// validTableGUID reports whether a table guid can be used in a content page name
// ("content/<guid>-<page>.json") without leaving the content folder of an archive.
func validTableGUID(guid string) bool {
	return guid != "" && !strings.ContainsAny(guid, `/\`) && !strings.Contains(guid, "..")
}

// validSpoolName reports whether a page file name is a spool file's base name.
func validSpoolName(name string) bool {
	return strings.HasSuffix(name, spoolSuffix) && name == filepath.Base(name) &&
		!strings.ContainsAny(name, `/\`) && !strings.HasPrefix(name, ".")
}

// validate checks the invariants the server relies on: workspace ids unique and positive; in
// each workspace a v1 branch, unique labels and exactly one live branch; branch, function and
// table ids unique and below next_id; table guids usable in page names; page files that are
// base names of spool files; valid tokens.
func (st *state) validate() error {
	wsIDs := map[int64]bool{}
	ids := map[int64]string{}
	claim := func(id int64, what string) error {
		if id <= 0 || id > st.NextID {
			return fmt.Errorf("%s has id %d, outside 1..next_id (%d)", what, id, st.NextID)
		}
		if prev, ok := ids[id]; ok {
			return fmt.Errorf("%s has id %d, already the id of %s", what, id, prev)
		}
		ids[id] = what
		return nil
	}
	for _, w := range st.Workspaces {
		if w == nil || w.ID <= 0 || wsIDs[w.ID] {
			return fmt.Errorf("a workspace is missing, or its id is not positive and unique")
		}
		wsIDs[w.ID] = true
		if err := w.validate(claim); err != nil {
			return err
		}
	}
	if _, err := fixtureTokens(st.Tokens); err != nil {
		return err
	}
	return nil
}

func (w *workspace) validate(claim func(int64, string) error) error {
	labels := map[string]bool{}
	for _, b := range w.Branches {
		if b == nil || b.Label == "" || labels[b.Label] {
			return fmt.Errorf("workspace %d: a branch is missing, unlabelled or listed twice", w.ID)
		}
		labels[b.Label] = true
		what := fmt.Sprintf("workspace %d branch %q", w.ID, b.Label)
		if err := claim(b.ID, what); err != nil {
			return err
		}
		for kind, list := range map[string][]*object{"function": b.Functions, "app": b.Apps, "query": b.Queries, "task": b.Tasks} {
			for _, f := range list {
				if f == nil {
					return fmt.Errorf("%s: a %s is missing", what, kind)
				}
				if err := claim(f.ID, fmt.Sprintf("%s %s %q", what, kind, f.Name)); err != nil {
					return err
				}
			}
		}
	}
	if !labels["v1"] {
		return fmt.Errorf("workspace %d has no branch v1", w.ID)
	}
	if !labels[w.Live] {
		return fmt.Errorf("workspace %d: its live branch %q is not one of its branches", w.ID, w.Live)
	}
	guids := map[string]bool{}
	for _, t := range w.Tables {
		if t == nil || !validTableGUID(t.GUID) || guids[t.GUID] {
			return fmt.Errorf("workspace %d: a table is missing, or its guid is invalid or not unique", w.ID)
		}
		guids[t.GUID] = true
		if err := t.validate(fmt.Sprintf("workspace %d table %q", w.ID, t.Name), claim); err != nil {
			return err
		}
	}
	return nil
}

func (t *table) validate(what string, claim func(int64, string) error) error {
	if err := claim(t.ID, what); err != nil {
		return err
	}
	if t.Rows < 0 {
		return fmt.Errorf("%s: negative rows", what)
	}
	switch t.Storage {
	case storageGenerated:
		if t.RowBytes < 0 || t.RowBytes > MaxFixtureRowBytes || len(t.Pages) > 0 {
			return fmt.Errorf("%s: row_bytes outside 0..%d, or pages for generated rows", what, MaxFixtureRowBytes)
		}
		if t.RowKind != "" {
			if _, err := rowKind(t.RowKind); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	case storageSpooled:
		for _, p := range t.Pages {
			if !validSpoolName(p.File) {
				return fmt.Errorf("%s: page file %q is not the base name of a %s file", what, p.File, spoolSuffix)
			}
			if p.Offset < 0 || p.Length <= 0 {
				return fmt.Errorf("%s: a page of %s has offset %d and length %d", what, p.File, p.Offset, p.Length)
			}
		}
	default:
		return fmt.Errorf("%s: unknown storage %q", what, t.Storage)
	}
	return nil
}
