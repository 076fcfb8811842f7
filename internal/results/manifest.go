package results

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/experiment"
)

// FolderManifest is the manifest of a results folder: it marks the folder
// as the runner's, and lists the files the runner wrote at its top and
// the folders of the experiments it holds. A folder it does not list is
// not the runner's, and is left alone.
type FolderManifest struct {
	Layout      int
	Files       []string
	Experiments []string
}

// ExperimentManifest is the manifest of an experiment's folder: the
// experiment it holds, the inputs its runs share, and the files the
// runner wrote in the folder and in its runs' folders.
type ExperimentManifest struct {
	Experiment  string
	Description string
	// File is the experiment file that declares it, relative to the
	// folder that holds the results folder, so that --prune can tell an
	// experiment that no longer exists from one not run.
	File string
	// Overrides are the --set and --sweep values it was run with, in the
	// order given.
	Overrides []string
	// Runner is the version of the runner that wrote it.
	Runner string
	// Inputs are the inputs its runs share; Swept the fields (as folder
	// keys: alpha, b3_initial) whose values each run's identifier sets,
	// in the identifier's order.
	Inputs Inputs
	Swept  []string
	// Files are the experiment's own files: its records, summary and
	// pictures.
	Files []string
	// RunFiles are the files of each of its runs' folders, its trace first.
	RunFiles []string
	// StaleRuns are runs of earlier versions of the experiment, which no
	// run of it makes any more, kept until pruned.
	StaleRuns []string
	// StaleFiles are, when StaleRuns holds the experiment itself (the
	// single run it was before it became a sweep), the files of that run
	// in the experiment's folder: those the runner wrote, and removes.
	StaleFiles []string
}

const folderComment = `# The runner's manifest of this results folder: it marks the folder as one
# the runner writes, and lists the files the runner wrote here and the
# experiments' folders. The runner removes or replaces only the files that
# its manifests list. Written by the runner; do not edit.
`

const experimentComment = `# The runner's manifest of this experiment: what its runs share (inputs),
# which fields each run's folder sets (swept), and the files the runner
# wrote here and in each run's folder; records.csv has each run's outcome
# and files. Written by the runner; do not edit.
`

// Render returns the manifest as manifest.yaml holds it.
func (m *FolderManifest) Render() []byte {
	return fmt.Appendf([]byte(folderComment), "layout: %d\nfiles: [%s]\nexperiments: [%s]\n",
		m.Layout, strings.Join(m.Files, ", "), strings.Join(m.Experiments, ", "))
}

// Render returns the manifest as manifest.yaml holds it.
func (m *ExperimentManifest) Render() []byte {
	var b bytes.Buffer
	b.WriteString(experimentComment)
	fmt.Fprintf(&b, "experiment: %s\ndescription: %s\nfile: %s\noverrides: [%s]\nmethod: %d\nrunner: %s\n",
		strconv.Quote(m.Experiment), strconv.Quote(m.Description), strconv.Quote(m.File), quoted(m.Overrides), Method, strconv.Quote(m.Runner))
	m.Inputs.render(&b, m.Swept)
	fmt.Fprintf(&b, "swept: [%s]\nfiles: [%s]\nrun_files: [%s]\nstale_runs:",
		strings.Join(m.Swept, ", "), strings.Join(m.Files, ", "), strings.Join(m.RunFiles, ", "))
	if len(m.StaleRuns) == 0 {
		b.WriteString(" []\n")
		return b.Bytes()
	}
	for _, id := range m.StaleRuns {
		fmt.Fprintf(&b, "\n  - %s", strconv.Quote(id))
	}
	b.WriteByte('\n')
	if len(m.StaleFiles) > 0 {
		fmt.Fprintf(&b, "stale_files: [%s]\n", strings.Join(m.StaleFiles, ", "))
	}
	return b.Bytes()
}

// quoted writes strings as a YAML flow list's items, quoted.
func quoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// LayoutError is the error of a results folder of another layout than
// this runner's.
type LayoutError struct {
	Found int
}

func (e *LayoutError) Error() string {
	if e.Found < Layout {
		return fmt.Sprintf("a results folder of layout %d, which an earlier runner wrote; this runner reads and writes layout %d: remove the folder and run again to write it anew (the same runs give the same numbers), or write the results to another folder", e.Found, Layout)
	}
	return fmt.Sprintf("a results folder of layout %d, which a later runner wrote; this runner reads and writes layout %d: update the runner, or write the results to another folder", e.Found, Layout)
}

