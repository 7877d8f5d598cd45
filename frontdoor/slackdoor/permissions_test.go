package slackdoor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// toldPrivately is everything user was told only they see: the ephemeral
// messages in channel, then the direct messages (where a refusal goes when
// the user isn't in channel).
func (d *door) toldPrivately(channel, user string) []string {
	out := d.ephemeralTexts(channel, user)
	for _, ch := range d.emu.Channels() {
		if ch.IsIM && ch.User == user {
			for _, m := range d.emu.Messages(ch.ID) {
				out = append(out, m.Text)
			}
		}
	}
	return out
}

// waitToldPrivately waits until user was told privately something that
// contains want, and returns all of it.
func (d *door) waitToldPrivately(channel, user, want string) string {
	d.t.Helper()
	var all string
	eventually(d.t, "being told “"+want+"”", func() bool {
		all = strings.Join(d.toldPrivately(channel, user), "\n")
		return strings.Contains(all, want)
	})
	return all
}

// refusingOps is the fake Temporal whose incident workflow refuses every
// resolution, severity change and role as the permission model does.
type refusingOps struct {
	*fakeOps
	sentence string
}

func (r refusingOps) refusal() error {
	return temporal.NewNonRetryableApplicationError(r.sentence, wfapi.NotAllowedError, nil)
}

func (r refusingOps) Resolve(context.Context, string, wfapi.ResolveRequest) error { return r.refusal() }

func (r refusingOps) SetSeverity(context.Context, string, wfapi.SetSeverityRequest) error {
	return r.refusal()
}

func withWorkflowRefusing(sentence string) doorOption {
	return func(o *FrontDoorOptions) { o.Incidents = refusingOps{o.Incidents.(*fakeOps), sentence} }
}

// Someone not in the war room may not work in it: the form's submission,
// the slash command and the mark are refused privately, saying who can, and
// nothing reaches the incident.
func TestNonMembersMayNotActInTheWarRoom(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Checkout down")
	erin := slackemu.UserErin // not in the war room
	want := "Only members of <#" + room + "> can post status updates in this incident."

	ts := d.postButtons(room, decl.ID, wfapi.ActionPostUpdate)
	d.click(room, ts, wfapi.ActionPostUpdate, erin)
	v := d.openView(CallbackUpdate)
	if rep := d.submit(v.ID, erin, form().sel(FieldStatus, "identified").text(FieldText, "it's DNS")); rep.ResponseAction != "clear" {
		t.Fatalf("the refused update answered %s, want the modal closed", rep.Body)
	}
	if got := d.waitToldPrivately(room, erin, want); strings.Contains(got, "NOT") {
		t.Errorf("the refusal says more than who can: %q", got)
	}
	if rep := d.command(room, erin, "action add an alert on the resolver"); replyText(rep) != "Only members of <#"+room+"> can add action items to this incident." {
		t.Errorf("/incident action answered %q", replyText(rep))
	}
	if rep := d.command(room, erin, "update"); replyText(rep) != want {
		t.Errorf("/incident update answered %q, want the refusal before any form opens", replyText(rep))
	}

	msg := d.postAs(room, slackemu.UserBob, "resolver timeouts")
	if _, err := d.emu.MessageShortcut(context.Background(), ShortcutAddToTimeline, room, msg, erin); err != nil {
		t.Fatal(err)
	}
	d.waitToldPrivately(room, erin, "Only members of <#"+room+"> can add messages to this incident's timeline.")
	d.fd.markFromEvent(context.Background(), "Ev0PIN", incident.MessageMark{Action: incident.MarkAdd, Channel: room, TS: msg, By: erin, Via: incident.ViaPin})

	for _, op := range []string{"PostStatus", "AddActionItem", "MarkMessage"} {
		if calls := d.ops.callsOf(op); len(calls) != 0 {
			t.Errorf("%s reached the incident: %+v", op, calls)
		}
	}

	// A member may.
	d.command(room, slackemu.UserBob, "action add an alert on the resolver")
	if calls := d.ops.callsOf("AddActionItem"); len(calls) != 1 {
		t.Errorf("a member's action item: %d calls, want 1", len(calls))
	}
}

