package results

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"path/filepath"
)

// Pending is a file being written: to a temporary file, compared with the
// file it would replace as it goes, and hashed. Writes go straight to the
// file: callers that write in small pieces buffer them.
type Pending struct {
	s       *Store
	rel     string         // slash-separated path under the root
	temp    string         // the file written, or "" in Compare mode
	file    io.WriteCloser // writes temp
	oldFile io.ReadCloser  // the file replaced, while it matches
	old     *bufio.Reader  // reads oldFile
	differs bool
	hash    hash.Hash
	size    int64
	keep    *bytes.Buffer // in Compare mode, what would be written
	// uncounted files are not counted as put: a manifest written on the
	// way to its final content.
	uncounted bool
	err       error
}

// create starts writing the file at rel: into temp, or a fresh temporary
// file if temp is "". It compares with the file at rel, unless its folder
// is known to be new.
func (s *Store) create(rel, temp string, isNew bool) (*Pending, error) {
	p := &Pending{s: s, rel: rel, hash: sha256.New()}
	if s.mode == Compare {
		if name := path.Base(rel); name == SummaryFile || name == ManifestFile {
			p.keep = new(bytes.Buffer) // read back to build the top's summary
		}
	} else {
		if temp == "" {
			temp = s.tempName(rel)
		}
		f, err := s.fs.Create(temp, 0o644)
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

// openOld opens the file that the pending file would replace, to compare
// with it; if there is none, the pending file differs.
func (p *Pending) openOld() {
	f, err := p.s.fs.Open(p.s.abs(p.rel))
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
	if !p.differs {
		p.compare(b)
	}
	p.hash.Write(b)
	p.size += int64(len(b))
	if p.keep != nil {
		p.keep.Write(b)
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

// close closes the file written, and settles whether it differs from the
// one replaced.
func (p *Pending) close() error {
	if p.oldFile != nil {
		if !p.differs {
			if _, err := p.old.ReadByte(); err == nil { // the old file is longer
				p.differs = true
			}
		}
		p.oldFile.Close()
		p.oldFile, p.old = nil, nil
	}
	if p.file != nil {
		if err := p.file.Close(); err != nil && p.err == nil {
			p.err = fmt.Errorf("writing %s: %w", p.s.Path(p.rel), err)
		}
		p.file = nil
	}
	return p.err
}

// sum returns the file's name, size and SHA-256.
func (p *Pending) sum() FileSum {
	return FileSum{Name: filepath.Base(p.rel), Bytes: p.size, SHA256: hex.EncodeToString(p.hash.Sum(nil))}
}

// Commit puts the file in place if it differs from the one there, and
// counts it; in Compare mode it only counts it.
func (p *Pending) Commit() error {
	return p.commit()
}

func (p *Pending) commit() error {
	if err := p.close(); err != nil {
		p.abort()
		return err
	}
	if p.keep != nil {
		p.s.mu.Lock()
		p.s.overlay[p.rel] = p.keep.Bytes()
		p.s.mu.Unlock()
	}
	if p.temp != "" {
		var err error
		if p.differs {
			if err = p.s.fs.MkdirAll(filepath.Dir(p.s.abs(p.rel)), 0o755); err == nil {
				err = p.s.fs.Rename(p.temp, p.s.abs(p.rel))
			}
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
