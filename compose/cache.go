package compose

import (
	"path/filepath"
	"sync"
)

// Cache parses each file once per run and hands the same *Document to every
// environment that includes it. It is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	docs map[string]cached
}

type cached struct {
	doc *Document
	err error
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{docs: map[string]cached{}} }

// Load returns the document at path (made absolute), parsing it on first use.
// name is how messages call the file.
func (c *Cache) Load(path, name string) (*Document, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.docs[abs]; ok {
		return e.doc, e.err
	}
	d, err := ReadFile(abs, name)
	c.docs[abs] = cached{d, err}
	return d, err
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
	c.docs[abs] = cached{doc: d}
}
