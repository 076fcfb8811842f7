// Package results is the runner's results store: the layout of a results
// folder, every file and folder name in it, and all reading and writing of
// it.
//
// A results folder holds a folder per experiment, named after it, and
// three files rebuilt from every experiment folder present: summary.csv,
// summary.md and README.md. An experiment's folder holds its manifest
// (manifest.yaml: which of its files the runner wrote), its summary.csv
// (one row per run), a sweep's sweep.svg, and its runs: the folder itself
// for a single run, or a folder per run named by the values the run sets
// (alpha=0.05/b3_initial=1). A run's folder holds its trace (trace.csv),
// its record (run.yaml: what it was run with, how it ended, and its files
// with their SHA-256), and for experiments of few runs its tables and
// pictures. A private folder, .runner/, holds the writers' lock and
// temporary files; it is never committed.
//
// The store writes so that readers never see half a file or half a run:
// files are written to temporary files in .runner/tmp and renamed into
// place; a new run's folder is renamed into place whole; a changed run's
// folder is swapped with its replacement in one rename where the file
// system allows (renameat2 RENAME_EXCHANGE), and otherwise has its record
// removed first and put back last, so that a run without a record is
// known to be unfinished. A file whose content does not change is not
// touched. The store deletes or replaces only files it wrote, as its
// manifests and records list them, never a file by its name alone; an
// exclusive lock on .runner/lock keeps a second writer out.
//
// Whether a run must be computed again is decided by its record: a run
// whose recorded inputs and method version are those of the run to do,
// and whose files are all present with their recorded sizes and SHA-256,
// is reused as it is.
package results
