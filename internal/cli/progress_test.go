package cli

import (
	"testing"
	"time"
)

// TestTimeLeft checks the progress bar's estimate: at the rate of every
// run done since the batch started, so that a bar shown after a second,
// with many runs done, does not extrapolate from a moment.
func TestTimeLeft(t *testing.T) {
	for _, c := range []struct {
		elapsed     time.Duration
		done, total int
		want        string
	}{
		{time.Second, 0, 100, ""},                    // nothing done: no estimate
		{time.Second, 4, 100, "24s"},                 // 1 s for 4 runs: 24 s for the 96 left
		{1500 * time.Millisecond, 300, 1000, "4s"},   // 3.5 s, rounded to the second
		{4600 * time.Millisecond, 200, 1000, "18s"},  // 18.4 s
		{23 * time.Second, 1000, 1000, "0s"},         // done
		{2 * time.Minute, 1, 2, "2m0s"},              // minutes
		{time.Second, 5, 4, ""},                      // more done than there are: no estimate
		{90 * time.Second, 30_000, 100_000, "3m30s"}, // large batches
	} {
		if got := timeLeft(c.elapsed, c.done, c.total); got != c.want {
			t.Errorf("timeLeft(%v, %d, %d) = %q, want %q", c.elapsed, c.done, c.total, got, c.want)
		}
	}
	if got, want := description(time.Second, 4, 100), "runs, 24s left"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	if got, want := description(time.Second, 0, 100), "runs"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}
