package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hardener/hardener/checks"
)

// scanTargets reads scan's arguments: nothing or one directory is the
// checkout; one or more files (as pre-commit passes them) mean the
// checkout in the current directory, reporting only findings in those
// files. Files must lie inside the current directory.
func scanTargets(args []string) (dir string, only map[string]bool, err error) {
	if len(args) == 0 {
		return ".", nil, nil
	}
	if len(args) == 1 {
		if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
			return args[0], nil, nil
		}
	}
	only = map[string]bool{}
	for _, a := range args {
		fi, err := os.Stat(a)
		switch {
		case err != nil:
			return "", nil, err
		case fi.IsDir():
			return "", nil, fmt.Errorf("%s is a directory: give one directory, or files of the checkout in the current directory", a)
		}
		rel, err := relInside(a)
		if err != nil {
			return "", nil, err
		}
		only[rel] = true
	}
	return ".", only, nil
}

// relInside returns p relative to the current directory with / separators,
// or an error when it lies outside.
func relInside(p string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", errors.New(p + " is outside the current directory, the checkout to scan")
	}
	return filepath.ToSlash(rel), nil
}

// onlyFiles keeps the findings and errors of the given files (all of them
// when only is nil). Errors about the whole checkout (".") are kept.
func onlyFiles(fs []checks.Finding, es []checks.FileError, only map[string]bool) ([]checks.Finding, []checks.FileError) {
	if only == nil {
		return fs, es
	}
	var outF []checks.Finding
	for _, f := range fs {
		if only[f.Primary.File] {
			outF = append(outF, f)
		}
	}
	var outE []checks.FileError
	for _, e := range es {
		if e.File == "." || only[e.File] {
			outE = append(outE, e)
		}
	}
	return outF, outE
}
