package plots

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// Axes and their ticks. A log axis is drawn as a linear axis of log10
// values, computed here by log10 (not math.Log, which runs assembly on
// amd64 and may differ from arm64's in the last bit), with ticks labelled
// in the values' own units: gonum/plot's LogScale calls math.Log, and its
// LogTicks label powers of ten only (an SSR axis from 0.14 to 20 showed
// only 1 and 10) and mark nine ticks a decade over any number of decades.

// scale maps values onto an axis: as they are (divided by div, if set),
// or as their log10.
type scale struct {
	log bool
	// div divides values on a linear axis whose ends are so far apart that
	// their distance overflows (gonum/plot divides by it); 0 means 1.
	div float64
}

// at returns where v lies on the axis.
func (s scale) at(v float64) float64 {
	switch {
	case s.log:
		return log10(v)
	case s.div != 0:
		return v / s.div
	}
	return v
}

// fit returns the scale for an axis from lo to hi: divided by 4 if it is
// linear and hi - lo overflows.
func (s scale) fit(lo, hi float64) scale {
	if !s.log && !isFinite(hi-lo) {
		s.div = 4
	}
	return s
}

// setAxis makes a plot's axis show the values from lo to hi (lo < hi,
// both finite, and positive on a log scale), with round ticks.
func (s scale) setAxis(a *plot.Axis, lo, hi float64) {
	a.Min, a.Max = s.at(lo), s.at(hi)
	a.Tick.Marker = s.ticker(lo, hi)
}

// ticker returns the ticks of an axis from lo to hi, in values.
func (s scale) ticker(lo, hi float64) plot.Ticker {
	if s.log {
		return logTicks{lo, hi}
	}
	return linearTicks{div: s.div}
}

// pad returns the range to show for values from lo to hi: a twentieth
// wider on each side (of the decades, on a log scale), or around the value
// if they are equal.
func (s scale) pad(lo, hi float64) (float64, float64) {
	if !s.log {
		lo, hi = span(lo, hi)
		return lo, hi
	}
	if lo == hi {
		return lo / 2, min(hi*2, math.MaxFloat64)
	}
	f := pow10Frac((log10(hi) - log10(lo)) / 20)
	return max(lo/f, math.SmallestNonzeroFloat64), min(hi*f, math.MaxFloat64)
}

// logScaleFor reports whether values from lo to hi go on a log axis: they
// are positive, and their field is spaced in log scale or they span more
// than two decades.
func logScaleFor(logField bool, lo, hi float64) bool {
	return lo > 0 && (logField || hi/lo > 100)
}

// maxLabels bounds the labelled ticks of an axis.
const maxLabels = 8

// linearTicks marks a linear axis with round values: steps of 1, 2 or 5
// times a power of ten, as many as give 4 to 8 labels, and minor ticks
// between; the axis shows values divided by div, if set.
type linearTicks struct{ div float64 }

// Ticks returns the ticks from lo to hi, on the axis.
func (t linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if t.div == 0 {
		return roundTicks(lo, hi, func(v float64) float64 { return v })
	}
	return roundTicks(lo*t.div, hi*t.div, func(v float64) float64 { return v / t.div })
}

