package helm

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	tparse "text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/engine"
)

// A template's "if ... else ... end" (and with, range) may write the same
// key in several branches, at different lines; the index, which reads the
// template as text, cannot tell which branch a values set took. So the
// chart is rendered once more with a marker written at the start of every
// branch of the templates' own bodies (not of their defines, whose output
// may be compared or parsed): the markers in the output say which branches
// ran, and the lines only branches that did not run write are left out of
// the index. The markers change nothing a template computes: text in a
// template body goes to the output and nowhere else (text/template).

// branchMarker is written at the start of a branch; its number is the
// branch's byte offset in the template.
const branchMarker = "\x1dmeshlint-branch:"

var branchMarkers = regexp.MustCompile("\x1dmeshlint-branch:(\\d+)\x1d")

// templateBranches are the branches of one template's body.
type templateBranches struct {
	tree *tparse.Tree
	text string
	// starts are the branches' offsets, where markers go.
	starts []int
}

// parseBranches parses a template's body and lists where its branches
// start; nil when it has none or does not parse.
func parseBranches(name, text string) *templateBranches {
	t := tparse.New(name)
	t.Mode = tparse.SkipFuncCheck
	trees := map[string]*tparse.Tree{}
	if _, err := t.Parse(text, "{{", "}}", trees); err != nil {
		return nil
	}
	main := trees[name]
	if main == nil || main.Root == nil {
		return nil
	}
	tb := &templateBranches{tree: main, text: text}
	var walk func(list *tparse.ListNode)
	walk = func(list *tparse.ListNode) {
		if list == nil {
			return
		}
		for _, n := range list.Nodes {
			b := branchOf(n)
			if b == nil {
				continue
			}
			tb.starts = append(tb.starts, int(b.List.Pos))
			walk(b.List)
			if b.ElseList != nil {
				if !tb.isElseChain(b.ElseList) {
					tb.starts = append(tb.starts, int(b.ElseList.Pos))
				}
				walk(b.ElseList)
			}
		}
	}
	walk(main.Root)
	if len(tb.starts) == 0 {
		return nil
	}
	return tb
}

func branchOf(n tparse.Node) *tparse.BranchNode {
	switch n := n.(type) {
	case *tparse.IfNode:
		return &n.BranchNode
	case *tparse.WithNode:
		return &n.BranchNode
	case *tparse.RangeNode:
		return &n.BranchNode
	}
	return nil
}

// isElseChain says an else list is "{{ else if }}" (or else with), which
// text/template reads as "{{ else }}{{ if }}": the list's position is then
// the "if" inside the action, where no marker may go; the branches of the
// if it holds have theirs (text/template/parse, parseControl).
func (tb *templateBranches) isElseChain(list *tparse.ListNode) bool {
	if len(list.Nodes) != 1 || branchOf(list.Nodes[0]) == nil || int(list.Pos) >= len(tb.text) {
		return false
	}
	rest := tb.text[list.Pos:]
	return strings.HasPrefix(rest, "if") || strings.HasPrefix(rest, "with")
}

// instrument writes a marker at the start of every branch of text.
func (tb *templateBranches) instrument(text string) string {
	starts := append([]int(nil), tb.starts...)
	sort.Sort(sort.Reverse(sort.IntSlice(starts)))
	for _, at := range starts {
		if at < 0 || at > len(text) {
			continue
		}
		text = text[:at] + branchMarker + strconv.Itoa(at) + "\x1d" + text[at:]
	}
	return text
}

// deadLines are the lines of text that only branches that did not run
// (their offsets not in ran) write text on.
func (tb *templateBranches) deadLines(text string, ran map[int]bool) map[int]bool {
	lineAt := func(off int) int { return strings.Count(text[:min(off, len(text))], "\n") + 1 }
	live, dead := map[int]bool{}, map[int]bool{}
	var walk func(list *tparse.ListNode, off bool)
	walk = func(list *tparse.ListNode, off bool) {
		if list == nil {
			return
		}
		for _, n := range list.Nodes {
			switch n := n.(type) {
			case *tparse.TextNode:
				mark := live
				if off {
					mark = dead
				}
				start := int(n.Pos)
				for i, line := range strings.Split(string(n.Text), "\n") {
					if strings.TrimSpace(line) != "" {
						mark[lineAt(start)+i] = true
					}
				}
			default:
				if b := branchOf(n); b != nil {
					walk(b.List, off || !ran[int(b.List.Pos)])
					if b.ElseList != nil {
						elseOff := off
						if !tb.isElseChain(b.ElseList) {
							elseOff = off || !ran[int(b.ElseList.Pos)]
						}
						walk(b.ElseList, elseOff)
					}
				}
			}
		}
	}
	walk(tb.tree.Root, false)
	for line := range live {
		delete(dead, line)
	}
	return dead
}

// traceBranches renders the chart again with markers in every template
// that has branches, and records for each the lines of branches that did
// not run. A rendering that fails records nothing: the index then reads
// every branch, as before.
func (r *Rendering) traceBranches() {
	r.dead = map[string]map[int]bool{}
	if r.Chart == nil || r.top == nil {
		return
	}
	type instrumented struct {
		t        *chart.File
		original []byte
		branches *templateBranches
	}
	var changed []instrumented
	for _, c := range allCharts(r.Chart) {
		for _, t := range c.Templates {
			name := path.Join(c.ChartFullPath(), t.Name)
			if isPartial(name) || len(t.Data) == 0 || !strings.Contains(string(t.Data), "{{") {
				continue
			}
			tb := parseBranches(name, string(t.Data))
			if tb == nil {
				continue
			}
			changed = append(changed, instrumented{t: t, original: t.Data, branches: tb})
			t.Data = []byte(tb.instrument(string(t.Data)))
		}
	}
	if len(changed) == 0 {
		return
	}
	var e engine.Engine
	files, err := e.Render(r.Chart, r.top)
	for _, c := range changed {
		c.t.Data = c.original
	}
	if err != nil {
		return
	}
	for _, c := range changed {
		name := c.branches.tree.ParseName
		ran := map[int]bool{}
		for _, m := range branchMarkers.FindAllStringSubmatch(files[name], -1) {
			if at, err := strconv.Atoi(m[1]); err == nil {
				ran[at] = true
			}
		}
		r.dead[name] = c.branches.deadLines(string(c.original), ran)
	}
}

// deadLinesOf are the lines of a template that no branch this rendering
// ran writes.
func (r *Rendering) deadLinesOf(template string) map[int]bool {
	if r.dead == nil {
		r.traceBranches()
	}
	return r.dead[template]
}
