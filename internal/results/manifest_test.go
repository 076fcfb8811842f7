package results_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// oddText holds what a free text may: quotes of both kinds, backslashes,
// tabs, line ends, control characters, YAML's punctuation, and letters
// beyond ASCII, Unicode's line separator among them.
const oddText = "He said \"stop\" and 'go' \\ back\tslash\nnext line \x01\x1f\x7f # not a comment: [x] {y} - z, é ü \u0085 \u2028 ✓"

// oddManifest is an experiment's manifest with odd values everywhere they
// may be: texts, the extremes of float64 in the data, pins with notes.
func oddManifest() *results.ExperimentManifest {
	in := results.Inputs{
		Data:          []engine.Point{{X: 5e-324, Y: 1e308}, {X: -1e308, Y: -5e-324}, {X: 0.1, Y: 0.30000000000000004}},
		Train:         engine.NewParamSet(engine.W3, engine.B3),
		Tolerance:     1e-12,
		MaxIterations: 100_000_000,
		TraceEvery:    7,
		CSVDigits:     17,
		Expected: []experiment.Pin{
			experiment.NewPin(1, "b3", "-2.61", 0, ""),
			experiment.NewPin(5, "ssr", "1e-05", 0.5, oddText),
			experiment.NewPin(0, "w3", "-1.2", 0, ""),
			experiment.NewPin(0, "ssr", "0.0001", 1e-3, "a note with \"quotes\""),
		},
	}
	in.Start.Params = engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.3} // b3 is swept
	in.Start.Activation = engine.Sigmoid
	return &results.ExperimentManifest{
		Experiment: "odd-1.x_y", Description: oddText, File: "experiments/odd.yaml",
		Overrides: []string{"--set tolerance=1e-12", `--sweep alpha="0.1,0.2"`}, Runner: `v1.2.3 ("dirty")`,
		Inputs: in, Swept: []string{"alpha", "b3_initial"},
		Files:     []string{results.RecordsFile, results.SummaryFile, results.CurvesFile, results.SweepFile, results.GridFile},
		RunFiles:  []string{results.TraceFile, results.IterationsFile, results.ExpectedFile},
		StaleRuns: []string{"odd-1.x_y/alpha=0.5/b3_initial=-1", "odd-1.x_y/alpha=1e-05/b3_initial=2.5"},
	}
}

// goType matches what only a Go type in a message would show.
var goType = regexp.MustCompile(`struct ?\{|interface ?\{|map\[|\[\][a-z]|\b(u?int(8|16|32|64)?|float(32|64)|string|bool)\b|\*?(results|experiment|engine|yaml)\.[A-Z]`)

// checkMessage fails the test if a refusal's message is empty or names a Go
// type.
func checkMessage(t *testing.T, what string, err error) {
	t.Helper()
	if msg := err.Error(); strings.TrimSpace(msg) == "" || goType.MatchString(msg) {
		t.Errorf("%s: message %q is empty or names a Go type", what, msg)
	}
}

// TestExperimentManifestRoundTrip renders a manifest of odd values and
// parses it back: the same manifest, rendered to the same bytes.
func TestExperimentManifestRoundTrip(t *testing.T) {
	m := oddManifest()
	data := m.Render()
	got, err := results.ParseExperimentManifest(data)
	if err != nil {
		t.Fatalf("parsing what Render wrote: %v\n%s", err, data)
	}
	if again := got.Render(); !bytes.Equal(again, data) {
		t.Errorf("rendered again otherwise:\n%s\nwant\n%s", again, data)
	}
	if got.Description != oddText || got.Inputs.Expected[1].Note != oddText {
		t.Errorf("texts read back as %q and %q, want %q", got.Description, got.Inputs.Expected[1].Note, oddText)
	}
	for i, pt := range got.Inputs.Data {
		if want := m.Inputs.Data[i]; math.Float64bits(pt.X) != math.Float64bits(want.X) || math.Float64bits(pt.Y) != math.Float64bits(want.Y) {
			t.Errorf("data point %d read back as %v, want %v", i, pt, want)
		}
	}
	if got.Inputs.Hash() != m.Inputs.Hash() {
		t.Error("the inputs read back have another hash")
	}
	for i, p := range got.Inputs.Expected {
		if want := m.Inputs.Expected[i]; p != want {
			t.Errorf("pin %d read back as %+v, want %+v", i, p, want)
		}
	}
}

