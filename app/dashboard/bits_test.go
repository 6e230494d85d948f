package dashboard

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

func TestRiceRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(9))
	gaps := []uint64{0, 1, 2, 1 << 20, 7}
	for i := 0; i < 500; i++ {
		gaps = append(gaps, uint64(r.Int63n(400_000)))
	}
	var sum uint64
	for _, g := range gaps {
		sum += g
	}
	k := riceParam(sum, len(gaps))
	got, err := decodeGaps(encodeGaps(gaps, k), len(gaps), k, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range gaps {
		if got[i] != gaps[i] {
			t.Fatalf("gap %d: %d, want %d", i, got[i], gaps[i])
		}
	}
	if _, err := decodeGaps([]byte{0xff, 0xff}, 1, 0, 100); err == nil {
		t.Error("a stream that ends inside a code decoded")
	}
}

func TestBase85(t *testing.T) {
	t.Parallel()
	if strings.ContainsAny(b85, "-><&\"'`\\| \n") || len(b85) != 85 {
		t.Fatalf("alphabet %q (%d)", b85, len(b85))
	}
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 3, 4, 5, 1000} {
		b := make([]byte, n)
		r.Read(b)
		s := encode85(b)
		got, err := decode85(s)
		if err != nil || !bytes.Equal(got[:n], b) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
	for _, bad := range []string{"abcd", "ab-de", "~~~~~"} {
		if _, err := decode85(bad); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
}
