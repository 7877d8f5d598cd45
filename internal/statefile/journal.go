package statefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strconv"
)

// JournalSuffix is added to a snapshot's path to name its journal.
const JournalSuffix = ".journal"

// journalFormat names the layout of a journal, in its first line.
const journalFormat = "incidentflow-statefile-journal/1"

// compactAt is the size a journal may always grow to before Append folds it
// into a new snapshot; past it, the journal is folded once it outgrows the
// snapshot. So loading replays at most about one snapshot's worth of
// changes, and the cost of writing snapshots stays in proportion to the
// changes made.
const compactAt = 1 << 20

// castagnoli is the CRC-32C table the journal's checksums use.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Change is one entry of a batch: the new value of the record its owner
// names Key, or, with no Value, the record's removal. Values are whole
// records, not differences.
type Change struct {
	Key   string          `json:"k"`
	Value json.RawMessage `json:"v,omitempty"`
}

// Removed reports whether c removes its record.
func (c Change) Removed() bool { return len(c.Value) == 0 || string(c.Value) == "null" }

// JournalError reports a journal that could not be read to its end: the
// state was loaded up to the last whole batch before the damage, and the
// rest was dropped. A batch cut short is what a crash in the middle of a
// write leaves.
type JournalError struct {
	What    string // whose journal, e.g. "Slack sandbox"
	Path    string // the journal
	Loaded  int    // batches of changes loaded
	Offset  int64  // where the first batch that could not be loaded starts
	Dropped int64  // bytes dropped, from Offset to the end
	Reason  string // what is wrong with that batch, e.g. "cut short (...)"
	MovedTo string // where the whole journal was kept, "" if it could not be
}

// Error says what was loaded, what was dropped and why.
func (e *JournalError) Error() string {
	kept := "they could not be kept"
	if e.MovedTo != "" {
		kept = "the whole journal is kept in " + e.MovedTo
	}
	return fmt.Sprintf("%s journal %s: the batch of changes at byte %d is %s; loaded the %d batch(es) before it and dropped the last %d byte(s) (%s)",
		e.What, e.Path, e.Offset, e.Reason, e.Loaded, e.Dropped, kept)
}

// errClosed is what Append answers after Close.
var errClosed = errors.New("the state file is closed")

// Journal keeps a state on disk and up to date: a snapshot at its path (the
// whole state, as its owner encodes it) and a journal at path+JournalSuffix
// of the batches of changes made since, one line each (a CRC-32C, a space,
// the batch as JSON). Append writes a batch and syncs it before it returns,
// so a change its owner answered after Append survives kill -9 and power
// cuts; now and then Append folds the journal into a new snapshot. The
// journal's first line names the snapshot it continues, so a crash while a
// snapshot replaces another never replays old changes over the new one.
//
// Its methods do nothing on a nil *Journal (no state file). It is not safe
// for concurrent use: its owner calls it under the lock that guards the
// state.
type Journal struct {
	path     string
	what     string
	snapshot func() ([]byte, error)
	f        *os.File // the journal, open for appending; nil: the next Append snapshots first
	size     int64    // bytes in the journal, its first line included
	snapSize int64    // bytes in the snapshot
	appended bool     // batches were appended since the last snapshot
	closed   bool
}

// journalHeader is the first line of a journal: the snapshot it continues.
type journalHeader struct {
	Format        string `json:"format"`
	SnapshotBytes int    `json:"snapshot_bytes"`
	SnapshotCRC   uint32 `json:"snapshot_crc32c"`
}

// headerFor returns the first line of a journal that continues snapshot.
func headerFor(snapshot []byte) journalHeader {
	return journalHeader{Format: journalFormat, SnapshotBytes: len(snapshot), SnapshotCRC: crc32.Checksum(snapshot, castagnoli)}
}

