package statefile_test

import (
	"os"
	"path/filepath"
	"testing"

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
