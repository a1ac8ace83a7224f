package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/corpus"
)

// netpol-analyzer's `eval` answers one question: may src reach dst on this
// port? Its answers are the connection list: allowed iff the port is in the
// listed connection of the pair. TestWhyAgreesWithNetpolAnalyzerEval asks
// `meshlint why --layer network` a sample of those questions from every
// case of the corpus: listed pairs on a port inside their connection and on
// one outside it, and pairs the list leaves out.
func TestWhyAgreesWithNetpolAnalyzerEval(t *testing.T) {
	dir, err := corpus.Dir(corpus.NetpolAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	asked, total := 0, 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		name := c.Name()
		if _, skip := conformanceExceptions[name]; skip {
			continue
		}
		total++
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, name, "expected.connlist"))
			if err != nil {
				t.Fatal(err)
			}
			questions := evalQuestions(connlistLines(string(want)))
			manifests := filepath.Join(dir, name, "manifests")
			for _, q := range questions {
				got := whyNetwork(t, q, manifests)
				asked++
				if got != q.allowed {
					t.Errorf("%s => %s:%s: why says allowed=%v, netpol-analyzer's list says %v", q.src, q.dst, q.port, got, q.allowed)
				}
			}
		})
	}
	if total == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	t.Logf("netpol-analyzer eval: %d questions over %d cases", asked, total)
}

type evalQuestion struct {
	src, dst string
	port     string // PORT/PROTO
	allowed  bool
}

// whyNetwork asks `why --layer network --format json` one question.
func whyNetwork(t *testing.T, q evalQuestion, manifests string) bool {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run([]string{"meshlint", "why", "--layer", "network", "--format", "json", endpointArg(q.src), endpointArg(q.dst) + ":" + q.port, manifests}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("why %s %s:%s: exit %d: %s", q.src, q.dst, q.port, code, stderr.String())
	}
	var answer struct {
		Ports []struct {
			Layers []struct {
				Layer, Verdict string
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &answer); err != nil || len(answer.Ports) != 1 || len(answer.Ports[0].Layers) != 1 {
		t.Fatalf("why %s %s:%s: unexpected answer (%v):\n%s", q.src, q.dst, q.port, err, stdout.String())
	}
	return answer.Ports[0].Layers[0].Verdict == "allowed"
}

// endpointArg is how a connlist node is asked for: a workload by its ID,
// a range by its first address.
func endpointArg(node string) string {
	if first, _, ok := strings.Cut(strings.TrimSuffix(node, "[External]"), "-"); ok && strings.HasSuffix(node, "[External]") {
		return first
	}
	return node
}

// evalQuestions samples questions from a connection list: up to four
// listed pairs, each on a port of its connection and, when the connection
// is not everything, on a port outside it; and up to four pairs of listed
// nodes the list leaves out (a range only in a role it has in the list, for
// ranges are cut apart per direction).
func evalQuestions(list string) []evalQuestion {
	type pair struct{ src, dst string }
	conns := map[pair]string{}
	var pairs []pair
	srcs, dsts := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(list, "\n") {
		src, rest, ok := strings.Cut(line, " => ")
		dst, conn, ok2 := strings.Cut(rest, " : ")
		if !ok || !ok2 {
			continue
		}
		p := pair{src, dst}
		conns[p] = conn
		pairs = append(pairs, p)
		srcs[src], dsts[dst] = true, true
	}
	var out []evalQuestion
	for _, p := range spread(pairs, 4) {
		ports := parseConn(conns[p])
		in := ports.sample()
		out = append(out, evalQuestion{p.src, p.dst, in, true})
		if outside, ok := ports.outside(); ok {
			out = append(out, evalQuestion{p.src, p.dst, outside, false})
		}
	}
	var missing []pair
	for _, s := range sortedKeys(srcs) {
		for _, d := range sortedKeys(dsts) {
			external := strings.HasSuffix(s, "[External]") && strings.HasSuffix(d, "[External]")
			if _, listed := conns[pair{s, d}]; !listed && s != d && !external {
				missing = append(missing, pair{s, d})
			}
		}
	}
	for _, p := range spread(missing, 4) {
		out = append(out, evalQuestion{p.src, p.dst, "80/TCP", false})
	}
	return out
}

// spread picks up to n items evenly over the list.
func spread[T any](items []T, n int) []T {
	if len(items) <= n {
		return items
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, items[i*len(items)/n])
	}
	return out
}

// connPorts is a parsed conn: per protocol, its port ranges; all for
// "All Connections".
type connPorts struct {
	all    bool
	ranges map[string][][2]int
}

// parseConn reads netpol-analyzer's conn: "All Connections" or
// "SCTP 7070,TCP 8080-8081,9090,UDP 53".
func parseConn(s string) connPorts {
	if s == "All Connections" {
		return connPorts{all: true}
	}
	c := connPorts{ranges: map[string][][2]int{}}
	proto := ""
	for _, tok := range strings.Split(s, ",") {
		if p, rest, ok := strings.Cut(tok, " "); ok {
			proto, tok = p, rest
		}
		first, last, isRange := strings.Cut(tok, "-")
		a, _ := strconv.Atoi(first)
		b := a
		if isRange {
			b, _ = strconv.Atoi(last)
		}
		c.ranges[proto] = append(c.ranges[proto], [2]int{a, b})
	}
	return c
}

func (c connPorts) sample() string {
	if c.all {
		return "80/TCP"
	}
	for _, proto := range []string{"TCP", "UDP", "SCTP"} {
		if rs := c.ranges[proto]; len(rs) > 0 {
			return strconv.Itoa(rs[0][0]) + "/" + proto
		}
	}
	return "80/TCP"
}

// outside is a TCP port the connection does not hold.
func (c connPorts) outside() (string, bool) {
	if c.all {
		return "", false
	}
	for port := 1; port <= 65535; port++ {
		inside := false
		for _, r := range c.ranges["TCP"] {
			if r[0] <= port && port <= r[1] {
				inside = true
				break
			}
		}
		if !inside {
			return strconv.Itoa(port) + "/TCP", true
		}
	}
	return "", false
}
