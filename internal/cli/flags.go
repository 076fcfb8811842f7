package cli

import (
	"fmt"
	"slices"
	"strings"
)

// shardFlag is --shard K/N: the K-th (from 1) of N slices of the runs.
type shardFlag struct{ K, N int }

func (s *shardFlag) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

func (s *shardFlag) Set(v string) error {
	var k, n int
	if _, err := fmt.Sscanf(v, "%d/%d", &k, &n); err != nil || fmt.Sprintf("%d/%d", k, n) != v || n < 1 || k < 1 || k > n {
		return fmt.Errorf("want K/N with 1 <= K <= N, such as 2/8; got %q", v)
	}
	s.K, s.N = k, n
	return nil
}

// failStatuses are the statuses --fail-on accepts.
var failStatuses = []string{"diverged", "max-iterations"}

// statusFlag is --fail-on: a set of run statuses.
type statusFlag map[string]bool

func (f statusFlag) String() string {
	var names []string
	for _, s := range failStatuses {
		if f[s] {
			names = append(names, s)
		}
	}
	return strings.Join(names, ",")
}

func (f statusFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if !slices.Contains(failStatuses, s) {
			return fmt.Errorf("unknown status %q; want %s", s, strings.Join(failStatuses, " or "))
		}
		f[s] = true
	}
	return nil
}
