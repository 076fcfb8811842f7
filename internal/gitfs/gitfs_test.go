package gitfs

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// repo makes a git repository with two commits of a folder, and returns it.
func repo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q")
	write("results/a/trace.csv", "first\n")
	write("results/top.md", "top\n")
	write("other.txt", "not results\n")
	run("add", ".")
	run("commit", "-q", "-m", "one")
	write("results/a/trace.csv", strings.Repeat("second\n", 20000))
	write("results/b/c/run.yaml", "run\n")
	run("add", ".")
	run("commit", "-q", "-m", "two")
	run("tag", "v1", "HEAD~1")
	return dir
}

// TestFolderOfACommit reads a folder of two commits, passes fstest's
// checks of an fs.FS, and reads files whole or in turns.
func TestFolderOfACommit(t *testing.T) {
	dir := repo(t)
	r, err := Open(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := r.Resolve("v1")
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Folder(old, "results")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := fstest.TestFS(first, "a/trace.csv", "top.md"); err != nil {
		t.Error(err)
	}
	head, _ := r.Resolve("HEAD")
	second, err := r.Folder(head, "results")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := fstest.TestFS(second, "a/trace.csv", "top.md", "b/c/run.yaml"); err != nil {
		t.Error(err)
	}
	// Two files open at once: the first is read whole, then the second.
	a, err := second.Open("a/trace.csv")
	if err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 7)
	if _, err := io.ReadFull(a, part); err != nil || string(part) != "second\n" {
		t.Fatalf("read %q, %v", part, err)
	}
	top, err := fs.ReadFile(second, "top.md")
	if err != nil || string(top) != "top\n" {
		t.Errorf("top.md: %q, %v", top, err)
	}
	rest, err := io.ReadAll(a)
	if err != nil || len(rest) != 7*19999 {
		t.Errorf("the rest of a/trace.csv: %d bytes, %v", len(rest), err)
	}
	a.Close()
	if data, err := fs.ReadFile(first, "a/trace.csv"); err != nil || string(data) != "first\n" {
		t.Errorf("a/trace.csv at v1: %q, %v", data, err)
	}
	if _, err := fs.Stat(first, "other.txt"); err == nil {
		t.Errorf("a file outside the folder is in it")
	}
}

// TestErrors asks for what is not there.
func TestErrors(t *testing.T) {
	dir := repo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve("no-such-branch"); err == nil || !strings.Contains(err.Error(), `no commit named "no-such-branch"`) {
		t.Errorf("Resolve of no revision: %v", err)
	}
	head, _ := r.Resolve("HEAD")
	if _, err := r.Folder(head, "elsewhere"); err == nil || !strings.Contains(err.Error(), "has no folder elsewhere") {
		t.Errorf("Folder of no folder: %v", err)
	}
	if _, err := Open(t.TempDir()); err != ErrNotRepository {
		t.Errorf("Open outside a repository: %v, want %v", err, ErrNotRepository)
	}
}
