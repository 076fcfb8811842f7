// Package faultfs is a file system for tests that fails when told to: a
// disk that fills up, a folder that is read only. It wraps another file
// system (results.OS) and asks a function, before each operation, whether it
// should fail.
package faultfs

import (
	"io"
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
)

// FS is a file system that fails an operation on a path when Fail returns
// an error for them.
type FS struct {
	results.FileSystem
	Fail func(op Op, path string) error
}

func (f FS) fail(op Op, path string) error {
	if err := f.Fail(op, path); err != nil {
		return &fs.PathError{Op: string(op), Path: path, Err: err}
	}
	return nil
}

func (f FS) MkdirAll(name string, perm fs.FileMode) error {
	if err := f.fail(Mkdir, name); err != nil {
		return err
	}
	return f.FileSystem.MkdirAll(name, perm)
}

func (f FS) Mkdir(name string, perm fs.FileMode) error {
	if err := f.fail(Mkdir, name); err != nil {
		return err
	}
	return f.FileSystem.Mkdir(name, perm)
}

func (f FS) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	if err := f.fail(Create, name); err != nil {
		return nil, err
	}
	w, err := f.FileSystem.Create(name, perm)
	if err != nil {
		return nil, err
	}
	return file{WriteCloser: w, name: name, fs: f}, nil
}

func (f FS) Rename(oldname, newname string) error {
	if err := f.fail(Rename, newname); err != nil {
		return err
	}
	return f.FileSystem.Rename(oldname, newname)
}

// file fails writes when its file system says so.
type file struct {
	io.WriteCloser
	name string
	fs   FS
}

func (f file) Write(b []byte) (int, error) {
	if err := f.fs.fail(Write, f.name); err != nil {
		return 0, err
	}
	return f.WriteCloser.Write(b)
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
