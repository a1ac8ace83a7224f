package meshlint_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type gitlabInclude struct {
	Variables map[string]string `yaml:"variables"`
	Meshlint  struct {
		Stage string `yaml:"stage"`
		Image struct {
			Name       string   `yaml:"name"`
			Entrypoint []string `yaml:"entrypoint"`
		} `yaml:"image"`
		Script    []string `yaml:"script"`
		Artifacts struct {
			When    string `yaml:"when"`
			Reports struct {
				CodeQuality string `yaml:"codequality"`
			} `yaml:"reports"`
		} `yaml:"artifacts"`
	} `yaml:"meshlint"`
}

// TestGitLabInclude checks ci/gitlab/meshlint.yml and runs its script as
// the runner would (in a POSIX shell, with the include's variables), on a
// project holding the article's manifests.
func TestGitLabInclude(t *testing.T) {
	data, err := os.ReadFile("ci/gitlab/meshlint.yml")
	if err != nil {
		t.Fatal(err)
	}
	var inc gitlabInclude
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&inc); err != nil {
		t.Fatal(err)
	}
	job := inc.Meshlint
	// The runner needs a shell in the image, which only the debug image
	// has, and an empty entrypoint to start it.
	image := inc.Variables["MESHLINT_IMAGE"]
	repo, tag, _ := strings.Cut(image, ":")
	if job.Image.Name != "$MESHLINT_IMAGE" || repo != "ghcr.io/meshlint/meshlint" || !strings.Contains(tag, "debug") {
		t.Errorf("image %s (MESHLINT_IMAGE %s): want ghcr.io/meshlint/meshlint's debug image", job.Image.Name, image)
	}
	if len(job.Image.Entrypoint) != 1 || job.Image.Entrypoint[0] != "" {
		t.Errorf("entrypoint %q, want [\"\"]", job.Image.Entrypoint)
	}
	published := false
	for _, d := range goreleaserConfig(t).DockersV2 {
		for _, f := range d.Flags {
			published = published || f == "--target=debug"
		}
	}
	if !published {
		t.Error(".goreleaser.yaml builds no debug image")
	}
	if job.Artifacts.When != "always" || job.Artifacts.Reports.CodeQuality == "" {
		t.Errorf("artifacts %+v: want the Code Quality report, kept when the job fails", job.Artifacts)
	}

	if testing.Short() {
		return
	}
	bin := meshlintBinary(t)
	project := t.TempDir()
	copyTree(t, "testdata/manifests/seed", filepath.Join(project, "deploy"))
	if out, err := exec.Command("git", "-C", project, "init", "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	cmd := exec.Command("sh", "-c", strings.Join(job.Script, "\n"))
	cmd.Dir = project
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range inc.Variables {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "MESHLINT_PATHS=deploy", "MESHLINT_ARGS=--namespace default")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("the script: %v, want exit 1 (findings)\n%s", err, out)
	}
	report, err := os.ReadFile(filepath.Join(project, job.Artifacts.Reports.CodeQuality))
	if err != nil {
		t.Fatalf("no Code Quality report: %v\n%s", err, out)
	}
	var issues []struct {
		CheckName string `json:"check_name"`
		Location  struct {
			Path string `json:"path"`
		} `json:"location"`
	}
	if err := json.Unmarshal(report, &issues); err != nil || len(issues) == 0 {
		t.Fatalf("report %s: %v, %d issues", report, err, len(issues))
	}
	for _, is := range issues {
		if !strings.HasPrefix(is.Location.Path, "deploy/") {
			t.Errorf("issue %s at %q: want a path relative to the project", is.CheckName, is.Location.Path)
		}
	}
}
