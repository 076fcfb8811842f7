package experiment

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/prose"
)

// decoder walks the YAML node tree of one file, converting values to Go and
// collecting every problem with its position. It never stops at the first
// problem: each decoding method reports what is wrong with its node and
// returns ok = false, and the caller carries on with the next field.
type decoder struct {
	file string
	errs ErrorList
	// origins are the flags that nodes come from, for nodes that stand for
	// a --set or a --sweep rather than for the file's text (see Override).
	origins map[*yaml.Node]string
}

// fail records a problem at node n.
func (d *decoder) fail(n *yaml.Node, field, format string, args ...any) {
	_, onCommandLine := d.origins[n]
	d.errs = append(d.errs, &Error{Pos: d.pos(n), Field: field, Msg: fmt.Sprintf(format, args...), onCommandLine: onCommandLine})
}

// pos returns where node n is written: in the file, or for a node of an
// override, its flag.
func (d *decoder) pos(n *yaml.Node) Position {
	if flag, ok := d.origins[n]; ok {
		return Position{File: flag}
	}
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

// resolve follows aliases (*name) to the node they stand for. What is
// wrong with an alias's value is reported where the alias is used, so the
// node returned for an alias is a copy of its target at the alias's
// position (its contents stay where they are written).
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.AliasNode {
		return n
	}
	target := n
	for target.Kind == yaml.AliasNode && target.Alias != nil {
		target = target.Alias
	}
	if target == n {
		return n
	}
	at := *target
	at.Line, at.Column = n.Line, n.Column
	return &at
}

// isNull reports whether n is an empty or null scalar.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for messages such as "want a number,
// got a list".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		}
		return n.Value
	}
	return "an unsupported YAML node"
}

// join builds the path of a field inside the mapping at path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// item builds the path of list item i (counted from 0) of the list at path;
// paths count items from 1, as people do.
func item(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i+1)
}

// fields is a decoded mapping: its values by key, and the known keys
// suggested for unknown ones (which are then not also reported missing).
type fields struct {
	node      *yaml.Node
	path      string
	values    map[string]*yaml.Node
	suggested map[string]bool
}

// mapping decodes a mapping whose keys must all be in known and appear
// once. Misplaced explains keys that belong elsewhere. Unknown keys are
// reported with the closest known key, if one is close.
func (d *decoder) mapping(n *yaml.Node, path string, known []string, misplaced map[string]string) (fields, bool) {
	n = resolve(n)
	f := fields{node: n, path: path, values: map[string]*yaml.Node{}, suggested: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of fields, got %s", describe(n))
		return f, false
	}
	keyNodes := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "want a field name, got %s", describe(k))
			continue
		}
		field := join(path, k.Value)
		if first, dup := keyNodes[k.Value]; dup {
			d.fail(k, field, "repeated field; it is already set at line %d, column %d", first.Line, first.Column)
			continue
		}
		keyNodes[k.Value] = k
		switch hint, isMisplaced := misplaced[k.Value]; {
		case isMisplaced:
			d.fail(k, field, "unknown field; %s", hint)
		case !slices.Contains(known, k.Value):
			c := closest(k.Value, known)
			f.suggested[c] = true
			d.fail(k, field, "unknown field%s", suggestion(c, known))
		default:
			f.values[k.Value] = v
		}
	}
	return f, true
}

// suggestion offers the known field closest to an unknown one, or lists
// the known fields if none is close.
func suggestion(closest string, known []string) string {
	if closest != "" {
		return fmt.Sprintf("; did you mean %q?", closest)
	}
	return "; valid fields are " + strings.Join(known, ", ")
}

// required returns the value of a field that must be present, reporting it
// at the mapping if it is missing, unless a misspelling of it was reported.
func (d *decoder) required(f fields, key string) (*yaml.Node, bool) {
	v, ok := f.values[key]
	if !ok && !f.suggested[key] {
		d.fail(f.node, join(f.path, key), "required field is missing")
	}
	return v, ok
}

// list decodes a sequence node.
func (d *decoder) list(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list, got %s", describe(n))
		return nil, false
	}
	return n.Content, true
}

