package experiment

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// MaxFileSize bounds an experiment file; larger files are refused before
// they are parsed.
const MaxFileSize = 1 << 20

// DefaultFolder is the folder of experiment files that the command line
// reads by default, and that LoadWith suggests files from for a path that
// names none.
const DefaultFolder = "experiments"

// Load reads the experiments in paths, in order. A path is a file, or a
// folder whose *.yaml and *.yml files are read in name order (not its
// subfolders). Load reports every problem in every file, including names
// used twice across files, as an ErrorList, or as a *UsageError if some
// problems are with the paths themselves (see LoadWith); it returns
// experiments only if there are no problems at all.
func Load(paths []string) ([]*Experiment, error) {
	return LoadWith(paths, nil)
}

// LoadWith reads the experiments in paths as Load does, with the
// overrides applied to every experiment, in order (see Override).
//
// Problems with the command line rather than with the files make the
// error a *UsageError: a path that does not exist (with the experiment
// file of DefaultFolder it may name without its folder or extension:
// "lr-log: no such file or folder; did you mean experiments/lr-log.yaml?"),
// a path that is not a regular file, or a folder that holds no
// experiment files; a field given by two overrides; an override that does
// not fit an experiment (more runs than its max_runs allows). The
// problems found in the files along with them are in its Files.
func LoadWith(paths []string, overrides []Override) ([]*Experiment, error) {
	if err := checkOverrides(overrides); err != nil {
		return nil, err
	}
	files, pathProblems := expand(paths)
	var errs ErrorList
	var all []*Experiment
	for _, file := range files {
		src, err := readFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		exps, fileErrs := parse(file, src, overrides)
		errs = append(errs, fileErrs...)
		all = append(all, exps...)
	}
	errs = append(errs, duplicateNames(all)...)
	if err := splitUsage(pathProblems, errs); err != nil {
		return nil, err
	}
	return all, nil
}

// expand turns paths into the experiment files they name, each once.
func expand(paths []string) ([]string, ErrorList) {
	var files []string
	var errs ErrorList
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{Pos: Position{File: p}, Msg: describeOpenError(err) + suggestFile(p, err)})
			continue
		}
		if !info.IsDir() {
			if problem := notRegular(info); problem != "" {
				errs = append(errs, &Error{Pos: Position{File: p}, Msg: problem})
				continue
			}
			files = append(files, filepath.Clean(p))
			continue
		}
		found, err := experimentFiles(p)
		if err != nil {
			errs = append(errs, &Error{Pos: Position{File: p}, Msg: describeOpenError(err)})
			continue
		}
		if len(found) == 0 {
			errs = append(errs, &Error{Pos: Position{File: p}, Msg: "folder holds no experiment files (*.yaml, *.yml)"})
		}
		files = append(files, found...)
	}
	return dedupe(files), errs
}

// suggestFile suggests the experiment file of DefaultFolder that a path
// that does not exist may mean: the one whose name, without its
// extension, is the path's last element without its extension
// ("lr-log", "lr-log.yaml", "experiments/lr-log" for
// experiments/lr-log.yaml), or else the nearest to it in edit distance.
// It returns "" if none is near, or the path exists.
func suggestFile(path string, err error) string {
	if !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	candidates, _ := experimentFiles(DefaultFolder)
	stems := make([]string, len(candidates))
	for i, c := range candidates {
		stems[i] = stem(c)
	}
	i := slices.Index(stems, stem(path))
	if i < 0 {
		i = slices.Index(stems, closest(stem(path), stems))
	}
	if i < 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", candidates[i])
}

// stem returns a path's last element without the extension of
// experiment files.
func stem(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".yaml", ".yml"} {
		if s, ok := strings.CutSuffix(base, ext); ok {
			return s
		}
	}
	return base
}

// experimentFiles lists the *.yaml and *.yml files of a folder, sorted.
func experimentFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil // os.ReadDir sorts by name; readFile refuses what is not a regular file
}

// dedupe drops repeated files, keeping the first of each.
func dedupe(files []string) []string {
	seen := map[string]bool{}
	return slices.DeleteFunc(files, func(f string) bool {
		dup := seen[f]
		seen[f] = true
		return dup
	})
}

// notRegular says why a file cannot be an experiment file, or "" if it
// can: it must be a regular file, as reading a named pipe or a device could
// wait forever or never end.
func notRegular(info fs.FileInfo) string {
	switch mode := info.Mode(); {
	case mode.IsRegular():
		return ""
	case mode&fs.ModeNamedPipe != 0:
		return "is a named pipe (FIFO), not a regular file; give the path of an experiment file"
	case mode&fs.ModeDevice != 0:
		return "is a device, not a regular file; give the path of an experiment file"
	case mode&fs.ModeSocket != 0:
		return "is a socket, not a regular file; give the path of an experiment file"
	}
	return "is not a regular file; give the path of an experiment file"
}

// readFile reads an experiment file, refusing one that is not a regular
// file before reading from it, and one over MaxFileSize before reading it
// whole. It opens without blocking, so that a named pipe put in place of a
// file after it was listed cannot make it wait.
func readFile(file string) ([]byte, *Error) {
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &Error{Pos: Position{File: file}, Msg: describeOpenError(err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &Error{Pos: Position{File: file}, Msg: describeOpenError(err)}
	}
	if problem := notRegular(info); problem != "" {
		return nil, &Error{Pos: Position{File: file}, Msg: problem}
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{Pos: Position{File: file}, Msg: describeOpenError(err)}
	}
	if len(src) > MaxFileSize {
		return nil, &Error{Pos: Position{File: file},
			Msg: fmt.Sprintf("file is larger than %d bytes (1 MiB), the limit for an experiment file", MaxFileSize)}
	}
	return src, nil
}

// describeOpenError words an error from opening or reading a path.
func describeOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// duplicateNames reports each experiment whose name an earlier one has
// already taken: each name is a results folder.
func duplicateNames(exps []*Experiment) ErrorList {
	var errs ErrorList
	first := map[string]*Experiment{}
	for _, e := range exps {
		if prev, ok := first[e.Name]; ok {
			errs = append(errs, &Error{Pos: e.Pos, Field: "name",
				Msg: fmt.Sprintf("%q is already the name of the experiment at %v; names must be unique, as each names a results folder%s",
					e.Name, prev.Pos, unnamedHint(e, prev))})
			continue
		}
		first[e.Name] = e
	}
	return errs
}

// unnamedHint suggests naming documents that share their file's name.
func unnamedHint(e, prev *Experiment) string {
	if e.Pos.File == prev.Pos.File {
		return " (documents without name: take the file's name; give each a name:)"
	}
	return ""
}
