package meshlint_test

// The Action's install step (ci/github/install.sh) against a fake release:
// a local server laid out as GitHub's releases pages, with archives named
// and packed as .goreleaser.yaml makes them.

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRelease serves /releases/download/TAG/FILE from files and redirects
// /releases/latest to /releases/tag/TAG, as GitHub does.
func fakeRelease(t *testing.T, tag string, files map[string][]byte) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/releases/latest", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/releases/tag/"+tag, http.StatusFound)
	})
	mux.HandleFunc("/releases/tag/"+tag, func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/releases/download/"+tag+"/", func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[strings.TrimPrefix(r.URL.Path, "/releases/download/"+tag+"/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/releases"
}

// releaseArchive packs a stand-in binary that names its platform, beside
// the files .goreleaser.yaml adds.
func releaseArchive(t *testing.T, goos, goarch string) []byte {
	t.Helper()
	exe, body := "meshlint", []byte("#!/bin/sh\necho "+goos+"_"+goarch+"\n")
	files := []struct {
		name string
		data []byte
	}{{"LICENSE", []byte("license")}, {"README.md", []byte("readme")}}
	var buf bytes.Buffer
	if goos == "windows" {
		exe += ".exe"
		zw := zip.NewWriter(&buf)
		for _, f := range append(files, struct {
			name string
			data []byte
		}{exe, body}) {
			w, err := zw.Create(f.name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(f.data)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range append(files, struct {
		name string
		data []byte
	}{exe, body}) {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// releaseFiles is a release's assets: an archive per platform and the
// checksums file, in sha256sum's format as GoReleaser writes it.
func releaseFiles(t *testing.T, number string) map[string][]byte {
	files := map[string][]byte{}
	var sums strings.Builder
	for _, goos := range []string{"darwin", "linux", "windows"} {
		for _, goarch := range []string{"amd64", "arm64"} {
			ext := "tar.gz"
			if goos == "windows" {
				ext = "zip"
			}
			name := fmt.Sprintf("meshlint_%s_%s_%s.%s", number, goos, goarch, ext)
			files[name] = releaseArchive(t, goos, goarch)
			fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(files[name]), name)
		}
	}
	files["meshlint_"+number+"_checksums.txt"] = []byte(sums.String())
	return files
}

// runInstall runs the install script as the Action does, on a runner of
// the given OS and architecture.
func runInstall(t *testing.T, releases, runnerOS, runnerArch, version string) (bin string, stderr string, err error) {
	t.Helper()
	script, err := filepath.Abs("ci/github/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "bin dir") // paths with spaces
	cmd := exec.Command("bash", script, version, dest)
	cmd.Env = append(os.Environ(), "RUNNER_OS="+runnerOS, "RUNNER_ARCH="+runnerArch, "MESHLINT_RELEASES="+releases)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return strings.TrimSpace(out.String()), errOut.String(), err
}

func TestActionInstall(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the install script needs %s: %v", tool, err)
		}
	}
	releases := fakeRelease(t, "v1.2.3", releaseFiles(t, "1.2.3"))
	for _, tc := range []struct {
		os, arch, version, want string
	}{
		{"Linux", "X64", "v1.2.3", "linux_amd64"},
		{"Linux", "ARM64", "v1.2.3", "linux_arm64"},
		{"macOS", "X64", "v1.2.3", "darwin_amd64"},
		{"macOS", "ARM64", "v1.2.3", "darwin_arm64"},
		{"Windows", "X64", "v1.2.3", "windows_amd64"},
		{"Windows", "ARM64", "v1.2.3", "windows_arm64"},
		{"Linux", "X64", "latest", "linux_amd64"},
	} {
		t.Run(tc.os+"_"+tc.arch+"_"+tc.version, func(t *testing.T) {
			bin, stderr, err := runInstall(t, releases, tc.os, tc.arch, tc.version)
			if err != nil {
				t.Fatalf("install: %v\n%s", err, stderr)
			}
			wantExe := "meshlint"
			if tc.os == "Windows" {
				wantExe += ".exe"
			}
			if filepath.Base(bin) != wantExe {
				t.Errorf("installed %s, want %s", bin, wantExe)
			}
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "echo "+tc.want+"\n") {
				t.Errorf("installed the binary of another platform: %q, want %s's", data, tc.want)
			}
			if info, err := os.Stat(bin); err != nil || info.Mode()&0o100 == 0 {
				t.Errorf("%s is not executable: %v", bin, err)
			}
		})
	}
}

func TestActionInstallRefuses(t *testing.T) {
	good := releaseFiles(t, "1.2.3")
	tampered := releaseFiles(t, "1.2.3")
	tampered["meshlint_1.2.3_linux_amd64.tar.gz"] = releaseArchive(t, "linux", "arm64")
	unlisted := releaseFiles(t, "1.2.3")
	unlisted["meshlint_1.2.3_checksums.txt"] = []byte("0000  meshlint_1.2.3_darwin_amd64.tar.gz\n")
	noSums := releaseFiles(t, "1.2.3")
	delete(noSums, "meshlint_1.2.3_checksums.txt")
	for _, tc := range []struct {
		name          string
		files         map[string][]byte
		os, arch, ver string
		wantInMessage string
	}{
		{"checksum mismatch", tampered, "Linux", "X64", "v1.2.3", "does not match its checksum"},
		{"no checksum listed", unlisted, "Linux", "X64", "v1.2.3", "lists no checksum for meshlint_1.2.3_linux_amd64.tar.gz"},
		{"no checksums file", noSums, "Linux", "X64", "v1.2.3", "could not download meshlint_1.2.3_checksums.txt"},
		{"no such release", good, "Linux", "X64", "v9.9.9", "could not download"},
		{"not a tag", good, "Linux", "X64", "main", "not a release tag"},
		{"unknown OS", good, "FreeBSD", "X64", "v1.2.3", "runner OS 'FreeBSD'"},
		{"unknown architecture", good, "Linux", "ARM", "v1.2.3", "runner architecture 'ARM'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			releases := fakeRelease(t, "v1.2.3", tc.files)
			bin, stderr, err := runInstall(t, releases, tc.os, tc.arch, tc.ver)
			if err == nil {
				t.Fatalf("install succeeded (%s), want a failure", bin)
			}
			if !strings.Contains(stderr, tc.wantInMessage) {
				t.Errorf("stderr %q, want it to say %q", stderr, tc.wantInMessage)
			}
			if bin != "" {
				t.Errorf("printed a path (%s) although it failed", bin)
			}
		})
	}
}
