package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/descentlab/runner/internal/compare"
	"github.com/descentlab/runner/internal/gitfs"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const diffUsage = `Usage: runner diff [flags] [OLD [NEW]]

Compare results run by run: the runs added and removed, and for each run
changed, its inputs that changed (data, starting values, α, tolerance, …,
compared exactly) apart from its outcomes that changed (status,
iterations, final values, SSR, within the tolerance), and its files
themselves, not their records' claims: its trace (rows, the first cell
that differs, the largest absolute and relative differences) and its
other files; a file that does not match its own record is named as
damaged. Unchanged runs are counted, and listed with --all. --plots DIR
draws each changed experiment's pictures with the old and the new
overlaid.

  runner diff              the results folder at HEAD against the work tree
  runner diff REV          at a git revision against the work tree
  runner diff REV1 REV2    at two revisions
  runner diff DIR1 DIR2    two folders (any mix of folders and revisions)

An argument that is an existing folder is a folder; anything else is a git
revision (a branch, a tag, HEAD~1, a commit), at which the results folder
(-o) is read straight from git's objects: nothing is checked out, and the
index and the work tree are not touched. An argument that is both is
refused. Numbers a and b count as equal when |a - b| <= A + R·max(|a|, |b|);
infinities equal only themselves. A run's other files (tables,
pictures) compare byte for byte; with a tolerance, those of a run whose
outcome and trace are the same within it are not listed (results within
the tolerance show in them too), unless its traces are the same bytes.

Exit status: 0 no differences, 1 differences, 2 trouble (not a git
repository, an unknown revision, no results folder at a revision, a file
that cannot be read), 3 the report could not be written whole, 130
interrupted.
`

// diffCommand is runner diff.
func diffCommand(ctx context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("diff", diffUsage)
	out := fs.String("o", DefaultResults, "the results folder `DIR`, in the work tree and at revisions")
	rtol := fs.Float64("rtol", 0, "relative tolerance `R` (default 0: numbers must be equal)")
	atol := fs.Float64("atol", 0, "absolute tolerance `A` (default 0)")
	md := fs.Bool("md", false, "write GitHub-flavoured Markdown, for a pull request")
	asJSON := fs.Bool("json", false, "write JSON, for scripts")
	all := fs.Bool("all", false, "list the unchanged runs too")
	plotsDir := fs.String("plots", "", "draw the pictures of each changed experiment, old and new overlaid, into the new or empty folder `DIR` (linked from --md)")
	var terminal terminalFlags
	terminal.add(fs)
	args, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	switch {
	case len(args) > 2:
		return usagef("diff takes at most two results, OLD and NEW; got %d", len(args))
	case !(*rtol >= 0) || math.IsInf(*rtol, 0) || !(*atol >= 0) || math.IsInf(*atol, 0):
		return usagef("-rtol and -atol must be finite and >= 0")
	case *md && *asJSON:
		return usagef("-md and -json contradict each other; give one")
	}
	sides := []string{"HEAD", ""}
	copy(sides, args)
	r := &resolver{out: *out}
	defer r.close()
	var sources [2]compare.Source
	for i, arg := range sides {
		if sources[i], err = r.source(arg); err != nil {
			return troubleError{err}
		}
	}
	report, err := compare.Folders(ctx, sources[0], sources[1], compare.Tolerance{Abs: *atol, Rel: *rtol})
	if ctx.Err() != nil {
		return pipeline.ErrInterrupted
	}
	if err != nil {
		return troubleError{err}
	}
	var pictures map[string][]string
	if *plotsDir != "" {
		if pictures, err = drawChanges(*plotsDir, sources, report); err != nil {
			return err
		}
	}
	switch {
	case *md:
		err = render.DiffMarkdown(stdout, report, *all, pictures)
	case *asJSON:
		err = render.DiffJSON(stdout, report, *all)
	default:
		err = render.DiffTerminal(stdout, report, *all, terminal.of(stdout))
	}
	if err != nil {
		return reportError(err)
	}
	if report.Differs() {
		return errDifferences
	}
	return nil
}

