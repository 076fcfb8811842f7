package search

import (
	"fmt"
	"math"
	"strconv"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/pkg/engine"
)

// Find is what a search finds.
type Find int

// The searches.
const (
	// Edge is the stability edge: the boundary between values that
	// converge and values that do not, found by bisection.
	Edge Find = iota + 1
	// Fastest is the value that converges in the fewest iterations, found
	// by a scan and golden-section refinement.
	Fastest
	// LRRange is a learning-rate range test: one run whose α grows
	// geometrically, analysed by RangeTest.
	LRRange
	numFinds
)

var findNames = [numFinds]string{Edge: "edge", Fastest: "fastest", LRRange: "lr-range"}

// String returns the search's name as experiment files write it: "edge",
// "fastest" or "lr-range".
func (f Find) String() string {
	if f <= 0 || f >= numFinds {
		return fmt.Sprintf("Find(%d)", int(f))
	}
	return findNames[f]
}

// ParseFind returns the search with the given name.
func ParseFind(name string) (Find, bool) {
	for f := Edge; f < numFinds; f++ {
		if findNames[f] == name {
			return f, true
		}
	}
	return 0, false
}

// FindNames returns the names of the searches, in the order of Find.
func FindNames() []string {
	return append([]string(nil), findNames[Edge:]...)
}

// Scale is how a search spaces the values it probes.
type Scale int

// The scales.
const (
	// Linear spaces values evenly, and measures precision against the
	// width of the range (a value may be 0, against which nothing is
	// relative).
	Linear Scale = iota
	// Log spaces the logarithms of the values evenly, and measures
	// precision relative to the values: the scale of α and tolerance.
	Log
)

// String returns the scale's name: "linear" or "log".
func (s Scale) String() string {
	if s == Log {
		return "log"
	}
	return "linear"
}

// Defaults and limits of searches.
const (
	// DefaultWidth is the number of values probed in a round.
	DefaultWidth = 4
	// MaxWidth bounds the width.
	MaxWidth = 256
	// DefaultEdgePrecision is the relative width of the bracket an edge
	// search narrows to.
	DefaultEdgePrecision = 1e-6
	// DefaultFastestPrecision is the relative width of the bracket around
	// the fastest value a fastest search narrows to.
	DefaultFastestPrecision = 1e-3
	// MinPrecision is the finest precision allowed: values are rounded to
	// Digits significant digits, whose unit is at most 1e-11 of a value;
	// a bracket of 1e-9 still spans a hundred of them.
	MinPrecision = 1e-9
	// DefaultRangeIterations is the length of a range test's run.
	DefaultRangeIterations = 100
	// Digits is the number of significant digits probed values are
	// rounded to, as sweep ranges are, so that run folders read
	// alpha=0.331912055664 rather than alpha=0.33191205566406253.
	Digits = 12
)

// Spec is what a search looks for, and where. Its zero values mean the
// defaults.
type Spec struct {
	Find Find
	// From and To are the ends of the range searched, From < To. An edge
	// search needs one of them to converge and the other not; a range
	// test's α grows from From to To.
	From, To float64
	// Scale is how values are spaced: Linear (the zero value) or Log,
	// which needs From and To of the same sign, neither 0, and is the only
	// scale of a range test.
	Scale Scale
	// Precision is the width of the final bracket, relative to its values
	// on a log scale (High/Low - 1), to the range on a linear one ((High -
	// Low)/(To - From)): from MinPrecision to below 1; 0 means
	// DefaultEdgePrecision or DefaultFastestPrecision. A range test has
	// none.
	Precision float64
	// Width is the number of values probed in each round after the first,
	// from 1 to MaxWidth; 0 means DefaultWidth. The first round of an edge
	// search probes the two ends; that of a fastest search scans Width+2
	// values, the ends included. A range test has none.
	Width int
	// MaxRuns is the most runs the search may take; 0 means no limit. A
	// budget smaller than Needed is refused (Check). A range test is one
	// run, and has none.
	MaxRuns int
	// Iterations is the length of a range test's run, at least 2; 0 means
	// DefaultRangeIterations. Edge and fastest searches' runs take the
	// experiment's max_iterations.
	Iterations int
}

// precision returns the precision, or the search's default.
// EffectivePrecision returns the precision the search narrows its bracket
// to: Precision, or its find's default.
func (s *Spec) EffectivePrecision() float64 {
	return s.precision()
}

func (s *Spec) precision() float64 {
	switch {
	case s.Precision != 0:
		return s.Precision
	case s.Find == Fastest:
		return DefaultFastestPrecision
	}
	return DefaultEdgePrecision
}

// width returns the width, or the default.
func (s *Spec) width() int {
	if s.Width == 0 {
		return DefaultWidth
	}
	return s.Width
}

// RangeIterations returns the length of a range test's run: Iterations,
// or DefaultRangeIterations.
func (s *Spec) RangeIterations() int {
	if s.Iterations == 0 {
		return DefaultRangeIterations
	}
	return s.Iterations
}

// SpecError is a problem with one setting of a Spec.
type SpecError struct {
	// Setting names the setting as experiment files do: find, from, to,
	// scale, precision, width, max_runs or iterations.
	Setting string
	Msg     string
}

// Error returns the problem as "setting: message".
func (e *SpecError) Error() string {
	return e.Setting + ": " + e.Msg
}

