package statefile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// store is the owner of a journal in these tests: string records by key.
type store struct {
	recs    map[string]string
	batches int // batches applied by Open
}

func (s *store) load(b []byte) error {
	s.recs = map[string]string{}
	return json.Unmarshal(b, &s.recs)
}

// apply checks the whole batch before it changes anything, as Open asks.
func (s *store) apply(cs []statefile.Change) error {
	vals := make([]string, len(cs))
	for i, c := range cs {
		if c.Key == "" {
			return errors.New("a change without a key")
		}
		if !c.Removed() {
			if err := json.Unmarshal(c.Value, &vals[i]); err != nil {
				return err
			}
		}
	}
	for i, c := range cs {
		if c.Removed() {
			delete(s.recs, c.Key)
		} else {
			s.recs[c.Key] = vals[i]
		}
	}
	s.batches++
	return nil
}

func (s *store) snapshot() ([]byte, error) { return json.Marshal(s.recs) }

// set changes one record and appends the change.
func (s *store) set(t testing.TB, j *statefile.Journal, key, value string) {
	t.Helper()
	s.recs[key] = value
	v, _ := json.Marshal(value)
	if err := j.Append([]statefile.Change{{Key: key, Value: v}}); err != nil {
		t.Fatal(err)
	}
}

// open opens the state at path into a new store.
func open(path string) (*store, *statefile.Journal, error) {
	s := &store{recs: map[string]string{}}
	j, err := statefile.Open(path, "Test sandbox", "nothing", s.load, s.apply, s.snapshot)
	return s, j, err
}

// mustOpen opens the state at path and fails on any error.
func mustOpen(t testing.TB, path string) (*store, *statefile.Journal) {
	t.Helper()
	s, j, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return s, j
}

// readFile returns the contents of path, failing the test if it cannot.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJournalWriteThrough: a fresh state is written at once; every batch is
// on disk when Append returns, so a second Open without Close sees it; a
// state only read is left as it was; Close folds the journal into the
// snapshot.
func TestJournalWriteThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "state.json")
	s, j := mustOpen(t, path)
	if b := readFile(t, path); string(b) != "{}" {
		t.Fatalf("fresh snapshot = %q", b)
	}
	s.set(t, j, "a", "1")
	s.set(t, j, "b", "2")
	s.recs["a"] = "3"
	delete(s.recs, "b")
	if err := j.Append([]statefile.Change{{Key: "a", Value: json.RawMessage(`"3"`)}, {Key: "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(nil); err != nil {
		t.Fatal(err)
	}

	other, oj := mustOpen(t, path)
	if !maps.Equal(other.recs, map[string]string{"a": "3"}) || other.batches != 3 {
		t.Fatalf("reopened without Close: %v after %d batches", other.recs, other.batches)
	}
	snap, journal := readFile(t, path), readFile(t, path+statefile.JournalSuffix)
	if err := oj.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), snap) || !bytes.Equal(readFile(t, path+statefile.JournalSuffix), journal) {
		t.Error("closing a state that was only read rewrote it")
	}

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, path); string(b) != `{"a":"3"}` {
		t.Errorf("snapshot after Close = %q", b)
	}
	again, _ := mustOpen(t, path)
	if !maps.Equal(again.recs, s.recs) || again.batches != 0 {
		t.Errorf("after Close: %v after %d batches", again.recs, again.batches)
	}
	if err := j.Append([]statefile.Change{{Key: "c", Value: json.RawMessage(`"4"`)}}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Append after Close = %v", err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// writeBatches opens a fresh state at path, appends n batches (key k<i>,
// value v<i>) and returns the offsets where each batch starts in the
// journal, then the journal's length. The journal is left open, as a
// killed process leaves it.
func writeBatches(t *testing.T, path string, n int) []int {
	t.Helper()
	s, j, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	var offsets []int
	for i := range n {
		offsets = append(offsets, len(readFile(t, path+statefile.JournalSuffix)))
		s.set(t, j, fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i))
	}
	return append(offsets, len(readFile(t, path+statefile.JournalSuffix)))
}

// wantRecords asserts s holds k0..k<n-1>.
func wantRecords(t *testing.T, s *store, n int) {
	t.Helper()
	want := map[string]string{}
	for i := range n {
		want[fmt.Sprintf("k%d", i)] = fmt.Sprintf("v%d", i)
	}
	if !maps.Equal(s.recs, want) {
		t.Errorf("records = %v, want %v", s.recs, want)
	}
}