// TestFolderManifestRoundTrip does the same for a results folder's
// manifest.
func TestFolderManifestRoundTrip(t *testing.T) {
	for _, m := range []results.FolderManifest{
		{Layout: results.Layout},
		{Layout: results.Layout, Files: []string{results.IndexFile, results.SummaryFile, results.SummaryMarkdownFile}, Experiments: []string{"a", "b-2", "c.d_e"}},
	} {
		data := m.Render()
		got, err := results.ParseFolderManifest(data)
		if err != nil {
			t.Fatalf("parsing what Render wrote: %v\n%s", err, data)
		}
		if again := got.Render(); !bytes.Equal(again, data) {
			t.Errorf("rendered again otherwise:\n%s\nwant\n%s", again, data)
		}
	}
}

// singleByteEdits returns data edited in one byte in every way the test
// tries: each byte replaced by its neighbours and by characters that mean
// something to YAML or CSV, each byte removed, and a byte inserted before
// each.
func singleByteEdits(data []byte) [][]byte {
	var edits [][]byte
	for i := range data {
		for _, c := range []byte{data[i] + 1, data[i] - 1, ' ', '\n', '"', ',', ':', '0'} {
			if c == data[i] {
				continue
			}
			e := bytes.Clone(data)
			e[i] = c
			edits = append(edits, e)
		}
		edits = append(edits, slices2(data[:i], data[i+1:]))
		for _, c := range []byte{' ', '1'} {
			edits = append(edits, slices2(data[:i], []byte{c}, data[i:]))
		}
	}
	return append(edits, append(bytes.Clone(data), 'x'), append(bytes.Clone(data), '\n'))
}

