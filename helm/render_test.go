package helm

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const shop = "../testdata/helm/shop"

func render(t *testing.T, dir string, opts Options) *Rendering {
	t.Helper()
	r, err := Render(dir, opts)
	if err != nil {
		t.Fatalf("Render(%s): %v", dir, err)
	}
	return r
}

func docNames(r *Rendering) []string {
	var out []string
	for _, d := range r.Docs {
		kind := regexp.MustCompile(`(?m)^kind: (\S+)`).FindStringSubmatch(d.Content)
		name := regexp.MustCompile(`(?m)^  name: (\S+)`).FindStringSubmatch(d.Content)
		if kind == nil || name == nil {
			out = append(out, d.Template+" ?")
			continue
		}
		out = append(out, strings.TrimPrefix(d.Template, "shop/templates/")+" "+kind[1]+"/"+name[1])
	}
	return out
}

// The fixture renders as `helm template` orders it; NOTES.txt, the partial,
// the test and (without Hooks) the hook are not objects.
func TestRenderFixture(t *testing.T) {
	r := render(t, shop, Options{})
	want := []string{
		"networkpolicy.yaml NetworkPolicy/cart",
		"networkpolicy.yaml NetworkPolicy/web",
		"serviceaccounts.yaml ServiceAccount/web",
		"serviceaccounts.yaml ServiceAccount/cart",
		"cart.yaml Service/cart",
		"web.yaml Service/web",
		"cart.yaml Deployment/cart",
		"web.yaml Deployment/web",
		"authorizationpolicy.yaml AuthorizationPolicy/cart",
	}
	if got := docNames(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("documents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Hooks != 1 || r.Tests != 1 {
		t.Errorf("hooks %d, tests %d; want 1 and 1", r.Hooks, r.Tests)
	}
	withHooks := render(t, shop, Options{Hooks: true})
	last := withHooks.Docs[len(withHooks.Docs)-1]
	if len(withHooks.Docs) != len(want)+1 || last.Hook != "pre-install,pre-upgrade" || withHooks.Hooks != 0 || withHooks.Tests != 1 {
		t.Errorf("with hooks: %d documents, last %s (%q), %d hooks and %d tests left out", len(withHooks.Docs), last.Template, last.Hook, withHooks.Hooks, withHooks.Tests)
	}
}

// Release name and namespace reach the templates; values files and --set
// pairs apply in order, after values.yaml.
func TestRenderReleaseAndValues(t *testing.T) {
	dir := t.TempDir()
	prod := filepath.Join(dir, "prod.yaml")
	if err := os.WriteFile(prod, []byte("cart: {port: 7443}\nauthorizationPolicy: {allowServiceAccounts: [web, admin]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := render(t, shop, Options{ReleaseName: "prod", Namespace: "shop", Values: []ValuesSource{
		{File: prod}, {Set: "cart.port=7444"},
	}})
	var ap, cartSvc string
	for _, d := range r.Docs {
		switch {
		case strings.Contains(d.Content, "kind: AuthorizationPolicy"):
			ap = d.Content
		case strings.Contains(d.Content, "kind: Service\n") && strings.Contains(d.Content, "name: cart"):
			cartSvc = d.Content
		}
	}
	for _, want := range []string{`"cluster.local/ns/shop/sa/web"`, `"cluster.local/ns/shop/sa/admin"`, `ports: ["7444"]`, "app.kubernetes.io/instance: prod"} {
		if !strings.Contains(ap, want) {
			t.Errorf("AuthorizationPolicy lacks %s:\n%s", want, ap)
		}
	}
	if !strings.Contains(cartSvc, "port: 7444") {
		t.Errorf("--set does not win over the values file:\n%s", cartSvc)
	}
}

