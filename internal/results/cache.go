package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The stat cache, as git's index is one: for the files the runner wrote or
// checked, what stat(2) said of them then (size, modification time,
// change time, inode). The change time is compared too, as git does,
// because no program can set it: a file edited and given back its
// modification time (touch -d, cp -p, rsync --inplace) has another. A file that stats as recorded is believed to hold what it held
// then, and is not read again; any other is read and checked. A file
// modified in the same tick of the file system's clock as the cache was
// written may have changed unseen ("racily clean", in git's words), so it
// is read too. The cache lives in .runner/cache, one file per experiment,
// is never committed, and is believed only on the file system it was made
// on: its first line names the device and inode of the results folder, so
// that a copied folder (or a fresh clone) reads every file once.
//
// An experiment's cache is a journal of the records as they were checked
// (each row, and its files' stats), followed by a line for each of the
// experiment's own files: the record index reads it as one more source of
// rows, whose files need not be read while they stat as recorded. Every
// cache ends with the SHA-256 of its bytes before that line: a cache
// damaged in any byte, or cut short, is not believed at all, and every
// file it would have vouched for is read once.

// fileStat is what stat(2) says of a file, as far as the cache compares.
type fileStat struct {
	size  int64
	mtime int64 // nanoseconds since the epoch
	ctime int64 // nanoseconds since the epoch; set by the kernel alone
	ino   uint64
}

// statOf returns the cache's view of a stat result.
func statOf(info fs.FileInfo) (fileStat, bool) {
	switch st := info.Sys().(type) {
	case *unix.Stat_t:
		return fileStat{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino}, true
	case *syscall.Stat_t:
		return fileStat{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino}, true
	}
	return fileStat{}, false
}

// deviceOf returns the device and inode of a folder, which name the file
// system a cache was made on.
func deviceOf(info fs.FileInfo) (dev, ino uint64, ok bool) {
	switch st := info.Sys().(type) {
	case *unix.Stat_t:
		return st.Dev, st.Ino, true
	case *syscall.Stat_t:
		return st.Dev, st.Ino, true
	}
	return 0, 0, false
}

// cacheEntry is what the cache knows of one of an experiment's own files.
type cacheEntry struct {
	stat   fileStat
	sha256 [sha256.Size]byte
}

// statCache is what a cache knows of an experiment's own files (or, for
// the name topCache, of the results folder's).
type statCache struct {
	// written is when the cache was written: a file modified since, or in
	// the same tick, is not believed.
	written int64
	files   map[string]cacheEntry // by name under the experiment's folder
	// pictures is the key of the inputs the experiment's pictures of
	// every run were drawn from (ExperimentWriter.KeepPictures), if any.
	pictures string
}

// topCache names the cache of the results folder's own files; it is not
// an experiment's name, which starts with a letter or a digit.
const topCache = "_top"

// cacheIdentity returns the first line of a cache made on the file system
// of the results folder of device dev and inode ino.
func cacheIdentity(dev, ino uint64) string {
	return fmt.Sprintf("#runner stat cache 3,%d,%d\n", dev, ino)
}

// cacheSumPrefix starts the last line of a cache, which holds the SHA-256
// of the bytes before it.
const cacheSumPrefix = "#sum,"

// appendCacheSum appends a cache's last line, of the SHA-256 sum of the
// bytes before it.
func appendCacheSum(b, sum []byte) []byte {
	return fmt.Appendf(b, "%s%x\n", cacheSumPrefix, sum)
}

// isCacheSum reports whether a line of a cache (without its line end) is
// the line of sum.
func isCacheSum(line, sum []byte) bool {
	want := appendCacheSum(nil, sum)
	return bytes.Equal(line, want[:len(want)-1])
}

// unsealCache returns a cache's bytes before its last line, if that line
// is their SHA-256.
func unsealCache(data []byte) ([]byte, bool) {
	i := bytes.LastIndexByte(bytes.TrimSuffix(data, []byte("\n")), '\n')
	body := data[:i+1]
	sum := sha256.Sum256(body)
	return body, i >= 0 && bytes.Equal(data[i+1:], appendCacheSum(nil, sum[:]))
}

func newStatCache() *statCache {
	return &statCache{files: map[string]cacheEntry{}}
}

// fresh reports whether a file that stats as st is believed to be as it
// was when the cache saw it as want.
func (c *statCache) fresh(st, want fileStat) bool {
	return c.written != 0 && st == want && st.mtime < c.written
}

// appendFile appends the line of one of the experiment's own files.
func appendFileEntry(b []byte, name string, e cacheEntry) []byte {
	return fmt.Appendf(b, "#f,%s,%d,%d,%d,%d,%x\n", name, e.stat.size, e.stat.mtime, e.stat.ctime, e.stat.ino, e.sha256)
}

// take reads a comment line of a cache: its identity, which must be
// identity for the cache to be believed, or a file's entry. It reports
// whether the line is one.
func (c *statCache) take(line, identity string) bool {
	if strings.HasPrefix(line, "#runner stat cache") {
		return line+"\n" == identity
	}
	if key, ok := strings.CutPrefix(line, picturesPrefix); ok {
		c.pictures = key
		return true
	}
	cells := strings.Split(line, ",")
	if len(cells) != 7 || cells[0] != "#f" || !validName(cells[1]) {
		return false
	}
	size, err1 := strconv.ParseInt(cells[2], 10, 64)
	mtime, err2 := strconv.ParseInt(cells[3], 10, 64)
	ctime, err3 := strconv.ParseInt(cells[4], 10, 64)
	ino, err4 := strconv.ParseUint(cells[5], 10, 64)
	var e cacheEntry
	n, err5 := hex.Decode(e.sha256[:], []byte(cells[6]))
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil || n != sha256.Size {
		return false
	}
	e.stat = fileStat{size, mtime, ctime, ino}
	c.files[cells[1]] = e
	return true
}

// picturesPrefix starts the line of a cache that keys the experiment's
// pictures of every run.
const picturesPrefix = "#p,"

// fixedSum is a hash.Hash whose sum is known: that of a file kept as it
// is, which the stat cache vouches for.
type fixedSum [sha256.Size]byte

func (f *fixedSum) Write(p []byte) (int, error) { return len(p), nil }
func (f *fixedSum) Sum(b []byte) []byte         { return append(b, f[:]...) }
func (f *fixedSum) Reset()                      {}
func (f *fixedSum) Size() int                   { return sha256.Size }
func (f *fixedSum) BlockSize() int              { return sha256.BlockSize }

// cacheName returns the name of an experiment's cache under the results
// folder.
func cacheName(experiment string) string {
	return path.Join(PrivateDir, cacheDir, experiment+".csv")
}
