package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustSet(t *testing.T, arg string) Override {
	t.Helper()
	o, err := ParseSet("--set", arg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mustSweep(t *testing.T, arg string) Override {
	t.Helper()
	o, err := ParseSweep("--sweep", arg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestParseOverrides parses valid overrides, checks their values and
// their canonical form, and that the canonical form reads back as the
// same override.
func TestParseOverrides(t *testing.T) {
	for _, tt := range []struct {
		kind   OverrideKind
		arg    string
		want   string // the canonical form
		values string // the values, as runs show them
	}{
		{SetOverride, "alpha=0.2", "set alpha=0.2", "0.2"},
		{SetOverride, " alpha = 2e-1 ", "set alpha=0.2", "0.2"},
		{SetOverride, "weights.w1=3.0", "set w1=3", "3"}, // as the file writes it
		{SetOverride, "w1=-3", "set w1=-3", "-3"},        // as a sweep writes it
		{SetOverride, "max_iterations=1e6", "set max_iterations=1000000", "1000000"},
		{SetOverride, "b3=0x10", "set b3=16", "16"},
		{SweepOverride, "alpha=0.1,0.2, 0.3", "sweep alpha=0.1,0.2,0.3", "0.1 0.2 0.3"},
		{SweepOverride, "alpha=0.5", "sweep alpha=0.5", "0.5"},
		{SweepOverride, "alpha=0.1:0.3:3", "sweep alpha=0.1:0.3:3", "0.1 0.2 0.3"},
		{SweepOverride, "alpha=linear:0.1:0.3:3", "sweep alpha=0.1:0.3:3", "0.1 0.2 0.3"},
		{SweepOverride, "alpha=log:0.001:1:4", "sweep alpha=log:0.001:1:4", "0.001 0.01 0.1 1"},
		{SweepOverride, "weights.w3=-1,1", "sweep w3=-1,1", "-1 1"},
		{SweepOverride, "max_iterations=10:40:4", "sweep max_iterations=10:40:4", "10 20 30 40"},
	} {
		parse := map[OverrideKind]func(string, string) (Override, error){SetOverride: ParseSet, SweepOverride: ParseSweep}[tt.kind]
		o, err := parse("--"+tt.kind.String(), tt.arg)
		if err != nil {
			t.Errorf("%s %s: %v", tt.kind, tt.arg, err)
			continue
		}
		if got := o.String(); got != tt.want {
			t.Errorf("%s %s: canonical %q, want %q", tt.kind, tt.arg, got, tt.want)
		}
		if got := overrideValues(o); got != tt.values {
			t.Errorf("%s %s: values %s, want %s", tt.kind, tt.arg, got, tt.values)
		}
		if o.Flag != "--"+tt.kind.String()+" "+tt.arg {
			t.Errorf("%s %s: flag %q", tt.kind, tt.arg, o.Flag)
		}
		again, err := parse("--"+tt.kind.String(), o.Arg())
		if err != nil || again.String() != o.String() || overrideValues(again) != overrideValues(o) {
			t.Errorf("%s %s: the canonical form %s reads back as %v, %v", tt.kind, tt.arg, o.Arg(), again, err)
		}
	}
}

// overrideValues writes an override's values as runs show them.
func overrideValues(o Override) string {
	if o.Kind == SetOverride {
		return formatSetting(o.Field, o.Value)
	}
	values := make([]string, o.Axis.Len())
	for i := range values {
		values[i] = formatSetting(o.Field, o.Axis.Value(i))
	}
	return strings.Join(values, " ")
}

// TestOverrideErrors gives overrides that are wrong in every way the
// file's fields can be, and some that only a flag can be: each message is
// the file's, at the flag.
func TestOverrideErrors(t *testing.T) {
	for _, tt := range []struct{ flag, arg, want string }{
		{"--set", "alpha=-1", "--set alpha=-1: alpha: must be > 0, got -1"},
		{"--set", "alpha=abc", `--set alpha=abc: alpha: want a number, got the string "abc"`},
		{"--set", "alpha=", "--set alpha=: alpha: want a number, got nothing (null)"},
		{"--set", "tolerance=1_000", "--set tolerance=1_000: tolerance: underscores in numbers are YAML 1.1 only (1_000 would be read as 1000); write the number without them"},
		{"--set", "w1=.inf", "--set w1=.inf: weights.w1: must be a finite number, got .inf"},
		{"--set", "weights.b1=0100", "--set weights.b1=0100: weights.b1: a number with a leading zero is octal in YAML 1.1 (0100 would be read as 64); write it without the leading zero, or as 0o100 for octal"},
		{"--set", "max_iterations=1.5", "--set max_iterations=1.5: max_iterations: want a whole number, got 1.5"},
		{"--set", "max_iterations=0", "--set max_iterations=0: max_iterations: must be between 1 and 100,000,000, got 0"},
		{"--set", "alpha=2e6", "--set alpha=2e6: alpha: must be at most 1,000,000 (a larger value is surely a mistake), got 2e6"},
		{"--set", "alpha", "--set alpha: want FIELD=VALUE, such as alpha=0.2"},
		{"--set", "=1", "--set =1: want FIELD=VALUE, such as alpha=0.2"},
		{"--set", "alhpa=0.1", `--set alhpa=0.1: alhpa: unknown field; did you mean "alpha"?`},
		{"--set", "colour=red", "--set colour=red: colour: unknown field; valid fields are alpha, b3, tolerance, max_iterations, w1, b1, w2, b2, w3, w4"},
		{"--set", "weights.b3=1", "--set weights.b3=1: weights.b3: unknown field; b3 is not a fixed weight: set the initial b3 with the top-level field b3"},
		{"--set", "weights.w5=1", `--set weights.w5=1: weights.w5: unknown field; did you mean "w1"?`},
		{"--set", "train=all", "--set train=all: train: cannot be set on the command line, only alpha, b3, tolerance, max_iterations, w1, b1, w2, b2, w3, w4; edit the file to change it"},
		{"--sweep", "name=a,b", "--sweep name=a,b: name: cannot be swept on the command line, only alpha, b3, tolerance, max_iterations, w1, b1, w2, b2, w3, w4; edit the file to change it"},
		{"--sweep", "alpha", "--sweep alpha: want FIELD=LIST or FIELD=RANGE, such as alpha=0.1,0.2,0.3, alpha=0.001:1:20 or alpha=log:0.001:1:20"},
		{"--sweep", "alpha=0.1,-1", "--sweep alpha=0.1,-1: sweep.alpha[2]: must be > 0, got -1"},
		{"--sweep", "alpha=0.1,,0.2", "--sweep alpha=0.1,,0.2: sweep.alpha[2]: want a number, got nothing (null)"},
		{"--sweep", "alpha=0.1,0.10", "--sweep alpha=0.1,0.10: sweep.alpha[2]: value 0.10 appears twice"},
		{"--sweep", "alpha=0.1:1", "--sweep alpha=0.1:1: sweep.alpha: want a range FROM:TO:COUNT (linear) or log:FROM:TO:COUNT, such as 0.001:1:20, got 0.1:1"},
		{"--sweep", "alpha=log:0:1:5", "--sweep alpha=log:0:1:5: sweep.alpha.from: must be > 0, got 0"},
		{"--sweep", "b3=log:-1:1:5", "--sweep b3=log:-1:1:5: sweep.b3: a log range cannot reach or cross 0 (from -1 to 1); use a linear range"},
		{"--sweep", "alpha=cube:0.1:1:5", `--sweep alpha=cube:0.1:1:5: sweep.alpha.scale: want linear or log, got "cube"`},
		{"--sweep", "alpha=0.1:1:0", "--sweep alpha=0.1:1:0: sweep.alpha.count: must be between 1 and 10,000,000, got 0"},
		{"--sweep", "alpha=0.1:1:2.5", "--sweep alpha=0.1:1:2.5: sweep.alpha.count: want a whole number, got 2.5"},
		{"--sweep", "alpha=0.1:0.2:1", "--sweep alpha=0.1:0.2:1: sweep.alpha: count 1 cannot include both from and to; use a list [0.1] or a count of at least 2"},
		{"--sweep", "max_iterations=1:3:10", "--sweep max_iterations=1:3:10: sweep.max_iterations: count 10 is too many for the range from 1 to 3: values would repeat once rounded to whole numbers; use a smaller count"},
	} {
		parse := ParseSet
		if tt.flag == "--sweep" {
			parse = ParseSweep
		}
		_, err := parse(tt.flag, tt.arg)
		var usage *UsageError
		if !errors.As(err, &usage) {
			t.Errorf("%s %s: error %v, want a *UsageError", tt.flag, tt.arg, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tt.flag, tt.arg, err, tt.want)
		}
	}
}

// overridden is an experiment file that declares three experiments: a
// single run, a sweep of two fields, and runs entries.
const overridden = `name: single
data: [{x: 0, y: 0}, {x: 1, y: 1}]
weights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}
alpha: 0.1
tolerance: 0.001
---
name: grid
data: [{x: 0, y: 0}]
weights: {w2: 1, b2: 0, w3: 1, w4: 1}
tolerance: 0.001
b3: 1
sweep:
  alpha: [0.1, 0.2]
  w1: [1, 2, 3]
  b1: {from: -1, to: 1, count: 2}
---
name: entries
data: [{x: 0, y: 0}]
weights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}
tolerance: 0.001
max_runs: 12
runs:
  - {alpha: 0.1, b3: 0}
  - {alpha: 0.2, b3: 0}
  - {alpha: 0.1, b3: 1}
`

// loadOverridden loads the experiments of overridden with overrides, by
// name.
func loadOverridden(t *testing.T, overrides ...Override) (map[string]*Experiment, string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "overridden.yaml")
	if err := os.WriteFile(file, []byte(overridden), 0o644); err != nil {
		t.Fatal(err)
	}
	exps, err := LoadWith([]string{file}, overrides)
	byName := map[string]*Experiment{}
	for _, e := range exps {
		byName[e.Name] = e
	}
	return byName, file, err
}

// runIDs lists the identifiers of an experiment's runs.
func runIDs(e *Experiment) string {
	ids := make([]string, e.RunCount())
	for i := range ids {
		ids[i] = e.Run(i).ID
	}
	return strings.Join(ids, " ")
}

// TestLoadWith applies overrides to every experiment of a file, and
// checks the runs each then has.
func TestLoadWith(t *testing.T) {
	for _, tt := range []struct {
		name      string
		overrides []string // "set ARG" or "sweep ARG"
		want      map[string]string
	}{
		{"no overrides", nil, map[string]string{
			"single":  "single",
			"grid":    "grid/alpha=0.1/w1_initial=1/b1_initial=-1 grid/alpha=0.1/w1_initial=1/b1_initial=1 grid/alpha=0.1/w1_initial=2/b1_initial=-1",
			"entries": "entries/alpha=0.1/b3_initial=0 entries/alpha=0.2/b3_initial=0 entries/alpha=0.1/b3_initial=1",
		}},
		// A set field is swept no longer, and entries of runs that are
		// then the same are one.
		{"set alpha", []string{"set alpha=0.3"}, map[string]string{
			"single":  "single",
			"grid":    "grid/w1_initial=1/b1_initial=-1 grid/w1_initial=1/b1_initial=1 grid/w1_initial=2/b1_initial=-1",
			"entries": "entries/b3_initial=0 entries/b3_initial=1",
		}},
		// Setting every swept field leaves a single run.
		{"set all swept", []string{"set b1=0.5", "set weights.w1=2", "set alpha=0.3"}, map[string]string{
			"grid": "grid",
		}},
		// A swept field's axis keeps its place; a new one varies fastest.
		{"sweep", []string{"sweep w1=5,6", "sweep tolerance=0.01,0.1"}, map[string]string{
			"single":  "single/tolerance=0.01/w1_initial=5 single/tolerance=0.1/w1_initial=5 single/tolerance=0.01/w1_initial=6",
			"grid":    "grid/alpha=0.1/tolerance=0.01/w1_initial=5/b1_initial=-1 grid/alpha=0.1/tolerance=0.1/w1_initial=5/b1_initial=-1 grid/alpha=0.1/tolerance=0.01/w1_initial=5/b1_initial=1",
			"entries": "entries/alpha=0.1/b3_initial=0/tolerance=0.01/w1_initial=5 entries/alpha=0.1/b3_initial=0/tolerance=0.1/w1_initial=5 entries/alpha=0.1/b3_initial=0/tolerance=0.01/w1_initial=6",
		}},
		// A sweep of a field of runs entries leaves it out of them.
		{"sweep b3", []string{"sweep b3=-1:1:3"}, map[string]string{
			"entries": "entries/alpha=0.1/b3_initial=-1 entries/alpha=0.1/b3_initial=0 entries/alpha=0.1/b3_initial=1",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var overrides []Override
			for _, o := range tt.overrides {
				kind, arg, _ := strings.Cut(o, " ")
				if kind == "set" {
					overrides = append(overrides, mustSet(t, arg))
				} else {
					overrides = append(overrides, mustSweep(t, arg))
				}
			}
			exps, _, err := loadOverridden(t, overrides...)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				e := exps[name]
				ids := strings.Fields(runIDs(e))
				if got := strings.Join(ids[:min(3, len(ids))], " "); got != want {
					t.Errorf("%s: runs %s…, want %s…", name, got, want)
				}
				if len(e.Overrides) != len(overrides) {
					t.Errorf("%s: %d overrides recorded, want %d", name, len(e.Overrides), len(overrides))
				}
				for i := range e.Overrides {
					if e.Overrides[i].String() != overrides[i].String() {
						t.Errorf("%s: override %d recorded as %s, want %s", name, i, e.Overrides[i], overrides[i])
					}
				}
			}
		})
	}
}

// TestLoadWithValues checks the values of the runs of overridden
// experiments, and where their fields are said to be written.
func TestLoadWithValues(t *testing.T) {
	exps, file, err := loadOverridden(t, mustSet(t, "alpha=0.3"), mustSet(t, "weights.w2=-2"), mustSweep(t, "max_iterations=10,20"))
	if err != nil {
		t.Fatal(err)
	}
	single := exps["single"]
	r := single.Run(1)
	if r.Settings.Alpha != 0.3 || r.Start.W2 != -2 || r.Start.W1 != 1 || r.Settings.MaxIterations != 20 || single.RunCount() != 2 {
		t.Errorf("single's run 2: α %v, w2 %v, w1 %v, max_iterations %d of %d runs; want 0.3, -2, 1 (the file's), 20 of 2",
			r.Settings.Alpha, r.Start.W2, r.Start.W1, r.Settings.MaxIterations, single.RunCount())
	}
	if got := single.Where("alpha"); got != (Position{File: "--set alpha=0.3"}) {
		t.Errorf("alpha is written at %v, want the flag", got)
	}
	if got := single.Where("tolerance"); got != (Position{File: file, Line: 5, Column: 12}) {
		t.Errorf("tolerance is written at %v, want the file's place", got)
	}
	if got, _ := single.IterationsField(); got != "sweep.max_iterations" {
		t.Errorf("the field of iterations is %s, want sweep.max_iterations", got)
	}
}

// TestLoadWithErrors gives overrides that do not fit the experiments, and
// checks that their problems are at the flags, apart from the files'.
func TestLoadWithErrors(t *testing.T) {
	_, file, err := loadOverridden(t, mustSweep(t, "alpha=0.1:1:13"))
	var usage *UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("error %v, want a *UsageError", err)
	}
	// entries runs 13 values of alpha for each of its 2 values of b3, more
	// than its max_runs; the others allow a million.
	want := "--sweep alpha=0.1:1:13: sweep: expands to 26 runs, more than max_runs (12) allows; set max_runs: to allow more, or sweep fewer values (in the experiment at " + file + ":17:1)"
	if err.Error() != want || len(usage.Files) != 0 {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}

	_, _, err = loadOverridden(t, mustSet(t, "alpha=0.1"), mustSweep(t, "w1=1,2"), mustSweep(t, "alpha=0.2,0.3"))
	want = "--sweep alpha=0.2,0.3: alpha: is already given by --set alpha=0.1; give each field once"
	if !errors.As(err, &usage) || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}

	// A problem of the file stays the file's, apart from those of flags,
	// and callers that know only ErrorList still see every one.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("data: [{x: 0, y: 0}]\nweights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}\nalpha: 0.1\ntolerance: -1\nmax_runs: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadWith([]string{bad}, []Override{mustSweep(t, "alpha=0.1,0.2")})
	if !errors.As(err, &usage) || len(usage.Problems) != 1 || len(usage.Files) != 1 {
		t.Fatalf("error %v, want a *UsageError with a problem of the flag and one of the file", err)
	}
	if got, want := usage.Files.Error(), bad+":4:12: tolerance: must be > 0, got -1"; got != want {
		t.Errorf("the file's problem: %s, want %s", got, want)
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Errorf("as an ErrorList: %v", list)
	}
}

