package proctest_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/proctest"
)

// A process can be killed, restarted and terminated, and its output is
// kept across runs.
func TestKillRestartTerminate(t *testing.T) {
	log := filepath.Join(t.TempDir(), "p.log")
	p, err := proctest.Start(proctest.Spec{
		Name: "sleeper", Path: "/bin/sh",
		Args: []string{"-c", `echo "up $GREETING"; trap 'echo bye; exit 0' TERM; while :; do sleep 0.05; done`},
		Env:  []string{"GREETING=hello"}, LogFile: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(p.LogTail(5), "up hello") })
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if p.Running() {
		t.Fatal("still running after Kill")
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if !p.Running() {
		t.Fatal("not running after Restart")
	}
	waitFor(t, func() bool { return strings.Count(p.LogTail(20), "up hello") == 2 })
	if err := p.Terminate(5 * time.Second); err != nil {
		t.Fatalf("Terminate: %v\n%s", err, p.LogTail(20))
	}
	if !strings.Contains(p.LogTail(3), "bye") {
		t.Errorf("the trap didn't run: %s", p.LogTail(5))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
