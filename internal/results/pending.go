package results

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
)

// Pending is a file being written: to a temporary file, compared with the
// file it would replace as it goes, and hashed. Writes go straight to the
// file: callers that write in small pieces buffer them.
type Pending struct {
	s       *Store
	rel     string    // slash-separated path under the root
	temp    string    // the file written, or "" in Compare mode
	file    WriteFile // writes temp
	oldFile ReadFile  // the file replaced, while it matches
	old     *bufio.Reader
	differs bool
	hash    hash.Hash
	size    int64
	stat    fileStat      // the file's stat once closed: the new one's, or the old one's if it is kept
	keep    *bytes.Buffer // in Compare mode, what would be written, if it is read back
	// mem holds what a lazy file has written, until it grows beyond
	// lazyLimit and goes to its temporary file.
	mem *bytes.Buffer
	// known, if not nil, is what the stat cache knows of the file there,
	// which is believed: the file is then compared by its SHA-256, without
	// reading it.
	known *cacheEntry
	// uncounted files are not counted as put: a manifest written on the
	// way to its final content.
	uncounted bool
	err       error
}

// lazyLimit is how much a lazy file holds in memory before it writes its
// temporary file: an experiment's files are written only if they change,
// so that a rerun with nothing changed writes nothing.
const lazyLimit = 8 << 20

// create starts writing the file at rel: into temp, or a fresh temporary
// file if temp is "". It compares with the file at rel, unless its folder
// is known to be new. In Compare mode, what would be written is kept if
// keep, to be read back.
func (s *Store) create(rel, temp string, isNew, keep bool) (*Pending, error) {
	p := &Pending{s: s, rel: rel, hash: sha256.New()}
	if s.mode == Compare {
		if keep {
			p.keep = new(bytes.Buffer)
		}
	} else if temp == "" && !isNew {
		p.mem = new(bytes.Buffer) // a whole file: lazy
	} else {
		if temp == "" {
			temp = s.tempName(rel)
		}
		f, err := s.fs.Create(temp)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", s.Path(rel), err)
		}
		p.temp, p.file = temp, f
	}
	if isNew {
		p.differs = true
	} else {
		p.openOld()
	}
	return p, nil
}

// createKnown starts writing the file at rel as create does, lazily,
// where the stat cache knows the file there (known): it is compared by its
// SHA-256, not read.
func (s *Store) createKnown(rel string, known *cacheEntry) (*Pending, error) {
	if known == nil || s.mode == Compare {
		return s.create(rel, "", false, true)
	}
	return &Pending{s: s, rel: rel, hash: sha256.New(), mem: new(bytes.Buffer), known: known}, nil
}

// spill writes what a lazy file holds to its temporary file.
func (p *Pending) spill() error {
	p.temp = p.s.tempName(p.rel)
	f, err := p.s.fs.Create(p.temp)
	if err == nil {
		_, err = f.Write(p.mem.Bytes())
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		p.err = fmt.Errorf("writing %s: %w", p.s.Path(p.rel), err)
		return p.err
	}
	p.file, p.mem = f, nil
	return nil
}

// openOld opens the file that the pending file would replace, to compare
// with it; if there is none, or it is not a regular file, the pending file
// differs.
func (p *Pending) openOld() {
	f, err := p.s.fs.Open(p.rel)
	if err != nil {
		p.differs = true
		return
	}
	p.oldFile, p.old = f, bufio.NewReaderSize(f, 64<<10)
}

// Write writes b, and compares it with the file replaced.
func (p *Pending) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if !p.differs && p.old != nil {
		p.compare(b)
	}
	p.hash.Write(b)
	p.size += int64(len(b))
	if p.keep != nil {
		p.keep.Write(b)
	}
	if p.mem != nil {
		p.mem.Write(b)
		if p.mem.Len() > lazyLimit {
			return len(b), p.spill()
		}
		return len(b), nil
	}
	if p.file != nil {
		if _, err := p.file.Write(b); err != nil {
			p.err = fmt.Errorf("writing %s: %w", p.s.Path(p.rel), err)
			return 0, p.err
		}
	}
	return len(b), nil
}

