package engine

import (
	"fmt"
	"math"
	"strings"
)

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

// Param names one of the seven parameters.
type Param int

// The parameters, in the order traces list them.
const (
	W1 Param = iota
	B1
	W2
	B2
	W3
	W4
	B3
	numParams
)

var paramNames = [numParams]string{"w1", "b1", "w2", "b2", "w3", "w4", "b3"}

// String returns the parameter's name: "w1", …, "b3".
func (p Param) String() string {
	if p < 0 || p >= numParams {
		return fmt.Sprintf("Param(%d)", int(p))
	}
	return paramNames[p]
}

// ParseParam returns the parameter with the given name.
func ParseParam(name string) (Param, bool) {
	for p, n := range paramNames {
		if n == name {
			return Param(p), true
		}
	}
	return 0, false
}

// Get returns the value of parameter k.
func (p *Params) Get(k Param) float64 {
	return *p.field(k)
}

// Set sets parameter k to v.
func (p *Params) Set(k Param, v float64) {
	*p.field(k) = v
}

func (p *Params) field(k Param) *float64 {
	switch k {
	case W1:
		return &p.W1
	case B1:
		return &p.B1
	case W2:
		return &p.W2
	case B2:
		return &p.B2
	case W3:
		return &p.W3
	case W4:
		return &p.W4
	case B3:
		return &p.B3
	}
	panic(fmt.Sprintf("engine: no parameter %d", int(k)))
}

// ParamSet is a set of parameters; its zero value is empty.
type ParamSet uint8

// NewParamSet returns the set of the given parameters.
func NewParamSet(params ...Param) ParamSet {
	var s ParamSet
	for _, p := range params {
		s |= 1 << p
	}
	return s
}

// AllParams is the set of all seven parameters.
const AllParams = ParamSet(1<<numParams - 1)

// Has reports whether p is in the set.
func (s ParamSet) Has(p Param) bool {
	return s&(1<<p) != 0
}

// List returns the parameters of the set in trace order: w1, b1, w2, b2,
// w3, w4, b3.
func (s ParamSet) List() []Param {
	var list []Param
	for p := range numParams {
		if s.Has(p) {
			list = append(list, p)
		}
	}
	return list
}

// String returns the names of the set's parameters, space-separated, as
// in "w3 w4 b3".
func (s ParamSet) String() string {
	names := make([]string, 0, numParams)
	for _, p := range s.List() {
		names = append(names, p.String())
	}
	return strings.Join(names, " ")
}

// Activation is the function of the hidden nodes. Its zero value is
// Softplus.
type Activation int

// The activations.
const (
	// Softplus is ln(1 + e^z), with derivative 1/(1 + e^-z).
	Softplus Activation = iota
	// ReLU is max(0, z), with derivative 1 for z > 0 and 0 otherwise,
	// at 0 included.
	ReLU
	// Sigmoid is 1/(1 + e^-z), with derivative sigmoid(z)·(1 - sigmoid(z)).
	Sigmoid
	numActivations
)

var activationNames = [numActivations]string{"softplus", "relu", "sigmoid"}

// String returns the activation's name: "softplus", "relu" or "sigmoid".
func (a Activation) String() string {
	if a < 0 || a >= numActivations {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation returns the activation with the given name.
func ParseActivation(name string) (Activation, bool) {
	for a, n := range activationNames {
		if n == name {
			return Activation(a), true
		}
	}
	return 0, false
}

// apply returns the activation's value at z and its derivative there.
func (a Activation) apply(z float64) (h, dh float64) {
	switch a {
	case ReLU:
		if z > 0 {
			return z, 1
		}
		return 0, 0
	case Sigmoid:
		s := 1 / (1 + exp(-z))
		return s, float64(s * (1 - s))
	}
	// Softplus, ln(1 + e^z), computed without overflow for large z and
	// without loss of precision for very negative z, from one exponential
	// shared with its derivative. exp and log1p give the same bits on every
	// architecture.
	if z > 0 {
		e := exp(-z)
		return z + log1p(e), 1 / (1 + e)
	}
	e := exp(z)
	return log1p(e), e / (1 + e)
}

// Network is the article's network: its parameters and the activation of
// its hidden nodes.
type Network struct {
	Params
	Activation Activation
}

// Predict returns the network's output at input x.
func (n *Network) Predict(x float64) float64 {
	return n.hiddenSum(x) + n.B3
}

// hiddenSum returns w3*h1 + w4*h2 at input x: the prediction without b3.
func (n *Network) hiddenSum(x float64) float64 {
	h1, _ := n.Activation.apply(float64(n.W1*x) + n.B1)
	h2, _ := n.Activation.apply(float64(n.W2*x) + n.B2)
	return float64(n.W3*h1) + float64(n.W4*h2)
}

// SSR returns the network's sum of squared residuals on data.
func (n *Network) SSR(data []Point) float64 {
	var ssr float64
	for _, pt := range data {
		r := pt.Y - n.Predict(pt.X)
		ssr += float64(r * r)
	}
	return ssr
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
