package dashboard

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"regexp"
	"sort"
	"time"
)

// saved is what the hidden state block keeps between runs.
type saved struct {
	// Watermark is the newest pushed_at of the last run's listing: a
	// repository pushed after it has changed since (GitHub's clock only).
	Watermark time.Time
	// OrgConfig identifies the organisation file's content (the start of
	// its blob SHA): when it changes, every row is read again.
	OrgConfig uint64
	// Updated is when the body last changed.
	Updated time.Time
	// History is the rollout at each write, oldest first.
	History []point
	Rows    map[int64]*Status
}

// point is the rollout at one moment: repositories with a result, of all.
type point struct {
	At          time.Time
	Done, Total int
}

const (
	stateVersion = 1
	maxHistory   = 24
	maxRows      = 200_000
	maxInflated  = 8 << 20
	// MaxStateChars bounds the state block; an organisation whose rows do
	// not fit loses the least important rows' memory (they are read again
	// in later runs) rather than the body's room for people.
	MaxStateChars = 36_000
)

var stateRe = regexp.MustCompile(`<!-- hardener:dashboard-state v1 ([0-9A-Za-z!#$%()*+,./:;=?@\[\]^_{}~]*) -->`)

// row flags, after the state's three bits.
const (
	flagPrivate  = 1 << 3
	flagRecheck  = 1 << 4
	flagDetail   = 1 << 5
	flagFindings = 1 << 6
	flagScores   = 1 << 7
)

// encodeState writes s as a block, with PR, check run and message for the
// rows detailed says (the rows shown with links). Rows beyond limit
// characters are dropped, the least important first; dropped is how many.
func encodeState(s *saved, detailed func(*Status) bool, limit int) (block string, dropped int) {
	rows := make([]*Status, 0, len(s.Rows))
	for _, r := range s.Rows {
		rows = append(rows, r)
	}
	// The least important rows are the last to be kept.
	sort.Slice(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	keep := len(rows)
	block = encodeRows(s, rows, detailed)
	if len(block) <= limit {
		return block, 0
	}
	lo, hi := 0, keep // largest kept count that fits
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(encodeRows(s, rows[:mid], detailed)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return encodeRows(s, rows[:lo], detailed), keep - lo
}

func encodeRows(s *saved, rows []*Status, detailed func(*Status) bool) string {
	byID := append([]*Status(nil), rows...)
	sort.Slice(byID, func(i, j int) bool { return byID[i].ID < byID[j].ID })
	b := []byte{stateVersion}
	b = binary.AppendVarint(b, s.Watermark.Unix())
	b = binary.AppendUvarint(b, s.OrgConfig)
	b = binary.AppendVarint(b, s.Updated.Unix())
	hist := s.History
	if len(hist) > maxHistory {
		hist = hist[len(hist)-maxHistory:]
	}
	b = binary.AppendUvarint(b, uint64(len(hist)))
	for _, p := range hist {
		b = binary.AppendVarint(b, s.Updated.Unix()-p.At.Unix())
		b = binary.AppendUvarint(b, uint64(p.Done))
		b = binary.AppendUvarint(b, uint64(p.Total))
	}
	// Columns rather than rows: like values side by side compress better.
	b = binary.AppendUvarint(b, uint64(len(byID)))
	gaps := make([]uint64, len(byID))
	var prev, sum uint64
	for i, r := range byID {
		gaps[i] = uint64(r.ID) - prev
		prev = uint64(r.ID)
		sum += gaps[i]
	}
	k := riceParam(sum, len(gaps))
	ids := encodeGaps(gaps, k)
	b = append(b, byte(k))
	b = binary.AppendUvarint(b, uint64(len(ids)))
	b = append(b, ids...)
	flags := make([]byte, len(byID))
	for i, r := range byID {
		flags[i] = rowFlags(r, detailed(r))
	}
	b = append(b, flags...)
	for i, r := range byID {
		if flags[i]&flagFindings != 0 {
			b = binary.AppendUvarint(b, uint64(r.High))
			b = binary.AppendUvarint(b, uint64(r.Medium))
			b = binary.AppendUvarint(b, uint64(r.Low))
		}
	}
	for i, r := range byID {
		if flags[i]&flagScores != 0 {
			b = append(b, scoreByte(r.Before))
		}
	}
	// After as the change from before: mostly none.
	for i, r := range byID {
		if flags[i]&flagScores != 0 {
			b = binary.AppendVarint(b, int64(scoreByte(r.After))-int64(scoreByte(r.Before)))
		}
	}
	for i, r := range byID {
		if flags[i]&flagDetail != 0 {
			msg := truncate(r.Message, maxMessage)
			b = binary.AppendUvarint(b, uint64(r.PR))
			b = binary.AppendUvarint(b, uint64(r.CheckRun))
			b = binary.AppendUvarint(b, uint64(len(msg)))
			b = append(b, msg...)
		}
	}
	var z bytes.Buffer
	w := newFlate(&z)
	w.Write(b)
	w.Close()
	return "<!-- hardener:dashboard-state v1 " + encode85(z.Bytes()) + " -->"
}

func rowFlags(r *Status, detailed bool) byte {
	flags := byte(r.State)
	if r.Private {
		flags |= flagPrivate
	}
	if r.Recheck {
		flags |= flagRecheck
	}
	if detailed && (r.PR != 0 || r.CheckRun != 0 || r.Message != "") {
		flags |= flagDetail
	}
	if r.Findings != (Findings{}) {
		flags |= flagFindings
	}
	if r.Before != NoScore || r.After != NoScore {
		flags |= flagScores
	}
	return flags
}

// scoreByte is 0–100, or 101 for NoScore.
func scoreByte(s Score) byte {
	if s < 0 || s > 100 {
		return 101
	}
	return byte(s)
}

func byteScore(b byte) Score {
	if b > 100 {
		return NoScore
	}
	return Score(b)
}

var errState = errors.New("dashboard state block is damaged")

// decodeState reads the state block out of an issue body. Anyone who may
// edit the issue may edit the block, so it is read within bounds: its
// size, the inflated size, the number of rows and each message; a block
// that breaks them is ignored (every row is then read again).
func decodeState(body string) (*saved, error) {
	s := &saved{Rows: map[int64]*Status{}}
	m := stateRe.FindStringSubmatch(body)
	if m == nil {
		return s, nil
	}
	if len(m[1]) > 4*MaxStateChars {
		return s, errState
	}
	z, err := decode85(m[1])
	if err != nil {
		return s, errState
	}
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), maxInflated+1))
	if err != nil || len(raw) > maxInflated {
		return s, errState
	}
	out, err := parseState(raw)
	if err != nil {
		return s, err
	}
	return out, nil
}

