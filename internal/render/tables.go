package render

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twcache"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// This file holds every use of tablewriter.

// style is how a table is drawn.
type style int

const (
	markdown style = iota // a GitHub-flavoured Markdown table, for files
	boxed                 // Unicode box drawing, for the terminal
	numStyles
)

// table is a table to draw: a header, rows of cells, and how each column
// is aligned (left for text, right for numbers).
type table struct {
	header []string
	align  []tw.Align
	rows   [][]string
}

// newTable starts a table; columns are right-aligned unless named in left.
func newTable(header []string, left ...string) *table {
	t := &table{header: header, align: make([]tw.Align, len(header))}
	for i, h := range header {
		t.align[i] = tw.AlignRight
		if slices.Contains(left, h) {
			t.align[i] = tw.AlignLeft
		}
	}
	return t
}

// add appends a row.
func (t *table) add(cells ...string) {
	t.rows = append(t.rows, cells)
}

// addGap appends a row that marks rows left out.
func (t *table) addGap() {
	gap := make([]string, len(t.header))
	gap[0] = "…"
	t.add(gap...)
}

// renderers keeps tablewriter tables for reuse, one pool per style: making
// a table allocates caches that cost more than drawing a small one.
var renderers [numStyles]sync.Pool

// tableRenderer is a reusable tablewriter table that draws into its own
// buffer.
type tableRenderer struct {
	t   *tablewriter.Table
	out bytes.Buffer
}

func getRenderer(s style) *tableRenderer {
	if r, ok := renderers[s].Get().(*tableRenderer); ok {
		r.t.Reset()
		r.out.Reset()
		return r
	}
	r := &tableRenderer{}
	var rend tw.Renderer = renderer.NewBlueprint()
	if s == markdown {
		rend = renderer.NewMarkdown()
	}
	r.t = tablewriter.NewTable(&r.out,
		tablewriter.WithRenderer(rend),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		// Widths must not depend on the locale: in an East Asian one,
		// tablewriter would count "…" as two columns.
		tablewriter.WithEastAsian(tw.Off),
		// Cells are strings, so the cache for Stringer values is not
		// needed; the default one is large, and Reset clears it anew.
		tablewriter.WithStringerCacheCustom(twcache.NewLRU[reflect.Type, reflect.Value](1)),
	)
	return r
}

// render draws the table on w in the given style. Cells are shown as
// text: control characters escaped, and in Markdown the cell separator
// too. Colours are added after drawing, so that they do not count in the
// widths.
func (t *table) render(w io.Writer, s style, paint func(cell string) string) error {
	rows := make([][]string, len(t.rows))
	for i, row := range t.rows {
		rows[i] = make([]string, len(row))
		for j, cell := range row {
			cell = Escape(cell)
			if s == markdown {
				cell = strings.ReplaceAll(cell, "|", `\|`)
			}
			rows[i][j] = cell
		}
	}
	if s == markdown && !slowMarkdown {
		return t.writeMarkdown(w, rows)
	}
	r := getRenderer(s)
	defer renderers[s].Put(r)
	r.t.Options(
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: t.align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: t.align}),
	)
	r.t.Header(t.header)
	if err := r.t.Bulk(rows); err != nil {
		return err
	}
	if err := r.t.Render(); err != nil {
		return err
	}
	out := r.out.Bytes()
	if paint != nil {
		out = paintCells(out, paint)
	}
	_, err := w.Write(out)
	return err
}

// slowMarkdown draws Markdown tables with tablewriter, for the test that
// holds writeMarkdown to it.
var slowMarkdown = false

// writeMarkdown draws a table as tablewriter's Markdown renderer does,
// byte for byte (TestMarkdownIsTablewriters holds them together), in a
// fraction of its time: about 7 µs a row, which summary.md of a
// thousand-run sweep would spend 30 times over.
func (t *table) writeMarkdown(w io.Writer, rows [][]string) error {
	widths := make([]int, len(t.header))
	width := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f {
				return twwidth.WidthWithOptions(s, twwidth.Options{})
			}
		}
		return len(s) // printable ASCII: a column a byte
	}
	for _, row := range append([][]string{t.header}, rows...) {
		for j, cell := range row {
			widths[j] = max(widths[j], width(cell))
		}
	}
	var b bytes.Buffer
	line := func(cells []string) {
		for j, cell := range cells {
			pad := strings.Repeat(" ", widths[j]-width(cell))
			b.WriteString("| ")
			if t.align[j] == tw.AlignLeft {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(pad + cell)
			}
			b.WriteByte(' ')
		}
		b.WriteString("|\n")
	}
	line(t.header)
	for j := range t.header {
		if t.align[j] == tw.AlignLeft {
			b.WriteString("|:" + strings.Repeat("-", widths[j]+1))
		} else {
			b.WriteString("|" + strings.Repeat("-", widths[j]+1) + ":")
		}
	}
	b.WriteString("|\n")
	for _, row := range rows {
		line(row)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// paintCells colours the words of a drawn table that paint colours: the
// text between the table's column separators, trimmed.
func paintCells(table []byte, paint func(cell string) string) []byte {
	lines := strings.SplitAfter(string(table), "\n")
	for i, line := range lines {
		parts := strings.Split(line, "│")
		for j, part := range parts {
			word := strings.TrimSpace(part)
			if word == "" {
				continue
			}
			if painted := paint(word); painted != word {
				parts[j] = strings.Replace(part, word, painted, 1)
			}
		}
		lines[i] = strings.Join(parts, "│")
	}
	return []byte(strings.Join(lines, ""))
}

// width returns the width of the table as drawn in style s.
func (t *table) width(s style) int {
	var b bytes.Buffer
	if err := t.render(&b, s, nil); err != nil {
		return 0
	}
	line, _, _ := strings.Cut(b.String(), "\n")
	return len([]rune(line))
}

// Printer writes text, and in this package tables, keeping the first
// error so that a document can be written without checking every call.
type Printer struct {
	w   io.Writer
	err error
}

// NewPrinter returns a Printer that writes to w.
func NewPrinter(w io.Writer) *Printer {
	return &Printer{w: w}
}

// Printf writes as fmt.Fprintf does, unless an earlier write failed.
func (p *Printer) Printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// Write writes b as an io.Writer does, unless an earlier write failed.
func (p *Printer) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	var n int
	n, p.err = p.w.Write(b)
	return n, p.err
}

// Err returns the first error of the writes.
func (p *Printer) Err() error {
	return p.err
}

func (p *Printer) table(t *table, s style, paint func(string) string) {
	if p.err == nil {
		p.err = t.render(p.w, s, paint)
	}
}
