package report

import (
	"io"
	"strconv"
	"testing"
)

// BenchmarkTableRender measures drawing a Markdown table like a run's
// iterations table (seven columns), by its number of rows: see
// BENCHMARKS.md for what it costs a sweep.
func BenchmarkTableRender(b *testing.B) {
	for _, rows := range []int{1, 21} {
		b.Run("rows="+strconv.Itoa(rows), func(b *testing.B) {
			t := newTable([]string{"iteration", "b3", "predicted", "SSR", "gradient", "step size", "new b3"})
			for i := range rows {
				t.add(strconv.Itoa(i+1), "2.61", "-2.6, -1.61, -2.61", "20.4", "-15.7", "-1.57", "1.57")
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := t.render(io.Discard, markdown); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
