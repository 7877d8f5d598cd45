package slackdoor

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakeScheduler records what the maintenance forms ask for.
type fakeScheduler struct {
	fakeMaintenance
	mu       sync.Mutex
	windows  []incident.Window
	promotes []wfapi.PromoteMaintenanceRequest
	err      error
}

func (s *fakeScheduler) Schedule(_ context.Context, w incident.Window) (starter.ScheduledWindow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows = append(s.windows, w)
	return starter.ScheduledWindow{ID: w.ID, Window: w}, s.err
}

func (s *fakeScheduler) PromoteWith(ctx context.Context, id string, req wfapi.PromoteMaintenanceRequest) (wfapi.PromoteMaintenanceResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.updates.first(ctx) {
		s.promotes = append(s.promotes, req)
	}
	return wfapi.PromoteMaintenanceResult{IncidentID: "inc1"}, s.err
}

func maintenanceDoor(t *testing.T, sched MaintenanceActions) *FrontDoor {
	emu := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	p := incident.DefaultProcess()
	p.Services = map[string]incident.Service{"checkout": {}, "search": {}}
	return NewFrontDoor(FrontDoorOptions{
		Incidents: newFakeOps(), Process: &p, Maintenance: sched, Logger: testLogger(t),
		Slack: slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")),
	})
}

// maintForm is a submitted schedule form.
func maintForm(viewID string, values map[string]slack.BlockAction) slack.InteractionCallback {
	state := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for k, v := range values {
		state.Values[k] = map[string]slack.BlockAction{k: v}
	}
	var cb slack.InteractionCallback
	cb.Type = slack.InteractionTypeViewSubmission
	cb.User.ID = slackemu.UserAlice
	cb.View = slack.View{ID: viewID, CallbackID: CallbackMaintenanceSchedule, State: state,
		PrivateMetadata: viewMeta{Incident: newWindowMeta, Channel: slackemu.GeneralChannelID}.encode()}
	return cb
}

func maintGoodForm(start time.Time) map[string]slack.BlockAction {
	return map[string]slack.BlockAction{
		FieldTitle:           {Value: "DB upgrade"},
		FieldMaintStart:      {SelectedDateTime: start.Unix()},
		FieldMaintDuration:   {Value: "1h 30m"},
		FieldMaintServices:   {SelectedOptions: []slack.OptionBlockObject{{Value: "checkout"}}},
		FieldMaintRecurrence: {SelectedOption: slack.OptionBlockObject{Value: "weekly"}},
		FieldMaintAnnounce:   {Value: "#ops, incidents"},
	}
}

func TestMaintenanceFormSchedulesTheWindow(t *testing.T) {
	sched := &fakeScheduler{}
	f := maintenanceDoor(t, sched)
	start := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	for i := 0; i < 2; i++ { // a double submit names the same window
		if r := f.submit(context.Background(), maintForm("V123", maintGoodForm(start))); r == nil || r.ResponseAction != slack.RAClear {
			t.Fatalf("response %+v", r)
		}
	}
	w := sched.windows[0]
	if w.ID != sched.windows[1].ID || !strings.HasPrefix(w.ID, "db-upgrade-") || !w.Start.Equal(start) || w.Duration != 90*time.Minute ||
		w.Recurrence.Kind != incident.RecurWeekly || !reflect.DeepEqual(w.Services, []string{"checkout"}) ||
		!reflect.DeepEqual(w.AnnounceChannels, []string{"#ops", "incidents"}) || w.ScheduledBy != slackemu.UserAlice {
		t.Fatalf("window %+v", w)
	}
}

func TestMaintenanceFormShowsErrorsInline(t *testing.T) {
	sched := &fakeScheduler{}
	f := maintenanceDoor(t, sched)
	values := maintGoodForm(time.Now().Add(time.Hour))
	values[FieldMaintDuration] = slack.BlockAction{Value: "two hours"}
	values[FieldMaintRecurrence] = slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: "cron"}}
	values[FieldMaintCron] = slack.BlockAction{Value: "0 25 * * *"}
	r := f.submit(context.Background(), maintForm("V1", values))
	if r == nil || r.ResponseAction != slack.RAErrors || !strings.Contains(r.Errors[FieldMaintDuration], "such as 2h") ||
		!strings.Contains(r.Errors[FieldMaintCron], "out of range 0-23") || len(sched.windows) != 0 {
		t.Fatalf("response %+v, scheduled %d", r, len(sched.windows))
	}
	// What only the scheduler knows (the past, unknown services) shows
	// next to the right input too.
	sched.err = incident.FieldErrors{
		{Field: incident.WindowFieldStart, Message: "it is in the past"},
		{Field: incident.WindowFieldServices, Message: `unknown service "dns"`},
	}
	r = f.submit(context.Background(), maintForm("V2", maintGoodForm(time.Now().Add(time.Hour))))
	if r == nil || r.Errors[FieldMaintStart] != "It is in the past." || !strings.Contains(r.Errors[FieldMaintServices], "dns") {
		t.Fatalf("response %+v", r)
	}
}

func TestMaintenancePromoteFormDeclaresAtTheChosenSeverity(t *testing.T) {
	sched := &fakeScheduler{}
	f := maintenanceDoor(t, sched)
	f.process.Permissions.Act = []string{incident.Everyone} // who may promote is TestMaintenanceButtonsFollowTheActRule's
	view := f.maintenancePromoteView(viewMeta{Incident: "dbup", Channel: "C0ROOM"})
	if b, _ := json.Marshal(view); !strings.Contains(string(b), `"initial_option":{"text":{"type":"plain_text","text":"MAJOR`) {
		t.Fatalf("default severity: %s", b)
	}
	cb := maintForm("V9", map[string]slack.BlockAction{
		FieldSeverity: {SelectedOption: slack.OptionBlockObject{Value: "critical"}},
		FieldReason:   {Value: "replication broke"},
	})
	cb.View.CallbackID, cb.View.PrivateMetadata = CallbackMaintenancePromote, viewMeta{Incident: "dbup", Channel: "C0ROOM"}.encode()
	for range 2 { // the second is a repeated delivery: it declares nothing more
		if r := f.submit(context.Background(), cb); r == nil || r.ResponseAction != slack.RAClear {
			t.Fatalf("response %+v", r)
		}
	}
	if len(sched.promotes) != 1 || sched.promotes[0].Severity != incident.Critical || sched.promotes[0].Note != "replication broke" {
		t.Fatalf("promotes %+v", sched.promotes)
	}
}

func TestMaintenanceViewHasTheFields(t *testing.T) {
	f := maintenanceDoor(t, &fakeScheduler{})
	b, err := json.Marshal(f.maintenanceView(viewMeta{Incident: newWindowMeta}, slackemu.UserAlice))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"datetimepicker"`, FieldMaintDuration, FieldMaintServices, `"value":"cron"`, FieldMaintAnnounce, `"initial_value":"incidents"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if r := maintenanceDoor(t, &fakeMaintenance{}).maintenanceCommand(context.Background(), slack.SlashCommand{}); r == nil || !strings.Contains(r.Text, "incidentflow maintenance schedule") {
		t.Fatalf("without a scheduler: %+v", r)
	}
}
