package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDrillThroughTheCLI plays a built-in scenario as a new user would,
// against dev's sandboxes: drill list, drill --json (which waits for the
// room), the injects in the drill room, a hint, an update and the
// resolution with the CLI's incident verbs, the debrief in the room and as
// a GitHub issue labelled drill, and nothing in #incidents.
func TestDrillThroughTheCLI(t *testing.T) {
	d := startDev(t, t.TempDir())

	out, code := d.cli(t, "drill", "list")
	if code != 0 || !strings.Contains(out, "database-outage") || !strings.Contains(out, "bad-deploy") || !strings.Contains(out, "security-breach") {
		t.Fatalf("drill list (%d): %s", code, out)
	}
	if out, code := d.cli(t, "drill", "--scenario", "no-such-drill"); code == 0 || !strings.Contains(out, "database-outage") {
		t.Errorf("an unknown scenario (%d) should be refused with the list: %s", code, out)
	}

	out, code = d.cli(t, "drill", "--scenario", "bad-deploy", "--speed", "30", "--as", "U0ALICE", "--json")
	if code != 0 {
		t.Fatalf("drill exited %d: %s", code, out)
	}
	var room struct {
		ID, WorkflowID, Channel, ChannelID, Scenario string
	}
	var raw map[string]string
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("drill --json printed %q: %v", out, err)
	}
	room.ID, room.WorkflowID, room.Channel, room.ChannelID, room.Scenario = raw["id"], raw["workflow_id"], raw["channel"], raw["channel_id"], raw["scenario"]
	if room.ID == "" || room.WorkflowID != "incident-"+room.ID || !strings.HasPrefix(room.Channel, "drill-inc-") || room.ChannelID == "" || room.Scenario != "bad-deploy" {
		t.Fatalf("drill --json: %+v", raw)
	}

	waitFor(t, "an inject in the drill room", func() bool {
		ch, ok := d.sandboxChannel(t, room.Channel)
		return ok && ch.hasMessage("(simulated)")
	})
	out, code = d.cli(t, "drill", "hint", "--incident", room.ID, "--as", "U0ALICE")
	if code != 0 || !strings.Contains(out, "Hint 1 of") {
		t.Errorf("drill hint (%d): %s", code, out)
	}
	if out, code := d.cli(t, "update", "--incident", room.ID, "--status", "identified", "--text", "The 14:02 deploy broke checkout", "--as", "U0ALICE"); code != 0 {
		t.Fatalf("update exited %d: %s", code, out)
	}
	if out, code := d.cli(t, "resolve", "--incident", room.ID, "--summary", "Rolled back twice", "--as", "U0ALICE"); code != 0 {
		t.Fatalf("resolve exited %d: %s", code, out)
	}
	waitFor(t, "the debrief in the drill room", func() bool {
		ch, _ := d.sandboxChannel(t, room.Channel)
		return ch.hasMessage("Drill debrief") && ch.hasMessage("The debrief is kept at")
	})
	ch, _ := d.sandboxChannel(t, room.Channel)
	for _, m := range ch.Messages {
		if !strings.HasPrefix(m.Text, "DRILL · ") {
			t.Errorf("a drill-room message doesn't start with DRILL: %q", m.Text)
		}
	}
	if inc, ok := d.sandboxChannel(t, "incidents"); ok {
		for _, m := range inc.Messages {
			if strings.Contains(m.Text, "Checkout errors after") || strings.Contains(m.Text, room.ID) {
				t.Errorf("#incidents heard of the drill: %q", m.Text)
			}
		}
	}

	var issues struct {
		Issues []struct {
			Title  string   `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		} `json:"issues"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := get(t, d.github+"/_emu/state")
		if err := json.Unmarshal([]byte(body), &issues); err != nil {
			t.Fatalf("GitHub sandbox state: %v: %s", err, body)
		}
		if len(issues.Issues) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(issues.Issues) != 1 {
		t.Fatalf("want the one debrief issue, got %d", len(issues.Issues))
	}
	is := issues.Issues[0]
	if !strings.HasPrefix(is.Title, "Drill debrief: Checkout errors after the 14:02 deploy") || len(is.Labels) != 1 || is.Labels[0] != "drill" {
		t.Errorf("debrief issue: %q %v", is.Title, is.Labels)
	}
	for _, want := range []string{"points", "Time to first update", "Hints used: 1"} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("the debrief lacks %q:\n%s", want, is.Body)
		}
	}
}
