package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var errInjected = errors.New("injected failure")

// faultyFS is the real file system with one step made to fail. It can also
// pretend the original file belongs to someone else, so the Chown step runs
// whoever runs the tests.
type faultyFS struct {
	OS
	failAt    string // step name, see steps
	shortAt   bool   // make Write report a short write without an error
	fired     bool
	fakeOwner *syscall.Stat_t // reported for the target file when set
	target    string
	chowned   bool
}

// steps are the points where Write can fail, in the order it meets them.
var steps = []string{"EvalSymlinks", "Stat", "CreateTemp", "Write", "Sync", "Chown", "Chmod", "Close", "Rename"}

func (f *faultyFS) fail(step string) error {
	if f.failAt == step {
		f.fired = true
		return errInjected
	}
	return nil
}

func (f *faultyFS) EvalSymlinks(p string) (string, error) {
	if err := f.fail("EvalSymlinks"); err != nil {
		return "", err
	}
	return f.OS.EvalSymlinks(p)
}

func (f *faultyFS) Stat(name string) (fs.FileInfo, error) {
	if name == f.target {
		if err := f.fail("Stat"); err != nil {
			return nil, err
		}
	}
	fi, err := f.OS.Stat(name)
	if err == nil && f.fakeOwner != nil && name == f.target {
		return ownedInfo{fi, f.fakeOwner}, nil
	}
	return fi, err
}

type ownedInfo struct {
	fs.FileInfo
	st *syscall.Stat_t
}

func (o ownedInfo) Sys() any { return o.st }

func (f *faultyFS) CreateTemp(dir, pattern string) (File, error) {
	if err := f.fail("CreateTemp"); err != nil {
		return nil, err
	}
	file, err := f.OS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, fs: f}, nil
}

func (f *faultyFS) Chown(name string, uid, gid int) error {
	if err := f.fail("Chown"); err != nil {
		return err
	}
	f.chowned = true
	return f.OS.Chown(name, uid, gid)
}

func (f *faultyFS) Chmod(name string, mode fs.FileMode) error {
	if err := f.fail("Chmod"); err != nil {
		return err
	}
	return f.OS.Chmod(name, mode)
}

func (f *faultyFS) Rename(o, n string) error {
	if err := f.fail("Rename"); err != nil {
		return err
	}
	return f.OS.Rename(o, n)
}

type faultyFile struct {
	File
	fs *faultyFS
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if err := f.fs.fail("Write"); err != nil {
		// Half the bytes reach the disk before the failure, as on a full disk.
		n, _ := f.File.Write(p[:len(p)/2])
		return n, err
	}
	if f.fs.shortAt {
		f.fs.fired = true
		return f.File.Write(p[:len(p)/2])
	}
	return f.File.Write(p)
}

func (f *faultyFile) Sync() error {
	if err := f.fs.fail("Sync"); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultyFile) Close() error {
	if err := f.fs.fail("Close"); err != nil {
		_ = f.File.Close() // the descriptor is gone either way, as with close(2)
		return err
	}
	return f.File.Close()
}

// dirNames lists the names in dir, to spot a temporary file left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

const (
	oldContent = "services:\n  web:\n    image: nginx:1.27\n"
	newContent = "services:\n  web:\n    image: nginx:1.27.3\n    restart: unless-stopped\n"
)

func TestWriteFailureAtEachStep(t *testing.T) {
	cases := append([]string(nil), steps...)
	cases = append(cases, "short write")
	for _, step := range cases {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(path, []byte(oldContent), 0o640); err != nil {
				t.Fatal(err)
			}
			fsys := &faultyFS{failAt: step, shortAt: step == "short write", target: path}
			// Pretend another owner so Chown is on the path for every user.
			fsys.fakeOwner = &syscall.Stat_t{Uid: uint32(os.Geteuid()) + 1, Gid: uint32(os.Getegid())}
			if step != "Chown" {
				// Outside the Chown case the real owner must be kept, or a
				// non-root run would fail at Chown for the wrong reason.
				fsys.fakeOwner = nil
			}
			err := Write(fsys, path, []byte(newContent))
			if !fsys.fired {
				t.Fatalf("step %s was never reached", step)
			}
			if err == nil {
				t.Fatalf("Write succeeded despite a failure at %s", step)
			}
			if step != "short write" && !errors.Is(err, errInjected) {
				t.Errorf("error does not wrap the cause: %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if string(got) != oldContent {
				t.Errorf("original changed after a failure at %s: %q", step, got)
			}
			if names := dirNames(t, dir); len(names) != 1 || names[0] != "compose.yaml" {
				t.Errorf("files left in the directory: %v", names)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
				t.Errorf("original mode changed to %v", st.Mode())
			}
		})
	}
}

func TestWriteReplacesAndKeepsMode(t *testing.T) {
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o664, 0o755} {
		dir := t.TempDir()
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, []byte(oldContent), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, []byte(newContent)); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != newContent {
			t.Errorf("content = %q", got)
		}
		st, _ := os.Stat(path)
		if st.Mode().Perm() != mode {
			t.Errorf("mode %v became %v", mode, st.Mode().Perm())
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("files left: %v", names)
		}
	}
}

func TestWriteKeepsOwnerAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(oldContent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 4242, 4343); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte(newContent)); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	uid, gid, _ := owner(st)
	if uid != 4242 || gid != 4343 {
		t.Errorf("owner became %d:%d, want 4242:4343", uid, gid)
	}
}

func TestWriteChownsOnlyWhenOwnerDiffers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(oldContent), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := &faultyFS{target: path}
	if err := Write(fsys, path, []byte(newContent)); err != nil {
		t.Fatal(err)
	}
	if fsys.chowned {
		t.Error("Chown called although the owner was already right")
	}
}

func TestWriteNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.yaml")
	if err := WriteFile(path, []byte(newContent)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != newFileMode {
		t.Errorf("new file mode %v, want %v", st.Mode().Perm(), newFileMode)
	}
	err = WriteFile(filepath.Join(dir, "missing", "out.yaml"), []byte(newContent))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	link := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(real, []byte(oldContent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.yaml", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte(newContent)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file: %v %v", fi.Mode(), err)
	}
	if got, _ := os.ReadFile(real); string(got) != newContent {
		t.Errorf("target content = %q", got)
	}
}

func TestWriteRefusesReadOnly(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, []byte(oldContent), 0o444); err != nil {
			t.Fatal(err)
		}
		err := WriteFile(path, []byte(newContent))
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod u+w") {
			t.Fatalf("got %v, want a read-only error naming the file and the fix", err)
		}
		if got, _ := os.ReadFile(path); string(got) != oldContent {
			t.Errorf("read-only file changed: %q", got)
		}
	})
	t.Run("directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, []byte(oldContent), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		err := WriteFile(path, []byte(newContent))
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("got %v, want a read-only directory error", err)
		}
		if got, _ := os.ReadFile(path); string(got) != oldContent {
			t.Errorf("file changed: %q", got)
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("files left: %v", names)
		}
	})
	t.Run("not a regular file", func(t *testing.T) {
		dir := t.TempDir()
		err := WriteFile(dir, []byte(newContent))
		if !errors.Is(err, ErrNotFile) {
			t.Fatalf("got %v, want ErrNotFile", err)
		}
	})
}

func TestWriteLargeExact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	data := bytes.Repeat([]byte("x-a: 1\n\x00\xff"), 1<<17)
	if err := WriteFile(path, data); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, data) {
		t.Errorf("content differs: %d bytes written, %d read", len(data), len(got))
	}
}