// slices2 joins byte slices into a new one.
func slices2(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// TestManifestEditsAreRefused edits both kinds of manifest in every single
// byte: each edit is refused with a message that names no Go type, or
// accepted only as what the runner would write for what it reads (another
// value, written canonically), never as bytes the runner would not write.
func TestManifestEditsAreRefused(t *testing.T) {
	top := results.FolderManifest{Layout: results.Layout, Files: []string{results.IndexFile, results.SummaryFile}, Experiments: []string{"lr", "odd-1.x_y"}}
	kinds := []struct {
		name  string
		data  []byte
		parse func([]byte) ([]byte, error)
	}{
		{"experiment", oddManifest().Render(), func(b []byte) ([]byte, error) {
			m, err := results.ParseExperimentManifest(b)
			if err != nil {
				return nil, err
			}
			return m.Render(), nil
		}},
		{"folder", top.Render(), func(b []byte) ([]byte, error) {
			m, err := results.ParseFolderManifest(b)
			if err != nil {
				return nil, err
			}
			return m.Render(), nil
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			refused, accepted := 0, 0
			for _, edit := range singleByteEdits(k.data) {
				again, err := k.parse(edit)
				if err != nil {
					refused++
					checkMessage(t, fmt.Sprintf("edit %q", edit), err)
					continue
				}
				accepted++
				if !bytes.Equal(again, edit) {
					t.Errorf("accepted an edit the runner would not write:\n%s\nit reads back as\n%s", edit, again)
				}
			}
			t.Logf("%d single-byte edits refused, %d read as other values written canonically", refused, accepted)
		})
	}
}

// TestManifestChosenEditsAreRefused makes edits that a merge, a hand or a
// hostile pull request could make, each refused with a message that names
// no Go type.
func TestManifestChosenEditsAreRefused(t *testing.T) {
	exp := string(oddManifest().Render())
	topM := results.FolderManifest{Layout: results.Layout, Files: []string{results.IndexFile, results.SummaryFile}, Experiments: []string{"lr", "odd"}}
	top := string(topM.Render())
	edits := []struct {
		name, data string
		folder     bool // a results folder's manifest, not an experiment's
	}{
		{"a file with ..", replace(exp, "files: [records.csv,", "files: [../../victim.txt, records.csv,"), false},
		{"a file in a folder", replace(exp, "files: [records.csv,", "files: [alpha=0.1/trace.csv, records.csv,"), false},
		{"an absolute file", replace(exp, "files: [records.csv,", "files: [/etc/passwd, records.csv,"), false},
		{"an unknown file", replace(exp, "files: [records.csv,", "files: [notes.txt, records.csv,"), false},
		{"a run file with ..", replace(exp, "run_files: [trace.csv,", "run_files: [trace.csv, ../../victim.txt,"), false},
		{"an unknown run file", replace(exp, "run_files: [trace.csv,", "run_files: [trace.csv, notes.txt,"), false},
		{"run files without the trace first", replace(exp, "run_files: [trace.csv, iterations.md,", "run_files: [iterations.md, trace.csv,"), false},
		{"a stale run of another experiment", replace(exp, `  - "odd-1.x_y/alpha=0.5`, `  - "other/alpha=0.5`), false},
		{"a stale run with ..", replace(exp, `  - "odd-1.x_y/alpha=0.5/b3_initial=-1"`, `  - "odd-1.x_y/../../victim"`), false},
		{"a stale run that is the experiment (the single run it was, before it became a sweep)", replace(exp, `  - "odd-1.x_y/alpha=0.5/b3_initial=-1"`, `  - "odd-1.x_y"`), true},
		{"an absolute stale run", replace(exp, `  - "odd-1.x_y/alpha=0.5/b3_initial=-1"`, `  - "/odd-1.x_y/alpha=0.5"`), false},
		{"an absolute experiment file", replace(exp, `file: "experiments/odd.yaml"`, `file: "/etc/odd.yaml"`), false},
		{"an experiment file that is not YAML", replace(exp, `file: "experiments/odd.yaml"`, `file: "experiments/odd.sh"`), false},
		{"an unclean experiment file", replace(exp, `file: "experiments/odd.yaml"`, `file: "experiments/./odd.yaml"`), false},
		{"an experiment name with ..", replace(exp, `experiment: "odd-1.x_y"`, `experiment: "../odd"`), false},
		{"an unknown swept field", replace(exp, "swept: [alpha,", "swept: [gamma,"), false},
		{"another method", replace(exp, fmt.Sprintf("method: %d", results.Method), "method: 1"), false},
		{"an unknown field", replace(exp, "swept:", "shell: rm -rf /\nswept:"), false},
		{"a list where a text goes", replace(exp, `experiment: "odd-1.x_y"`, `experiment: [odd]`), false},
		{"a text where a number goes", replace(exp, "trace_every: 7", "trace_every: seven"), false},
		{"an unknown parameter", replace(exp, "initial: {w1:", "initial: {w9: 1, w1:"), false},
		{"an unknown activation", replace(exp, "activation: sigmoid", "activation: tanh"), false},
		{"no parameter trains", replace(exp, "train: [w3, b3]", "train: []"), false},
		{"a duplicate key", replace(exp, "swept:", fmt.Sprintf("method: %d\nswept:", results.Method)), false},
		{"a YAML alias", replace(exp, "swept: [alpha, b3_initial]", "swept: &s [alpha, b3_initial]\nx: *s"), false},
		{"empty", "", false},
		{"blank", "\n \n", false},
		{"trailing bytes", exp + "x", false},
		{"a trailing line", exp + "stale_runs: []\n", false},
		{"a trailing comment", exp + "# more\n", false},
		{"a second document", exp + "---\n" + exp, false},
		{"CRLF line ends", strings.ReplaceAll(exp, "\n", "\r\n"), false},
		{"an experiment's manifest as a folder's", exp, true},

		{"layout 2", replace(top, "layout: 3", "layout: 2"), true},
		{"a file with ..", replace(top, "files: [README.md,", "files: [../victim.txt, README.md,"), true},
		{"an absolute file", replace(top, "files: [README.md,", "files: [/etc/passwd, README.md,"), true},
		{"an unknown file", replace(top, "files: [README.md,", "files: [notes.md, README.md,"), true},
		{"an experiment's file", replace(top, "files: [README.md,", "files: [lr/records.csv, README.md,"), true},
		{"an experiment named ..", replace(top, "experiments: [lr,", "experiments: [.., lr,"), true},
		{"an experiment in a folder", replace(top, "experiments: [lr,", "experiments: [a/b, lr,"), true},
		{"an experiment named .runner", replace(top, "experiments: [lr,", "experiments: [.runner, lr,"), true},
		{"an experiment named as a file", replace(top, "experiments: [lr,", "experiments: [summary.csv, lr,"), true},
		{"empty", "", true},
		{"trailing bytes", top + "\x00", true},
		{"a folder's manifest as an experiment's", top, false},
	}
	for _, prefix := range []int{1, 10, len(exp) / 2, len(exp) - 1} {
		edits = append(edits, struct {
			name, data string
			folder     bool
		}{fmt.Sprintf("truncated to %d bytes", prefix), exp[:prefix], false})
	}
	for _, e := range edits {
		var err error
		if e.folder {
			_, err = results.ParseFolderManifest([]byte(e.data))
		} else {
			_, err = results.ParseExperimentManifest([]byte(e.data))
		}
		if err == nil {
			t.Errorf("%s: accepted", e.name)
			continue
		}
		checkMessage(t, e.name, err)
	}
}

// replace replaces old in s, which must hold it.
func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic(fmt.Sprintf("%q is not in the manifest", old))
	}
	return strings.Replace(s, old, new, 1)
}

