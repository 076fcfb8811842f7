package report

import (
	"io"

	"github.com/descentlab/runner/internal/compare"
)

// WriteDifferences shows the differences between two results folders as a
// table, one row per difference.
func WriteDifferences(w io.Writer, diffs []compare.Difference) error {
	t := newTable([]string{"run", "what", "old", "new", "detail"}, "run", "what", "old", "new", "detail")
	for _, d := range diffs {
		t.add(d.Run, d.What, d.Old, d.New, d.Detail)
	}
	return t.render(w, boxed)
}
