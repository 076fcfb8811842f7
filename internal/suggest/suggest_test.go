package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	columns := []string{"run", "alpha", "status", "b3_final", "ssr_final", "iterations"}
	for _, tt := range []struct{ word, want string }{
		{"alpah", "alpha"},      // two letters swapped: two edits
		{"Status", "status"},    // case only
		{"b3final", "b3_final"}, // one letter left out
		{"ssr", ""},             // too far from ssr_final to be a misspelling
		{"iteration", "iterations"},
		{"colour", ""},
		{"", ""},
	} {
		if got := Closest(tt.word, columns); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"alpha", "alpah", 2}, {"flaw", "lawn", 2}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"learning-rates", "article", "article-edge", "article-fastest", "backprop-details-1"}
	for _, tt := range []struct {
		word string
		most int
		want []string
	}{
		{"learnig-rates", 3, []string{"learning-rates"}},
		{"artcle", 3, []string{"article"}},            // nearest first
		{"article-edg", 3, []string{"article-edge"}},  // one edit
		{"articel-edge", 1, []string{"article-edge"}}, // at most most
		{"grid", 3, nil}, // nothing near
		{"article-e", 3, []string{"article", "article-edge"}}, // two edits, then three: within a third of its length
	} {
		if got := Nearest(tt.word, names, tt.most); !slices.Equal(got, tt.want) {
			t.Errorf("Nearest(%q, %d) = %q, want %q", tt.word, tt.most, got, tt.want)
		}
	}
}
