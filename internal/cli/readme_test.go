package cli

import (
	"bytes"
	"io"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/render"
)

// TestREADMEReference checks the README's reference sections against
// what the runner prints: its usage, runner run -h, and the tables of
// fields and outputs, made from the same tables as runner help
// experiments and runner help outputs (go test -update rewrites the
// sections). It also checks that the help topics print those references.
func TestREADMEReference(t *testing.T) {
	const readme = "../../README.md"
	usage, _ := mainIn(t, ExitOK, "help")
	golden.CheckSection(t, readme, "runner help", fenced(usage))
	runHelp, _ := mainIn(t, ExitOK, "run", "-h")
	golden.CheckSection(t, readme, "runner run -h", fenced(runHelp))
	for _, c := range []struct {
		topic    string
		help     func(io.Writer) error
		markdown func(io.Writer) error
	}{
		{"experiments", render.ExperimentsHelp, render.ExperimentsMarkdown},
		{"outputs", render.OutputsHelp, render.OutputsMarkdown},
	} {
		var md, help bytes.Buffer
		if err := c.markdown(&md); err != nil {
			t.Fatal(err)
		}
		golden.CheckSection(t, readme, "runner help "+c.topic, md.Bytes())
		if err := c.help(&help); err != nil {
			t.Fatal(err)
		}
		if got, _ := mainIn(t, ExitOK, "help", c.topic); got != help.String() {
			t.Errorf("runner help %s prints\n%s\nwant\n%s", c.topic, got, help.String())
		}
	}
}

// fenced returns text as a fenced block of Markdown.
func fenced(text string) []byte {
	return []byte("```\n" + text + "```\n")
}
