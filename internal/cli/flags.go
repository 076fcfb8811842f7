package cli

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// shardFlag is --shard K/N: the K-th (from 1) of N slices of the runs, or
// auto: the slice the scheduler's environment gives.
type shardFlag struct {
	batch.Shard
	auto bool
}

func (s *shardFlag) String() string {
	if s.auto && s.Whole() {
		return "auto"
	}
	return s.Shard.String()
}

func (s *shardFlag) Set(v string) error {
	if v == "auto" {
		s.auto = true
		return nil
	}
	var k, n int
	if _, err := fmt.Sscanf(v, "%d/%d", &k, &n); err != nil || fmt.Sprintf("%d/%d", k, n) != v || n < 1 || k < 1 || k > n {
		return fmt.Errorf("want K/N with 1 <= K <= N, such as 2/8, or auto; got %q", v)
	}
	s.K, s.N = k, n
	return nil
}

// failStatuses are the statuses --fail-on accepts.
var failStatuses = []engine.Status{engine.Diverged, engine.MaxIterations}

// statusFlag is --fail-on: a set of run statuses.
type statusFlag map[engine.Status]bool

func (f statusFlag) String() string {
	var names []string
	for _, s := range failStatuses {
		if f[s] {
			names = append(names, s.String())
		}
	}
	return strings.Join(names, ",")
}

func (f statusFlag) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		s, ok := engine.ParseStatus(name)
		switch {
		case ok && s == engine.Stopped:
			return fmt.Errorf("%v ends every learning-rate range test, as it should, and fails nothing; want %v or %v", s, failStatuses[0], failStatuses[1])
		case !ok || !slices.Contains(failStatuses, s):
			return fmt.Errorf("unknown status %q; want %v or %v", name, failStatuses[0], failStatuses[1])
		}
		f[s] = true
	}
	return nil
}

// sizeFlag is a number of bytes, written with a unit: 10GB, 500MB, 2TB.
type sizeFlag struct{ n *int64 }

var sizeUnits = []struct {
	suffix string
	bytes  float64
}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}, {"B", 1}}

func (f sizeFlag) String() string {
	if f.n == nil {
		return ""
	}
	return strings.ReplaceAll(pipeline.Bytes(*f.n), " ", "")
}

func (f sizeFlag) Set(v string) error {
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			x, err := strconv.ParseFloat(num, 64)
			if err != nil || !(x > 0) || math.IsInf(x, 0) || x*u.bytes > math.MaxInt64 {
				break
			}
			*f.n = int64(x * u.bytes)
			return nil
		}
	}
	return fmt.Errorf("want a size such as 20GB or 500MB; got %q", v)
}

// limitFlags defines the flags that raise the limits of a batch.
func limitFlags(fs *flag.FlagSet, l *pipeline.Limits) {
	*l = pipeline.DefaultLimits
	fs.IntVar(&l.MaxTraceRows, "max-trace-rows", l.MaxTraceRows, "refuse experiments whose traces could have more than `N` rows")
	fs.IntVar(&l.MaxPoints, "max-points", l.MaxPoints, "refuse experiments of more than `N` data points")
	fs.Int64Var(&l.MaxIterations, "max-total-iterations", l.MaxIterations, "refuse batches that could take more than `N` iterations in all")
	fs.Var(sizeFlag{&l.MaxBytes}, "max-output", "refuse batches that could write more than `SIZE` (such as 20GB)")
}

// checkLimits refuses limits that are not positive.
func checkLimits(l *pipeline.Limits) error {
	switch {
	case l.MaxTraceRows < 1:
		return usagef("-max-trace-rows: must be at least 1, got %d", l.MaxTraceRows)
	case l.MaxPoints < 1:
		return usagef("-max-points: must be at least 1, got %d", l.MaxPoints)
	case l.MaxIterations < 1:
		return usagef("-max-total-iterations: must be at least 1, got %d", l.MaxIterations)
	}
	return nil
}

// pictureFlags defines the flags that choose pictures.
type pictureFlags struct{ none, all bool }

func (p *pictureFlags) add(fs *flag.FlagSet) {
	fs.BoolVar(&p.none, "no-plots", false, "draw no pictures")
	fs.BoolVar(&p.all, "all-plots", false, fmt.Sprintf("draw every run's pictures, also in sweeps of more than %d runs", results.MaxRunsWithTables))
}

// choice returns the pictures chosen, refusing both flags at once.
func (p *pictureFlags) choice() (results.Pictures, error) {
	switch {
	case p.none && p.all:
		return 0, usagef("-no-plots and -all-plots contradict each other; give one")
	case p.none:
		return results.NoPictures, nil
	case p.all:
		return results.AllPictures, nil
	}
	return results.AutoPictures, nil
}
