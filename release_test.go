package meshlint_test

// The release's files: hadolint is not to be had here (no Debian or npm
// package, no Go module), so the Dockerfile's essentials are checked here,
// with the parts of .goreleaser.yaml that `goreleaser check` cannot know
// (that its names and -X flags match the code that reads them).

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type dockerInstruction struct {
	line int
	cmd  string // upper case
	args string
}

type dockerStage struct {
	from, name string
	body       []dockerInstruction
}

// parseDockerfile splits a Dockerfile into stages, joining continued lines
// and dropping comments.
func parseDockerfile(data string) ([]dockerStage, []string) {
	var stages []dockerStage
	var problems []string
	sc := bufio.NewScanner(strings.NewReader(data))
	n, start := 0, 0
	var cur strings.Builder
	flush := func() {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text == "" {
			return
		}
		cmd, args, _ := strings.Cut(text, " ")
		in := dockerInstruction{start, strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				problems = append(problems, "line "+strconv.Itoa(in.line)+": "+in.cmd+" before the first FROM")
			}
			return
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	return stages, problems
}

var pinnedByDigest = regexp.MustCompile(`^[a-z0-9.-]+(/[a-z0-9._-]+)+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)

// checkDockerfile lists what keeps a Dockerfile from being the image we
// ship: every stage from a base pinned by digest, the binary GoReleaser put
// in the context for the target platform, a non-root user, /work, meshlint
// as the entrypoint in exec form, and nothing that needs a shell.
func checkDockerfile(data string) []string {
	stages, problems := parseDockerfile(data)
	bad := func(s string) { problems = append(problems, s) }
	if len(stages) == 0 {
		bad("no FROM")
	}
	for _, st := range stages {
		where := "stage " + cmpOr(st.name, st.from)
		if !pinnedByDigest.MatchString(st.from) {
			bad(where + ": base " + st.from + " is not pinned by tag and digest (image:tag@sha256:...)")
		}
		var user, workdir, entrypoint, copied string
		arg := false
		for _, in := range st.body {
			switch in.cmd {
			case "RUN", "SHELL":
				bad(where + ": " + in.cmd + " needs a shell, which the base has not")
			case "ADD":
				bad(where + ": ADD (COPY the files GoReleaser built instead)")
			case "ARG":
				arg = arg || in.args == "TARGETPLATFORM"
			case "COPY":
				f := strings.Fields(in.args)
				src, dst := f[len(f)-2], f[len(f)-1]
				if src != "$TARGETPLATFORM/meshlint" && src != "${TARGETPLATFORM}/meshlint" {
					bad(where + ": COPY " + src + ", want $TARGETPLATFORM/meshlint (the context dockers_v2 makes)")
				}
				if !arg {
					bad(where + ": COPY before ARG TARGETPLATFORM in the stage: the variable is empty")
				}
				copied = dst
			case "USER":
				user = in.args
			case "WORKDIR":
				workdir = in.args
			case "ENTRYPOINT":
				var argv []string
				if err := json.Unmarshal([]byte(in.args), &argv); err != nil || len(argv) == 0 {
					bad(where + ": ENTRYPOINT " + in.args + " is not in exec form")
					continue
				}
				entrypoint = argv[0]
			}
		}
		uid, _, _ := strings.Cut(user, ":")
		if uid == "" || uid == "0" || uid == "root" {
			bad(where + ": runs as root (USER " + user + ")")
		}
		if workdir != "/work" {
			bad(where + ": WORKDIR " + workdir + ", want /work")
		}
		if entrypoint == "" || entrypoint != copied || filepath.Base(entrypoint) != "meshlint" {
			bad(where + ": ENTRYPOINT " + entrypoint + " is not the meshlint it copies to " + copied)
		}
	}
	// `docker build` without --target builds the last stage: the one with
	// no shell.
	if len(stages) > 0 && strings.Contains(stages[len(stages)-1].from, "debug") {
		bad("the last (default) stage is a debug image")
	}
	return problems
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkDockerfile(string(data)); len(problems) > 0 {
		t.Errorf("Dockerfile:\n  %s", strings.Join(problems, "\n  "))
	}
	// Each image of .goreleaser.yaml builds a stage the Dockerfile has.
	stages, _ := parseDockerfile(string(data))
	var names []string
	for _, st := range stages {
		names = append(names, st.name)
	}
	for _, d := range goreleaserConfig(t).DockersV2 {
		if d.Dockerfile != "Dockerfile" {
			t.Errorf("dockers_v2 %s builds %s", d.ID, d.Dockerfile)
		}
		for _, f := range d.Flags {
			if target, ok := strings.CutPrefix(f, "--target="); ok && !slices.Contains(names, target) {
				t.Errorf("dockers_v2 %s builds target %s, which the Dockerfile lacks (it has %v)", d.ID, target, names)
			}
		}
	}
}

// TestDockerfileChecks proves the checks can fail.
func TestDockerfileChecks(t *testing.T) {
	const good = "FROM gcr.io/distroless/static-debian12:nonroot@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + " AS default\n" +
		"ARG TARGETPLATFORM\nCOPY $TARGETPLATFORM/meshlint /usr/local/bin/meshlint\nWORKDIR /work\nUSER 65532:65532\nENTRYPOINT [\"/usr/local/bin/meshlint\"]\n"
	if p := checkDockerfile(good); len(p) > 0 {
		t.Fatalf("a good Dockerfile: %v", p)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"tag only", "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "", "not pinned"},
		{"root", "USER 65532:65532", "USER 0", "runs as root"},
		{"no user", "USER 65532:65532\n", "", "runs as root"},
		{"shell form", `["/usr/local/bin/meshlint"]`, "/usr/local/bin/meshlint", "exec form"},
		{"a RUN", "WORKDIR /work", "WORKDIR /work\nRUN chmod +x /usr/local/bin/meshlint", "needs a shell"},
		{"workdir", "WORKDIR /work", "WORKDIR /", "WORKDIR /"},
		{"no ARG", "ARG TARGETPLATFORM\n", "", "before ARG TARGETPLATFORM"},
		{"debug last", "static-debian12:nonroot", "static-debian12:debug-nonroot", "debug image"},
	} {
		bad := strings.Replace(good, tc.old, tc.new, 1)
		if bad == good {
			t.Fatalf("%s: the replacement changed nothing", tc.name)
		}
		if p := strings.Join(checkDockerfile(bad), "\n"); !strings.Contains(p, tc.want) {
			t.Errorf("%s: want %q among the problems, got:\n%s", tc.name, tc.want, p)
		}
	}
}

type goreleaserFile struct {
	Builds []struct {
		ID           string   `yaml:"id"`
		Main         string   `yaml:"main"`
		Goos         []string `yaml:"goos"`
		Goarch       []string `yaml:"goarch"`
		Flags        []string `yaml:"flags"`
		Ldflags      []string `yaml:"ldflags"`
		ModTimestamp string   `yaml:"mod_timestamp"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate string `yaml:"name_template"`
		Files        []struct {
			Src string `yaml:"src"`
		} `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
	DockersV2 []struct {
		ID         string   `yaml:"id"`
		Dockerfile string   `yaml:"dockerfile"`
		Flags      []string `yaml:"flags"`
	} `yaml:"dockers_v2"`
}

func goreleaserConfig(t *testing.T) goreleaserFile {
	t.Helper()
	data, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGoreleaserConfig: the six platforms, reproducible builds, and names
// and -X flags that match what reads them.
func TestGoreleaserConfig(t *testing.T) {
	c := goreleaserConfig(t)
	if len(c.Builds) != 1 {
		t.Fatalf("%d builds, want 1", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "./cmd/meshlint" || !slices.Equal(b.Goos, []string{"linux", "darwin", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("build %s: main %s on %v x %v", b.ID, b.Main, b.Goos, b.Goarch)
	}
	if !slices.Contains(b.Flags, "-trimpath") || b.ModTimestamp == "" {
		t.Errorf("build is not reproducible: flags %v, mod_timestamp %q", b.Flags, b.ModTimestamp)
	}
	// Every -X names a variable of internal/version.
	src, err := os.ReadFile("internal/version/version.go")
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?m)^var version, commit, date string$`)
	if !decl.Match(src) {
		t.Fatal("internal/version no longer declares `var version, commit, date string`: update this test and .goreleaser.yaml together")
	}
	stamped := map[string]bool{}
	for _, m := range regexp.MustCompile(`-X (\S+)=`).FindAllStringSubmatch(strings.Join(b.Ldflags, " "), -1) {
		name, ok := strings.CutPrefix(m[1], "github.com/meshlint/meshlint/internal/version.")
		if !ok || !slices.Contains([]string{"version", "commit", "date"}, name) {
			t.Errorf("ldflags set %s, which is not a variable of internal/version", m[1])
		}
		stamped[name] = true
	}
	if len(stamped) != 3 {
		t.Errorf("ldflags stamp %v, want version, commit and date", stamped)
	}
	// The Action downloads by these names.
	install, err := os.ReadFile("ci/github/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	for tmpl, want := range map[string]string{
		c.Archives[0].NameTemplate + ".$ext": `archive="meshlint_${number}_${os}_${arch}.$ext"`,
		c.Checksum.NameTemplate:              `sums="meshlint_${number}_checksums.txt"`,
	} {
		// {{ .ProjectName }} is meshlint, {{ .Version }} the tag without v.
		r := strings.NewReplacer("{{ .ProjectName }}", "meshlint", "{{ .Version }}", "${number}", "{{ .Os }}", "${os}", "{{ .Arch }}", "${arch}")
		got := r.Replace(tmpl)
		if !strings.Contains(string(install), `="`+got+`"`) || !strings.Contains(string(install), want) {
			t.Errorf("GoReleaser names %s (%s), which ci/github/install.sh does not download (%s)", tmpl, got, want)
		}
	}
	var files []string
	for _, f := range c.Archives[0].Files {
		files = append(files, f.Src)
	}
	for _, want := range []string{"LICENSE", "NOTICE", "README.md"} {
		if !slices.Contains(files, want) {
			t.Errorf("archives lack %s (they hold %v)", want, files)
		}
	}
}

