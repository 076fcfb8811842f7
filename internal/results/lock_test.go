package results_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/results"
)

// holdEnv, set in the environment of the test binary run again, makes it
// open a results folder and hold it until its standard input closes:
// "mode dir k n experiment...".
const holdEnv = "RESULTS_TEST_HOLD"

func TestMain(m *testing.M) {
	if hold := os.Getenv(holdEnv); hold != "" {
		os.Exit(holdFolder(hold))
	}
	os.Exit(m.Run())
}

// modes names the modes of a Store, as holdEnv gives them.
var modes = map[string]results.Mode{"write": results.Write, "shard": results.Shard, "compare": results.Compare}

// holdFolder opens a results folder as holdEnv says, says "ready" on its
// standard output, and holds it until its standard input closes.
func holdFolder(hold string) int {
	f := strings.Fields(hold)
	k, _ := strconv.Atoi(f[2])
	n, _ := strconv.Atoi(f[3])
	s, err := results.Open(f[1], results.Options{Mode: modes[f[0]], ShardK: k, ShardN: n, Experiments: f[4:]})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	return 0
}

// holder is a process that holds a results folder open.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// hold runs the test binary again to open dir in mode (a shard k of n of
// the experiments given), and returns once it holds it.
func hold(t *testing.T, dir, mode string, k, n int, experiments ...string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d %d %s", holdEnv, mode, dir, k, n, strings.Join(experiments, " ")))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); errors.Is(err, syscall.ENOEXEC) {
		t.Skipf("the test binary cannot run itself here (%v): an emulator without binfmt_misc", err)
	} else if err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin}
	t.Cleanup(func() { h.release(t) })
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	select {
	case line := <-ready:
		if line != "ready" {
			t.Fatalf("the holder could not open %s: %s", dir, line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the holder did not open the folder within 10 s")
	}
	return h
}

// release lets the holder close the folder and end.
func (h *holder) release(t *testing.T) {
	if h.cmd.ProcessState != nil {
		return
	}
	h.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		h.cmd.Process.Kill()
		<-done
		t.Error("the holder did not end within 10 s")
	}
}

// kill kills the holder, as SIGKILL kills a runner: it has no time to
// clean up.
func (h *holder) kill(t *testing.T) {
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.cmd.Wait()
}

// newResults makes a results folder, written once, and returns its path.
func newResults(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "results")
	s, err := results.Open(dir, results.Options{Mode: results.Write})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return dir
}

// openErr opens a results folder, closing it at once, and returns the
// error.
func openErr(dir string, mode results.Mode, k, n int, experiments ...string) error {
	s, err := results.Open(dir, results.Options{Mode: mode, ShardK: k, ShardN: n, Experiments: experiments})
	if err == nil {
		s.Close()
	}
	return err
}

// checkHolderNamed checks that a refusal is a LockError naming the
// holder's process and command line.
func checkHolderNamed(t *testing.T, what string, err error, h *holder) {
	t.Helper()
	var le *results.LockError
	if !errors.As(err, &le) {
		t.Fatalf("%s: %v; want a LockError", what, err)
	}
	want := fmt.Sprintf("process %d (%s -test.run=^$)", h.cmd.Process.Pid, filepath.Base(os.Args[0]))
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %q; want it to name %q", what, err, want)
	}
}

// TestSecondWriterIsRefused holds a results folder for writing in another
// process: a second writer, a shard and a check are refused at once, each
// naming the holder's process id and command line; once the holder ends,
// the folder opens.
func TestSecondWriterIsRefused(t *testing.T) {
	dir := newResults(t)
	h := hold(t, dir, "write", 0, 0)
	for _, c := range []struct {
		name string
		mode results.Mode
		k, n int
	}{{"a writer", results.Write, 0, 0}, {"a shard", results.Shard, 1, 2}, {"a check", results.Compare, 0, 0}} {
		start := time.Now()
		err := openErr(dir, c.mode, c.k, c.n, "lr")
		checkHolderNamed(t, c.name, err, h)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s waited %v", c.name, d)
		}
	}
	h.release(t)
	if err := openErr(dir, results.Write, 0, 0); err != nil {
		t.Errorf("after the holder ended: %v", err)
	}
	checkAtRest(t, dir)
}

