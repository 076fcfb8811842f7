package cli

import (
	"bytes"
	"io"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/render"
)

// TestREADMEReference checks the README's reference sections against
// what the runner prints: its usage, runner run -h and runner ls -h
// (subtest commands), and the tables of fields and outputs (subtest
// topics), made from the same tables as runner help experiments and
// runner help outputs. go test -update rewrites the sections, those of
// one subtest with -run TestREADMEReference/NAME. It also checks that the
// help topics print those references.
func TestREADMEReference(t *testing.T) {
	const readme = "../../README.md"
	t.Run("commands", func(t *testing.T) {
		usage, _ := mainIn(t, ExitOK, "help")
		golden.CheckSection(t, readme, "runner help", fenced(usage))
		for _, command := range []string{"run", "ls"} {
			help, _ := mainIn(t, ExitOK, command, "-h")
			golden.CheckSection(t, readme, "runner "+command+" -h", fenced(help))
			if viaHelp, _ := mainIn(t, ExitOK, "help", command); viaHelp != help {
				t.Errorf("runner help %s prints\n%s\nwant what runner %s -h prints:\n%s", command, viaHelp, command, help)
			}
		}
	})
	t.Run("topics", func(t *testing.T) {
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
	})
}

// fenced returns text as a fenced block of Markdown.
func fenced(text string) []byte {
	return []byte("```\n" + text + "```\n")
}
