package results

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
)

// Experiments returns the names of the experiments the results folder's
// manifest lists, sorted.
func (s *Store) Experiments() []string {
	if s.top == nil {
		return nil
	}
	return s.top.SortedExperiments()
}

// registerExperiment lists an experiment in the results folder's manifest
// before anything of it is written, so that its folder is known as the
// runner's whatever stops the writing. Shards of other batches may do so at
// once: each reads the manifest back, and writes it again until it holds
// its experiment.
func (s *Store) registerExperiment(name string) error {
	if s.mode == Compare {
		return nil
	}
	for try := 0; ; try++ {
		if slices.Contains(s.top.Experiments, name) {
			return nil
		}
		m := *s.top
		m.Experiments = slices.Sorted(slices.Values(append(slices.Clone(m.Experiments), name)))
		if err := s.write(ManifestFile, m.Render(), false); err != nil {
			return err
		}
		data, err := readAllFile(s.fs, ManifestFile)
		if err != nil {
			return err
		}
		if s.top, err = ParseFolderManifest(data); err != nil {
			return fmt.Errorf("%s: %w", s.Path(ManifestFile), err)
		}
		if try == 10 {
			return fmt.Errorf("writing %s: another process keeps changing it", s.Path(ManifestFile))
		}
	}
}

// unregisterExperiment takes a removed experiment out of the results
// folder's manifest.
func (s *Store) unregisterExperiment(name string) error {
	m := *s.top
	m.Experiments = slices.DeleteFunc(slices.Clone(m.Experiments), func(e string) bool { return e == name })
	if err := s.write(ManifestFile, m.Render(), false); err != nil {
		return err
	}
	s.top = &m
	return nil
}

// TopUnchanged reports whether the results folder's own files are those
// its stat cache knows, and its manifest lists exactly experiments: then,
// if no experiment changed, they need not be rebuilt.
func (s *Store) TopUnchanged(experiments []string) bool {
	if s.top == nil || s.mode != Write || !slices.Equal(s.top.SortedExperiments(), experiments) || !slices.Equal(s.top.Files, topFiles) {
		return false
	}
	c := s.topCache()
	for _, name := range append(slices.Clone(topFiles), ManifestFile) {
		if s.knownTop(c, name) == nil {
			return false
		}
	}
	return true
}

// topCache reads the stat cache of the results folder's own files.
func (s *Store) topCache() *statCache {
	c := newStatCache()
	data, err := readAllFile(s.fs, cacheName(topCache))
	if err != nil {
		return c
	}
	info, err := s.fs.Lstat(cacheName(topCache))
	if err != nil {
		return c
	}
	identity := cacheIdentity(s.dev, s.ino)
	body, ok := unsealCache(data)
	lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
	if !ok || string(lines[0])+"\n" != identity {
		return c
	}
	for _, line := range lines[1:] {
		if !c.take(string(line), identity) {
			return newStatCache()
		}
	}
	st, _ := statOf(info)
	c.written = st.mtime
	return c
}

// knownTop returns what the cache knows of one of the results folder's
// own files, if the file stats as the cache saw it.
func (s *Store) knownTop(c *statCache, name string) *cacheEntry {
	e, ok := c.files[name]
	if !ok {
		return nil
	}
	info, err := s.fs.Lstat(name)
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	if st, ok := statOf(info); !ok || !c.fresh(st, e.stat) {
		return nil
	}
	return &e
}

// TopWriter writes the results folder's own files (summary.csv,
// summary.md, README.md) and its manifest. A file whose content does not
// change is not touched.
type TopWriter struct {
	s           *Store
	experiments []string
	old         []string
	cache       *statCache
	put         map[string]*Pending
}