// Check returns every problem with the spec: settings out of their limits
// or that do not apply to its search, a log scale that reaches or crosses
// 0, a precision finer than the rounding of values to Digits significant
// digits can reach, and a budget (MaxRuns) smaller than Needed.
func (s *Spec) Check() []*SpecError {
	var errs []*SpecError
	fail := func(setting, format string, args ...any) {
		errs = append(errs, &SpecError{Setting: setting, Msg: fmt.Sprintf(format, args...)})
	}
	if s.Find <= 0 || s.Find >= numFinds {
		fail("find", "want %s, got %v", prose.Or(FindNames()), s.Find)
		return errs
	}
	switch {
	case !isFinite(s.From) || !isFinite(s.To):
		fail("from", "the ends must be finite numbers, got %g and %g", s.From, s.To)
		return errs
	case !(s.From < s.To):
		fail("to", "must be greater than from (%g), got %g", s.From, s.To)
	case s.Find == LRRange && s.Scale != Log:
		fail("scale", "a range test grows α geometrically: its scale is log")
	case s.Scale == Log && (s.From == 0 || s.To == 0 || (s.From < 0) != (s.To < 0)):
		fail("scale", "a log scale cannot reach or cross 0 (from %g to %g); use scale: linear", s.From, s.To)
	}
	if s.Find == LRRange {
		for _, unused := range []struct {
			setting string
			set     bool
		}{{"precision", s.Precision != 0}, {"width", s.Width != 0}, {"max_runs", s.MaxRuns != 0}} {
			if unused.set {
				fail(unused.setting, "does not apply to lr-range, which is one run")
			}
		}
		if s.Iterations != 0 && s.Iterations < 2 {
			fail("iterations", "must be at least 2, got %d", s.Iterations)
		}
		return errs
	}
	if s.Iterations != 0 {
		fail("iterations", "applies to lr-range only; %v searches run the experiment's max_iterations", s.Find)
	}
	if s.Width < 0 || s.Width > MaxWidth {
		fail("width", "must be between 1 and %d, got %d", MaxWidth, s.Width)
	}
	if s.MaxRuns < 0 {
		fail("max_runs", "must be at least 1, got %d", s.MaxRuns)
	}
	if p := s.Precision; p != 0 && !(p >= MinPrecision && p < 1) {
		fail("precision", "must be at least %g and below 1, got %g", MinPrecision, p)
	} else if s.Scale == Linear && s.From < s.To && float64(s.precision()*(s.To-s.From)) < MinPrecision*max(math.Abs(s.From), math.Abs(s.To)) {
		fail("precision", "%g of the range from %g to %g is finer than values rounded to %d significant digits can tell apart; use at least %.2g",
			s.precision(), s.From, s.To, Digits, MinPrecision*max(math.Abs(s.From), math.Abs(s.To))/(s.To-s.From))
	}
	if len(errs) == 0 && s.MaxRuns > 0 {
		if need := s.Needed(); need > s.MaxRuns {
			fail("max_runs", "%d cannot reach precision %g: the %v search needs %d runs with width %d",
				s.MaxRuns, s.precision(), s.Find, need, s.width())
		}
	}
	return errs
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// Round rounds v to Digits significant digits, so that computed values
// come out as people write them (0.3, not 0.30000000000000004), and
// read back from their text as the same number. Sweep ranges are rounded
// with it too.
func Round(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', Digits, 64), 64)
	return r
}

// axis maps values to the coordinate a search divides evenly: the
// logarithm of |value| on a log scale, the value on a linear one. Its
// functions are engine's portable ones, so that proposals are the same
// bits on every architecture.
type axis struct {
	log  bool
	sign float64 // the sign of the values, on a log scale
}

// axis returns the spec's axis.
func (s *Spec) axis() axis {
	return axis{log: s.Scale == Log, sign: math.Copysign(1, s.From)}
}

// coord returns the coordinate of value v.
func (a axis) coord(v float64) float64 {
	if a.log {
		return engine.Log(math.Abs(v))
	}
	return v
}

// value returns the value at coordinate u, rounded to Digits significant
// digits.
func (a axis) value(u float64) float64 {
	if a.log {
		return Round(a.sign * engine.Exp(u))
	}
	return Round(u)
}

// target returns the width, in coordinates, that the final bracket may
// have: log(1 + precision) on a log scale, precision·(To - From) on a
// linear one. slack is how much wider a bracket of probes rounded to
// Digits digits may come out than the ideal: each end moves by at most
// 5e-12 of its value, and the narrowing rounds add up to less than 5e-11.
func (s *Spec) target() (target, slack float64) {
	p := s.precision()
	if s.Scale == Log {
		return engine.Log(1 + p), 5e-11
	}
	return float64(p * (s.To - s.From)), float64(5e-11 * max(math.Abs(s.From), math.Abs(s.To)))
}

// within reports whether a bracket of the given width in coordinates is
// within the precision.
func (s *Spec) within(width float64) bool {
	target, slack := s.target()
	return width <= target+slack
}

// relativeWidth returns the width of the bracket [low, high] as Precision
// measures it.
func (s *Spec) relativeWidth(low, high float64) float64 {
	if s.Scale == Log {
		return max(math.Abs(low), math.Abs(high))/min(math.Abs(low), math.Abs(high)) - 1
	}
	return (high - low) / (s.To - s.From)
}
