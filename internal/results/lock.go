package results

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lock is an advisory lock on a results folder, with flock(2) on
// .runner/lock: the kernel releases it when its process ends, however it
// ends. A writer holds it exclusively; shards of a sweep and --check hold
// it shared. The lock file is never written: who holds a lock is read from
// the kernel (/proc/locks), so that a folder at rest is the same bytes
// whoever wrote it last.
type lock struct {
	file  *os.File
	shard *os.File // the shard's registration, if a shard
	name  string   // the registration's name under the results folder
	fsys  FileSystem
}

// LockError says who holds the lock a process could not take.
type LockError struct {
	Dir    string
	Holder string
	// Overlap, if set, is the shard whose runs this one's overlap.
	Overlap string
}

func (e *LockError) Error() string {
	if e.Overlap != "" {
		return fmt.Sprintf("%s: %s; the same runs cannot be written twice at once", e.Dir, e.Overlap)
	}
	return fmt.Sprintf("%s is being written by %s", e.Dir, e.Holder)
}

// lockFileOf opens the lock file of the results folder, creating it if it
// is missing; it must be a regular file of the folder.
func lockFileOf(fsys FileSystem, root string, create bool) (*os.File, error) {
	name := path.Join(PrivateDir, lockFile)
	if info, err := fsys.Lstat(name); errors.Is(err, fs.ErrNotExist) && !create {
		return nil, nil
	} else if errors.Is(err, fs.ErrNotExist) {
		w, err := fsys.Create(name)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if w != nil {
			w.Close()
		}
	} else if err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, &FolderError{Dir: root, Problem: fmt.Sprintf("its %s is %s; the runner keeps its lock there, in a file of its own: remove it", name, describeKind(info.Mode()))}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	file, ok := f.(*os.File)
	if !ok {
		return nil, fmt.Errorf("locking %s: not a file of the operating system", root)
	}
	return file, nil
}

// acquire takes the lock of the results folder, shared or exclusive. It
// fails at once if another process holds it, naming that process. Unless
// create, a folder without a lock file (that no writer has written) is not
// locked.
func acquire(fsys FileSystem, dir string, shared, create bool) (*lock, error) {
	f, err := lockFileOf(fsys, dir, create)
	if errors.As(err, new(*FolderError)) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if f == nil {
		return &lock{fsys: fsys}, nil
	}
	how := unix.LOCK_EX
	if shared {
		how = unix.LOCK_SH
	}
	if err := flock(f, how); err != nil {
		holder := holderOf(f)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &LockError{Dir: dir, Holder: holder}
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return &lock{file: f, fsys: fsys}, nil
}

// register registers a shard of a sweep as writing: a file in
// .runner/shards, locked while the shard runs and removed when it ends,
// naming its slice and experiments. It refuses a shard whose runs overlap
// those of a shard still writing: the same slice twice, a slice of the
// same experiments cut otherwise, or shards of batches of other
// experiments that write one of its experiments.
func (l *lock) register(dir string, k, n int, experiments []string) error {
	if err := l.fsys.Mkdir(path.Join(PrivateDir, shardsDir)); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	own := fmt.Sprintf("%d-of-%d-%d", k, n, os.Getpid())
	name := path.Join(PrivateDir, shardsDir, own)
	w, err := l.fsys.Create(name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d %d %s\n", k, n, strings.Join(experiments, " "))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var f ReadFile
		if f, err = l.fsys.Open(name); err == nil {
			file, ok := f.(*os.File)
			if !ok || flock(file, unix.LOCK_EX) != nil {
				f.Close()
				err = fmt.Errorf("locking %s: cannot register shard %d/%d", dir, k, n)
			} else {
				l.shard, l.name = file, name
			}
		}
	}
	if err != nil {
		l.fsys.Remove(name)
		return err
	}
	// Registered first, then compared: of two overlapping shards that
	// start at once, each sees the other, and neither runs.
	entries, err := l.fsys.ReadDir(path.Join(PrivateDir, shardsDir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == own {
			continue
		}
		if other, live := l.liveShard(e.Name()); live {
			if problem := overlap(k, n, experiments, other); problem != "" {
				return &LockError{Dir: dir, Overlap: problem}
			}
		}
	}
	return nil
}

// liveShard reads the registration of a shard, if its shard still runs.
func (l *lock) liveShard(name string) (string, bool) {
	f, err := l.fsys.Open(path.Join(PrivateDir, shardsDir, name))
	if err != nil {
		return "", false
	}
	defer f.Close()
	file, ok := f.(*os.File)
	if !ok || !errors.Is(flock(file, unix.LOCK_SH), unix.EWOULDBLOCK) {
		return "", false // not held: a shard killed before removing it
	}
	line, _ := bufio.NewReader(f).ReadString('\n')
	return strings.TrimSpace(line), true
}

// overlap says how a shard k/n of experiments overlaps the shard that
// other describes ("K N experiment ..."), or "" if it does not.
func overlap(k, n int, experiments []string, other string) string {
	fields := strings.Fields(other)
	if len(fields) < 2 {
		return ""
	}
	ok, err1 := strconv.Atoi(fields[0])
	on, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil {
		return ""
	}
	theirs := fields[2:]
	same := strings.Join(theirs, " ") == strings.Join(experiments, " ")
	for _, e := range experiments {
		for _, t := range theirs {
			if e != t {
				continue
			}
			if !same {
				return fmt.Sprintf("shard %d/%d of other experiment files is writing %s too", ok, on, e)
			}
			if (k-ok)%gcd(n, on) == 0 {
				return fmt.Sprintf("shard %d/%d is writing, and its runs overlap those of shard %d/%d", ok, on, k, n)
			}
			return ""
		}
	}
	return ""
}

// gcd returns the greatest common divisor of two positive numbers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// flock takes a lock on f without waiting.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// holderOf names the process that holds a lock on f, from the kernel's
// list of locks: "process 1234 (runner run -o results)".
func holderOf(f *os.File) string {
	info, err := f.Stat()
	if err != nil {
		return "another process"
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "another process"
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return "another process"
	}
	want := fmt.Sprintf(":%d", st.Ino)
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		// 1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF
		if len(fields) < 6 || fields[1] != "FLOCK" || !strings.HasSuffix(fields[5], want) {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid != os.Getpid() {
			return describeProcess(pid)
		}
	}
	return "another process"
}

// describeProcess names a process and its command line.
func describeProcess(pid int) string {
	cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	args := strings.Fields(strings.ReplaceAll(string(cmd), "\x00", " "))
	if err != nil || len(args) == 0 {
		return fmt.Sprintf("process %d", pid)
	}
	args[0] = path.Base(args[0])
	return fmt.Sprintf("process %d (%s)", pid, strings.Join(args, " "))
}

// release lets go of the lock, and removes the shard's registration.
func (l *lock) release() {
	if l.shard != nil {
		l.fsys.Remove(l.name)
		l.shard.Close()
		l.shard = nil
	}
	if l.file != nil {
		l.file.Close() // closing releases the flock
		l.file = nil
	}
}
