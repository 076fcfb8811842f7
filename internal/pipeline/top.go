package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// top settles the stored experiments that are not in the batch (pruning
// those that no longer exist, if asked), then rebuilds the results
// folder's summary and index from every experiment's records, unless
// nothing they are made of changed.
func (b *batchRun) top(ctx context.Context) error {
	names := map[string]bool{}
	for _, e := range b.exps {
		names[e.Name] = true
	}
	for _, name := range b.store.Experiments() {
		if names[name] {
			continue
		}
		if _, err := results.ReadManifest(b.store.View(), name); errors.Is(err, fs.ErrNotExist) {
			b.notify([]string{fmt.Sprintf("%s: its folder is gone; left out of the results folder's manifest and summaries (run its experiment to write it again)", b.store.Path(name))})
			b.changed = true
			continue
		}
		if b.store.Unfinished(name) {
			b.report.Unfinished = append(b.report.Unfinished, name)
		}
		if !b.gone(name) {
			names[name] = true // not run, but it exists: left as it is
			continue
		}
		if !b.o.Prune {
			b.report.StaleExperiments = append(b.report.StaleExperiments, name)
			names[name] = true
			continue
		}
		kept, err := b.store.RemoveExperiment(name)
		if err != nil {
			return err
		}
		b.changed = true
		b.report.Removed = append(b.report.Removed, name)
		b.report.Kept = append(b.report.Kept, kept...)
	}
	sorted := slices.Sorted(func(yield func(string) bool) {
		for name := range names {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range b.store.Foreign(sorted) {
		if !slices.Contains(b.report.Removed, name) { // pruned, and left with what the runner did not write
			b.report.Foreign = append(b.report.Foreign, name)
		}
	}
	if !b.changed && b.store.TopUnchanged(sorted) {
		return nil
	}
	return b.rebuildTop(ctx, sorted)
}

// gone reports whether a stored experiment no longer exists: the
// experiment file its manifest names is not there, or holds no experiment
// of its name. An experiment whose file cannot be read or is not valid is
// not gone: its folder is kept until the file is fixed or removed.
func (b *batchRun) gone(name string) bool {
	m, err := results.ReadManifest(b.store.View(), name)
	if err != nil || m.File == "" {
		return false
	}
	file := b.store.ExperimentFilePath(m.File)
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return true
	}
	exps, err := experiment.Load([]string{file})
	if err != nil {
		return false
	}
	return !slices.ContainsFunc(exps, func(e *experiment.Experiment) bool { return e.Name == name })
}

// rebuildTop writes the results folder's summary.csv, summary.md and
// README.md from the records of the experiments named, in name order.
func (b *batchRun) rebuildTop(ctx context.Context, names []string) error {
	view := b.store.View()
	top, err := b.store.OpenTop(names)
	if err != nil {
		return err
	}
	pending, err := top.Create(results.SummaryFile)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(pending, 64<<10)
	summary, err := results.NewSummaryWriter(buf)
	if err != nil {
		pending.Abort()
		return err
	}
	table := ends.New[results.Record](render.MaxSummaryMarkdownRows/2, nil)
	manifests := map[string]*results.ExperimentManifest{}
	var index []render.IndexExperiment
	for _, name := range names {
		if ctx.Err() != nil {
			pending.Abort()
			return b.interrupted()
		}
		m, err := results.ReadManifest(view, name)
		if err != nil {
			pending.Abort()
			return fmt.Errorf("reading %s: %w", b.store.Path(name), err)
		}
		manifests[name] = m
		runs := ends.New[results.Record](render.MaxIndexRuns/2, nil)
		err = results.ReadRecords(view, m, func(rec *results.Record) error {
			table.Add(rec)
			runs.Add(rec)
			return summary.Write(rec)
		})
		if err != nil {
			pending.Abort()
			return fmt.Errorf("reading %s: %w", b.store.Path(name), err)
		}
		index = append(index, render.IndexExperiment{Manifest: m, Runs: runs})
	}
	if err := errors.Join(summary.Flush(), buf.Flush()); err != nil {
		pending.Abort()
		return err
	}
	if err := pending.Commit(); err != nil {
		return err
	}
	var md, readme bytes.Buffer
	link := func(r *results.Record) string { return render.RunLink(manifests[r.Experiment()], r) }
	if err := render.SummaryMarkdown(&md, table, link); err != nil {
		return err
	}
	if err := render.Index(&readme, index); err != nil {
		return err
	}
	if err := top.Put(results.SummaryMarkdownFile, md.Bytes()); err != nil {
		return err
	}
	if err := top.Put(results.IndexFile, readme.Bytes()); err != nil {
		return err
	}
	return top.Close()
}
