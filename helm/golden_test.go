package helm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// helmBinary finds the real helm the test command installs (HELM_BIN, or
// .tools/bin/helm): without it the test skips, unless
// MESHLINT_REQUIRE_TOOLS says CI must have it.
func helmBinary(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("HELM_BIN"), "../.tools/bin/helm"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			abs, _ := filepath.Abs(c)
			return abs
		}
	}
	if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
		t.Fatal("helm is required (MESHLINT_REQUIRE_TOOLS): scripts/test.sh installs helm.sh/helm/v3/cmd/helm under .tools/bin")
	}
	t.Skip("no helm binary (scripts/test.sh installs it under .tools/bin)")
	return ""
}

// renderedObject is one object of a rendering: its template and content.
type renderedObject struct {
	Template string
	Content  any
}

// helmTemplate runs the real `helm template` with the capabilities meshlint
// renders with, and splits its output at the "# Source:" lines it writes.
func helmTemplate(t *testing.T, bin string, args ...string) []renderedObject {
	t.Helper()
	full := append([]string{"template"}, args...)
	full = append(full, "--kube-version", KubeVersion)
	for _, v := range APIVersions() {
		full = append(full, "--api-versions", v)
	}
	cmd := exec.Command(bin, full...)
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var objs []renderedObject
	for _, doc := range strings.Split(string(out), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		src, body, ok := strings.Cut(doc, "\n")
		if !ok || !strings.HasPrefix(src, "# Source: ") {
			continue
		}
		objs = append(objs, renderedObject{Template: strings.TrimPrefix(src, "# Source: "), Content: decode(t, body)})
	}
	return objs
}

func decode(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("does not parse: %v\n%s", err, text)
	}
	return v
}

// meshlint's rendering of the fixture equals helm template's, object by
// object and in order: content, template, and which objects are left out.
func TestGoldenAgainstHelmTemplate(t *testing.T) {
	bin := helmBinary(t)
	values, err := filepath.Abs(filepath.Join(shop, "values-broken-peer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts Options
		args []string
	}{
		{"defaults", Options{}, []string{"shop", shop, "--no-hooks"}},
		{"release, namespace, values", Options{ReleaseName: "prod", Namespace: "shop", Values: []ValuesSource{{File: values}, {Set: "cart.port=7444"}, {Set: "authorizationPolicy.allowServiceAccounts={web,admin}"}}},
			[]string{"prod", shop, "--namespace", "shop", "-f", values, "--set", "cart.port=7444", "--set", "authorizationPolicy.allowServiceAccounts={web,admin}", "--no-hooks"}},
		{"hooks", Options{Hooks: true}, []string{"shop", shop, "--skip-tests"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := helmTemplate(t, bin, c.args...)
			r := render(t, shop, c.opts)
			var got []renderedObject
			for _, d := range r.Docs {
				got = append(got, renderedObject{Template: d.Template, Content: decode(t, d.Content)})
			}
			if len(got) != len(want) {
				t.Errorf("%d objects, helm template has %d", len(got), len(want))
			}
			for i := 0; i < len(got) && i < len(want); i++ {
				if got[i].Template != want[i].Template || !reflect.DeepEqual(got[i].Content, want[i].Content) {
					g, _ := yaml.Marshal(got[i].Content)
					w, _ := yaml.Marshal(want[i].Content)
					t.Errorf("object %d: meshlint renders %s\n%s\nhelm template renders %s\n%s", i, got[i].Template, g, want[i].Template, w)
				}
			}
		})
	}
}
