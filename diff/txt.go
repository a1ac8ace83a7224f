package diff

import (
	"bufio"
	"io"
	"sort"

	"github.com/meshlint/meshlint/connectivity"
)

// WriteTxt prints one layer in netpol-analyzer's diff format: the header
// "Connectivity diff:" and one line per changed pair, changed lines first,
// then added, then removed, each group sorted; nothing at all when nothing
// changed. In the mesh and effective layers a connection that holds only
// for some requests carries its L7 condition in brackets. When the run has
// several environments, each opens with "# environment: NAME".
func WriteTxt(w io.Writer, r *Result, layer connectivity.Layer) error {
	bw := bufio.NewWriter(w)
	several := len(r.Environments) > 1 || len(r.Environments) == 1 && r.Environments[0].Name != ""
	for i, e := range r.Environments {
		if several {
			if i > 0 {
				bw.WriteByte('\n')
			}
			bw.WriteString("# environment: " + e.Name)
			if e.Only != "" {
				bw.WriteString(" (only in the " + e.Only + " version: not compared)")
			}
			bw.WriteByte('\n')
		}
		ld := e.Layer(layer)
		if ld == nil || len(ld.Changes) == 0 {
			continue
		}
		bw.WriteString("Connectivity diff:\n")
		for _, line := range TxtLines(ld) {
			bw.WriteString(line)
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// TxtLines returns a layer's diff lines in netpol-analyzer's order.
func TxtLines(ld *LayerDiff) []string {
	groups := map[connectivity.ChangeType][]string{}
	for _, c := range ld.Changes {
		groups[c.Type] = append(groups[c.Type], TxtLine(c))
	}
	var out []string
	for _, t := range []connectivity.ChangeType{connectivity.Changed, connectivity.Added, connectivity.Removed} {
		lines := groups[t]
		sort.Strings(lines)
		out = append(out, lines...)
	}
	return out
}

// TxtLine is one change as netpol-analyzer prints it.
func TxtLine(c *Change) string {
	line := "diff-type: " + string(c.Type) + ", source: " + c.Src + ", destination: " + c.Dst +
		", ref1: " + c.OldConn() + ", ref2: " + c.NewConn()
	if c.WorkloadsDiffInfo != "" {
		line += ", workloads-diff-info: " + c.WorkloadsDiffInfo
	}
	return line
}
