// Package search finds a value of an experiment's field by running probes
// of it, rather than a sweep of values written by hand: the stability
// edge, the boundary between values that converge and values that do not
// (Edge); the value that converges fastest (Fastest); and a learning-rate
// range test, one run whose α grows geometrically, as Smith (2017) and
// fastai's lr_find have it (LRRange, RangeTest).
//
// The package is pure: it takes the outcomes of runs and returns values to
// run, and never runs, reads or writes anything itself. A Spec says what
// to find and where; Spec.Start returns a Search, whose Next proposes a
// round of values, whose Record takes their probes (Probe: how each run
// ended, after how many iterations, how fast its steps shrank), and whose
// Answer says what it found. The values proposed are a pure function of
// the spec and of the outcomes of the rounds before, in the order
// proposed: never of the order in which a round's runs finished, of timing
// or of the number of workers. So the same file gives the same probes on
// any machine, an unchanged rerun reruns nothing, and a search interrupted
// resumes from the rounds recorded (Spec.Start replays them).
//
// Values are rounded to Digits significant digits, as sweep ranges are,
// and computed with engine's portable exp and log, so that proposals are
// the same bits on every architecture.
//
// # Runs
//
// Spec.Needed says how many runs a search takes at most, for a budget
// check before anything runs. Wider rounds take more runs and fewer
// rounds: on the article's problem (b3 alone from 0, tolerance 0.001, 1000
// iterations), searching α from 0.001 to 1 on a log scale,
//
//	width  edge to 1e-6           fastest to 1e-3
//	       needed  runs  rounds   needed  runs  rounds
//	    1      25    25      24       22    22      20
//	    2      32    32      16       30    30      14
//	    3      38    38      13       41    35      11
//	    4      42    42      11       38    38       9
//	    8      66    66       9       50    50       6
//	   16      98    98       7       82    82       5
//
// (TestRunsPerWidth checks this table against Needed and against the
// searches run.)
package search