// TestWriterHeldByFlock holds a results folder's lock with flock(1), as
// another program might: a writer is refused, naming flock's process and
// command line.
func TestWriterHeldByFlock(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("no flock(1)")
	}
	dir := newResults(t)
	cmd := exec.Command(flock, filepath.Join(dir, results.PrivateDir, "lock"), "-c", "echo ready; exec sleep 600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // sleep holds the lock too: its group is killed
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("flock said %q", line)
	}
	err = openErr(dir, results.Write, 0, 0)
	want := fmt.Sprintf("is being written by process %d (flock %s -c echo ready; exec sleep 600)", cmd.Process.Pid, filepath.Join(dir, results.PrivateDir, "lock"))
	if !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("%v; want it to say %q", err, want)
	}
}

// TestShardsOverlap holds shard 1/2 of an experiment in another process:
// shards whose runs overlap its own are refused, naming it; shards of
// other runs, or of other experiments, open beside it; a writer is
// refused, and a check opens.
func TestShardsOverlap(t *testing.T) {
	dir := newResults(t)
	h := hold(t, dir, "shard", 1, 2, "lr")
	for _, c := range []struct {
		k, n        int
		experiments []string
		overlap     string // "" if it opens
	}{
		{1, 1, []string{"lr"}, "shard 1/2 is writing, and its runs overlap those of shard 1/1"},
		{1, 2, []string{"lr"}, "shard 1/2 is writing, and its runs overlap those of shard 1/2"},
		{3, 4, []string{"lr"}, "shard 1/2 is writing, and its runs overlap those of shard 3/4"},
		{2, 2, []string{"lr"}, ""},
		{2, 4, []string{"lr"}, ""},
		{1, 2, []string{"other"}, ""},
		{1, 1, []string{"a", "b"}, ""},
		{2, 2, []string{"lr", "other"}, "shard 1/2 of other experiment files is writing lr too"},
	} {
		what := fmt.Sprintf("shard %d/%d of %v", c.k, c.n, c.experiments)
		err := openErr(dir, results.Shard, c.k, c.n, c.experiments...)
		if c.overlap == "" {
			if err != nil {
				t.Errorf("%s: %v; want it to open beside shard 1/2 of [lr]", what, err)
			}
			continue
		}
		var le *results.LockError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), c.overlap) {
			t.Errorf("%s: %v; want a LockError that says %q", what, err, c.overlap)
		}
	}
	checkHolderNamed(t, "a writer", openErr(dir, results.Write, 0, 0), h)
	if err := openErr(dir, results.Compare, 0, 0); err != nil {
		t.Errorf("a check beside a shard: %v", err)
	}
	h.release(t)
	checkAtRest(t, dir)
}

// TestShardsOfOtherExperimentsRunTogether holds shards of two different
// experiments in two processes at once, then a third beside them.
func TestShardsOfOtherExperimentsRunTogether(t *testing.T) {
	dir := newResults(t)
	a := hold(t, dir, "shard", 1, 2, "a")
	b := hold(t, dir, "shard", 1, 2, "b")
	if err := openErr(dir, results.Shard, 2, 2, "a"); err != nil {
		t.Errorf("shard 2/2 of a beside shards 1/2 of a and of b: %v", err)
	}
	a.release(t)
	b.release(t)
	checkAtRest(t, dir)
}

// TestKilledShardLeavesNoLock kills a shard: its registration stays, but
// no shard is refused for it, and the next writer removes it.
func TestKilledShardLeavesNoLock(t *testing.T) {
	dir := newResults(t)
	h := hold(t, dir, "shard", 1, 2, "lr")
	h.kill(t)
	shards, err := os.ReadDir(filepath.Join(dir, results.PrivateDir, "shards"))
	if err != nil || len(shards) != 1 {
		t.Fatalf("the killed shard's registration: %v, %v; want one left", shards, err)
	}
	if err := openErr(dir, results.Shard, 1, 2, "lr"); err != nil {
		t.Errorf("the same shard again, after it was killed: %v", err)
	}
	if err := openErr(dir, results.Write, 0, 0); err != nil {
		t.Errorf("a writer after a killed shard: %v", err)
	}
	checkAtRest(t, dir)
}

// checkAtRest checks that a results folder no process holds keeps no
// trace of its writers: no shard registration, an empty lock file.
func checkAtRest(t *testing.T, dir string) {
	t.Helper()
	shards, err := os.ReadDir(filepath.Join(dir, results.PrivateDir, "shards"))
	if err != nil || len(shards) > 0 {
		t.Errorf("at rest, .runner/shards holds %v (%v)", shards, err)
	}
	if info, err := os.Lstat(filepath.Join(dir, results.PrivateDir, "lock")); err != nil || !info.Mode().IsRegular() || info.Size() != 0 {
		t.Errorf("at rest, the lock file is %v (%v); want an empty file", info, err)
	}
}
