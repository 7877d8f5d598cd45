package slackdoor

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// The parsers of the HTTP door's input have fuzz tests: the slash command
// text (FuzzParseCommand, parse_test.go), the Events API body
// (FuzzParseEvent, eventparse_test.go), and here whole signed requests of
// the three kinds (FuzzSlackRequest) and the modal submissions
// (FuzzModalSubmission), whose values the forms' parsers read.

// fuzzTitle is the title of the war room each fuzzed request may act on.
const fuzzTitle = "Checkout is down"

// serveSigned serves one request signed as Slack does, through the door's
// routes in this goroutine, so that a panic fails the fuzz test instead of
// being recovered by an HTTP server.
func (d *door) serveSigned(path, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	ts, sig := slackemu.Sign(testSecret, time.Now(), body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	rec := httptest.NewRecorder()
	routes(d.fd).ServeHTTP(rec, req)
	return rec
}

// checkAnswer fails t unless the door answered a request in the protocol's
// terms: 200, with nothing or JSON (or an Events API challenge as plain
// text), or 400 with one line.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.String()
	switch rec.Code {
	case http.StatusBadRequest:
		if strings.Count(body, "\n") != 1 || !strings.HasSuffix(body, "\n") || strings.TrimSpace(body) == "" {
			t.Fatalf("400 with %q, want one line", body)
		}
	case http.StatusOK:
		if body != "" && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid([]byte(body)) {
			t.Fatalf("200 with invalid JSON %q", body)
		}
	default:
		t.Fatalf("status %d (%q), want 200 or 400", rec.Code, body)
	}
}

// checkCalls fails t unless everything the door asked Temporal to do, once
// its background work is done, names a real incident and declares only
// incidents the forms' rules allow: an ID, a title of one line within
// MaxTitle, a summary within MaxText, a configured severity and service.
func checkCalls(t *testing.T, d *door) {
	t.Helper()
	d.fd.Wait()
	d.ops.mu.Lock()
	defer d.ops.mu.Unlock()
	for _, c := range d.ops.calls {
		if c.ID != "" && !incident.ValidID(c.ID) {
			t.Fatalf("%s on incident %q, which isn't an ID", c.Op, c.ID)
		}
	}
	for _, decl := range d.ops.declares {
		n := utf8.RuneCountInString(decl.Title)
		_, service := d.fd.process.Services[decl.Service]
		switch {
		case !incident.ValidID(decl.ID):
			t.Fatalf("declared incident %q, which isn't an ID", decl.ID)
		case n == 0 || n > MaxTitle || strings.ContainsAny(decl.Title, "\r\n") || !utf8.ValidString(decl.Title):
			t.Fatalf("declared with title %q", decl.Title)
		case utf8.RuneCountInString(decl.Summary) > MaxText:
			t.Fatalf("declared with a summary of %d characters", utf8.RuneCountInString(decl.Summary))
		case d.fd.process.CheckSeverity(decl.Severity) != nil:
			t.Fatalf("declared with severity %q", decl.Severity)
		case decl.Service != "" && !service:
			t.Fatalf("declared with service %q", decl.Service)
		}
	}
}

