package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// FS is what the engine reads files through: compose files, the files
// they include and extend, env files, label files, composure.yaml, the
// directories discovery lists and the symbolic links paths go through.
// Names are absolute paths of the operating system, as the engine keeps
// them (a Document's Path, an Environment's Files, the paths of the
// model), so that everything printed reads the same whatever FS a project
// is loaded from. OS is the disk; `diff --rev` loads a git revision in
// place of the working tree (cmd/composure gitrev.go).
//
// Errors wrap fs.ErrNotExist and the like, as the os package's do. An FS
// value must be comparable (a pointer, or a struct of comparable fields):
// a Cache belongs to one FS.
type FS interface {
	// Open opens name for reading.
	Open(name string) (fs.File, error)
	// Stat describes name, following symbolic links.
	Stat(name string) (fs.FileInfo, error)
	// Lstat describes name, not following it if it is a symbolic link.
	Lstat(name string) (fs.FileInfo, error)
	// ReadDir lists the directory name, sorted by file name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// EvalSymlinks returns name with every symbolic link followed, as
	// filepath.EvalSymlinks does.
	EvalSymlinks(name string) (string, error)
}

// OS is the FS of the disk: each method is the os (or filepath) function
// of the same name, nothing added.
type OS struct{}

func (OS) Open(name string) (fs.File, error)          { return os.Open(name) }
func (OS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (OS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (OS) EvalSymlinks(name string) (string, error)   { return filepath.EvalSymlinks(name) }

// OrOS returns fsys, or OS when fsys is nil: the engine's options default
// to the disk.
func OrOS(fsys FS) FS {
	if fsys == nil {
		return OS{}
	}
	return fsys
}

// ReadEnvFile reads the env file at path in fsys into vars, as docker
// compose reads an env file (format "" is the .env syntax; others are the
// formats registered with compose-go's dotenv, such as envs' "raw"); its
// values may use the variables lookup answers. The file is read with
// ReadBoundedFS's guarantees.
func ReadEnvFile(fsys FS, path, format string, vars map[string]string, lookup func(string) (string, bool)) error {
	st, err := fsys.Stat(path)
	if err != nil {
		return err
	}
	return readEnvFile(fsys, path, st, format, vars, lookup)
}

// readEnvFile is ReadEnvFile once path is known to be st.
func readEnvFile(fsys FS, path string, st fs.FileInfo, format string, vars map[string]string, lookup func(string) (string, bool)) error {
	b, err := readBounded(fsys, path, st)
	if err != nil {
		return err
	}
	return dotenv.ParseWithFormat(bytes.NewReader(b), path, vars, lookup, format)
}

// ReadEnvFiles reads the env files of a project (.env, --env-file,
// COMPOSE_ENV_FILES, an include's env_file) in order, as docker compose
// does (compose-go's dotenv.GetEnvFromFile, whose error texts these are):
// a value may use the variables of current, then those of the files read
// before. A missing file or a directory is an error.
func ReadEnvFiles(fsys FS, current map[string]string, files []string) (map[string]string, error) {
	vars := map[string]string{}
	lookup := func(k string) (string, bool) {
		if v, ok := current[k]; ok {
			return v, true
		}
		v, ok := vars[k]
		return v, ok
	}
	for _, f := range files {
		f, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		st, err := fsys.Stat(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("couldn't find env file: %s", f)
		case err != nil:
			return nil, err
		case st.IsDir():
			return nil, fmt.Errorf("%s is a directory", f)
		}
		if err := readEnvFile(fsys, f, st, "", vars, lookup); err != nil {
			return nil, err
		}
	}
	return vars, nil
}
