package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/fixer"
	"github.com/hardener/hardener/remediations/pin"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func fixCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("fix", flag.ContinueOnError)
	fl.SetOutput(stderr)
	only := fl.String("only", "", "comma-separated remediation IDs (default: every file remediation the config enables)")
	cfgPath := fl.String("config", "", "configuration file (default DIR/.github/hardener.yml if present)")
	dryRun := fl.Bool("dry-run", false, "print a unified diff and write nothing")
	tokenPerms := fl.String("default-token-permissions", "write", "the repository's default GITHUB_TOKEN access: read or write")
	offline := fl.Bool("offline", false, "skip the remediations that need the network (tag resolution, container registries) and report them")
	var exempt multiFlag
	fl.Var(&exempt, "exempt", "leave uses: refs matching this owner/repo[/path] glob alone (repeatable)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hardener fix [flags] [DIR]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 1 || *tokenPerms != "read" && *tokenPerms != "write" {
		fl.Usage()
		return 2
	}
	dir := "."
	if fl.NArg() == 1 {
		dir = fl.Arg(0)
	}
	snap, cfg, err := loadCheckout(dir, *cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "hardener fix: %v\n", err)
		return 2
	}
	var ids []string
	if *only != "" {
		for _, id := range strings.Split(*only, ",") {
			ids = append(ids, strings.TrimSpace(id))
		}
	}
	env := &remediations.Env{
		Snapshot: snap, Config: cfg,
		Exempt:                  exempt,
		DefaultTokenPermissions: *tokenPerms,
		Findings:                checks.Scan(ctx, snap, checks.Options{Exempt: cfg.Exempt}).Findings,
	}
	selected, err := fixer.Selected(env, ids)
	if err != nil {
		fmt.Fprintf(stderr, "hardener fix: %v\n", err)
		return 2
	}
	if !*offline {
		if env.Resolver, err = onlineResolver(); err != nil {
			fmt.Fprintf(stderr, "hardener fix: %v\n", err)
			return 2
		}
		env.Images = pin.Registry{Client: &registry.Client{}}
		announceNetwork(stderr, selected, snap)
	}
	out, err := fixer.RunWith(ctx, env, ids, fixer.Options{Offline: *offline})
	if err != nil {
		fmt.Fprintf(stderr, "hardener fix: %v\n", err)
		return 2
	}
	for _, sk := range out.Skipped {
		fmt.Fprintf(stderr, "skipped %s: %s\n", sk.ID, sk.Reason)
	}
	for _, d := range out.Dropped {
		fmt.Fprintf(stderr, "dropped %s change to %s: %s\n", d.ID, d.Path, d.Reason)
	}
	for _, n := range out.Notes {
		if n.Line > 0 {
			fmt.Fprintf(stderr, "note: %s:%d: %s\n", n.File, n.Line, n.Message)
		} else {
			fmt.Fprintf(stderr, "note: %s: %s\n", n.File, n.Message)
		}
	}
	if *dryRun {
		fmt.Fprint(stdout, out.Diff())
		return 0
	}
	for _, p := range out.Paths() {
		if err := writeFile(snap.Dir, p, out.After[p]); err != nil {
			fmt.Fprintf(stderr, "hardener fix: %v\n", err)
			return 2
		}
	}
	for _, r := range out.Results {
		fmt.Fprintf(stdout, "%s: %s (%d file(s))\n", r.ID, r.Title, len(r.Changes))
	}
	if len(out.Results) == 0 {
		fmt.Fprintln(stdout, "nothing to fix")
	}
	return 0
}

// announceNetwork says, before anything is fetched, which remediations
// will reach the network and where.
func announceNetwork(w io.Writer, selected []string, snap *repo.Snapshot) {
	for _, id := range selected {
		why := fixer.Network(id)
		if why == "" {
			continue
		}
		where := ""
		switch id {
		case pin.PinActions{}.ID():
			api := os.Getenv("GITHUB_API_URL")
			if api == "" {
				api = "https://api.github.com"
			}
			where = " at " + api
		case pin.PinImages{}.ID():
			if hosts := registries(snap); len(hosts) > 0 {
				where = ": " + strings.Join(hosts, ", ")
			}
		}
		fmt.Fprintf(w, "hardener fix: %s %s%s (--offline skips it)\n", id, why, where)
	}
}

// registries lists the container registries the images of a checkout
// live in, for the network notice.
func registries(snap *repo.Snapshot) []string {
	seen := map[string]bool{}
	add := func(image string) {
		image = strings.TrimPrefix(image, "docker://")
		if image == "" || strings.ContainsAny(image, "${} ") || strings.Contains(image, "@") {
			return
		}
		host := "docker.io"
		if first, _, ok := strings.Cut(image, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
			host = first
		}
		seen[host] = true
	}
	for _, f := range checks.Load(snap).Files {
		for _, img := range f.Images {
			add(img.Value.Value)
		}
		if f.Dockerfile != nil {
			for _, fr := range f.Dockerfile.Froms {
				if fr.Skip == "" {
					add(fr.Image.Value)
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// writeFile writes a changed file inside root, keeping an existing file's
// mode. os.Root keeps every write inside the checkout.
func writeFile(root, p string, data []byte) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	mode := os.FileMode(0o644)
	if fi, err := r.Stat(p); err == nil {
		mode = fi.Mode().Perm()
	}
	if d := filepath.Dir(filepath.FromSlash(p)); d != "." {
		if err := r.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return r.WriteFile(filepath.FromSlash(p), data, mode)
}
