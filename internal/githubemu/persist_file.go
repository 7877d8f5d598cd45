package githubemu

import "github.com/incidentflow/incidentflow/internal/statefile"

// SaveInterval is the longest a change waits before the state file is
// rewritten; changes in between are saved together.
const SaveInterval = statefile.SaveInterval

// StateFileError reports a state file that could not be loaded. The
// emulator then starts with no repositories but those of Options.Repos.
type StateFileError = statefile.Error

// openStateFile loads Options.StateFile into s and starts saving it. A file
// that cannot be loaded is moved aside (the StateFileError says where); if
// it cannot be moved either, nothing is saved, so it is never overwritten.
func (s *Server) openStateFile() {
	s.persist, s.stateErr = statefile.Open(s.opts.StateFile, "GitHub sandbox", "no issues", func(data []byte) error {
		repos, next, err := decodeState(data)
		if err != nil {
			return err
		}
		s.repos, s.nextID = repos, next
		for _, r := range s.opts.Repos {
			s.repoLocked(r, true) // declared since the file was written
		}
		return nil
	}, func() ([]byte, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.encodeStateLocked()
	})
}

// touchLocked records a change of the persisted state (s.mu held).
func (s *Server) touchLocked() { s.persist.Touch() }

// StateFileError returns the *StateFileError of a state file that could not
// be loaded by New, or nil.
func (s *Server) StateFileError() error { return s.stateErr }

// Save writes the state file now if anything changed since the last save
// (without Options.StateFile it does nothing). Changes are also saved in the
// background within SaveInterval, and by Close.
func (s *Server) Save() error { return s.persist.Flush() }
