package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// FileSystem is what the store needs of a results folder. Every name is
// slash-separated and relative to the folder; an implementation resolves
// it without following any symbolic link and without leaving the folder,
// so that nothing a results folder holds (it comes back through git,
// merges and other people's changes) can lead the store to a file outside
// it. Open opens regular files only. Tests put faults in implementations
// (a disk that fills, a folder that is read only, a process killed between
// two renames); OpenFolder gives the real one.
type FileSystem interface {
	// Lstat describes a name, without following a link.
	Lstat(name string) (fs.FileInfo, error)
	// Mkdir creates a folder; its parent must exist.
	Mkdir(name string) error
	// Create creates a new file for writing; it fails if name exists.
	Create(name string) (WriteFile, error)
	// Open opens a regular file for reading; anything else (a link, a
	// named pipe, a device, a folder) is refused with ErrNotRegular.
	Open(name string) (ReadFile, error)
	// ReadDir lists a folder, sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Rename moves oldname to newname, replacing a file (not a folder
	// that holds anything) there.
	Rename(oldname, newname string) error
	// Exchange swaps two folders in one step. It returns an error that
	// matches errors.ErrUnsupported where the file system cannot.
	Exchange(a, b string) error
	// Link makes newname a second name of the file oldname.
	Link(oldname, newname string) error
	// Remove removes a file, or a folder that is empty.
	Remove(name string) error
	// Free returns the bytes free to an unprivileged user on the folder's
	// file system.
	Free() (int64, error)
}

// WriteFile is a file being written.
type WriteFile interface {
	io.WriteCloser
	// Stat describes the file as written so far.
	Stat() (fs.FileInfo, error)
}

// ReadFile is a file being read.
type ReadFile interface {
	io.ReadCloser
	io.ReaderAt
	io.Seeker
	Stat() (fs.FileInfo, error)
}

// ErrNotRegular is the error for a name that is not a regular file where
// one is wanted: a symbolic link, a named pipe, a device, a socket or a
// folder.
var ErrNotRegular = errors.New("not a regular file")

// ErrLink is the error for a symbolic link on the way to a name.
var ErrLink = errors.New("a symbolic link, which the runner does not follow in a results folder")

// osFolder is a results folder on the operating system's file system,
// held open by a descriptor: every name is resolved from it one folder at
// a time with O_NOFOLLOW, so that no link is followed and no name leaves
// it, whatever is renamed meanwhile. Descriptors of the folders the store
// keeps (its private folder, and the experiments' folders it writes) are
// kept open, so that a name under them costs no more system calls than a
// plain open.
type osFolder struct {
	fd   int
	name string // as the user named it, for messages

	mu   sync.Mutex
	dirs map[string]int // descriptors of kept folders, by name
}

// OpenFolder opens the folder dir, which must exist, for the store. The
// folder itself may be reached through links (-o results, where results is
// a link, writes its target); nothing under it is.
func OpenFolder(dir string) (interface {
	FileSystem
	io.Closer
}, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return &osFolder{fd: fd, name: dir, dirs: map[string]int{}}, nil
}

// Close closes the folder's descriptors.
func (f *osFolder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fd := range f.dirs {
		unix.Close(fd)
	}
	f.dirs = map[string]int{}
	return unix.Close(f.fd)
}

// keep keeps the descriptor of the folder name open, for the names under
// it. The store keeps only folders it never renames or removes while it
// is open.
func (f *osFolder) keep(name string) error {
	f.mu.Lock()
	_, ok := f.dirs[name]
	f.mu.Unlock()
	if ok {
		return nil
	}
	fd, err := f.openDir(name)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.dirs[name]; ok {
		unix.Close(fd)
		return nil
	}
	f.dirs[name] = fd
	return nil
}

// Keep keeps the descriptor of a folder open, where the file system
// supports it; see osFolder.keep.
func Keep(fsys FileSystem, name string) error {
	if k, ok := fsys.(interface{ keep(string) error }); ok {
		return k.keep(name)
	}
	return nil
}

