// Package ends keeps the first and the last values of a stream too long to
// hold: what a table of a long run (its first and last iterations) or of a
// large sweep (its first and last runs) shows, in memory that does not
// grow with the stream.
package ends

import "slices"

// Ends keeps copies of the first k and the last k values added, the last
// in a ring whose storage it reuses.
type Ends[T any] struct {
	k     int
	first []T
	ring  []T
	n     int
	copy  func(dst, src *T)
}

// New returns an Ends that keeps the first and the last k values, copied
// with copy (nil: by assignment; values that hold slices they reuse need a
// deep copy, such as engine.Iteration's CopyTo).
func New[T any](k int, copy func(dst, src *T)) *Ends[T] {
	if copy == nil {
		copy = func(dst, src *T) { *dst = *src }
	}
	return &Ends[T]{k: k, copy: copy}
}

// Add keeps a copy of v if it is among the first k, and as the last so
// far.
func (e *Ends[T]) Add(v *T) {
	if e.k == 0 {
		e.n++
		return
	}
	if len(e.first) < e.k {
		e.first = append(e.first, *new(T))
		e.copy(&e.first[len(e.first)-1], v)
	}
	if len(e.ring) < e.k {
		e.ring = append(e.ring, *new(T))
	}
	e.copy(&e.ring[e.n%e.k], v)
	e.n++
}

// Len returns how many values were added.
func (e *Ends[T]) Len() int {
	return e.n
}

// Kept returns the values kept, in order, each once: all of them if there
// were at most 2k, else the first k and the last k; and the index in them
// before which values were left out, or -1 if none were. The values are
// the Ends' own, valid until it adds again.
func (e *Ends[T]) Kept() ([]T, int) {
	kept := slices.Clone(e.first)
	for i := max(e.n-e.k, len(e.first)); i < e.n; i++ {
		kept = append(kept, e.ring[i%e.k])
	}
	if e.n > 2*e.k {
		return kept, e.k
	}
	return kept, -1
}
