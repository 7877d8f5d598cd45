package drill

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Load returns the built-in scenarios and those of the files dir/*.yaml
// and dir/*.yml (drills.scenarios_dir), sorted by name. A file's Origin is
// its path. A file naming a built-in scenario replaces it; a missing (or
// empty) dir just leaves the built-ins. Every file must parse, and no two
// may name the same scenario: otherwise Load returns no scenarios and an
// error joining every file's problems (each "path:LINE: ...").
func Load(dir string) ([]Scenario, error) {
	byName := map[string]Scenario{}
	for _, s := range BuiltIn() {
		byName[s.Name] = s
	}
	if dir == "" {
		return sorted(byName), nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return sorted(byName), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the drill scenarios in %s: %w", dir, err)
	}
	var errs []error
	fromFile := map[string]string{} // scenario name → its file
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		s, err := loadFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := fromFile[s.Name]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both define the scenario %q; rename one of them or remove it", other, file, s.Name))
			continue
		}
		fromFile[s.Name] = file
		byName[s.Name] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sorted(byName), nil
}

// loadFile reads and parses one scenario file.
func loadFile(file string) (Scenario, error) {
	f, err := os.Open(file)
	if err != nil {
		return Scenario{}, fmt.Errorf("reading the drill scenario %s: %w", file, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return Scenario{}, fmt.Errorf("reading the drill scenario %s: %w", file, err)
	}
	if len(data) > MaxScenarioBytes {
		return Scenario{}, &ParseError{Origin: file, Problems: []Problem{{Message: fmt.Sprintf(
			"the file is larger than %d bytes (64 KiB); shorten its texts or split it into two scenarios", MaxScenarioBytes)}}}
	}
	return Parse(file, data)
}

// sorted lists the scenarios of byName by name.
func sorted(byName map[string]Scenario) []Scenario {
	out := make([]Scenario, 0, len(byName))
	for _, s := range byName {
		out = append(out, s)
	}
	sortByName(out)
	return out
}
