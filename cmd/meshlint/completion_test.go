package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// shellHarness runs a completion script in its shell and prints, one a
// line, what the shell would offer after the words of line. zsh's
// completion functions only work inside its line editor, so the zsh
// harness stands in for the three the script calls.
var shellHarness = map[string]string{
	"bash": `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _meshlint 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`,
	"zsh": `compdef() { :; }
match() { local w; for w in "$@"; do [[ $w == "$PREFIX"* ]] && print -r -- "$w"; done; return 0; }
_describe() { local e; for e in "${(@P)${@[-1]}}"; do match "${e%%:*}"; done; }
compadd() { if [[ $1 == -a ]]; then match "${(@P)2}"; else [[ $1 == -- ]] && shift; match "$@"; fi; }
_files() { print -r -- '<files>'; }
source "$1"; shift; words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; _meshlint`,
	"fish": `source $argv[1]; complete -C (string join ' ' -- $argv[2..-1])`,
}

func complete(t *testing.T, shell, script, line string) []string {
	t.Helper()
	words := strings.Fields(line)
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	var cmd *exec.Cmd
	switch shell {
	case "fish":
		// complete -C takes the line as typed.
		cmd = exec.Command("fish", "--no-config", "-c", shellHarness[shell], script, line)
	case "zsh":
		cmd = exec.Command("zsh", append([]string{"-f", "-c", shellHarness[shell], "zsh", script}, words...)...)
	default:
		cmd = exec.Command("bash", append([]string{"--norc", "-c", shellHarness[shell], "bash", script}, words...)...)
	}
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s completing %q: %v\n%s", shell, line, err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		word, _, _ := strings.Cut(l, "\t") // fish prints WORD<TAB>DESCRIPTION
		got = append(got, word)
	}
	return got
}

func TestCompletion(t *testing.T) {
	cases := []struct {
		line      string
		want, not []string
	}{
		{line: "meshlint gr", want: []string{"graph"}},
		{line: "meshlint ", want: []string{"lint", "graph", "explain", "version", "completion"}},
		{line: "meshlint graph --lay", want: []string{"--layer"}},
		{line: "meshlint graph --layer ", want: []string{"network", "mesh", "effective"}, not: []string{"graph", "README.md"}},
		{line: "meshlint --format s", want: []string{"sarif"}, not: []string{"connlist"}},
		{line: "meshlint graph --format ", want: []string{"connlist", "mermaid"}, not: []string{"sarif"}},
		{line: "meshlint --fail-on ", want: []string{"error", "warning", "note", "none"}},
		{line: "meshlint explain MSH30", want: []string{"MSH301", "MSH305"}, not: []string{"MSH101"}},
		{line: "meshlint --disable MSH1", want: []string{"MSH101"}},
		{line: "meshlint policy t", want: []string{"test"}},
		{line: "meshlint baseline write --out", want: []string{"--output"}},
		{line: "meshlint completion ", want: []string{"bash", "zsh", "fish"}},
		// A value flag's value is not a command: after --namespace comes
		// whatever the user types, then paths.
		{line: "meshlint --namespace graph ", not: []string{"--layer"}},
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
					t.Fatalf("%s is required (MESHLINT_REQUIRE_TOOLS): %v", shell, err)
				}
				t.Skipf("%s is not installed", shell)
			}
			code, script, errOut := runMeshlint(t, "", "completion", shell)
			if code != 0 {
				t.Fatalf("meshlint completion %s: exit %d: %s", shell, code, errOut)
			}
			path := filepath.Join(t.TempDir(), "meshlint."+shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			if shell == "bash" {
				shellcheck(t, path)
			}
			for _, tc := range cases {
				got := complete(t, shell, path, tc.line)
				for _, w := range tc.want {
					if !slices.Contains(got, w) {
						t.Errorf("%q: %s offers %q, which lacks %q", tc.line, shell, got, w)
					}
				}
				for _, w := range tc.not {
					if slices.Contains(got, w) {
						t.Errorf("%q: %s offers %q, which should not hold %q", tc.line, shell, got, w)
					}
				}
			}
			// Paths are the arguments of lint: bash and fish list files, the
			// zsh harness stands for _files.
			files := complete(t, shell, path, "meshlint READ")
			if !slices.Contains(files, "README.md") && !slices.Contains(files, "<files>") {
				t.Errorf("%s offers %q for a path, want README.md", shell, files)
			}
		})
	}
}

