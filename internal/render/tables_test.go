package render

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMarkdownIsTablewriters draws tables in Markdown with writeMarkdown
// and with tablewriter's Markdown renderer: the bytes must be the same,
// for narrow and wide cells, empty ones, left and right alignment, cells
// to escape, the gap of rows left out, and text wider than it is long.
func TestMarkdownIsTablewriters(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	words := []string{"", "a", "converged", "2.61", "-0.0435", "[lr/alpha=0.1](lr/alpha=0.1/iterations.md)", "α = 1/N", "…", "a|b", "日本語", "e\x1bscape", "15/15", "x y z"}
	for n := range 200 {
		cols := 1 + rng.IntN(8)
		header := make([]string, cols)
		var left []string
		for j := range header {
			header[j] = strings.Repeat("h", 1+rng.IntN(12))
			if rng.IntN(2) == 0 {
				header[j] += "l"
				left = append(left, header[j])
			}
		}
		tab := newTable(header, left...)
		for range rng.IntN(12) {
			row := make([]string, cols)
			for j := range row {
				row[j] = words[rng.IntN(len(words))]
			}
			tab.add(row...)
		}
		if rng.IntN(4) == 0 {
			tab.addGap()
		}
		var fast, slow bytes.Buffer
		if err := tab.render(&fast, markdown, nil); err != nil {
			t.Fatal(err)
		}
		slowMarkdown = true
		err := tab.render(&slow, markdown, nil)
		slowMarkdown = false
		if err != nil {
			t.Fatal(err)
		}
		if fast.String() != slow.String() {
			t.Fatalf("table %d:\nwriteMarkdown:\n%s\ntablewriter:\n%s", n, fast.String(), slow.String())
		}
	}
}
