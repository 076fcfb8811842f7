package experiment

import (
	"fmt"
	"strings"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// FieldDoc documents a top-level field of experiment files.
type FieldDoc struct {
	Name string
	// Needed says whether the field must be given: "required", "optional",
	// or when.
	Needed string
	// Default is its value when not given, or "".
	Default string
	// Doc says what it is, and its limits.
	Doc string
	// schema is the JSON Schema of its value.
	schema func() map[string]any
}

// Example is an experiment file that uses the common fields, for help
// and docs: the article's descent, and a sweep of its learning rate.
const Example = `name: article                # optional: the file's name by default
data:                        # the data points: x the input, y the observed value
  - {x: 0.0, y: 0.0}
  - {x: 0.5, y: 1.0}
  - {x: 1.0, y: 0.0}
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
b3: 0.0                      # the starting b3
alpha: 0.1                   # the learning rate
tolerance: 0.001             # converged once |step| < tolerance
max_iterations: 1000
expected:                    # published values to check
  - {iteration: 1, gradient_b3: -15.7, step_b3: -1.57}
  - {final: true, b3: 2.61}
---
name: learning-rates
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
sweep:                       # a run for each value; alpha is not set above
  alpha: {from: 0.01, to: 1, count: 5, scale: log}
`

// Fields are the fields of an experiment, in the order the docs list them:
// the one table from which validation takes the names it knows, and
// runner help experiments, the README and the JSON Schema (runner schema)
// are made.
var Fields = []FieldDoc{
	{Name: "name", Needed: "optional", Default: "the file's name, without its extension",
		Doc: fmt.Sprintf("Names the experiment and its results folder: lower-case letters, digits, '.', '_' and '-', starting with a letter or a digit, at most %d characters, unique among the experiments run together; not %s.", MaxNameLength, prose.Or(reservedNames)),
		schema: func() map[string]any {
			return map[string]any{"type": "string", "pattern": namePattern.String(), "maxLength": MaxNameLength, "not": map[string]any{"enum": reservedNames}}
		}},
	{Name: "description", Needed: "optional", Doc: "Free text, shown with the experiment in the results folder's README.md.",
		schema: func() map[string]any { return map[string]any{"type": "string"} }},
	{Name: "data", Needed: "required", Doc: "The data points, a list of {x: ..., y: ...}: x is the input (the dosage), y the observed value. At least one.",
		schema: func() map[string]any {
			return map[string]any{"type": "array", "minItems": 1, "items": object(map[string]any{"x": number(), "y": number()}, "x", "y")}
		}},
	{Name: "weights", Needed: "required, unless every weight is swept", Doc: "The six weights w1, b1, w2, b2, w3, w4: fixed, or the starting values of those that train. Each is required unless swept.",
		schema: func() map[string]any {
			props := map[string]any{}
			for _, w := range weightFields {
				props[w] = number()
			}
			return object(props)
		}},
	{Name: "b3", Needed: "optional", Default: "0", Doc: "The starting value of b3, or its value if it does not train.",
		schema: func() map[string]any { return number() }},
	{Name: "alpha", Needed: "required, unless swept", Doc: fmt.Sprintf("The learning rate α: step = α · gradient. Greater than 0, at most %s.", prose.Thousands(int(MaxStep))),
		schema: func() map[string]any { return step() }},
	{Name: "tolerance", Needed: "required, unless swept", Doc: fmt.Sprintf("Descent has converged once every |step| < tolerance. Greater than 0, at most %s.", prose.Thousands(int(MaxStep))),
		schema: func() map[string]any { return step() }},
	{Name: "max_iterations", Needed: "optional", Default: fmt.Sprint(DefaultMaxIterations), Doc: fmt.Sprintf("The most iterations a run may take, from 1 to %s. Each iteration is a row of trace.csv (about 130 bytes for three data points), unless trace_every thins it.", prose.Thousands(MaxIterationsCap)),
		schema: func() map[string]any { return integer(1, MaxIterationsCap) }},
	{Name: "train", Needed: "optional", Default: "[b3]", Doc: "The parameters that descend: a list from w1, b1, w2, b2, w3, w4, b3, or all. The others keep their values.",
		schema: func() map[string]any {
			return map[string]any{"oneOf": []any{
				map[string]any{"const": "all"},
				map[string]any{"type": "array", "minItems": 1, "uniqueItems": true, "items": map[string]any{"enum": strings.Fields(engine.AllParams.String())}},
			}}
		}},
	{Name: "activation", Needed: "optional", Default: "softplus", Doc: "The hidden nodes' function: softplus, relu or sigmoid.",
		schema: func() map[string]any { return map[string]any{"enum": []string{"softplus", "relu", "sigmoid"}} }},
	{Name: "sweep", Needed: "optional", Doc: "Values to run the experiment with, by field: alpha, b3, tolerance, max_iterations or a weight, each a list [0.01, 0.1], a linear range {from: 0.01, to: 1, count: 10}, or a log range {from: 1e-4, to: 1, count: 5, scale: log}. Several fields make every combination, the first written varying slowest. A field swept may not be set too.",
		schema: func() map[string]any {
			props := map[string]any{}
			for _, f := range sweepable {
				props[f] = map[string]any{"oneOf": []any{
					map[string]any{"type": "array", "minItems": 1, "items": number()},
					object(map[string]any{"from": number(), "to": number(), "count": integer(1, MaxRunsCap), "scale": map[string]any{"enum": []string{"linear", "log"}}}, "from", "to", "count"),
				}}
			}
			s := object(props)
			s["minProperties"] = 1
			return s
		}},
	{Name: "runs", Needed: "optional", Doc: "Exact combinations to run, each a mapping of the fields sweep takes, such as {alpha: 0.1, b3: 1}; every entry sets the same fields. Crossed with sweep if both are given.",
		schema: func() map[string]any {
			props := map[string]any{}
			for _, f := range sweepable {
				props[f] = number()
			}
			entry := object(props)
			entry["minProperties"] = 1
			return map[string]any{"type": "array", "minItems": 1, "items": entry}
		}},
	{Name: "search", Needed: "optional", Doc: fmt.Sprintf("A search instead of a sweep: one field (%s) and what to find, such as alpha: {find: edge, from: 0.001, to: 1}. find: edge, the boundary between values that converge and values that do not, by bisection to a relative precision of %g; fastest, the value that converges in the fewest iterations (ties broken by how fast |step| shrinks), to %g; or lr-range, a learning-rate range test of alpha: one run whose α grows geometrically from `from` to `to` over iterations: (%d by default), without tolerance or max_iterations. Optional: scale (log for alpha and tolerance, linear otherwise), precision (at least %g), width (values probed in each round, %d by default) and max_runs (the search's budget, the experiment's max_runs by default). The field searched may not be set too; a search takes no sweep or runs.",
		prose.Or(searchable), search.DefaultEdgePrecision, search.DefaultFastestPrecision, search.DefaultRangeIterations, search.MinPrecision, search.DefaultWidth),
		schema: func() map[string]any {
			props := map[string]any{}
			for _, f := range searchable {
				props[f] = object(map[string]any{
					"find": map[string]any{"enum": search.FindNames()}, "from": number(), "to": number(),
					"scale":     map[string]any{"enum": []string{"linear", "log"}},
					"precision": map[string]any{"type": "number", "minimum": search.MinPrecision, "exclusiveMaximum": 1},
					"width":     integer(1, search.MaxWidth), "max_runs": integer(1, MaxRunsCap), "iterations": integer(2, MaxIterationsCap),
				}, "find", "from", "to")
			}
			s := object(props)
			s["minProperties"], s["maxProperties"] = 1, 1
			return s
		}},
	{Name: "max_runs", Needed: "optional", Default: prose.Thousands(DefaultMaxRuns), Doc: fmt.Sprintf("The most runs the experiment may expand to, from 1 to %s.", prose.Thousands(MaxRunsCap)),
		schema: func() map[string]any { return integer(1, MaxRunsCap) }},
	{Name: "csv_digits", Needed: "optional", Default: "--csv-digits, 12", Doc: fmt.Sprintf("Significant digits of results in trace.csv, the tables and the summaries, from 1 to %d (17 writes every float64 exactly; records.csv always does).", MaxCSVDigits),
		schema: func() map[string]any { return integer(1, MaxCSVDigits) }},
	{Name: "trace_every", Needed: "optional", Default: "1", Doc: fmt.Sprintf("Keep every K-th iteration in trace.csv, and the first and the last, from 1 to %s: for long runs.", prose.Thousands(MaxIterationsCap)),
		schema: func() map[string]any { return integer(1, MaxIterationsCap) }},
	{Name: "expected", Needed: "optional", Doc: "Published values to check every run against: a list of entries, each iteration: N or final: true, and values under the names of trace.csv's columns (b3, predicted: [one per point], ssr, gradient_b3, step_b3, next_b3, and likewise for other trained parameters; with final: true, the trained parameters and ssr). A value holds within half a unit of its last printed digit, or an entry's tolerance:, which needs a note: saying why.",
		schema: func() map[string]any {
			props := map[string]any{"iteration": integer(1, MaxIterationsCap), "final": map[string]any{"const": true},
				"tolerance": map[string]any{"type": "number", "minimum": 0}, "note": map[string]any{"type": "string"},
				"predicted": map[string]any{"type": "array", "items": number()}}
			for _, key := range pinKeys(engine.AllParams) {
				if key != "predicted" {
					props[key] = number()
				}
			}
			entry := object(props)
			entry["oneOf"] = []any{map[string]any{"required": []string{"iteration"}}, map[string]any{"required": []string{"final"}}}
			return map[string]any{"type": "array", "items": entry}
		}},
}

// number is the JSON Schema of a finite number.
func number() map[string]any { return map[string]any{"type": "number"} }

// step is the JSON Schema of alpha and tolerance.
func step() map[string]any {
	return map[string]any{"type": "number", "exclusiveMinimum": 0, "maximum": MaxStep}
}

// integer is the JSON Schema of a whole number from lo to hi.
func integer(lo, hi int) map[string]any {
	return map[string]any{"type": "integer", "minimum": lo, "maximum": hi}
}

// object is the JSON Schema of a mapping of the given fields, and no
// others.
func object(props map[string]any, required ...string) map[string]any {
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// fieldNames returns the names of Fields.
func fieldNames() []string {
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = f.Name
	}
	return names
}

// Schema returns the JSON Schema (draft 2020-12) of an experiment file's
// documents, from Fields: editors use it to complete fields and flag
// mistakes as one types. It says less than validation (which checks, say,
// that a pinned iteration is within max_iterations), never more.
func Schema() map[string]any {
	props := map[string]any{}
	for _, f := range Fields {
		props[f.Name] = mergeDoc(f.schema(), f.Doc)
	}
	// alpha, tolerance and weights are required unless swept, set by
	// every runs entry or searched (and tolerance unless a range test
	// runs), which the schema cannot tell: it requires them unless sweep,
	// runs or search is given.
	requiredUnlessVaried := func(field string) map[string]any {
		return map[string]any{
			"if": map[string]any{"not": map[string]any{"anyOf": []any{
				map[string]any{"required": []string{"sweep"}}, map[string]any{"required": []string{"runs"}}, map[string]any{"required": []string{"search"}},
			}}},
			"then": map[string]any{"required": []string{field}},
		}
	}
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://github.com/descentlab/runner/experiment.schema.json",
		"title":                "runner experiment",
		"description":          "An experiment of runner: gradient descent on the article's tiny network. Each YAML document of a file is one.",
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
		"required":             []string{"data"},
		"allOf":                []any{requiredUnlessVaried("alpha"), requiredUnlessVaried("tolerance"), requiredUnlessVaried("weights")},
	}
}

// mergeDoc adds a description to a schema.
func mergeDoc(s map[string]any, doc string) map[string]any {
	s["description"] = doc
	return s
}
