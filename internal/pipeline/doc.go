// Package pipeline is the runner's work between the command line and the
// packages that do it: it plans the runs of a set of experiments, checks
// their limits before anything runs, decides which runs are stored
// already and which must be computed, runs those on a pool of workers,
// writes each run's folder through the results store as it finishes, and
// rebuilds the summaries from what the runs recorded.
//
// Data flows one way: experiment files → experiment.Experiment →
// experiment.Run → engine.Descend (in batch.Run) → results.Record and the
// run's files → each experiment's summary → the results folder's summary
// and index.
package pipeline
