package slackdoor

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// drillRoomID is the channel of the drill room fakeDrills opens.
const drillRoomID = "C0DRILLROOM"

// fakeDrillStart is a recorded fakeDrills.Start call.
type fakeDrillStart struct {
	Req  starter.DrillRequest
	Wait bool
}

// fakeDrills plays the starter's part: it records the drills asked for,
// one drill per key, and gives hints.
type fakeDrills struct {
	mu        sync.Mutex
	scenarios []drill.Scenario
	starts    []fakeDrillStart
	hints     []fakeCall
	hintErr   error
	startErr  error
	given     int
}

func newFakeDrills() *fakeDrills { return &fakeDrills{scenarios: drill.BuiltIn()} }

func (d *fakeDrills) Start(_ context.Context, req starter.DrillRequest, wait bool) (starter.DrillStarted, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.starts = append(d.starts, fakeDrillStart{req, wait})
	if d.startErr != nil {
		return starter.DrillStarted{Scenario: req.Scenario}, d.startErr
	}
	id := incident.IDFromKey("drill:" + req.Key)
	return starter.DrillStarted{ID: id, WorkflowID: wfapi.IncidentWorkflowID(id), Channel: "drill-" + id, ChannelID: drillRoomID, Scenario: req.Scenario}, nil
}

func (d *fakeDrills) Hint(_ context.Context, id, by string) (wfapi.HintOutcome, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hints = append(d.hints, fakeCall{"Hint", id, by})
	if d.hintErr != nil {
		return wfapi.HintOutcome{}, d.hintErr
	}
	d.given++
	return wfapi.HintOutcome{Hint: "the replica is behind", N: d.given, Of: 3}, nil
}

func (d *fakeDrills) List() []drill.Scenario { return d.scenarios }

// startCalls returns the Start calls so far.
func (d *fakeDrills) startCalls() []fakeDrillStart {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]fakeDrillStart(nil), d.starts...)
}

func (d *fakeDrills) hintCalls() []fakeCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]fakeCall(nil), d.hints...)
}

func withDrills(d DrillActions) doorOption { return func(o *FrontDoorOptions) { o.Drills = d } }

// drillForm is a good submission of the drill form.
func drillForm() formInput {
	return form().sel(FieldDrillScenario, "database-outage").
		input(FieldDrillParticipants, slack.BlockAction{Type: "multi_users_select", SelectedUsers: []string{slackemu.UserBob, slackemu.UserCarol, slackemu.UserBob}}).
		user(FieldDrillCommander, slackemu.UserBob).sel(FieldDrillSpeed, "4")
}

