// Package devstate is how a running `incidentflow dev` tells the other verbs
// where it serves: a small JSON file in its data directory, written
// atomically once dev is ready and removed when it stops. The file says
// where dev was; only a Temporal server answering there with the same
// cluster ID proves dev is still running, so a file left behind by a dev
// that was killed is harmless.
package devstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// FileName is the state file's name inside the data directory.
const FileName = "dev.json"

// ErrNoState means no `incidentflow dev` has announced itself in the data
// directory: none runs with it, or one stopped and removed its file.
var ErrNoState = errors.New("no incidentflow dev state file")

// State is where a running `incidentflow dev` serves.
type State struct {
	// PID and StartedAt tell one dev from another one that rewrote the
	// file after it.
	PID       int       `json:"pid"`
	StartedAt time.Time `json:"started_at"`
	// TemporalAddress is the embedded frontend's host:port.
	TemporalAddress string `json:"temporal_address"`
	// ClusterID is the embedded server's cluster ID, which the verbs check
	// so they never act on another Temporal that took over the address.
	ClusterID string `json:"cluster_id"`
	Namespace string `json:"namespace"`
	// WebUIURL is the Web UI's base URL; war rooms bookmark incidents there.
	WebUIURL string `json:"web_ui_url"`
	// FrontDoorURL is the front door's base URL (/slack/*, /alerts/*).
	FrontDoorURL string `json:"front_door_url"`
	// SlackSandboxURL is the Slack sandbox's base URL, when dev plays
	// Slack itself.
	SlackSandboxURL string `json:"slack_sandbox_url,omitempty"`
}

// Path is the state file in dataDir.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// Write replaces the state file in dataDir with s, atomically: a reader
// sees the old file or the new one, never half of one.
func Write(dataDir string, s State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := statefile.WriteAtomic(Path(dataDir), append(data, '\n')); err != nil {
		return fmt.Errorf("writing %s, where the other incidentflow verbs look for dev: %w", Path(dataDir), err)
	}
	return nil
}

// Read returns the state in dataDir, or an error wrapping ErrNoState when
// there is none.
func Read(dataDir string) (State, error) {
	var s State
	data, err := statefile.Read(Path(dataDir))
	switch {
	case err != nil:
		return s, fmt.Errorf("reading %s: %w", Path(dataDir), err)
	case data == nil:
		return s, fmt.Errorf("%w in %s", ErrNoState, dataDir)
	}
	err = json.Unmarshal(data, &s)
	if err == nil && s.TemporalAddress == "" {
		err = errors.New("it names no Temporal address")
	}
	if err != nil {
		return State{}, fmt.Errorf("%s is damaged (%v); start `incidentflow dev` again to rewrite it", Path(dataDir), err)
	}
	return s, nil
}

// Remove deletes the state file in dataDir if it is still s's: a dev that
// started later with the same data directory keeps its own.
func Remove(dataDir string, s State) error {
	cur, err := Read(dataDir)
	if err != nil || cur.PID != s.PID || !cur.StartedAt.Equal(s.StartedAt) {
		return nil
	}
	if err := os.Remove(Path(dataDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
