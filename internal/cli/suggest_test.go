package cli

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestNearestRuns checks which runs a mistyped identifier suggests: those
// of the same experiment and keys whose values are nearest, relatively,
// every key counted; none for what is not such a run.
func TestNearestRuns(t *testing.T) {
	ids := []string{
		"g/alpha=0.01/b3_initial=0", "g/alpha=0.01/b3_initial=1",
		"g/alpha=0.1/b3_initial=0", "g/alpha=0.1/b3_initial=1",
		"g/alpha=1/b3_initial=0", "g/alpha=1/b3_initial=1",
		"h/alpha=0.1/b3_initial=0",
	}
	for _, c := range []struct {
		id   string
		want []string
	}{
		{"g/alpha=0.11/b3_initial=1", []string{"g/alpha=0.1/b3_initial=1"}},
		{"g/alpha=100/b3_initial=0", []string{"g/alpha=1/b3_initial=0"}},
		{"g/alpha=0.1/b3_initial=0.5", []string{"g/alpha=0.1/b3_initial=1"}}, // relatively nearer 1 than 0
		{"g/alpha=0.05/b3_initial=0", []string{"g/alpha=0.1/b3_initial=0"}},  // as on a log scale
		{"h/alpha=0.3/b3_initial=0", []string{"h/alpha=0.1/b3_initial=0"}},   // its experiment's only
		{"g/alpha=0.1", nil},              // other keys
		{"g/b3_initial=0/alpha=0.1", nil}, // in another order
		{"g/alpha=x/b3_initial=0", nil},   // not a number
		{"g", nil},                        // not a run of a sweep
		{"k/alpha=0.1/b3_initial=0", nil}, // another experiment
		{"g/alpha=NaN/b3_initial=0", nil}, // no nearness
	} {
		if got := nearestRuns(c.id, ids); !slices.Equal(got, c.want) {
			t.Errorf("nearestRuns(%q) = %q, want %q", c.id, got, c.want)
		}
	}
	if got, want := nearestRuns("g/alpha=2", []string{"g/alpha=1", "g/alpha=4"}), []string{"g/alpha=1", "g/alpha=4"}; !slices.Equal(got, want) {
		t.Errorf("nearestRuns between two = %q, want both, tied: %q", got, want)
	}
	many := []string{"g/alpha=1", "g/alpha=3", "g/alpha=3", "g/alpha=3", "g/alpha=3"}
	if got := nearestRuns("g/alpha=2.9", many); len(got) != maxSuggested {
		t.Errorf("nearestRuns of %d tied = %q, want %d of them", len(many)-1, got, maxSuggested)
	}
}

// TestUnderFolder checks that a path under the results folder that does
// not exist is taken for the identifier of the run it would hold, and
// anything else is left as it is.
func TestUnderFolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	for _, c := range []struct{ name, want string }{
		{filepath.Join(out, "lr", "alpha=0.11"), "lr/alpha=0.11"},
		{"lr/alpha=0.11", "lr/alpha=0.11"},
		{filepath.Join(out+"x", "lr"), filepath.Join(out+"x", "lr")}, // beside it, not under it
		{out, out},
		{filepath.Join(out, "..", "lr"), filepath.Join(out, "..", "lr")},
	} {
		if got := underFolder(c.name, out); got != c.want {
			t.Errorf("underFolder(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
