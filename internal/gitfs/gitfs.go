// Package gitfs reads a git revision as an io/fs file system, with git
// itself: `git ls-tree` lists the revision's tree once, `git cat-file
// --batch` reads the files asked for. Nothing is extracted or checked out,
// the index and the working tree are not touched, and .gitattributes do not
// apply (export-ignore and export-subst are `git archive`'s business), so
// every file reads as committed.
//
// The file system is rooted at the top of the repository: a project in
// deploy/ reads ../common/compose.yaml as common/compose.yaml. Symbolic
// links are followed within the repository; a submodule is not part of
// the revision's files.
package gitfs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FS is a git revision of a repository, read-only. It is safe for use by
// several goroutines at once. Close stops the git process that reads files.
type FS struct {
	top    string // the repository's working tree, absolute
	commit string // the revision, resolved
	prefix string // the directory Open was given, relative to top ("." for top)
	when   time.Time

	entries map[string]*entry // by slash path from top; "." is the root

	mu  sync.Mutex
	cat *catFile // started on the first read
	ctx context.Context
}

// entry is one file or directory of the revision.
type entry struct {
	name     string
	mode     fs.FileMode
	object   string // blob id; "" for a directory
	size     int64
	children []string // names, sorted; directories only
}

var (
	_ fs.ReadFileFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadLinkFS = (*FS)(nil)
)

// Open reads the tree of revision rev (anything `git rev-parse` takes as a
// commit) of the repository holding dir. ctx bounds the git processes.
func Open(ctx context.Context, dir, rev string) (*FS, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("revision %q: a revision cannot start with '-'", rev)
	}
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository (%v)", dir, err)
	}
	prefix, err := git(ctx, dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	commit, err := git(ctx, top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil || commit == "" {
		return nil, fmt.Errorf("unknown revision %q: name a commit, branch or tag of %s", rev, top)
	}
	when, err := git(ctx, top, "show", "-s", "--format=%ct", commit)
	if err != nil {
		return nil, err
	}
	secs, _ := strconv.ParseInt(when, 10, 64)
	f := &FS{
		top: top, commit: commit, prefix: path.Clean("./" + strings.TrimSuffix(prefix, "/")),
		when: time.Unix(secs, 0), ctx: ctx,
		entries: map[string]*entry{".": {name: ".", mode: fs.ModeDir | 0o755}},
	}
	if err := f.list(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// Commit is the full id of the revision.
func (f *FS) Commit() string { return f.commit }

// Top is the absolute path of the repository's working tree, which the file
// system's root stands for.
func (f *FS) Top() string { return f.top }

// Dir is the directory Open was given, as a path of the file system ("."
// for the top of the repository).
func (f *FS) Dir() string { return f.prefix }

// Rel turns an absolute path under Top into a path of the file system;
// false for a path outside the repository.
func (f *FS) Rel(abs string) (string, bool) {
	r, err := filepath.Rel(f.top, abs)
	if err != nil || !filepath.IsLocal(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// list reads the whole tree of the revision with `git ls-tree -r -t -l -z`:
// mode, type, object, size and path of every entry, subtrees included.
func (f *FS) list(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "git", "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", f.commit)
	cmd.Dir = f.top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-tree %s: %v: %s", f.commit, err, strings.TrimSpace(stderr.String()))
	}
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		// <mode> SP <type> SP <object> SP+ <size> TAB <path>
		meta, name, ok := strings.Cut(string(rec), "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 4 {
			return fmt.Errorf("git ls-tree: unexpected line %q", rec)
		}
		e := &entry{name: path.Base(name), object: fields[2]}
		switch fields[1] {
		case "tree":
			e.mode, e.object = fs.ModeDir|0o755, ""
		case "blob":
			e.size, _ = strconv.ParseInt(fields[3], 10, 64)
			switch fields[0] {
			case "120000":
				e.mode = fs.ModeSymlink | 0o777
			case "100755":
				e.mode = 0o755
			default:
				e.mode = 0o644
			}
		default:
			continue // a submodule's commit: not the revision's files
		}
		f.entries[name] = e
		parent := f.entries[path.Dir(name)]
		if parent == nil {
			return fmt.Errorf("git ls-tree: %q listed before its directory", name)
		}
		parent.children = append(parent.children, e.name)
	}
	for _, e := range f.entries {
		slices.Sort(e.children)
	}
	return nil
}

// maxLinks bounds the symbolic links followed to resolve one name, as the
// kernel's 40.
const maxLinks = 40

// resolve returns the entry name stands for, following symbolic links
// (the last element's too when follow is set) within the repository.
func (f *FS) resolve(op, name string, follow bool) (string, *entry, error) {
	if !fs.ValidPath(name) {
		return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	links := 0
	cur := "."
	rest := strings.Split(name, "/")
	if name == "." {
		rest = nil
	}
	for len(rest) > 0 {
		elem := rest[0]
		rest = rest[1:]
		next := path.Join(cur, elem)
		e, ok := f.entries[next]
		if !ok {
			return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		if e.mode&fs.ModeSymlink != 0 && (len(rest) > 0 || follow) {
			if links++; links > maxLinks {
				return "", nil, &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
			}
			target, err := f.blob(e)
			if err != nil {
				return "", nil, &fs.PathError{Op: op, Path: name, Err: err}
			}
			t := string(target)
			if path.IsAbs(t) {
				return "", nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("symbolic link to %s, outside the repository", t)}
			}
			joined := path.Join(cur, t)
			if joined != "." && !fs.ValidPath(joined) {
				return "", nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("symbolic link to %s, outside the repository", t)}
			}
			// Walk the target from the root, then what followed the link.
			cur = "."
			if joined != "." {
				rest = append(strings.Split(joined, "/"), rest...)
			}
			continue
		}
		if len(rest) > 0 && !e.mode.IsDir() {
			return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		cur = next
	}
	return cur, f.entries[cur], nil
}

// ReadFile reads the file name as committed.
func (f *FS) ReadFile(name string) ([]byte, error) {
	_, e, err := f.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	if e.mode.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	b, err := f.blob(e)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

// Stat describes name, following symbolic links.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	_, e, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{e, f.when}, nil
}

// Lstat describes name without following it if it is a symbolic link.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	_, e, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{e, f.when}, nil
}

// ReadLink returns the target of the symbolic link name, as committed.
func (f *FS) ReadLink(name string) (string, error) {
	_, e, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.New("not a symbolic link")}
	}
	b, err := f.blob(e)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(b), nil
}

