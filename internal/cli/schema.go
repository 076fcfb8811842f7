package cli

import (
	"context"
	"encoding/json"
	"io"

	"github.com/descentlab/runner/internal/experiment"
)

const schemaUsage = `Usage: runner schema

Print the JSON Schema (draft 2020-12) of experiment files, made from the
same table of fields as validation. Editors with a YAML language server
(VS Code, JetBrains, Neovim) complete fields and flag mistakes as you type
when a file starts with a line naming the schema:

  # yaml-language-server: $schema=experiment.schema.json

runner schema > experiment.schema.json writes it beside your experiments.
The schema says less than runner validate, never more.

Exit status: 0 printed; 2 bad usage; 3 the schema could not be written
whole.
`

// schemaCommand is runner schema.
func schemaCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	if err := parseNoArguments("schema", schemaUsage, stdout, args); err != nil {
		return err
	}
	return reportError(writeSchema(stdout))
}

// writeSchema writes the schema as indented JSON.
func writeSchema(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(experiment.Schema())
}
