// Package statefile keeps an emulator's state in a file: it loads the file,
// moves aside one that cannot be loaded, and rewrites it atomically in the
// background after changes. It uses only the standard library.
package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// SaveInterval is the longest a change waits before the state file is
// rewritten; changes in between are saved together.
const SaveInterval = 500 * time.Millisecond

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

// Open loads the state file at path through decode and returns a Saver that
// keeps it up to date through encode. A missing file is not an error; a file
// that cannot be read or decoded is moved aside and reported by an *Error
// naming what (its owner) and fresh (what it starts with instead). A fresh
// state is saved right away. If the bad file cannot be moved aside either,
// Open returns a nil Saver, so that file is never overwritten.
func Open(path, what, fresh string, decode func([]byte) error, encode func() ([]byte, error)) (*Saver, error) {
	data, err := Read(path)
	if err == nil && data != nil {
		err = decode(data)
	}
	var loadErr error // a nil interface unless the file is bad
	if err != nil {
		e := &Error{What: what, Fresh: fresh, Path: path, Err: err}
		loadErr = e
		to, merr := MoveAside(path)
		switch {
		case merr == nil:
			e.MovedTo = to
		case !errors.Is(merr, fs.ErrNotExist):
			return nil, loadErr
		}
	}
	s := NewSaver(path, encode)
	if data == nil || err != nil {
		s.Touch()
	}
	return s, loadErr
}

// Saver rewrites a state file in the background, at most once per
// SaveInterval, after Touch. Its methods do nothing on a nil *Saver.
type Saver struct {
	path    string
	encode  func() ([]byte, error)
	dirty   atomic.Bool // the state changed since the last save
	kick    chan struct{}
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
	mu      sync.Mutex // serializes writes
}

// NewSaver starts a background saver of path; encode returns the file
// contents. Nothing is written before Touch.
func NewSaver(path string, encode func() ([]byte, error)) *Saver {
	s := &Saver{path: path, encode: encode, kick: make(chan struct{}, 1),
		quit: make(chan struct{}), stopped: make(chan struct{})}
	go s.loop()
	return s
}

// Touch records a change: the file is rewritten within SaveInterval. It never
// blocks.
func (s *Saver) Touch() {
	if s == nil {
		return
	}
	s.dirty.Store(true)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loop saves after each Touch, no more often than SaveInterval.
func (s *Saver) loop() {
	defer close(s.stopped)
	var last time.Time
	for {
		select {
		case <-s.kick:
		case <-s.quit:
			return
		}
		if wait := SaveInterval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.quit:
				t.Stop()
				return
			}
		}
		last = time.Now()
		_ = s.Flush()
	}
}

// Flush writes the file now if anything changed since the last save. After
// a failure the change stays pending.
func (s *Saver) Flush() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty.Swap(false) {
		return nil
	}
	data, err := s.encode()
	if err == nil {
		err = WriteAtomic(s.path, data)
	}
	if err != nil {
		s.dirty.Store(true)
	}
	return err
}

// Stop ends the background saver and writes what is left. It is safe to
// call more than once.
func (s *Saver) Stop() error {
	if s == nil {
		return nil
	}
	s.once.Do(func() { close(s.quit) })
	<-s.stopped
	return s.Flush()
}

// WriteAtomic replaces path with data, creating its folder: a reader (or a
// crash) sees the old file or the new one, never half of one.
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
