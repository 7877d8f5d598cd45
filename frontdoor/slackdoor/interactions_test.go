package slackdoor

import (
	"context"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestKickoffButtons: each kickoff button opens its modal for the incident
// named by the button's value, and the modal's submission reaches it.
func TestKickoffButtons(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("DNS flaps")
	ts := d.postButtons(room, decl.ID, wfapi.ActionPostUpdate, wfapi.ActionChangeSeverity,
		wfapi.ActionAssignRole, wfapi.ActionResolve)
	ic := slackemu.UserAlice // the commander: the permission model lets her do all of it

	d.click(room, ts, wfapi.ActionChangeSeverity, ic)
	v := d.openView(CallbackSeverity)
	if m := decodeMeta(v.PrivateMetadata); m.Incident != decl.ID {
		t.Fatalf("severity modal for %q", m.Incident)
	}
	if rep := d.submit(v.ID, "", form().sel(FieldSeverity, "bogus")); rep.ResponseAction != "errors" || rep.Errors[FieldSeverity] == "" {
		t.Fatalf("bogus severity answered %s", rep.Body)
	}
	if rep := d.submit(v.ID, "", form().sel(FieldSeverity, "critical").text(FieldReason, "spreading")); rep.ResponseAction != "clear" {
		t.Fatalf("severity answered %s", rep.Body)
	}
	if c := d.ops.callsOf("SetSeverity"); len(c) != 1 || c[0].Arg != (wfapi.SetSeverityRequest{By: ic, Severity: incident.Critical, Reason: "spreading"}) {
		t.Fatalf("calls %+v", c)
	}

	d.click(room, ts, wfapi.ActionAssignRole, ic)
	v = d.openView(CallbackRole)
	if rep := d.submit(v.ID, "", form().sel(FieldRole, "comms").user(FieldUser, "U0GHOST")); rep.ResponseAction != "errors" ||
		!strings.Contains(rep.Errors[FieldUser], "no user U0GHOST") {
		t.Fatalf("unknown user answered %s", rep.Body)
	}
	if rep := d.submit(v.ID, "", form().sel(FieldRole, "comms").user(FieldUser, slackemu.UserErin)); rep.ResponseAction != "clear" {
		t.Fatalf("role answered %s", rep.Body)
	}
	if c := d.ops.callsOf("AssignRole"); len(c) != 1 || c[0].Arg != (wfapi.AssignRoleRequest{By: ic, Role: incident.Comms, User: slackemu.UserErin}) {
		t.Fatalf("calls %+v", c)
	}

	d.click(room, ts, wfapi.ActionPostUpdate, ic)
	v = d.openView(CallbackUpdate)
	if rep := d.submit(v.ID, "", form().text(FieldText, "still flapping")); rep.ResponseAction != "errors" || rep.Errors[FieldStatus] == "" {
		t.Fatalf("update without status answered %s", rep.Body)
	}
	if rep := d.submit(v.ID, "", form().sel(FieldStatus, "monitoring").text(FieldText, "fixed upstream")); rep.ResponseAction != "clear" {
		t.Fatalf("update answered %s", rep.Body)
	}

	d.click(room, ts, wfapi.ActionResolve, ic)
	v = d.openView(CallbackResolve)
	if rep := d.submit(v.ID, "", form().text(FieldResolution, "Provider fixed it")); rep.ResponseAction != "clear" {
		t.Fatalf("resolve answered %s", rep.Body)
	}
	if c := d.ops.callsOf("Resolve"); len(c) != 1 || c[0].ID != decl.ID {
		t.Fatalf("calls %+v", c)
	}
	// Submitting a form of a resolved incident says so.
	d.click(room, ts, wfapi.ActionPostUpdate, ic)
	v = d.openView(CallbackUpdate)
	d.ops.mu.Lock()
	delete(d.ops.incidents, decl.ID)
	d.ops.mu.Unlock()
	rep := d.submit(v.ID, "", form().sel(FieldStatus, "monitoring").text(FieldText, "late"))
	if rep.ResponseAction != "errors" || !strings.Contains(rep.Errors[FieldText], "I can't find that incident any more") {
		t.Fatalf("update of a gone incident answered %s", rep.Body)
	}
}

func TestRetroButtons(t *testing.T) {
	retro := &fakeRetro{}
	d := newDoor(t, withRetro(retro))
	decl, room := d.warRoom("Queue backlog")
	ts := d.postButtons(room, decl.ID, wfapi.ActionAddActionItems, wfapi.ActionRetroDone)

	d.click(room, ts, wfapi.ActionAddActionItems, slackemu.UserDave)
	v := d.openView(CallbackActionItems)
	if rep := d.submit(v.ID, "", form().text(FieldText, "")); rep.ResponseAction != "errors" || rep.Errors[FieldText] == "" {
		t.Fatalf("empty item answered %s", rep.Body)
	}
	if rep := d.submit(v.ID, "", form().text(FieldText, "Alert on backlog").user(FieldOwner, slackemu.UserErin).date(FieldDue, "2030-01-31")); rep.ResponseAction != "clear" {
		t.Fatalf("item answered %s", rep.Body)
	}
	retro.mu.Lock()
	items := retro.items[decl.ID]
	retro.mu.Unlock()
	if len(items) != 1 || items[0].Text != "Alert on backlog" || items[0].Owner != slackemu.UserErin || items[0].Due != "2030-01-31" ||
		items[0].Author != slackemu.UserDave || items[0].Key == "" {
		t.Fatalf("items %+v", items)
	}

	d.click(room, ts, wfapi.ActionRetroDone, slackemu.UserDave)
	eventually(t, "the retrospective marked done", func() bool {
		retro.mu.Lock()
		defer retro.mu.Unlock()
		return len(retro.done) == 1 && retro.done[0] == decl.ID+" by "+slackemu.UserDave
	})
	eventually(t, "the confirmation", func() bool {
		return strings.Contains(strings.Join(d.ephemeralTexts(room, slackemu.UserDave), "\n"), "Marked the retrospective of `"+decl.ID+"` done")
	})
}

// TestActionItemWithoutRetro: with no retrospective hook the action item goes
// to the open incident.
func TestActionItemWithoutRetro(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Cache stampede")
	ts := d.postButtons(room, decl.ID, wfapi.ActionAddActionItems, wfapi.ActionRetroDone)
	d.click(room, ts, wfapi.ActionAddActionItems, slackemu.UserDave)
	v := d.openView(CallbackActionItems)
	if rep := d.submit(v.ID, "", form().text(FieldText, "Jitter the TTLs")); rep.ResponseAction != "clear" {
		t.Fatalf("item answered %s", rep.Body)
	}
	if c := d.ops.callsOf("AddActionItem"); len(c) != 1 || c[0].Arg != (wfapi.AddActionItemRequest{By: slackemu.UserDave, Text: "Jitter the TTLs"}) {
		t.Fatalf("calls %+v", c)
	}
	d.click(room, ts, wfapi.ActionRetroDone, slackemu.UserDave)
	eventually(t, "a not-supported answer", func() bool {
		return strings.Contains(strings.Join(d.ephemeralTexts(room, slackemu.UserDave), "\n"), "isn't supported")
	})
}

func TestMaintenanceButtons(t *testing.T) {
	m := &fakeMaintenance{}
	d := newDoor(t, withMaintenance(m))
	_, room := d.maintenanceRoom("db-upgrade")
	ts := d.postButtons(room, "db-upgrade", wfapi.ActionMaintenanceComplete, wfapi.ActionMaintenancePromote)
	bobCompletesAndPromotes(t, d, m, room, ts)
}

// bobCompletesAndPromotes has Bob, a member of the window db-upgrade's war
// room, click Complete and Promote on its buttons message ts, and checks
// both reached the maintenance, in that order.
func bobCompletesAndPromotes(t *testing.T, d *door, m *fakeMaintenance, room, ts string) {
	t.Helper()
	d.click(room, ts, wfapi.ActionMaintenanceComplete, slackemu.UserBob)
	d.click(room, ts, wfapi.ActionMaintenancePromote, slackemu.UserBob)
	eventually(t, "both maintenance actions", func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return len(m.done) == 2
	})
	if m.done[0] != "complete db-upgrade by U0BOB" || m.done[1] != "promote db-upgrade by U0BOB" {
		t.Fatalf("maintenance calls %q", m.done)
	}
}

