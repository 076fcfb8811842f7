package main

import (
	"errors"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/descentlab/runner/internal/golden"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"runner": main})
}

// TestScripts runs the end-to-end scenarios in testdata/script, each a
// txtar file: commands to run the real runner binary, what they must print
// and which files they must (not) leave. go test -update rewrites the
// expected files embedded in the scripts.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"status": status},
		UpdateScripts: golden.Updating(),
	})
}

// status runs a command and checks its exit status:
//
//	status 2 runner run bad.yaml
//
// Its stdout and stderr are kept for the commands that follow.
func status(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %v", err)
	}
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("status: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
