package plots

import (
	"math/bits"
)

// MaxCurveBuckets bounds the buckets of iterations a CurveThinner keeps,
// each of at most four points: about twice the width, in pixels, of a
// curves chart as GitHub shows it, so that every bucket is narrower than
// a pixel.
const MaxCurveBuckets = 1024

// startBits is the resolution a CurveThinner starts at: every iteration
// up to 2^startBits its own bucket.
const startBits = 10

// CurveThinner keeps, as a run's iterations stream in, the points of its
// SSR curve that a curves chart needs, on its log axis of iterations: it
// parts the iterations into buckets, 2^q to each octave (from 2^k to
// 2^(k+1)), and keeps of each bucket its first, last, lowest and highest
// SSR (the M4 rule of Jugel et al., 2014: a line drawn through them covers
// the same pixels as the whole curve, when a bucket is narrower than a
// pixel, so every turning point that moves a pixel is kept). Each octave's
// buckets are halved in number (q decreases, neighbours merge) whenever
// there are more than MaxCurveBuckets, so memory is bounded whatever the
// run's length: every iteration is kept up to 1024 iterations, 64 buckets
// an octave at 2,000,000, 32 at 100,000,000. The points kept depend on
// the iterations and their SSR alone, in the order given.
//
// Add is given the values read back from the run's trace.csv (as a
// trace_every setting thins them), so that a chart drawn from a run as it
// finishes and from its stored trace are the same.
type CurveThinner struct {
	q       int // the bits of each octave's buckets
	buckets []bucket
	last    int // the last iteration added
}

// curvePoint is an iteration's SSR.
type curvePoint struct {
	n   int
	ssr float64
}

// bucket is the points of a bucket of iterations that are kept: its
// first, last, lowest and highest.
type bucket struct {
	start                  int // its first iteration's key
	first, last, low, high curvePoint
}

// NewCurveThinner returns an empty CurveThinner.
func NewCurveThinner() *CurveThinner {
	return &CurveThinner{q: startBits}
}

// Add adds iteration n's SSR. Iterations must come in increasing order,
// from 1; one that does not, and an SSR that is NaN or infinite, is
// dropped (a diverged run's curve ends at its last finite SSR).
func (t *CurveThinner) Add(n int, ssr float64) {
	if n < 1 || n <= t.last || !isFinite(ssr) {
		return
	}
	t.last = n
	p := curvePoint{n, ssr}
	key := bucketKey(n, t.q)
	if k := len(t.buckets); k > 0 && t.buckets[k-1].start == key {
		t.buckets[k-1].add(p)
		return
	}
	t.buckets = append(t.buckets, bucket{start: key, first: p, last: p, low: p, high: p})
	if len(t.buckets) > MaxCurveBuckets {
		t.coarsen()
	}
}

// bucketKey returns the first iteration of n's bucket at q bits an
// octave: n with all but its q+1 leading bits cleared.
func bucketKey(n, q int) int {
	shift := max(0, bits.Len(uint(n))-1-q)
	return n >> shift << shift
}

// add adds a point to the bucket, after those it has.
func (b *bucket) add(p curvePoint) {
	b.last = p
	if p.ssr < b.low.ssr {
		b.low = p
	}
	if p.ssr > b.high.ssr {
		b.high = p
	}
}

// merge adds the points of the next bucket to the bucket.
func (b *bucket) merge(next bucket) {
	b.last = next.last
	if next.low.ssr < b.low.ssr {
		b.low = next.low
	}
	if next.high.ssr > b.high.ssr {
		b.high = next.high
	}
}

// coarsen halves the buckets of each octave, merging neighbours, until
// there are at most MaxCurveBuckets.
func (t *CurveThinner) coarsen() {
	for len(t.buckets) > MaxCurveBuckets && t.q > 0 {
		t.q--
		kept := t.buckets[:0]
		for _, b := range t.buckets {
			b.start = bucketKey(b.start, t.q)
			if k := len(kept); k > 0 && kept[k-1].start == b.start {
				kept[k-1].merge(b)
				continue
			}
			kept = append(kept, b)
		}
		t.buckets = kept
	}
}

// points returns the points kept, in order of iteration, each once.
func (t *CurveThinner) points() []curvePoint {
	var pts []curvePoint
	for _, b := range t.buckets {
		four := [4]curvePoint{b.first, b.low, b.high, b.last}
		if four[1].n > four[2].n {
			four[1], four[2] = four[2], four[1]
		}
		for _, p := range four {
			if len(pts) == 0 || pts[len(pts)-1].n < p.n {
				pts = append(pts, p)
			}
		}
	}
	return pts
}