func TestCapabilities(t *testing.T) {
	c := Capabilities()
	for _, v := range []string{"v1", "apps/v1", "networking.k8s.io/v1", "security.istio.io/v1", "security.istio.io/v1/AuthorizationPolicy", "networking.istio.io/v1beta1", "gateway.networking.k8s.io/v1"} {
		if !c.APIVersions.Has(v) {
			t.Errorf("Capabilities.APIVersions lacks %s", v)
		}
	}
	// The Kubernetes version follows the k8s.io/api meshlint builds with.
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/api v0\.(\d+)\.`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod requires no k8s.io/api")
	}
	if c.KubeVersion.Minor != string(m[1]) || c.KubeVersion.Major != "1" {
		t.Errorf("KubeVersion %s, but go.mod has k8s.io/api v0.%s", c.KubeVersion.Version, m[1])
	}
}

// A template that fails is reported at the line Helm gives, with Helm's
// message; the other templates still render.
func TestRenderTemplateFailures(t *testing.T) {
	r := render(t, "testdata/broken", Options{})
	if len(r.Docs) != 1 || !strings.Contains(r.Docs[0].Content, "kind: Service") {
		t.Errorf("want the Service alone, got %v", docNames(r))
	}
	var got []string
	for _, f := range r.Failures {
		got = append(got, filepath.Base(f.File)+":"+strconv.Itoa(f.Line)+": "+f.Message)
	}
	want := []string{
		"deployment.yaml:10: image.tag is required",
		"job.yaml:2: jobs must be set",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With the value, the deployment renders.
	r = render(t, "testdata/broken", Options{Values: []ValuesSource{{Set: "image.tag=1.0"}, {Set: "jobs=true"}}})
	if len(r.Failures) != 0 || len(r.Docs) != 2 {
		t.Errorf("with the values: %v, failures %v", docNames(r), r.Failures)
	}
}

// A partial that does not parse fails the whole chart, at its line.
func TestRenderPartialFails(t *testing.T) {
	_, err := Render("testdata/partial", Options{})
	var f *Failure
	if !errors.As(err, &f) || !f.Chart || filepath.Base(f.File) != "_helpers.tpl" || f.Line != 2 {
		t.Fatalf("got %v, want a chart failure at _helpers.tpl:2", err)
	}
}

// values.schema.json refuses a values set: the failure names the key and
// stands where the values file sets it.
func TestRenderSchema(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("# port as a string\ncart:\n  port: \"7070\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Render(shop, Options{Values: []ValuesSource{{File: bad}}})
	var f *Failure
	if !errors.As(err, &f) || f.File != bad || f.Line != 3 || !strings.Contains(f.Message, "/cart/port") {
		t.Fatalf("got %v, want a failure at %s:3 naming /cart/port", err, bad)
	}
}

// Vendored dependencies render, as directories and archives, with the
// parent's values for them; one missing is named with the command that
// vendors it, and remote ones are never fetched.
func TestRenderDependencies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "umbrella")
	copyDir(t, "testdata/umbrella", dir)

	_, err := Render(dir, Options{})
	var f *Failure
	if !errors.As(err, &f) || !strings.Contains(f.Message, `dependency "other" (repository https://charts.example.com) is not vendored`) ||
		!strings.Contains(f.Message, "helm dependency build "+dir) || f.Line != 8 {
		t.Fatalf("missing dependency: got %v", err)
	}
	_, err = Render(dir, Options{AllowRemote: true})
	if !errors.As(err, &f) || !strings.Contains(f.Message, "--allow-remote does not make meshlint fetch") {
		t.Errorf("missing dependency with --allow-remote: got %v", err)
	}

	archive := filepath.Join(dir, "charts", "other-0.2.0.tgz")
	writeArchive(t, "testdata/other", "other", archive)
	r := render(t, dir, Options{ReleaseName: "rel"})
	var got []string
	for _, d := range r.Docs {
		got = append(got, d.Template)
	}
	want := "umbrella/charts/other/templates/configmap.yaml umbrella/charts/backend/templates/service.yaml umbrella/templates/service.yaml"
	if strings.Join(got, " ") != want {
		t.Errorf("templates %v, want %s", got, want)
	}
	if f := r.TemplateFile("umbrella/charts/backend/templates/service.yaml"); f != filepath.Join(dir, "charts", "backend", "templates", "service.yaml") {
		t.Errorf("subchart template at %s", f)
	}
	if f := r.TemplateFile("umbrella/charts/other/templates/configmap.yaml"); f != archive {
		t.Errorf("archived template at %s, want the archive", f)
	}
	for _, d := range r.Docs {
		if strings.Contains(d.Template, "backend") && !strings.Contains(d.Content, "port: 9090") {
			t.Errorf("the parent's values for the subchart are not used:\n%s", d.Content)
		}
	}
	// The condition turns the archived subchart off.
	r = render(t, dir, Options{Values: []ValuesSource{{Set: "other.enabled=false"}}})
	if len(r.Docs) != 2 {
		t.Errorf("other.enabled=false: %d documents, want 2", len(r.Docs))
	}

	_, err = Render("testdata/missing", Options{})
	if !errors.As(err, &f) || !strings.Contains(f.Message, "remote chart, which meshlint refuses") || !strings.Contains(f.Message, "helm dependency build") {
		t.Errorf("OCI dependency: got %v", err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeArchive packs the chart in dir as `helm package` does: a gzipped tar
// with the chart under a directory of its name.
func writeArchive(t *testing.T, dir, name, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
}
