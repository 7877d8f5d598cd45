package main

import (
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// warRoom returns the Slack sandbox's channel name, failing without it.
func (d *devProcess) warRoom(t *testing.T, name string) sandboxChannel {
	t.Helper()
	ch, ok := d.sandboxChannel(t, name)
	if !ok {
		t.Fatalf("the Slack sandbox has no channel %s", name)
	}
	return ch
}

// members are the members of the Slack sandbox's channel id.
func (d *devProcess) members(t *testing.T, id string) []string {
	t.Helper()
	_, body := get(t, d.slack+"/_emu/state")
	var st struct {
		Channels []struct {
			ID      string   `json:"id"`
			Members []string `json:"members"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("Slack sandbox state: %v", err)
	}
	for _, ch := range st.Channels {
		if ch.ID == id {
			return ch.Members
		}
	}
	return nil
}

// declareRoom declares an incident with args and returns its ID and war
// room (name and ID).
func (d *devProcess) declareRoom(t *testing.T, args ...string) (id, channel, channelID string) {
	t.Helper()
	out, code := d.cli(t, append([]string{"declare", "--severity", "major", "--json"}, args...)...)
	var room struct {
		ID        string `json:"id"`
		Channel   string `json:"channel"`
		ChannelID string `json:"channel_id"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &room) != nil || room.ChannelID == "" {
		t.Fatalf("declare %v exited %d: %s", args, code, out)
	}
	return room.ID, room.Channel, room.ChannelID
}

// TestCLISaysWhoItActsAs: without --as or cli.user the CLI attributes
// every action to "the CLI on host h" and the war room says it has no
// commander yet; with cli.user (an email) or --as (a Slack ID) it acts as
// that Slack person, who leads and is invited; a name Slack doesn't know is
// refused. Resolving a resolved incident says when and by whom, changing it
// is refused the same way, and list --all / --status resolved show it.
func TestCLISaysWhoItActsAs(t *testing.T) {
	d := startDev(t, t.TempDir())
	u, err := url.Parse(d.slack)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INCIDENTFLOW_DEV_SLACK_PORT", u.Port()) // where the CLI finds the Slack sandbox
	host, _ := os.Hostname()
	via := "the CLI on host " + host

	id, ch, _ := d.declareRoom(t, "--title", "Checkout is down")
	room := d.warRoom(t, ch)
	for _, want := range []string{"*Commander:* no commander yet — `/incident lead @you`", "Declared via " + via + " at "} {
		if !room.hasMessage(want) {
			t.Errorf("the kickoff of a CLI declaration without --as or --commander lacks %q: %+v", want, room.Messages)
		}
	}
	if room.hasMessage("Declared by") || room.hasMessage("unassigned at") {
		t.Errorf("the kickoff names a declarer: %+v", room.Messages)
	}
	out, code := d.cli(t, "update", "--incident", id, "--status", "identified", "--text", "Bad deploy")
	if want := "Posted a status update on incident " + id + " as " + via + " (no Slack identity: pass --as or set cli.user)."; code != 0 || !strings.Contains(out, want) {
		t.Errorf("update without an identity exited %d: %q, want %q", code, out, want)
	}
	waitFor(t, "the status update by the CLI", func() bool { return d.warRoom(t, ch).hasMessage("· identified · by " + via + "\n") })

	for _, bad := range []struct{ as, want string }{
		{"U0NOBODY", "--as \"U0NOBODY\": the Slack sandbox of `incidentflow dev`"},
		{"root", "--as \"root\": is neither a Slack user ID (U…/W…) nor an email"},
	} {
		if out, code := d.cli(t, "update", "--incident", id, "--status", "identified", "--text", "x", "--as", bad.as); code == 0 || !strings.Contains(out, bad.want) {
			t.Errorf("update --as %s exited %d: %q, want %q", bad.as, code, out, bad.want)
		}
	}

	t.Setenv("INCIDENTFLOW_CLI_USER", "alice@example.com")
	out, code = d.cli(t, "resolve", "--incident", id, "--summary", "Rolled back")
	if want := "Resolved incident " + id + " as Alice Anders (U0ALICE)."; code != 0 || !strings.Contains(out, want) {
		t.Fatalf("resolve with cli.user exited %d: %q, want %q", code, out, want)
	}
	waitFor(t, "the resolution by Alice", func() bool { return d.warRoom(t, ch).hasMessage("*Resolved* by <@U0ALICE> at ") })
	var inc incident.Incident
	out, _ = d.cli(t, "status", "--incident", id, "--json")
	if err := json.Unmarshal([]byte(out), &inc); err != nil {
		t.Fatalf("status --json: %v: %s", err, out)
	}
	at := incident.Clock(inc.ResolvedAt, time.UTC)

	out, code = d.cli(t, "resolve", "--incident", id, "--summary", "again", "--as", "U0BOB")
	if want := "Incident " + id + " was already resolved at " + at + " by Alice Anders; nothing changed."; code != 0 || !strings.Contains(out, want) {
		t.Errorf("resolving a resolved incident exited %d: %q, want %q", code, out, want)
	}
	out, code = d.cli(t, "severity", "--incident", id, "--to", "critical")
	if want := "incident " + id + " was already resolved at " + at + " by Alice Anders; if the problem is back, declare a new incident"; code == 0 || !strings.Contains(out, want) {
		t.Errorf("changing the severity of a resolved incident exited %d: %q, want %q", code, out, want)
	}

	if out, _ := d.cli(t, "list"); strings.Contains(out, id) {
		t.Errorf("list shows resolved incident %s:\n%s", id, out)
	}
	var listed struct {
		Incidents []struct {
			ID, Status, Ended string
		} `json:"incidents"`
	}
	waitFor(t, "list --status resolved --since 7d to show the ended incident", func() bool {
		out, code := d.cli(t, "list", "--status", "resolved", "--since", "7d", "--json")
		return code == 0 && json.Unmarshal([]byte(out), &listed) == nil && len(listed.Incidents) == 1 &&
			listed.Incidents[0].ID == id && listed.Incidents[0].Status == "resolved" && listed.Incidents[0].Ended == "completed"
	})
	if out, code := d.cli(t, "list", "--all"); code != 0 || !strings.Contains(out, "CLOSED") || !strings.Contains(out, id+" ") {
		t.Errorf("list --all exited %d without resolved incident %s:\n%s", code, id, out)
	}
	if out, _ := d.cli(t, "list", "--status", "investigating"); strings.Contains(out, id) {
		t.Errorf("list --status investigating shows resolved incident %s:\n%s", id, out)
	}
	if out, code := d.cli(t, "list", "--status", "fixed"); code == 0 || !strings.Contains(out, `--status: unknown status "fixed": use one of investigating`) {
		t.Errorf("list --status fixed exited %d: %s", code, out)
	}

	_, ch, chID := d.declareRoom(t, "--title", "Search is slow", "--as", "U0BOB")
	waitFor(t, "Bob in his war room", func() bool {
		room := d.warRoom(t, ch)
		return room.hasMessage("*Commander:* <@U0BOB>") && room.hasMessage("Declared by <@U0BOB> at ") && slices.Contains(d.members(t, chID), "U0BOB")
	})
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "0h", "soon", "1.5d"} {
		if _, err := parseAge(in); err == nil || !strings.Contains(err.Error(), "write it as 7d, 36h or 90m") {
			t.Errorf("parseAge(%q) = %v, want an error saying how to write it", in, err)
		}
	}
}