func TestTheDrillFormOpensWithTheScenarios(t *testing.T) {
	drills := newFakeDrills()
	d := newDoor(t, withDrills(drills))
	if got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill Database-Outage")); got != "" {
		t.Fatalf("reply %q, want the form", got)
	}
	v := d.openView(CallbackDrill)
	inputs := viewInputs(t, v)
	if inputs[FieldDrillScenario] != "database-outage" || inputs[FieldDrillSpeed] != "1" {
		t.Errorf("form inputs %v", inputs)
	}
	if _, ok := inputs[FieldDrillParticipants]; !ok {
		t.Error("no participants input")
	}
	blocks := string(v.Blocks)
	for _, s := range drills.scenarios {
		if !strings.Contains(blocks, `"value":"`+s.Name+`"`) || !strings.Contains(blocks, s.Name+" — ") {
			t.Errorf("the form doesn't offer %s", s.Name)
		}
	}
	for _, want := range []string{`"initial_user":"` + slackemu.UserAlice + `"`, `"max_selected_items":50`, "multi_users_select", "DRILL", "no one is paged", `"value":"8"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if len(drills.startCalls()) != 0 {
		t.Error("opening the form started a drill")
	}
	// The other words for it open the form with no scenario picked.
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "gameday")
	if got := viewInputs(t, d.openView(CallbackDrill))[FieldDrillScenario]; got != "" {
		t.Errorf("scenario %q picked", got)
	}
}

func TestAnUnknownScenarioIsRefusedWithTheList(t *testing.T) {
	drills := newFakeDrills()
	d := newDoor(t, withDrills(drills))
	got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill <@U0BOB> moon-landing"))
	for _, want := range []string{"There's no drill scenario", "`bad-deploy`", "`database-outage`", "`security-breach`"} {
		if !strings.Contains(got, want) {
			t.Errorf("reply %q lacks %s", got, want)
		}
	}
	if strings.Contains(got, "<@") {
		t.Errorf("reply %q echoes markup", got)
	}
	d.fd.Wait()
	if n := len(d.emu.Views()); n != 0 {
		t.Errorf("%d views opened", n)
	}
}

func TestABadDrillFormIsRefusedInline(t *testing.T) {
	drills := newFakeDrills()
	d := newDoor(t, withDrills(drills))
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill")
	v := d.openView(CallbackDrill)
	bad := form().sel(FieldDrillScenario, "moon-landing").
		input(FieldDrillParticipants, slack.BlockAction{Type: "multi_users_select", SelectedUsers: []string{slackemu.UserBob, "bob"}}).
		user(FieldDrillCommander, "<@U0BOB>").sel(FieldDrillSpeed, "3")
	rep := d.submit(v.ID, slackemu.UserAlice, bad)
	if rep.ResponseAction != "errors" {
		t.Fatalf("answer %s", rep.Body)
	}
	for _, field := range []string{FieldDrillScenario, FieldDrillParticipants, FieldDrillCommander, FieldDrillSpeed} {
		if strings.TrimSpace(rep.Errors[field]) == "" {
			t.Errorf("no error under %s: %v", field, rep.Errors)
		}
	}
	// A speed out of the list (even one drills can play) and too many
	// participants are refused too.
	many := make([]string, drill.MaxParticipants+1)
	for i := range many {
		many[i] = fmt.Sprintf("U0PART%02d", i)
	}
	rep = d.submit(v.ID, slackemu.UserAlice, drillForm().sel(FieldDrillSpeed, "60").
		input(FieldDrillParticipants, slack.BlockAction{Type: "multi_users_select", SelectedUsers: many}))
	if rep.ResponseAction != "errors" || rep.Errors[FieldDrillSpeed] == "" || !strings.Contains(rep.Errors[FieldDrillParticipants], "at most 50") {
		t.Fatalf("answer %s", rep.Body)
	}
	d.fd.Wait()
	if n := len(drills.startCalls()); n != 0 {
		t.Fatalf("%d drills started", n)
	}
}

func TestTheDrillFormStartsOneDrill(t *testing.T) {
	drills := newFakeDrills()
	d := newDoor(t, withDrills(drills))
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill")
	v := d.openView(CallbackDrill)
	values := drillForm()
	if rep := d.submit(v.ID, slackemu.UserAlice, values); rep.ResponseAction != "clear" {
		t.Fatalf("answer %s", rep.Body)
	}
	eventually(t, "told where the drill is", func() bool {
		return slicesContainSub(d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice), ":performing_arts: Drill started: <#"+drillRoomID+">")
	})
	// The same submission delivered again starts the same drill and tells
	// nothing more.
	if resp := d.postInteraction(submission(v, slackemu.UserAlice, values), nil); resp.StatusCode != 200 {
		t.Fatalf("the repeat answered %d", resp.StatusCode)
	}
	d.fd.Wait()
	calls := drills.startCalls()
	var quick, waited []starter.DrillRequest
	for _, c := range calls {
		if c.Wait {
			waited = append(waited, c.Req)
		} else {
			quick = append(quick, c.Req)
		}
	}
	if len(quick) != 2 || len(waited) != 1 {
		t.Fatalf("starts %+v, want two without waiting (the form and its repeat) and one waiting for the room", calls)
	}
	want := starter.DrillRequest{Scenario: "database-outage", Participants: []string{slackemu.UserBob, slackemu.UserCarol},
		Commander: slackemu.UserBob, Speed: 4, By: slackemu.UserAlice, OriginChannel: slackemu.GeneralChannelID, Key: quick[0].Key}
	if !strings.HasPrefix(want.Key, v.ID) {
		t.Errorf("key %q isn't the view's (%s)", want.Key, v.ID)
	}
	for _, got := range append(quick, waited...) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("started %+v, want %+v", got, want)
		}
	}
	told := d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice)
	if len(told) != 1 || !strings.Contains(told[0], "at 4×") || !strings.Contains(told[0], "<@"+slackemu.UserBob+">") {
		t.Errorf("told %q", told)
	}
	// Without a commander picked, the caller plays commander.
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill")
	v2 := d.openView(CallbackDrill)
	d.submit(v2.ID, slackemu.UserAlice, form().sel(FieldDrillScenario, "bad-deploy").sel(FieldDrillSpeed, "1"))
	d.fd.Wait()
	last := drills.startCalls()[len(drills.startCalls())-1].Req
	if last.Commander != slackemu.UserAlice || last.Key == want.Key || last.Participants != nil {
		t.Errorf("second drill %+v", last)
	}
}

func TestADrillThatFailsToStartIsToldInTheForm(t *testing.T) {
	drills := newFakeDrills()
	drills.startErr = starter.ErrUnavailable
	d := newDoor(t, withDrills(drills))
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill")
	v := d.openView(CallbackDrill)
	rep := d.submit(v.ID, slackemu.UserAlice, drillForm())
	if rep.ResponseAction != "errors" || !strings.Contains(rep.Errors[FieldDrillScenario], "NO drill was started") {
		t.Fatalf("answer %s", rep.Body)
	}
}

func TestHintInADrillRoom(t *testing.T) {
	drills := newFakeDrills()
	d := newDoor(t, withDrills(drills))
	decl, room := d.warRoom("Drill database outage")
	if got := replyText(d.command(room, slackemu.UserBob, "hint")); got != "Hint 1 of 3 posted in the drill room." {
		t.Errorf("reply %q", got)
	}
	if got := drills.hintCalls(); len(got) != 1 || got[0].ID != decl.ID || got[0].Arg != slackemu.UserBob {
		t.Errorf("hints %+v", got)
	}
	drills.mu.Lock()
	drills.hintErr = temporal.NewApplicationError("no hints left: all 3 of this scenario's facts are out", "")
	drills.mu.Unlock()
	if got := replyText(d.command(room, slackemu.UserBob, "clue")); got != "No hints left: all 3 of this scenario's facts are out." {
		t.Errorf("reply %q", got)
	}
	// Outside a war room there is no drill to ask.
	if got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserBob, "hint")); !strings.Contains(got, "war room") {
		t.Errorf("reply %q", got)
	}
	if n := len(drills.hintCalls()); n != 2 {
		t.Errorf("%d hint calls, want 2", n)
	}
	help := replyText(d.command(room, slackemu.UserBob, "help"))
	if !strings.Contains(help, "`/incident drill [scenario]`") || !strings.Contains(help, "`/incident hint`") {
		t.Errorf("help %q doesn't list the drill commands", help)
	}
}

func TestWithoutDrillsTheCommandsSaySo(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Checkout is down")
	for _, c := range []struct{ channel, text string }{
		{slackemu.GeneralChannelID, "drill"}, {slackemu.GeneralChannelID, "drill database-outage"},
		{room, "hint"}, {slackemu.GeneralChannelID, "hint"},
	} {
		if got := replyText(d.command(c.channel, slackemu.UserAlice, c.text)); got != drillsOff {
			t.Errorf("%s: reply %q", c.text, got)
		}
	}
	if help := replyText(d.command(room, slackemu.UserAlice, "help")); strings.Contains(help, "drill") || strings.Contains(help, "hint") {
		t.Errorf("help lists drills that aren't set up: %q", help)
	}
	// A nil *starter.Drills is no drills either.
	var none *starter.Drills
	d2 := newDoor(t, withDrills(none))
	if got := replyText(d2.command(slackemu.GeneralChannelID, slackemu.UserAlice, "drill")); got != drillsOff {
		t.Errorf("reply %q", got)
	}
}

// drillRoom is the room of a drill Alice commands, Bob, Carol and Dave in
// it.
func (d *door) drillRoom() (incident.Declaration, string) {
	d.t.Helper()
	decl, room := d.checkoutRoom(false)
	d.ops.mu.Lock()
	d.ops.incidents[decl.ID].Declaration.Kind = incident.KindDrill
	d.ops.mu.Unlock()
	return decl, room
}

// A drill's "Draft status page post" button opens the form, status page
// or not, and its submission is a draft.
func TestADrillDraftsItsStatusPagePost(t *testing.T) {
	for _, statusPage := range []bool{false, true} {
		var opts []doorOption
		if statusPage {
			opts = append(opts, withStatusPage())
		}
		d := newDoor(t, opts...)
		decl, room := d.drillRoom()
		ts := d.postButtons(room, decl.ID, wfapi.ActionPublishStatusPage)
		d.click(room, ts, wfapi.ActionPublishStatusPage, slackemu.UserAlice)
		v := d.openView(CallbackStatusPage)
		var title slack.TextBlockObject
		_ = json.Unmarshal(v.Title, &title)
		if !strings.Contains(title.Text, "drill") || !strings.Contains(string(v.Blocks), drillDraftTitle) {
			t.Errorf("status page %v: title %q, blocks %s", statusPage, title.Text, v.Blocks)
		}
		d.submit(v.ID, slackemu.UserAlice, form().text(FieldPublicName, "Degraded service: checkout").text(FieldPublicBody, "Some payments fail."))
		eventually(t, "told it was drafted", func() bool {
			return slicesContainSub(d.ephemeralTexts(room, slackemu.UserAlice), "Drafted (a drill publishes nothing)")
		})
		if got := d.ops.publications(); len(got) != 1 || got[0].Name != "Degraded service: checkout" {
			t.Errorf("drafts %+v", got)
		}
		// The command opens the same form.
		d.command(room, slackemu.UserAlice, "statuspage publish")
		d.openView(CallbackStatusPage)
	}
	// A real incident is refused as before without a status page.
	d := newDoor(t)
	_, room := d.checkoutRoom(false)
	if got := replyText(d.command(room, slackemu.UserAlice, "statuspage publish")); !strings.Contains(got, "No status page is set up") {
		t.Errorf("reply %q", got)
	}
}
