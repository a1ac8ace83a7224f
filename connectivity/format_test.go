package connectivity

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Every format prints the same small graph: two namespaces, an external
// range and a focus-free listing; golden files pin the exact text.
func TestFormats(t *testing.T) {
	m := modelOf(t, namespace("shop", "")+namespace("pay", "")+
		pods("shop/web app=web|http/TCP/8080", "shop/cart app=cart", "pay/gateway app=gateway")+
		netpol("shop", "cart", "podSelector: {matchLabels: {app: cart}}\ningress:\n- from: [{podSelector: {matchLabels: {app: web}}}]\n  ports: [{port: 7070}]\n")+
		netpol("pay", "gateway", "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress:\n- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: cart}}}]\n  ports: [{port: 8443}]\negress:\n- to: [{ipBlock: {cidr: 203.0.113.0/24}}]\n  ports: [{port: 443}]\n"))
	l := Network(m).Listing(Options{})
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, format, l); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "format", format+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./connectivity -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("%s output differs from %s:\n--- got\n%s--- want\n%s", format, golden, b.String(), want)
			}
		})
	}
	t.Run("json parses", func(t *testing.T) {
		var b bytes.Buffer
		if err := WriteJSON(&b, l); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Version     int    `json:"version"`
			Layer       string `json:"layer"`
			Connections []struct {
				Src, Dst, Conn string
			} `json:"connections"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Version != 1 || doc.Layer != "network" || len(doc.Connections) != len(l.Connections) {
			t.Errorf("json = %+v", doc)
		}
	})
	if err := Write(&bytes.Buffer{}, "svg", l); err == nil {
		t.Error("an unknown format is not an error")
	}
}

func TestQuoting(t *testing.T) {
	if got := dotQuote(`a"b\c`); got != `"a\"b\\c"` {
		t.Errorf("dotQuote = %s", got)
	}
	if got := mermaidQuote(`say "hi"`); got != `"say #quot;hi#quot;"` {
		t.Errorf("mermaidQuote = %s", got)
	}
}
