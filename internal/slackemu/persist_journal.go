package slackemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// The records of the journal, by kind: a key is the kind, "/" and the ID
// (for a message, the channel's ID, "/" and the ts); "meta" is the ID
// counter and the ts clock.
const (
	recMeta      = "meta"
	recUser      = "user"
	recChannel   = "channel" // the channel without its messages
	recMessage   = "message"
	recView      = "view"
	recFile      = "file"
	recScheduled = "scheduled"
	recEphemeral = "ephemeral" // by ts
)

// recordKey names the record kind/id.
func recordKey(kind, id string) string { return kind + "/" + id }

// changed records a change of the header of ch (all but its messages).
func (ch *channel) changed() { ch.changes.Add(recordKey(recChannel, ch.id)) }

// changedMessage records a change of m in ch: new, edited or deleted.
func (ch *channel) changedMessage(m *Message) { ch.changes.Add(recordKey(recMessage, ch.id+"/"+m.TS)) }

// changedUser records a change of the user id.
func (w *workspace) changedUser(id string) { w.changes.Add(recordKey(recUser, id)) }

// changedView records a change of v.
func (w *workspace) changedView(v *View) { w.changes.Add(recordKey(recView, v.ID)) }

// changedFile records a change of f.
func (w *workspace) changedFile(f *File) { w.changes.Add(recordKey(recFile, f.ID)) }

// changedScheduled records a change of sm.
func (w *workspace) changedScheduled(sm *ScheduledMessage) {
	w.changes.Add(recordKey(recScheduled, sm.ID))
}

// addEphemeral stores an ephemeral message.
func (w *workspace) addEphemeral(e Ephemeral) {
	w.ephemerals = append(w.ephemerals, e)
	w.changes.Add(recordKey(recEphemeral, e.TS))
}

// savedMeta is the "meta" record: the ID counter and the ts clock.
type savedMeta struct {
	IDPrefix string `json:"id_prefix"`
	Seq      int    `json:"seq"`
	LastTS   int64  `json:"last_ts"`
}

// meta returns the counters of w.
func (w *workspace) meta() savedMeta {
	return savedMeta{IDPrefix: w.idPrefix, Seq: w.seq, LastTS: w.lastTS}
}

// journalCheck, when set, is called with each batch commitLocked makes
// (written or not) and with base set whenever the workspace starts anew (New,
// Reset): this package's tests replay the batches over a copy of the base
// and compare it with the workspace, so a change nobody recorded as pending
// fails them. It is nil outside those tests.
var journalCheck func(s *Server, batch []statefile.Change, base bool)

// commitLocked writes what changed since the last commit to the state file
// and syncs it (s.mu held): call it before answering, so that whatever was
// answered is on disk. Without a state file it only forgets the changes. On
// failure the changes stay pending for the next commit.
func (s *Server) commitLocked() error {
	if meta := s.st.meta(); meta != s.committed {
		s.st.changes.Add(recMeta)
	}
	if journalCheck == nil && (s.journal == nil || s.st.changes.Len() == 0) {
		s.st.changes.Clear()
		s.committed = s.st.meta()
		return nil
	}
	batch, err := s.journal.Commit(&s.st.changes, s.st.record)
	if err != nil {
		return err
	}
	s.committed = s.st.meta()
	if journalCheck != nil {
		journalCheck(s, batch, false)
	}
	return nil
}

// startedLocked records that the workspace starts anew (s.mu held): its
// counters are on disk (a snapshot was just written or read).
func (s *Server) startedLocked() {
	s.committed = s.st.meta()
	if journalCheck != nil {
		journalCheck(s, nil, true)
	}
}

// errGone is a record that changed and is not there.
var errGone = errors.New("changed, but not in the workspace")

// record returns what the state file keeps of the record key, nil for a
// message that was deleted; any other record gone is a bug.
func (w *workspace) record(key string) (any, error) {
	if key == recMeta {
		return w.meta(), nil
	}
	kind, id, _ := strings.Cut(key, "/")
	var v any
	switch kind {
	case recUser:
		if u := w.usersByID[id]; u != nil {
			v = u
		}
	case recChannel:
		if ch := w.chByID[id]; ch != nil {
			v = saveChannel(ch)
		}
	case recMessage:
		chID, ts, _ := strings.Cut(id, "/")
		if ch := w.chByID[chID]; ch != nil {
			if m := ch.byTS[ts]; m != nil {
				return saveMessage(m), nil
			}
			return nil, nil
		}
	case recView:
		if x := w.viewByID[id]; x != nil {
			v = saveView(x)
		}
	case recFile:
		if f := w.fileByID[id]; f != nil {
			v = f
		}
	case recScheduled:
		if i := w.scheduledIndex(id); i >= 0 {
			v = w.scheduled[i]
		}
	case recEphemeral:
		if i := w.ephemeralIndex(id); i >= 0 {
			v = w.ephemerals[i]
		}
	}
	if v == nil {
		return nil, errGone
	}
	return v, nil
}

