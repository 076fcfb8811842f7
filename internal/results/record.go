package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// Method is the version of everything that makes a run's bytes from its
// inputs: the engine's arithmetic, the trace's format, the record's
// outcome, the tables and the pictures. Bump it with any change that would
// change a run's files or record for the same inputs, so that stored runs
// are computed again rather than reused (TestMethodCoversTheOutputs fails
// until it is bumped).
const Method = 3

// Record is what the store knows of a run: its inputs, how it ended, and
// the files of its folder. Its row of its experiment's records.csv holds
// all of it but the inputs, which the experiment's manifest and the run's
// identifier give (and the row's inputs_sha256 confirms).
type Record struct {
	// Run is the run's identifier: the experiment's name, followed for a
	// sweep by the values it sets (learning-rates/alpha=0.1).
	Run string
	// Swept are the values the run's identifier sets, in its order.
	Swept   []experiment.Setting
	Inputs  Inputs
	Outcome Outcome
	// Files are the run's files, in the order written, the trace first.
	Files []FileSum

	// inputsSum is Inputs.Hash(), once known: a stored run's is checked
	// against its record's, and need not be computed again for its row.
	inputsSum *[sha256.Size]byte
}

// inputsHash returns the SHA-256 of the record's inputs.
func (r *Record) inputsHash() [sha256.Size]byte {
	if r.inputsSum == nil {
		sum := r.Inputs.Hash()
		r.inputsSum = &sum
	}
	return *r.inputsSum
}

// Outcome is how a run ended.
type Outcome struct {
	Status     engine.Status
	Iterations int
	// Final holds the final parameters; those that do not train keep
	// their starting values.
	Final engine.Params
	SSR   float64
	// Checks holds one entry per pin of the inputs, in order.
	Checks []experiment.Check
}

// Held counts the checks that hold.
func (o *Outcome) Held() int {
	n := 0
	for _, c := range o.Checks {
		if c.Holds {
			n++
		}
	}
	return n
}

// FileSum is a file of a run's folder with its size and SHA-256.
type FileSum struct {
	Name   string
	Bytes  int64
	SHA256 [sha256.Size]byte
}

// Experiment returns the name of the run's experiment.
func (r *Record) Experiment() string {
	name, _, _ := strings.Cut(r.Run, "/")
	return name
}

// Network returns the network the run ended with.
func (r *Record) Network() engine.Network {
	n := r.Inputs.Start
	for _, p := range r.Inputs.Train.List() {
		n.Set(p, r.Outcome.Final.Get(p))
	}
	return n
}

// recordColumns are the columns of an experiment's records.csv, which
// depend on what its runs train, how many values they pin and which files
// their folders hold.
type recordColumns struct {
	train []engine.Param
	pins  int
	files []string
}

// columnsOf returns the columns of records of runs with these inputs and
// files.
func columnsOf(in *Inputs, files []string) recordColumns {
	return recordColumns{train: in.Train.List(), pins: len(in.Expected), files: files}
}

// header returns records.csv's header line.
func (c recordColumns) header() []byte {
	cols := []string{"run", "inputs_sha256", "status", "iterations"}
	for _, p := range c.train {
		cols = append(cols, p.String()+"_final")
	}
	cols = append(cols, "ssr_final")
	for i := range c.pins {
		cols = append(cols, "expected_"+strconv.Itoa(i+1))
	}
	for _, f := range c.files {
		stem := strings.TrimSuffix(f, fileExt(f))
		cols = append(cols, stem+"_bytes", stem+"_sha256")
	}
	return []byte(strings.Join(cols, ",") + "\n")
}

// fileExt returns a file name's extension, with its dot.
func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// appendRow appends a record's row of records.csv: numbers of the outcome
// in full (the shortest text that reads back as the same float64), so that
// the outcome can be checked against the trace exactly.
func (c recordColumns) appendRow(b []byte, rec *Record, sum [sha256.Size]byte) []byte {
	o := &rec.Outcome
	b = append(b, rec.Run...)
	b = append(b, ',')
	b = hex.AppendEncode(b, sum[:])
	b = append(b, ',')
	b = append(b, o.Status.String()...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(o.Iterations), 10)
	for _, p := range c.train {
		b = appendExact(append(b, ','), o.Final.Get(p))
	}
	b = appendExact(append(b, ','), o.SSR)
	for _, ch := range o.Checks {
		b = append(b, ',')
		if ch.Reached {
			b = appendExact(b, ch.Computed)
		}
	}
	for _, f := range rec.Files {
		b = append(b, ',')
		b = strconv.AppendInt(b, f.Bytes, 10)
		b = append(b, ',')
		b = hex.AppendEncode(b, f.SHA256[:])
	}
	return append(b, '\n')
}

