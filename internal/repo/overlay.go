package repo

import (
	"errors"
	"io/fs"
	"sort"
	"testing/fstest"
)

// Overlay returns a snapshot that shows base with files replaced or added.
// A nil content deletes the file. Remediations applied in sequence each see
// the changes of the ones before them this way.
func Overlay(base *Snapshot, files map[string][]byte) *Snapshot {
	top := fstest.MapFS{}
	deleted := map[string]bool{}
	for p, b := range files {
		if b == nil {
			deleted[p] = true
			continue
		}
		top[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	s := &Snapshot{
		FS:    &overlayFS{base: base.FS, top: top, deleted: deleted},
		Owner: base.Owner, Name: base.Name, Private: base.Private, Ignored: base.Ignored,
	}
	return s
}

type overlayFS struct {
	base    fs.FS
	top     fstest.MapFS
	deleted map[string]bool
}

func (o *overlayFS) Open(name string) (fs.File, error) {
	if o.deleted[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if f, ok := o.top[name]; ok && !f.Mode.IsDir() {
		return o.top.Open(name)
	}
	return o.base.Open(name)
}

// ReadDir merges the directory listings of both layers.
func (o *overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	byName := map[string]fs.DirEntry{}
	baseEntries, errBase := fs.ReadDir(o.base, name)
	for _, e := range baseEntries {
		byName[e.Name()] = e
	}
	topEntries, errTop := fs.ReadDir(o.top, name)
	for _, e := range topEntries {
		byName[e.Name()] = e
	}
	if errBase != nil && errTop != nil {
		return nil, errors.Join(errBase, errTop)
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for n, e := range byName {
		p := n
		if name != "." {
			p = name + "/" + n
		}
		if o.deleted[p] {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Stat answers from the layer that holds the file.
func (o *overlayFS) Stat(name string) (fs.FileInfo, error) {
	if o.deleted[name] {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	if fi, err := fs.Stat(o.top, name); err == nil {
		return fi, nil
	}
	return fs.Stat(o.base, name)
}
