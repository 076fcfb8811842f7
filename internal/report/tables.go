package report

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

// elision decides which of n rows a table shows: all if n <= head+tail,
// else the first head and the last tail.
type elision struct{ head, tail, n int }

// omits reports whether row i (from 0) is left out.
func (e elision) omits(i int) bool {
	return e.n > e.head+e.tail && i >= e.head && i < e.n-e.tail
}

// note says which rows are left out, or "" if none: "Iterations 11 to 990
// are left out here; trace.csv has every iteration."
func (e elision) note(what, where string) string {
	if !e.omits(e.head) {
		return ""
	}
	return fmt.Sprintf("%s %d to %d are left out here; %s.", what, e.head+1, e.n-e.tail, where)
}

// renderers keeps tablewriter tables for reuse, one pool per style: making
// a table allocates caches that cost more than drawing a small one, and
// the runner draws one per run.
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

// render draws the table on w in the given style.
func (t *table) render(w io.Writer, s style) error {
	r := getRenderer(s)
	defer renderers[s].Put(r)
	rows := t.rows
	if s == markdown {
		rows = escapeMarkdown(rows)
	}
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
	_, err := w.Write(r.out.Bytes())
	return err
}

// escapeMarkdown escapes the cell separator, which tablewriter's Markdown
// renderer leaves as it is.
func escapeMarkdown(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, cell := range row {
			out[i][j] = strings.ReplaceAll(cell, "|", `\|`)
		}
	}
	return out
}