// Open loads the state at path: the snapshot through load, then each batch
// of the journal through apply, in order. what names the owner ("Slack
// sandbox"), fresh what it starts with when there is no state
// ("a fresh workspace"). snapshot encodes the owner's whole state; it is
// called by Open and, later, by Append, Compact and Close, always with the
// owner's lock held (it must not take it).
//
// A missing snapshot is not an error: the fresh state is written right away.
// A snapshot that cannot be read or loaded is moved aside with its journal
// and reported by an *Error; if it cannot be moved either, Open returns a
// nil *Journal, so that file is never overwritten. A journal that cannot be
// read to its end is loaded up to its last whole batch, moved aside and
// reported by a *JournalError; the state loaded is then written as a new
// snapshot. apply must check a batch before it changes anything, so that a
// batch it refuses leaves the state as the batches before it made it.
func Open(path, what, fresh string, load func(snapshot []byte) error, apply func([]Change) error,
	snapshot func() ([]byte, error)) (*Journal, error) {
	j := &Journal{path: path, what: what, snapshot: snapshot}
	data, err := Read(path)
	if err == nil && data != nil {
		err = load(data)
	}
	if err != nil {
		e := &Error{What: what, Fresh: fresh, Path: path, Err: err}
		to, merr := MoveAside(path)
		switch {
		case merr == nil:
			e.MovedTo = to
		case !errors.Is(merr, fs.ErrNotExist):
			return nil, e
		}
		_, _ = MoveAside(j.journalPath()) // its changes continue the snapshot moved aside
		return j, firstError(e, j.Compact())
	}
	var jerr error
	if data != nil {
		jerr = j.replay(data, apply)
	}
	if j.f == nil { // fresh, or no journal to append to as it is
		jerr = firstError(jerr, j.Compact())
	}
	return j, jerr
}

// firstError returns the first error that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// journalPath is where the journal of j lives.
func (j *Journal) journalPath() string { return j.path + JournalSuffix }

// replay applies the batches of the journal that continues snapshot and
// opens it for appending. A journal that does not continue snapshot (one
// left by a crash while snapshot replaced its predecessor, or none: a state
// file from before journals) is ignored: snapshot holds its changes. A
// journal damaged part of the way is loaded up to the damage, moved aside
// and reported.
func (j *Journal) replay(snapshot []byte, apply func([]Change) error) error {
	jp := j.journalPath()
	raw, err := Read(jp)
	if err != nil {
		e := &JournalError{What: j.what, Path: jp, Reason: fmt.Sprintf("unreadable (%v)", err)}
		if fi, serr := os.Stat(jp); serr == nil {
			e.Dropped = fi.Size()
		}
		if to, merr := MoveAside(jp); merr == nil {
			e.MovedTo = to
		}
		return e
	}
	if raw == nil {
		return nil
	}
	body, off, bad := readRecord(raw, 0)
	var h journalHeader
	if bad != "" || json.Unmarshal(body, &h) != nil || h != headerFor(snapshot) {
		return nil
	}
	for loaded := 0; off < len(raw); loaded++ {
		body, next, bad := readRecord(raw, off)
		if bad == "" {
			var changes []Change
			if err := json.Unmarshal(body, &changes); err != nil {
				bad = fmt.Sprintf("unreadable (%v)", err)
			} else if err := apply(changes); err != nil {
				bad = fmt.Sprintf("refused (%v)", err)
			}
		}
		if bad != "" {
			e := &JournalError{What: j.what, Path: jp, Loaded: loaded, Offset: int64(off), Dropped: int64(len(raw) - off), Reason: bad}
			if to, err := MoveAside(jp); err == nil {
				e.MovedTo = to
			}
			return e
		}
		off = next
	}
	f, err := os.OpenFile(jp, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil // Open writes a new snapshot and journal
	}
	j.f, j.size, j.snapSize = f, int64(len(raw)), int64(len(snapshot))
	return nil
}

// frame returns the journal line of body: its CRC-32C in hex, a space, body
// and a newline. JSON never holds a raw newline, so lines are records.
func frame(body []byte) []byte {
	line := make([]byte, 0, len(body)+10)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(body, castagnoli))
	line = append(line, body...)
	return append(line, '\n')
}

// readRecord reads the line of raw starting at off: its body and where the
// next line starts, or what is wrong with it.
func readRecord(raw []byte, off int) (body []byte, next int, bad string) {
	nl := bytes.IndexByte(raw[off:], '\n')
	if nl < 0 {
		return nil, 0, "cut short (the process stopped while writing it)"
	}
	line := raw[off : off+nl]
	if len(line) < 9 || line[8] != ' ' {
		return nil, 0, "damaged (it is not a journal line)"
	}
	sum, err := strconv.ParseUint(string(line[:8]), 16, 32)
	if body = line[9:]; err != nil || crc32.Checksum(body, castagnoli) != uint32(sum) {
		return nil, 0, "damaged (its checksum does not match)"
	}
	return body, off + nl + 1, ""
}