// ParseFolderManifest reads a results folder's manifest, and checks every
// name it lists.
func ParseFolderManifest(data []byte) (*FolderManifest, error) {
	var y struct {
		Layout      int      `yaml:"layout"`
		Files       []string `yaml:"files"`
		Experiments []string `yaml:"experiments"`
	}
	if err := decodeStrict(data, &y); err != nil {
		return nil, err
	}
	m := &FolderManifest{Layout: y.Layout, Files: y.Files, Experiments: y.Experiments}
	if m.Layout != Layout && m.Layout != 0 {
		return nil, &LayoutError{Found: m.Layout}
	}
	if err := checkRendered(m.Render(), data); err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		if !slices.Contains(topFiles, f) {
			return nil, &NameError{fmt.Sprintf("lists %q, which is not a file of the runner's", f)}
		}
	}
	for _, e := range m.Experiments {
		if !experiment.ValidName(e) {
			return nil, &NameError{fmt.Sprintf("lists the experiment %q, which is not a valid experiment name", e)}
		}
	}
	return m, nil
}

// NameError is the error of a manifest that lists a name the runner does
// not write: not a manifest cut short, but one edited.
type NameError struct {
	msg string
}

func (e *NameError) Error() string { return e.msg }

// ParseExperimentManifest reads an experiment folder's manifest, and
// checks every name it lists.
func ParseExperimentManifest(data []byte) (*ExperimentManifest, error) {
	var y struct {
		Experiment  string     `yaml:"experiment"`
		Description string     `yaml:"description"`
		File        string     `yaml:"file"`
		Overrides   []string   `yaml:"overrides"`
		Method      int        `yaml:"method"`
		Runner      string     `yaml:"runner"`
		Inputs      inputsYAML `yaml:"inputs"`
		Swept       []string   `yaml:"swept"`
		Files       []string   `yaml:"files"`
		RunFiles    []string   `yaml:"run_files"`
		StaleRuns   []string   `yaml:"stale_runs"`
		StaleFiles  []string   `yaml:"stale_files"`
	}
	if err := decodeStrict(data, &y); err != nil {
		return nil, err
	}
	if y.Method != Method {
		return nil, fmt.Errorf("written by a runner of method %d, not this one's %d; it is written again, and runs whose records are of another method are computed again", y.Method, Method)
	}
	in, err := y.Inputs.inputs()
	if err != nil {
		return nil, fmt.Errorf("not a manifest of this version of the runner (%v)", err)
	}
	m := &ExperimentManifest{Experiment: y.Experiment, Description: y.Description, File: y.File, Overrides: y.Overrides,
		Runner: y.Runner, Inputs: in, Swept: y.Swept, Files: y.Files, RunFiles: y.RunFiles, StaleRuns: y.StaleRuns, StaleFiles: y.StaleFiles}
	if err := checkRendered(m.Render(), data); err != nil {
		return nil, err
	}
	return m, m.checkNames()
}

// checkNames refuses a manifest whose names are not the runner's: an
// invalid experiment name, a file the runner does not write, a swept
// field it does not know, a stale run outside the experiment.
func (m *ExperimentManifest) checkNames() error {
	if !experiment.ValidName(m.Experiment) {
		return fmt.Errorf("names the experiment %q, which is not a valid experiment name", m.Experiment)
	}
	for _, f := range m.Files {
		if !slices.Contains(experimentFiles, f) {
			return fmt.Errorf("lists %q, which is not a file of an experiment's", f)
		}
	}
	for _, f := range m.RunFiles {
		if !slices.Contains(runFiles, f) {
			return fmt.Errorf("lists %q, which is not a file of a run's", f)
		}
	}
	if len(m.RunFiles) == 0 || m.RunFiles[0] != TraceFile {
		return fmt.Errorf("lists the files of runs without %s first", TraceFile)
	}
	for _, key := range m.Swept {
		if _, ok := experiment.FieldOfKey(key); !ok {
			return fmt.Errorf("sweeps %q, which is not a field", key)
		}
	}
	for _, f := range m.StaleFiles {
		if !slices.Contains(runFiles, f) || !slices.Contains(m.StaleRuns, m.Experiment) {
			return &NameError{fmt.Sprintf("lists the stale file %q, which is not a file of the single run the experiment was", f)}
		}
	}
	for _, id := range m.StaleRuns {
		if id == m.Experiment && len(m.Swept) > 0 {
			continue // the single run it was before it became a sweep
		}
		rel, ok := strings.CutPrefix(id, m.Experiment+"/")
		if _, err := experiment.ParseSettings(rel); !ok || err != nil {
			return fmt.Errorf("lists the stale run %q, which is not a run of the experiment", id)
		}
	}
	if m.File != "" && (path.Clean(m.File) != m.File || path.IsAbs(m.File) || !strings.HasSuffix(m.File, ".yaml") && !strings.HasSuffix(m.File, ".yml")) {
		return fmt.Errorf("names %q as its experiment file, which is not a relative path to a .yaml or .yml file", m.File)
	}
	return nil
}

