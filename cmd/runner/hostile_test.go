package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestHostileResultsFolders runs the hostile results-folder corpus in
// testdata/hostile (issue 19): each script writes a results folder with
// the runner, plants one defect in it (a name that leads out of the
// folder, a link, a named pipe, a damaged or edited file, a foreign
// folder, a stale cache), and runs run, run --prune, run --check, diff
// and summarize on it. Each command must end in bounded time, with the
// status and message the script asserts; none may change the victims
// (a file and a folder beside the results folder, and whatever else a
// script names), print a Go type or panic.
func TestHostileResultsFolders(t *testing.T) {
	for _, tool := range []string{"timeout", "git", "mkfifo", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the corpus needs %s: %v", tool, err)
		}
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/hostile",
		Setup: func(env *testscript.Env) error {
			for k, v := range gitEnv {
				env.Setenv(k, v)
			}
			env.Values[victimsKey{}] = &victims{}
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"status":   boundedStatus,
			"victim":   victim,
			"victimok": victimOK,
			"edit":     edit,
		},
	})
}

// gitEnv lets the scripts commit without a user's configuration.
var gitEnv = map[string]string{
	"GIT_AUTHOR_NAME": "hostile", "GIT_AUTHOR_EMAIL": "hostile@example.com",
	"GIT_COMMITTER_NAME": "hostile", "GIT_COMMITTER_EMAIL": "hostile@example.com",
	"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
}

// commandTimeout bounds each command of the corpus: a named pipe opened
// for reading, or a link to one, would block a reader forever.
const commandTimeout = 10 * time.Second

// boundedStatus runs a command and checks its exit status, as the status
// command of TestScripts does:
//
//	status 2 runner run exp.yaml
//
// It also fails if the command does not end within commandTimeout (it is
// then killed), if its output shows a panic or a Go type, or if a victim
// changed. Its stdout and stderr are kept for the commands that follow.
func boundedStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %v", err)
	}
	limit := strconv.Itoa(int(commandTimeout.Seconds())) + "s"
	start := time.Now()
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec("timeout", append([]string{"--kill-after=2s", limit}, args[1:]...)...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("status: %v", err)
	}
	if time.Since(start) >= commandTimeout {
		ts.Fatalf("%s did not end within %v (blocked?), and was killed", strings.Join(args[1:], " "), commandTimeout)
	}
	for _, std := range []string{"stdout", "stderr"} {
		if m := goInternals.FindString(ts.ReadFile(std)); m != "" {
			ts.Fatalf("%s shows %q: a panic or a Go type, not a message for people", std, m)
		}
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
	victimOK(ts, false, nil)
}

// goInternals matches what no message of the runner's should show: a
// panic, a goroutine dump, a Go type (as yaml.v3 and %#v print them), a
// formatting mistake.
var goInternals = regexp.MustCompile(`panic: |goroutine \d+ \[|in type |struct \{|map\[[a-z]|\*?\b[a-z]+\.[A-Z]\w*\{|%!`)

// victimsKey keys a script's victims in its testscript values.
type victimsKey struct{}

// victims are files and folders outside the results folder that no
// command may change, and how each was when it was noted.
type victims struct {
	paths []string
	seen  map[string]string
}

// victimFiles are the victims beside the results folder: a file, and a
// folder whose files have the names of a run's and an experiment's, so
// that a name that leads out of the results folder finds something to
// delete or overwrite.
var victimFiles = map[string]string{
	"victim.txt":           "a file beside the results folder\n",
	"victim/trace.csv":     "iteration,b3\n1,0\n",
	"victim/iterations.md": "not the runner's\n",
	"victim/manifest.yaml": "# not the runner's\n",
	"victim/records.csv":   "run\n",
	"victim/inner/file":    "deeper\n",
}

// writeVictims writes the victims into dir, beside the results folder.
func writeVictims(dir string) error {
	for name, content := range victimFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// victim notes the victims that every command after it must leave as
// they are: victim.txt and the folder victim/ beside the results folder
// (created if they are not there), and any other paths given, such as a
// folder a planted link leads to.
//
//	victim outside
func victim(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: victim [path...]")
	}
	v := ts.Value(victimsKey{}).(*victims)
	if _, err := os.Lstat(ts.MkAbs("victim.txt")); errors.Is(err, fs.ErrNotExist) {
		ts.Check(writeVictims(ts.MkAbs(".")))
	}
	v.paths = slices.Compact(slices.Sorted(slices.Values(append(append(v.paths, "victim.txt", "victim"), args...))))
	v.seen = map[string]string{}
	for _, p := range v.paths {
		listing, err := snapshot(ts.MkAbs(p))
		ts.Check(err)
		v.seen[p] = listing
	}
}

// victimOK checks that every victim is as victim noted it, byte for byte:
// the same names, kinds, permissions, modification times and contents.
func victimOK(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 0 {
		ts.Fatalf("usage: victimok")
	}
	v := ts.Value(victimsKey{}).(*victims)
	for _, p := range v.paths {
		now, err := snapshot(ts.MkAbs(p))
		ts.Check(err)
		if now != v.seen[p] {
			ts.Fatalf("victim %s changed:\nwas:\n%snow:\n%s", p, v.seen[p], now)
		}
	}
}

// snapshot describes a file or a folder and everything under it, without
// following links: a line for each name, with its kind, permissions,
// modification time, and its content's SHA-256 (a link's target).
func snapshot(root string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(&b, "%s %v %d", filepath.ToSlash(rel), info.Mode(), info.ModTime().UnixNano())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " -> %s", target)
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %d %x", len(data), sha256.Sum256(data))
		}
		b.WriteByte('\n')
		return nil
	})
	return b.String(), err
}

// edit plants a defect in a file: it replaces every match of a regular
// expression (Go syntax, multi-line: ^ and $ match at line ends) with a
// replacement, in which $1 or ${1} stand for a group and \n for a line
// end. It fails if nothing matches, so that a script never goes on with a
// defect it did not plant.
//
//	edit results/lr/records.csv '^(lr/alpha=0\.2,[0-9a-f]+),converged,' '${1},diverged,'
func edit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: edit file regexp replacement")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	if !re.Match(data) {
		ts.Fatalf("edit: %s has nothing that matches %s", args[0], args[1])
	}
	info, err := os.Stat(name)
	ts.Check(err)
	out := re.ReplaceAll(data, []byte(strings.ReplaceAll(args[2], `\n`, "\n")))
	ts.Check(os.WriteFile(name, out, info.Mode().Perm()))
}