// str decodes a scalar as text.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.fail(n, path, "want text, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.fail(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	return n.Value == "true", true
}

// number decodes a finite number written as a YAML integer or float.
func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	n = resolve(n)
	v, err := parseNumber(n)
	if err != nil {
		d.fail(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

// parseNumber converts a scalar node to a finite float64. Numbers are read
// as YAML 1.2 reads them: forms that YAML 1.1 (and so yaml.v3) reads
// otherwise, such as 0100 (octal there) or 1_000, are refused rather than
// silently read as another number, and so is a quoted number, even tagged
// !!float.
func parseNumber(n *yaml.Node) (float64, error) {
	if n.Kind == yaml.ScalarNode {
		switch tag := n.ShortTag(); {
		case (tag == "!!int" || tag == "!!float") && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
			return 0, fmt.Errorf("want a number, got the quoted text %q; write the number without quotes", n.Value)
		case tag == "!!int" || tag == "!!float":
			if problem := yaml11Number(n.Value); problem != "" {
				return 0, errors.New(problem)
			}
			var v float64
			if err := n.Decode(&v); err != nil {
				return 0, fmt.Errorf("want a number, got %s", n.Value)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("must be a finite number, got %s", n.Value)
			}
			return v, nil
		case tag == "!!str":
			// YAML resolves a plain number that overflows float64 (1e309) as
			// a string; say what is really wrong.
			if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) && n.Style == 0 {
				return 0, fmt.Errorf("number %s is out of range (float64 holds up to about 1.8e308)", n.Value)
			}
		}
	}
	return 0, fmt.Errorf("want a number, got %s", describe(n))
}

// yaml12Number matches the numbers YAML 1.2's core schema knows: decimal
// integers and floats, 0o octal and 0x hexadecimal integers, and the
// special values, which parseNumber refuses as not finite.
var yaml12Number = regexp.MustCompile(`^([-+]?(0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)

// yaml11Number says why a number that yaml.v3 accepts is refused: a form
// that YAML 1.1 reads otherwise than YAML 1.2 would, or that YAML 1.2 does
// not know. It returns "" for a YAML 1.2 number.
func yaml11Number(text string) string {
	digits := strings.TrimLeft(text, "+-")
	switch {
	case strings.Contains(text, "_"):
		return fmt.Sprintf("underscores in numbers are YAML 1.1 only (%s would be read as %s); write the number without them", text, strings.ReplaceAll(text, "_", ""))
	case len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' && !strings.ContainsAny(digits, ".eE"):
		return leadingZero(text, digits)
	case !yaml12Number.MatchString(text):
		return fmt.Sprintf("want a number as YAML 1.2 writes it (such as 100, 0.5 or 1e-4), got %s", text)
	}
	return ""
}

// leadingZero explains why a whole number with a leading zero is refused:
// YAML 1.1 reads it as octal if it can (0100 as 64), and YAML 1.2 does not
// know it.
func leadingZero(text, digits string) string {
	v, err := strconv.ParseInt(digits, 8, 64)
	if err != nil {
		return fmt.Sprintf("%s has a leading zero, which YAML 1.2 does not allow; write it without", text)
	}
	if strings.HasPrefix(text, "-") {
		v = -v
	}
	return fmt.Sprintf("a number with a leading zero is octal in YAML 1.1 (%s would be read as %d); write it without the leading zero, or as 0o%s for octal",
		text, v, strings.TrimLeft(digits, "0"))
}

// integer decodes a whole number in [lo, hi].
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int) (int, bool) {
	n = resolve(n)
	v, err := parseNumber(n)
	switch {
	case err != nil:
		d.fail(n, path, "%v", err)
	case v != math.Trunc(v):
		d.fail(n, path, "want a whole number, got %s", n.Value)
	case v < float64(lo) || v > float64(hi):
		d.fail(n, path, "must be between %s and %s, got %s", prose.Thousands(lo), prose.Thousands(hi), n.Value)
	default:
		return int(v), true
	}
	return 0, false
}
