// Package suggest finds the word a user probably meant: the known field
// nearest to a misspelt one in an experiment file, the column nearest to
// a misspelt one in a question about runs, the experiment file nearest to
// a path that names none.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns the candidate nearest to word in edit distance, if it is
// near enough to be a likely misspelling (fewer edits than half the
// word's length, plus one); otherwise "". A candidate that differs from
// word only in case is nearest of all.
func Closest(word string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(word, c) {
			return c
		}
	}
	best, bestDist := "", len(word)/2+1
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Nearest returns the candidates nearest to word in edit distance, at
// most most of them, nearest first (ties in the order given), of those
// near enough to be a likely misspelling of a long name: at most a third
// of word's length away, or two edits.
func Nearest(word string, candidates []string, most int) []string {
	type near struct {
		name string
		d    int
	}
	var best []near
	for _, c := range candidates {
		if d := editDistance(word, c); d <= max(2, len(word)/3) {
			best = append(best, near{c, d})
		}
	}
	slices.SortStableFunc(best, func(a, b near) int { return a.d - b.d })
	var out []string
	for _, b := range best[:min(most, len(best))] {
		out = append(out, b.name)
	}
	return out
}

// editDistance returns the Levenshtein distance between a and b, counted in
// bytes (field and column names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
