package slackdoor

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func TestDeclareThroughModal(t *testing.T) {
	d := newDoor(t)
	rep := d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare Checkout <!channel> is down")
	if len(rep.Body) != 0 {
		t.Fatalf("declare answered %q, want an empty 200 (the modal opened)", rep.Body)
	}
	v := d.openView(CallbackDeclare)
	if v.UserID != slackemu.UserAlice {
		t.Fatalf("modal opened for %s", v.UserID)
	}
	blocks := string(v.Blocks)
	for _, want := range []string{`"initial_value":"Checkout @channel is down"`, `"initial_user":"U0ALICE"`,
		`"value":"critical"`, `"value":"checkout"`, `"value":"security"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("declare modal lacks %s:\n%s", want, blocks)
		}
	}
	rep = d.submit(v.ID, "", form().text(FieldTitle, "  Checkout   is down ").text(FieldSummary, "EU cards fail").
		sel(FieldSeverity, "critical").sel(FieldService, "checkout").check(FieldSecurity, securityValue))
	if rep.ResponseAction != "clear" {
		t.Fatalf("submit answered %s %v", rep.Body, rep.Errors)
	}
	if len(d.ops.declares) != 1 {
		t.Fatalf("%d declarations, want 1", len(d.ops.declares))
	}
	got := d.ops.declares[0]
	want := incident.Declaration{ID: declarationID(slack.View{ID: v.ID, PrivateMetadata: v.PrivateMetadata}), Title: "Checkout is down", Summary: "EU cards fail",
		Severity: incident.Critical, Service: "checkout", Commander: slackemu.UserAlice, Declarer: slackemu.UserAlice,
		Security: true, Kind: incident.KindIncident, Source: incident.SourceSlack, DeclaredAt: got.DeclaredAt, OriginChannel: slackemu.GeneralChannelID}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("declared %+v\nwant %+v", got, want)
	}
	if time.Since(got.DeclaredAt) > time.Minute {
		t.Fatalf("declared at %v", got.DeclaredAt)
	}
}

// TestDeclareTwice: a double submit or a retried delivery of the same modal
// names the same incident, so Update-With-Start joins it.
func TestDeclareTwice(t *testing.T) {
	d := newDoor(t)
	d.command(slackemu.IncidentsChannelID, slackemu.UserBob, "")
	v := d.openView(CallbackDeclare)
	cb := submission(v, slackemu.UserBob, form().text(FieldTitle, "Search is slow").sel(FieldSeverity, "minor").user(FieldCommander, slackemu.UserCarol))
	for i, retry := range []string{"", "1", "2"} {
		h := map[string][]string{}
		if retry != "" {
			h["X-Slack-Retry-Num"] = []string{retry}
			h["X-Slack-Retry-Reason"] = []string{"http_timeout"}
		}
		resp := d.postInteraction(cb, h)
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != 200 || body["response_action"] != "clear" {
			t.Fatalf("delivery %d: %d %v", i, resp.StatusCode, body)
		}
	}
	if len(d.ops.declares) != 3 {
		t.Fatalf("%d Declare calls, want 3", len(d.ops.declares))
	}
	for _, decl := range d.ops.declares {
		if decl.ID != d.ops.declares[0].ID || decl.Commander != slackemu.UserCarol {
			t.Fatalf("declarations differ: %+v", d.ops.declares)
		}
	}
	if n := len(d.ops.incidents); n != 1 {
		t.Fatalf("%d incidents, want 1", n)
	}
}

func TestDeclareValidation(t *testing.T) {
	d := newDoor(t)
	long := strings.Repeat("é", MaxTitle+1)
	tests := []struct {
		name  string
		input formInput
		want  map[string]string
	}{
		{"empty title", form().text(FieldTitle, "  ").sel(FieldSeverity, "major"), map[string]string{FieldTitle: "can't be empty"}},
		{"long title", form().text(FieldTitle, long).sel(FieldSeverity, "major"), map[string]string{FieldTitle: "151 characters"}},
		{"no severity", form().text(FieldTitle, "x"), map[string]string{FieldSeverity: "Pick a severity: critical, major, minor"}},
		{"unknown severity", form().text(FieldTitle, "x").sel(FieldSeverity, "apocalyptic"), map[string]string{FieldSeverity: `Unknown severity "apocalyptic"`}},
		{"unknown service", form().text(FieldTitle, "x").sel(FieldSeverity, "minor").sel(FieldService, "mainframe"), map[string]string{FieldService: "Unknown service"}},
		{"long summary", form().text(FieldTitle, "x").sel(FieldSeverity, "minor").text(FieldSummary, strings.Repeat("a", MaxText+1)), map[string]string{FieldSummary: "keep it to 3000"}},
	}
	d.command(slackemu.IncidentsChannelID, slackemu.UserAlice, "declare")
	v := d.openView(CallbackDeclare)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := d.submit(v.ID, "", tt.input)
			if rep.ResponseAction != "errors" {
				t.Fatalf("answered %s", rep.Body)
			}
			for field, want := range tt.want {
				if !strings.Contains(rep.Errors[field], want) {
					t.Errorf("error on %s = %q, want it to contain %q (all: %v)", field, rep.Errors[field], want, rep.Errors)
				}
			}
		})
	}
	if len(d.ops.declares) != 0 {
		t.Fatalf("invalid forms declared %d incidents", len(d.ops.declares))
	}
}

func TestWarRoomCommands(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Payments <b>fail</b> & *retry*")
	id := decl.ID
	alice, bob := slackemu.UserAlice, slackemu.UserBob

	t.Run("severity", func(t *testing.T) {
		text := replyText(d.command(room, alice, "severity critical card declines above 20%"))
		if !strings.Contains(text, "now *CRITICAL*") {
			t.Fatalf("reply %q", text)
		}
		calls := d.ops.callsOf("SetSeverity")
		want := wfapi.SetSeverityRequest{By: alice, Severity: incident.Critical, Reason: "card declines above 20%"}
		if len(calls) != 1 || calls[0].ID != id || calls[0].Arg != want {
			t.Fatalf("calls %+v", calls)
		}
	})
	t.Run("unknown severity", func(t *testing.T) {
		text := replyText(d.command(room, alice, "severity sev1"))
		if !strings.Contains(text, "Unknown severity “sev1”: use one of critical, major, minor") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("severity without name", func(t *testing.T) {
		if text := replyText(d.command(room, alice, "severity")); !strings.Contains(text, "which severity?") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("lead", func(t *testing.T) {
		text := replyText(d.command(room, alice, "lead <@U0BOB|bob>"))
		if !strings.Contains(text, "<@U0BOB> is now the commander") {
			t.Fatalf("reply %q", text)
		}
		calls := d.ops.callsOf("AssignRole")
		if len(calls) != 1 || calls[0].Arg != (wfapi.AssignRoleRequest{By: alice, Role: incident.Commander, User: bob}) {
			t.Fatalf("calls %+v", calls)
		}
	})
	t.Run("comms me", func(t *testing.T) {
		text := replyText(d.command(room, bob, "comms me"))
		if !strings.Contains(text, "<@U0BOB> is now the comms") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("lead unknown user", func(t *testing.T) {
		if text := replyText(d.command(room, alice, "lead <@U0NOBODY>")); !strings.Contains(text, "There's no user U0NOBODY") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("lead a bot", func(t *testing.T) {
		if text := replyText(d.command(room, alice, "lead <@U0INCIDENTFLOW|incidentflow>")); !strings.Contains(text, "is a bot") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("action", func(t *testing.T) {
		text := replyText(d.command(room, alice, "action <@U0DAVE|dave> alert on &lt;b&gt;queue&lt;/b&gt; depth"))
		if !strings.Contains(text, "Recorded the action item “alert on &lt;b&gt;queue&lt;/b&gt; depth” (owner <@U0DAVE>)") {
			t.Fatalf("reply %q", text)
		}
		calls := d.ops.callsOf("AddActionItem")
		want := wfapi.AddActionItemRequest{By: alice, Text: "alert on <b>queue</b> depth", Owner: slackemu.UserDave}
		if len(calls) != 1 || calls[0].Arg != want {
			t.Fatalf("calls %+v", calls)
		}
	})
	t.Run("action without text", func(t *testing.T) {
		if text := replyText(d.command(room, alice, "action")); !strings.Contains(text, "what needs doing?") {
			t.Fatalf("reply %q", text)
		}
	})
	t.Run("status", func(t *testing.T) {
		text := replyText(d.command(room, bob, "status"))
		for _, want := range []string{"Payments &lt;b&gt;fail&lt;/b&gt; &amp; ∗retry∗", "CRITICAL `" + id + "`",
			"Commander: <@U0BOB>", "Comms: <@U0BOB>", "War room: <#" + room + ">", "1 action item(s)"} {
			if !strings.Contains(text, want) {
				t.Errorf("status lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("update", func(t *testing.T) {
		if rep := d.command(room, alice, "update identified a bad deploy"); len(rep.Body) != 0 {
			t.Fatalf("update answered %s", rep.Body)
		}
		v := d.openView(CallbackUpdate)
		if m := decodeMeta(v.PrivateMetadata); m.Incident != id || m.Channel != room {
			t.Fatalf("update modal metadata %+v", m)
		}
		if !strings.Contains(string(v.Blocks), `"initial_value":"a bad deploy"`) || !strings.Contains(string(v.Blocks), `"initial_option":{"text":{"type":"plain_text","text":"Identified"`) {
			t.Fatalf("update modal not pre-filled:\n%s", v.Blocks)
		}
		rep := d.submit(v.ID, "", form().sel(FieldStatus, "identified").text(FieldText, "").number(FieldNextUpdate, "0"))
		if rep.ResponseAction != "errors" || !strings.Contains(rep.Errors[FieldText], "can't be empty") ||
			!strings.Contains(rep.Errors[FieldNextUpdate], "from 1 to 1440") {
			t.Fatalf("bad update answered %s", rep.Body)
		}
		rep = d.submit(v.ID, "", form().sel(FieldStatus, "identified").text(FieldText, "Rolling back v1.2").number(FieldNextUpdate, "20"))
		if rep.ResponseAction != "clear" {
			t.Fatalf("update answered %s", rep.Body)
		}
		calls := d.ops.callsOf("PostStatus")
		want := wfapi.PostStatusRequest{Author: alice, Status: incident.Identified, Text: "Rolling back v1.2", NextUpdateIn: 20 * time.Minute}
		if len(calls) != 1 || calls[0].Arg != want {
			t.Fatalf("calls %+v", calls)
		}
	})
	t.Run("list", func(t *testing.T) {
		text := replyText(d.command(slackemu.GeneralChannelID, bob, "list"))
		if !strings.Contains(text, "*1 open incident(s)*") || !strings.Contains(text, "`"+id+"` CRITICAL identified — Payments &lt;b&gt;fail") {
			t.Fatalf("list:\n%s", text)
		}
	})
	t.Run("resolve", func(t *testing.T) {
		d.slash("/closeincident", room, bob, "")
		v := d.openView(CallbackResolve)
		rep := d.submit(v.ID, "", form().text(FieldResolution, " "))
		if rep.ResponseAction != "errors" || !strings.Contains(rep.Errors[FieldResolution], "can't be empty") {
			t.Fatalf("empty resolution answered %s", rep.Body)
		}
		rep = d.submit(v.ID, "", form().text(FieldResolution, "Rolled back; 2% of payments failed for 40 min"))
		if rep.ResponseAction != "clear" {
			t.Fatalf("resolve answered %s", rep.Body)
		}
		calls := d.ops.callsOf("Resolve")
		if len(calls) != 1 || calls[0].Arg != (wfapi.ResolveRequest{By: bob, Summary: "Rolled back; 2% of payments failed for 40 min"}) {
			t.Fatalf("calls %+v", calls)
		}
	})
	t.Run("after resolution", func(t *testing.T) {
		if text := replyText(d.command(room, alice, "update")); !strings.Contains(text, "isn't the war room of an open incident") {
			t.Fatalf("reply %q", text)
		}
		if text := replyText(d.command(slackemu.GeneralChannelID, bob, "list")); !strings.Contains(text, "No open incidents") {
			t.Fatalf("list %q", text)
		}
	})
}

func TestCommandsOutsideWarRoom(t *testing.T) {
	d := newDoor(t)
	for _, text := range []string{"update", "severity major", "lead me", "comms <@U0BOB>", "resolve", "status", "action write it down"} {
		got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, text))
		if !strings.Contains(got, "isn't the war room of an open incident") || !strings.Contains(got, "/incident list") {
			t.Errorf("%s: %q", text, got)
		}
	}
	got := replyText(d.slash("/closeincident", slackemu.GeneralChannelID, slackemu.UserAlice, "done"))
	if !strings.Contains(got, "`/incident resolve` works in an incident's war room") {
		t.Errorf("/closeincident: %q", got)
	}
	if n := d.ops.count(); n != 0 {
		t.Fatalf("%d changes outside a war room", n)
	}
	if n := len(d.emu.Views()); n != 0 {
		t.Fatalf("%d modals opened outside a war room", n)
	}
}

func TestHelpAndUnknown(t *testing.T) {
	d := newDoor(t)
	help := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "help"))
	for _, want := range []string{"/incident declare [title]", "/incident severity &lt;critical|major|minor&gt; [reason]", "/closeincident"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "reboot <!everyone>"))
	if !strings.Contains(got, "I don't know the subcommand “reboot”") || !strings.Contains(got, "/incident help") {
		t.Fatalf("unknown: %q", got)
	}
	if !strings.Contains(got, "/incident declare &lt;title&gt;") || strings.Contains(got, "<title>") {
		t.Errorf("the unknown-subcommand answer leaves <title> for Slack to read as a link: %q", got)
	}
	if strings.Contains(help, "/incident maintenance") {
		t.Error("help offers maintenance, which isn't set up")
	}
	got = replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "maintenance"))
	if !strings.Contains(got, "isn't set up") {
		t.Fatalf("maintenance: %q", got)
	}
	// The emulator shows the answers as Slack would: only to the caller.
	eph := d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice)
	if len(eph) != 3 {
		t.Fatalf("ephemerals %q", eph)
	}
}

// TestTriggerExpired: when views.open refuses the trigger, the caller is told
// to try again instead of seeing nothing.
func TestTriggerExpired(t *testing.T) {
	d := newDoor(t)
	d.emu.FailNext("views.open", "expired_trigger_id", 1)
	if got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare")); got != "" {
		t.Fatalf("reply %q", got)
	}
	// views.open runs after the answer; its failure comes through the response_url.
	eventually(t, "the explanation", func() bool {
		for _, text := range d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice) {
			if strings.Contains(text, "Slack didn't open the declare form (expired_trigger_id)") {
				return true
			}
		}
		return false
	})
	if posts := d.emu.ResponseURLPosts(""); len(posts) != 1 {
		t.Fatalf("response_url posts %+v", posts)
	}
}
