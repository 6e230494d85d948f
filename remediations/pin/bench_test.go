package pin

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// fiftyWorkflows is a repository of 50 workflows, each with two jobs and
// eight `uses:` (some repeated, one pinned, one local).
func fiftyWorkflows() map[string][]byte {
	files := map[string][]byte{}
	for i := range 50 {
		var b strings.Builder
		fmt.Fprintf(&b, "name: wf%d\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n", i)
		b.WriteString("  build:\n    runs-on: ubuntu-latest\n    steps:\n")
		b.WriteString("      - uses: actions/checkout@v4\n      - uses: actions/setup-go@v5\n        with:\n          go-version: '1.22'\n")
		b.WriteString("      - run: go test ./...\n      - uses: 'actions/checkout@v3' # tag=v3\n      - uses: ./.github/actions/local\n")
		b.WriteString("  more:\n    runs-on: ubuntu-latest\n    steps:\n")
		b.WriteString("      - uses: actions/checkout@c200000000000000000000000000000000000000\n      - uses: tj-actions/changed-files@v44.0.0\n")
		b.WriteString("      - {uses: actions/checkout@v4.2.2}\n  call:\n    uses: octo/reusable/.github/workflows/build.yml@v1\n")
		files[fmt.Sprintf(".github/workflows/wf%02d.yml", i)] = []byte(b.String())
	}
	return files
}

// BenchmarkPinActions50 fixes a 50-workflow repository with a warm
// resolver cache: parsing, planning, splicing and re-parsing every file.
func BenchmarkPinActions50(b *testing.B) {
	gh := universe(b)
	files := fiftyWorkflows()
	warm := newEnv(files, gh)
	if _, err := (PinActions{}).Apply(context.Background(), warm); err != nil {
		b.Fatal(err)
	}
	cold := len(gh.requests())
	b.ReportAllocs()
	for b.Loop() {
		env := newEnv(files, nil)
		env.Resolver = warm.Resolver
		res, err := PinActions{}.Apply(context.Background(), env)
		if err != nil || len(res.Changes) != 50 {
			b.Fatalf("err %v, %d changes", err, len(res.Changes))
		}
	}
	if n := len(gh.requests()); n != cold {
		b.Fatalf("warm runs made %d requests", n-cold)
	}
}
