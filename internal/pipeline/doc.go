// Package pipeline is the runner's work between the command line and the
// packages that do it: it plans the runs of a set of experiments, checks
// their limits before anything runs, decides which runs are stored
// already and which must be computed, runs those on a pool of workers,
// writes each run's folder through the results store as it finishes,
// draws the pictures of every run of each experiment from the stored
// traces, and rebuilds the summaries from what the runs recorded. A
// search (internal/search) runs in rounds, each a batch of runs chosen
// from the outcomes of the last, through the same store.
//
// Data flows one way: experiment files → experiment.Experiment →
// experiment.Run → engine.Descend (in batch.Run) → results.Record and the
// run's files → each experiment's records, summary and pictures → the
// results folder's summary and index.
package pipeline
