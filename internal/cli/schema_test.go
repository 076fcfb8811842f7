package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/golden"
)

// compiledSchema compiles the schema runner schema prints.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var out bytes.Buffer
	mainIn(t, ExitOK, "schema")
	if err := writeSchema(&out); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&out)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("experiment.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("experiment.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// documents reads the YAML documents of a file as JSON values.
func documents(t *testing.T, file string) []any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			return append(docs, err) // not YAML: no schema can take it
		}
		js, err := json.Marshal(v)
		if err != nil {
			return append(docs, err)
		}
		j, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, j)
	}
}

// valid reports whether every document of a file is valid by the schema.
func valid(s *jsonschema.Schema, docs []any) error {
	for _, d := range docs {
		if err, ok := d.(error); ok {
			return err
		}
		if err := s.Validate(d); err != nil {
			return err
		}
	}
	return nil
}

// TestSchema checks the JSON Schema of experiment files against the
// files: experiments/experiment.schema.json is what runner schema prints
// (go test -update rewrites it); the examples and every valid test file
// are valid by it; and the files of the invalid corpus that it can tell
// apart are invalid by it too.
func TestSchema(t *testing.T) {
	var printed bytes.Buffer
	if err := writeSchema(&printed); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "../../experiments/experiment.schema.json", printed.Bytes())
	s := compiledSchema(t)

	var good []string
	for _, pattern := range []string{"../../experiments/*.yaml", "../experiment/testdata/valid/*.y*ml", "testdata/golden/*/in/*.yaml", "../../bench/*.yaml", "../../.ci/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		good = append(good, files...)
	}
	for _, f := range good {
		if strings.Contains(f, "golden/invalid") {
			continue
		}
		if err := valid(s, documents(t, f)); err != nil {
			t.Errorf("%s is invalid by the schema: %v", f, err)
		}
	}
	// The invalid files the schema tells apart. The others need what only
	// validation knows: YAML 1.2 numbers, repeated keys, positions, pins
	// within max_iterations, names across files, ranges that repeat.
	rejects := []string{
		"absurd-values.yaml", "bad-names.yaml", "csv-digits.yaml", "expected-errors.yaml",
		"max-iterations.yaml", "misplaced-b3.yaml", "missing-fields.yaml", "missing-weights.yaml", "no-data.yaml",
		"non-positive.yaml", "not-a-mapping.yaml", "runs-errors.yaml", "sweep-ranges.yaml", "sweep-values.yaml",
		"train-errors.yaml", "unknown-field.yaml", "wrong-types.yaml",
	}
	files, err := filepath.Glob("../experiment/testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rejected []string
	for _, f := range files {
		if valid(s, documents(t, f)) != nil {
			rejected = append(rejected, filepath.Base(f))
		}
	}
	for _, f := range rejects {
		if !slices.Contains(rejected, f) {
			t.Errorf("%s is valid by the schema, though invalid", f)
		}
	}
}
