package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/descentlab/runner/internal/compare"
	"github.com/descentlab/runner/internal/gitfs"
	"github.com/descentlab/runner/internal/render"
)

const diffUsage = `Usage: runner diff [flags] [OLD [NEW]]

Compare results run by run: the runs added and removed, and for each run
changed, its inputs that changed (data, starting values, α, tolerance, …)
apart from its outcomes that changed (status, iterations, final values,
SSR), and its trace (rows, the first cell that differs, the largest
absolute and relative differences). Unchanged runs are counted, and listed
with --all.

  runner diff              the results folder at HEAD against the work tree
  runner diff REV          at a git revision against the work tree
  runner diff REV1 REV2    at two revisions
  runner diff DIR1 DIR2    two folders (any mix of folders and revisions)

An argument that is an existing folder is a folder; anything else is a git
revision (a branch, a tag, HEAD~1, a commit), at which the results folder
(-o) is read straight from git's objects: nothing is checked out, and the
index and the work tree are not touched. An argument that is both is
refused. Numbers a and b count as equal when |a - b| <= A + R·max(|a|, |b|);
infinities equal only themselves.

Exit status: 0 no differences, 1 differences, 2 trouble (not a git
repository, an unknown revision, no results folder at a revision, a file
that cannot be read).
`

// diffCommand is runner diff.
func diffCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("diff", diffUsage)
	out := fs.String("o", DefaultResults, "the results folder `DIR`, in the work tree and at revisions")
	rtol := fs.Float64("rtol", 0, "relative tolerance `R` (default 0: numbers must be equal)")
	atol := fs.Float64("atol", 0, "absolute tolerance `A` (default 0)")
	md := fs.Bool("md", false, "write GitHub-flavoured Markdown, for a pull request")
	asJSON := fs.Bool("json", false, "write JSON, for scripts")
	all := fs.Bool("all", false, "list the unchanged runs too")
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
	report, err := compare.Folders(sources[0], sources[1], compare.Tolerance{Abs: *atol, Rel: *rtol})
	if err != nil {
		return troubleError{err}
	}
	switch {
	case *md:
		err = render.DiffMarkdown(stdout, report, *all)
	case *asJSON:
		err = render.DiffJSON(stdout, report, *all)
	default:
		err = render.DiffTerminal(stdout, report, *all, terminal.of(stdout))
	}
	if err != nil {
		return err
	}
	if report.Differs() {
		return errDifferences
	}
	return nil
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
}

// source returns the results folder an argument names: the work tree's
// for "", a folder, or the results folder at a revision.
func (r *resolver) source(arg string) (compare.Source, error) {
	if arg == "" {
		return compare.Source{Name: r.out, FS: os.DirFS(r.out)}, nil
	}
	info, statErr := os.Stat(arg)
	isFolder := statErr == nil && info.IsDir()
	commit, revErr := r.resolve(arg)
	switch {
	case isFolder && revErr == nil:
		return compare.Source{}, fmt.Errorf("%q is both a folder and a git revision; write ./%s for the folder, or %s for the revision", arg, filepath.Clean(arg), commit[:12])
	case isFolder:
		return compare.Source{Name: arg, FS: os.DirFS(arg)}, nil
	case revErr != nil && errors.Is(r.repoErr, gitfs.ErrNotRepository):
		return compare.Source{}, fmt.Errorf("%q is not a folder, and not a git revision either: this is not a git repository", arg)
	case revErr != nil:
		return compare.Source{}, fmt.Errorf("%q is not a folder, and not a git revision either (%v)", arg, revErr)
	}
	folder, err := r.inRepo()
	if err != nil {
		return compare.Source{}, err
	}
	f, err := r.repo.Folder(commit, folder)
	if err != nil {
		return compare.Source{}, fmt.Errorf("%s: no results folder %s at that revision (%v)", arg, folder, err)
	}
	r.opened = append(r.opened, f)
	return compare.Source{Name: arg + ":" + folder, FS: f}, nil
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

// close stops the git processes that read revisions.
func (r *resolver) close() {
	for _, f := range r.opened {
		f.Close()
	}
}
