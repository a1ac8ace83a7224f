package htmlreport

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/meshlint/meshlint/internal/synth"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/report"
)

// updateScreenshot rewrites the README's picture:
//
//	go test ./report/htmlreport -run '^TestBrowser$/screenshot' -update-screenshot
var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite the README's screenshot of the Bookinfo report (docs/report-bookinfo.png)")

// chromium finds Debian's Chromium (scripts/test.sh installs it). Without
// it the browser tests skip, unless MESHLINT_REQUIRE_TOOLS is set, as in
// CI, where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("MESHLINT_CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	msg := "chromium is not installed (apt-get install -y chromium, or set MESHLINT_CHROMIUM)"
	if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium for a test, with a fresh profile and
// the flags that keep it off the network (this machine refuses its
// connections), and the page's console errors collected.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("allow-file-access-from-files", false),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{ctx: ctx}
	// Start the browser, then read its console (errors, exceptions and the
	// browser's own log) for as long as the test runs.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException:
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// open loads a page from file:// and waits until its script has drawn it;
// it returns how long that took.
func (b *browser) open(t *testing.T, path string) time.Duration {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := chromedp.Do(b.ctx, chromedp.Navigate("file://"+abs), chromedp.WaitReady(chromedp.CSS(`#main[data-ready="true"]`))); err != nil {
		t.Fatalf("loading %s: %v (console: %v)", path, err, b.consoleErrors())
	}
	return time.Since(start)
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("%v (console: %v)", err, b.consoleErrors())
	}
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func (b *browser) noConsoleErrors(t *testing.T) {
	t.Helper()
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// do runs a statement in the page.
func do(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any]("void ("+js+")")(ctx, t)
		if err == chromedp.ErrJSUndefined {
			return nil
		}
		return err
	})
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// cell is the selector of a matrix cell from a to b.
func cell(matrix, a, b string) string {
	return fmt.Sprintf(`#%s td[data-a=%q][data-b=%q]`, matrix, a, b)
}