// roundTicks returns round ticks for values from lo to hi, placed at
// position(value): values on a linear axis, or a short range of them on a
// log axis.
func roundTicks(lo, hi float64, position func(float64) float64) []plot.Tick {
	if !isFinite(lo) || !isFinite(hi) || hi <= lo {
		return endTicks(lo, hi, position)
	}
	half := hi/2 - lo/2 // half the range, which cannot overflow
	rough := half / (maxLabels / 2)
	if rough < 1e-300 {
		return endTicks(lo, hi, position)
	}
	k := decade(rough)
	var m float64
	for _, m = range []float64{1, 2, 5, 10} {
		if float64(m*math.Pow10(k)) >= rough {
			break
		}
	}
	if m == 10 {
		m, k = 1, k+1
	}
	minor := 5.0
	if m == 2 {
		minor = 4
	}
	// Ticks at multiples of step/minor, each labelled if it is a multiple of
	// step, counted by integers so that no float64 count can stall.
	first := math.Ceil(lo/tenPower(m/minor, k)) - 1
	var ticks []plot.Tick
	for i := 0.0; i < maxLabels*6; i++ {
		n := first + i
		v := tenPower(n*m/minor, k)
		if v < lo {
			continue
		}
		if v > hi {
			break
		}
		t := plot.Tick{Value: position(v)}
		if math.Mod(n, minor) == 0 {
			t.Label = linearLabel(v, k)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// endTicks labels only the ends of a range that round ticks cannot mark.
func endTicks(lo, hi float64, position func(float64) float64) []plot.Tick {
	var ticks []plot.Tick
	for _, v := range []float64{lo, hi} {
		if isFinite(v) && (len(ticks) == 0 || v != lo) {
			ticks = append(ticks, plot.Tick{Value: position(v), Label: shortest(v)})
		}
	}
	return ticks
}

// tenPower returns m × 10^k, exactly as m's decimal digits say when k is
// negative (a division by an exact power of ten, not a multiplication by
// an inexact one).
func tenPower(m float64, k int) float64 {
	if k < 0 && k >= -22 {
		return m / math.Pow10(-k)
	}
	return float64(m * math.Pow10(k))
}

// decade returns the k for which 10^k <= x < 10^(k+1), for x > 0, from
// exact powers of ten.
func decade(x float64) int {
	_, e := math.Frexp(x)
	k := int(float64(float64(e-1) * 0.30103))
	for k < 308 && math.Pow10(k+1) <= x {
		k++
	}
	for k > -323 && math.Pow10(k) > x {
		k--
	}
	return k
}

// linearLabel writes a tick's value of a linear axis whose step is a
// multiple of 10^k: with the decimals the step needs, or as a power of ten
// when the values are very large or small.
func linearLabel(v float64, k int) string {
	if v == 0 {
		return "0"
	}
	if k > -5 && k < 6 && math.Abs(v) < 1e6 {
		return strconv.FormatFloat(v, 'f', max(0, -k), 64)
	}
	return tidyExponent(strconv.FormatFloat(v, 'e', max(0, decade(math.Abs(v))-k), 64))
}

// shortest writes v as the shortest text that reads back as it.
func shortest(v float64) string {
	return tidyExponent(strconv.FormatFloat(v, 'g', -1, 64))
}

// tidyExponent writes "1.50e-05" as "1.5e-5" and "2e+07" as "2e7".
func tidyExponent(s string) string {
	mantissa, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	if strings.Contains(mantissa, ".") {
		mantissa = strings.TrimRight(strings.TrimRight(mantissa, "0"), ".")
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	return mantissa + "e" + sign + strings.TrimLeft(exp[1:], "0")
}

// logTicks marks a log axis from lo to hi (values, not their logs): with
// 1, 2 and 5 times the powers of ten over up to three decades
// (or round values, over less than one), every power of ten over up to
// eight, and every 2nd, 5th, 10th, … power over more.
type logTicks struct{ lo, hi float64 }

// log10Of are the log10 of 1 to 9.
var log10Of = [10]float64{0, 0, math.Ln2 / math.Ln10, 1.0986122886681098 / math.Ln10,
	2 * math.Ln2 / math.Ln10, 1.6094379124341003 / math.Ln10, 1.791759469228055 / math.Ln10,
	1.9459101090932196 / math.Ln10, 3 * math.Ln2 / math.Ln10, 2.1972245773362196 / math.Ln10}

// Ticks returns the ticks; lo and hi are the axis' ends in log10 units.
func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	decades := hi - lo
	switch {
	case !isFinite(decades) || decades <= 0:
		return endTicks(t.lo, t.hi, log10)
	case decades < 1:
		return roundTicks(t.lo, t.hi, log10)
	}
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	var ticks []plot.Tick
	slack := 1e-9 * decades // a tick at an end, whose log is a bit off
	add := func(k int, m int, label bool) {
		at := float64(k) + log10Of[m]
		if at < lo-slack || at > hi+slack {
			return
		}
		tick := plot.Tick{Value: at}
		if label {
			tick.Label = powerLabel(m, k)
		}
		ticks = append(ticks, tick)
	}
	if decades <= 3 {
		for k := first - 1; k <= last+1; k++ {
			for m := 1; m <= 9; m++ {
				add(k, m, m == 1 || m == 2 || m == 5)
			}
		}
		return ticks
	}
	every := 1
	for _, e := range []int{1, 2, 5, 10, 20, 50, 100, 200} {
		if every = e; (last-first)/e+1 <= maxLabels {
			break
		}
	}
	minorEvery := max(1, every/5)
	if every == 1 {
		minorEvery = 0 // minor ticks at 2 to 9 times each power
	}
	for k := first - 1; k <= last+1; k++ {
		switch {
		case floorMod(k, every) == 0:
			add(k, 1, true)
		case minorEvery > 0 && floorMod(k, minorEvery) == 0:
			add(k, 1, false)
		}
		if minorEvery == 0 {
			for m := 2; m <= 9; m++ {
				add(k, m, false)
			}
		}
	}
	return ticks
}

// floorMod returns k modulo n, from 0 to n-1 whatever k's sign.
func floorMod(k, n int) int {
	return ((k % n) + n) % n
}

// powerLabel writes m × 10^k: as a decimal from 0.001 to 9000, else as
// "2e-7".
func powerLabel(m, k int) string {
	if k >= -3 && k <= 3 {
		return strconv.FormatFloat(tenPower(float64(m), k), 'f', max(0, -k), 64)
	}
	return strconv.Itoa(m) + "e" + strconv.Itoa(k)
}

// log10 returns the base-10 logarithm of x > 0, the same bits on every
// architecture: from the exponent and the series of artanh for the
// mantissa, each product rounded on its own. It is for positions on a
// picture; its error is a few units in the last place.
func log10(x float64) float64 {
	f, e := math.Frexp(x) // x = f × 2^e, f in [0.5, 1)
	if f < math.Sqrt2/2 {
		f, e = f*2, e-1
	}
	// ln f = 2 artanh(s) = 2 (s + s³/3 + s⁵/5 + …), |s| < 0.172.
	s := (f - 1) / (f + 1)
	s2 := float64(s * s)
	sum, term := 0.0, s
	for k := 1; k <= 25; k += 2 {
		sum += term / float64(k)
		term = float64(term * s2)
	}
	ln := float64(float64(e)*math.Ln2) + float64(2*sum)
	return ln / math.Ln10
}

// pow10Frac returns 10^x for a small x >= 0 (a few decades at most), the
// same bits everywhere: from its whole part and the series of exp.
func pow10Frac(x float64) float64 {
	whole := math.Floor(x)
	y := float64((x - whole) * math.Ln10) // in [0, ln 10)
	sum, term := 1.0, 1.0
	for k := 1; k <= 40; k++ {
		term = float64(term*y) / float64(k)
		sum += term
	}
	return float64(sum * math.Pow10(int(whole)))
}
