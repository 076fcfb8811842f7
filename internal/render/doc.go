// Package render turns runs' records and traces into what people read:
// Markdown files (a run's iterations.md and expected.md, summary.md, the
// results folder's README.md) and the tables shown on a terminal. It does
// no I/O of its own: it writes to the io.Writer it is given, and builds
// files as bytes.
//
// Numbers are rounded for reading, to 3 significant digits unless the
// terminal asks for more, as the article prints them; inputs are shown as
// given. Text that comes from experiment files (descriptions, notes) has
// its control characters escaped, so that it cannot move the cursor of a
// terminal or break a table.
package render