// shellcheck lints a bash script, when shellcheck is installed (the test
// command installs it).
func shellcheck(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
			t.Fatalf("shellcheck is required (MESHLINT_REQUIRE_TOOLS): %v", err)
		}
		t.Logf("shellcheck is not installed: %s not linted", path)
		return
	}
	if out, err := exec.Command("shellcheck", "--shell=bash", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", filepath.Base(path), err, out)
	}
}

func TestCompletionUsage(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, errOut := runMeshlint(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("meshlint %s: exit %d, stderr %q; want 2 and a message", strings.Join(args, " "), code, errOut)
		}
	}
}

func TestFlagValues(t *testing.T) {
	for _, tc := range []struct {
		usage string
		want  []string
	}{
		{"output format: github, gitlab, json", []string{"github", "gitlab", "json"}},
		{"text, json or markdown", []string{"text", "json", "markdown"}},
		{"network (NetworkPolicy), mesh (Istio authorization) or effective (both)", []string{"network", "mesh", "effective"}},
		{"namespace istiod runs in", nil},
		{"also write FORMAT=PATH (repeatable)", nil},
		{"read settings from this file (default: .meshlint.yaml in the working directory)", nil},
	} {
		if got := flagValues("x", tc.usage); !slices.Equal(got, tc.want) {
			t.Errorf("flagValues(%q) = %q, want %q", tc.usage, got, tc.want)
		}
	}
}

// TestCompletionQuoting: a description holding quotes, backslashes,
// backticks and the characters each shell expands reaches the shell
// unchanged, and the script parses (fish -n, zsh -n).
func TestCompletionQuoting(t *testing.T) {
	hard := []string{
		"plain",
		"it's `FILE`",
		`a "quoted" \ backslash`,
		"$HOME (sub) ; & | * ? [x] {a,b} ~ # end",
		`\'`,
		"",
	}
	for _, tc := range []struct {
		shell string
		quote func(string) string
		echo  string // prints its argument unchanged
	}{
		{"fish", fishQuote, "printf '%s' "},
		{"zsh", zshQuote, "printf '%s' "},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			if _, err := exec.LookPath(tc.shell); err != nil {
				if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
					t.Fatalf("%s is required (MESHLINT_REQUIRE_TOOLS): %v", tc.shell, err)
				}
				t.Skipf("%s is not installed", tc.shell)
			}
			for _, s := range hard {
				out, err := exec.Command(tc.shell, "-c", tc.echo+tc.quote(s)).Output()
				if err != nil || string(out) != s {
					t.Errorf("%s: %s printed %q (%v), want %q", tc.shell, tc.quote(s), out, err, s)
				}
			}
			_, script, _ := runMeshlint(t, "", "completion", tc.shell)
			path := filepath.Join(t.TempDir(), "meshlint."+tc.shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(tc.shell, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", tc.shell, err, out)
			}
			// urfave/cli's placeholder backticks are markup, not text.
			if strings.Contains(script, "`") {
				t.Errorf("the %s script shows backticks in descriptions", tc.shell)
			}
		})
	}
	if _, err := exec.LookPath("fish"); err == nil {
		_, script, _ := runMeshlint(t, "", "completion", "fish")
		path := filepath.Join(t.TempDir(), "meshlint.fish")
		if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command("fish", "--no-config", "-c", shellHarness["fish"], path, "meshlint --conf").Output()
		if !strings.Contains(string(out), "--config\tread settings from FILE") {
			t.Errorf("fish describes --config as %q, want the help's text without backticks", out)
		}
	}
}
