package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
)

// The reference documentation of experiment files and of results folders
// is made here from the tables that the code itself uses
// (experiment.Fields, results.Files, the summary's columns), twice: as
// text for runner help, and as Markdown for the README, which a test keeps
// equal to what these functions write. So the two cannot drift apart, nor
// drift from the code.

// helpWidth is the width help text is wrapped to.
const helpWidth = 76

// ExperimentsHelp writes runner help experiments: the fields of an
// experiment file, with their defaults and limits.
func ExperimentsHelp(w io.Writer) error {
	p := NewPrinter(w)
	p.Printf("%s\n\n", wrap(experimentsIntro, helpWidth, ""))
	p.Printf("  %s\n", strings.ReplaceAll(strings.TrimSpace(experiment.Example), "\n", "\n  "))
	p.Printf("\nFields:\n\n")
	for _, f := range experiment.Fields {
		p.Printf("%s (%s", f.Name, f.Needed)
		if f.Default != "" {
			p.Printf("; default: %s", f.Default)
		}
		p.Printf(")\n%s\n\n", wrap(f.Doc, helpWidth, "    "))
	}
	p.Printf("%s\n", wrap(numbersNote, helpWidth, ""))
	return p.err
}

// ExperimentsMarkdown writes the README's table of the fields of an
// experiment file: what runner help experiments lists.
func ExperimentsMarkdown(w io.Writer) error {
	p := NewPrinter(w)
	p.Printf("| field | needed | default | meaning |\n|---|---|---|---|\n")
	for _, f := range experiment.Fields {
		p.Printf("| `%s` | %s | %s | %s |\n", f.Name, markdownCell(f.Needed), markdownCell(f.Default), markdownCell(f.Doc))
	}
	p.Printf("\n%s\n", markdownCell(numbersNote))
	return p.err
}

const experimentsIntro = `An experiment file holds one or more YAML documents, separated by ---; each is an experiment. For example:`

const numbersNote = `Every number is a finite YAML number (0.1, -3, 1e-4): quoted numbers, .nan, .inf and numbers beyond float64's range are refused. runner validate checks files without running them; runner schema prints a JSON Schema for editors.`

// OutputsHelp writes runner help outputs: the files of a results folder
// and the columns of its CSV files.
func OutputsHelp(w io.Writer) error {
	p := NewPrinter(w)
	p.Printf("%s\n\n", wrap(outputsIntro, helpWidth, ""))
	for _, f := range results.Files {
		p.Printf("%s\n%s\n", f.Path, wrap(f.Doc, helpWidth, "    "))
	}
	p.Printf("\n%s\n", wrap(oneLine(results.RunFolders), helpWidth, ""))
	for _, part := range []struct {
		title string
		cols  []results.ColumnDoc
	}{{"Columns of " + results.SummaryFile, results.SummaryColumns()}, {"Columns of " + results.TraceFile, results.TraceColumns()}} {
		p.Printf("\n%s:\n\n", part.title)
		for _, c := range part.cols {
			p.Printf("%s\n%s\n", c.Name, wrap(c.Doc, helpWidth, "    "))
		}
	}
	p.Printf("\n%s\n", wrap(valuesNote, helpWidth, ""))
	return p.err
}

// OutputsMarkdown writes the README's tables of the files of a results
// folder and of the columns of its CSV files: what runner help outputs
// lists.
func OutputsMarkdown(w io.Writer) error {
	p := NewPrinter(w)
	p.Printf("| file | content |\n|---|---|\n")
	for _, f := range results.Files {
		p.Printf("| `%s` | %s |\n", f.Path, markdownCell(f.Doc))
	}
	p.Printf("\n%s\n", markdownCell(oneLine(results.RunFolders)))
	for _, part := range []struct {
		file string
		cols []results.ColumnDoc
	}{{results.SummaryFile, results.SummaryColumns()}, {results.TraceFile, results.TraceColumns()}} {
		p.Printf("\n| column of `%s` | meaning |\n|---|---|\n", part.file)
		for _, c := range part.cols {
			p.Printf("| `%s` | %s |\n", c.Name, markdownCell(c.Doc))
		}
	}
	p.Printf("\n%s\n", markdownCell(valuesNote))
	return p.err
}

const outputsIntro = `runner run writes these files under its output folder (default results/):`

const valuesNote = `Results are written with 12 significant digits (csv_digits or --csv-digits sets 1 to 17), inputs as given in their shortest form; -0 as 0, and NaN and infinities as NaN, +Inf and -Inf. Files end lines with LF and carry no timestamps: the same input gives the same bytes.`

// oneLine joins the lines of a paragraph.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// markdownCell escapes text for a cell of a Markdown table: its pipes,
// and angle brackets, which would open HTML.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// wrap fills a paragraph to lines of at most width columns (a longer word
// has its own line), each after indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		n := len([]rune(word))
		switch {
		case line == 0:
			b.WriteString(indent)
			line = len(indent)
		case line+1+n > width:
			fmt.Fprintf(&b, "\n%s", indent)
			line = len(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	return b.String()
}
