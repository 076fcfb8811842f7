package engine

// Status is how a run of gradient descent ended.
type Status int

const (
	// Converged: an iteration's |step| fell below the tolerance.
	Converged Status = iota + 1
	// MaxIterations: the run took the most iterations allowed.
	MaxIterations
	// Diverged: a value became NaN or ±Inf, or SSR ran away.
	Diverged
	// Stopped: the observer ended the run (ErrStop), as a learning-rate
	// range test does once its smoothed SSR runs away.
	Stopped
)

var statusNames = [...]string{
	Converged:     "converged",
	MaxIterations: "max-iterations",
	Diverged:      "diverged",
	Stopped:       "stopped",
}

// String returns the status as written in results: "converged",
// "max-iterations", "diverged" or "stopped".
func (s Status) String() string {
	if s <= 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// ParseStatus returns the status with the given name, as String writes it.
func ParseStatus(name string) (Status, bool) {
	for s, n := range statusNames {
		if n == name && n != "" {
			return Status(s), true
		}
	}
	return 0, false
}