// Append writes a batch of changes to the journal and syncs it: when it
// returns nil the changes are on disk. An empty batch writes nothing. After
// a failure the journal is as it was (or, if that is unknown, the next
// Append writes a whole snapshot, which holds the failed changes too).
func (j *Journal) Append(changes []Change) error {
	switch {
	case j == nil || len(changes) == 0:
		return nil
	case j.closed:
		return j.failed("writing", errClosed)
	case j.f == nil:
		return j.Compact()
	}
	body, err := json.Marshal(changes)
	if err != nil {
		return j.failed("encoding a change for", err)
	}
	line := frame(body)
	if _, err := j.f.Write(line); err != nil {
		if j.f.Truncate(j.size) != nil {
			j.drop()
		}
		return j.failed("writing", err)
	}
	if err := j.f.Sync(); err != nil {
		j.drop() // what reached the disk is unknown
		return j.failed("syncing", err)
	}
	j.size += int64(len(line))
	j.appended = true
	if j.size > max(compactAt, j.snapSize) {
		_ = j.Compact() // the batch is on disk either way; a failed snapshot is retried by the next Append
	}
	return nil
}

// failed wraps an error of the journal in words that say which file.
func (j *Journal) failed(doing string, err error) error {
	return fmt.Errorf("%s the %s journal %s: %w", doing, j.what, j.journalPath(), err)
}

// drop closes the journal: the next Append writes a snapshot first.
func (j *Journal) drop() {
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
}

// Compact writes the whole state as a new snapshot and starts an empty
// journal after it.
func (j *Journal) Compact() error {
	if j == nil || j.closed {
		return nil
	}
	j.drop()
	data, err := j.snapshot()
	if err == nil {
		err = WriteAtomic(j.path, data)
	}
	var head []byte
	if err == nil {
		hb, _ := json.Marshal(headerFor(data)) // strings and numbers: cannot fail
		head = frame(hb)
		err = WriteAtomic(j.journalPath(), head)
	}
	if err == nil {
		j.f, err = os.OpenFile(j.journalPath(), os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return fmt.Errorf("writing the %s state file %s: %w", j.what, j.path, err)
	}
	j.size, j.snapSize, j.appended = int64(len(head)), int64(len(data)), false
	return nil
}

// Close writes a last snapshot if anything was appended since the one
// before (so a state that was only read is left as it was) and closes the
// journal. Later calls do nothing; Append then fails.
func (j *Journal) Close() error {
	if j == nil || j.closed {
		return nil
	}
	var err error
	if j.appended || j.f == nil {
		err = j.Compact()
	}
	j.drop()
	j.closed = true
	return err
}

// Pending is the set of records changed since the last batch, by key, in
// the order they first changed, so that records new to a state keep their
// order when its journal is replayed. The zero value is empty.
type Pending struct {
	keys []string
	seen map[string]bool
}

// Add records a change of the record key.
func (p *Pending) Add(key string) {
	if p.seen[key] {
		return
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[key] = true
	p.keys = append(p.keys, key)
}

// Len returns how many records changed.
func (p *Pending) Len() int { return len(p.keys) }

// Clear forgets the changes: they are on disk some other way (a snapshot).
func (p *Pending) Clear() { *p = Pending{} }

// Commit appends the pending changes to the journal as one batch and syncs
// it (see Append); record returns what the state now holds for a key, nil
// for a record removed. On a nil *Journal it writes nothing. It returns the
// batch; on failure the changes stay pending.
func (j *Journal) Commit(p *Pending, record func(key string) (any, error)) ([]Change, error) {
	batch := make([]Change, 0, len(p.keys))
	for _, key := range p.keys {
		v, err := record(key)
		var raw []byte
		if err == nil && v != nil {
			raw, err = json.Marshal(v)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding the record %s: %w", key, err)
		}
		batch = append(batch, Change{Key: key, Value: raw})
	}
	if err := j.Append(batch); err != nil {
		return nil, err
	}
	p.Clear()
	return batch, nil
}