// drawChanges draws, for --plots, the pictures of each experiment that
// changed into dir, a new or empty folder: dir/<experiment>/<picture>. It
// returns each experiment's pictures, as paths.
func drawChanges(dir string, sources [2]compare.Source, report *compare.Report) (map[string][]string, error) {
	var fe *results.FolderError
	if err := results.CheckOutside(dir); errors.As(err, &fe) {
		return nil, usagef("-plots %s: %s", dir, fe.Problem)
	} else if err != nil {
		return nil, troubleError{err}
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return nil, usagef("-plots %s: the folder holds files; give a new or empty folder, as diff writes every picture anew", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, troubleError{err}
	}
	old, new := pipeline.Side{Name: sources[0].Name, FS: sources[0].FS}, pipeline.Side{Name: sources[1].Name, FS: sources[1].FS}
	pictures := map[string][]string{}
	for _, name := range report.ChangedExperiments() {
		files, err := pipeline.ChangePictures(old, new, name)
		if err != nil {
			return nil, troubleError{err}
		}
		for _, f := range slices.Sorted(maps.Keys(files)) {
			p := filepath.Join(dir, name, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, files[f], 0o644); err != nil {
				return nil, err
			}
			pictures[name] = append(pictures[name], filepath.ToSlash(p))
		}
	}
	return pictures, nil
}

// errDifferences ends a diff that found differences: exit status 1, with
// nothing more to say.
var errDifferences = errors.New("differences")

// resolver turns diff's arguments into results folders to compare.
type resolver struct {
	out     string
	repo    *gitfs.Repository
	repoErr error
	opened  []*gitfs.FS
	closers []func() // of the folders opened in the work tree
}

// source returns the results folder an argument names: the work tree's
// for "", a folder, or the results folder at a revision.
func (r *resolver) source(arg string) (compare.Source, error) {
	if arg == "" {
		return r.folder(r.out)
	}
	info, statErr := os.Stat(arg)
	isFolder := statErr == nil && info.IsDir()
	commit, revErr := r.resolve(arg)
	switch {
	case isFolder && revErr == nil:
		return compare.Source{}, fmt.Errorf("%q is both a folder and a git revision; write ./%s for the folder, or %s for the revision", arg, filepath.Clean(arg), commit[:12])
	case isFolder:
		return r.folder(arg)
	case revErr != nil && errors.Is(r.repoErr, gitfs.ErrNotRepository):
		return compare.Source{}, fmt.Errorf("%q is not a folder, and not a git revision either: this is not a git repository", arg)
	case revErr != nil:
		return compare.Source{}, fmt.Errorf("%q is not a folder, and not a git revision either (%v)", arg, revErr)
	}
	return r.folderAt(arg, commit)
}

// folderAt returns the results folder at a commit, which the revision
// rev names.
func (r *resolver) folderAt(rev, commit string) (compare.Source, error) {
	folder, err := r.inRepo()
	if err != nil {
		return compare.Source{}, err
	}
	f, err := r.repo.Folder(commit, folder)
	if err != nil {
		return compare.Source{}, fmt.Errorf("%s: no results folder %s at that revision (%v); commit the results there, name another revision, or give the folder with -o", rev, folder, err)
	}
	r.opened = append(r.opened, f)
	return compare.Source{Name: rev + ":" + folder, FS: f}, nil
}

// folder returns a results folder on disk, read as the store reads it: no
// link followed, regular files only.
func (r *resolver) folder(dir string) (compare.Source, error) {
	fsys, closeFS, err := results.OpenFS(dir)
	if err != nil {
		return compare.Source{}, err
	}
	r.closers = append(r.closers, closeFS)
	return compare.Source{Name: dir, FS: fsys}, nil
}

// resolve returns the commit a revision names.
func (r *resolver) resolve(rev string) (string, error) {
	if r.repo == nil && r.repoErr == nil {
		r.repo, r.repoErr = gitfs.Open(".")
	}
	if r.repoErr != nil {
		return "", r.repoErr
	}
	return r.repo.Resolve(rev)
}

// inRepo returns the results folder's path in the repository.
func (r *resolver) inRepo() (string, error) {
	abs, err := filepath.Abs(r.out)
	if err != nil {
		return "", err
	}
	top, err := filepath.EvalSymlinks(r.repo.Dir())
	if err != nil {
		return "", err
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || !fs.ValidPath(filepath.ToSlash(rel)) {
		return "", fmt.Errorf("-o %s is not in the git repository %s", r.out, r.repo.Dir())
	}
	return filepath.ToSlash(rel), nil
}

// close stops the git processes that read revisions, and closes the
// folders opened.
func (r *resolver) close() {
	for _, f := range r.opened {
		f.Close()
	}
	for _, c := range r.closers {
		c()
	}
}
