package results_test

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
	"testing"
	"testing/fstest"
	"time"

	"github.com/descentlab/runner/internal/results"
)

// A confinement fixture: a results folder, and beside it a victim file and
// a victim folder that nothing done in the results folder may change. The
// results folder holds its own files and folders, links that lead out of it
// and inside it, special files, and a file where a folder could be.
//
//	base/victim.txt, base/victimdir/inner.txt
//	base/results/own.txt, b.txt, file
//	base/results/inner/a.txt, empty/, partner/p.txt
//	base/results/holder/{out -> victimdir, outfile -> victim.txt, sub/deeper -> victimdir}
//	base/results/linkdir -> ../victimdir, linkfile -> ../victim.txt, linkin -> inner,
//	  linkroot -> /, dangling -> ../created-through-a-link
//	base/results/fifo, sock (if it can be made), dev (a device, if it can be made)
type fixture struct {
	base, root string
	specials   []string // the special files made
}

// newFixture makes a confinement fixture in a new temporary folder.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{base: base, root: filepath.Join(base, "results")}
	mustWrite(t, filepath.Join(base, "victim.txt"), "the victim's file\n")
	mustWrite(t, filepath.Join(base, "victimdir", "inner.txt"), "the victim's folder\n")
	for name, data := range map[string]string{"own.txt": "own\n", "b.txt": "b\n", "file": "a file\n", "inner/a.txt": "a\n", "partner/p.txt": "p\n"} {
		mustWrite(t, filepath.Join(f.root, name), data)
	}
	for _, d := range []string{"empty", "holder/sub"} {
		if err := os.MkdirAll(filepath.Join(f.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{
		"linkdir": "../victimdir", "linkfile": "../victim.txt", "linkin": "inner", "linkroot": "/",
		"dangling": "../created-through-a-link", "holder/out": "../../victimdir",
		"holder/outfile": "../../victim.txt", "holder/sub/deeper": "../../../victimdir",
	} {
		if err := os.Symlink(target, filepath.Join(f.root, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(f.root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.specials = append(f.specials, "fifo")
	if makeSocket(t, filepath.Join(f.root, "sock")) {
		f.specials = append(f.specials, "sock")
	}
	if syscall.Mknod(filepath.Join(f.root, "dev"), syscall.S_IFCHR|0o644, 1<<8|3) == nil { // /dev/null's numbers
		f.specials = append(f.specials, "dev")
	}
	return f
}

// makeSocket makes a Unix socket at name, bound in a short temporary
// folder (a socket's address is limited to 108 bytes) and moved there. It
// reports whether it could.
func makeSocket(t *testing.T, name string) bool {
	dir, err := os.MkdirTemp("", "s")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	short := filepath.Join(dir, "s")
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: short}); err != nil {
		return false
	}
	return os.Rename(short, name) == nil
}

func mustWrite(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every entry under dir: its kind and permissions, a
// file's bytes, a link's target. Folders are described by their entries.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += " " + string(data)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		entries[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// outside returns the part of a snapshot of the fixture's base that is not
// in the results folder.
func outside(snap map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range snap {
		if k != "results" && !strings.HasPrefix(k, "results"+string(filepath.Separator)) {
			out[k] = v
		}
	}
	return out
}

// An operation on a name of a results folder, as the store makes it.
type folderOp struct {
	name string
	do   func(fsys results.FileSystem, name string) error
}

var folderOps = []folderOp{
	{"lstat", func(fsys results.FileSystem, name string) error { _, err := fsys.Lstat(name); return err }},
	{"open", func(fsys results.FileSystem, name string) error {
		f, err := fsys.Open(name)
		if err == nil {
			_, err = io.ReadAll(f)
			f.Close()
		}
		return err
	}},
	{"create", func(fsys results.FileSystem, name string) error {
		w, err := fsys.Create(name)
		if err == nil {
			_, err = w.Write([]byte("written by the test\n"))
			w.Close()
		}
		return err
	}},
	{"mkdir", func(fsys results.FileSystem, name string) error { return fsys.Mkdir(name) }},
	{"readdir", func(fsys results.FileSystem, name string) error { _, err := fsys.ReadDir(name); return err }},
	{"remove", func(fsys results.FileSystem, name string) error { return fsys.Remove(name) }},
	{"removeall", func(fsys results.FileSystem, name string) error { return results.RemoveAll(fsys, name) }},
	{"rename-from", func(fsys results.FileSystem, name string) error { return fsys.Rename(name, "moved") }},
	{"rename-to", func(fsys results.FileSystem, name string) error { return fsys.Rename("own.txt", name) }},
	{"link-from", func(fsys results.FileSystem, name string) error { return fsys.Link(name, "linked") }},
	{"link-to", func(fsys results.FileSystem, name string) error { return fsys.Link("own.txt", name) }},
	{"exchange", func(fsys results.FileSystem, name string) error { return fsys.Exchange(name, "partner") }},
}

// What each kind of name allows: the operations that work on it; every
// other is refused.
var (
	allowsNothing = []string{}
	linkOrSpecial = []string{"lstat", "remove", "removeall", "rename-from", "rename-to", "link-from", "exchange"}
	ownFile       = []string{"lstat", "open", "remove", "removeall", "rename-from", "rename-to", "link-from", "exchange"}
	fullFolder    = []string{"lstat", "readdir", "removeall", "rename-from", "exchange"}
	emptyFolder   = []string{"lstat", "readdir", "remove", "removeall", "rename-from", "exchange"}
	newName       = []string{"create", "mkdir", "removeall", "rename-to", "link-to"}
)

// A name given to the operations, what they allow, and the error that
// refusals must match (nil: any error).
type folderName struct {
	name   string
	allows []string
	err    error
}

func folderNames(f *fixture) []folderName {
	names := []folderName{
		// Names that are not names under a folder.
		{"", allowsNothing, fs.ErrInvalid},
		{".", []string{"lstat", "readdir"}, nil},
		{"..", allowsNothing, fs.ErrInvalid},
		{"../victim.txt", allowsNothing, fs.ErrInvalid},
		{"../victimdir/inner.txt", allowsNothing, fs.ErrInvalid},
		{"inner/../../victim.txt", allowsNothing, fs.ErrInvalid},
		{"inner/..", allowsNothing, fs.ErrInvalid},
		{"./own.txt", allowsNothing, fs.ErrInvalid},
		{"own.txt/", allowsNothing, fs.ErrInvalid},
		{"inner//a.txt", allowsNothing, fs.ErrInvalid},
		{filepath.Join(f.base, "victim.txt"), allowsNothing, fs.ErrInvalid},
		{filepath.Join(f.base, "victimdir"), allowsNothing, fs.ErrInvalid},
		{"own.txt\x00", allowsNothing, fs.ErrInvalid},
		{"inner/\x00/a.txt", allowsNothing, fs.ErrInvalid},
		// Names through links: to a folder outside, to a file outside, to
		// a folder inside, to the root of the file system.
		{"linkdir/inner.txt", allowsNothing, results.ErrLink},
		{"linkdir/new.txt", allowsNothing, results.ErrLink},
		{"linkdir/x/y", allowsNothing, results.ErrLink},
		{"linkfile/x", allowsNothing, results.ErrLink},
		{"linkin/a.txt", allowsNothing, results.ErrLink},
		{"linkin/new.txt", allowsNothing, results.ErrLink},
		{"linkroot/etc/passwd", allowsNothing, results.ErrLink},
		{"holder/out/inner.txt", allowsNothing, results.ErrLink},
		// A file, or a special file, where a folder should be.
		{"file/x", allowsNothing, syscall.ENOTDIR},
		{"fifo/x", allowsNothing, syscall.ENOTDIR},
		{"missing/new.txt", []string{"removeall"}, fs.ErrNotExist},
		// The folder's own entries: links, files, folders, new names.
		{"linkdir", linkOrSpecial, nil},
		{"linkfile", linkOrSpecial, nil},
		{"linkin", linkOrSpecial, nil},
		{"linkroot", linkOrSpecial, nil},
		{"dangling", linkOrSpecial, nil},
		{"b.txt", ownFile, nil},
		{"inner/a.txt", ownFile, nil},
		{"inner", fullFolder, nil},
		{"holder", fullFolder, nil},
		{"empty", emptyFolder, nil},
		{"new.txt", newName, nil},
		{"inner/new.txt", newName, nil},
	}
	for _, s := range f.specials {
		names = append(names, folderName{s, linkOrSpecial, nil})
	}
	return names
}

// TestFolderConfinesEveryName makes every operation of the store's file
// system on every kind of name: each either works on the folder's own
// entries or is refused, and nothing outside the folder changes, byte for
// byte. A refused operation changes nothing at all; none blocks (a named
// pipe is refused at once). An operation that changes the fixture is
// followed by a fresh one.
func TestFolderConfinesEveryName(t *testing.T) {
	var f *fixture
	var fsys results.FileSystem
	var before map[string]string
	fresh := func() {
		f = newFixture(t)
		fsys = openFolder(t, f.root)
		before = snapshot(t, f.base)
	}
	fresh()
	for i, probed := range folderNames(f) {
		for _, op := range folderOps {
			t.Run(fmt.Sprintf("%s/%q", op.name, strings.TrimPrefix(probed.name, f.base)), func(t *testing.T) {
				n := folderNames(f)[i] // absolute names are of this fixture
				err := withinTime(t, func() error { return op.do(fsys, n.name) })
				after := snapshot(t, f.base)
				defer func() {
					if diffSnapshots(before, after) != "" {
						fresh()
					}
				}()
				if want := slices.Contains(n.allows, op.name); want != (err == nil) {
					t.Fatalf("%s %q: error %v; want it to %s", op.name, n.name, err, map[bool]string{true: "work", false: "be refused"}[want])
				}
				if diff := diffSnapshots(outside(before), outside(after)); diff != "" {
					t.Errorf("%s %q changed what is outside the results folder:\n%s", op.name, n.name, diff)
				}
				if err == nil {
					checkTargetsKept(t, f, op.name, n.name)
					return
				}
				if diff := diffSnapshots(before, after); diff != "" {
					t.Errorf("%s %q was refused (%v) but changed the folder:\n%s", op.name, n.name, err, diff)
				}
				if n.err != nil && !errors.Is(err, n.err) {
					t.Errorf("%s %q: error %v; want one that matches %v", op.name, n.name, err, n.err)
				}
			})
		}
	}
}

// checkTargetsKept checks, after an operation that worked on a link of the
// fixture, that what the link leads to inside the folder is there still.
func checkTargetsKept(t *testing.T, f *fixture, op, name string) {
	t.Helper()
	if name != "linkin" || op == "exchange" {
		return
	}
	if data, err := os.ReadFile(filepath.Join(f.root, "inner", "a.txt")); err != nil || string(data) != "a\n" {
		t.Errorf("%s linkin: the folder it leads to lost inner/a.txt (%q, %v)", op, data, err)
	}
}

// TestOpenRefusesSpecialFiles opens each special file of the fixture, and
// a link to each, and a folder: each refused with ErrNotRegular, at once.
func TestOpenRefusesSpecialFiles(t *testing.T) {
	f := newFixture(t)
	fsys := openFolder(t, f.root)
	names := append([]string{"linkdir", "linkfile", "linkin", "dangling", "inner", "empty"}, f.specials...)
	if !slices.Contains(f.specials, "sock") {
		t.Log("no socket: the file system or the sandbox did not let the test make one")
	}
	for _, name := range names {
		err := withinTime(t, func() error {
			r, err := fsys.Open(name)
			if err == nil {
				r.Close()
			}
			return err
		})
		if !errors.Is(err, results.ErrNotRegular) {
			t.Errorf("open %s: %v; want it refused as not a regular file", name, err)
		}
	}
}

// TestFolderFS reads a fixture through OpenFS, as show, diff and ls read
// results folders: it is an fs.FS by the book (fstest.TestFS) over the
// folder's own files, it does not walk into links, and it refuses links,
// special files and names that leave the folder.
func TestFolderFS(t *testing.T) {
	f := newFixture(t)
	clean := filepath.Join(f.base, "clean")
	mustWrite(t, filepath.Join(clean, "a.txt"), "a\n")
	mustWrite(t, filepath.Join(clean, "sub", "b.txt"), "b\n")
	mustWrite(t, filepath.Join(clean, "sub", "deeper", "c.txt"), "c\n")
	fsys, closeFS, err := results.OpenFS(clean)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFS()
	if err := fstest.TestFS(fsys, "a.txt", "sub/b.txt", "sub/deeper/c.txt"); err != nil {
		t.Errorf("OpenFS is not an fs.FS by the book: %v", err)
	}

	fsys, closeFS, err = results.OpenFS(f.root)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFS()
	var walked []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		walked = append(walked, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range walked {
		if strings.HasPrefix(p, "linkdir/") || strings.HasPrefix(p, "linkin/") || strings.HasPrefix(p, "holder/out/") {
			t.Errorf("walked into a link: %s", p)
		}
	}
	refused := append([]string{"linkfile", "linkdir/inner.txt", "linkin/a.txt", "../victim.txt", "/etc/passwd", "dangling"}, f.specials...)
	for _, name := range refused {
		err := withinTime(t, func() error { _, err := fs.ReadFile(fsys, name); return err })
		if err == nil {
			t.Errorf("read %s through a link, or a special file", name)
		}
	}
	if data, err := fs.ReadFile(fsys, "inner/a.txt"); err != nil || string(data) != "a\n" {
		t.Errorf("inner/a.txt: %q, %v", data, err)
	}
}

// openFolder opens a results folder's file system for a test.
func openFolder(t *testing.T, dir string) results.FileSystem {
	t.Helper()
	f, err := results.OpenFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// withinTime calls do, failing the test if it has not returned within a
// few seconds: an operation that blocks (opening a named pipe) is a bug.
func withinTime(t *testing.T, do func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- do() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the operation blocked for 5 s")
		return nil
	}
}

// diffSnapshots lists the entries that differ between two snapshots, ""
// if none.
func diffSnapshots(a, b map[string]string) string {
	var lines []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: gone (was %q)", k, v))
		} else if w != v {
			lines = append(lines, fmt.Sprintf("  %s: %q → %q", k, v, w))
		}
	}
	for k, w := range b {
		if _, ok := a[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: new (%q)", k, w))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
