package results_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// The experiments whose runs the verification tests compute: b3 alone and
// all seven parameters, each converged, stopped at max_iterations and
// diverged, with published values pinned at iterations and at the end.
const (
	articleData = "data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]\n"
	b3Weights   = "weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}\n"
	allWeights  = "weights: {w1: 2.74, b1: 0.0, w2: -1.13, b2: 0.0, w3: 0.36, w4: 0.63}\ntrain: all\n"
)

var verified = []struct {
	name, yaml string
	status     engine.Status
}{
	{"b3-converged", b3Weights + "alpha: 0.1\ntolerance: 0.001\nexpected:\n  - {iteration: 1, b3: 0, gradient_b3: -15.7}\n  - {iteration: 3, ssr: 0.52}\n  - {iteration: 40, b3: 2.61}\n  - {final: true, b3: 2.61, ssr: 0.0001}\n", engine.Converged},
	{"b3-max-iterations", b3Weights + "alpha: 0.01\ntolerance: 0.001\nmax_iterations: 20\nexpected:\n  - {iteration: 20, step_b3: -0.06}\n  - {final: true, b3: 2}\n", engine.MaxIterations},
	{"b3-diverged", b3Weights + "alpha: 0.5\ntolerance: 0.001\nexpected:\n  - {iteration: 2, ssr: 1}\n  - {final: true, ssr: 1}\n", engine.Diverged},
	{"all-converged", allWeights + "alpha: 0.05\ntolerance: 0.0001\nmax_iterations: 10000\nexpected:\n  - {iteration: 1, w1: 2.74, gradient_w3: 1, next_b1: 0}\n  - {final: true, w3: -1.2, b3: 2.6}\n", engine.Converged},
	{"all-max-iterations", allWeights + "alpha: 0.05\ntolerance: 0.0001\nmax_iterations: 50\ntrace_every: 7\nexpected:\n  - {iteration: 14, predicted: [0, 0.5, 0]}\n  - {iteration: 15, ssr: 1}\n  - {final: true, w1: 2.7}\n", engine.MaxIterations},
	{"all-diverged", allWeights + "alpha: 0.5\ntolerance: 0.0001\nexpected:\n  - {final: true, w4: 1, ssr: 1}\n", engine.Diverged},
}

// parseExperiment parses an experiment file's text.
func parseExperiment(t *testing.T, name, src string) *experiment.Experiment {
	t.Helper()
	exps, errs := experiment.Parse(name+".yaml", []byte("name: "+name+"\n"+src))
	if errs != nil {
		t.Fatalf("%s: %v", name, errs)
	}
	return exps[0]
}

