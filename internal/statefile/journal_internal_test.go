package statefile

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppendFailure: a batch that cannot be written is reported, and the
// next Append writes a whole snapshot, which holds the failed change too.
func TestAppendFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	state := map[string]string{}
	snapshot := func() ([]byte, error) { return json.Marshal(state) }
	j, err := Open(path, "Test sandbox", "nothing", func([]byte) error { return nil }, func([]Change) error { return nil }, snapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_ = j.f.Close() // the disk goes away under the journal
	state["a"] = "1"
	err = j.Append([]Change{{Key: "a", Value: json.RawMessage(`"1"`)}})
	if err == nil || !strings.Contains(err.Error(), "writing the Test sandbox journal "+path+JournalSuffix) {
		t.Fatalf("Append on a failing journal = %v", err)
	}
	state["b"] = "2"
	if err := j.Append([]Change{{Key: "b", Value: json.RawMessage(`"2"`)}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := Read(path); string(b) != `{"a":"1","b":"2"}` {
		t.Errorf("snapshot after the failure = %s", b)
	}
}
