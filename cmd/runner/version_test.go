package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVersionOfABuiltBinary builds the runner as a user does, with the
// version control information Go stamps into binaries, and checks that
// runner version and --version print the commit it was built from and
// whether the work tree had changes, as git sees them; and that a run's
// record names the module version. Outside a git work tree (a source
// archive), it checks that no revision is claimed.
func TestVersionOfABuiltBinary(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "runner")
	head, gitErr := exec.Command("git", "rev-parse", "HEAD").Output()
	vcs := "-buildvcs=true"
	if gitErr != nil {
		vcs = "-buildvcs=auto"
	}
	build := exec.Command(goTool, "build", vcs, "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(out))
	t.Logf("runner version: %s", version)
	if flag, err := exec.Command(bin, "--version").Output(); err != nil || string(flag) != string(out) {
		t.Errorf("runner --version: %q, %v; want %q", flag, err, out)
	}
	m := regexp.MustCompile(`^runner (\S+)(?:, revision ([0-9a-f]{40})( \(modified\))?)?, built with (go\S+)$`).FindStringSubmatch(version)
	if m == nil {
		t.Fatalf("runner version prints %q", version)
	}
	module, revision, modified := m[1], m[2], m[3] != ""
	if gitErr != nil {
		if revision != "" {
			t.Errorf("built outside git, the runner claims revision %s", revision)
		}
	} else {
		if want := strings.TrimSpace(string(head)); revision != want {
			t.Fatalf("revision %q, want %s (git rev-parse HEAD); a Go build with -buildvcs=false (GOFLAGS) stamps none", revision, want)
		}
		status, err := exec.Command("git", "status", "--porcelain").Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := len(status) > 0; modified != want {
			t.Errorf("modified: %t; git status --porcelain says %t:\n%s", modified, want, status)
		}
		// A pseudo-version names the revision's first 12 digits.
		if !strings.Contains(module, revision[:12]) {
			t.Errorf("module version %s does not name revision %s", module, revision)
		}
	}

	exp := filepath.Join(dir, "e.yaml")
	if err := os.WriteFile(exp, []byte("data: [{x: 0, y: 1}]\nweights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}\nalpha: 0.1\ntolerance: 0.001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "results")
	if out, err := exec.Command(bin, "run", "-o", results, exp).CombinedOutput(); err != nil {
		t.Fatalf("runner run: %v\n%s", err, out)
	}
	manifest, err := os.ReadFile(filepath.Join(results, "e", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nrunner: \"" + module + "\"\n"; !strings.Contains(string(manifest), want) {
		t.Errorf("the experiment's manifest.yaml does not say %q:\n%s", want, manifest)
	}
}
