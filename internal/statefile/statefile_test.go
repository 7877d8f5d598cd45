package statefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// TestWriteAtomic: the folder is created, an old file is replaced whole and
// no temporary file is left, even when the write fails.
func TestWriteAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "state.json")
	for _, content := range []string{"first", "second"} {
		if err := statefile.WriteAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != content {
			t.Fatalf("file = %q, %v; want %q", b, err, content)
		}
	}
	dir := filepath.Join(filepath.Dir(path), "a-folder")
	if err := os.MkdirAll(filepath.Join(dir, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := statefile.WriteAtomic(dir, []byte("x")); err == nil {
		t.Error("replacing a folder did not fail")
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestRead: a missing file is nil data, not an error.
func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if b, err := statefile.Read(path); b != nil || err != nil {
		t.Fatalf("missing file: %q, %v", b, err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := statefile.Read(path); string(b) != "x" || err != nil {
		t.Fatalf("Read = %q, %v", b, err)
	}
}

// counter is an encode func that counts its calls and returns the last value
// it was given.
type counter struct {
	mu    sync.Mutex
	calls int
	value string
	err   error
}

func (c *counter) set(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.value = v
}

func (c *counter) encode() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return []byte(c.value), c.err
}

func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// TestSaverDebounce: a stream of changes is written at most once per
// SaveInterval, without Flush or Stop, and Stop writes the last one.
func TestSaverDebounce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	c := &counter{}
	s := statefile.NewSaver(path, c.encode)
	defer s.Stop()
	time.Sleep(statefile.SaveInterval / 10)
	if c.count() != 0 {
		t.Fatal("saved before any change")
	}
	start := time.Now()
	for i := 0; time.Since(start) < 2*statefile.SaveInterval; i++ {
		c.set(strings.Repeat("x", i))
		s.Touch()
		time.Sleep(5 * time.Millisecond)
	}
	if n, most := c.count(), 3; n == 0 || n > most {
		t.Errorf("%d saves in %v, want 1 to %d", n, time.Since(start), most)
	}
	c.set("final")
	s.Touch()
	deadline := time.Now().Add(3 * statefile.SaveInterval)
	for {
		if b, _ := os.ReadFile(path); string(b) == "final" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the last change was not saved in the background")
		}
		time.Sleep(20 * time.Millisecond)
	}
	n := c.count()
	if err := s.Flush(); err != nil || c.count() != n {
		t.Errorf("Flush without a change: %v, encoded %d times more", err, c.count()-n)
	}
	c.set("at stop")
	s.Touch()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "at stop" {
		t.Errorf("after Stop the file holds %q", b)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestSaverKeepsFailedChange: a change whose save fails is saved by the next
// Flush.
func TestSaverKeepsFailedChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	c := &counter{value: "v", err: errors.New("disk full")}
	s := statefile.NewSaver(path, c.encode)
	defer s.Stop()
	s.Touch()
	if err := s.Flush(); err == nil { // even if the background saver failed first
		t.Fatal("Flush did not report the failure")
	}
	c.mu.Lock()
	c.err = nil
	c.mu.Unlock()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "v" {
		t.Errorf("file = %q", b)
	}
}

// TestSaverNil: a nil Saver (no state file) does nothing.
func TestSaverNil(t *testing.T) {
	var s *statefile.Saver
	s.Touch()
	if err := s.Flush(); err != nil {
		t.Error(err)
	}
	if err := s.Stop(); err != nil {
		t.Error(err)
	}
}

// TestOpen: a missing file starts fresh and is saved right away; an existing
// one is decoded and left as it is until a change.
func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	decoded := 0
	decode := func([]byte) error { decoded++; return nil }
	s, err := statefile.Open(path, "Test sandbox", "a fresh start", decode, func() ([]byte, error) { return []byte("fresh"), nil })
	if err != nil || decoded != 0 {
		t.Fatalf("missing file: %v, decoded %d", err, decoded)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "fresh" {
		t.Fatalf("fresh state not saved: %q", b)
	}

	var got string
	c := &counter{value: "changed"}
	s, err = statefile.Open(path, "Test sandbox", "a fresh start", func(b []byte) error { got = string(b); return nil }, c.encode)
	if err != nil || got != "fresh" {
		t.Fatalf("Open = %v, decoded %q", err, got)
	}
	if err := s.Stop(); err != nil || c.count() != 0 {
		t.Fatalf("a loaded file was saved again without a change: %v, %d", err, c.count())
	}
}

// TestOpenCorrupt: a file that does not decode is reported, moved aside
// whole and replaced by the fresh state.
func TestOpenCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"trunc`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("not a state file")
	s, err := statefile.Open(path, "Test sandbox", "a fresh start", func([]byte) error { return bad },
		func() ([]byte, error) { return []byte("fresh"), nil })
	var serr *statefile.Error
	if !errors.As(err, &serr) || serr.Path != path || serr.MovedTo != path+".corrupt" || !errors.Is(err, bad) {
		t.Fatalf("Open error = %#v", err)
	}
	if msg := serr.Error(); !strings.HasPrefix(msg, "Test sandbox state file "+path) ||
		!strings.Contains(msg, path+".corrupt") || !strings.HasSuffix(msg, "started with a fresh start") {
		t.Errorf("message: %s", msg)
	}
	if b, err := os.ReadFile(path + ".corrupt"); err != nil || string(b) != `{"trunc` {
		t.Errorf("the bad file was not kept: %q, %v", b, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "fresh" {
		t.Errorf("fresh state not saved: %q", b)
	}
}

// TestOpenCannotMoveAside: a bad file that cannot be moved aside is never
// overwritten.
func TestOpenCannotMoveAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("bad"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path+".corrupt", "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := statefile.Open(path, "Test sandbox", "nothing", func([]byte) error { return errors.New("bad") },
		func() ([]byte, error) { return []byte("fresh"), nil })
	var serr *statefile.Error
	if s != nil || !errors.As(err, &serr) || serr.MovedTo != "" {
		t.Fatalf("Open = %v, %#v", s, err)
	}
	if msg := serr.Error(); !strings.Contains(msg, "nor moved aside") || !strings.Contains(msg, "not be saved") {
		t.Errorf("message: %s", msg)
	}
	s.Touch()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "bad" {
		t.Errorf("the bad file was overwritten: %q", b)
	}
}
