package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressDelay is how long a batch runs before it shows a progress bar:
// quick batches show none.
const progressDelay = time.Second

// progress shows a bar on stderr while a batch runs, once the batch has
// taken more than a moment, and only if stderr is a terminal: never in
// files or pipes. A nil *progress shows nothing. It is safe for concurrent
// use.
type progress struct {
	mu    sync.Mutex
	out   *os.File
	total int
	done  int
	start time.Time
	bar   *progressbar.ProgressBar
}

// newProgress returns a progress for total runs, or nil if stderr is not a
// terminal or there is a single run.
func newProgress(stderr io.Writer, total int) *progress {
	f, ok := stderr.(*os.File)
	if !ok || total < 2 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{out: f, total: total, start: time.Now()}
}

// set notes that done runs have finished.
func (p *progress) set(done int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if p.bar == nil {
		if time.Since(p.start) < progressDelay {
			return
		}
		p.bar = progressbar.NewOptions(p.total,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription("runs"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(false), // its rate, of the last few updates, misleads at first
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set(p.done) // a failing terminal write is no reason to stop the batch
	p.bar.Describe(description(time.Since(p.start), p.done, p.total))
}

// description is the bar's description: "runs", and the time left once
// some runs are done.
func description(elapsed time.Duration, done, total int) string {
	if left := timeLeft(elapsed, done, total); left != "" {
		return "runs, " + left + " left"
	}
	return "runs"
}

// timeLeft estimates the time a batch has left, to the second, from the
// time since it started and the runs done: at the rate of every run done
// so far, not of the last few (which a bar shown after a second would
// have measured over a moment). It returns "" before any run is done.
func timeLeft(elapsed time.Duration, done, total int) string {
	if done <= 0 || done > total {
		return ""
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	return left.Round(time.Second).String()
}

// finish removes the bar, if one is shown.
func (p *progress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	_ = p.bar.Finish()
}