// The workflow's refusal (wfapi.NotAllowedError) reaches the person
// privately as the sentence it is, mentions kept: from a modal, which
// closes, and from a slash command.
func TestWorkflowRefusalsAreToldPrivatelyWithWhoCan(t *testing.T) {
	const sentence = "Only the commander (<@U0ALICE>), the spokesperson, the major leads or an incident admin can resolve this incident."
	d := newDoor(t, withWorkflowRefusing(sentence))
	decl, room := d.warRoom("Queue backlog")
	bob := slackemu.UserBob

	ts := d.postButtons(room, decl.ID, wfapi.ActionResolve)
	d.click(room, ts, wfapi.ActionResolve, bob)
	v := d.openView(CallbackResolve)
	if rep := d.submit(v.ID, bob, form().text(FieldResolution, "drained it")); rep.ResponseAction != "clear" {
		t.Fatalf("the refused resolution answered %s, want the modal closed", rep.Body)
	}
	d.waitToldPrivately(room, bob, sentence)

	if got := replyText(d.command(room, bob, "severity critical")); got != sentence {
		t.Errorf("/incident severity answered %q, want %q", got, sentence)
	}
}

// While an incident has no commander, whoever may act in the war room may
// lead it; someone outside it is told so at the door.
func TestALeaderlessIncidentIsLedByItsMembers(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Disk full")
	d.ops.mu.Lock()
	d.ops.incidents[decl.ID].Commander = ""
	d.ops.mu.Unlock()

	want := "Only members of <#" + room + "> (while it has no commander), the spokesperson, the major leads or an incident admin can give this incident's roles."
	if got := replyText(d.command(room, slackemu.UserErin, "lead me")); got != want {
		t.Errorf("a non-member's /incident lead me answered %q, want %q", got, want)
	}
	if got := replyText(d.command(room, slackemu.UserBob, "lead me")); !strings.Contains(got, "<@U0BOB> is now the commander") {
		t.Errorf("a member's /incident lead me answered %q", got)
	}
	if calls := d.ops.callsOf("AssignRole"); len(calls) != 1 || calls[0].Arg.(wfapi.AssignRoleRequest).By != slackemu.UserBob {
		t.Errorf("AssignRole calls %+v, want Bob's alone", calls)
	}
}

// A declaration the declare rules refuse starts nothing; the form says who
// may declare.
func TestDeclareRulesAreCheckedAtTheForm(t *testing.T) {
	d := newDoor(t, func(o *FrontDoorOptions) {
		o.Process.Permissions.Declare = []string{incident.IncidentAdmins}
		o.Process.Permissions.DeclareSecurity = []string{slackemu.UserFrank}
	}, withAdmins(slackemu.UserAlice))
	for _, tc := range []struct {
		user     string
		security bool
		refusal  string
	}{
		{slackemu.UserBob, false, "Only an incident admin can declare an incident."},
		{slackemu.UserBob, true, "Only @U0FRANK can declare a security incident."},
		{slackemu.UserAlice, true, "Only @U0FRANK can declare a security incident."},
		{slackemu.UserFrank, true, ""},
		{slackemu.UserAlice, false, ""},
	} {
		d.command(slackemu.GeneralChannelID, tc.user, "declare Payments failing")
		v := d.openView(CallbackDeclare)
		values := form().text(FieldTitle, "Payments failing").sel(FieldSeverity, "major")
		if tc.security {
			values = values.check(FieldSecurity, "security")
		}
		rep := d.submit(v.ID, tc.user, values)
		if got := rep.Errors[FieldTitle]; got != tc.refusal {
			t.Errorf("%s declaring (security %v): %q, want %q", tc.user, tc.security, got, tc.refusal)
		}
	}
	if n := len(d.ops.declares); n != 2 {
		t.Errorf("%d declarations reached Temporal, want the 2 allowed", n)
	}
}

