package plots

import (
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// BenchmarkPictures measures drawing one run's pictures, descent.svg and
// fit.svg, for the article's run of 10 iterations: the cost a sweep pays
// per run when its runs get their pictures.
func BenchmarkPictures(b *testing.B) {
	o, path := run(b, engine.NewParamSet(engine.B3), 0.1, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Descent(o, path, "article: α = 0.1"); err != nil {
			b.Fatal(err)
		}
		if _, err := Fit(o, "article: α = 0.1"); err != nil {
			b.Fatal(err)
		}
	}
}
