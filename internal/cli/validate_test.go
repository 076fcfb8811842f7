package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateMakesRunsChecks gives runner validate and runner run files
// that only the checks made before running refuse (a trace too long, too
// many data points, a batch too long or too large): both refuse them with
// the same messages, which point at the field, and exit 2; run writes
// nothing. With the limit raised, validate passes them.
func TestValidateMakesRunsChecks(t *testing.T) {
	const experiment = `name: %s
data: [%s]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
max_iterations: %d
%s`
	points := strings.Repeat("{x: 0, y: 0}, ", 10_000) + "{x: 1, y: 1}"
	single, sweep := "alpha: 0.1\n", "sweep: {alpha: {from: 0.01, to: 0.1, count: 20000}}\n"
	for _, c := range []struct {
		name, file, where, raise string
	}{
		{"trace rows", fmt.Sprintf(experiment, "long", "{x: 0, y: 0}", 5_000_000, single), ":5:17: max_iterations: a trace could reach 5,000,000 rows", "--max-trace-rows=5000000"},
		{"data points", fmt.Sprintf(experiment, "wide", points, 10, single), ":2:7: data: 10,001 data points, more than --max-points allows (10,000)", "--max-points=10001"},
		{"iterations", fmt.Sprintf(experiment, "many", "{x: 0, y: 0}", 1_000_000, sweep), ":5:17: max_iterations: the batch could take 20,000,000,000 iterations", "--max-total-iterations=20000000000"},
		{"output", fmt.Sprintf(experiment, "large", "{x: 0, y: 0}", 1_000_000, sweep), ":5:17: max_iterations: the batch could write", "--max-output=10TB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := writeFile(t, "e.yaml", c.file)
			out := filepath.Join(t.TempDir(), "results")
			args := []string{"--max-total-iterations=1000000000000000000"} // the other limits, out of the way
			if c.name == "iterations" {
				args = []string{"--max-output=10TB"}
			}
			_, validated := mainIn(t, ExitUsage, append([]string{"validate", file}, args...)...)
			_, ran := mainIn(t, ExitUsage, append([]string{"run", "-o", out, file}, args...)...)
			if !strings.Contains(validated, file+c.where) {
				t.Errorf("validate says\n%s\nwant it to say %s%s", validated, file, c.where)
			}
			if ran != validated {
				t.Errorf("run says\n%s\nvalidate says\n%s", ran, validated)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("run wrote %s", out)
			}
			mainIn(t, ExitOK, append([]string{"validate", file, c.raise}, args...)...)
		})
	}
}
