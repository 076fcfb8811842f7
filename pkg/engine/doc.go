// Package engine is the pure mathematics of runner: the article's tiny
// neural network and gradient descent on any of its seven parameters (by
// default its output bias b3, as in the article).
//
// The network has one input x, two hidden nodes with an activation h
// (softplus by default, or ReLU or sigmoid) and one output:
//
//	z1 = w1*x + b1    h1 = h(z1)
//	z2 = w2*x + b2    h2 = h(z2)
//	predicted = w3*h1 + w4*h2 + b3
//
// The loss is the sum of squared residuals, SSR = Σ (y_i - predicted_i)²;
// its derivative with respect to b3 is Σ -2 (y_i - predicted_i), and the
// chain rule gives the others (see Descend).
//
// Beside descent, the package holds its theory: the exact Hessian of SSR
// and the local stability limit 2/λ_max (Hessian, StabilityLimit), and the
// closed form of descent on b3 alone (B3Descent: its stability edge and its
// fastest α). A run can also be a learning-rate range test, its α growing
// geometrically from iteration to iteration (Settings.RangeTo).
//
// The package does no file or terminal I/O. Descend reports every
// iteration to a caller-supplied function, so callers decide what to keep
// (a whole trace, the first and last rows, nothing) and memory does not grow
// with the number of iterations.
//
// Arithmetic is written so that results are bit-for-bit the same on every
// architecture: products that are added are converted with float64(...)
// explicitly, which the Go specification defines as rounding and which
// therefore forbids fusing them into one FMA instruction (as arm64 would).
package engine
