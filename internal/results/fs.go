package results

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// FileSystem is what the store needs of the file system. OS is the real
// one; tests put faults in others (a disk that fills, a folder that is
// read only, a process killed between two renames).
type FileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	MkdirAll(name string, perm fs.FileMode) error
	Mkdir(name string, perm fs.FileMode) error
	// Create creates a new file for writing; it fails if name exists.
	Create(name string, perm fs.FileMode) (io.WriteCloser, error)
	Open(name string) (io.ReadCloser, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Rename(oldname, newname string) error
	// Exchange swaps two folders in one step. It returns an error that
	// matches errors.ErrUnsupported where the file system cannot.
	Exchange(a, b string) error
	Link(oldname, newname string) error
	Remove(name string) error
	RemoveAll(name string) error
}

// OS is the operating system's file system.
var OS FileSystem = osFS{}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) Mkdir(name string, perm fs.FileMode) error    { return os.Mkdir(name, perm) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }

func (osFS) Link(oldname, newname string) error { return os.Link(oldname, newname) }
func (osFS) Remove(name string) error           { return os.Remove(name) }
func (osFS) RemoveAll(name string) error        { return os.RemoveAll(name) }

// Create opens with open(2) and wraps the descriptor with os.NewFile,
// rather than calling os.OpenFile, which on Linux spends four more system
// calls a file readying it for the network poller that regular files do
// not use: a sweep creates two files a run, and on tmpfs these calls were
// a third of its time.
// Open opens as Create does, for reading: a rerun reads two files a run.
func (osFS) Open(name string) (io.ReadCloser, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Rename calls rename(2) itself: os.Rename first looks whether newname is
// a folder, one more system call a file, to refuse what the store never
// asks (it renames a new run's folder only where nothing is, under the
// lock).
func (osFS) Rename(oldname, newname string) error {
	_, err := ignoringEINTR(func() (int, error) { return 0, syscall.Rename(oldname, newname) })
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}

func (osFS) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, uint32(perm.Perm()))
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
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

func (osFS) Exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return &fs.PathError{Op: "exchange", Path: b, Err: errors.ErrUnsupported}
	}
	if err != nil {
		return &fs.PathError{Op: "exchange", Path: b, Err: err}
	}
	return nil
}