// negativeZero is -0, which a literal -0.0 is not in Go.
var negativeZero = math.Copysign(0, -1)

// oddRecords returns records of runs of the odd manifest's experiment, with
// finals at float64's limits (NaN, ±Inf, -0, the smallest subnormal, 1e308),
// pins reached and not.
func oddRecords(m *results.ExperimentManifest) []*results.Record {
	outcomes := []struct {
		id        string
		status    engine.Status
		w3, b3    float64
		ssr       float64
		reached   []bool
		computed  []float64
		iteration int
	}{
		{"alpha=0.1/b3_initial=0", engine.Converged, 2.6089111372475370, negativeZero, 6.303484538341452e-05, []bool{true, true, true, true}, []float64{-2.6, 1e-5, -1.2, 1e-4}, 10},
		{"alpha=0.34/b3_initial=-1", engine.Diverged, math.NaN(), math.Inf(1), math.Inf(1), []bool{true, false, true, true}, []float64{5e-324, 0, math.NaN(), math.Inf(1)}, 3},
		{"alpha=1e-05/b3_initial=2.5", engine.MaxIterations, 5e-324, -1e308, 1e308, []bool{false, false, true, true}, []float64{0, 0, math.Inf(-1), -5e-324}, 100_000_000},
		{"alpha=1/b3_initial=1e+100", engine.Diverged, math.Inf(-1), -5e-324, math.NaN(), []bool{true, true, true, true}, []float64{negativeZero, 1e308, -1e308, 0.1}, 6},
	}
	var recs []*results.Record
	for _, o := range outcomes {
		id := m.Experiment + "/" + o.id
		settings, err := experiment.ParseSettings(o.id)
		if err != nil {
			panic(err)
		}
		rec := &results.Record{Run: id, Swept: settings, Inputs: m.Inputs.WithSettings(settings)}
		rec.Outcome = results.Outcome{Status: o.status, Iterations: o.iteration, Final: rec.Inputs.Start.Params, SSR: o.ssr}
		rec.Outcome.Final.W3, rec.Outcome.Final.B3 = o.w3, o.b3
		for i, p := range rec.Inputs.Expected {
			rec.Outcome.Checks = append(rec.Outcome.Checks, p.Check(o.computed[i], o.reached[i]))
		}
		for _, name := range m.RunFiles {
			rec.Files = append(rec.Files, results.FileSum{Name: name, Bytes: int64(len(name) * 1000), SHA256: sha256.Sum256([]byte(id + name))})
		}
		recs = append(recs, rec)
	}
	return recs
}