// TestJournalTornLastBatch: a journal whose last batch was cut short by a
// crash loads everything before it, says what it dropped, keeps the whole
// journal aside and is clean on the next start.
func TestJournalTornLastBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	offsets := writeBatches(t, path, 3)
	jp := path + statefile.JournalSuffix
	torn := readFile(t, jp)[:offsets[3]-5]
	if err := os.WriteFile(jp, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	s, j, err := open(path)
	var jerr *statefile.JournalError
	if !errors.As(err, &jerr) {
		t.Fatalf("Open = %v, want a *JournalError", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	if jerr.Loaded != 2 || jerr.Offset != int64(offsets[2]) || jerr.Dropped != int64(offsets[3]-5-offsets[2]) ||
		jerr.Path != jp || jerr.MovedTo != jp+".corrupt" || !strings.HasPrefix(jerr.Reason, "cut short") {
		t.Errorf("JournalError = %+v", jerr)
	}
	for _, want := range []string{"Test sandbox journal " + jp, fmt.Sprintf("at byte %d is cut short", offsets[2]),
		"loaded the 2 batch(es) before it", fmt.Sprintf("dropped the last %d byte(s)", jerr.Dropped), "kept in " + jp + ".corrupt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	wantRecords(t, s, 2)
	if b := readFile(t, jp+".corrupt"); !bytes.Equal(b, torn) {
		t.Error("the damaged journal was not kept whole")
	}
	again, _ := mustOpen(t, path)
	wantRecords(t, again, 2)
}

// TestJournalDamagedBatch: a batch whose checksum does not match, or that
// its owner refuses, ends what is loaded; the batches after it are dropped
// too, since they may depend on it.
func TestJournalDamagedBatch(t *testing.T) {
	for name, damage := range map[string]func(line []byte) []byte{
		"flipped byte": func(line []byte) []byte { line[12] ^= 0x20; return line },
		"not a line":   func([]byte) []byte { return []byte("garbage\n") },
		"not JSON":     func([]byte) []byte { return frameLine([]byte("{")) },
		"refused":      func([]byte) []byte { return frameLine([]byte(`[{"k":"","v":"x"}]`)) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			offsets := writeBatches(t, path, 3)
			jp := path + statefile.JournalSuffix
			raw := readFile(t, jp)
			bad := damage(append([]byte(nil), raw[offsets[1]:offsets[2]]...))
			damaged := append(append(append([]byte(nil), raw[:offsets[1]]...), bad...), raw[offsets[2]:]...)
			if err := os.WriteFile(jp, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			s, j, err := open(path)
			t.Cleanup(func() { _ = j.Close() })
			var jerr *statefile.JournalError
			if !errors.As(err, &jerr) || jerr.Loaded != 1 || jerr.Offset != int64(offsets[1]) ||
				jerr.Dropped != int64(len(damaged)-offsets[1]) {
				t.Fatalf("Open = %#v", err)
			}
			wantRecords(t, s, 1)
		})
	}
}

// frameLine returns body as a journal line with a correct checksum.
func frameLine(body []byte) []byte {
	return fmt.Appendf(nil, "%08x %s\n", crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)), body)
}

// readFileOrNil is os.ReadFile without the error.
func readFileOrNil(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

// TestJournalOfOlderSnapshot: a crash after a new snapshot replaced the old
// one but before its journal was started leaves the old journal, whose
// changes the new snapshot holds: it is not replayed.
func TestJournalOfOlderSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	writeBatches(t, path, 2)
	if err := statefile.WriteAtomic(path, []byte(`{"k0":"v0","k1":"changed since"}`)); err != nil {
		t.Fatal(err)
	}
	s, _ := mustOpen(t, path)
	if s.batches != 0 || s.recs["k1"] != "changed since" {
		t.Errorf("the old journal was replayed over the new snapshot: %v", s.recs)
	}
}

// TestJournalFoldsIntoSnapshot: a journal that outgrows its snapshot (and a
// mebibyte) is folded into a new snapshot by Append.
func TestJournalFoldsIntoSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, j := mustOpen(t, path)
	value := strings.Repeat("x", 10<<10)
	jp := path + statefile.JournalSuffix
	folded := false
	for i := 0; i < 200 && !folded; i++ {
		before := len(readFile(t, jp))
		s.set(t, j, "big", fmt.Sprint(i, value))
		folded = len(readFile(t, jp)) < before
	}
	if !folded {
		t.Fatal("the journal was never folded into the snapshot")
	}
	again, _ := mustOpen(t, path)
	if !maps.Equal(again.recs, s.recs) {
		t.Error("the folded state does not load back")
	}
}

