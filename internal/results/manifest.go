package results

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FolderManifest is the manifest of a results folder: it marks the folder
// as the runner's, and lists the files the runner wrote at its top.
type FolderManifest struct {
	Layout int
	Files  []string
}

// ExperimentManifest is the manifest of an experiment's folder: the
// experiment it holds, and the files the runner wrote in the folder
// besides its runs (whose records list theirs).
type ExperimentManifest struct {
	Experiment  string
	Description string
	// Files are the experiment's own files: its summary and picture.
	Files []string
	// RunFiles are the files of each of its runs' folders.
	RunFiles []string
	// StaleRuns are runs of earlier versions of the experiment, which no
	// run of it makes any more, kept until pruned.
	StaleRuns []string
}

const folderComment = `# The runner's manifest of this results folder: it marks the folder as one
# the runner writes, and lists the files the runner wrote here. The runner
# removes or replaces only the files that its manifests and run records
# list. Written by the runner; do not edit.
`

const experimentComment = `# The runner's manifest of this experiment's folder: the files the runner
# wrote here besides its runs, which each list their own in run.yaml.
# Written by the runner; do not edit.
`

// Render returns the manifest as manifest.yaml holds it.
func (m *FolderManifest) Render() []byte {
	return fmt.Appendf([]byte(folderComment), "layout: %d\nfiles: [%s]\n", m.Layout, strings.Join(m.Files, ", "))
}

// Render returns the manifest as manifest.yaml holds it.
func (m *ExperimentManifest) Render() []byte {
	b := fmt.Appendf([]byte(experimentComment), "experiment: %s\ndescription: %s\nfiles: [%s]\nrun_files: [%s]\nstale_runs:",
		strconv.Quote(m.Experiment), strconv.Quote(m.Description), strings.Join(m.Files, ", "), strings.Join(m.RunFiles, ", "))
	if len(m.StaleRuns) == 0 {
		return append(b, " []\n"...)
	}
	for _, id := range m.StaleRuns {
		b = fmt.Appendf(b, "\n  - %s", strconv.Quote(id))
	}
	return append(b, '\n')
}

// ParseFolderManifest reads a results folder's manifest.
func ParseFolderManifest(data []byte) (*FolderManifest, error) {
	var y struct {
		Layout int      `yaml:"layout"`
		Files  []string `yaml:"files"`
	}
	if err := decodeStrict(data, &y); err != nil {
		return nil, err
	}
	m := &FolderManifest{Layout: y.Layout, Files: y.Files}
	if m.Layout != Layout {
		return nil, fmt.Errorf("a results folder of layout %d; this runner writes layout %d", m.Layout, Layout)
	}
	return m, checkRendered(m.Render(), data)
}

// ParseExperimentManifest reads an experiment folder's manifest.
func ParseExperimentManifest(data []byte) (*ExperimentManifest, error) {
	var y struct {
		Experiment  string   `yaml:"experiment"`
		Description string   `yaml:"description"`
		Files       []string `yaml:"files"`
		RunFiles    []string `yaml:"run_files"`
		StaleRuns   []string `yaml:"stale_runs"`
	}
	if err := decodeStrict(data, &y); err != nil {
		return nil, err
	}
	m := &ExperimentManifest{Experiment: y.Experiment, Description: y.Description, Files: y.Files, RunFiles: y.RunFiles, StaleRuns: y.StaleRuns}
	return m, checkRendered(m.Render(), data)
}

// HasSweep reports whether the experiment has a sweep picture.
func (m *ExperimentManifest) HasSweep() bool {
	return slices.Contains(m.Files, SweepFile)
}

// decodeStrict decodes YAML, refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a manifest of this version of the runner (%v)", err)
	}
	return nil
}

// checkRendered refuses a file that is not as the runner writes it.
func checkRendered(want, got []byte) error {
	if !bytes.Equal(want, got) {
		return fmt.Errorf("not as the runner writes it: edited by hand, or written by another version")
	}
	return nil
}
