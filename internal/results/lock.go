package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// lock is an advisory lock on a results folder, with flock(2): the kernel
// releases it when its process ends, however it ends. A writer holds
// .runner/lock exclusively; each shard of a sweep holds it shared, and
// its own shard lock exclusively, so that shards of one sweep write
// together but a shard is not run twice at once.
type lock struct {
	files []*os.File
}

// lockError says who holds a lock a writer could not take.
type lockError struct {
	dir, holder string
}

func (e *lockError) Error() string {
	return fmt.Sprintf("%s is being written by %s; wait for it to finish, or write elsewhere with -o", e.dir, e.holder)
}

// acquire takes the lock of the results folder dir, whose private folder
// is private: exclusively, or shared by the shard named shard. It fails at
// once if another process holds it, naming that process. who describes
// this process, for the message of the next one.
func acquire(dir, private, shard, who string) (*lock, error) {
	path := filepath.Join(private, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	how := unix.LOCK_EX
	if shard != "" {
		how = unix.LOCK_SH
	}
	if err := flock(f, how); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &lockError{dir: dir, holder: holderOf(private)}
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	l := &lock{files: []*os.File{f}}
	own := f
	if shard != "" {
		sf, err := os.OpenFile(filepath.Join(private, "shard-"+shard+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
		if err == nil {
			if err = flock(sf, unix.LOCK_EX); err != nil {
				sf.Close()
			}
		}
		if errors.Is(err, unix.EWOULDBLOCK) {
			l.release()
			return nil, &lockError{dir: dir, holder: "shard " + shard + " already, " + describe(sf.Name())}
		}
		if err != nil {
			l.release()
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		l.files = append(l.files, sf)
		own = sf
	}
	// Say who holds it. A failure here does not matter: the lock is held.
	if own.Truncate(0) == nil {
		own.WriteAt([]byte(who+"\n"), 0)
	}
	return l, nil
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

// holderOf names the processes that hold the lock of a results folder: a
// writer, or the shards writing it.
func holderOf(private string) string {
	shards, _ := filepath.Glob(filepath.Join(private, "shard-*.lock"))
	var held []string
	for _, s := range shards {
		f, err := os.Open(s)
		if err != nil {
			continue
		}
		if errors.Is(flock(f, unix.LOCK_EX), unix.EWOULDBLOCK) {
			held = append(held, describe(s))
		}
		f.Close()
	}
	if len(held) > 0 {
		return strings.Join(held, " and ")
	}
	return describe(filepath.Join(private, lockFile))
}

// describe reads who holds a lock from its file: "process 1234 (runner
// run -o results)".
func describe(path string) string {
	data, err := os.ReadFile(path)
	if who := strings.TrimSpace(string(data)); err == nil && who != "" {
		return who
	}
	return "another process"
}

// release lets go of the lock.
func (l *lock) release() {
	for i := len(l.files) - 1; i >= 0; i-- {
		l.files[i].Close() // closing releases the flock
	}
	l.files = nil
}