// TestOverridesThroughAliases overrides fields of a document that uses
// aliases, then loads it as written: the aliases' targets are read, not
// changed.
func TestOverridesThroughAliases(t *testing.T) {
	src := []byte(`name: aliased
data: [{x: 0, y: 0}]
weights: &w {w1: 1, b1: 0, w2: 1, b2: 0, w4: 1}
alpha: &a 0.1
tolerance: 0.001
runs: &r [{b3: *a, w3: 1}, {b3: 1, w3: 1}, {b3: 0.1, w3: 2}]
`)
	exps, errs := parse("aliased.yaml", src, []Override{mustSet(t, "w3=5"), mustSet(t, "w1=2")})
	if errs != nil {
		t.Fatal(errs)
	}
	// The entries of b3 0.1 (one written *a) are the same run once w3 is
	// left out of them.
	if e := exps[0]; runIDs(e) != "aliased/b3_initial=0.1 aliased/b3_initial=1" || e.Run(0).Start.W3 != 5 || e.Run(0).Start.W1 != 2 {
		t.Errorf("overridden: %s, w3 %v, w1 %v; want 2 runs, w3 5, w1 2", runIDs(e), e.Run(0).Start.W3, e.Run(0).Start.W1)
	}
	exps, errs = Parse("aliased.yaml", src)
	if errs != nil {
		t.Fatal(errs)
	}
	if e := exps[0]; e.RunCount() != 3 || e.Start.W1 != 1 {
		t.Errorf("as written: %s, w1 %v", runIDs(e), e.Start.W1)
	}
}

