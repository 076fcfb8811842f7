package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// TestControlCharactersAreEscaped gives text with control characters, as
// an experiment's description or a note may hold them (written as escapes
// in double quotes): ESC, BEL, a carriage return, a right-to-left
// override. The index (Markdown) and a table shown on a terminal show them
// escaped, never raw.
func TestControlCharactersAreEscaped(t *testing.T) {
	hostile := "ok\x1b[2J\a\rgone\u202eevil"
	if got, want := Escape(hostile), `ok\x1b[2J\x07\x0dgone\u202eevil`; got != want {
		t.Errorf("Escape = %q, want %q", got, want)
	}
	if got, want := EscapeText("line one\nline\ttwo\x1b"), "line one\nline\ttwo\\x1b"; got != want {
		t.Errorf("EscapeText = %q, want %q", got, want)
	}
	rows := ends.New[results.Record](10, nil)
	rows.Add(&results.Record{Run: "x", Inputs: results.Inputs{Train: engine.NewParamSet(engine.B3), CSVDigits: 12},
		Outcome: results.Outcome{Status: engine.Converged, Iterations: 1}})
	var index, terminal bytes.Buffer
	m := &results.ExperimentManifest{Experiment: "x", Description: hostile}
	if err := Index(&index, []IndexExperiment{{Manifest: m, Runs: rows}}); err != nil {
		t.Fatal(err)
	}
	tab := newTable([]string{"note"}, "note")
	tab.add(hostile)
	if err := tab.render(&terminal, boxed, nil); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"index": index.String(), "terminal table": terminal.String()} {
		if strings.ContainsAny(out, "\x1b\a\r\u202e") {
			t.Errorf("%s holds a raw control character:\n%q", name, out)
		}
		if !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("%s does not show the escape:\n%s", name, out)
		}
	}
}
