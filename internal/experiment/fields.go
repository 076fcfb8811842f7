package experiment

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// Setting is a value of one of the fields that sweeps vary.
type Setting struct {
	Field string
	Value float64
}

// sweepable are the fields a sweep or a runs entry may set, in the order
// run identifiers list them.
var sweepable = []string{"alpha", "b3", "tolerance", "max_iterations", "w1", "b1", "w2", "b2", "w3", "w4"}

// checkValue says what is wrong with v as a value of field, or "" if
// nothing; text is v as the user wrote it.
func checkValue(field string, v float64, text string) string {
	switch field {
	case "alpha", "tolerance":
		if v <= 0 {
			return "must be > 0, got " + text
		}
		if v > MaxStep {
			return fmt.Sprintf("must be at most %s (a larger value is surely a mistake), got %s", prose.Thousands(int(MaxStep)), text)
		}
	case "max_iterations":
		if v != math.Trunc(v) {
			return "want a whole number, got " + text
		}
		if v < 1 || v > MaxIterationsCap {
			return fmt.Sprintf("must be between 1 and %s, got %s", prose.Thousands(MaxIterationsCap), text)
		}
	}
	return ""
}

// apply sets field to v in a run's parameters and settings.
func apply(field string, v float64, p *engine.Params, s *engine.Settings) {
	switch field {
	case "alpha":
		s.Alpha = v
	case "tolerance":
		s.Tolerance = v
	case "max_iterations":
		s.MaxIterations = int(v)
	default:
		k, ok := engine.ParseParam(field)
		if !ok {
			panic("experiment: apply to unknown field " + field)
		}
		p.Set(k, v)
	}
}

// FormatValue writes an input value as results show it: the shortest text
// that reads back as the same number ("0.05", "1e-05"), and 0 for -0.
func FormatValue(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// FolderKey returns the key that names a swept field in run folders and
// identifiers: the field itself for a setting (alpha, tolerance,
// max_iterations), and <p>_initial for a parameter, whose trace column is
// named p. A key never equals a column of the files in the folder, so tools
// that read key=value folders as columns (Hive-style partitions) do not
// hide one with the other. It is the summary's column for the same value.
func FolderKey(field string) string {
	if _, ok := engine.ParseParam(field); ok {
		return field + "_initial"
	}
	return field
}

// formatSetting writes a swept value as identifiers show it: as
// FormatValue does, and max_iterations as a whole number (1000000, not
// 1e+06), as the summary writes it.
func formatSetting(field string, v float64) string {
	if field == "max_iterations" {
		return strconv.FormatInt(int64(v), 10)
	}
	return FormatValue(v)
}

// clean rounds v to 12 significant digits, so that computed values come
// out as people write them: 0.3, not 0.30000000000000004. A search rounds
// the values it proposes the same way.
func clean(v float64) float64 {
	return search.Round(v)
}

// FieldOfKey returns the field that a key of run folders names: the
// inverse of FolderKey.
func FieldOfKey(key string) (string, bool) {
	field := strings.TrimSuffix(key, "_initial")
	if _, isParam := engine.ParseParam(field); isParam != (field != key) {
		return "", false
	}
	if !slices.Contains(sweepable, field) {
		return "", false
	}
	return field, true
}

// ParseSettings reads the values that a run's identifier sets below its
// experiment, as identifier writes them ("alpha=0.05/b3_initial=1"): each
// folder a key of FolderKey and a value as formatSetting writes it, in the
// order of sweepable. It refuses anything else, so that a name read from a
// results folder is one the runner could have written.
func ParseSettings(rel string) ([]Setting, error) {
	var settings []Setting
	for _, part := range strings.Split(rel, "/") {
		key, text, ok := strings.Cut(part, "=")
		field, known := FieldOfKey(key)
		if !ok || !known {
			return nil, fmt.Errorf("%q is not a folder of a run (key=value, with a key such as alpha or b3_initial)", part)
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || formatSetting(field, v) != text || checkValue(field, v, text) != "" || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q: %q is not a value as the runner writes it", part, text)
		}
		if n := len(settings); n > 0 && slices.Index(sweepable, settings[n-1].Field) >= slices.Index(sweepable, field) {
			return nil, fmt.Errorf("%q: the folders of a run are in the order %s", rel, strings.Join(sweepable, ", "))
		}
		settings = append(settings, Setting{field, v})
	}
	return settings, nil
}

// Apply sets the values of settings in a run's starting parameters and
// settings.
func Apply(settings []Setting, p *engine.Params, s *engine.Settings) {
	for _, x := range settings {
		apply(x.Field, x.Value, p, s)
	}
}
