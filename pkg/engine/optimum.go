package engine

import "math"

// Optimum returns the b3 that minimises SSR when the network's other
// parameters stay fixed. SSR is quadratic in b3, so the optimum is exact:
// b3* = mean(y - c), where c are the predictions at b3 = 0.
func Optimum(n Network, data []Point) float64 {
	var sum float64
	for _, pt := range data {
		sum += pt.Y - n.hiddenSum(pt.X)
	}
	return sum / float64(len(data))
}

// ErrorFactor returns |1 - 2·n·alpha|, the factor by which each step of
// descent on b3 alone multiplies the distance to the optimum, for n data
// points: the gradient is 2·n·(b3 - b3*), so the step leaves
// (1 - 2·n·alpha)·(b3 - b3*). Descent converges when the factor is below 1
// (alpha < 1/n), reaches the optimum in one step when it is 0
// (alpha = 1/(2n)), and diverges when it is above 1.
func ErrorFactor(alpha float64, n int) float64 {
	return math.Abs(1 - float64(2*float64(n)*alpha))
}
