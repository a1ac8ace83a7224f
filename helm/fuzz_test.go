package helm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/manifest"
)

// FuzzTemplate renders any bytes as a chart's template and places what
// renders on it: a failure to render is fine, a panic is not. The seeds run
// with plain go test; `go test -fuzz FuzzTemplate ./helm/` searches for more.
func FuzzTemplate(f *testing.F) {
	files, _ := filepath.Glob("../testdata/helm/*/templates/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a:\n- - b: {{ .Values.x }}\n  -\n    c: |\n      d: e\n---\n- {{ toYaml .Values | nindent 2 }}\n"))
	f.Add([]byte("{{- range until 3 }}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: x{{ . }}}\n{{- end }}\n"))
	f.Fuzz(func(t *testing.T, template []byte) {
		dir := t.TempDir()
		write := func(name, content string) {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("Chart.yaml", "apiVersion: v2\nname: fuzz\nversion: 1.0.0\n")
		write("values.yaml", "x: 1\nsel: {app: a}\n")
		write("templates/t.yaml", string(template))
		r, err := Render(dir, Options{Hooks: true, Tests: true})
		if err != nil {
			return
		}
		for _, d := range r.Docs {
			var root *manifest.Node = parseFuzz(d.Content)
			if root == nil {
				continue
			}
			p := r.Place(d, root)
			if p.File == "" {
				t.Fatalf("document of %s placed in no file", d.Template)
			}
		}
	})
}