// EvalSymlinks returns name with every symbolic link in it followed, as
// filepath.EvalSymlinks does on the disk: a path of the file system.
func (f *FS) EvalSymlinks(name string) (string, error) {
	resolved, _, err := f.resolve("evalsymlinks", name, true)
	return resolved, err
}

// ReadDir lists the directory name, sorted by name; symbolic links are
// listed as such.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	dir, e, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	out := make([]fs.DirEntry, len(e.children))
	for i, c := range e.children {
		out[i] = fs.FileInfoToDirEntry(info{f.entries[path.Join(dir, c)], f.when})
	}
	return out, nil
}

// Open opens name for reading (fs.FS).
func (f *FS) Open(name string) (fs.File, error) {
	dir, e, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.mode.IsDir() {
		entries, err := f.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		return &openDir{info: info{e, f.when}, entries: entries}, nil
	}
	b, err := f.blob(e)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &openFile{info: info{e, f.when}, Reader: bytes.NewReader(b)}, nil
}

// Close stops the git process reading files. The file system answers
// nothing afterwards that needs it.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cat == nil {
		return nil
	}
	err := f.cat.close()
	f.cat = nil
	return err
}

// blob reads the object of e through the cat-file process.
func (f *FS) blob(e *entry) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cat == nil {
		c, err := startCatFile(f.ctx, f.top)
		if err != nil {
			return nil, err
		}
		f.cat = c
	}
	b, err := f.cat.read(e.object)
	if err != nil {
		// The process is of no use after a failed exchange.
		_ = f.cat.close()
		f.cat = nil
	}
	return b, err
}

// catFile is a running `git cat-file --batch`: write an object id and a
// newline, read `<id> <type> <size>`, the content and a newline.
type catFile struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
}

func startCatFile(ctx context.Context, top string) (*catFile, error) {
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = top
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, out: bufio.NewReader(out), stderr: &stderr}, nil
}

func (c *catFile) read(object string) ([]byte, error) {
	if _, err := io.WriteString(c.in, object+"\n"); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w: %s", err, strings.TrimSpace(c.stderr.String()))
	}
	fields := strings.Fields(header)
	if len(fields) != 3 || fields[1] != "blob" {
		return nil, fmt.Errorf("git cat-file: object %s: %s", object, strings.TrimSpace(header))
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size < 0 {
		return nil, fmt.Errorf("git cat-file: bad size in %q", header)
	}
	b := make([]byte, size+1) // the content and its newline
	if _, err := io.ReadFull(c.out, b); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return b[:size], nil
}

func (c *catFile) close() error {
	_ = c.in.Close()
	return c.cmd.Wait()
}

// git runs a git command in dir and returns its output, trimmed.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// info is an entry as fs.FileInfo; every entry has the commit's time.
type info struct {
	e    *entry
	when time.Time
}

func (i info) Name() string       { return i.e.name }
func (i info) Size() int64        { return i.e.size }
func (i info) Mode() fs.FileMode  { return i.e.mode }
func (i info) ModTime() time.Time { return i.when }
func (i info) IsDir() bool        { return i.e.mode.IsDir() }
func (i info) Sys() any           { return nil }

type openFile struct {
	info info
	*bytes.Reader
}

func (o *openFile) Stat() (fs.FileInfo, error) { return o.info, nil }
func (o *openFile) Close() error               { return nil }

type openDir struct {
	info    info
	entries []fs.DirEntry
	off     int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Close() error               { return nil }
func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}

// ReadDir reads the directory's entries, n at a time (fs.ReadDirFile).
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}
