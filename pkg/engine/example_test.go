package engine_test

import (
	"fmt"

	"github.com/descentlab/runner/pkg/engine"
)

// The article's descent: b3 from 0 with α = 0.1, until |step| < 0.001.
func ExampleDescend() {
	start := engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	data := []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}}
	settings := engine.Settings{Alpha: 0.1, Tolerance: 0.001, MaxIterations: 1000}

	res, err := engine.Descend(start, data, settings, func(it *engine.Iteration) error {
		if it.N <= 2 {
			fmt.Printf("iteration %d: b3 %.3g, predicted %.3g, gradient %.3g, step %.3g, new b3 %.3g\n",
				it.N, it.Values[0], it.Predicted, it.Gradient[0], it.Step[0], it.Next[0])
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v after %d iterations: b3 = %.4g, SSR = %.3g\n", res.Status, res.Iterations, res.Final.B3, res.FinalSSR)
	// Output:
	// iteration 1: b3 0, predicted [-2.6 -1.61 -2.61], gradient -15.7, step -1.57, new b3 1.57
	// iteration 2: b3 1.57, predicted [-1.04 -0.0435 -1.05], gradient -6.26, step -0.626, new b3 2.19
	// converged after 10 iterations: b3 = 2.609, SSR = 6.3e-05
}