// TestBrowser drives the reports of the scenarios in headless Chromium.
func TestBrowser(t *testing.T) {
	dir := t.TempDir()
	blocked := writeLintReport(t, filepath.Join(dir, "blocked-allow.html"), "testdata/manifests/blocked-allow")
	b := newBrowser(t)

	t.Run("loads without console errors", func(t *testing.T) {
		b.open(t, blocked)
		title, err := chromedp.Run(b.ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		if title != "meshlint report" {
			t.Errorf("title %q", title)
		}
		b.noConsoleErrors(t)
	})

	t.Run("findings table filters and sorts", func(t *testing.T) {
		b.open(t, blocked)
		visible := `document.querySelectorAll("#findings-table tr.finding:not([hidden])").length`
		n := eval[int](t, b, visible)
		if n != 3 {
			t.Fatalf("%d findings shown, want 3", n)
		}
		// Choosing a rule, as a user does, fires input.
		b.run(t, chromedp.SetValue(css("#f-rule"), "MSH301"),
			do(`document.querySelector("#f-rule").dispatchEvent(new Event("input"))`))
		n = eval[int](t, b, visible)
		if n != 1 || !strings.Contains(b.text(t, "#findings-table tr.finding:not([hidden])"), "MSH301") {
			t.Errorf("filtering by MSH301 shows %d rows", n)
		}
		if got := b.text(t, "#f-count"); got != "1 of 3 findings" {
			t.Errorf("count says %q", got)
		}
		b.run(t, chromedp.SetValue(css("#f-rule"), ""),
			do(`document.querySelector("#f-rule").dispatchEvent(new Event("input"))`),
			chromedp.SendKeys(css("#f-text"), "not isolated"))
		n = eval[int](t, b, visible)
		if n != 2 {
			t.Errorf("typing a text filter shows %d rows, want the 2 MSH107 notes", n)
		}
		b.run(t, do(`(() => { const f = document.querySelector("#f-text"); f.value = ""; f.dispatchEvent(new Event("input")); })()`),
			chromedp.Click(css(`#findings-table th button[data-sort="severity"]`)))
		if first := b.text(t, "#findings-table tbody tr.finding"); !strings.HasPrefix(first, "✖ error") {
			t.Errorf("sorted by severity, the first row is %q", first)
		}
		// Enter on a focused row shows the YAML around the finding.
		b.run(t, chromedp.Focus(css("#findings-table tbody tr.finding")), chromedp.KeyEvent(kb.Enter))
		if snip := b.text(t, "#findings-table tr.detail pre"); !strings.Contains(snip, "principals") {
			t.Errorf("the finding's detail shows %q, want the rule's YAML", snip)
		}
		b.noConsoleErrors(t)
	})

	t.Run("suppressed findings are dimmed and can be hidden", func(t *testing.T) {
		b.open(t, writeLintReport(t, filepath.Join(dir, "suppressed.html"), "report/htmlreport/testdata/suppressed"))
		row := `#findings-table tr.finding.suppressed`
		if text := b.text(t, row); !strings.Contains(text, "the edge proxy in front of it filters") {
			t.Errorf("the suppressed row reads %q, want its reason", text)
		}
		if opacity := eval[string](t, b, `getComputedStyle(document.querySelector("`+row+` td")).opacity`); opacity == "1" {
			t.Errorf("the suppressed row is not dimmed (opacity %s)", opacity)
		}
		b.run(t, chromedp.Click(css("#f-suppressed")))
		if n := eval[int](t, b, `document.querySelectorAll("#findings-table tr.finding:not([hidden])").length`); n != 1 {
			t.Errorf("hiding suppressed findings leaves %d rows, want 1", n)
		}
		b.noConsoleErrors(t)
	})

	t.Run("a matrix cell explains the blocking NetworkPolicy", func(t *testing.T) {
		b.open(t, blocked)
		b.run(t, chromedp.Click(css(cell("ns-matrix", "shop", "shop"))),
			chromedp.WaitVisible(css("#wl-matrix")),
			chromedp.Click(css(cell("wl-matrix", "shop/web[Deployment]", "shop/cart[Deployment]"))),
			chromedp.WaitVisible(css("#why")))
		why := b.text(t, "#why")
		for _, want := range []string{
			"shop/web[Deployment] ⇒ shop/cart[Deployment]",
			"ingress of shop/cart[Deployment]: admits nothing from shop/web[Deployment]",
			"testdata/manifests/blocked-allow/shop.yaml:108:3: NetworkPolicy shop/cart isolates it",
			"podSelector {app=gateway} does not match the labels of shop/web[Deployment]",
			"spec.rules[0] matches the requests of shop/web[Deployment] with methods=POST",
			"meshlint why 'shop/web[Deployment]' 'shop/cart[Deployment]' testdata/manifests/blocked-allow",
		} {
			if !strings.Contains(why, want) {
				t.Errorf("the explanation lacks %q:\n%s", want, why)
			}
		}
		if c := b.text(t, cell("wl-matrix", "shop/web[Deployment]", "shop/cart[Deployment]")); !strings.HasPrefix(c, "✗") {
			t.Errorf("the web to cart cell reads %q, want the denied symbol", c)
		}
		b.noConsoleErrors(t)
	})

	// Ambient traffic reaches api on HBONE TCP 15008, which shop/api's
	// NetworkPolicy does not admit (istio.io ambient/usage/networkpolicy):
	// the cell is denied, and its explanation says why the app-port
	// reasons are not the whole story.
	t.Run("an ambient pair explains HBONE", func(t *testing.T) {
		b.open(t, writeLintReport(t, filepath.Join(dir, "ambient.html"), "testdata/manifests/ambient-netpol"))
		pair := cell("wl-matrix", "shop/web[Deployment]", "shop/api[Deployment]")
		b.run(t, chromedp.Click(css(cell("ns-matrix", "shop", "shop"))),
			chromedp.WaitVisible(css("#wl-matrix")),
			chromedp.Click(css(pair)),
			chromedp.WaitVisible(css("#why")))
		if why := b.text(t, "#why"); !strings.Contains(why, "travels over HBONE: NetworkPolicies see it on TCP 15008") {
			t.Errorf("the explanation lacks the HBONE note:\n%s", why)
		}
		if c := b.text(t, pair); !strings.HasPrefix(c, "✗") {
			t.Errorf("the web to api cell reads %q, want the denied symbol", c)
		}
		// Between a mesh workload and one outside it there is no tunnel.
		b.run(t, chromedp.Click(css(cell("ns-matrix", "jobs", "shop"))),
			chromedp.WaitVisible(css("#wl-matrix")),
			chromedp.Click(css(cell("wl-matrix", "jobs/batch[Deployment]", "shop/api[Deployment]"))),
			chromedp.WaitVisible(css("#why")))
		if why := b.text(t, "#why"); strings.Contains(why, "HBONE") {
			t.Errorf("a plaintext pair's explanation speaks of HBONE:\n%s", why)
		}
		b.noConsoleErrors(t)
	})

	t.Run("keyboard moves through the matrix", func(t *testing.T) {
		b.open(t, blocked)
		active := `document.activeElement.dataset.a + " -> " + document.activeElement.dataset.b`
		b.run(t, chromedp.Focus(css(cell("ns-matrix", "shop", "shop"))), chromedp.KeyEvent(kb.Enter))
		got := eval[string](t, b, active)
		if got != "shop/cart[Deployment] -> shop/cart[Deployment]" {
			t.Fatalf("Enter on the namespace cell focuses %q, want the first workload cell", got)
		}
		b.run(t, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
		got = eval[string](t, b, active)
		if got != "shop/web[Deployment] -> shop/cart[Deployment]" {
			t.Fatalf("two rows down is %q", got)
		}
		b.run(t, chromedp.KeyEvent(kb.Enter))
		got = eval[string](t, b, `document.activeElement.id`)
		if got != "why" || !strings.Contains(b.text(t, "#why"), "NetworkPolicy shop/cart isolates it") {
			t.Errorf("Enter on the cell focuses %q and explains %q", got, b.text(t, "#why"))
		}
		b.noConsoleErrors(t)
	})

	t.Run("layers and light and dark schemes", func(t *testing.T) {
		b.open(t, blocked)
		b.run(t, chromedp.Click(css("#tab-mesh")), chromedp.Click(css(cell("ns-matrix", "shop", "shop"))))
		if c := b.text(t, cell("wl-matrix", "shop/web[Deployment]", "shop/cart[Deployment]")); !strings.HasPrefix(c, "~") {
			t.Errorf("in the mesh layer web to cart reads %q, want the conditional symbol", c)
		}
		bg := `getComputedStyle(document.body).backgroundColor`
		light := eval[string](t, b, bg)
		b.run(t, chromedp.Click(css("#theme")))
		dark := eval[string](t, b, bg)
		if light == dark {
			t.Errorf("the scheme button leaves the background at %s", light)
		}
		b.noConsoleErrors(t)
	})

	t.Run("diff marks the changed cells and toggles before and after", func(t *testing.T) {
		b.open(t, writeDiffReport(t, filepath.Join(dir, "diff.html")))
		web, cart, gw := "shop/web[Deployment]", "shop/cart[Deployment]", "shop/gateway[Deployment]"
		classes := func(sel string) string {
			return eval[string](t, b, "document.querySelector("+strconv.Quote(sel)+").className")
		}
		b.run(t, chromedp.Click(css("#tab-network")), chromedp.Click(css(cell("ns-matrix", "shop", "shop"))))
		if c := classes(cell("ns-matrix", "shop", "shop")); !strings.Contains(c, "changed") {
			t.Errorf("the shop namespace cell is %q, want it marked changed", c)
		}
		if c := classes(cell("wl-matrix", web, cart)); !strings.Contains(c, "changed") || !strings.Contains(c, "allowed") {
			t.Errorf("after, web to cart is %q, want allowed and changed", c)
		}
		if c := classes(cell("wl-matrix", gw, cart)); strings.Contains(c, "changed") {
			t.Errorf("gateway to cart is %q: it did not change", c)
		}
		b.run(t, chromedp.Click(css("#view-before")))
		if c := classes(cell("wl-matrix", web, cart)); !strings.Contains(c, "changed") || !strings.Contains(c, "denied") {
			t.Errorf("before, web to cart is %q, want denied and changed", c)
		}
		b.run(t, chromedp.Click(css(cell("wl-matrix", web, cart))))
		if why := b.text(t, "#why"); !strings.Contains(why, "(main)") || !strings.Contains(why, "podSelector {app=gateway} does not match the labels of "+web) {
			t.Errorf("the explanation before the change:\n%s", why)
		}
		b.run(t, chromedp.Click(css("#view-after")))
		if why := b.text(t, "#why"); !strings.Contains(why, "(fix-cart-netpol)") || !strings.Contains(why, "takes in "+web+" on TCP 7070") {
			t.Errorf("the explanation after the change:\n%s", why)
		}
		b.run(t, chromedp.Click(css("#changed-only")))
		if c := classes(cell("ns-matrix", "shop", "(outside the cluster)")); !strings.Contains(c, "dim") {
			t.Errorf("with changed cells only, an unchanged cell is %q", c)
		}
		b.noConsoleErrors(t)
	})

	t.Run("environments to choose between", func(t *testing.T) {
		b.open(t, writeLintReport(t, filepath.Join(dir, "overlays.html"), "testdata/manifests/overlays"))
		web, api := "shop/web[Deployment]", "shop/api[Deployment]"
		b.run(t, chromedp.Click(css("#tab-network")), chromedp.Click(css(cell("ns-matrix", "shop", "shop"))))
		if c := b.text(t, cell("wl-matrix", web, api)); !strings.HasPrefix(c, "✓ TCP 8080") {
			t.Errorf("in prod, web to api reads %q", c)
		}
		b.run(t, chromedp.Click(css(`#views button[data-view="1"]`)))
		if c := b.text(t, cell("wl-matrix", web, api)); !strings.HasPrefix(c, "✗") {
			t.Errorf("in staging, web to api reads %q, want denied: only the canary is admitted", c)
		}
		b.run(t, chromedp.Click(css(cell("wl-matrix", web, api))))
		if cmd := b.text(t, "#why .cmd"); !strings.HasSuffix(cmd, "--environment testdata/manifests/overlays/staging") {
			t.Errorf("the command %q does not pick the environment", cmd)
		}
		b.noConsoleErrors(t)
	})

	t.Run("outside destinations and two hops", func(t *testing.T) {
		b.open(t, writeLintReport(t, filepath.Join(dir, "egress-modes.html"), "testdata/manifests/egress-modes"))
		ext := "(outside the cluster)"
		charge, stripe := "payments/charge[Deployment]", "api.stripe.com[ServiceEntry]"
		b.run(t, chromedp.Click(css(cell("ns-matrix", "payments", ext))),
			chromedp.Click(css(cell("wl-matrix", charge, stripe))),
			chromedp.WaitVisible(css("#why")))
		why := b.text(t, "#why")
		for _, want := range []string{
			stripe + " may resolve to any of 0.0.0.0-198.51.99.255[External]",
			"egress of " + charge + ": not isolated",
			charge + "'s sidecar knows " + stripe + ": ServiceEntry payments/stripe names it",
			// The source's Sidecar, filled in by the page.
			"testdata/manifests/egress-modes/mesh.yaml:56:3: the egress hosts of Sidecar payments/default import it",
		} {
			if !strings.Contains(why, want) {
				t.Errorf("the explanation of a ServiceEntry host lacks %q:\n%s", want, why)
			}
		}
		// A range only destinations fall in starts no connection.
		b.run(t, chromedp.Click(css(cell("ns-matrix", ext, ext))),
			chromedp.Click(css(cell("wl-matrix", "0.0.0.0-198.51.99.255[External]", "0.0.0.0-255.255.255.255[External]"))))
		if why := b.text(t, "#why"); !strings.Contains(why, "Both ends are outside the cluster") {
			t.Errorf("two ranges:\n%s", why)
		}
		b.noConsoleErrors(t)

		b.open(t, writeLintReport(t, filepath.Join(dir, "ambient-waypoint.html"), "testdata/manifests/ambient-waypoint"))
		b.run(t, chromedp.Click(css("#tab-mesh")), chromedp.Click(css(cell("ns-matrix", "store", "store"))),
			chromedp.Click(css(cell("wl-matrix", "store/web[Deployment]", "store/cart[Deployment]"))),
			chromedp.WaitVisible(css("#why")))
		why = b.text(t, "#why")
		for _, want := range []string{
			"through waypoint store/waypoint (the Service addressed), then the ztunnel of store/cart[Deployment]: allowed for requests with methods=GET",
			"the ztunnel of store/cart[Deployment] sees the waypoint store/waypoint[Deployment]",
			"directly to the ztunnel of store/cart[Deployment], the pod addressed rather than its Service: denied",
		} {
			if !strings.Contains(why, want) {
				t.Errorf("the two-hop explanation lacks %q:\n%s", want, why)
			}
		}
		b.noConsoleErrors(t)
	})

	t.Run("screenshot", func(t *testing.T) {
		book := writeLintReport(t, filepath.Join(dir, "bookinfo.html"), "testdata/manifests/bookinfo")
		b.open(t, book)
		b.run(t, chromedp.EmulateViewport(1280, 900),
			chromedp.Click(css(cell("ns-matrix", "bookinfo", "bookinfo"))),
			chromedp.Click(css(cell("wl-matrix", "bookinfo/productpage-v1[Deployment]", "bookinfo/reviews-v2[Deployment]"))),
			chromedp.WaitVisible(css("#why")))
		shot := screenshot(t, b)
		checkScreenshot(t, shot)
		writeScreenshot(t, "bookinfo.png", shot)
		if *updateScreenshot {
			if err := os.WriteFile(filepath.Join(repoRoot(t), "docs", "report-bookinfo.png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b.run(t, chromedp.Click(css("#theme")))
		shot = screenshot(t, b)
		checkScreenshot(t, shot)
		writeScreenshot(t, "bookinfo-dark.png", shot)
		b.noConsoleErrors(t)
	})
}

func screenshot(t *testing.T, b *browser) []byte {
	t.Helper()
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	return shot
}

// writeScreenshot keeps a screenshot under testdata/screenshots (ignored by
// git) for a person to look at.
func writeScreenshot(t *testing.T, name string, shot []byte) {
	t.Helper()
	dir := filepath.Join(packageDir, "testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkScreenshot checks a screenshot without a golden: a PNG of a sane
// size that is not blank (many colours, and no colour on nearly every
// pixel).
func checkScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	if len(shot) < 20<<10 || len(shot) > 8<<20 {
		t.Errorf("screenshot of %d bytes", len(shot))
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is no PNG: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() < 1000 || bounds.Dy() < 600 || bounds.Dy() > 30000 {
		t.Errorf("screenshot of %dx%d", bounds.Dx(), bounds.Dy())
	}
	colors := map[[3]uint32]int{}
	pixels := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colors[[3]uint32{r >> 8, g >> 8, b >> 8}]++
			pixels++
		}
	}
	most := 0
	for _, n := range colors {
		most = max(most, n)
	}
	if len(colors) < 32 || most > pixels*98/100 {
		t.Errorf("screenshot looks blank: %d colours, the commonest on %d of %d pixels", len(colors), most, pixels)
	}
}

// TestBrowserLargeCluster measures, without asserting, the report of the
// 10,000-object cluster of the performance bar: how long writing it takes,
// its size (asserted under 15 MB), and how long Chromium takes to load it
// and to open a namespace cell.
func TestBrowserLargeCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 10,000-object cluster")
	}
	b := newBrowser(t)
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Default()); err != nil {
		t.Fatal(err)
	}
	res, err := lint.Run(lint.Options{Paths: []string{"-"}, Stdin: &buf, Settings: model.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	run := &report.Run{ToolVersion: "test", Findings: res.Findings, Rules: res.Rules, Objects: len(res.Model.Objects), Models: []*model.Model{res.Model}}
	var page bytes.Buffer
	start := time.Now()
	if err := WriteReport(&page, run); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("10,000-object cluster: %d findings, page of %.1f MB written in %v", len(res.Findings), float64(page.Len())/1e6, took.Round(time.Millisecond))
	if page.Len() > 15<<20 {
		t.Errorf("the page is %d bytes, over 15 MB", page.Len())
	}
	path := filepath.Join(t.TempDir(), "cluster.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	load := b.open(t, path)
	start = time.Now()
	b.run(t, chromedp.Click(css(cell("ns-matrix", "team-000", "team-001"))), chromedp.WaitVisible(css("#wl-matrix")),
		chromedp.Click(css(cell("wl-matrix", "team-000/svc-00[Deployment]", "team-001/svc-01[Deployment]"))), chromedp.WaitVisible(css("#why")))
	open := time.Since(start)
	t.Logf("Chromium: loaded and drew it in %v; opened a namespace cell and explained a pair in %v", load.Round(time.Millisecond), open.Round(time.Millisecond))
	start = time.Now()
	b.run(t, chromedp.Click(css("#tab-mesh")))
	t.Logf("Chromium: drew the mesh layer (654,330 connections) in %v", time.Since(start).Round(time.Millisecond))
	if why := b.text(t, "#why"); !strings.Contains(why, "team-000/svc-00[Deployment] ⇒ team-001/svc-01[Deployment]") {
		t.Errorf("no explanation: %s", why)
	}
	b.noConsoleErrors(t)
}
