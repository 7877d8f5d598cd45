package slackemu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// SaveInterval is the longest a change waits before the state file is
// rewritten; changes in between are saved together.
const SaveInterval = 500 * time.Millisecond

// StateFileError reports a state file that could not be loaded. The
// emulator then starts from the seeded workspace.
type StateFileError struct {
	Path    string // the state file
	MovedTo string // where the bad file was moved, "" if it could not be
	Err     error  // why it could not be loaded
}

// Error says what happened and where the old file went.
func (e *StateFileError) Error() string {
	if e.MovedTo != "" {
		return fmt.Sprintf("Slack sandbox state file %s could not be loaded (%v); moved it to %s and started with a fresh workspace", e.Path, e.Err, e.MovedTo)
	}
	return fmt.Sprintf("Slack sandbox state file %s could not be loaded (%v) nor moved aside; started with a fresh workspace that will not be saved", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *StateFileError) Unwrap() error { return e.Err }

// persister rewrites the state file in the background, at most once per
// SaveInterval, after the server marks its state dirty.
type persister struct {
	path    string
	encode  func() ([]byte, bool, error) // the file contents, and whether anything changed
	redirty func()                       // marks the state dirty again after a failed write
	kick    chan struct{}
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once

	mu  sync.Mutex // serializes writes
	err error      // of the last write
}

// newPersister starts the background saver.
func newPersister(path string, encode func() ([]byte, bool, error), redirty func()) *persister {
	p := &persister{path: path, encode: encode, redirty: redirty, kick: make(chan struct{}, 1),
		quit: make(chan struct{}), stopped: make(chan struct{})}
	go p.loop()
	return p
}

// poke asks for a save soon; it never blocks.
func (p *persister) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// loop saves after each poke, no more often than SaveInterval.
func (p *persister) loop() {
	defer close(p.stopped)
	var last time.Time
	for {
		select {
		case <-p.kick:
		case <-p.quit:
			return
		}
		if wait := SaveInterval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-p.quit:
				t.Stop()
				return
			}
		}
		last = time.Now()
		_ = p.flush()
	}
}

// flush writes the state file now if anything changed.
func (p *persister) flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	data, dirty, err := p.encode()
	if err == nil && dirty {
		if err = writeFileAtomic(p.path, data); err != nil {
			p.redirty()
		}
	}
	p.err = err
	return err
}

// stop ends the background saver and writes what is left.
func (p *persister) stop() error {
	p.once.Do(func() { close(p.quit) })
	<-p.stopped
	return p.flush()
}

// writeFileAtomic replaces path with data: a reader (or a crash) sees the old
// file or the new one, never half of one.
func writeFileAtomic(path string, data []byte) error {
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

// readStateFile reads path; a missing file is not an error (nil data).
func readStateFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// moveAside renames a bad state file to path+".corrupt" and returns the new name.
func moveAside(path string) (string, error) {
	to := path + ".corrupt"
	return to, os.Rename(path, to)
}

// openStateFile loads Options.StateFile into s and starts saving it. A file
// that cannot be loaded is moved aside (the StateFileError says where); if
// it cannot be moved either, nothing is saved, so it is never overwritten.
func (s *Server) openStateFile() {
	path := s.opts.StateFile
	data, err := readStateFile(path)
	if err == nil && data != nil {
		var w *workspace
		if w, err = decodeState(data, s.opts.Users); err == nil {
			s.st = w
		}
	}
	if err != nil {
		serr := &StateFileError{Path: path, Err: err}
		s.stateErr = serr
		to, merr := moveAside(path)
		switch {
		case merr == nil:
			serr.MovedTo = to
		case !errors.Is(merr, fs.ErrNotExist):
			return
		}
	}
	s.persist = newPersister(path, s.encodeIfDirty, func() {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
	})
	s.dirty = data == nil || err != nil // a fresh workspace is saved right away
	if s.dirty {
		s.persist.poke()
	}
}

// encodeIfDirty returns the state file contents when the state changed since
// the last save.
func (s *Server) encodeIfDirty() ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty {
		return nil, false, nil
	}
	data, err := encodeState(s.st, s.now())
	if err != nil {
		return nil, false, err
	}
	s.dirty = false
	return data, true, nil
}

// touchLocked records a change of the persisted state (s.mu held).
func (s *Server) touchLocked() {
	if s.persist == nil {
		return
	}
	s.dirty = true
	s.persist.poke()
}

// StateFileError returns the *StateFileError of a state file that could not
// be loaded by New, or nil.
func (s *Server) StateFileError() error {
	if s.stateErr == nil {
		return nil
	}
	return s.stateErr
}

// Save writes the state file now if anything changed since the last save
// (without Options.StateFile it does nothing). Changes are also saved in the
// background within SaveInterval, and by Close.
func (s *Server) Save() error {
	if s.persist == nil {
		return nil
	}
	return s.persist.flush()
}
