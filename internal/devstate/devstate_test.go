package devstate

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWriteReadRemove: what Write wrote Read returns; Remove deletes only
// the file of the dev it is given, not one a later dev wrote; a missing or
// damaged file is an error naming what to do.
func TestWriteReadRemove(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, ErrNoState) {
		t.Fatalf("Read of an empty dir: %v, want ErrNoState", err)
	}
	first := State{PID: 1, StartedAt: time.Unix(100, 0).UTC(), TemporalAddress: "127.0.0.1:27233", ClusterID: "a", WebUIURL: "http://127.0.0.1:28233"}
	later := first
	later.StartedAt = later.StartedAt.Add(time.Minute)
	if err := Write(dir, first); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(dir); err != nil || got != first {
		t.Fatalf("Read = %+v, %v; want %+v", got, err, first)
	}
	if err := Write(dir, later); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir, first); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(dir); err != nil || got != later {
		t.Fatalf("after removing the first dev's state: %+v, %v; want the later dev's", got, err)
	}
	if err := Remove(dir, later); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); !errors.Is(err, ErrNoState) {
		t.Fatalf("after Remove: %v, want ErrNoState", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind %v", entries)
	}
	if err := os.WriteFile(Path(dir), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "start `incidentflow dev` again") {
		t.Errorf("Read of a damaged file: %v", err)
	}
}
