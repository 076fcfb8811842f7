package engine

import (
	"testing"
)

// BenchmarkIteration measures the cost of one iteration of descent, for
// the article's data, by the parameters that train. Each op is one
// iteration: a forward and a backward pass over the three points and the
// update. With -benchmem it reports allocations per iteration (none).
func BenchmarkIteration(b *testing.B) {
	for _, tt := range []struct {
		name  string
		train ParamSet
	}{
		{"b3", NewParamSet(B3)},
		{"w3-w4-b3", NewParamSet(W3, W4, B3)},
		{"all", AllParams},
	} {
		b.Run(tt.name, func(b *testing.B) {
			// A tolerance no step reaches and a tiny α: every run takes
			// exactly b.N iterations, and stays finite.
			s := Settings{Alpha: 1e-9, Tolerance: 1e-300, MaxIterations: b.N, Train: tt.train}
			b.ReportAllocs()
			b.ResetTimer()
			res, err := Descend(article, dosages, s, nil)
			if err != nil || res.Iterations != b.N {
				b.Fatalf("%v after %d iterations, want %d: %v", res.Status, res.Iterations, b.N, err)
			}
		})
	}
}