// forget closes the kept descriptor of the folder name and of the folders
// under it: the store is about to remove or rename it.
func (f *osFolder) forget(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for d, fd := range f.dirs {
		if d == name || strings.HasPrefix(d, name+"/") {
			unix.Close(fd)
			delete(f.dirs, d)
		}
	}
}

// Forget closes a kept descriptor, where the file system keeps them; see
// osFolder.forget.
func Forget(fsys FileSystem, name string) {
	if k, ok := fsys.(interface{ forget(string) }); ok {
		k.forget(name)
	}
}

// openDir opens the folder name (not a link) for use as a parent.
func (f *osFolder) openDir(name string) (int, error) {
	parent, base, done, err := f.parent(name)
	if err != nil {
		return -1, err
	}
	defer done()
	return openDirAt(parent, base, name)
}

// openDirAt opens the folder base of parent, refusing a link.
func openDirAt(parent int, base, name string) (int, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Openat(parent, base, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		var st unix.Stat_t
		if unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			err = ErrLink
		}
	}
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, nil
}

// parent returns a descriptor of the folder that holds name, and name's
// last element; done releases the descriptor. It starts from the nearest
// kept folder.
func (f *osFolder) parent(name string) (fd int, base string, done func(), err error) {
	if !validName(name) {
		return -1, "", nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return f.fd, base, func() {}, nil
	}
	start, rest := f.fd, dir
	f.mu.Lock()
	for d := dir; d != "."; d = path.Dir(d) {
		if kept, ok := f.dirs[d]; ok {
			start, rest = kept, strings.TrimPrefix(strings.TrimPrefix(dir, d), "/")
			break
		}
	}
	f.mu.Unlock()
	if rest == "" {
		return start, base, func() {}, nil
	}
	fd = start
	walked := strings.TrimSuffix(strings.TrimSuffix(dir, rest), "/")
	for _, part := range strings.Split(rest, "/") {
		walked = path.Join(walked, part)
		next, err := openDirAt(fd, part, walked)
		if fd != start {
			unix.Close(fd)
		}
		if err != nil {
			return -1, "", nil, err
		}
		fd = next
	}
	return fd, base, func() { unix.Close(fd) }, nil
}

// validName reports whether name is a name under a folder: relative,
// slash-separated, with no empty, "." or ".." element. The folder itself
// is not one.
func validName(name string) bool {
	return name != "." && fs.ValidPath(name) && !strings.Contains(name, "\x00")
}

// at runs op on name's parent folder and last element.
func (f *osFolder) at(opName, name string, op func(parent int, base string) error) error {
	parent, base, done, err := f.parent(name)
	if err != nil {
		return err
	}
	defer done()
	if _, err := ignoringEINTR(func() (int, error) { return 0, op(parent, base) }); err != nil {
		return &fs.PathError{Op: opName, Path: name, Err: err}
	}
	return nil
}