// HasFile reports whether the experiment's folder holds one of its own
// files.
func (m *ExperimentManifest) HasFile(name string) bool {
	return slices.Contains(m.Files, name)
}

// decodeStrict decodes YAML, refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("empty: a write that did not finish, or a file emptied by hand")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a manifest of this version of the runner (%s)", yamlProblem(err))
	}
	return nil
}

// yamlProblem words a YAML error without the Go types that yaml.v3 names
// in some of them.
func yamlProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, " in type "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, " into "); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return strings.TrimPrefix(msg, "unmarshal errors:; ")
}

// checkRendered refuses a file that is not as the runner writes it.
func checkRendered(want, got []byte) error {
	if !bytes.Equal(want, got) {
		return fmt.Errorf("not as the runner writes it: edited by hand, merged, or written by another version")
	}
	return nil
}

// OverridesError is a results folder that a try may not be written to
// (CheckTry): it holds one of the try's experiments run with other
// overrides, or with none, which the try's results would replace; or
// another experiment run as its file declares it, beside which the try's
// results would be taken for results of the files.
type OverridesError struct {
	// Dir is the results folder as the user named it, and Experiment the
	// experiment's name.
	Dir, Experiment string
	// Stored are the overrides its manifest records; Given those tried;
	// both in their canonical form (experiment.Override.String).
	Stored, Given []string
	// Beside is set when the experiment is not one of the try's: it is
	// run as its file declares it, and a try does not go beside it.
	Beside bool
	// Unreadable is why the experiment's manifest cannot be read, if it
	// cannot: it may be of the experiment as its file declares it.
	Unreadable error
}

func (e *OverridesError) Error() string {
	if e.Unreadable != nil {
		return fmt.Sprintf("%s holds the experiment %s, whose manifest cannot be read (%v), so it may be run as its file declares it; run its file as it is first, which writes the manifest again",
			e.Dir, e.Experiment, e.Unreadable)
	}
	if e.Beside {
		return fmt.Sprintf("%s holds the experiment %s run as its file declares it, and a try (%s) does not go beside it",
			e.Dir, e.Experiment, overrideList(e.Given))
	}
	return fmt.Sprintf("%s holds the experiment %s with other overrides (%s, not %s)",
		e.Dir, e.Experiment, overrideList(e.Stored), overrideList(e.Given))
}

// overrideList writes overrides for a message: "none", or "set alpha=0.2,
// sweep b3=0,1".
func overrideList(overrides []string) string {
	if len(overrides) == 0 {
		return "none"
	}
	return strings.Join(overrides, ", ")
}

// overridesError returns an *OverridesError if values are tried (given
// holds overrides) and the experiment's manifest m, of the results folder
// dir, records others, or none; otherwise nil.
func overridesError(dir string, m *ExperimentManifest, given []string) *OverridesError {
	if len(given) == 0 || m == nil || slices.Equal(m.Overrides, given) {
		return nil
	}
	return &OverridesError{Dir: dir, Experiment: m.Experiment, Stored: m.Overrides, Given: given}
}

// CheckTry refuses, for a try of the experiments named whose values are
// given (overrides, in their canonical form), the results folder fsys,
// named dir in messages, if it holds one of them run with other overrides
// or with none, or any experiment run with none: a try is written to a
// folder of tries, so that it replaces no other try and runner run
// --check of results as the files declare them never meets one. An
// experiment whose manifest cannot be read may be one run as its file
// declares it, and is refused too; a folder that is not a results folder
// is left for the store to judge as it opens it.
func CheckTry(fsys fs.FS, dir string, names, overrides []string) error {
	if len(overrides) == 0 {
		return nil
	}
	top, err := ReadFolder(fsys)
	if err != nil {
		return nil
	}
	for _, name := range top.Experiments {
		m, err := ReadManifest(fsys, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // its folder is gone
		case err != nil:
			return &OverridesError{Dir: dir, Experiment: name, Given: overrides, Unreadable: err}
		case len(m.Overrides) > 0 && !slices.Contains(names, name):
			continue // another experiment's try
		}
		if e := overridesError(dir, m, overrides); e != nil {
			e.Beside = !slices.Contains(names, name)
			return e
		}
	}
	return nil
}
