// Package report turns the outcomes of runs into the runner's outputs: a
// CSV trace and Markdown tables per experiment, a summary of all of them,
// and the tables shown on the terminal. Rendering builds every file in
// memory (Files); Write then puts them in place, each atomically.
//
// Numbers are written so that the same run gives the same bytes: CSV files
// hold 12 significant digits (FormatCSV), tables 3 (FormatReadable), as the
// article prints them.
package report