// recordsFile returns an experiment's records.csv of recs.
func recordsFile(m *results.ExperimentManifest, recs []*results.Record) []byte {
	b := results.RecordsHeader(m)
	for _, rec := range recs {
		b = append(b, results.RecordRow(m, rec)...)
	}
	return b
}

// readRecords reads an experiment's records.csv as the readers do, with
// its manifest as read from its folder.
func readRecords(m *results.ExperimentManifest, records []byte) ([]*results.Record, error) {
	fsys := fstest.MapFS{path.Join(m.Experiment, results.RecordsFile): {Data: records}}
	var recs []*results.Record
	err := results.ReadRecords(fsys, m, func(r *results.Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, err
}

// readBack returns a manifest as the readers read it from its folder.
func readBack(t *testing.T, m *results.ExperimentManifest) *results.ExperimentManifest {
	t.Helper()
	read, err := results.ParseExperimentManifest(m.Render())
	if err != nil {
		t.Fatal(err)
	}
	return read
}

// sameFloat reports whether two results are the same: the same bits, or
// both NaN, or both zero (records write -0 as 0, as every CSV file does).
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b)) || (a == 0 && b == 0)
}

// sameRecord says how two records differ, "" if they do not.
func sameRecord(a, b *results.Record) string {
	switch {
	case a.Run != b.Run:
		return "run " + a.Run + " → " + b.Run
	case a.Inputs.Hash() != b.Inputs.Hash():
		return "inputs"
	case a.Outcome.Status != b.Outcome.Status || a.Outcome.Iterations != b.Outcome.Iterations:
		return "status or iterations"
	case !sameFloat(a.Outcome.SSR, b.Outcome.SSR):
		return fmt.Sprintf("SSR %v → %v", a.Outcome.SSR, b.Outcome.SSR)
	case fmt.Sprint(a.Files) != fmt.Sprint(b.Files):
		return "files"
	case len(a.Outcome.Checks) != len(b.Outcome.Checks):
		return "checks"
	}
	for _, p := range engine.AllParams.List() {
		if x, y := a.Outcome.Final.Get(p), b.Outcome.Final.Get(p); !sameFloat(x, y) {
			return fmt.Sprintf("final %v %v → %v", p, x, y)
		}
	}
	for i, c := range a.Outcome.Checks {
		d := b.Outcome.Checks[i]
		if c.Reached != d.Reached || c.Holds != d.Holds || !sameFloat(c.Computed, d.Computed) {
			return fmt.Sprintf("check %d %+v → %+v", i+1, c, d)
		}
	}
	return ""
}

