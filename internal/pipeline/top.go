package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"

	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// topFiles are the files of the results folder itself.
var topFiles = []string{results.IndexFile, results.SummaryFile, results.SummaryMarkdownFile}

// top finds the stale runs and experiments (and prunes them if asked),
// then rebuilds the results folder's summary and index from every
// experiment folder there.
func (b *batchRun) top(ctx context.Context) error {
	view := b.store.View()
	stored, err := results.ReadExperiments(view)
	if err != nil {
		return fmt.Errorf("reading %s: %w", b.o.Out, err)
	}
	names := map[string]bool{}
	for _, e := range b.exps {
		names[e.Name] = true
	}
	for _, s := range stored {
		if names[s.Name] {
			continue
		}
		if !b.o.Prune {
			b.report.StaleExperiments = append(b.report.StaleExperiments, s.Name)
			names[s.Name] = true
			if b.store.Unfinished(s.Name) {
				b.report.Unfinished = append(b.report.Unfinished, s.Name)
			}
			continue
		}
		kept, err := b.store.RemoveExperiment(s.Name, s.Manifest)
		if err != nil {
			return err
		}
		b.report.Removed = append(b.report.Removed, s.Name)
		b.report.Kept = append(b.report.Kept, kept...)
	}
	return b.rebuildTop(ctx, slices.Sorted(func(yield func(string) bool) {
		for name := range names {
			if !yield(name) {
				return
			}
		}
	}))
}

// rebuildTop writes the results folder's summary.csv, summary.md and
// README.md from the summaries of the experiments named, in name order.
func (b *batchRun) rebuildTop(ctx context.Context, names []string) error {
	view := b.store.View()
	var old []string
	if data, err := fs.ReadFile(view, results.ManifestFile); err == nil {
		if m, err := results.ParseFolderManifest(data); err == nil {
			old = m.Files
		}
	}
	folder, err := b.store.OpenFolder("", old, topFiles, func(files []string) []byte {
		m := results.FolderManifest{Layout: results.Layout, Files: files}
		return m.Render()
	})
	if err != nil {
		return err
	}
	pending, err := folder.Create(results.SummaryFile)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(pending, 64<<10)
	summary, err := results.NewSummaryWriter(buf)
	if err != nil {
		pending.Abort()
		return err
	}
	table := render.NewRows(render.MaxSummaryMarkdownRows)
	manifests := map[string]*results.ExperimentManifest{}
	var index []render.IndexExperiment
	for _, name := range names {
		if ctx.Err() != nil {
			pending.Abort()
			return ctx.Err()
		}
		m, err := results.ReadManifest(view, name)
		if err != nil {
			pending.Abort()
			return fmt.Errorf("reading %s: %w", b.store.Path(name), err)
		}
		manifests[name] = m
		runs := render.NewRows(render.MaxIndexRuns)
		err = eachRow(view, path.Join(name, results.SummaryFile), func(row *results.Row) error {
			table.Add(row)
			runs.Add(row)
			return summary.Write(row)
		})
		if err != nil {
			pending.Abort()
			return fmt.Errorf("reading %s: %w", b.store.Path(path.Join(name, results.SummaryFile)), err)
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
	link := func(r *results.Row) string { return render.RunLink(manifests[r[results.ColExperiment]], r) }
	if err := render.SummaryMarkdown(&md, table, link); err != nil {
		return err
	}
	if err := render.Index(&readme, index); err != nil {
		return err
	}
	if err := folder.Put(results.SummaryMarkdownFile, md.Bytes()); err != nil {
		return err
	}
	if err := folder.Put(results.IndexFile, readme.Bytes()); err != nil {
		return err
	}
	return folder.Close()
}

// eachRow calls f with each row of a stored summary.
func eachRow(fsys fs.FS, name string, f func(*results.Row) error) error {
	file, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	r, err := results.NewSummaryReader(bufio.NewReaderSize(file, 64<<10))
	if err != nil {
		return err
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(&row); err != nil {
			return err
		}
	}
}
