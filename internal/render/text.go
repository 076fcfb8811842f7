package render

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/descentlab/runner/internal/results"
)

// ReadableDigits is the number of significant digits of numbers in
// tables, as the article prints them, unless a Terminal asks for more.
const ReadableDigits = 3

// readable rounds a number of a run's row for reading; text, and empty
// cells, stay as they are.
func readable(c results.Cell, digits int) string {
	if !c.IsNum {
		return c.Text
	}
	return results.FormatCSV(c.Num, digits)
}

// Escape writes the control characters of a text as escapes (ESC as
// \x1b, a carriage return as \r, U+202E as \u202e), so that text from an
// experiment file shows as written, on a terminal and in Markdown, and
// cannot move the cursor, change colours or reorder what follows.
func Escape(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// EscapeText escapes a text's control characters as Escape does, but for
// line breaks and tabs: for paragraphs of Markdown.
func EscapeText(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		parts := strings.Split(line, "\t")
		for j, part := range parts {
			parts[j] = Escape(part)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

// isControl reports whether a character is a control character, or one
// that changes the direction or visibility of the text around it.
func isControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u200b' || r == '\ufeff'
}
