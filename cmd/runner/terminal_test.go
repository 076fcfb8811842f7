package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/descentlab/runner/internal/golden"
)

// session is how a test runs the runner: in a folder, with environment
// variables, and its standard output on a terminal of some width, or on a
// pipe if the width is 0.
type session struct {
	dir  string
	cols uint16
	env  []string
}

// run runs the runner with args and returns what it wrote on stdout (with
// the terminal's CRLF line ends as LF), on stderr, and its exit status.
// The variables that change how it writes (COLUMNS, NO_COLOR, TERM) are
// only those s.env sets, TERM being xterm-256color unless it sets it.
func (s session) run(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(runnerPath(t), args...)
	cmd.Dir = s.dir
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "COLUMNS" && name != "NO_COLOR" && name != "TERM" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "TERM=xterm-256color"), s.env...)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	var out []byte
	var err error
	if s.cols == 0 {
		out, err = cmd.Output()
	} else {
		out, err = onTerminal(t, cmd, s.cols)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n"), errBuf.String(), status
}

// onTerminal runs cmd with its standard input and output on a new
// pseudo-terminal cols columns wide, as a terminal emulator would, and
// returns what it showed.
func onTerminal(t *testing.T, cmd *exec.Cmd, cols uint16) ([]byte, error) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: cols, Rows: 50}); err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout = tty, tty
	err = cmd.Start()
	tty.Close() // the child has its own; reads end when it exits
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	io.Copy(&out, ptmx) // until EIO: the terminal closed
	return out.Bytes(), cmd.Wait()
}

// ansi matches the escape sequences that colour text.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// widest returns the width of the widest line of terminal output, in
// characters, colours left out.
func widest(out string) int {
	w := 0
	for line := range strings.SplitSeq(ansi.ReplaceAllString(out, ""), "\n") {
		w = max(w, utf8.RuneCountInString(line))
	}
	return w
}

// columns returns the number of columns of the first table of terminal
// output.
func columns(out string) int {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "│") {
			return strings.Count(line, "│") - 1
		}
	}
	return 0
}

// sweepFolder returns a folder holding experiments/ with the repository's
// sweep of learning rates, whose summary is 132 columns wide in full.
func sweepFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "../../experiments/learning-rates.yaml", filepath.Join(dir, "experiments", "learning-rates.yaml"))
	return dir
}

// copyFile copies a file, making the folders it goes in.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTablesFitTheTerminal runs a sweep whose summary table is wider than
// a terminal: on a terminal, the table fits its width, or the width
// COLUMNS gives, leaving out columns and saying which; with --wide, or in
// a pipe, every column is shown.
func TestTablesFitTheTerminal(t *testing.T) {
	dir := sweepFolder(t)
	piped, _, status := session{dir: dir}.run(t, "run")
	if status != 0 {
		t.Fatalf("status %d:\n%s", status, piped)
	}
	full := widest(piped)
	if full <= 100 || strings.Contains(piped, "left out") {
		t.Fatalf("in a pipe, the summary is %d columns wide, want every column, over 100:\n%s", full, piped)
	}
	for _, c := range []struct {
		name  string
		s     session
		width int
	}{
		{"terminal of 80 columns", session{dir: dir, cols: 80}, 80},
		{"terminal of 100 columns", session{dir: dir, cols: 100}, 100},
		{"COLUMNS=60 on a terminal of 100", session{dir: dir, cols: 100, env: []string{"COLUMNS=60"}}, 60},
	} {
		out, _, status := c.s.run(t, "run")
		if status != 0 {
			t.Fatalf("%s: status %d:\n%s", c.name, status, out)
		}
		if w := widest(out); w > c.width {
			t.Errorf("%s: output %d columns wide:\n%s", c.name, w, out)
		}
		if !regexp.MustCompile(`\(\d+ columns? left out to fit \d+ columns:[^)]*--wide\s+shows\s+every\s+column\)`).MatchString(out) {
			t.Errorf("%s: no note of the columns left out:\n%s", c.name, out)
		}
		wide, _, _ := c.s.run(t, "run", "--wide")
		if got, want := columns(wide), columns(piped); got != want || strings.Contains(wide, "left out") {
			t.Errorf("%s, --wide: %d columns, want %d as in a pipe:\n%s", c.name, got, want, wide)
		}
	}
}

// TestColourOnTerminalsOnly runs a sweep with runs of every status: on a
// terminal the statuses are coloured (converged green, max-iterations
// yellow, diverged red); in a pipe, with NO_COLOR set, or with TERM=dumb
// nothing is; NO_COLOR set but empty does not count, as no-color.org has
// it.
func TestColourOnTerminalsOnly(t *testing.T) {
	dir := sweepFolder(t)
	for _, c := range []struct {
		name   string
		s      session
		colour bool
	}{
		{"terminal", session{dir: dir, cols: 200}, true},
		{"pipe", session{dir: dir}, false},
		{"NO_COLOR=1", session{dir: dir, cols: 200, env: []string{"NO_COLOR=1"}}, false},
		{"NO_COLOR empty", session{dir: dir, cols: 200, env: []string{"NO_COLOR="}}, true},
		{"TERM=dumb", session{dir: dir, cols: 200, env: []string{"TERM=dumb"}}, false},
	} {
		out, stderr, status := c.s.run(t, "run")
		if status != 0 {
			t.Fatalf("%s: status %d:\n%s%s", c.name, status, out, stderr)
		}
		for _, want := range []string{"\x1b[32mconverged\x1b[0m", "\x1b[33mmax-iterations\x1b[0m", "\x1b[31mdiverged\x1b[0m"} {
			if got := strings.Contains(out, want); got != c.colour {
				t.Errorf("%s: %q shown: %t, want %t", c.name, want, got, c.colour)
			}
		}
		if !c.colour && strings.Contains(out+stderr, "\x1b") {
			t.Errorf("%s: an escape sequence in the output:\n%q", c.name, out+stderr)
		}
	}
}

// TestQuickStart runs the runner as the README's Quick start does, in a
// copy of the repository's experiments and results, on a terminal 100
// columns wide without colour, then runner show article, and checks that
// the README shows what they printed (go test -update rewrites the
// README's sections).
func TestQuickStart(t *testing.T) {
	dir := t.TempDir()
	for _, tree := range []string{"experiments", "results"} {
		err := filepath.WalkDir(filepath.Join("../..", tree), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel("../..", p)
			copyFile(t, p, filepath.Join(dir, rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	terminal := session{dir: dir, cols: 100, env: []string{"NO_COLOR=1"}}
	for _, args := range [][]string{nil, {"show", "article"}} {
		out, stderr, status := terminal.run(t, args...)
		if status != 0 || stderr != "" {
			t.Fatalf("runner %q: status %d:\n%s%s", args, status, out, stderr)
		}
		command := strings.Join(append([]string{"go run ./cmd/runner"}, args...), " ")
		golden.CheckSection(t, "../../README.md", command, []byte("```\n$ "+command+"\n"+out+"```\n"))
	}
}
