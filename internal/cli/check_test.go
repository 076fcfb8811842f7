package cli

import (
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/pipeline"
)

// TestCheckSaysWhatIsNotUpToDate checks the end of runner run --check's
// report: only what there is some of, and the fix that brings it up to
// date (--prune only if something is stale, as it also writes what would
// change).
func TestCheckSaysWhatIsNotUpToDate(t *testing.T) {
	for _, c := range []struct {
		r    pipeline.Report
		want string
	}{
		{pipeline.Report{ChangedFiles: []string{"a", "b"}},
			"results under results are not up to date: 2 files would change; run runner run with the same paths, and commit the results"},
		{pipeline.Report{StaleRuns: []string{"lr/alpha=0.2"}},
			"results under results are not up to date: 1 folder is stale; run runner run --prune with the same paths to remove what is stale, and commit the results"},
		{pipeline.Report{ChangedFiles: []string{"a"}, StaleRuns: []string{"lr/alpha=0.2"}, StaleExperiments: []string{"old"}},
			"results under results are not up to date: 1 file would change and 2 folders are stale; run runner run --prune with the same paths, and commit the results"},
		{pipeline.Report{Unfinished: []string{"lr"}, Temporary: 3},
			"results under results are not up to date: 1 experiment unfinished and 3 temporary files left over; run runner run with the same paths, and commit the results"},
	} {
		var stdout strings.Builder
		err := checkResults(&stdout, "results", &c.r)
		if err == nil || err.Error() != c.want {
			t.Errorf("checkResults(%+v) = %v,\nwant %s", c.r, err, c.want)
		}
		if strings.Contains(err.Error(), " 0 ") {
			t.Errorf("checkResults(%+v) counts what there is none of: %v", c.r, err)
		}
	}
	var stdout strings.Builder
	if err := checkResults(&stdout, "results", &pipeline.Report{Files: 4}); err != nil || stdout.String() != "4 files under results up to date\n" {
		t.Errorf("checkResults of nothing to change: %v, %q", err, stdout.String())
	}
}
