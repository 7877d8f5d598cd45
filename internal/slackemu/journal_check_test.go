package slackemu

import (
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// In this package's tests every batch of changes the emulator commits,
// whether or not it has a state file, is replayed over a copy of the
// workspace and compared with the workspace itself: a change left out of
// the pending records (which a crash would therefore lose) fails the run,
// whichever test made it.
var (
	journalMu       sync.Mutex
	journalShadows  = map[*Server]*workspace{}
	journalFailures []string
)

func init() { journalCheck = checkJournal }

// checkJournal is journalCheck for the tests. Calls for one server come
// one at a time (under its lock); journalMu guards only what servers share.
func checkJournal(s *Server, batch []statefile.Change, base bool) {
	fail := func(format string, args ...any) {
		journalMu.Lock()
		defer journalMu.Unlock()
		journalFailures = append(journalFailures, fmt.Sprintf(format, args...)+"\n"+string(debug.Stack()))
	}
	at := time.Unix(0, 0)
	live, err := roundTrip(s.st, at)
	if err != nil {
		fail("encoding the workspace: %v", err)
		return
	}
	if !base {
		journalMu.Lock()
		shadow := journalShadows[s]
		journalMu.Unlock()
		if err := shadow.applyChanges(batch); err != nil {
			fail("the journal refuses its own batch: %v", err)
			base = true // compare the next batches from here
		} else if replayed, _ := encodeState(shadow, at); !bytes.Equal(replayed, live) {
			fail("replaying the journal does not rebuild the workspace:\n%s", firstDifference(replayed, live))
			base = true
		}
	}
	if base {
		w, err := decodeState(live, nil) // read back once, as the journal's records are
		if err != nil {
			fail("decoding the workspace: %v", err)
			return
		}
		journalMu.Lock()
		journalShadows[s] = w
		journalMu.Unlock()
	}
}

// roundTrip encodes w as a state file that was read back once: what a
// restart would see, with the views' last submitted values as slack-go
// reads them back (a workspace replayed from the journal has been read back
// once already).
func roundTrip(w *workspace, at time.Time) ([]byte, error) {
	data, err := encodeState(w, at)
	if err != nil {
		return nil, err
	}
	back, err := decodeState(data, nil)
	if err != nil {
		return nil, err
	}
	return encodeState(back, at)
}

// firstDifference shows the first line where the replayed state differs
// from the live one.
func firstDifference(replayed, live []byte) string {
	a, b := bytes.Split(replayed, []byte("\n")), bytes.Split(live, []byte("\n"))
	for i := range max(len(a), len(b)) {
		var x, y []byte
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d: replayed %s\n         live     %s", i+1, x, y)
		}
	}
	return "(no line differs)"
}

// TestMain fails the run when any test made a change the journal missed.
func TestMain(m *testing.M) {
	code := m.Run()
	journalMu.Lock()
	failures := journalFailures
	journalMu.Unlock()
	for _, f := range failures {
		fmt.Fprintln(os.Stderr, "slackemu journal check:", f)
		code = 1
	}
	os.Exit(code)
}
