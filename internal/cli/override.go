package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
)

// overrideFlags are --set and --sweep: values tried without editing a
// file, as given, in order. They are parsed once the command line is
// read, so that every problem with them is reported at once.
type overrideFlags struct {
	given []overrideArg
}

// overrideArg is one --set or --sweep and its argument.
type overrideArg struct {
	kind experiment.OverrideKind
	arg  string
}

// flagName is how messages name the flag of an override.
func (a overrideArg) flagName() string {
	return "--" + a.kind.String()
}

// add defines --set and --sweep.
func (o *overrideFlags) add(fs *flag.FlagSet) {
	fs.Var(overrideFlag{o, experiment.SetOverride}, "set",
		"give every run `FIELD=VALUE` (alpha, b3, tolerance, max_iterations, w1 … w4), instead of what the file says; repeatable")
	fs.Var(overrideFlag{o, experiment.SweepOverride}, "sweep",
		"sweep a field, `FIELD=LIST|RANGE`: alpha=0.1,0.2,0.3, alpha=0.001:1:20 (linear) or alpha=log:0.001:1:20; repeatable")
}

// tried reports whether any --set or --sweep was given.
func (o *overrideFlags) tried() bool {
	return len(o.given) > 0
}

// parse parses the overrides, in the order given. Their problems, all of
// them, are an *experiment.UsageError, each at its flag.
func (o *overrideFlags) parse() ([]experiment.Override, error) {
	var overrides []experiment.Override
	var problems experiment.ErrorList
	for _, a := range o.given {
		parse := experiment.ParseSet
		if a.kind == experiment.SweepOverride {
			parse = experiment.ParseSweep
		}
		ov, err := parse(a.flagName(), a.arg)
		if err != nil {
			usage, ok := err.(*experiment.UsageError)
			if !ok {
				return nil, err
			}
			problems = append(problems, usage.Problems...)
			continue
		}
		overrides = append(overrides, ov)
	}
	if len(problems) > 0 {
		return nil, &experiment.UsageError{Problems: problems}
	}
	return overrides, nil
}

// overrideFlag is the flag.Value of --set or of --sweep: each use adds
// an override to the same list, so that their order is kept across both.
type overrideFlag struct {
	flags *overrideFlags
	kind  experiment.OverrideKind
}

// String returns "": the flags have no default.
func (f overrideFlag) String() string { return "" }

// Set notes the argument, which parse reads.
func (f overrideFlag) Set(v string) error {
	f.flags.given = append(f.flags.given, overrideArg{f.kind, v})
	return nil
}

// flagGiven reports whether the flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// tryFolder returns the results folder a try (--set or --sweep without
// -o) runs against, in Compare mode: one that does not exist, so that the
// try reads nothing, whatever results/ holds, and stores nothing that
// could be reused. Compare mode never creates it.
func tryFolder() string {
	for i := 0; ; i++ {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("runner-try-%d-%d", os.Getpid(), i))
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			return dir
		}
	}
}

// tryNote ends the report of a try, which writes nothing.
const tryNote = "a try of --set/--sweep values; give -o DIR to keep its results"

// checkStoredOverrides refuses to run experiments tried with overrides
// into a results folder that holds an experiment run with other
// overrides, or with none (results.CheckTry), before anything runs; the
// store checks again under its lock.
func checkStoredOverrides(out string, exps []*experiment.Experiment) error {
	fsys, closeFS, err := results.OpenFS(out)
	if err != nil || len(exps) == 0 {
		return nil
	}
	defer closeFS()
	names := make([]string, len(exps))
	for i, e := range exps {
		names[i] = e.Name
	}
	return results.CheckTry(fsys, out, names, exps[0].OverrideStrings())
}
