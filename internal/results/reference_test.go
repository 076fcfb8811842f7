package results

import (
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/experiment"
)

// TestEveryColumnIsDocumented checks that each column of summary.csv is
// documented, alone or as one of the parameters' columns.
func TestEveryColumnIsDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, d := range SummaryColumns() {
		if d.Doc == "" {
			t.Errorf("%s has no doc", d.Name)
		}
		for _, name := range strings.Split(d.Name, " … ") {
			documented[name] = true
		}
	}
	for c := Column(0); c < NumColumns; c++ {
		name := c.String()
		if documented[name] {
			continue
		}
		if (c > ColW1Initial && c < ColB3Initial) || (c > ColW1Final && c < ColB3Final) {
			continue // between the first and last parameters' columns
		}
		t.Errorf("column %s is not documented", name)
	}
}

// TestTopLevelNamesAreReserved checks that no experiment may be named as
// a file the runner writes beside the experiments' folders.
func TestTopLevelNamesAreReserved(t *testing.T) {
	for _, name := range append(slices.Clone(topFiles), ManifestFile) {
		if !experiment.Reserved(name) {
			t.Errorf("an experiment may be named %s", name)
		}
	}
}
