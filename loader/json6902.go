package loader

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/manifest"
)

// JSON 6902 operations apply one after another, each to the document the
// ones before it left, while meshlint sees only the built resource, after
// all of them. An operation's path names a place in its own step: later
// operations that insert into or remove from a list move what it wrote (and
// what the resource's file had) to other indices, and later replace, remove
// or add operations over it overwrite it. So each path is carried forward
// through the operations after it to the place it has in the built resource
// (RFC 6902, section 4; kustomize applies patches in the order listed).

// jsonOp is one operation, as applied to one built resource.
type jsonOp struct {
	op    string
	path  []string // segments, unescaped; "-" as written
	from  []string // of move and copy
	value *manifest.Node
	file  string
	list  bool     // path's parent is a list
	final []string // path in the built resource; nil: overwritten later
}

// parseOps reads a patch's operations; file is where they are written.
func parseOps(ops *manifest.Node, file string) []*jsonOp {
	var out []*jsonOp
	for _, op := range ops.Content() {
		path, ok := splitPointer(manifest.ScalarString(manifest.MapGet(op, "path")))
		if !ok {
			continue
		}
		from, _ := splitPointer(manifest.ScalarString(manifest.MapGet(op, "from")))
		out = append(out, &jsonOp{
			op:    manifest.ScalarString(manifest.MapGet(op, "op")),
			path:  path,
			from:  from,
			value: manifest.MapGet(op, "value"),
			file:  file,
		})
	}
	return out
}

func splitPointer(ptr string) ([]string, bool) {
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	segs := strings.Split(ptr[1:], "/")
	for i, s := range segs {
		segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return segs, true
}

// resolveOps finds where each operation's path is in built: the operations
// from the last, each carried forward through those after it. An append's
// "-" becomes the index the item got: the list's length before it.
func resolveOps(built *manifest.Node, ops []*jsonOp) {
	for k := len(ops) - 1; k >= 0; k-- {
		op := ops[k]
		if len(op.path) == 0 {
			continue
		}
		p := append([]string(nil), op.path...)
		last := len(p) - 1
		// Whether the path's parent is a list: the parent as it is in
		// built, found by carrying it forward (what the operation wrote may
		// be gone, its parent rarely is); an index when it is not there.
		op.list = p[last] == "-"
		if !op.list {
			if at, ok := forwardAll(p[:last], ops[k+1:]); ok {
				_, parent := resolvePointer(built, at)
				op.list = parent != nil && parent.Kind == manifest.SequenceNode
			} else {
				op.list = isIndex(p[last])
			}
		}
		if p[last] == "-" {
			n := lengthBefore(built, ops, k, p[:last])
			if n < 0 {
				continue
			}
			p[last] = strconv.Itoa(n)
		}
		if final, ok := forwardAll(p, ops[k+1:]); ok {
			op.final = final
		}
	}
}

// lengthBefore is the length of the list at path just before operation k:
// its length in built, less the items later operations added to it, plus
// those they removed; -1 when unknown.
func lengthBefore(built *manifest.Node, ops []*jsonOp, k int, path []string) int {
	// at[j] is the list's path just before operation k+j.
	at := [][]string{path}
	cur := path
	for _, q := range ops[k:] {
		var ok bool
		if cur, ok = q.forward(cur); !ok {
			return -1
		}
		at = append(at, cur)
	}
	_, list := resolvePointer(built, cur)
	if list == nil || list.Kind != manifest.SequenceNode {
		return -1
	}
	n := len(list.Content())
	for j := len(ops) - 1; j >= k; j-- {
		q, before := ops[j], at[j-k]
		if !q.list || len(q.path) == 0 {
			continue
		}
		switch parent := q.path[:len(q.path)-1]; {
		case (q.op == "add" || q.op == "copy" || q.op == "move") && equalPath(parent, before):
			n--
		case q.op == "remove" && equalPath(parent, before):
			n++
		}
	}
	return n
}

// forward carries p, a path in the document before q, to the document after
// it; false when q overwrites or removes what is there.
func (q *jsonOp) forward(p []string) ([]string, bool) {
	switch q.op {
	case "add", "copy":
		return shiftAdd(p, q.path, q.list)
	case "remove":
		return shiftRemove(p, q.path, q.list)
	case "replace":
		return p, !hasPrefix(p, q.path)
	case "move":
		if hasPrefix(p, q.from) {
			return append(append([]string(nil), q.path...), p[len(q.from):]...), true
		}
		fromList := len(q.from) > 0 && isIndex(q.from[len(q.from)-1])
		p, ok := shiftRemove(p, q.from, fromList)
		if !ok {
			return nil, false
		}
		return shiftAdd(p, q.path, q.list)
	}
	return p, true
}

// shiftAdd: an add into a list moves the items from its index on by one;
// an add of a key overwrites.
func shiftAdd(p, at []string, list bool) ([]string, bool) {
	if !list {
		return p, !hasPrefix(p, at)
	}
	parent, seg := at[:len(at)-1], at[len(at)-1]
	if len(p) <= len(parent) || !hasPrefix(p, parent) {
		return p, true
	}
	j, err := strconv.Atoi(p[len(parent)])
	if err != nil {
		return p, true
	}
	// An append ("-") moves nothing.
	if i, err := strconv.Atoi(seg); err != nil || j < i {
		return p, true
	}
	return withSegment(p, len(parent), j+1), true
}

// shiftRemove: what is under the removed path is gone; items after a
// removed list item move back by one.
func shiftRemove(p, at []string, list bool) ([]string, bool) {
	if hasPrefix(p, at) {
		return nil, false
	}
	if !list {
		return p, true
	}
	parent := at[:len(at)-1]
	if len(p) <= len(parent) || !hasPrefix(p, parent) {
		return p, true
	}
	i, err1 := strconv.Atoi(at[len(at)-1])
	j, err2 := strconv.Atoi(p[len(parent)])
	if err1 != nil || err2 != nil || j <= i {
		return p, true
	}
	return withSegment(p, len(parent), j-1), true
}

func withSegment(p []string, at, index int) []string {
	out := append([]string(nil), p...)
	out[at] = strconv.Itoa(index)
	return out
}

func hasPrefix(p, prefix []string) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i, s := range prefix {
		if p[i] != s {
			return false
		}
	}
	return true
}

