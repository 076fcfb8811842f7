package cli

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkLs lists the reference workload's 1000 runs
// (bench/workload.yaml), all of them and filtered and sorted, and reports
// each against the time the runs took to run: the fastest of three runs
// of the workload into fresh folders, before the benchmark, so that the
// share is not flattered by a slow run. Issue 23 asks for under 5%.
//
//	go test ./internal/cli -run '^$' -bench Ls -benchtime 20x -v
func BenchmarkLs(b *testing.B) {
	var out string
	ran := time.Duration(math.MaxInt64)
	for i := range 3 {
		out = filepath.Join(b.TempDir(), fmt.Sprint("results", i))
		start := time.Now()
		if status := Main([]string{"run", "-o", out, "../../bench/workload.yaml"}, io.Discard, io.Discard); status != ExitOK {
			b.Fatalf("running the workload: status %d", status)
		}
		ran = min(ran, time.Since(start))
	}
	b.Logf("1000 runs ran in %v at the fastest of 3", ran)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"all-csv", []string{"--csv"}},
		{"all-table", nil},
		{"filtered-sorted", []string{"--where", "status=converged", "--where", "alpha>=0.1", "--sort", "-iterations,alpha", "--limit", "20"}},
		{"json", []string{"--json", "--sort", "ssr_final"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			args := append([]string{"ls", "-o", out}, c.args...)
			var took time.Duration
			for b.Loop() {
				start := time.Now()
				if status := Main(args, io.Discard, io.Discard); status != ExitOK {
					b.Fatalf("runner %v: status %d", args, status)
				}
				took += time.Since(start)
			}
			b.ReportMetric(100*float64(took)/float64(b.N)/float64(ran), "%-of-run")
		})
	}
}
