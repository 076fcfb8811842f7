// Package prose writes numbers and lists into the runner's English
// sentences: counts with their nouns, numbers with thousands separators,
// and lists joined with "and" or "or".
package prose

import (
	"strconv"
	"strings"
)

// Integer is a whole number that prose writes.
type Integer interface {
	~int | ~int64
}

// Thousands writes a whole number with commas between groups of three
// digits: 100,000,000.
func Thousands[N Integer](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Count writes n with a noun, plural unless n is 1: "1 run", "1,000
// runs". The plural adds an s.
func Count[N Integer](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + noun + "s"
}

// And writes words as "a, b and c".
func And(words []string) string {
	return list(words, "and")
}

// Or writes words as "a, b or c".
func Or(words []string) string {
	return list(words, "or")
}

func list(words []string, conjunction string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conjunction + " " + words[len(words)-1]
}