// /incident list shows a security incident to its war room's members only,
// and nothing of it to anyone else.
func TestListShowsSecurityIncidentsToTheirMembersOnly(t *testing.T) {
	d := newDoor(t)
	d.warRoom("Checkout down")
	ch, err := d.emu.CreateChannel("inc-sec-1", true, slackemu.UserFrank, slackemu.UserAlice, slackemu.BotUserID)
	if err != nil {
		t.Fatal(err)
	}
	d.ops.add(incident.Declaration{ID: "sec1", Title: "Leaked API key", Severity: incident.Critical, Security: true,
		Declarer: slackemu.UserFrank}, ch.ID)

	for user, sees := range map[string]bool{slackemu.UserFrank: true, slackemu.UserAlice: true, slackemu.UserBob: false} {
		text := replyText(d.command(slackemu.GeneralChannelID, user, "list"))
		if got := strings.Contains(text, "sec1"); got != sees {
			t.Errorf("%s sees the security incident: %v, want %v:\n%s", user, got, sees, text)
		}
		if !sees && (strings.Contains(text, ch.ID) || !strings.Contains(text, "*1 open incident(s)*")) {
			t.Errorf("%s is shown something of it:\n%s", user, text)
		}
	}
	if n := d.emu.CallCount("conversations.members"); n != 1 {
		t.Errorf("conversations.members called %d times for three lists of one war room, want 1 (cached)", n)
	}
}

// Someone not in a maintenance window's war room may neither complete nor
// promote the window: the buttons are refused privately, saying who can,
// and nothing reaches the maintenance workflow; a member may.
func TestMaintenanceButtonsFollowTheActRule(t *testing.T) {
	m := &fakeMaintenance{}
	d := newDoor(t, withMaintenance(m))
	_, room := d.maintenanceRoom("db-upgrade")
	erin := slackemu.UserErin // not in the war room
	ts := d.postButtons(room, "db-upgrade", wfapi.ActionMaintenanceComplete, wfapi.ActionMaintenancePromote)

	d.click(room, ts, wfapi.ActionMaintenanceComplete, erin)
	d.waitToldPrivately(room, erin, "Only members of <#"+room+"> can complete this maintenance.")
	d.click(room, ts, wfapi.ActionMaintenancePromote, erin)
	d.waitToldPrivately(room, erin, "Only members of <#"+room+"> can promote this maintenance to an incident.")
	m.mu.Lock()
	if len(m.done) != 0 {
		t.Errorf("a non-member's clicks reached the maintenance: %q", m.done)
	}
	m.mu.Unlock()

	bobCompletesAndPromotes(t, d, m, room, ts)
}

