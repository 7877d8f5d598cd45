package githubemu

import (
	"fmt"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// StateFileError reports a state file that could not be loaded. The
// emulator then starts with no repositories but those of Options.Repos.
type StateFileError = statefile.Error

// JournalError reports a state file whose journal could not be read to its
// end: the issues were loaded up to the last whole change before the damage
// (a crash while it was being written leaves one cut short).
type JournalError = statefile.JournalError

// openStateFile loads Options.StateFile into s, its journal included. A
// file that cannot be loaded is moved aside (the StateFileError says where);
// if it cannot be moved either, nothing is saved, so it is never
// overwritten. A journal damaged part of the way is loaded up to the damage
// (the JournalError says what was dropped).
func (s *Server) openStateFile() {
	s.journal, s.stateErr = statefile.Open(s.opts.StateFile, "GitHub sandbox", "no issues", func(data []byte) error {
		repos, next, err := decodeState(data)
		if err == nil {
			s.repos, s.nextID = repos, next
		}
		return err
	}, s.applyChangesLocked, s.encodeStateLocked) // before New returns: nobody else holds s
	s.committedID = s.nextID
	for _, r := range s.opts.Repos {
		s.repoLocked(r, true) // declared since the file was written
	}
	_ = s.commitLocked() // a failure is retried with the next change
}

// StateFileError returns the *StateFileError of a state file that could not
// be loaded by New, the *JournalError of one loaded only in part, or nil.
func (s *Server) StateFileError() error { return s.stateErr }

// Save writes every issue to the state file now, folding the journal into
// it (without Options.StateFile it does nothing). Every change is on disk
// before the emulator answers anyway; Save only makes the file whole, as
// Close does.
func (s *Server) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commitLocked(); err != nil {
		return err
	}
	return s.journal.Compact()
}

// commitFailure says that a change could not be written, and why.
func commitFailure(err error) string {
	return fmt.Sprintf("The GitHub sandbox could not write the change to its state file, so it may be lost: %v", err)
}
