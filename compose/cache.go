package compose

import (
	"path/filepath"
	"sync"
)

// Cache parses each file once per run and hands the same *Document to every
// environment that includes it. It reads one FS. It is safe for concurrent
// use.
type Cache struct {
	fs   FS
	mu   sync.Mutex
	docs map[string]*cached
}

// cached is one file, parsed once by whoever asks first; the cache's lock
// is not held while parsing, so different files parse in parallel.
type cached struct {
	once sync.Once
	doc  *Document
	err  error
}

// NewCache returns an empty cache of files on the disk.
func NewCache() *Cache { return NewCacheFS(OS{}) }

// NewCacheFS returns an empty cache of files in fsys (nil: the disk).
func NewCacheFS(fsys FS) *Cache { return &Cache{fs: OrOS(fsys), docs: map[string]*cached{}} }

// FS is the file system the cache reads.
func (c *Cache) FS() FS { return c.fs }

// Load returns the document at path (made absolute), parsing it on first use.
// name is how messages call the file.
func (c *Cache) Load(path, name string) (*Document, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	e, ok := c.docs[abs]
	if !ok {
		e = &cached{}
		c.docs[abs] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.doc, e.err = ReadFileFS(c.fs, abs, name) })
	return e.doc, e.err
}

// Put makes Load return d for d.Path from now on, without reading the disk:
// refactor proves a rewrite by loading environments with the edited file
// put in a fresh cache.
func (c *Cache) Put(d *Document) {
	abs, err := filepath.Abs(d.Path)
	if err != nil {
		abs = d.Path
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &cached{doc: d}
	e.once.Do(func() {})
	c.docs[abs] = e
}