// With the promote form, a non-member's Promote opens no form, and a
// promote form submitted by one anyway declares nothing; a member's
// declares.
func TestMaintenancePromoteFormFollowsTheActRule(t *testing.T) {
	sched := &fakeScheduler{}
	d := newDoor(t, withMaintenance(sched))
	_, room := d.maintenanceRoom("db-upgrade")
	erin := slackemu.UserErin
	want := "Only members of <#" + room + "> can promote this maintenance to an incident."
	ts := d.postButtons(room, "db-upgrade", wfapi.ActionMaintenancePromote)

	d.click(room, ts, wfapi.ActionMaintenancePromote, erin)
	d.waitToldPrivately(room, erin, want)
	if n := len(d.emu.Views()); n != 0 {
		t.Fatalf("a non-member's Promote opened %d forms", n)
	}

	d.click(room, ts, wfapi.ActionMaintenancePromote, slackemu.UserBob)
	v := d.openView(CallbackMaintenancePromote)
	values := form().sel(FieldSeverity, "critical").text(FieldReason, "replication broke")
	if rep := d.submit(v.ID, erin, values); rep.ResponseAction != "clear" { // someone else's form
		t.Fatalf("the refused promotion answered %s, want the modal closed", rep.Body)
	}
	eventually(t, "the refusal, twice", func() bool {
		return strings.Count(strings.Join(d.toldPrivately(room, erin), "\n"), want) == 2
	})
	sched.mu.Lock()
	if len(sched.promotes) != 0 {
		t.Errorf("a non-member's promotion reached the maintenance: %+v", sched.promotes)
	}
	sched.mu.Unlock()

	d.click(room, ts, wfapi.ActionMaintenancePromote, slackemu.UserBob)
	if rep := d.submit(d.openView(CallbackMaintenancePromote).ID, slackemu.UserBob, values); rep.ResponseAction != "clear" {
		t.Fatalf("a member's promotion answered %s", rep.Body)
	}
	sched.mu.Lock()
	defer sched.mu.Unlock()
	if len(sched.promotes) != 1 || sched.promotes[0].By != slackemu.UserBob || sched.promotes[0].Severity != incident.Critical {
		t.Fatalf("promotes %+v, want Bob's", sched.promotes)
	}
}

// fakeAlerts is an alert group waiting in triage; it records the answers
// to its prompt.
type fakeAlerts struct {
	mu      sync.Mutex
	triaged []string
}

func (a *fakeAlerts) Get(_ context.Context, groupID string) (wfapi.AlertGroupState, error) {
	return wfapi.AlertGroupState{GroupID: groupID, Phase: wfapi.AlertTriage}, nil
}

func (a *fakeAlerts) Declare(context.Context, string, string, incident.Declaration) (string, error) {
	return "", errors.New("not in this test")
}

func (a *fakeAlerts) Triage(_ context.Context, groupID, by, action string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.triaged = append(a.triaged, action+" "+groupID+" by "+by)
	return nil
}

// Answering an alert's triage prompt is deciding whether to declare: the
// declare rule says who may press Declare, Ignore or Snooze.
func TestTriageButtonsFollowTheDeclareRule(t *testing.T) {
	alerts := &fakeAlerts{}
	d := newDoor(t, func(o *FrontDoorOptions) {
		o.Alerts = alerts
		o.Process.Permissions.Declare = []string{incident.IncidentAdmins}
	}, withAdmins(slackemu.UserAlice))
	ch := slackemu.IncidentsChannelID
	const want = "Only an incident admin can declare an incident."
	ts := d.postButtons(ch, "grp1", wfapi.ActionAlertDeclare, wfapi.ActionAlertIgnore, wfapi.ActionAlertSnooze)

	for _, action := range []string{wfapi.ActionAlertIgnore, wfapi.ActionAlertSnooze, wfapi.ActionAlertDeclare} {
		d.click(ch, ts, action, slackemu.UserBob)
	}
	eventually(t, "three refusals", func() bool {
		return strings.Count(strings.Join(d.toldPrivately(ch, slackemu.UserBob), "\n"), want) == 3
	})
	if n := len(d.emu.Views()); n != 0 {
		t.Errorf("a refused Declare opened %d forms", n)
	}
	alerts.mu.Lock()
	if len(alerts.triaged) != 0 {
		t.Errorf("refused answers reached the alert group: %q", alerts.triaged)
	}
	alerts.mu.Unlock()

	d.click(ch, ts, wfapi.ActionAlertIgnore, slackemu.UserAlice)
	d.waitToldPrivately(ch, slackemu.UserAlice, "Done: you ignored this alert group.")
	alerts.mu.Lock()
	defer alerts.mu.Unlock()
	if len(alerts.triaged) != 1 || alerts.triaged[0] != "ignore grp1 by U0ALICE" {
		t.Fatalf("triaged %q, want the admin's ignore", alerts.triaged)
	}
}
