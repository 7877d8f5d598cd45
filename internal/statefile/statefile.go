// Package statefile keeps an emulator's state on disk so that whatever the
// emulator has answered survives a crash, kill -9 included. The state lives
// in two files: a snapshot (the whole state, as its owner encodes it) and,
// beside it, an append-only journal of the changes made since, one batch per
// line, each written and synced before the owner answers (see Journal). A
// snapshot that cannot be loaded is moved aside; a journal that ends in a
// damaged batch is loaded up to it. It uses only the standard library.
package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Error reports a state file that could not be loaded. Its owner then starts
// from a fresh state.
type Error struct {
	What    string // whose state file, e.g. "Slack sandbox"
	Fresh   string // what it started with instead, e.g. "a fresh workspace"
	Path    string // the state file
	MovedTo string // where the bad file was moved, "" if it could not be
	Err     error  // why it could not be loaded
}

// Error says what happened and where the old file went.
func (e *Error) Error() string {
	if e.MovedTo != "" {
		return fmt.Sprintf("%s state file %s could not be loaded (%v); moved it to %s and started with %s", e.What, e.Path, e.Err, e.MovedTo, e.Fresh)
	}
	return fmt.Sprintf("%s state file %s could not be loaded (%v) nor moved aside; started with %s, which will not be saved", e.What, e.Path, e.Err, e.Fresh)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// WriteAtomic replaces path with data, creating its folder: a reader (or a
// crash, or a power cut) sees the old file or the new one, never half of
// one. The file and its folder are synced before it returns.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// syncDir makes the names in dir durable (a rename, a new file). Windows
// cannot sync a folder and needs not.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Read returns the contents of path; a missing file is not an error (nil
// data).
func Read(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// MoveAside renames a bad state file to path+".corrupt" and returns the new
// name.
func MoveAside(path string) (string, error) {
	to := path + ".corrupt"
	return to, os.Rename(path, to)
}