// TestRecordsRoundTrip writes records of odd outcomes in records.csv and
// reads them back: the same records.
func TestRecordsRoundTrip(t *testing.T) {
	m := readBack(t, oddManifest())
	recs := oddRecords(m)
	data := recordsFile(m, recs)
	got, err := readRecords(m, data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i, rec := range recs {
		if diff := sameRecord(rec, got[i]); diff != "" {
			t.Errorf("%s read back otherwise: %s", rec.Run, diff)
		}
		if row := results.RecordRow(m, got[i]); !bytes.Contains(data, row) {
			t.Errorf("%s read back writes another row:\n%s", rec.Run, row)
		}
	}
}

// TestRecordEditsAreRefused edits records.csv in every single byte: each
// edit is refused with a message naming the file and line and no Go type,
// or read as records the runner would write (another outcome, a file of
// another size or hash: what verify.go checks against the files). The one
// exception is the file's last line end: a records.csv without it reads as
// the same records.
func TestRecordEditsAreRefused(t *testing.T) {
	m := readBack(t, oddManifest())
	recs := oddRecords(m)
	data := recordsFile(m, recs)
	refused, accepted := 0, 0
	for _, edit := range singleByteEdits(data) {
		got, err := readRecords(m, edit)
		if err != nil {
			refused++
			checkMessage(t, fmt.Sprintf("edit %q", edit), err)
			if !strings.Contains(err.Error(), "records.csv: line ") {
				t.Errorf("edit %q: %v; want the message to name the file and line", edit, err)
			}
			continue
		}
		accepted++
		if again := recordsFile(m, got); !bytes.Equal(again, edit) && !bytes.Equal(again, append(bytes.Clone(edit), '\n')) {
			t.Errorf("accepted an edit the runner would not write:\n%s", edit)
		}
	}
	t.Logf("%d single-byte edits refused, %d read as other records written canonically", refused, accepted)
}

// TestRecordChosenEditsAreRefused makes chosen edits of records.csv, each
// refused with a message that names no Go type.
func TestRecordChosenEditsAreRefused(t *testing.T) {
	m := readBack(t, oddManifest())
	recs := oddRecords(m)
	data := string(recordsFile(m, recs))
	header, rows, _ := strings.Cut(data, "\n")
	first, _, _ := strings.Cut(rows, "\n")
	cells := strings.Split(first, ",")
	withCell := func(i int, v string) string {
		c := append([]string(nil), cells...)
		c[i] = v
		return strings.Replace(data, first, strings.Join(c, ","), 1)
	}
	edits := []struct{ name, data string }{
		{"a run of other inputs", strings.Replace(data, "odd-1.x_y/alpha=0.1/b3_initial=0,", "odd-1.x_y/alpha=0.2/b3_initial=0,", 1)},
		{"a run of another experiment", strings.Replace(data, "odd-1.x_y/alpha=0.1/", "other/alpha=0.1/", 1)},
		{"a run with ..", strings.Replace(data, "odd-1.x_y/alpha=0.1/b3_initial=0,", "odd-1.x_y/../../victim,", 1)},
		{"an absolute run", strings.Replace(data, "odd-1.x_y/alpha=0.1/", "/odd-1.x_y/alpha=0.1/", 1)},
		{"a run not of the swept fields", strings.Replace(data, "odd-1.x_y/alpha=0.1/b3_initial=0,", "odd-1.x_y/alpha=0.1,", 1)},
		{"a run value not as written", strings.Replace(data, "odd-1.x_y/alpha=0.1/", "odd-1.x_y/alpha=0.10/", 1)},
		{"an unknown status", withCell(2, "finished")},
		{"a status in capitals", withCell(2, "Converged")},
		{"no iterations", withCell(3, "0")},
		{"iterations not a number", withCell(3, "ten")},
		{"a final not a number", withCell(4, "two")},
		{"a final not as written", withCell(4, "2.60891113724753700")},
		{"a final in hex", withCell(4, "0x1.4df6f5c19ed1ep+01")},
		{"an SSR with a plus", withCell(6, "+6.303484538341452e-05")},
		{"a pin not a number", withCell(7, "yes")},
		{"a negative size", withCell(11, "-1")},
		{"a size not as written", withCell(11, "09000")},
		{"a hash too short", withCell(12, "abc")},
		{"a hash in capitals", withCell(12, strings.ToUpper(cells[12]))},
		{"a quoted cell", withCell(2, `"converged"`)},
		{"a cell too many", strings.Replace(data, first, first+",", 1)},
		{"a cell too few", strings.Replace(data, first, first[:strings.LastIndexByte(first, ',')], 1)},
		{"another header", strings.Replace(data, header, strings.Replace(header, "ssr_final", "sse_final", 1), 1)},
		{"no header", rows},
		{"an empty line", data + "\n"},
		{"trailing bytes", data + "x"},
		{"a truncated row", data[:len(data)-10]},
		{"a NUL", strings.Replace(data, "converged", "conv\x00rged", 1)},
		{"CRLF line ends", strings.ReplaceAll(data, "\n", "\r\n")},
		{"empty", ""},
	}
	for _, e := range edits {
		_, err := readRecords(m, []byte(e.data))
		if err == nil {
			t.Errorf("%s: accepted", e.name)
			continue
		}
		checkMessage(t, e.name, err)
		if e.data != "" && !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: %v; want the message to name the line", e.name, err)
		}
	}
	if _, err := readRecords(m, nil); err == nil {
		t.Error("an empty records.csv: accepted")
	} else if !errors.Is(err, fs.ErrNotExist) {
		checkMessage(t, "empty", err)
	}
}