// OpenTop starts writing the results folder's own files, and its manifest
// listing experiments. It refuses to replace a file there that the
// manifest did not list.
func (s *Store) OpenTop(experiments []string) (*TopWriter, error) {
	t := &TopWriter{s: s, experiments: experiments, cache: s.topCache(), put: map[string]*Pending{}}
	if s.top != nil {
		t.old = s.top.Files
	}
	for _, name := range topFiles {
		if err := s.checkMine(name, t.old, name); err != nil {
			return nil, err
		}
	}
	if s.mode != Compare {
		// The manifest lists the old files and the new while they change.
		during := FolderManifest{Layout: Layout, Files: union(t.old, topFiles), Experiments: experiments}
		if err := s.write(ManifestFile, during.Render(), false); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Create starts one of the folder's own files, written as a stream.
func (t *TopWriter) Create(name string) (*Pending, error) {
	if !slices.Contains(topFiles, name) {
		return nil, fmt.Errorf("%s is not a file of a results folder's", name)
	}
	p, err := t.s.createKnown(name, t.s.knownTop(t.cache, name))
	if err == nil {
		t.put[name] = p
	}
	return p, err
}

// Put writes one of the folder's own files whole.
func (t *TopWriter) Put(name string, data []byte) error {
	p, err := t.Create(name)
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Abort()
		return err
	}
	return p.Commit()
}

// Close writes the manifest listing the files put, removes the old files
// not put again, and writes the stat cache of them all.
func (t *TopWriter) Close() error {
	s := t.s
	var names []string
	for _, name := range topFiles {
		if t.put[name] != nil {
			names = append(names, name)
		}
	}
	m := FolderManifest{Layout: Layout, Files: names, Experiments: t.experiments}
	p, err := s.createKnown(ManifestFile, s.knownTop(t.cache, ManifestFile))
	if err == nil {
		_, err = p.Write(m.Render())
	}
	if err == nil {
		err = p.Commit()
	}
	if err != nil {
		return err
	}
	t.put[ManifestFile] = p
	for _, name := range t.old {
		if !slices.Contains(names, name) {
			if err := s.remove(name); err != nil {
				return err
			}
		}
	}
	s.top = &m
	if s.mode != Write {
		return nil
	}
	cache := []byte(cacheIdentity(s.dev, s.ino))
	for _, name := range append(names, ManifestFile) {
		e := cacheEntry{stat: t.put[name].stat}
		t.put[name].hash.Sum(e.sha256[:0])
		cache = appendFileEntry(cache, name, e)
	}
	sum := sha256.Sum256(cache)
	cache = appendCacheSum(cache, sum[:])
	if old, err := readAllFile(s.fs, cacheName(topCache)); err == nil && bytes.Equal(old, cache) {
		return nil
	}
	return s.writePrivate(cacheName(topCache), cache)
}

// ExperimentFile returns the path of an experiment file relative to the
// folder that holds the results folder, as manifests record it (as
// experiments/lr.yaml for results/ beside experiments/), or "" if the file
// is not under that folder: so that what a manifest records depends on
// the repository's layout, not on where it is on a machine.
func (s *Store) ExperimentFile(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	rel, err := filepath.Rel(filepath.Dir(s.root), abs)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	return filepath.ToSlash(rel)
}

// ExperimentFilePath returns the path of a file a manifest records, for
// the file system of the operating system.
func (s *Store) ExperimentFilePath(rel string) string {
	return filepath.Join(filepath.Dir(s.root), filepath.FromSlash(rel))
}

// FreeSpace returns the bytes free to an unprivileged user on the results
// folder's file system, and whether that is known.
func (s *Store) FreeSpace() (int64, bool) {
	n, err := s.fs.Free()
	return n, err == nil
}

// StoredRuns counts the runs of an experiment that its records list, for
// the estimate of what a batch will write; 0 if they cannot be read.
func (s *Store) StoredRuns(experiment string) int {
	m, err := ReadManifest(s.View(), experiment)
	if err != nil {
		return 0
	}
	n := 0
	if err := ReadRecords(s.View(), m, func(*Record) error { n++; return nil }); err != nil {
		return 0
	}
	return n
}

// Foreign lists what the results folder holds at its top that is not the
// runner's: neither one of its own files, nor its private folder, nor the
// folder of one of experiments. It is left alone.
func (s *Store) Foreign(experiments []string) []string {
	entries, err := s.fs.ReadDir(".")
	if err != nil {
		return nil
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		if name == ManifestFile || name == PrivateDir || slices.Contains(topFiles, name) || (e.IsDir() && slices.Contains(experiments, name)) {
			continue
		}
		foreign = append(foreign, name)
	}
	return foreign
}
