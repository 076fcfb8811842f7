package engine

import (
	"math"
	"slices"
)

// maxJacobiSweeps bounds the sweeps of Eigenvalues. The cyclic Jacobi
// method converges quadratically: a 7 × 7 matrix takes 5 to 8 sweeps.
const maxJacobiSweeps = 100

// Eigenvalues returns the eigenvalues of m, which must be symmetric, from
// the least to the largest, by the cyclic Jacobi method: sweeps of plane
// rotations, each zeroing an off-diagonal entry (p, q) in row order, until
// a sweep finds every |m_pq| at most ε·sqrt(|m_pp|·|m_qq|) (ε = 2^-52),
// which leaves each eigenvalue accurate to a few units in the last place
// of the largest. Rotations are computed as in Numerical Recipes' jacobi
// (t = sgn(θ)/(|θ| + sqrt(θ² + 1)), the rows updated through τ = s/(1 +
// c)), every product rounded on its own and math.Sqrt correctly rounded,
// so that the result is the same bits on every architecture (which
// LAPACK's is not). It returns NaNs if an entry of m is not finite.
func (m Matrix) Eigenvalues() []float64 {
	n := m.N
	eigen := make([]float64, n)
	if slices.ContainsFunc(m.Entries, func(v float64) bool { return !isFinite(v) }) {
		for i := range eigen {
			eigen[i] = math.NaN()
		}
		return eigen
	}
	a := slices.Clone(m.Entries)
	for range maxJacobiSweeps {
		rotated := false
		for p := 0; p < n-1; p++ {
			for q := p + 1; q < n; q++ {
				if negligible(a[p*n+q], a[p*n+p], a[q*n+q]) {
					continue
				}
				rotate(a, n, p, q)
				rotated = true
			}
		}
		if !rotated {
			break
		}
	}
	for i := range eigen {
		eigen[i] = a[i*n+i]
	}
	slices.Sort(eigen)
	return eigen
}

// negligible reports whether an off-diagonal entry is too small beside
// the diagonal entries of its row and column to change the eigenvalues
// beyond rounding.
func negligible(apq, app, aqq float64) bool {
	const eps = 0x1p-52
	return math.Abs(apq) <= float64(eps*math.Sqrt(math.Abs(app)))*math.Sqrt(math.Abs(aqq))
}

// rotate applies the Jacobi rotation that zeroes entry (p, q) of the
// symmetric n × n matrix a, in place, keeping it symmetric.
func rotate(a []float64, n, p, q int) {
	apq, app, aqq := a[p*n+q], a[p*n+p], a[q*n+q]
	theta := (aqq - app) / float64(2*apq)
	var t float64
	if math.Abs(theta) > 1e150 { // θ² would overflow: t ≈ 1/(2θ)
		t = 1 / float64(2*theta)
	} else {
		t = 1 / (math.Abs(theta) + math.Sqrt(float64(theta*theta)+1))
		if theta < 0 {
			t = -t
		}
	}
	c := 1 / math.Sqrt(float64(t*t)+1)
	s := float64(t * c)
	tau := s / (1 + c)
	h := float64(t * apq)
	a[p*n+p], a[q*n+q] = app-h, aqq+h
	a[p*n+q], a[q*n+p] = 0, 0
	for r := range n {
		if r == p || r == q {
			continue
		}
		arp, arq := a[r*n+p], a[r*n+q]
		a[r*n+p] = arp - float64(s*(arq+float64(tau*arp)))
		a[r*n+q] = arq + float64(s*(arp-float64(tau*arq)))
		a[p*n+r], a[q*n+r] = a[r*n+p], a[r*n+q]
	}
}
