package compare

import (
	"fmt"
	"strings"
	"testing"
)

func run(status, iterations, b3 string, trace ...string) Run {
	r := Run{Result: map[string]string{"experiment": "e", "run": "x", "status": status, "iterations": iterations, "b3_final": b3, "alpha": "0.1"}}
	for _, line := range trace {
		r.Trace = append(r.Trace, strings.Split(line, ","))
	}
	return r
}

func describe(diffs []Difference) string {
	var lines []string
	for _, d := range diffs {
		lines = append(lines, fmt.Sprintf("%s | %s | %s | %s | %s", d.Run, d.What, d.Old, d.New, d.Detail))
	}
	return strings.Join(lines, "\n")
}

func TestRuns(t *testing.T) {
	header := "iteration,b3,ssr"
	old := map[string]Run{
		"same":    run("converged", "2", "2.6", header, "1,0,20", "2,1.5,3"),
		"removed": run("converged", "2", "2.6"),
		"changed": run("converged", "3", "2.6", header, "1,0,20", "2,1.5,3", "3,2,1"),
		"longer":  run("converged", "2", "2.6", header, "1,0,20", "2,1.5,3"),
	}
	new := map[string]Run{
		"same":    run("converged", "2", "2.6", header, "1,0,20", "2,1.5,3"),
		"added":   run("diverged", "9", "1e9"),
		"changed": run("diverged", "3", "2.7", header, "1,0,20", "2,1.6,3.3", "3,2,1.5"),
		"longer":  run("max-iterations", "3", "2.6", header, "1,0,20", "2,1.5,3", "3,2,1"),
	}
	want := strings.Join([]string{
		"added | added |  | diverged | ",
		"changed | status | converged | diverged | ",
		"changed | b3_final | 2.6 | 2.7 | absolute 0.1, relative 0.037",
		"changed | trace |  |  | first at iteration 2, b3: 1.5 → 1.6; largest absolute difference 0.5 (iteration 3, ssr), largest relative 0.333 (iteration 3, ssr)",
		"longer | status | converged | max-iterations | ",
		"longer | iterations | 2 | 3 | absolute 1, relative 0.333",
		"longer | trace |  |  | 2 rows → 3",
		"removed | removed | converged |  | ",
	}, "\n")
	if got := describe(Runs(old, new, Tolerance{})); got != want {
		t.Errorf("differences:\n%s\nwant:\n%s", got, want)
	}
}

func TestTolerance(t *testing.T) {
	old := map[string]Run{"r": run("converged", "2", "2.60891113725", "iteration,b3", "1,1.00000000001")}
	new := map[string]Run{"r": run("converged", "2", "2.60891113726", "iteration,b3", "1,1.00000000002")}
	if diffs := Runs(old, new, Tolerance{}); len(diffs) != 2 {
		t.Errorf("without tolerance: %d differences, want 2:\n%s", len(diffs), describe(diffs))
	}
	for _, tol := range []Tolerance{{Abs: 1e-10}, {Rel: 1e-10}} {
		if diffs := Runs(old, new, tol); len(diffs) != 0 {
			t.Errorf("%+v: differences:\n%s", tol, describe(diffs))
		}
	}
	if !(Tolerance{}).Equal(0, 0) || (Tolerance{Abs: 0.1}).Equal(1, 1.2) || !(Tolerance{Rel: 0.1}).Equal(10, 10.9) {
		t.Errorf("Tolerance.Equal")
	}
}
