package workflow

import (
	"strings"
)

// ParseDockerfile finds the FROM instructions of a Dockerfile, following
// line continuations and the `# escape=` parser directive.
func ParseDockerfile(path string, src []byte) (*File, error) {
	s := NewSource(src)
	f := &File{Path: path, Kind: KindDockerfile, Source: s, Dockerfile: &Dockerfile{}}
	escape := byte('\\')
	stages := map[string]bool{}
	directives := true
	for n := 1; n <= s.Lines(); n++ {
		start := s.LineStart(n)
		line := s.Line(n)
		trimmed := strings.TrimSpace(line)
		if directives && strings.HasPrefix(trimmed, "#") {
			k, v, ok := strings.Cut(strings.TrimSpace(trimmed[1:]), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "escape") && len(strings.TrimSpace(v)) == 1 {
				escape = strings.TrimSpace(v)[0]
			}
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		directives = false
		// Join continuation lines, remembering each byte's offset in src.
		logical := line
		where := make([]int, 0, len(line))
		for k := range len(line) {
			where = append(where, start+k)
		}
		for strings.HasSuffix(strings.TrimRight(logical, " \t"), string(escape)) && n < s.Lines() {
			cut := len(strings.TrimRight(logical, " \t")) - 1
			logical, where = logical[:cut]+" ", append(where[:cut], where[cut])
			// Docker drops comment lines and empty lines inside a
			// continuation: the instruction goes on with the next real line.
			for n < s.Lines() {
				n++
				next := s.Line(n)
				if t := strings.TrimSpace(next); t == "" || strings.HasPrefix(t, "#") {
					continue
				}
				logical += next
				for k := range len(next) {
					where = append(where, s.LineStart(n)+k)
				}
				break
			}
		}
		fields, offs := fieldsWithOffsets(logical)
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		i := 1
		for i < len(fields) && strings.HasPrefix(fields[i], "--") {
			i++
		}
		if i >= len(fields) {
			continue
		}
		img := fields[i]
		stage := ""
		if i+2 < len(fields) && strings.EqualFold(fields[i+1], "AS") {
			stage = strings.ToLower(fields[i+2])
		}
		byteOff := where[offs[i]]
		l, c := s.Position(byteOff)
		from := From{
			Image: Value{Value: img, Line: l, Column: c, Start: byteOff, End: byteOff + len(img),
				ContentStart: byteOff, ContentEnd: byteOff + len(img)},
			Stage: stage,
		}
		switch {
		case strings.EqualFold(img, "scratch"):
			from.Skip = "scratch"
		case stages[strings.ToLower(img)]:
			from.Skip = "stage"
		case strings.Contains(img, "$"):
			from.Skip = "arg"
		}
		if stage != "" {
			stages[stage] = true
		}
		f.Dockerfile.Froms = append(f.Dockerfile.Froms, from)
	}
	return f, nil
}

// fieldsWithOffsets splits on blanks and returns each field's byte offset.
func fieldsWithOffsets(s string) ([]string, []int) {
	var fields []string
	var offs []int
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		fields = append(fields, s[i:j])
		offs = append(offs, i)
		i = j
	}
	return fields, offs
}
