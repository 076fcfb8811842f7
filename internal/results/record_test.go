package results

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// article returns the record of a run of the article's experiment: pins
// that hold and one that is not reached, a note with quotes and control
// characters, and files.
func article() *Record {
	return &Record{
		Run:    "article",
		Method: Method,
		Inputs: Inputs{
			Data:  []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
			Start: engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}},
			Train: engine.NewParamSet(engine.B3), Alpha: 0.1, Tolerance: 0.001, MaxIterations: 1000, TraceEvery: 1, CSVDigits: 12,
			Expected: []Pin{
				{Iteration: 1, Column: "gradient_b3", Printed: "-15.7"},
				{Iteration: 2, Column: "predicted_2", Printed: "-0.03", Widened: 0.02, Note: "rounded \"inputs\"\x1b[31m: see\tthe article"},
				{Iteration: 2000, Column: "b3", Printed: "2.61"},
				{Column: "b3", Printed: "2.61"},
			},
		},
		Outcome: Outcome{
			Status: engine.Converged, Iterations: 10, Final: engine.Params{B3: 2.60891113725}, SSR: 6.30348453834e-05,
			Checks: []Check{{true, -15.6551083806, true}, {true, -0.043508480136, true}, {}, {true, 2.60891113725, true}},
		},
		Files:  []FileSum{{TraceFile, 1341, strings.Repeat("ab", 32)}, {IterationsFile, 1323, strings.Repeat("cd", 32)}},
		Runner: "v1.2.3",
	}
}

// TestRecordRoundTrips renders records and reads them back: the same
// record, the same bytes, whatever the values (NaN and infinities of a
// diverged run, parameters other than b3, notes that need quoting).
func TestRecordRoundTrips(t *testing.T) {
	diverged := article()
	diverged.Run = "lr/alpha=0.5"
	diverged.Inputs.Train = engine.AllParams
	diverged.Inputs.Start.Activation = engine.Sigmoid
	diverged.Inputs.Expected, diverged.Outcome.Checks = nil, nil
	diverged.Outcome = Outcome{Status: engine.Diverged, Iterations: 12,
		Final: engine.Params{W1: math.Inf(1), B1: math.Inf(-1), W2: math.NaN(), B2: 1e300, W3: -0, W4: 5e-324, B3: 1}, SSR: math.Inf(1)}
	for _, rec := range []*Record{article(), diverged} {
		data := rec.Render()
		got, err := ParseRecord(data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", rec.Run, err, data)
		}
		if again := got.Render(); !bytes.Equal(again, data) {
			t.Errorf("%s: read back, the record renders as\n%s\nnot\n%s", rec.Run, again, data)
		}
		if got.Run != rec.Run || got.Inputs.Train != rec.Inputs.Train || got.Outcome.Status != rec.Outcome.Status || len(got.Files) != len(rec.Files) {
			t.Errorf("%s: read back as %+v", rec.Run, got)
		}
	}
}

// TestRecordRefusesEdits changes records as a hand might: each is refused.
func TestRecordRefusesEdits(t *testing.T) {
	data := string(article().Render())
	for _, edit := range []struct{ from, to string }{
		{"alpha: 0.1\n", "alpha: 0.2\n"},          // the inputs no longer match their SHA-256
		{"status: converged", "status: done"},     // an unknown status
		{"iterations: 10\n", "iterations: 010\n"}, // not as the runner writes it
		{"runner: \"v1.2.3\"\n", "runner: \"v1.2.3\"\nextra: 1\n"},
	} {
		edited := strings.Replace(data, edit.from, edit.to, 1)
		if edited == data {
			t.Fatalf("%q is not in the record", edit.from)
		}
		if _, err := ParseRecord([]byte(edited)); err == nil {
			t.Errorf("a record with %q for %q was read", edit.to, edit.from)
		}
	}
}