// FuzzSlackRequest: whatever the body of a signed slash command (a form),
// interaction (a form whose payload is JSON) or event (JSON), the door
// doesn't panic, answers 200 or a one-line 400, and hands Temporal only
// well-formed requests.
func FuzzSlackRequest(f *testing.F) {
	command := func(text string) string {
		return url.Values{"command": {"/incident"}, "text": {text}, "user_id": {slackemu.UserAlice},
			"channel_id": {slackemu.IncidentsChannelID}, "trigger_id": {"1.2.ab"}}.Encode()
	}
	for _, seed := range []struct {
		kind uint8
		body string
	}{
		{0, command("declare Checkout is down")},
		{0, command("list")},
		{0, command("severity critical")},
		{0, command("lead <@U0BOB|bob>")},
		{0, "command=%2Fcloseincident&text=&user_id=U0ALICE&channel_id=C1"},
		{0, "command=%zz&text=%"},
		{1, `{"type":"block_actions","user":{"id":"U0ALICE"},"trigger_id":"1.2.ab","actions":[{"action_id":"incident_post_update","value":"x y"}]}`},
		{1, `{"type":"view_submission","user":{"id":"U0ALICE"},"view":{"id":"V1","callback_id":"incident_declare","state":{"values":{"title":{"title":{"type":"plain_text_input","value":"Checkout\ndown"}},"severity":{"severity":{"type":"static_select","selected_option":{"value":"critical"}}}}}}}`},
		{1, `{"type":"shortcut","callback_id":"declare_incident","user":{"id":"U0ALICE"},"trigger_id":"1.2.ab"}`},
		{1, `{"type":"message_action","callback_id":"declare_from_message","user":{"id":"U0ALICE"},"channel":{"id":"C1"},"message":{"ts":"1.2","text":"<!channel>"}}`},
		{1, `{"type":"view_closed"}`},
		{1, `not json`},
		{2, `{"type":"url_verification","challenge":"abc"}`},
		{2, `{"type":"event_callback","event_id":"Ev1","event":{"type":"reaction_added","user":"U0ALICE","reaction":"pushpin","item":{"type":"message","channel":"C1","ts":"1700000000.000100"}}}`},
		{2, `{"type":"event_callback","event_id":"Ev2","event":{"type":"app_mention","user":"U0ALICE","channel":"C1","text":"<@UBOT> status"}}`},
	} {
		f.Add(seed.kind, seed.body)
	}
	f.Fuzz(func(t *testing.T, kind uint8, body string) {
		d := newDoor(t)
		d.warRoom(fuzzTitle)
		var rec *httptest.ResponseRecorder
		switch kind % 3 {
		case 0:
			rec = d.serveSigned("/slack/commands", formType, []byte(body))
		case 1:
			rec = d.serveSigned("/slack/interactions", formType, []byte(url.Values{"payload": {body}}.Encode()))
		default:
			rec = d.serveSigned("/slack/events", jsonType, []byte(body))
		}
		checkAnswer(t, rec)
		checkCalls(t, d)
	})
}

// modalFields are every input of the front door's modals.
var modalFields = []string{
	FieldTitle, FieldSummary, FieldSeverity, FieldService, FieldCommander, FieldSecurity, FieldStatus, FieldText,
	FieldNextUpdate, FieldReason, FieldRole, FieldUser, FieldResolution, FieldOwner, FieldDue,
	FieldMaintDescription, FieldMaintStart, FieldMaintDuration, FieldMaintServices, FieldMaintRecurrence,
	FieldMaintCron, FieldMaintAnnounce, FieldMaintLead,
	FieldDrillScenario, FieldDrillParticipants, FieldDrillCommander, FieldDrillSpeed,
}

