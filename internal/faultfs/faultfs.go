// Package faultfs is a file system for tests that fails when told to: a
// disk that fills up, a folder that is read only, a process killed between
// two renames. It wraps another results.FileSystem and asks a function,
// before each operation, whether it should fail.
package faultfs

import (
	"io/fs"

	"github.com/descentlab/runner/internal/results"
)

// Op names an operation on the file system.
type Op string

// The operations that may fail.
const (
	Mkdir    Op = "mkdir"
	Create   Op = "create"
	Write    Op = "write"
	Rename   Op = "rename"
	Exchange Op = "exchange"
	Link     Op = "link"
	Remove   Op = "remove"
)

// FS is a file system that fails an operation on a path when Fail returns
// an error for them.
type FS struct {
	results.FileSystem
	Fail func(op Op, path string) error
}

// Wrap returns a function that wraps a file system with faults, for
// results.Options.Wrap.
func Wrap(fail func(op Op, path string) error) func(results.FileSystem) results.FileSystem {
	return func(fsys results.FileSystem) results.FileSystem { return FS{FileSystem: fsys, Fail: fail} }
}

func (f FS) fail(op Op, path string) error {
	if err := f.Fail(op, path); err != nil {
		return &fs.PathError{Op: string(op), Path: path, Err: err}
	}
	return nil
}

func (f FS) Mkdir(name string) error {
	if err := f.fail(Mkdir, name); err != nil {
		return err
	}
	return f.FileSystem.Mkdir(name)
}

func (f FS) Create(name string) (results.WriteFile, error) {
	if err := f.fail(Create, name); err != nil {
		return nil, err
	}
	w, err := f.FileSystem.Create(name)
	if err != nil {
		return nil, err
	}
	return file{WriteFile: w, name: name, fs: f}, nil
}

func (f FS) Rename(oldname, newname string) error {
	if err := f.fail(Rename, newname); err != nil {
		return err
	}
	return f.FileSystem.Rename(oldname, newname)
}

func (f FS) Remove(name string) error {
	if err := f.fail(Remove, name); err != nil {
		return err
	}
	return f.FileSystem.Remove(name)
}

// file fails writes when its file system says so.
type file struct {
	results.WriteFile
	name string
	fs   FS
}

func (f file) Write(b []byte) (int, error) {
	if err := f.fs.fail(Write, f.name); err != nil {
		return 0, err
	}
	return f.WriteFile.Write(b)
}

func (f FS) Exchange(a, b string) error {
	if err := f.fail(Exchange, b); err != nil {
		return err
	}
	return f.FileSystem.Exchange(a, b)
}

func (f FS) Link(oldname, newname string) error {
	if err := f.fail(Link, newname); err != nil {
		return err
	}
	return f.FileSystem.Link(oldname, newname)
}
