package slackemu

import "github.com/incidentflow/incidentflow/internal/statefile"

// SaveInterval is the longest a change waits before the state file is
// rewritten; changes in between are saved together.
const SaveInterval = statefile.SaveInterval

// StateFileError reports a state file that could not be loaded. The
// emulator then starts from the seeded workspace.
type StateFileError = statefile.Error

// openStateFile loads Options.StateFile into s and starts saving it. A file
// that cannot be loaded is moved aside (the StateFileError says where); if
// it cannot be moved either, nothing is saved, so it is never overwritten.
func (s *Server) openStateFile() {
	s.persist, s.stateErr = statefile.Open(s.opts.StateFile, "Slack sandbox", "a fresh workspace", func(data []byte) error {
		w, err := decodeState(data, s.opts.Users)
		if err == nil {
			s.st = w
		}
		return err
	}, func() ([]byte, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return encodeState(s.st, s.now())
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
