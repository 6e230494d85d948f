package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/suppress"
	"github.com/hardener/hardener/internal/workflow"
)

// FileError is a file that could not be read at all.
type FileError struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// Model is the parsed repository that every rule shares.
type Model struct {
	Files []*workflow.File
	// Invalid holds one invalid-workflow finding per file that did not
	// parse or was over the size cap.
	Invalid []Finding
	Errors  []FileError
	Paths   []string
}

// Load parses every workflow, action and Dockerfile of the snapshot once.
func Load(snap *repo.Snapshot) *Model {
	return snap.Memo("checks.model", func() any { return load(snap) }).(*Model)
}

func load(snap *repo.Snapshot) *Model {
	m := &Model{}
	paths, err := snap.Files()
	if err != nil {
		m.Errors = append(m.Errors, FileError{File: ".", Message: err.Error()})
		return m
	}
	m.Paths = paths
	for _, p := range paths {
		if workflow.KindOf(p) == 0 {
			continue
		}
		src, err := snap.ReadFile(p)
		if errors.Is(err, repo.ErrTooLarge) {
			m.Invalid = append(m.Invalid, invalid(p, 0, 0, fmt.Sprintf("file is over the %d-byte size cap and was not scanned", repo.MaxFileSize)))
			continue
		}
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				m.Errors = append(m.Errors, FileError{File: p, Message: err.Error()})
			}
			continue
		}
		f, err := workflow.Parse(p, src)
		if err != nil {
			var pe *workflow.ParseError
			if errors.As(err, &pe) {
				m.Invalid = append(m.Invalid, invalid(p, pe.Line, pe.Column, pe.Msg))
			} else {
				m.Invalid = append(m.Invalid, invalid(p, 0, 0, err.Error()))
			}
			continue
		}
		m.Files = append(m.Files, f)
	}
	return m
}

func invalid(p string, line, col int, msg string) Finding {
	if line < 1 {
		line, col = 1, 1
	}
	return Finding{Rule: RuleInvalidWorkflow, Severity: Medium, Confidence: ConfidenceHigh,
		Message: msg + " (the rest of the repository was still scanned)",
		Primary: Location{File: p, Line: line, Column: col}}
}

// Options tune a scan.
type Options struct {
	// Exempt reports whether a subject (`owner/repo[/path]@ref` or an
	// image) is exempted by config.
	Exempt func(subject string) bool
	// Checks to run; nil means All().
	Checks []Check
	// KeepSuppressed lists the findings that inline comments suppress in
	// Result.Suppressed (instead of dropping them), for a caller that must
	// decide whether to trust a suppression.
	KeepSuppressed bool
}

// Result is what a scan found.
type Result struct {
	Findings []Finding
	Errors   []FileError
	// Suppressed are the findings an inline comment suppresses, when
	// Options.KeepSuppressed asks for them.
	Suppressed []Finding
}

// Scan runs the checks on a snapshot. A check that fails adds an error and
// the others still run.
func Scan(ctx context.Context, snap *repo.Snapshot, opts Options) Result {
	list := opts.Checks
	if list == nil {
		list = All()
	}
	m := Load(snap)
	res := Result{Errors: append([]FileError(nil), m.Errors...)}
	var all []Finding
	for _, c := range list {
		found, err := c.Run(ctx, snap)
		if err != nil {
			res.Errors = append(res.Errors, FileError{File: ".", Message: fmt.Sprintf("%s: %v", c.ID(), err)})
		}
		all = append(all, found...)
	}
	res.Findings, res.Suppressed = finish(m, all, opts)
	return res
}

// finish drops exempted, suppressed and duplicate findings (the same
// fingerprint at the same place), fills in snippets and each rule's
// remediation from its metadata, and sorts. Suppressed findings are
// returned apart when opts.KeepSuppressed asks for them.
func finish(m *Model, all []Finding, opts Options) (out, suppressedOut []Finding) {
	sources := map[string]*workflow.Source{}
	for _, f := range m.Files {
		sources[f.Path] = f.Source
	}
	seen := map[string]bool{}
	out = make([]Finding, 0, len(all))
	for _, f := range all {
		if f.Subject != "" && opts.Exempt != nil && opts.Exempt(f.Subject) {
			continue
		}
		src := sources[f.Primary.File]
		if src != nil {
			f.Snippet = src.Line(f.Primary.Line)
		}
		key := fmt.Sprintf("%s@%d:%d", f.Fingerprint(), f.Primary.Line, f.Primary.Column)
		if seen[key] {
			continue
		}
		seen[key] = true
		meta, _ := Rule(f.Rule)
		f.Remediation = meta.Remediation
		if src != nil && suppressed(src, f.Primary.Line, f.Rule) {
			if opts.KeepSuppressed {
				suppressedOut = append(suppressedOut, f)
			}
			continue
		}
		out = append(out, f)
	}
	sortFindings(out)
	sortFindings(suppressedOut)
	return out, suppressedOut
}

func sortFindings(out []Finding) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Primary, out[j].Primary
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return out[i].Rule < out[j].Rule
	})
}

// suppressed reports whether `# hardener: ignore[rule]` (or zizmor's
// comment for the same audit) is on the line or alone on the line above.
func suppressed(src *workflow.Source, line int, rule string) bool {
	return suppress.Suppressed(src, line, rule)
}

// loc builds a location for a value in a file.
func loc(f *workflow.File, v *workflow.Value) Location {
	l := Location{File: f.Path, Line: v.Line, Column: v.Column, Offset: v.ContentStart, EndOffset: v.ContentEnd}
	if v.ContentEnd >= 0 {
		l.EndLine, l.EndColumn = f.Source.Position(v.ContentEnd)
	}
	return l
}

// locAt builds a location for a byte span in a file.
func locAt(f *workflow.File, start, end int) Location {
	l := Location{File: f.Path, Offset: start, EndOffset: end}
	l.Line, l.Column = f.Source.Position(start)
	l.EndLine, l.EndColumn = f.Source.Position(end)
	return l
}
