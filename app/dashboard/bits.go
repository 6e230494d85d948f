package dashboard

import (
	"errors"
	"math/bits"
	"strings"
)

// Repository IDs, sorted, are written as Golomb-Rice codes of their gaps:
// near the entropy of evenly spread IDs, where varints waste a few bits
// each (the IDs are most of the state block).

type bitWriter struct {
	buf  []byte
	nbit uint
}

func (w *bitWriter) bit(b bool) {
	if w.nbit%8 == 0 {
		w.buf = append(w.buf, 0)
	}
	if b {
		w.buf[len(w.buf)-1] |= 1 << (7 - w.nbit%8)
	}
	w.nbit++
}

func (w *bitWriter) bitsOf(v uint64, n uint) {
	for i := n; i > 0; i-- {
		w.bit(v>>(i-1)&1 == 1)
	}
}

type bitReader struct {
	buf  []byte
	nbit uint
}

var errBits = errors.New("bit stream ends early")

func (r *bitReader) bit() (bool, error) {
	if r.nbit/8 >= uint(len(r.buf)) {
		return false, errBits
	}
	b := r.buf[r.nbit/8]>>(7-r.nbit%8)&1 == 1
	r.nbit++
	return b, nil
}

// riceParam picks k for gaps averaging mean.
func riceParam(sum uint64, n int) uint {
	if n == 0 || sum/uint64(n) == 0 {
		return 0
	}
	return uint(bits.Len64(sum/uint64(n))) - 1
}

// encodeGaps writes gaps as Rice codes with parameter k.
func encodeGaps(gaps []uint64, k uint) []byte {
	w := &bitWriter{}
	for _, g := range gaps {
		for q := g >> k; q > 0; q-- {
			w.bit(true)
		}
		w.bit(false)
		w.bitsOf(g, k)
	}
	return w.buf
}

// decodeGaps reads n Rice codes; a quotient over maxQ is damage.
func decodeGaps(buf []byte, n int, k uint, maxQ uint64) ([]uint64, error) {
	r := &bitReader{buf: buf}
	out := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		var q uint64
		for {
			b, err := r.bit()
			if err != nil {
				return nil, err
			}
			if !b {
				break
			}
			if q++; q > maxQ {
				return nil, errBits
			}
		}
		v := q << k
		for j := k; j > 0; j-- {
			b, err := r.bit()
			if err != nil {
				return nil, err
			}
			if b {
				v |= 1 << (j - 1)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// The state block is text inside an HTML comment, so its alphabet has no
// '-' or '>' (which could close the comment) and nothing Markdown or HTML
// reads specially: 85 printable characters, four bytes in five of them.
const b85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%()*+,./:;=?@[]^_{}~"

var b85Index = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(b85); i++ {
		t[b85[i]] = int8(i)
	}
	return t
}()

// encode85 writes b, padded to whole groups of four; the length travels
// in the data itself.
func encode85(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 4 {
		var v uint32
		for j := 0; j < 4; j++ {
			v <<= 8
			if i+j < len(b) {
				v |= uint32(b[i+j])
			}
		}
		var chunk [5]byte
		for j := 4; j >= 0; j-- {
			chunk[j] = b85[v%85]
			v /= 85
		}
		s.Write(chunk[:])
	}
	return s.String()
}

func decode85(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, errors.New("base85 text is not whole groups")
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for j := 0; j < 5; j++ {
			d := b85Index[s[i+j]]
			if d < 0 {
				return nil, errors.New("not base85")
			}
			v = v*85 + uint64(d)
		}
		if v > 1<<32-1 {
			return nil, errors.New("base85 group out of range")
		}
		out = append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return out, nil
}