// appendExact appends a result in full: the shortest text that reads back
// as the same number, NaN and infinities as NaN, +Inf and -Inf.
func appendExact(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// errRow is the error of a row of records.csv that is not one the runner
// writes.
var errRow = errors.New("not a record as the runner writes it")

// parseRow reads a row of records.csv (without its line end) of an
// experiment whose runs share the inputs shared, and set the fields swept
// (as folder keys): every cell as the runner writes it, and nothing else,
// so that a row edited by hand or merged wrongly is refused. It returns the
// record, with the run's inputs, and the SHA-256 of the inputs the row was
// computed with, which the caller compares with the record's inputs.
func (c recordColumns) parseRow(line []byte, experimentName string, shared *Inputs, swept []string) (*Record, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	cells := strings.Split(string(line), ",")
	if want := 5 + len(c.train) + c.pins + 2*len(c.files); len(cells) != want {
		return nil, sum, fmt.Errorf("%w: %d cells, want %d", errRow, len(cells), want)
	}
	settings, err := runSettings(cells[0], experimentName, swept)
	if err != nil {
		return nil, sum, fmt.Errorf("%w: run %q: %v", errRow, cells[0], err)
	}
	in := shared.WithSettings(settings)
	rec := &Record{Run: cells[0], Swept: settings, Inputs: in}
	if _, err := hex.Decode(sum[:], []byte(cells[1])); err != nil || len(cells[1]) != 2*sha256.Size {
		return nil, sum, fmt.Errorf("%w: inputs_sha256 %q", errRow, cells[1])
	}
	o := &rec.Outcome
	var ok bool
	if o.Status, ok = engine.ParseStatus(cells[2]); !ok {
		return nil, sum, fmt.Errorf("%w: status %q", errRow, cells[2])
	}
	if o.Iterations, err = strconv.Atoi(cells[3]); err != nil || o.Iterations < 1 {
		return nil, sum, fmt.Errorf("%w: iterations %q", errRow, cells[3])
	}
	o.Final = in.Start.Params
	next := 4
	for _, p := range c.train {
		v, err := strconv.ParseFloat(cells[next], 64)
		if err != nil {
			return nil, sum, fmt.Errorf("%w: %s_final %q", errRow, p, cells[next])
		}
		o.Final.Set(p, v)
		next++
	}
	if o.SSR, err = strconv.ParseFloat(cells[next], 64); err != nil {
		return nil, sum, fmt.Errorf("%w: ssr_final %q", errRow, cells[next])
	}
	next++
	for i := range c.pins {
		switch v, err := strconv.ParseFloat(cells[next], 64); {
		case cells[next] == "":
			o.Checks = append(o.Checks, experiment.Check{})
		case err == nil:
			o.Checks = append(o.Checks, in.Expected[i].Check(v, true))
		default:
			return nil, sum, fmt.Errorf("%w: expected_%d %q", errRow, i+1, cells[next])
		}
		next++
	}
	for _, name := range c.files {
		f := FileSum{Name: name}
		f.Bytes, err = strconv.ParseInt(cells[next], 10, 64)
		if _, herr := hex.Decode(f.SHA256[:], []byte(cells[next+1])); err != nil || herr != nil || f.Bytes < 0 || len(cells[next+1]) != 2*sha256.Size {
			return nil, sum, fmt.Errorf("%w: %s's size and SHA-256", errRow, name)
		}
		rec.Files = append(rec.Files, f)
		next += 2
	}
	if again := c.appendRow(nil, rec, sum); !bytes.Equal(again[:len(again)-1], line) {
		return nil, sum, fmt.Errorf("%w (it reads back otherwise)", errRow)
	}
	return rec, sum, nil
}

// runSettings returns the values that run id of an experiment that sweeps
// the fields swept sets: id must be the experiment's name, followed, if it
// sweeps, by a value of each swept field as run identifiers write them.
func runSettings(id, experimentName string, swept []string) ([]experiment.Setting, error) {
	name, rel, hasRel := strings.Cut(id, "/")
	switch {
	case name != experimentName:
		return nil, fmt.Errorf("run %q is not of experiment %q", id, experimentName)
	case !hasRel && len(swept) == 0:
		return nil, nil
	}
	settings, err := experiment.ParseSettings(rel)
	if err == nil && !slices.EqualFunc(settings, swept, func(s experiment.Setting, key string) bool { return experiment.FolderKey(s.Field) == key }) {
		err = fmt.Errorf("run %q does not set the fields the experiment sweeps (%s)", id, strings.Join(swept, ", "))
	}
	return settings, err
}
