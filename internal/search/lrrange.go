package search

import (
	"fmt"
	"math"

	"github.com/descentlab/runner/pkg/engine"
)

// The range test's constants, fastai's: the smoothing of SSR, and how far
// the smoothed SSR may rise above its least before the test stops.
const (
	// RangeBeta weighs the exponential moving average of SSR: each
	// iteration's SSR counts 1 - RangeBeta, the average so far RangeBeta.
	RangeBeta = 0.98
	// RangeStopFactor stops the test once the smoothed SSR exceeds this
	// many times its least so far.
	RangeStopFactor = 4
)

// RangeSettings returns the settings of a range test's run, from the
// experiment's: α grows from the spec's From to its To over its
// iterations (engine.Settings.RangeTo), and the tolerance is not used.
func (s *Spec) RangeSettings(base engine.Settings) engine.Settings {
	base.Alpha, base.RangeTo, base.MaxIterations = s.From, s.To, s.RangeIterations()
	return base
}

// Rule is a rule that suggests a learning rate from a range test.
type Rule int

// The rules, fastai's lr_find suggestion functions (fastai/callback/
// schedule.py), read on the smoothed SSR.
const (
	// Steepest is fastai's steep: the α where the smoothed SSR falls
	// fastest against log α, the most negative (s_{i+1} - s_i)/(ln α_{i+1}
	// - ln α_i); the α suggested is α_i, where that fall starts.
	Steepest Rule = iota + 1
	// Valley is fastai's valley: the longest run of falling smoothed SSR
	// (the longest decreasing subsequence, ending at its first longest),
	// and the α a little past two thirds of the way down it, at index
	// start + ⌊len/3⌋ + ⌊len/6⌋ with start and len as fastai reckons them.
	Valley
	// MinimumTenth is fastai's minimum: a tenth of the α of the least
	// smoothed SSR.
	MinimumTenth
	numRules
)

var ruleNames = [numRules]string{Steepest: "steepest", Valley: "valley", MinimumTenth: "minimum/10"}

// String returns the rule's label: "steepest", "valley" or "minimum/10".
func (r Rule) String() string {
	if r <= 0 || r >= numRules {
		return fmt.Sprintf("Rule(%d)", int(r))
	}
	return ruleNames[r]
}

// Suggestion is a learning rate suggested by a rule.
type Suggestion struct {
	Rule  Rule
	Alpha float64
	// Point is the index in RangeAnalysis.Points of the point the rule
	// read: the α suggested, except for MinimumTenth, where it is the
	// least smoothed SSR, at ten times the α suggested.
	Point int
}

// RangePoint is one iteration of a range test.
type RangePoint struct {
	Iteration int
	// Alpha is the iteration's learning rate; SSR is evaluated before its
	// step (so it shows the effect of the α before it), as fastai pairs
	// each batch's learning rate with the loss of the same batch.
	Alpha, SSR float64
	// Smoothed is the exponential moving average of SSR up to this
	// iteration, bias-corrected: a_k = β·a_{k-1} + (1-β)·SSR_k from a_0 =
	// 0, and Smoothed = a_k/(1 - β^k), β = RangeBeta, as fastai's
	// AvgSmoothLoss (β^k by repeated multiplication).
	Smoothed float64
}

// RangeAnalysis is what a range test found.
type RangeAnalysis struct {
	// Points are the test's iterations, up to where it stopped: its last
	// iteration, the iteration where the smoothed SSR exceeded
	// RangeStopFactor times its least (included, as fastai records it),
	// or the last before an SSR that is not finite.
	Points []RangePoint
	// Stopped reports whether the smoothed SSR exceeded RangeStopFactor
	// times its least, at the last point.
	Stopped bool
	// Least is the index of the least smoothed SSR.
	Least int
	// First and Last delimit the points the rules read, Points[First:Last]:
	// as fastai's lr_find, leaving out the first tenth of the planned
	// iterations and the last five points.
	First, Last int
	// Suggestions holds one suggestion per rule, in the order of Rule; none
	// if the points the rules read are fewer than two (then Note says so).
	Suggestions []Suggestion
	Note        string
}

// stopWatch smooths SSR iteration by iteration and tells when the range
// test stops: the one arithmetic of both RangeTest and AnalyseRange.
type stopWatch struct {
	average, betaPower float64
	least              float64
	count              int
}

// add takes the next iteration's SSR and returns its smoothed value, and
// whether the test stops there.
func (w *stopWatch) add(ssr float64) (smoothed float64, stop bool) {
	if w.count == 0 {
		w.betaPower, w.least = 1, math.Inf(1)
	}
	w.count++
	w.average = ssr + float64(RangeBeta*(w.average-ssr)) // torch.lerp(ssr, average, β)
	w.betaPower = float64(w.betaPower * RangeBeta)
	smoothed = w.average / (1 - w.betaPower)
	w.least = min(w.least, smoothed)
	return smoothed, smoothed > RangeStopFactor*w.least
}

