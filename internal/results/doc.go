// Package results is the runner's results store: the layout of a results
// folder, every file and folder name in it, and all reading and writing of
// it. No other package names a file of a results folder.
//
// # Layout
//
// A results folder (layout 3) holds a folder per experiment, named after
// it, and files rebuilt from every experiment folder present: summary.csv,
// summary.md, README.md, and manifest.yaml, which marks the folder as the
// runner's and lists its experiments. An experiment's folder holds its
// manifest (manifest.yaml: what its runs share, which fields each run's
// folder sets, the files the runner wrote there and in each run's folder,
// and its stale runs), its records (records.csv: a row per run with the
// SHA-256 of its inputs, its outcome in full, and the size and SHA-256 of
// each of its files), its summary.csv, the pictures of all its runs
// (curves.svg, sweep.svg, grid.svg), a search's search.csv or a range
// test's lr-range files, and its runs: the folder itself for a single
// run, or a folder per run named by the values the run sets
// (alpha=0.05/b3_initial=1). A run's folder holds its trace (trace.csv)
// and, in experiments of few runs, its tables and pictures. A private
// folder, .runner/, holds the writers' lock, temporary files, the
// journals of batches not yet finished and the stat caches; it is never
// committed.
//
// # Results are input
//
// A results folder comes back through git, merges and other people's
// changes, so nothing in it is believed for being there:
//   - every name a manifest or a record lists is checked against the
//     runner's own (a valid experiment name, one of the files the runner
//     writes, a run under its experiment named by swept fields), and every
//     path is opened through a FileSystem that resolves it one folder at a
//     time without following links (OpenFolder), so that nothing outside
//     the folder is read, written or removed, and only regular files are
//     read;
//   - a run is reused only if its record is canonical, of the inputs of
//     the run to do, lists exactly the files the batch writes, each of
//     them of its recorded size and SHA-256, and its outcome is what its
//     trace shows (verify.go); runner run computes anything else again,
//     runner run --check and runner diff report it;
//   - summaries, indexes and pictures of every run are rebuilt from the
//     records and traces, never read back as truth;
//   - the stat cache in .runner/cache is believed only on the file system
//     it was made on, and only for files that stat as they did when it was
//     written and were not modified in the same clock tick (cache.go).
//
// # Writing
//
// The store writes so that readers never see half a file or half a run:
// files are written to temporary files in .runner/tmp and renamed into
// place; a new run's folder is renamed into place whole; a changed run's
// folder is swapped with its replacement in one rename where the file
// system allows (renameat2 RENAME_EXCHANGE), and otherwise replaced file
// by file, its record rewritten last. A file whose content does not change
// is not touched. As runs finish, their records are appended to a journal
// in .runner/journal, which the next batch reads, so that a batch
// interrupted, killed or split into shards resumes at the cost of what is
// left; records.csv is written once the experiment's runs are all there.
// Nothing is synced to disk: what a crash leaves half written does not
// match its record, and is computed again. The store deletes or replaces
// only files it wrote, as its manifests list them, never a file by its
// name alone; a lock on .runner/lock keeps a second writer out, and lets
// the shards of one batch write together.
package results
