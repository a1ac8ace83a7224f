package model

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/manifest"
)

// The API types' decoders read JSON that meshlint made from the user's YAML,
// so their errors name a place in that JSON: protojson a line and column,
// encoding/json (sigs.k8s.io/json) a byte offset and a dotted field path
// without list indices. jsonSpans lists every value of the JSON with its
// field path, so that such a place becomes the YAML field the user wrote.

// jsonSpan is one value of a JSON text: its field path (manifest syntax,
// relative to the JSON's root), the same path with keys only (encoding/json's
// UnmarshalTypeError.Field), and the byte offsets of its first byte and just
// past its last.
type jsonSpan struct {
	path, loose string
	start, end  int64
	depth       int
}

// jsonSpans lists the values of data, outer values before inner ones. It
// returns nil when data is not JSON (it always is: meshlint encoded it).
func jsonSpans(data []byte) []jsonSpan {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var spans []jsonSpan
	var walk func(path, loose string, depth int) bool
	walk = func(path, loose string, depth int) bool {
		start := skipJSONSeparators(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		i := len(spans)
		spans = append(spans, jsonSpan{path: path, loose: loose, start: start, depth: depth})
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				key, ok := k.(string)
				if err != nil || !ok {
					return false
				}
				if !walk(manifest.JoinKey(path, key), joinLoose(loose, key), depth+1) {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		case json.Delim('['):
			for n := 0; dec.More(); n++ {
				if !walk(manifest.JoinIndex(path, n), loose, depth+1) {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		spans[i].end = dec.InputOffset()
		return true
	}
	if !walk("", "", 0) {
		return nil
	}
	return spans
}

func joinLoose(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// skipJSONSeparators moves off past what json.Decoder reads between tokens.
func skipJSONSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// innermostAt is the path of the deepest value whose text holds off (its
// end included: encoding/json reports the offset just past a value).
func innermostAt(spans []jsonSpan, off int64) (string, bool) {
	best := -1
	for i, s := range spans {
		if s.start <= off && off <= s.end && (best < 0 || s.depth > spans[best].depth) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return spans[best].path, true
}

// typeErrorPath is the path of the value an encoding/json UnmarshalTypeError
// names: of the values at its field path (one per list item) whose JSON kind
// is the one it names ("string", "number 3.5", "array"), the one that holds
// its offset, else the first. The offset of a list or object is just inside
// it, of a scalar just past it; an error a type's own UnmarshalJSON returns
// (IntOrString) has an offset into that value alone, hence the fallback.
func typeErrorPath(data []byte, field, value string, off int64) (string, bool) {
	kind, _, _ := strings.Cut(value, " ")
	first := ""
	for _, s := range jsonSpans(data) {
		if s.loose != field || jsonKind(data, s.start) != kind {
			continue
		}
		if s.start <= off && off <= s.end {
			return s.path, true
		}
		if first == "" {
			first = s.path
		}
	}
	return first, first != ""
}

// jsonKind names the kind of the value starting at off as encoding/json's
// UnmarshalTypeError.Value does.
func jsonKind(data []byte, off int64) string {
	if off >= int64(len(data)) {
		return ""
	}
	switch data[off] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// protoPosition matches the place protojson's errors name ("(line 1:57)").
var protoPosition = regexp.MustCompile(`\(line (\d+):(\d+)\)`)

// protoErrorPath is the path of the value a protojson error points at.
func protoErrorPath(data []byte, err error) (string, bool) {
	m := protoPosition.FindStringSubmatch(err.Error())
	if m == nil {
		return "", false
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off, ok := offsetOf(data, line, col)
	if !ok {
		return "", false
	}
	return innermostAt(jsonSpans(data), off)
}

// offsetOf turns protojson's line and column (1-based; the column counts
// runes) into a byte offset of data.
func offsetOf(data []byte, line, col int) (int64, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(data) || data[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return int64(off), true
}

// underPath joins a path relative to a field's JSON to the field's path.
func underPath(path, rel string) string {
	switch {
	case rel == "":
		return path
	case path == "" || strings.HasPrefix(rel, "["):
		return path + rel
	}
	return path + "." + rel
}
