package engine

// Point is one observation: the input x (the drug dosage) and the observed
// output y.
type Point struct {
	X, Y float64
}

// Params are the network's seven parameters.
type Params struct {
	W1, B1 float64 // input weight and bias of hidden node 1
	W2, B2 float64 // input weight and bias of hidden node 2
	W3, W4 float64 // weights from hidden nodes 1 and 2 to the output
	B3     float64 // output bias
}

// Predict returns the network's output at input x.
func (p Params) Predict(x float64) float64 {
	return p.hiddenSum(x) + p.B3
}

// hiddenSum returns w3*h1 + w4*h2 at input x: the prediction without b3.
func (p Params) hiddenSum(x float64) float64 {
	h1 := Softplus(float64(p.W1*x) + p.B1)
	h2 := Softplus(float64(p.W2*x) + p.B2)
	return float64(p.W3*h1) + float64(p.W4*h2)
}

// Softplus returns ln(1 + e^z), computed without overflow for large z and
// without loss of precision for very negative z, and with the same bits on
// every architecture (see exp and log1p).
func Softplus(z float64) float64 {
	if z > 0 {
		return z + log1p(exp(-z))
	}
	return log1p(exp(z))
}

// SSR returns the sum of squared residuals of the network p on data.
func SSR(p Params, data []Point) float64 {
	var ssr float64
	for _, pt := range data {
		r := pt.Y - p.Predict(pt.X)
		ssr += float64(r * r)
	}
	return ssr
}