// TestPathSuggestions names experiment files of experiments/ as people
// mistype them.
func TestPathSuggestions(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Join(DefaultFolder, "more"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lr-log.yaml", "article.yml", "more/nested.yaml"} {
		if err := os.WriteFile(filepath.Join(DefaultFolder, f), []byte(overridden), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{"lr-log", "lr-log: no such file or folder; did you mean experiments/lr-log.yaml?"},
		{"lr-log.yaml", "lr-log.yaml: no such file or folder; did you mean experiments/lr-log.yaml?"},
		{"lr-log.yml", "lr-log.yml: no such file or folder; did you mean experiments/lr-log.yaml?"},
		{"experiments/lr-log", "experiments/lr-log: no such file or folder; did you mean experiments/lr-log.yaml?"},
		{"lr-lgo", "lr-lgo: no such file or folder; did you mean experiments/lr-log.yaml?"},
		{"article", "article: no such file or folder; did you mean experiments/article.yml?"},
		{"nested", "nested: no such file or folder"}, // only the folder's own files
		{"something-else", "something-else: no such file or folder"},
	} {
		_, err := Load([]string{tt.path})
		var usage *UsageError
		if !errors.As(err, &usage) {
			t.Errorf("%s: error %v, want a *UsageError", tt.path, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.path, err, tt.want)
		}
	}
}

// TestOverrideStrings checks what an experiment's results record of its
// overrides: each in its canonical form, in the order given, and nothing
// without any.
func TestOverrideStrings(t *testing.T) {
	exps, _, err := loadOverridden(t, mustSet(t, "weights.w1=2.0"), mustSweep(t, "alpha=log:0.001:1:4"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := exps["grid"].OverrideStrings(), []string{"set w1=2", "sweep alpha=log:0.001:1:4"}; !slices.Equal(got, want) {
		t.Errorf("OverrideStrings() = %q, want %q", got, want)
	}
	plain, _, err := loadOverridden(t)
	if err != nil {
		t.Fatal(err)
	}
	if got := plain["grid"].OverrideStrings(); got != nil {
		t.Errorf("OverrideStrings() without overrides = %q, want nil", got)
	}
}
