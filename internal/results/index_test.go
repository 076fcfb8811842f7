package results

import (
	"testing"
)

// TestRowTables checks the index's tables: the first row of a run in one
// file is its row, a newer file's row of a run wins over an older's, and
// a run made is found no more.
func TestRowTables(t *testing.T) {
	row := func(key uint64, src int32, off int64) keyedRow {
		return keyedRow{key, rowRef{off: off, src: src, n: 1}}
	}
	older := sortRows(rowTable{row(3, 0, 0), row(1, 0, 10), row(3, 0, 20), row(2, 0, 30)})
	if len(older) != 3 || older[2].off != 0 {
		t.Fatalf("a file's rows %v: want three runs, the first row of run 3 kept", older)
	}
	newer := sortRows(rowTable{row(2, 1, 5), row(4, 1, 15)})
	merged := older.merge(newer)
	want := map[uint64]int32{1: 0, 2: 1, 3: 0, 4: 1}
	if len(merged) != len(want) {
		t.Fatalf("merged %v, want %d runs", merged, len(want))
	}
	for key, src := range want {
		i, ok := merged.find(key)
		if !ok || merged[i].src != src {
			t.Errorf("run %d: found %v in source %d, want source %d", key, ok, merged[i].src, src)
		}
	}
	if _, ok := merged.find(5); ok {
		t.Error("run 5 found in a table without it")
	}
	i, _ := merged.find(2)
	merged[i].src = -1
	if _, ok := merged.find(2); ok {
		t.Error("a run taken out is found")
	}
}