// RangeTest watches a range test's run as it goes, and stops it where
// fastai's lr_find does. Its Observe method is an observer for
// engine.Descend (or batch.Run).
type RangeTest struct {
	settings engine.Settings
	ssr      []float64
	watch    stopWatch
}

// NewRangeTest returns a RangeTest for a run with the given settings (as
// RangeSettings makes them).
func NewRangeTest(s engine.Settings) *RangeTest {
	return &RangeTest{settings: s}
}

// Observe records the iteration's SSR, and returns engine.ErrStop at the
// first iteration whose smoothed SSR exceeds RangeStopFactor times its
// least so far.
func (t *RangeTest) Observe(it *engine.Iteration) error {
	t.ssr = append(t.ssr, it.SSR)
	if _, stop := t.watch.add(it.SSR); stop {
		return engine.ErrStop
	}
	return nil
}

// Analysis returns the analysis of the iterations observed.
func (t *RangeTest) Analysis() RangeAnalysis {
	return AnalyseRange(t.settings, t.ssr)
}

// AnalyseRange analyses a range test's run with settings s from the SSR
// of each of its iterations, in order (as trace.csv has them, or as
// RangeTest observed them): the smoothed SSR, where the test stopped, and
// each rule's suggestion. The α of each iteration is s.AlphaAt.
func AnalyseRange(s engine.Settings, ssr []float64) RangeAnalysis {
	var a RangeAnalysis
	var watch stopWatch
	for k, v := range ssr {
		if !isFinite(v) {
			break
		}
		smoothed, stop := watch.add(v)
		a.Points = append(a.Points, RangePoint{Iteration: k + 1, Alpha: s.AlphaAt(k + 1), SSR: v, Smoothed: smoothed})
		if smoothed < a.Points[a.Least].Smoothed {
			a.Least = len(a.Points) - 1
		}
		if stop {
			a.Stopped = true
			break
		}
	}
	a.First, a.Last = s.MaxIterations/10, len(a.Points)-5
	if a.Last-a.First < 2 {
		a.First, a.Last = 0, 0
		a.Note = fmt.Sprintf("the test took %d of %d iterations, too few to suggest a learning rate: the rules read from iteration %d to the fifth before the last, as fastai's lr_find; start the range lower or give more iterations",
			len(a.Points), s.MaxIterations, s.MaxIterations/10+1)
		return a
	}
	window := a.Points[a.First:a.Last]
	steep := steepest(window)
	least := lowest(window)
	a.Suggestions = []Suggestion{
		{Rule: Steepest, Alpha: window[steep].Alpha, Point: a.First + steep},
		{Rule: Valley, Alpha: window[valley(window)].Alpha, Point: a.First + valley(window)},
		{Rule: MinimumTenth, Alpha: window[least].Alpha / 10, Point: a.First + least},
	}
	return a
}

// steepest returns the index of the point from which the smoothed SSR
// falls fastest against log α (the first of equals, as torch.argmin).
func steepest(points []RangePoint) int {
	best, bestSlope := 0, math.Inf(1)
	for i := 0; i+1 < len(points); i++ {
		slope := (points[i+1].Smoothed - points[i].Smoothed) / (engine.Log(points[i+1].Alpha) - engine.Log(points[i].Alpha))
		if slope < bestSlope {
			best, bestSlope = i, slope
		}
	}
	return best
}

// lowest returns the index of the least smoothed SSR, the first of equals.
func lowest(points []RangePoint) int {
	best := 0
	for i, p := range points {
		if p.Smoothed < points[best].Smoothed {
			best = i
		}
	}
	return best
}

// valley returns the index fastai's valley suggests: it finds the longest
// decreasing subsequence of the smoothed SSR (lds[i], the longest ending at
// i), ending at the first index with the longest, takes its start as
// fastai does (end - length, one before the subsequence's first index when
// it is contiguous), and goes a third and a sixth of the way down. Where
// fastai's start is -1 (a subsequence from the first point) and the way
// down is too short to reach 0, Python reads index -1 as the last point;
// here it is the first, the start of the valley.
func valley(points []RangePoint) int {
	n := len(points)
	lds := make([]int, n)
	for i := range lds {
		lds[i] = 1
	}
	start, end := 0, 0
	for i := 1; i < n; i++ {
		for j := range i {
			if points[i].Smoothed < points[j].Smoothed && lds[i] < lds[j]+1 {
				lds[i] = lds[j] + 1
			}
			if lds[end] < lds[i] {
				end = i
				start = end - lds[end]
			}
		}
	}
	sections := float64(end-start) / 3
	return max(0, start+int(sections)+int(sections/2))
}