// TestOpenCorrupt: a snapshot that does not decode is reported, moved aside
// whole with its journal and replaced by the fresh state.
func TestOpenCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	writeBatches(t, path, 1)
	if err := os.WriteFile(path, []byte(`{"trunc`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, j, err := open(path)
	t.Cleanup(func() { _ = j.Close() })
	var serr *statefile.Error
	if !errors.As(err, &serr) || serr.Path != path || serr.MovedTo != path+".corrupt" {
		t.Fatalf("Open error = %#v", err)
	}
	if msg := serr.Error(); !strings.HasPrefix(msg, "Test sandbox state file "+path) ||
		!strings.Contains(msg, path+".corrupt") || !strings.HasSuffix(msg, "started with nothing") {
		t.Errorf("message: %s", msg)
	}
	if b := readFile(t, path+".corrupt"); string(b) != `{"trunc` {
		t.Errorf("the bad file was not kept: %q", b)
	}
	if _, err := os.Stat(path + statefile.JournalSuffix + ".corrupt"); err != nil {
		t.Errorf("its journal was not kept: %v", err)
	}
	if len(s.recs) != 0 || string(readFile(t, path)) != "{}" {
		t.Errorf("fresh state not written: %v", s.recs)
	}
}

// TestOpenCannotMoveAside: a bad snapshot that cannot be moved aside is
// never overwritten.
func TestOpenCannotMoveAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("bad"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path+".corrupt", "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, j, err := open(path)
	var serr *statefile.Error
	if j != nil || !errors.As(err, &serr) || serr.MovedTo != "" {
		t.Fatalf("Open = %v, %#v", j, err)
	}
	if msg := serr.Error(); !strings.Contains(msg, "nor moved aside") || !strings.Contains(msg, "not be saved") {
		t.Errorf("message: %s", msg)
	}
	if err := j.Append([]statefile.Change{{Key: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, path); string(b) != "bad" {
		t.Errorf("the bad file was overwritten: %q", b)
	}
}

// FuzzJournal: whatever follows a journal's first line, Open loads the
// batches before the first it cannot read, reports the rest as a
// *JournalError, never panics, and leaves a state that opens cleanly to the
// same records.
func FuzzJournal(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.json")
	offsets := func() []int {
		_, j, _ := open(path)
		var offs []int
		for i := range 3 {
			offs = append(offs, len(readFileOrNil(path+statefile.JournalSuffix)))
			v, _ := json.Marshal(fmt.Sprint("v", i))
			_ = j.Append([]statefile.Change{{Key: fmt.Sprint("k", i), Value: v}, {Key: "gone"}})
		}
		return offs
	}()
	snapshot, journal := readFileOrNil(path), readFileOrNil(path+statefile.JournalSuffix)
	head := journal[:offsets[0]]
	f.Add(journal[offsets[0]:])
	f.Add(journal[offsets[0] : len(journal)-3])
	f.Add([]byte("00000000 []\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, tail []byte) {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, snapshot, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+statefile.JournalSuffix, append(append([]byte(nil), head...), tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		s, j, err := open(path)
		var jerr *statefile.JournalError
		if err != nil && !errors.As(err, &jerr) {
			t.Fatalf("Open = %v", err)
		}
		if jerr != nil && (jerr.Loaded != s.batches || jerr.Offset < int64(len(head)) || jerr.Dropped <= 0) {
			t.Errorf("JournalError %+v after %d batches", jerr, s.batches)
		}
		_ = j.Close()
		again, j2, err := open(path)
		if err != nil || !maps.Equal(again.recs, s.recs) {
			t.Errorf("reopened: %v, %v; want %v", err, again.recs, s.recs)
		}
		_ = j2.Close()
	})
}

// BenchmarkAppend measures one durable batch of one 1 KB record: what a
// change costs its owner before it may answer.
func BenchmarkAppend(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	s, j := mustOpen(b, path)
	value := strings.Repeat("x", 1000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.set(b, j, fmt.Sprint("k", i%100), value)
	}
}