// compare compares b with the next bytes of the file replaced.
func (p *Pending) compare(b []byte) {
	var buf [4096]byte
	for len(b) > 0 && !p.differs {
		n := min(len(b), len(buf))
		if _, err := io.ReadFull(p.old, buf[:n]); err != nil || !bytes.Equal(buf[:n], b[:n]) {
			p.differs = true
		}
		b = b[n:]
	}
}

// close closes the file written, settles whether it differs from the one
// replaced, and notes the stat of the file that will be there.
func (p *Pending) close() error {
	p.settle()
	if p.mem != nil && p.differs && p.err == nil {
		p.spill()
	}
	if p.file != nil {
		if p.differs && p.err == nil {
			if info, err := p.file.Stat(); err == nil {
				p.stat, _ = statOf(info)
			}
		}
		if err := p.file.Close(); err != nil && p.err == nil {
			p.err = fmt.Errorf("writing %s: %w", p.s.Path(p.rel), err)
		}
		p.file = nil
	}
	return p.err
}

// settle settles whether the file differs from the one it replaces: by
// the rest of the old file, or by the SHA-256 the stat cache knows.
func (p *Pending) settle() {
	if p.known != nil {
		var sum [sha256.Size]byte
		p.hash.Sum(sum[:0])
		p.differs = p.size != p.known.stat.size || sum != p.known.sha256
		if !p.differs {
			p.stat = p.known.stat
		}
		p.known = nil
	}
	if p.oldFile == nil {
		return
	}
	if !p.differs {
		if _, err := p.old.ReadByte(); err == nil { // the old file is longer
			p.differs = true
		}
	}
	if !p.differs {
		if info, err := p.oldFile.Stat(); err == nil {
			p.stat, _ = statOf(info)
		}
	}
	p.oldFile.Close()
	p.oldFile, p.old = nil, nil
}

// moveInto renames the file written, under the name temp, into place, and
// notes its stat there: a rename changes a file's change time.
func (p *Pending) moveInto(temp string) error {
	if err := p.s.fs.Rename(temp, p.rel); err != nil {
		return err
	}
	if info, err := p.s.fs.Lstat(p.rel); err == nil {
		p.stat, _ = statOf(info)
	}
	return nil
}

// sum returns the file's name, size and SHA-256.
func (p *Pending) sum() FileSum {
	f := FileSum{Name: path.Base(p.rel), Bytes: p.size}
	p.hash.Sum(f.SHA256[:0])
	return f
}

// Commit puts the file in place if it differs from the one there, and
// counts it; in Compare mode it only counts it.
func (p *Pending) Commit() error {
	if err := p.close(); err != nil {
		p.abort()
		return err
	}
	if p.keep != nil {
		p.s.mu.Lock()
		p.s.overlay[p.rel] = p.keep.Bytes()
		p.s.mu.Unlock()
	}
	p.mem = nil
	if p.temp != "" {
		var err error
		if p.differs {
			err = p.moveInto(p.temp)
		} else {
			err = p.s.fs.Remove(p.temp)
		}
		if err != nil {
			p.abort()
			return fmt.Errorf("writing %s: %w", p.s.Path(p.rel), err)
		}
		p.temp = ""
	}
	if !p.uncounted {
		p.s.count(p.rel, p.differs)
	}
	return nil
}

// abort drops the file written.
func (p *Pending) abort() {
	p.close()
	if p.temp != "" {
		if err := p.s.fs.Remove(p.temp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return // left for the next writer to remove
		}
		p.temp = ""
	}
}

// Abort drops the file written, leaving the one there as it was.
func (p *Pending) Abort() {
	p.abort()
}
