// Command runner runs gradient-descent experiments declared in YAML files
// and writes their traces, tables and summaries. See README.md, or run
// `runner help`.
package main

import (
	"os"

	"github.com/descentlab/runner/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