func TestUnsupportedButton(t *testing.T) {
	d := newDoor(t) // no maintenance hook either
	ts := d.postButtons(slackemu.GeneralChannelID, "x1", "self_destruct", wfapi.ActionMaintenanceComplete)
	d.click(slackemu.GeneralChannelID, ts, "self_destruct", slackemu.UserAlice)
	d.click(slackemu.GeneralChannelID, ts, wfapi.ActionMaintenanceComplete, slackemu.UserAlice)
	eventually(t, "two not-supported answers", func() bool {
		all := strings.Join(d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice), "\n")
		return strings.Contains(all, "That button isn't supported") && strings.Contains(all, "Maintenance buttons aren't supported")
	})
	if n := len(d.emu.Views()); n != 0 {
		t.Fatalf("%d modals opened", n)
	}
}

func TestDeclareFromMessage(t *testing.T) {
	d := newDoor(t)
	msg, err := d.emu.PostAs(slackemu.GeneralChannelID, slackemu.UserGrace,
		"Customers say   checkout &lt;fails&gt; with <@U0BOB|bob>'s card\nOrder 1234: card_declined\nsince 10:02", "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.emu.MessageShortcut(context.Background(), ShortcutDeclareFromMessage, slackemu.GeneralChannelID, msg.TS, slackemu.UserGrace)
	if err != nil || rep.Status != 200 || rep.Late {
		t.Fatalf("shortcut: %v %+v", err, rep)
	}
	v := d.openView(CallbackDeclare)
	meta := decodeMeta(v.PrivateMetadata)
	wantLink := "https://" + slackemu.TeamDomain + ".slack.com/archives/" + slackemu.GeneralChannelID + "/p" + strings.ReplaceAll(msg.TS, ".", "")
	if meta.Source != wantLink || meta.Channel != slackemu.GeneralChannelID {
		t.Fatalf("metadata %+v, want source %s", meta, wantLink)
	}
	blocks := string(v.Blocks)
	if !strings.Contains(blocks, `"initial_value":"Customers say checkout \u003cfails\u003e with @bob's card"`) &&
		!strings.Contains(blocks, `"initial_value":"Customers say checkout <fails> with @bob's card"`) {
		t.Fatalf("title not pre-filled from the first line:\n%s", blocks)
	}
	if !strings.Contains(blocks, `Order 1234: card_declined\nsince 10:02`) {
		t.Fatalf("summary not pre-filled from the message:\n%s", blocks)
	}
	rep = d.submit(v.ID, "", form().text(FieldTitle, "Checkout fails").sel(FieldSeverity, "major"))
	if rep.ResponseAction != "clear" {
		t.Fatalf("submit answered %s", rep.Body)
	}
	if len(d.ops.declares) != 1 || d.ops.declares[0].SourceMessage != wantLink || d.ops.declares[0].Declarer != slackemu.UserGrace {
		t.Fatalf("declared %+v", d.ops.declares)
	}

	if _, err := d.emu.Shortcut(context.Background(), ShortcutDeclare, slackemu.UserBob); err != nil {
		t.Fatal(err)
	}
	if v := d.openView(CallbackDeclare); v.UserID != slackemu.UserBob {
		t.Fatalf("global shortcut opened %+v", v)
	}
}