// computeRun computes run i of an experiment as the pipeline does: its
// trace written by a TraceWriter as batch.Run goes, and its record.
func computeRun(t *testing.T, e *experiment.Experiment, i int) (*results.Record, []byte) {
	t.Helper()
	r := e.Run(i)
	in := results.InputsOf(&r, results.DefaultCSVDigits)
	var trace bytes.Buffer
	tw, err := results.NewTraceWriter(&trace, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
	if err != nil {
		t.Fatal(err)
	}
	o, err := batch.Run(context.Background(), r, tw.Observe)
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		t.Fatal(err)
	}
	rec := &results.Record{Run: r.ID, Swept: r.Swept, Inputs: in, Outcome: results.Outcome{
		Status: o.Result.Status, Iterations: o.Result.Iterations, Final: o.Result.Final.Params, SSR: o.Result.FinalSSR, Checks: o.Checks,
	}}
	sum, err := results.SumOf(results.TraceFile, bytes.NewReader(trace.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rec.Files = []results.FileSum{sum}
	return rec, trace.Bytes()
}

// copyRecord returns a copy of a record that shares nothing it may edit.
func copyRecord(rec *results.Record) *results.Record {
	c := *rec
	c.Outcome.Checks = append([]experiment.Check(nil), rec.Outcome.Checks...)
	c.Files = append([]results.FileSum(nil), rec.Files...)
	return &c
}

// lastDigit returns v written in full with its last digit changed, by
// the least that makes another number: the smallest edit of a number in
// records.csv.
func lastDigit(v float64) float64 {
	text := strconv.FormatFloat(v, 'g', -1, 64)
	mantissa, exp, hasExp := strings.Cut(text, "e")
	last := mantissa[len(mantissa)-1] - '0'
	for step := byte(1); step < 10; step++ {
		d := (last + step) % 10
		if d == 0 && strings.Contains(mantissa, ".") {
			continue // a trailing 0 is not written: 2.59 becomes 2.51, not 2.50
		}
		edited := mantissa[:len(mantissa)-1] + string('0'+d)
		if hasExp {
			edited += "e" + exp
		}
		if w, err := strconv.ParseFloat(edited, 64); err == nil && w != v {
			return w
		}
	}
	panic(fmt.Sprintf("no last-digit edit of %v", v))
}

// A mutation makes a stored run differ from what was computed: its record,
// its trace, or both; rehash gives the record the edited trace's size and
// SHA-256, as a hand that edits both consistently would.
type mutation struct {
	name   string
	edit   func(rec *results.Record, trace []byte) []byte
	rehash bool
}

// mutations returns the mutations of a run to try: each must be refused.
func mutations(t *testing.T, rec *results.Record, trace []byte, other []byte) []mutation {
	var ms []mutation
	for _, s := range []engine.Status{engine.Converged, engine.MaxIterations, engine.Diverged} {
		if s != rec.Outcome.Status {
			ms = append(ms, mutation{name: "status " + s.String(), edit: func(r *results.Record, tr []byte) []byte { r.Outcome.Status = s; return tr }})
		}
	}
	for _, d := range []int{-1, 1} {
		ms = append(ms, mutation{name: fmt.Sprintf("iterations %+d", d), edit: func(r *results.Record, tr []byte) []byte { r.Outcome.Iterations += d; return tr }})
	}
	for _, p := range rec.Inputs.Train.List() {
		// Below the trace's digits, a final value is vouched for by the
		// SSR it gives, bit for bit: an edit that changes no bit of SSR
		// cannot be seen.
		edited := copyRecord(rec)
		edited.Outcome.Final.Set(p, lastDigit(rec.Outcome.Final.Get(p)))
		if net := edited.Network(); net.SSR(rec.Inputs.Data) == rec.Outcome.SSR {
			t.Logf("%s: final %s edited in its last digit gives the same SSR: only the trace's digits vouch for it", rec.Run, p)
			continue
		}
		ms = append(ms, mutation{name: "final " + p.String() + " in its last digit", edit: func(r *results.Record, tr []byte) []byte {
			r.Outcome.Final.Set(p, lastDigit(r.Outcome.Final.Get(p)))
			return tr
		}})
	}
	ms = append(ms, mutation{name: "SSR in its last digit", edit: func(r *results.Record, tr []byte) []byte { r.Outcome.SSR = lastDigit(r.Outcome.SSR); return tr }})
	for i, p := range rec.Inputs.Expected {
		c := rec.Outcome.Checks[i]
		ms = append(ms, mutation{name: fmt.Sprintf("pin %d reached or not", i+1), edit: func(r *results.Record, tr []byte) []byte {
			r.Outcome.Checks[i] = p.Check(c.Computed+1, !c.Reached)
			return tr
		}})
		if !c.Reached {
			continue
		}
		// A final pin's value is checked exactly; an iteration's, as far
		// as the trace's digits show it, if the trace keeps its row.
		edited := lastDigit(c.Computed)
		if !p.Final() {
			if rowOf(traceLines(trace), p.Iteration) < 0 {
				continue
			}
			edited = c.Computed*(1+1e-9) + 1e-9
		}
		ms = append(ms, mutation{name: fmt.Sprintf("pin %d's value", i+1), edit: func(r *results.Record, tr []byte) []byte {
			r.Outcome.Checks[i] = p.Check(edited, true)
			return tr
		}})
	}
	lines := traceLines(trace)
	header := strings.Split(strings.TrimSpace(string(lines[0])), ",")
	ssr := indexOf(header, "ssr")
	cell := func(line, col int, v string) func(*results.Record, []byte) []byte {
		return func(_ *results.Record, _ []byte) []byte {
			cells := strings.Split(strings.TrimSuffix(string(lines[line]), "\n"), ",")
			cells[col] = v
			edited := append([][]byte(nil), lines...)
			edited[line] = []byte(strings.Join(cells, ",") + "\n")
			return bytes.Join(edited, nil)
		}
	}
	last := len(lines) - 1
	middle := max(1, last/2)
	for _, rehash := range []bool{false, true} {
		how := map[bool]string{false: "", true: ", record rehashed"}[rehash]
		add := func(name string, edit func(*results.Record, []byte) []byte) {
			ms = append(ms, mutation{name: name + how, edit: edit, rehash: rehash})
		}
		add("+Inf in the last row's SSR", cell(last, ssr, "+Inf"))
		add("NaN in the last row's SSR", cell(last, ssr, "NaN"))
		add("the last row's iteration", cell(last, 0, strconv.Itoa(rec.Outcome.Iterations+1)))
		// The cells the outcome is read from: the final values (the
		// values of a run that diverged, else the next ones), its SSR,
		// and the steps its status depends on.
		for _, p := range rec.Inputs.Train.List() {
			col := indexOf(header, "next_"+p.String())
			if rec.Outcome.Status == engine.Diverged {
				col = indexOf(header, p.String())
			}
			add("the last row's "+header[col], cell(last, col, editDigit(cellOf(lines[last], col))))
			step := indexOf(header, "step_"+p.String())
			switch rec.Outcome.Status {
			case engine.Converged:
				add("the last row's "+header[step]+" not below the tolerance", cell(last, step, results.FormatCSV(-2*rec.Inputs.Tolerance, 12)))
			case engine.MaxIterations:
				if len(rec.Inputs.Train.List()) == 1 {
					add("the last row's "+header[step]+" below the tolerance", cell(last, step, "0"))
				}
			}
		}
		if rec.Outcome.Status == engine.Diverged {
			add("the last row's SSR in its last digit", cell(last, ssr, editDigit(cellOf(lines[last], ssr))))
			add("the last row's SSR not grown", cell(last, ssr, cellOf(lines[1], ssr)))
		}
		add("a line end after the last", func(_ *results.Record, tr []byte) []byte { return append(bytes.Clone(tr), '\n') })
		add("trailing bytes", func(_ *results.Record, tr []byte) []byte { return append(bytes.Clone(tr), "1,2"...) })
		add("the last line cut before its last cell", func(_ *results.Record, tr []byte) []byte {
			return bytes.Clone(tr[:bytes.LastIndexByte(tr, ',')])
		})
		add("no rows", func(_ *results.Record, tr []byte) []byte { return bytes.Clone(lines[0]) })
		add("empty", func(_ *results.Record, _ []byte) []byte { return nil })
		add("a quote", cell(last, 0, `"`+strconv.Itoa(rec.Outcome.Iterations)+`"`))
		add("a trace of other columns", func(_ *results.Record, _ []byte) []byte { return other })
		add("another header", cell(0, ssr, "sse"))
		for i, p := range rec.Inputs.Expected {
			if p.Final() || !rec.Outcome.Checks[i].Reached {
				continue
			}
			if line := rowOf(lines, p.Iteration); line > 0 {
				col := indexOf(header, p.Column)
				add(fmt.Sprintf("the row of pin %d", i+1), cell(line, col, editDigit(cellOf(lines[line], col))))
			}
		}
	}
	// What only the trace's hash vouches for.
	ms = append(ms,
		mutation{name: "a truncated last line", edit: func(_ *results.Record, tr []byte) []byte { return bytes.Clone(tr[:len(tr)-4]) }},
		mutation{name: "+Inf in a middle row's SSR", edit: cell(middle, ssr, "+Inf")},
		mutation{name: "a middle row's cell in its last digit", edit: cell(middle, 1, editDigit(cellOf(lines[middle], 1)))},
		mutation{name: "the last row twice", edit: func(_ *results.Record, tr []byte) []byte { return append(bytes.Clone(tr), lines[last]...) }},
	)
	return ms
}

// traceLines splits a trace into its lines, each with its line end.
func traceLines(trace []byte) [][]byte {
	lines := bytes.SplitAfter(trace, []byte("\n"))
	return lines[:len(lines)-1] // the empty one after the last line end
}

// indexOf returns the index of a column, which must be there.
func indexOf(header []string, col string) int {
	for i, h := range header {
		if h == col {
			return i
		}
	}
	panic("no column " + col)
}

// cellOf returns a cell of a trace line.
func cellOf(line []byte, col int) string {
	return strings.Split(strings.TrimSuffix(string(line), "\n"), ",")[col]
}

// rowOf returns the index of the line of an iteration, or -1.
func rowOf(lines [][]byte, iteration int) int {
	prefix := strconv.Itoa(iteration) + ","
	for i, l := range lines[1:] {
		if strings.HasPrefix(string(l), prefix) {
			return i + 1
		}
	}
	return -1
}

// editDigit changes the last digit of a number as a trace writes it.
func editDigit(cell string) string {
	mantissa, exp, hasExp := strings.Cut(cell, "e")
	i := strings.LastIndexAny(mantissa, "0123456789")
	d := mantissa[i]
	if d == '9' {
		d = '8'
	} else {
		d++
	}
	edited := mantissa[:i] + string(d) + mantissa[i+1:]
	if hasExp {
		edited += "e" + exp
	}
	return edited
}

// TestVerifyTrace computes real runs and checks each against its record:
// the real trace and record are accepted; every mutation of either is
// refused, with a message that names no Go type.
func TestVerifyTrace(t *testing.T) {
	traces := map[string][]byte{}
	recs := map[string]*results.Record{}
	for _, v := range verified {
		e := parseExperiment(t, v.name, articleData+v.yaml)
		recs[v.name], traces[v.name] = computeRun(t, e, 0)
		if got := recs[v.name].Outcome.Status; got != v.status {
			t.Fatalf("%s: %v, want %v: the experiment does not end as the test needs", v.name, got, v.status)
		}
	}
	for _, v := range verified {
		t.Run(v.name, func(t *testing.T) {
			rec, trace := recs[v.name], traces[v.name]
			sum, err := results.VerifyTrace(bytes.NewReader(trace), rec)
			if err != nil {
				t.Fatalf("the computed trace and record: %v", err)
			}
			if sum != rec.Files[0] {
				t.Errorf("VerifyTrace returned %v, want %v", sum, rec.Files[0])
			}
			other := traces["all-converged"]
			if strings.HasPrefix(v.name, "all") {
				other = traces["b3-converged"]
			}
			for _, m := range mutations(t, rec, trace, other) {
				edited := copyRecord(rec)
				tr := m.edit(edited, bytes.Clone(trace))
				if m.rehash {
					edited.Files[0], _ = results.SumOf(results.TraceFile, bytes.NewReader(tr))
				}
				if _, err := results.VerifyTrace(bytes.NewReader(tr), edited); err == nil {
					t.Errorf("%s: %s: accepted", v.name, m.name)
				} else {
					checkMessage(t, m.name, err)
				}
			}
		})
	}
}

// TestRecordsOfRealRunsCannotBeFaked writes the records.csv of real runs
// and edits it in every single byte: each edit is refused by ReadRecords,
// or the record it reads is refused by VerifyRun against the run's real
// trace, or it changes only a value pinned at an iteration below the
// digits of the trace, which is all that can vouch for it (the record
// holds it in full; the verdict does not change).
func TestRecordsOfRealRunsCannotBeFaked(t *testing.T) {
	e := parseExperiment(t, "lr", articleData+b3Weights+"tolerance: 0.001\nmax_iterations: 30\nsweep:\n  alpha: [0.01, 0.1, 0.5]\nexpected:\n  - {iteration: 2, b3: 1.57}\n  - {final: true, b3: 2.61}\n")
	first := e.Run(0)
	m := readBack(t, &results.ExperimentManifest{Experiment: e.Name, File: "lr.yaml", Inputs: results.InputsOf(&first, results.DefaultCSVDigits),
		Swept: []string{"alpha"}, Files: []string{results.RecordsFile}, RunFiles: []string{results.TraceFile}})
	fsys := fstest.MapFS{}
	var recs []*results.Record
	for i := range e.RunCount() {
		rec, trace := computeRun(t, e, i)
		recs = append(recs, rec)
		fsys[path.Join(rec.Run, results.TraceFile)] = &fstest.MapFile{Data: trace}
		if err := results.VerifyRun(fsys, rec); err != nil {
			t.Fatalf("%s as computed: %v", rec.Run, err)
		}
	}
	data := recordsFile(m, recs)
	refused, unverified, belowDigits, faked := 0, 0, 0, 0
	for _, edit := range singleByteEdits(data) {
		got, err := readRecords(m, edit)
		if err != nil {
			refused++
			continue
		}
		for i, rec := range got {
			if i < len(recs) && sameRecord(recs[i], rec) == "" {
				continue
			}
			err := results.VerifyRun(fsys, rec)
			switch {
			case err != nil:
				unverified++
			case i < len(recs) && withinTraceDigits(recs[i], rec):
				belowDigits++
			default:
				faked++
				if faked <= 10 {
					t.Errorf("an edit of one byte is read and verified: %s", sameRecord(recs[min(i, len(recs)-1)], rec))
				}
			}
		}
	}
	t.Logf("%d single-byte edits refused as records, %d read but refused by verification, %d of pins' values below the trace's digits, %d faked",
		refused, unverified, belowDigits, faked)
}

// withinTraceDigits reports whether two records differ only where
// nothing but the trace's digits can vouch for them, and by less than they
// show: in values pinned at iterations (without changing whether they
// hold), and in final values that give the same SSR, bit for bit. What
// they change, the runner shows nowhere.
func withinTraceDigits(a, b *results.Record) bool {
	c := copyRecord(b)
	if net := b.Network(); math.Float64bits(net.SSR(b.Inputs.Data)) == math.Float64bits(a.Outcome.SSR) {
		for _, p := range a.Inputs.Train.List() {
			if x, y := a.Outcome.Final.Get(p), b.Outcome.Final.Get(p); results.FormatCSV(x, a.Inputs.CSVDigits) == results.FormatCSV(y, a.Inputs.CSVDigits) {
				c.Outcome.Final.Set(p, x)
			}
		}
	}
	for i, p := range a.Inputs.Expected {
		x, y := a.Outcome.Checks[i], b.Outcome.Checks[i]
		if p.Final() || x.Reached != y.Reached || x.Holds != y.Holds ||
			results.FormatCSV(x.Computed, a.Inputs.CSVDigits) != results.FormatCSV(y.Computed, a.Inputs.CSVDigits) {
			continue
		}
		c.Outcome.Checks[i] = x
	}
	return sameRecord(a, c) == ""
}

// TestFinalPinsAndSSRAreExact checks what the record holds in full against
// the trace's rounding: the finals and SSR of real runs, written with 12
// digits in the trace, are checked to the last bit through the SSR the
// engine computes at them.
func TestFinalPinsAndSSRAreExact(t *testing.T) {
	for _, v := range verified {
		e := parseExperiment(t, v.name, articleData+v.yaml)
		rec, trace := computeRun(t, e, 0)
		edited := copyRecord(rec)
		edited.Inputs.Expected, edited.Outcome.Checks = nil, nil // a final SSR pinned would tell on it too
		edited.Outcome.SSR = math.Nextafter(rec.Outcome.SSR, math.Inf(1))
		if _, err := results.VerifyTrace(bytes.NewReader(trace), edited); err == nil {
			t.Errorf("%s: an SSR one bit off is accepted", v.name)
		}
	}
}