func TestReleaseNotes(t *testing.T) {
	changelog := filepath.Join(t.TempDir(), "CHANGELOG.md")
	os.WriteFile(changelog, []byte("# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2027-01-15\n\n### Added\n\n- b\n\n## [1.1.0] - 2026-12-01\n\n- a\n\n[1.2.0]: x\n"), 0o644)
	for _, tc := range []struct {
		version, want string
		fails         bool
	}{
		{"v1.2.0", "\n### Added\n\n- b\n", false},
		{"1.1.0", "\n- a\n", false}, // without the link definitions
		{"v1.3.0", "", true},
		{"Unreleased", "", true}, // empty
	} {
		out, err := exec.Command("bash", "scripts/release-notes.sh", tc.version, changelog).Output()
		if tc.fails != (err != nil) || !tc.fails && string(out) != tc.want {
			t.Errorf("%s: %q, %v; want %q (fails: %v)", tc.version, out, err, tc.want, tc.fails)
		}
	}
}

// TestChangelog: Keep a Changelog's headings, each with its link.
func TestChangelog(t *testing.T) {
	data, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`^## \[(Unreleased|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\](?: - \d{4}-\d{2}-\d{2})?$`)
	var versions []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("heading %q is not ## [VERSION] - YYYY-MM-DD or ## [Unreleased]", line)
			continue
		}
		if m[1] != "Unreleased" && !strings.Contains(line, " - ") {
			t.Errorf("release %s has no date", m[1])
		}
		versions = append(versions, m[1])
	}
	if len(versions) == 0 || versions[0] != "Unreleased" {
		t.Errorf("the first section is %v, want [Unreleased]", versions)
	}
	for _, v := range versions {
		if !strings.Contains(string(data), "\n["+v+"]: ") {
			t.Errorf("no link for [%s]", v)
		}
	}
}
