// Package gitfs reads a folder of a commit of a git repository as an
// fs.FS, straight from git's object store: `git ls-tree` lists its files
// and one long-lived `git cat-file --batch` reads them, as a stream, so
// that a large file takes no memory. Nothing is checked out; the index and
// the work tree are not touched, and nothing is written.
package gitfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Repository is the git repository that holds a folder.
type Repository struct {
	dir  string // the repository's top folder
	from string // the folder git was asked from
}

// ErrNotRepository is returned when a folder is in no git repository.
var ErrNotRepository = errors.New("not in a git repository")

// Open finds the git repository that holds the folder dir.
func Open(dir string) (*Repository, error) {
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		if _, lookErr := exec.LookPath("git"); lookErr != nil {
			return nil, fmt.Errorf("git is not installed (%v)", lookErr)
		}
		return nil, ErrNotRepository
	}
	return &Repository{dir: strings.TrimSpace(top), from: dir}, nil
}

// Dir returns the repository's top folder.
func (r *Repository) Dir() string {
	return r.dir
}

// Resolve returns the commit that a revision names (a branch, a tag,
// HEAD~1, a commit's hash), or an error saying there is none.
func (r *Repository) Resolve(rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("%q is not a revision", rev)
	}
	out, err := git(r.from, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("no commit named %q in the git repository %s", rev, r.dir)
	}
	return strings.TrimSpace(out), nil
}

// git runs a git command in dir and returns its output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// entry is a file of the tree.
type entry struct {
	oid  string
	size int64
}

// FS is a folder of a commit, as an fs.FS. Its files are read one at a
// time (opening one while another is open reads the other whole first).
// Close stops its git process.
type FS struct {
	repo  string
	files map[string]entry
	dirs  map[string][]fs.DirEntry

	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	open *file // the file being read from git's output, if any
}

// BlobID returns the git object id of a file of the folder: two files
// with the same id hold the same bytes.
func (f *FS) BlobID(name string) (string, bool) {
	e, ok := f.files[name]
	return e.oid, ok
}

// Folder returns the folder at path (slash-separated, from the
// repository's top) of a commit, or an error if the commit has no such
// folder.
func (r *Repository) Folder(commit, folder string) (*FS, error) {
	folder = path.Clean(folder)
	args := []string{"ls-tree", "-r", "-z", "--long", "--full-tree", commit}
	if folder != "." {
		args = append(args, "--", folder+"/")
	}
	out, err := git(r.dir, args...)
	if err != nil {
		return nil, err
	}
	f := &FS{repo: r.dir, files: map[string]entry{}, dirs: map[string][]fs.DirEntry{}}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		meta, name, ok := strings.Cut(line, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 4 || fields[1] != "blob" || fields[0] == "120000" {
			continue // not a file: a link, or a submodule
		}
		size, _ := strconv.ParseInt(fields[3], 10, 64)
		rel := name
		if folder != "." {
			rel = strings.TrimPrefix(name, folder+"/")
		}
		f.files[rel] = entry{oid: fields[2], size: size}
		f.addPath(rel, false)
	}
	if len(f.files) == 0 {
		return nil, fmt.Errorf("the commit %s has no folder %s", short(commit), folder)
	}
	for dir := range f.dirs {
		slices.SortFunc(f.dirs[dir], func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return f, nil
}

// short abbreviates a commit's hash.
func short(commit string) string {
	return commit[:min(12, len(commit))]
}

// addPath notes a file or folder in the folders above it.
func (f *FS) addPath(rel string, isDir bool) {
	dir, name := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	_, known := f.dirs[dir]
	f.dirs[dir] = append(f.dirs[dir], dirEntry{name: name, dir: isDir, size: f.files[rel].size})
	if !known && dir != "." {
		f.addPath(dir, true)
	}
}

// Close stops the git process that reads files.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cmd == nil {
		return nil
	}
	f.in.Close()
	err := f.cmd.Wait()
	f.cmd = nil
	return err
}

// Open opens a file or folder of the tree.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if entries, ok := f.dirs[name]; ok {
		return &dir{name: name, entries: entries}, nil
	}
	e, ok := f.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open != nil {
		if err := f.open.buffer(); err != nil {
			return nil, err
		}
	}
	if err := f.start(); err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintln(f.in, e.oid); err != nil {
		return nil, fmt.Errorf("reading %s from git: %w", name, err)
	}
	header, err := f.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading %s from git: %w", name, err)
	}
	if want := e.oid + " blob " + strconv.FormatInt(e.size, 10) + "\n"; header != want {
		return nil, fmt.Errorf("reading %s from git: %q", name, strings.TrimSpace(header))
	}
	file := &file{fs: f, name: name, size: e.size, r: io.LimitReader(f.out, e.size)}
	f.open = file
	return file, nil
}

// start starts the git process that reads files, if it has not started.
func (f *FS) start() error {
	if f.cmd != nil {
		return nil
	}
	cmd := exec.Command("git", "cat-file", "--batch")
	cmd.Dir = f.repo
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting git cat-file: %w", err)
	}
	f.cmd, f.in, f.out = cmd, in, bufio.NewReaderSize(out, 64<<10)
	return nil
}

// ReadDir lists a folder of the tree.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, ok := f.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(entries), nil
}

// file is a file being read from git.
type file struct {
	fs   *FS
	name string
	size int64
	r    io.Reader
	done bool
}

func (f *file) Read(b []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	n, err := f.r.Read(b)
	if err == io.EOF {
		if ferr := f.finish(); ferr != nil {
			return n, ferr
		}
	}
	return n, err
}

// buffer reads the rest of the file into memory, so that git's output can
// go on to the next file. The FS's lock is held.
func (f *file) buffer() error {
	data, err := io.ReadAll(f.r)
	if err != nil {
		return err
	}
	f.r = bytes.NewReader(data)
	return f.finish()
}

// finish reads the newline git writes after a file, once the file is read
// (or buffered).
func (f *file) finish() error {
	if f.done || f.fs.open != f {
		f.done = true
		return nil
	}
	f.done = true
	f.fs.open = nil
	if _, err := f.fs.out.ReadByte(); err != nil {
		return fmt.Errorf("reading %s from git: %w", f.name, err)
	}
	return nil
}

func (f *file) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.done {
		return nil
	}
	if _, err := io.Copy(io.Discard, f.r); err != nil {
		return err
	}
	return f.finish()
}

func (f *file) Stat() (fs.FileInfo, error) {
	return dirEntry{name: path.Base(f.name), size: f.size}, nil
}

// dir is a folder of the tree, opened.
type dir struct {
	name    string
	entries []fs.DirEntry
	read    int
}

func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a folder")}
}
func (d *dir) Close() error               { return nil }
func (d *dir) Stat() (fs.FileInfo, error) { return dirEntry{name: path.Base(d.name), dir: true}, nil }

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.read:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	d.read += len(rest)
	return rest, nil
}

// dirEntry describes a file or folder of the tree.
type dirEntry struct {
	name string
	dir  bool
	size int64
}

func (e dirEntry) Name() string               { return e.name }
func (e dirEntry) IsDir() bool                { return e.dir }
func (e dirEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e dirEntry) Size() int64                { return e.size }
func (e dirEntry) ModTime() time.Time         { return time.Time{} }
func (e dirEntry) Sys() any                   { return nil }

func (e dirEntry) Type() fs.FileMode { return e.Mode().Type() }

func (e dirEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
