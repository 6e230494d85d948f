package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// longNames is a gzip tarball of n empty files, each named with about
// nameLen bytes (components of 250 bytes), the way an attacker inflates an
// archive that compresses to almost nothing.
func longNames(t testing.TB, n, nameLen int) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	seg := strings.Repeat("a", 250)
	var dir []string
	for len(strings.Join(dir, "/")) < nameLen-20 {
		dir = append(dir, seg)
	}
	prefix := "o-r-1234567/" + strings.Join(dir, "/") + "/"
	for i := range n {
		h := &tar.Header{Name: fmt.Sprintf("%sf%07d", prefix, i), Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// peakHeap runs f and returns the largest heap seen while it ran (sampled
// every millisecond) above the heap before it.
func peakHeap(f func()) (peak uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
			metrics.Read(s)
			mu.Lock()
			peak = max(peak, s[0].Value.Uint64())
			mu.Unlock()
		}
	}()
	f()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	if peak < before {
		return 0
	}
	return peak - before
}

// Empty files with 4 KB names: names count against the byte budget, so
// the archive is refused before its names fill the memory (here 10,000
// files against a 20 MB budget; BenchmarkArchiveNames runs the full attack
// of 100,000 against the default 200 MB).
func TestHostileArchiveNames(t *testing.T) {
	data := longNames(t, 10_000, 4000)
	var err error
	var tr *Tree
	const budget = 20 << 20
	peak := peakHeap(func() { tr, err = extractTarball(bytes.NewReader(data), Limits{MaxBytes: budget}) })
	t.Logf("10,000 files with 4 KB names (%d KB compressed), 20 MB budget: peak heap %d MB, err = %v", len(data)>>10, peak>>20, err)
	var ae *ArchiveError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "bytes") || tr != nil {
		t.Fatalf("err = %v, want the archive refused over the byte budget", err)
	}
	if peak > 2*budget {
		t.Errorf("peak heap %d MB, want below twice the budget", peak>>20)
	}
}

// Names longer than Linux allows refuse the archive.
func TestHostileArchiveNameCaps(t *testing.T) {
	t.Parallel()
	for name, entryName := range map[string]string{
		"component": "o-r-1234567/" + strings.Repeat("c", 256),
		"path":      "o-r-1234567/" + strings.Repeat(strings.Repeat("p", 200)+"/", 21) + "f",
	} {
		_, err := extractTarball(bytes.NewReader(tarball(t, entry{name: entryName, data: "x"})), Limits{})
		var ae *ArchiveError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "longer than") {
			t.Errorf("%s: err = %v, want refused as too long", name, err)
		}
	}
	if _, err := extractTarball(bytes.NewReader(tarball(t, entry{name: "o-r-1234567/" + strings.Repeat("c", 255), data: "x"})), Limits{}); err != nil {
		t.Errorf("a 255-byte name refused: %v", err)
	}
}

// BenchmarkArchiveNames is the attack at full size: 100,000 empty files
// with 4 KB names, default limits. It reports the peak heap of one
// extraction (peak-MB) and whether it was refused.
func BenchmarkArchiveNames(b *testing.B) {
	data := longNames(b, 100_000, 4000)
	b.ResetTimer()
	for range b.N {
		var err error
		peak := peakHeap(func() { _, err = extractTarball(bytes.NewReader(data), Limits{}) })
		b.ReportMetric(float64(peak>>20), "peak-MB")
		if err == nil {
			b.ReportMetric(0, "refused")
		} else {
			b.ReportMetric(1, "refused")
		}
	}
}
