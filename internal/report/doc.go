// Package report turns the outcomes of runs into the runner's outputs: a
// CSV trace and Markdown tables per experiment, a summary of all of them,
// and the tables shown on the terminal. Rendering builds every file in
// memory (Files); Write then puts them in place, each atomically.
//
// Numbers are written so that the same run gives the same bytes: results in
// CSV files have 12 significant digits unless an experiment sets another
// count (FormatCSV), tables 3 (FormatReadable), as the article prints them;
// inputs (α, b3, weights) are written as given (experiment.FormatValue).
package report
