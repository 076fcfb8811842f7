package ends

import (
	"slices"
	"testing"
)

// TestKeepsTheFirstAndLast adds streams of every length around the
// bounds: the values kept are the first k and the last k, each once, in
// order, with the gap where values were left out.
func TestKeepsTheFirstAndLast(t *testing.T) {
	for _, k := range []int{0, 1, 3, 10} {
		for n := 0; n <= 4*k+3; n++ {
			e := New[int](k, nil)
			var all []int
			for i := range n {
				e.Add(&i)
				all = append(all, i)
			}
			got, gap := e.Kept()
			want, wantGap := all, -1
			if n > 2*k {
				want, wantGap = slices.Concat(all[:k], all[n-k:]), k
			}
			if !slices.Equal(got, want) || gap != wantGap || e.Len() != n {
				t.Errorf("k %d, n %d: kept %v with gap at %d (of %d), want %v with gap at %d", k, n, got, gap, e.Len(), want, wantGap)
			}
		}
	}
}

// TestCopiesWithTheGivenFunction keeps values that share storage with
// what is added: the copy function must be used, so that changing the
// value added later does not change what was kept.
func TestCopiesWithTheGivenFunction(t *testing.T) {
	e := New(2, func(dst, src *[]int) { *dst = append((*dst)[:0], *src...) })
	v := []int{1}
	for i := range 5 {
		v[0] = i
		e.Add(&v)
	}
	got, _ := e.Kept()
	if len(got) != 4 || got[0][0] != 0 || got[1][0] != 1 || got[2][0] != 3 || got[3][0] != 4 {
		t.Errorf("kept %v, want [[0] [1] [3] [4]]", got)
	}
}
