package scorecard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ossf/scorecard/v5/clients"
	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// Scorecard parses workflows with a YAML walk that expands aliases without
// a budget: a 600-byte workflow with nested anchors under strategy.matrix
// makes it allocate gigabytes. Hardener's own parser has a work budget, but
// it only walks what it models. So Scorecard is shown a view of the
// checkout without the files Hardener refused, found too large, or whose
// alias expansion is over budget; the Result lists them as Skipped.

// Skipped is a file Scorecard was not shown, and why.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// maxExpandedNodes bounds the YAML nodes a file may expand to, beyond ten
// per node written: generous for anchors reused as GitHub allows, far
// below what makes Scorecard's parser run out of memory.
const maxExpandedNodes = 100_000

// errAliasBomb is why a YAML file whose aliases expand past the budget is
// hidden.
var errAliasBomb = errors.New("alias expansion exceeds the work limit")

// view is Scorecard's local-directory client without the hidden files and
// without anything that is not a regular file (a FIFO or device would
// block or never end a read).
type view struct {
	clients.RepoClient
	hidden map[string]bool
}

// ListFiles lists the files the view shows.
func (v *view) ListFiles(predicate func(string) (bool, error)) ([]string, error) {
	return v.RepoClient.ListFiles(func(p string) (bool, error) {
		if v.hidden[p] {
			return false, nil
		}
		return predicate(p)
	})
}

// GetFileReader opens a file the view shows.
func (v *view) GetFileReader(name string) (io.ReadCloser, error) {
	if v.hidden[filepath.ToSlash(name)] {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return v.RepoClient.GetFileReader(name)
}

// hide decides which files of the checkout at root Scorecard must not see.
// files are the checkout's paths as the local client lists them.
func hide(root string, files []string) (map[string]bool, []Skipped) {
	hidden := map[string]bool{}
	var skipped []Skipped
	for _, p := range files {
		reason := ""
		// Stat follows a symbolic link: one to a regular file inside the
		// checkout is read as the file (Scorecard opens files in root).
		if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil || !fi.Mode().IsRegular() {
			reason = "not a regular file"
		} else if scorecardParses(p) {
			reason = refusal(root, p)
		}
		if reason != "" {
			hidden[p] = true
			skipped = append(skipped, Skipped{File: p, Reason: reason})
		}
	}
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].File < skipped[j].File })
	return hidden, skipped
}

// scorecardParses reports whether Scorecard parses p as a workflow (its
// test lower-cases the directory) or Hardener models it as a Dockerfile.
func scorecardParses(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	if (ext == ".yml" || ext == ".yaml") && strings.ToLower(path.Dir(p)) == ".github/workflows" {
		return true
	}
	return workflow.KindOf(p) == workflow.KindDockerfile
}

// refusal is why Hardener refuses the file at p, or "".
func refusal(root, p string) string {
	f, err := os.OpenInRoot(root, filepath.FromSlash(p))
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, repo.MaxFileSize+1))
	if err != nil {
		return err.Error()
	}
	if len(src) > repo.MaxFileSize {
		return fmt.Sprintf("%v (%d bytes)", repo.ErrTooLarge, repo.MaxFileSize)
	}
	if workflow.KindOf(p) == workflow.KindDockerfile {
		if _, err := workflow.ParseDockerfile(p, src); err != nil {
			return err.Error()
		}
		return ""
	}
	if _, err := workflow.ParseWorkflow(p, src); err != nil {
		return err.Error()
	}
	if err := expansionBudget(src); err != nil {
		return err.Error()
	}
	return ""
}

// expansionBudget refuses YAML whose nodes, with every alias expanded,
// outnumber maxExpandedNodes plus ten per node written. The count is
// memoised per node, so it costs one pass whatever the expansion.
func expansionBudget(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		written := 0
		countWritten(&doc, &written)
		limit := maxExpandedNodes + 10*written
		if expanded(&doc, map[*yaml.Node]int{}, limit) > limit {
			return errAliasBomb
		}
	}
}

func countWritten(n *yaml.Node, count *int) {
	*count++
	for _, c := range n.Content {
		countWritten(c, count)
	}
}

// expanded is the number of nodes n stands for once aliases are expanded,
// capped just above limit.
func expanded(n *yaml.Node, memo map[*yaml.Node]int, limit int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = limit + 1 // an alias cycle counts as over the limit
	total := 1
	if n.Kind == yaml.AliasNode {
		total += expanded(n.Alias, memo, limit)
	}
	for _, c := range n.Content {
		total += expanded(c, memo, limit)
		if total > limit {
			total = limit + 1
			break
		}
	}
	memo[n] = total
	return total
}