func parseState(raw []byte) (*saved, error) {
	r := bytes.NewReader(raw)
	s := &saved{Rows: map[int64]*Status{}}
	if v, err := r.ReadByte(); err != nil || v != stateVersion {
		return s, errState
	}
	var bad bool
	vint := func() int64 {
		v, err := binary.ReadVarint(r)
		bad = bad || err != nil
		return v
	}
	uvar := func(limit uint64) uint64 {
		v, err := binary.ReadUvarint(r)
		if err != nil || v > limit {
			bad = true
			return 0
		}
		return v
	}
	readByte := func() byte {
		c, err := r.ReadByte()
		bad = bad || err != nil
		return c
	}
	s.Watermark = time.Unix(vint(), 0).UTC()
	s.OrgConfig = uvar(1<<64 - 1)
	s.Updated = time.Unix(vint(), 0).UTC()
	n := uvar(maxHistory)
	for i := uint64(0); i < n && !bad; i++ {
		at := s.Updated.Add(-time.Duration(vint()) * time.Second)
		s.History = append(s.History, point{At: at, Done: int(uvar(maxRows)), Total: int(uvar(maxRows))})
	}
	n = uvar(maxRows)
	if bad || n > uint64(r.Len()) {
		return &saved{Rows: map[int64]*Status{}}, errState
	}
	k := uint(readByte())
	idBytes := make([]byte, uvar(uint64(r.Len())))
	if _, err := io.ReadFull(r, idBytes); err != nil || k > 62 {
		bad = true
	}
	gaps, err := decodeGaps(idBytes, int(n), k, 1<<24)
	if bad || err != nil {
		return &saved{Rows: map[int64]*Status{}}, errState
	}
	rows := make([]*Status, n)
	var id int64
	for i := range rows {
		id += int64(gaps[i])
		if gaps[i] > 1<<62 || id <= 0 && i > 0 {
			return &saved{Rows: map[int64]*Status{}}, errState
		}
		rows[i] = &Status{ID: id, Before: NoScore, After: NoScore}
	}
	flags := make([]byte, n)
	if _, err := io.ReadFull(r, flags); err != nil {
		bad = true
	}
	for i, st := range rows {
		st.State, st.Private, st.Recheck = State(flags[i]&7), flags[i]&flagPrivate != 0, flags[i]&flagRecheck != 0
		if flags[i]&flagFindings != 0 {
			st.High, st.Medium, st.Low = int(uvar(1<<20)), int(uvar(1<<20)), int(uvar(1<<20))
		}
	}
	for i, st := range rows {
		if flags[i]&flagScores != 0 {
			st.Before = byteScore(readByte())
		}
	}
	for i, st := range rows {
		if flags[i]&flagScores != 0 {
			d := vint()
			if d < -101 || d > 101 {
				bad = true
				continue
			}
			st.After = byteScore(byte(int64(scoreByte(st.Before)) + d))
		}
	}
	for i, st := range rows {
		if flags[i]&flagDetail != 0 && !bad {
			st.PR = int(uvar(1 << 31))
			st.CheckRun = int64(uvar(1 << 62))
			msg := make([]byte, uvar(uint64(maxMessage+len("…"))))
			if _, err := io.ReadFull(r, msg); err != nil {
				bad = true
			}
			st.Message = string(msg)
		}
		s.Rows[st.ID] = st
	}
	if bad || r.Len() != 0 {
		return &saved{Rows: map[int64]*Status{}}, errState
	}
	return s, nil
}

func newFlate(w io.Writer) *flate.Writer {
	fw, _ := flate.NewWriter(w, flate.BestCompression)
	return fw
}
