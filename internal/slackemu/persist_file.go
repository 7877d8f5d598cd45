package slackemu

import (
	"fmt"
	"net/http"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// StateFileError reports a state file that could not be loaded. The
// emulator then starts from the seeded workspace.
type StateFileError = statefile.Error

// JournalError reports a state file whose journal could not be read to its
// end: the workspace was loaded up to the last whole change before the
// damage (a crash while it was being written leaves one cut short).
type JournalError = statefile.JournalError

// openStateFile loads Options.StateFile into s, its journal included. A
// file that cannot be loaded is moved aside (the StateFileError says where);
// if it cannot be moved either, nothing is saved, so it is never
// overwritten. A journal damaged part of the way is loaded up to the damage
// (the JournalError says what was dropped).
func (s *Server) openStateFile() {
	s.journal, s.stateErr = statefile.Open(s.opts.StateFile, "Slack sandbox", "a fresh workspace", func(data []byte) error {
		w, err := decodeState(data, s.opts.Users)
		if err == nil {
			s.st = w
		}
		return err
	}, func(batch []statefile.Change) error {
		return s.st.applyChanges(batch)
	}, func() ([]byte, error) {
		return encodeState(s.st, s.now()) // with s.mu held, or before New returns
	})
}

// StateFileError returns the *StateFileError of a state file that could not
// be loaded by New, the *JournalError of one loaded only in part, or nil.
func (s *Server) StateFileError() error { return s.stateErr }

// Save writes the whole workspace to the state file now, folding the
// journal into it (without Options.StateFile it does nothing). Every change
// is on disk before the emulator answers anyway; Save only makes the file
// whole, as Close does.
func (s *Server) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commitLocked(); err != nil {
		return err
	}
	return s.journal.Compact()
}

// writeCommitError answers a request whose change could not be written to
// the state file: HTTP 500, so the caller does not take it as done.
func writeCommitError(w http.ResponseWriter, err error) {
	http.Error(w, commitFailure(err), http.StatusInternalServerError)
}

// commitFailure says that a change could not be written, and why.
func commitFailure(err error) string {
	return fmt.Sprintf("the Slack sandbox could not write the change to its state file, so it may be lost: %v", err)
}