// FuzzModalSubmission: whatever a person types, picks or forges into any of
// the front door's modals (and whatever its private metadata), the
// submission doesn't panic, is answered with nothing, "clear" or inline
// errors that each sit under one of the form's inputs and say something,
// and hands Temporal only well-formed requests.
func FuzzModalSubmission(f *testing.F) {
	incidentMeta := viewMeta{Incident: incident.IDFromKey(fuzzTitle), Channel: "C1"}.encode()
	for _, seed := range []struct {
		callback                                   uint8
		meta, typed, longer, picked, other, picker string
		when                                       int64
	}{
		{0, `{"n":"abc"}`, "Checkout is down", "Payments fail", "critical", "checkout", slackemu.UserBob, 0},
		{0, "", "  Checkout \n is\tdown  ", strings.Repeat("x", MaxText+1), "sev1", "", "bob", 0},
		{0, `{"a":"group-1"}`, strings.Repeat("t", MaxTitle+1), "", "minor", "nowhere", "", 0},
		{1, incidentMeta, "", "Rolled back 4121", "identified", "", slackemu.UserBob, 0},
		{1, incidentMeta, "90", "x", "resolved", "", "", 0},
		{2, incidentMeta, "", "Spreading to EU", "critical", "", "", 0},
		{3, incidentMeta, "", "", "comms", "", slackemu.UserCarol, 0},
		{4, incidentMeta, "", "Rolled back", "", "", "", 0},
		{5, incidentMeta, "Add an alert", "2030-01-02", "", "", slackemu.UserBob, 0},
		{6, `"new-window"`, "DB upgrade", "2h", "", "weekly", slackemu.UserBob, 1893456000},
		{6, `"new-window"`, "DB upgrade", "2 h", "", "cron", slackemu.UserBob, 1893456000},
		{7, `{"i":"db-upgrade-x7k2m","c":"C1"}`, "", "", "critical", "", "", 0},
		{0, `{"i":`, "\x00\u202e", "\xff", "\u202e", "\n", "U\n", -1},
		{8, `{"c":"C1","n":"abc"}`, "", "", "database-outage", "4", slackemu.UserBob, 0},
		{8, `{"c":"C1"}`, "", "", "moon-landing", "3", "bob", 0},
	} {
		f.Add(seed.callback, seed.meta, seed.typed, seed.longer, seed.picked, seed.other, seed.picker, seed.when)
	}
	callbacks := []string{CallbackDeclare, CallbackUpdate, CallbackSeverity, CallbackRole, CallbackResolve,
		CallbackActionItems, CallbackMaintenanceSchedule, CallbackMaintenancePromote, CallbackDrill}
	f.Fuzz(func(t *testing.T, callback uint8, meta, typed, longer, picked, other, picker string, when int64) {
		sched, drills := &fakeScheduler{}, newFakeDrills()
		d := newDoor(t, withMaintenance(sched), withDrills(drills))
		d.warRoom(fuzzTitle)
		values := form()
		for i, field := range modalFields {
			text, option := typed, picked
			if i%2 == 1 {
				text, option = longer, other
			}
			values.input(field, slack.BlockAction{Type: "fuzzed", Value: text,
				SelectedOption: slack.OptionBlockObject{Value: option}, SelectedUser: picker, SelectedUsers: []string{picker}, SelectedDate: longer,
				SelectedDateTime: when, SelectedOptions: []slack.OptionBlockObject{{Value: option}}})
		}
		cb := slack.InteractionCallback{
			Type: slack.InteractionTypeViewSubmission,
			Team: slack.Team{ID: slackemu.TeamID}, User: slack.User{ID: slackemu.UserAlice},
			View: slack.View{ID: "V" + strings.ToUpper(incident.IDFromKey(typed)), Type: slack.VTModal,
				CallbackID: callbacks[int(callback)%len(callbacks)], PrivateMetadata: meta, State: &slack.ViewState{Values: values}},
		}
		payload, err := json.Marshal(cb)
		if err != nil {
			t.Fatal(err)
		}
		rec := d.serveSigned("/slack/interactions", formType, []byte(url.Values{"payload": {string(payload)}}.Encode()))
		checkAnswer(t, rec)
		if rec.Code != http.StatusOK {
			t.Fatalf("a well-formed submission answered %d %q", rec.Code, rec.Body.String())
		}
		if body := rec.Body.Bytes(); len(body) > 0 {
			var answer slack.ViewSubmissionResponse
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatalf("answer %q isn't a view submission response: %v", body, err)
			}
			switch answer.ResponseAction {
			case slack.RAClear:
			case slack.RAErrors:
				if len(answer.Errors) == 0 {
					t.Fatalf("errors answer without errors: %q", body)
				}
				for field, msg := range answer.Errors {
					if !slices.Contains(modalFields, field) || strings.TrimSpace(msg) == "" {
						t.Fatalf("error %q under %q, which is no input of the forms", msg, field)
					}
				}
			default:
				t.Fatalf("answer %q", body)
			}
		}
		checkCalls(t, d)
		sched.mu.Lock()
		defer sched.mu.Unlock()
		for _, w := range sched.windows {
			if !incident.ValidID(w.ID) || w.Start.IsZero() || w.Duration <= 0 {
				t.Fatalf("scheduled window %+v", w)
			}
		}
		for _, p := range sched.promotes {
			if d.fd.process.CheckSeverity(p.Severity) != nil {
				t.Fatalf("promoted to severity %q", p.Severity)
			}
		}
		for _, c := range drills.startCalls() {
			r := c.Req
			_, known := drill.Find(drills.scenarios, r.Scenario)
			_, offered := offeredSpeed(strconv.FormatFloat(r.Speed, 'f', -1, 64))
			if !known || !offered || !incident.IsUserID(r.Commander) || len(r.Participants) > drill.MaxParticipants || r.Key == "" {
				t.Fatalf("started drill %+v", r)
			}
			for _, u := range r.Participants {
				if !incident.IsUserID(u) {
					t.Fatalf("drill participant %q", u)
				}
			}
		}
	})
}
