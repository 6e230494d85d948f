package intake

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// filler is a request body of n bytes that costs the sender no memory.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return int(k), nil
}

// heapPeak samples the heap until stop is called and returns the largest
// HeapInuse seen and the bytes allocated meanwhile.
func heapPeak() (stop func() (peakInuse, allocated uint64)) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, startAlloc := ms.HeapInuse, ms.TotalAlloc
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		runtime.ReadMemStats(&ms)
		return peak.Load(), ms.TotalAlloc - startAlloc
	}
}

// TestHostileUnauthenticatedMemory: 40 concurrent 25 MB deliveries with a
// well-formed but wrong signature, over a real connection. None is
// queued, each is answered 401 (read and refused) or 503 (not read: the
// body budget was in use for longer than a delivery may wait), and the
// heap stays under maxHeap. Before the body budget this reached 1.5 GB.
//
// Not parallel: it measures the process's heap.
func TestHostileUnauthenticatedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1 GB over loopback")
	}
	const (
		requests = 40
		size     = MaxPayloadBytes
		maxHeap  = 160 << 20
	)
	q := &fakeEnqueuer{}
	srv := httptest.NewServer(NewMux(NewHandler(testSecret, q, nil)))
	defer srv.Close()
	wrong := Sign([]byte("not the secret"), []byte("anything"))

	stop := heapPeak()
	codes := make([]int, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, srv.URL+WebhookPath, &filler{n: size})
			if err != nil {
				t.Error(err)
				return
			}
			req.ContentLength = size
			req.Header.Set("X-GitHub-Event", "push")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprint("flood-", i))
			req.Header.Set("X-Hub-Signature-256", wrong)
			resp, err := srv.Client().Do(req)
			if err != nil {
				// The server may answer 503 and close before the whole
				// body is sent.
				codes[i] = -1
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	peak, allocated := stop()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	t.Logf("%d × %d MB bad-signature deliveries: answers %v; peak HeapInuse %d MB, allocated %d MB",
		requests, size>>20, count, peak>>20, allocated>>20)
	for c := range count {
		if c != http.StatusUnauthorized && c != http.StatusServiceUnavailable && c != -1 {
			t.Errorf("answer %d, want 401 or 503", c)
		}
	}
	if count[http.StatusUnauthorized] == 0 {
		t.Errorf("no delivery was read and refused")
	}
	if q.calls != 0 {
		t.Errorf("enqueuer called %d times", q.calls)
	}
	if peak > maxHeap {
		t.Errorf("peak HeapInuse %d MB, want under %d MB", peak>>20, maxHeap>>20)
	}
}

// countingBody records whether the handler read it.
type countingBody struct {
	read atomic.Int64
	r    io.Reader
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error { return nil }

// TestHostileSignatureBeforeBody: a delivery without a well-formed
// X-Hub-Signature-256 is refused with 401 before one byte of its body is
// read.
func TestHostileSignatureBeforeBody(t *testing.T) {
	t.Parallel()
	for name, sig := range map[string]string{
		"missing":   "",
		"sha1":      "sha1=" + strings.Repeat("a", 40),
		"short":     "sha256=" + strings.Repeat("a", 63),
		"not hex":   "sha256=" + strings.Repeat("g", 64),
		"no prefix": strings.Repeat("a", 64),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := &countingBody{r: &filler{n: 1 << 20}}
			req := httptest.NewRequest(http.MethodPost, WebhookPath, nil)
			req.Body, req.ContentLength = body, 1<<20
			req.Header.Set("X-GitHub-Event", "push")
			if sig != "" {
				req.Header.Set("X-Hub-Signature-256", sig)
			}
			rec := httptest.NewRecorder()
			NewHandler(testSecret, &fakeEnqueuer{}, nil).ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", rec.Code)
			}
			if n := body.read.Load(); n != 0 {
				t.Errorf("read %d bytes of the body before refusing it", n)
			}
		})
	}
}

// TestHostileSlowFloodKeepsSmallDeliveries: large bodies trickled in hold
// the large share of the body budget. Another large request is answered
// 503 without being read once it has waited its turn, and a small genuine
// delivery is still read and queued meanwhile.
func TestHostileSlowFloodKeepsSmallDeliveries(t *testing.T) {
	t.Parallel()
	q := &fakeEnqueuer{}
	h := NewHandler(testSecret, q, nil)
	h.budget.wait = 50 * time.Millisecond
	srv := httptest.NewServer(NewMux(h))
	defer srv.Close()
	wrong := Sign([]byte("not the secret"), []byte("anything"))
	post := func(body io.Reader, n int64, sig string) (int, error) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+WebhookPath, body)
		if err != nil {
			return 0, err
		}
		req.ContentLength = n
		req.Header.Set("X-GitHub-Event", "check_suite")
		req.Header.Set("X-Hub-Signature-256", sig)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	// The slow sender: 25 MB declared, a few bytes sent, then it stalls.
	pr, pw := io.Pipe()
	slow := make(chan int, 1)
	go func() {
		code, _ := post(pr, MaxPayloadBytes, wrong)
		slow <- code
	}()
	if _, err := pw.Write([]byte("{")); err != nil { // read has begun
		t.Fatal(err)
	}

	// The server may close the connection before the client has sent the
	// whole body, which the client sees as an error.
	code, err := post(&filler{n: MaxPayloadBytes}, MaxPayloadBytes, wrong)
	if err == nil && code != http.StatusServiceUnavailable {
		t.Errorf("second large request: status %d, want 503", code)
	}

	small := []byte(`{"action":"requested","installation":{"id":1},"repository":{"id":2,"name":"r","owner":{"login":"o"}},"check_suite":{"head_sha":"abc"}}`)
	if code, err := post(strings.NewReader(string(small)), int64(len(small)), Sign(testSecret, small)); err != nil || code != http.StatusAccepted {
		t.Errorf("small delivery during the flood: status %d, %v; want 202", code, err)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if code := <-slow; code == http.StatusAccepted {
		t.Errorf("slow sender: status %d", code)
	}
	if len(q.jobs) != 1 {
		t.Errorf("queued %d jobs, want 1", len(q.jobs))
	}
}