// scheduledIndex returns the index of the scheduled message id, or -1.
func (w *workspace) scheduledIndex(id string) int {
	for i := len(w.scheduled) - 1; i >= 0; i-- {
		if w.scheduled[i].ID == id {
			return i
		}
	}
	return -1
}

// ephemeralIndex returns the index of the ephemeral message with ts, or -1.
func (w *workspace) ephemeralIndex(ts string) int {
	for i := len(w.ephemerals) - 1; i >= 0; i-- {
		if w.ephemerals[i].TS == ts {
			return i
		}
	}
	return -1
}

// applyChanges applies a batch of the journal to w. It decodes and checks
// the whole batch first, so a batch it refuses changes nothing.
func (w *workspace) applyChanges(batch []statefile.Change) error {
	ops := make([]func(), 0, len(batch))
	created := map[string]bool{} // channels the batch creates
	for _, c := range batch {
		op, err := w.decodeChange(c, created)
		if err != nil {
			return fmt.Errorf("record %q: %w", c.Key, err)
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		op()
	}
	w.changes.Clear() // what was read is on disk
	return nil
}

// decodeChange decodes one change and returns what applies it.
func (w *workspace) decodeChange(c statefile.Change, created map[string]bool) (func(), error) {
	kind, id, _ := strings.Cut(c.Key, "/")
	switch {
	case kind != recMeta && id == "":
		return nil, errors.New("a record without an ID")
	case c.Removed() && kind != recMessage:
		return nil, errors.New("only messages are ever removed")
	}
	switch kind {
	case recMeta:
		var m savedMeta
		if err := json.Unmarshal(c.Value, &m); err != nil || m.IDPrefix == "" {
			return nil, fmt.Errorf("not counters: %s", c.Value)
		}
		return func() { w.idPrefix, w.seq, w.lastTS = m.IDPrefix, m.Seq, m.LastTS }, nil
	case recUser:
		var u User
		if err := decodeRecord(c.Value, &u, func() bool { return u.ID == id }); err != nil {
			return nil, err
		}
		return func() { w.putUser(u) }, nil
	case recChannel:
		var sc savedChannel
		if err := decodeRecord(c.Value, &sc, func() bool { return sc.ID == id }); err != nil {
			return nil, err
		}
		created[id] = true
		return func() {
			ch := w.chByID[id]
			if ch == nil {
				ch = w.addChannel(id, sc.Name, sc.Private, sc.Creator, sc.Created, sc.Members)
			}
			ch.restore(sc)
		}, nil
	case recMessage:
		chID, ts, _ := strings.Cut(id, "/")
		if w.chByID[chID] == nil && !created[chID] {
			return nil, fmt.Errorf("no channel %s", chID)
		}
		if c.Removed() {
			return func() { w.chByID[chID].removeMessage(ts) }, nil
		}
		var sm savedMessage
		if err := decodeRecord(c.Value, &sm, func() bool { _, ok := parseTS(ts); return ok && sm.TS == ts }); err != nil {
			return nil, err
		}
		return func() { w.chByID[chID].putMessage(restoreMessage(chID, sm)) }, nil
	case recView:
		var sv savedView
		if err := decodeRecord(c.Value, &sv, func() bool { return sv.ID == id }); err != nil {
			return nil, err
		}
		return func() { w.putView(restoreView(sv)) }, nil
	case recFile:
		var f File
		if err := decodeRecord(c.Value, &f, func() bool { return f.ID == id }); err != nil {
			return nil, err
		}
		return func() { w.putFile(&f) }, nil
	case recScheduled:
		var sm ScheduledMessage
		if err := decodeRecord(c.Value, &sm, func() bool { return sm.ID == id }); err != nil {
			return nil, err
		}
		return func() {
			if i := w.scheduledIndex(id); i >= 0 {
				*w.scheduled[i] = sm
			} else {
				w.scheduled = append(w.scheduled, &sm)
			}
		}, nil
	case recEphemeral:
		var e Ephemeral
		if err := decodeRecord(c.Value, &e, func() bool { return e.TS == id }); err != nil {
			return nil, err
		}
		return func() {
			if i := w.ephemeralIndex(id); i >= 0 {
				w.ephemerals[i] = e
			} else {
				w.ephemerals = append(w.ephemerals, e)
			}
		}, nil
	}
	return nil, errors.New("unknown kind of record")
}

// decodeRecord decodes the value of a record into v; ok, called after, says
// whether it is the record its key names.
func decodeRecord(value json.RawMessage, v any, ok func() bool) error {
	if err := json.Unmarshal(value, v); err != nil {
		return err
	}
	if !ok() {
		return errors.New("its value is not the record its key names")
	}
	return nil
}