func (f *osFolder) Lstat(name string) (fs.FileInfo, error) {
	var st unix.Stat_t
	if name == "." {
		if err := unix.Fstat(f.fd, &st); err != nil {
			return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		return fileInfo(".", &st), nil
	}
	err := f.at("lstat", name, func(parent int, base string) error {
		return unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return nil, err
	}
	return fileInfo(path.Base(name), &st), nil
}

func (f *osFolder) Mkdir(name string) error {
	return f.at("mkdir", name, func(parent int, base string) error { return unix.Mkdirat(parent, base, 0o755) })
}

func (f *osFolder) Create(name string) (WriteFile, error) {
	var fd int
	err := f.at("create", name, func(parent int, base string) (err error) {
		fd, err = unix.Openat(parent, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		return err
	})
	if err != nil {
		return nil, err
	}
	// os.NewFile rather than os.OpenFile: a regular file needs none of the
	// network poller's set-up, four system calls a file.
	return os.NewFile(uintptr(fd), name), nil
}

func (f *osFolder) Open(name string) (ReadFile, error) {
	var fd int
	err := f.at("open", name, func(parent int, base string) (err error) {
		// O_NONBLOCK: a named pipe opens at once, to be refused below,
		// rather than waiting for a writer.
		// O_NOCTTY: a terminal device does not become the process's.
		fd, err = unix.Openat(parent, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		// ELOOP is a link; ENXIO a socket (or a device with no driver).
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENXIO) {
			err = ErrNotRegular
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		if err == nil {
			err = ErrNotRegular
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

func (f *osFolder) ReadDir(name string) ([]fs.DirEntry, error) {
	var entries []fs.DirEntry
	err := f.eachEntry(name, func(e fs.DirEntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortEntries(entries)
	return entries, nil
}

// eachEntry calls each with the entries of a folder, in no order, a few
// hundred at a time: a folder of a million runs is listed in bounded
// memory.
func (f *osFolder) eachEntry(name string, each func(fs.DirEntry) error) error {
	var fd int
	open := func(parent int, base string) (err error) {
		fd, err = unix.Openat(parent, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		return err
	}
	var err error
	if name == "." {
		err = open(f.fd, ".")
	} else {
		err = f.at("open", name, open)
	}
	if err != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	for {
		batch, err := d.ReadDir(256)
		for _, e := range batch {
			if err := each(dirEntry{DirEntry: e, fsys: f, name: path.Join(name, e.Name())}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
	}
}

// eachEntry calls each with the entries of a folder of fsys: a few at a
// time, in no order, if fsys can (OpenFolder's), else all of them, in
// name order.
func eachEntry(fsys FileSystem, name string, each func(fs.DirEntry) error) error {
	if f, ok := fsys.(interface {
		eachEntry(string, func(fs.DirEntry) error) error
	}); ok {
		return f.eachEntry(name, each)
	}
	entries, err := fsys.ReadDir(name)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := each(e); err != nil {
			return err
		}
	}
	return nil
}

// dirEntry is an entry of a folder listed by osFolder.ReadDir. Its Info
// is the folder's Lstat of it: the os.File's entries would stat their
// names from the process's working folder, not from the results folder.
type dirEntry struct {
	fs.DirEntry
	fsys *osFolder
	name string // under the results folder
}

func (e dirEntry) Info() (fs.FileInfo, error) {
	return e.fsys.Lstat(e.name)
}

func (f *osFolder) Rename(oldname, newname string) error {
	return f.twoNames("rename", oldname, newname, func(p1 int, b1 string, p2 int, b2 string) error {
		return unix.Renameat(p1, b1, p2, b2)
	})
}

func (f *osFolder) Exchange(a, b string) error {
	err := f.twoNames("exchange", a, b, func(p1 int, b1 string, p2 int, b2 string) error {
		return unix.Renameat2(p1, b1, p2, b2, unix.RENAME_EXCHANGE)
	})
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return &fs.PathError{Op: "exchange", Path: b, Err: errors.ErrUnsupported}
	}
	return err
}

func (f *osFolder) Link(oldname, newname string) error {
	return f.twoNames("link", oldname, newname, func(p1 int, b1 string, p2 int, b2 string) error {
		return unix.Linkat(p1, b1, p2, b2, 0)
	})
}

// twoNames runs op on the parents and last elements of two names.
func (f *osFolder) twoNames(opName, a, b string, op func(p1 int, b1 string, p2 int, b2 string) error) error {
	p1, b1, done1, err := f.parent(a)
	if err != nil {
		return err
	}
	defer done1()
	p2, b2, done2, err := f.parent(b)
	if err != nil {
		return err
	}
	defer done2()
	if _, err := ignoringEINTR(func() (int, error) { return 0, op(p1, b1, p2, b2) }); err != nil {
		return &os.LinkError{Op: opName, Old: a, New: b, Err: err}
	}
	return nil
}

func (f *osFolder) Remove(name string) error {
	return f.at("remove", name, func(parent int, base string) error {
		err := unix.Unlinkat(parent, base, 0)
		if errors.Is(err, unix.EISDIR) {
			err = unix.Unlinkat(parent, base, unix.AT_REMOVEDIR)
		}
		return err
	})
}

func (f *osFolder) Free() (int64, error) {
	var st unix.Statfs_t
	if err := unix.Fstatfs(f.fd, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// sortEntries sorts folder entries by name.
func sortEntries(entries []fs.DirEntry) {
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

// ignoringEINTR calls f until it is not interrupted by a signal.
func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if !errors.Is(err, syscall.EINTR) {
			return n, err
		}
	}
}

// removeAll removes name and everything under it, without following a
// link: a link is removed, not what it leads to.
func removeAll(fsys FileSystem, name string) error {
	if !validName(name) { // not the folder itself: what it holds would go before the folder was refused
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrInvalid}
	}
	info, err := fsys.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.IsDir() {
		entries, err := fsys.ReadDir(name)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := removeAll(fsys, path.Join(name, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := fsys.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// statInfo is a fs.FileInfo of a stat(2) result.
type statInfo struct {
	name string
	st   unix.Stat_t
}

func fileInfo(name string, st *unix.Stat_t) *statInfo { return &statInfo{name: name, st: *st} }

func (i *statInfo) Name() string       { return i.name }
func (i *statInfo) Size() int64        { return i.st.Size }
func (i *statInfo) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i *statInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *statInfo) Sys() any           { return &i.st }

func (i *statInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	switch i.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	}
	return m
}

// describeKind names what a file is, for messages: "a symbolic link", "a
// named pipe".
func describeKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return "not a regular file"
}

// FolderFS returns a FileSystem as an fs.FS, to read with this package's
// readers: names resolved as the FileSystem does, regular files only.
func FolderFS(fsys FileSystem) fs.FS {
	return folderFS{fsys}
}

// folderFS is a FileSystem seen as an fs.FS.
type folderFS struct{ fsys FileSystem }

func (f folderFS) Open(name string) (fs.File, error) {
	if name == "." {
		return &dirFile{fsys: f.fsys, name: name}, nil
	}
	file, err := f.fsys.Open(name)
	if errors.Is(err, ErrNotRegular) {
		if info, lerr := f.fsys.Lstat(name); lerr == nil && info.IsDir() {
			return &dirFile{fsys: f.fsys, name: name, info: info}, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return file, nil
}

func (f folderFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return f.fsys.ReadDir(name)
}

func (f folderFS) Stat(name string) (fs.FileInfo, error) {
	return f.fsys.Lstat(name)
}

// dirFile is a folder opened through folderFS.
type dirFile struct {
	fsys FileSystem
	name string
	info fs.FileInfo
	// entries are those not yet handed out by ReadDir, once listed.
	entries []fs.DirEntry
	listed  bool
}

func (d *dirFile) Stat() (fs.FileInfo, error) {
	if d.info == nil {
		return d.fsys.Lstat(d.name)
	}
	return d.info, nil
}
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fmt.Errorf("is a folder")}
}
func (d *dirFile) Close() error { return nil }

// ReadDir returns the folder's next n entries (all that are left if n <=
// 0), as fs.ReadDirFile does: at the end, none and io.EOF if n > 0.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.listed {
		entries, err := d.fsys.ReadDir(d.name)
		if err != nil {
			return nil, err
		}
		d.entries, d.listed = entries, true
	}
	if n > 0 && len(d.entries) == 0 {
		return nil, io.EOF
	}
	if n <= 0 || n > len(d.entries) {
		n = len(d.entries)
	}
	next := d.entries[:n:n]
	d.entries = d.entries[n:]
	return next, nil
}