// TestHeadCoversEveryInput changes each input of a run: each changes the
// record's head, so that no stored run is reused for other inputs; the
// outcome, files and runner's version do not.
func TestHeadCoversEveryInput(t *testing.T) {
	base := article()
	head := Head(base.Run, &base.Inputs)
	if !bytes.HasPrefix(base.Render(), head) {
		t.Fatal("a record does not start with its head")
	}
	for name, change := range map[string]func(in *Inputs){
		"a data point":   func(in *Inputs) { in.Data[2].Y = 0.1 },
		"a weight":       func(in *Inputs) { in.Start.W4 = -2.31 },
		"b3":             func(in *Inputs) { in.Start.B3 = 1 },
		"the activation": func(in *Inputs) { in.Start.Activation = engine.ReLU },
		"train":          func(in *Inputs) { in.Train = engine.AllParams },
		"alpha":          func(in *Inputs) { in.Alpha = 0.2 },
		"tolerance":      func(in *Inputs) { in.Tolerance = 0.01 },
		"max_iterations": func(in *Inputs) { in.MaxIterations = 10 },
		"trace_every":    func(in *Inputs) { in.TraceEvery = 2 },
		"csv_digits":     func(in *Inputs) { in.CSVDigits = 17 },
		"a pin":          func(in *Inputs) { in.Expected[0].Printed = "-15.6" },
		"a note":         func(in *Inputs) { in.Expected[1].Note = "other" },
	} {
		rec := article()
		change(&rec.Inputs)
		if bytes.Equal(Head(rec.Run, &rec.Inputs), head) {
			t.Errorf("changing %s leaves the head as it was", name)
		}
	}
	rec := article()
	rec.Outcome.Iterations, rec.Runner, rec.Files = 11, "v9", nil
	if !bytes.HasPrefix(rec.Render(), head) {
		t.Errorf("the outcome, files or version change the head")
	}
}

// TestRowsHaveEveryColumn checks rows of runs that train different
// parameters: every row has every column, empty where it does not apply.
func TestRowsHaveEveryColumn(t *testing.T) {
	b3 := RowOf(article())
	if b3[ColB3Final] != "2.60891113725" || b3[ColW3Final] != "" || b3[ColB3Optimum] == "" || b3[ColExpected] != "3/4" || b3[ColTrain] != "b3" {
		t.Errorf("row of a b3 run: %q", b3)
	}
	rec := article()
	rec.Inputs.Train = engine.NewParamSet(engine.W3, engine.W4)
	rec.Outcome.Final.W3, rec.Outcome.Final.W4 = -1.2, -2.3
	rec.Outcome.Checks, rec.Inputs.Expected = nil, nil
	row := RowOf(rec)
	if row[ColB3Final] != "" || row[ColW3Final] != "-1.2" || row[ColB3Optimum] != "" || row[ColErrorFactor] != "" || row[ColExpected] != "" || row[ColTrain] != "w3 w4" {
		t.Errorf("row of a w3 w4 run: %q", row)
	}
	if row[ColW1Initial] != "3.34" || row[ColB3Initial] != "0" || row[ColActivation] != "softplus" {
		t.Errorf("row of a w3 w4 run: %q", row)
	}
	if len(Header()) != int(NumColumns) || Header()[ColStatus] != "status" || Initial(engine.B3) != ColB3Initial || Final(engine.W1) != ColW1Final {
		t.Errorf("columns out of order: %v", Header())
	}
}

// TestSummaryRoundTrips writes rows to a summary and reads them back.
func TestSummaryRoundTrips(t *testing.T) {
	rows := []Row{RowOf(article()), RowOf(article())}
	rows[1][ColRun] = "with,comma \"and quotes\""
	var b bytes.Buffer
	w, err := NewSummaryWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewSummaryReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		got, err := r.Next()
		if err != nil || got != rows[i] {
			t.Errorf("row %d: %q, %v; want %q", i, got, err, rows[i])
		}
	}
	if _, err := NewSummaryReader(strings.NewReader("experiment,run\n")); err == nil {
		t.Errorf("a summary of other columns was read")
	}
}

// TestManifestsRoundTrip renders manifests and reads them back.
func TestManifestsRoundTrip(t *testing.T) {
	m := ExperimentManifest{Experiment: "lr", Description: "a \"sweep\"\nof two lines", Files: []string{SummaryFile, SweepFile}, RunFiles: []string{TraceFile, RecordFile}}
	got, err := ParseExperimentManifest(m.Render())
	if err != nil || got.Description != m.Description || !got.HasSweep() {
		t.Errorf("read back as %+v, %v", got, err)
	}
	f := FolderManifest{Layout: Layout, Files: []string{IndexFile}}
	if got, err := ParseFolderManifest(f.Render()); err != nil || got.Files[0] != IndexFile {
		t.Errorf("read back as %+v, %v", got, err)
	}
	if _, err := ParseFolderManifest([]byte(strings.Replace(string(f.Render()), "layout: 2", "layout: 1", 1))); err == nil {
		t.Errorf("a manifest of layout 1 was read")
	}
}