func isIndex(seg string) bool {
	_, err := strconv.Atoi(seg)
	return err == nil || seg == "-"
}

// resolvePointer finds the node at segs in root and, in a mapping, its key
// ("-": a list's last item).
func resolvePointer(root *manifest.Node, segs []string) (key, node *manifest.Node) {
	node = root
	for _, seg := range segs {
		if node == nil {
			return nil, nil
		}
		switch node.Kind {
		case manifest.MappingNode:
			key, node = mapPair(node, seg)
		case manifest.SequenceNode:
			i, err := strconv.Atoi(seg)
			if seg == "-" {
				i, err = len(node.Content())-1, nil
			}
			if err != nil || i < 0 || i >= len(node.Content()) {
				return nil, nil
			}
			key, node = nil, node.Content()[i]
		default:
			return nil, nil
		}
	}
	return key, node
}

// json6902 lays one operation over built: what add and replace write is
// located at their value, at the place the operation's path has after the
// operations that follow it.
func (pl *patchLayer) json6902(built *manifest.Node, op *jsonOp) {
	if (op.op != "add" && op.op != "replace") || op.value == nil || op.final == nil {
		return
	}
	key, node := resolvePointer(built, op.final)
	if node == nil {
		return
	}
	if key != nil {
		pl.set(key, op.value)
	}
	pl.all(node, op.value)
}

// shiftSource gives the list items of the resource's file that the
// operations moved to other indices the positions of their source item
// again (copyPositions matched them by index).
func shiftSource(built, src *manifest.Node, ops []*jsonOp, added map[*manifest.Node]bool) {
	if src == nil || len(ops) == 0 {
		return
	}
	var walk func(n *manifest.Node, path []string)
	walk = func(n *manifest.Node, path []string) {
		switch n.Kind {
		case manifest.MappingNode:
			for i := 0; i+1 < len(n.Content()); i += 2 {
				walk(n.Content()[i+1], append(path[:len(path):len(path)], n.Content()[i].Value()))
			}
		case manifest.SequenceNode:
			for j, item := range n.Content() {
				p := append(path[:len(path):len(path)], strconv.Itoa(j))
				if at, ok := forwardAll(p, ops); ok && !equalPath(at, p) {
					if _, target := resolvePointer(built, at); target != nil && target.Kind == item.Kind {
						unmark(target, added)
						copyPositions(target, item, item, added)
					}
				}
				walk(item, p)
			}
		}
	}
	walk(src, nil)
}

func forwardAll(p []string, ops []*jsonOp) ([]string, bool) {
	ok := true
	for _, q := range ops {
		if p, ok = q.forward(p); !ok {
			return nil, false
		}
	}
	return p, true
}

func equalPath(a, b []string) bool { return len(a) == len(b) && hasPrefix(a, b) }

func unmark(n *manifest.Node, added map[*manifest.Node]bool) {
	delete(added, n)
	for _, c := range n.Content() {
		unmark(c, added)
	}
}
