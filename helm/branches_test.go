package helm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/manifest"
)

// A field that several branches of a template write lands on the line of
// the branch the values took, not on the first branch that writes it.
func TestPlaceBranches(t *testing.T) {
	const chartDir = "testdata/branches"
	tests := []struct {
		name string
		set  []string
		want map[string]string // kind field path -> template:line
	}{
		{
			name: "if taken",
			set:  []string{"mode=strict"},
			want: map[string]string{
				"PeerAuthentication spec.mtls.mode":         "peer.yaml:11",
				"PeerAuthentication spec.mtls":              "peer.yaml:10",
				"PeerAuthentication spec.selector":          "peer.yaml:6",
				"AuthorizationPolicy spec.rules[0].from[0]": "peer.yaml:36",
				"NetworkPolicy spec.ingress[0].ports[0]":    "peer.yaml:53",
			},
		},
		{
			name: "else if taken",
			set:  []string{"mode=permissive"},
			want: map[string]string{
				"PeerAuthentication spec.mtls.mode": "peer.yaml:14",
				"PeerAuthentication spec.mtls":      "peer.yaml:13",
			},
		},
		{
			name: "else taken",
			set:  []string{"mode=DISABLE"},
			want: map[string]string{
				"PeerAuthentication spec.mtls.mode": "peer.yaml:17",
			},
		},
		{
			name: "with taken, range with its if",
			set:  []string{"authz.principals[0]=cluster.local/ns/a/sa/b", "udp=true", "ports={53,5353}"},
			want: map[string]string{
				"AuthorizationPolicy spec.rules[0].from[0].source.principals": "peer.yaml:32",
				"AuthorizationPolicy spec.rules[0].from[0]":                   "peer.yaml:31",
				"NetworkPolicy spec.ingress[0].ports[0].protocol":             "peer.yaml:51",
				"NetworkPolicy spec.ingress[0].ports[1].protocol":             "peer.yaml:51",
				"NetworkPolicy spec.ingress[0].ports[1].port":                 "peer.yaml:50",
			},
		},
		{
			name: "with not taken, range with the if's else",
			set:  []string{"ports={80,81}"},
			want: map[string]string{
				"AuthorizationPolicy spec.rules[0].from[0].source.namespaces": "peer.yaml:37",
				"NetworkPolicy spec.ingress[0].ports[1].protocol":             "peer.yaml:54",
				"NetworkPolicy spec.ingress[0].ports[1].port":                 "peer.yaml:53",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var values []ValuesSource
			for _, s := range tc.set {
				values = append(values, ValuesSource{Set: s})
			}
			r := render(t, chartDir, Options{Values: values})
			objs := map[string]*manifest.Object{}
			for _, d := range r.Docs {
				root := parse(t, d.Content)
				placed := r.Place(d, root)
				objs[d.Kind] = &manifest.Object{Node: root, File: placed.File}
			}
			for field, want := range tc.want {
				kind, path, _ := strings.Cut(field, " ")
				o := objs[kind]
				if o == nil || o.Lookup(path) == nil {
					t.Errorf("%s: not rendered", field)
					continue
				}
				pos := o.Position(path)
				got := fmt.Sprintf("%s:%d", pos.File[strings.LastIndex(pos.File, "/")+1:], pos.Line)
				if got != want {
					t.Errorf("%s at %s, want %s", field, got, want)
				}
			}
		})
	}
}
