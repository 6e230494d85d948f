package knowledge

import (
	"sort"

	"github.com/hardener/hardener/internal/workflow"
)

// Entries lists every entry, sorted by Uses.
func Entries() []Entry {
	m, err := load()
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	out := make([]Entry, 0, len(m))
	for _, e := range m {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Uses < out[j].Uses })
	return out
}

// JobNeeds returns the union of what a job's steps, container and
// services need; for a job that calls a reusable workflow, what the called
// workflow needs (the caller must grant the union). files, when not nil,
// is read for local actions and local reusable workflows; without it they
// are unknown.
func JobNeeds(files Files, w *workflow.Workflow, j *workflow.Job) Need {
	a := &analysis{files: files, w: w, j: j, parsed: map[string]*workflow.File{}}
	return a.job(0)
}

// Sinks lists every sink entry, sorted by name.
func Sinks() []*Sink {
	SinkFor("")
	out := make([]*Sink, 0, len(sinks))
	for _, s := range sinks {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Uses < out[j].Uses })
	return out
}
