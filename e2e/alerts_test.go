package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/alertdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/alertmanagertest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/worker"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// The alert tests run the whole alert path against the real Alertmanager:
// alerts posted to Alertmanager's own API, its webhook receiver posting to
// the front door's POST /alerts/alertmanager with a bearer token, the alert
// door signalling the group's AlertGroupWorkflow on a real Temporal server,
// and a worker registering everything worker.Register does, its Slack
// activities against the emulator. Without the Alertmanager binary they
// skip, or fail when CI is set (alertmanagertest.Start).

const (
	alertToken   = "e2e-alertmanager-token-0123456789"
	triageName   = alert.DefaultTriageChannel
	alertTimeout = 20 * time.Second
)

// alertTimings are Alertmanager's route timings in these tests. Repeats
// every few seconds make Alertmanager re-send unchanged groups, as a
// repeat_interval does in production, so every step also proves that a
// repeat changes nothing.
var alertTimings = alertmanagertest.Options{
	GroupBy:   []string{"service"},
	GroupWait: time.Second, GroupInterval: 2 * time.Second, RepeatInterval: 5 * time.Second,
}

// alertProcess is the default process with two services and no
// retrospective (it has its own tests).
func alertProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Services = map[string]incident.Service{
		"checkout": {Leads: []string{slackemu.UserDave}},
		"search":   {Leads: []string{slackemu.UserErin}},
	}
	p.Retrospective.Enabled = false
	return p
}

// alertRoutes declare checkout's groups at once and post search's for
// triage; any other group matches no route, and goes to triage too.
var alertRoutes = []alert.RouteConfig{
	{Matchers: []string{`service="checkout"`}, Severity: "major", Mode: "declare", Title: "{{ .CommonAnnotations.summary }}"},
	{Matchers: []string{`service="search"`}, Severity: "minor", Mode: "triage", Title: "{{ .CommonAnnotations.summary }}"},
}

// alertEnv is one running alert path.
type alertEnv struct {
	*harness.Env
	incidents *starter.Incidents
	alerts    *starter.Alerts
	am        *alertmanagertest.Alertmanager
	door      *deliveries
	triage    slackemu.Channel
	srvURL    string
}

// newAlertEnv starts Temporal, the Slack emulator with the triage channel,
// a worker with everything registered, the front door with the Slack and
// alert doors on an httptest server, and Alertmanager posting to it.
func newAlertEnv(t *testing.T) *alertEnv {
	t.Helper()
	// Skip (or fail on CI) before anything else starts.
	bin, err := alertmanagertest.Binary()
	if err != nil {
		alertmanagertest.Start(t, alertmanagertest.Options{}) // skips, or fails when CI is set
		t.Fatalf("alertmanagertest.Start neither skipped nor failed without a binary: %v", err)
	}
	t.Logf("Alertmanager: %s", bin)

	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	// As `incidentflow dev` does (ensureSandboxChannel): the triage channel
	// exists with the bot in it.
	triage, err := env.Slack.CreateChannel(triageName, false,
		slackemu.BotUserID, slackemu.UserAlice, slackemu.UserBob, slackemu.UserCarol)
	require.NoError(t, err)

	env.NewWorker(t, func(r sdkworker.Registry) { worker.Register(r, alertActivities(t, env)) })

	proc := alertProcess()
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: proc}
	alerts := &starter.Alerts{Client: env.Client, TaskQueue: harness.TaskQueue, Settings: wfapi.AlertSettings{
		TriageChannel: triageName, PostEvery: 10 * time.Second, ReopenWithin: alert.DefaultReopenWithin,
	}}
	router, err := alert.NewRouter(alert.Config{Routes: alertRoutes}, proc.SeverityLevels())
	require.NoError(t, err)
	alertDoor, err := alertdoor.New(alertdoor.Options{
		Sources: map[string]string{string(alert.SourceAlertmanager): alertToken}, Router: router, Sink: alerts,
	})
	require.NoError(t, err)
	slackDoor := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents, Alerts: alerts})
	door := &deliveries{}
	doorURL := serveHTTP(t, env, door.record(frontdoor.New(frontdoor.Doors{Slack: slackDoor, Alerts: alertDoor}, nil)))

	o := alertTimings
	o.WebhookURL, o.Token = doorURL+"/alerts/alertmanager", alertToken
	am := alertmanagertest.Start(t, o)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("deliveries to the alert door: %s", door)
		}
	})
	return &alertEnv{Env: env, incidents: incidents, alerts: alerts, am: am, door: door, triage: triage, srvURL: doorURL}
}

// alertActivities are worker.NewActivities' activities, against the
// emulators.
func alertActivities(t *testing.T, env *harness.Env) *worker.Activities {
	t.Helper()
	slackActs := activities.NewSlack(env.SlackAPI, activities.SlackOptions{RateWindow: rateWindow})
	backend, err := activities.NewCalendarBackend(activities.CalendarOptions{
		Backend: activities.BackendICS, OrganizerEmail: "incidents@example.com"}, slackActs)
	require.NoError(t, err)
	return &worker.Activities{
		Slack:     slackActs,
		GitHub:    activities.NewGitHub(nil, ""),
		Calendar:  activities.NewCalendar(backend),
		Incidents: &activities.Incidents{Workflows: &starter.Incidents{Client: env.Client}},
		Process:   &activities.Process{Current: alertProcess()},
	}
}

// deliveries records what Alertmanager posted to the alert door and what
// the door answered.
type deliveries struct {
	mu       sync.Mutex
	statuses []int
	times    []time.Time
}

func (d *deliveries) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/alerts/") {
			next.ServeHTTP(w, r)
			return
		}
		at := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d.mu.Lock()
		d.statuses = append(d.statuses, sw.status)
		d.times = append(d.times, at)
		d.mu.Unlock()
	})
}

// count is the number of deliveries so far.
func (d *deliveries) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.statuses)
}

// since is the number of deliveries that began after t.
func (d *deliveries) since(t time.Time) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, at := range d.times {
		if at.After(t) {
			n++
		}
	}
	return n
}

// String lists the statuses answered, in order.
func (d *deliveries) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprint(d.statuses)
}

// allOK reports whether every delivery was answered 200.
func (d *deliveries) allOK() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.statuses {
		if s != http.StatusOK {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// fire posts alerts named names for service to Alertmanager, firing, or
// resolved a second ago.
func (e *alertEnv) fire(ctx context.Context, t *testing.T, service string, resolved bool, names ...string) {
	t.Helper()
	var endsAt time.Time
	if resolved {
		endsAt = time.Now().Add(-time.Second)
	}
	var as []alertmanagertest.Alert
	for _, name := range names {
		as = append(as, alertmanagertest.Alert{
			Labels:       map[string]string{"alertname": name, "service": service, "severity": "page"},
			Annotations:  map[string]string{"summary": service + " is unhealthy"},
			EndsAt:       endsAt,
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=" + name,
		})
	}
	require.NoError(t, e.am.PostAlerts(ctx, as))
}

// incidentWorkflows counts the IncidentWorkflow executions Temporal has,
// running or closed, matching the visibility query extra (may be empty).
func (e *alertEnv) incidentWorkflows(ctx context.Context, t *testing.T, extra string) int {
	t.Helper()
	q := fmt.Sprintf("WorkflowType = '%s'", wfapi.IncidentWorkflowName)
	if extra != "" {
		q += " AND " + extra
	}
	resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: 100})
	require.NoError(t, err)
	return len(resp.Executions)
}

// alertEntries returns incident id's timeline entries of kind alert.
func (e *alertEnv) alertEntries(ctx context.Context, t *testing.T, id string) []incident.TimelineEntry {
	t.Helper()
	inc, err := e.incidents.Get(ctx, id)
	require.NoError(t, err)
	var out []incident.TimelineEntry
	for _, en := range inc.Timeline {
		if en.Kind == incident.EntryAlert {
			out = append(out, en)
		}
	}
	return out
}

// assertOneIncident checks there is one incident, id, with one war room.
func (e *alertEnv) assertOneIncident(ctx context.Context, t *testing.T, id, channel string) {
	t.Helper()
	assert.Equal(t, 1, e.incidentWorkflows(ctx, t, ""), "one IncidentWorkflow, ever")
	list, err := e.incidents.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1, "one open incident")
	assert.Equal(t, id, list[0].ID)
	rooms := warRooms(e.Env, id)
	require.Len(t, rooms, 1, "one war room")
	assert.Equal(t, channel, rooms[0].ID)
	var incChannels []string
	for _, ch := range e.Slack.Channels() {
		if strings.HasPrefix(ch.Name, "inc-") {
			incChannels = append(incChannels, ch.Name)
		}
	}
	assert.Len(t, incChannels, 1, "one war-room channel in the workspace: %v", incChannels)
}

// newlyFiring returns incident id's war-room posts about newly firing
// alerts.
func newlyFiring(env *harness.Env, room, id string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range posts(env, room, id, "alert-") {
		if strings.Contains(m.Text, "newly firing") {
			out = append(out, m)
		}
	}
	return out
}

// stepper logs each step of a test with the time since it began.
func stepper(t *testing.T) func(string) {
	start := time.Now()
	return func(what string) {
		t.Helper()
		t.Logf("%6.1fs %s", time.Since(start).Seconds(), what)
	}
}

// TestAlertmanagerGroupDeclaresOneIncident: a group of three alerts
// declares one incident (1); a fourth joining it is one timeline entry
// (2); an Alertmanager restart and its re-sends while the group fires
// change nothing (4); the group resolving, through the restarted
// Alertmanager, asks the same war room to resolve (3).
func TestAlertmanagerGroupDeclaresOneIncident(t *testing.T) {
	e := newAlertEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	step := stepper(t)
	names := []string{"HighErrorRate", "HighLatency", "PodCrashLooping"}

	// 1. One group of three alerts: one incident, listing all three.
	e.fire(ctx, t, "checkout", false, names...)
	var sum starter.Summary
	harness.Eventually(t, alertTimeout, "the alert group's incident with its war room", func() bool {
		list, err := e.incidents.List(ctx)
		if err != nil || len(list) != 1 || list[0].ChannelID == "" {
			return false
		}
		sum = list[0]
		return true
	})
	step("incident declared: " + sum.ID)
	id, room := sum.ID, sum.ChannelID
	assert.Equal(t, string(incident.SourceAlert), sum.Source, "Incidents.List shows where it came from")
	assert.Equal(t, "checkout is unhealthy", sum.Title, "the route's title template")
	assert.Equal(t, string(incident.Major), sum.Severity, "the route's severity")
	assert.Equal(t, 1, e.incidentWorkflows(ctx, t, wfapi.SearchSource.GetName()+" = 'alert'"),
		"the IncidentSource search attribute is alert")
	var kickoff []slackemu.Message
	harness.Eventually(t, alertTimeout, "the kickoff message", func() bool {
		kickoff = posts(e.Env, room, id, "kickoff")
		return len(kickoff) == 1
	})
	for _, name := range names {
		assert.Contains(t, kickoff[0].Text, name, "the kickoff lists every alert")
	}
	assert.Contains(t, kickoff[0].Text, "3 alerts firing")
	e.assertOneIncident(ctx, t, id, room)
	group, err := e.alerts.Get(ctx, id)
	require.NoError(t, err, "the group's ID is its incident's")
	assert.Equal(t, wfapi.AlertDeclared, group.Phase)
	inc, err := e.incidents.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, incident.SourceAlert, inc.Declaration.Source)
	assert.Equal(t, "checkout", inc.Declaration.Service)
	assert.Empty(t, e.alertEntries(ctx, t, id), "the declaration itself is no change")

	// 2. A fourth alert joins the group: one timeline entry naming it.
	e.fire(ctx, t, "checkout", false, append(names, "QueueBacklog")...)
	var entries []incident.TimelineEntry
	harness.Eventually(t, alertTimeout, "the fourth alert in the timeline", func() bool {
		entries = e.alertEntries(ctx, t, id)
		return len(entries) > 0
	})
	step("fourth alert recorded")
	require.Len(t, entries, 1)
	assert.Contains(t, entries[0].Text, "1 newly firing (QueueBacklog)")
	assert.Contains(t, entries[0].Text, "alertmanager: ")
	// The throttled war-room post (post_every 10s) tells it too, once.
	harness.Eventually(t, alertTimeout, "the war room told of the fourth alert", func() bool {
		return len(newlyFiring(e.Env, room, id)) == 1
	})
	step("war room told of the fourth alert")
	e.assertOneIncident(ctx, t, id, room)

	// 4. (before 3, so that the group still fires) Alertmanager restarts (its notification log kept in storage);
	// Prometheus re-sends the firing alerts, and Alertmanager re-sends the
	// group (repeat_interval): still one incident, nothing new recorded.
	require.NoError(t, e.am.Restart())
	restarted := time.Now()
	step("Alertmanager restarted")
	e.fire(ctx, t, "checkout", false, append(names, "QueueBacklog")...)
	harness.Eventually(t, alertTimeout, "the restarted Alertmanager to deliver the group again", func() bool {
		return e.door.since(restarted) > 0
	})
	// Every delivery the door took is one notification of this group.
	harness.Eventually(t, alertTimeout, "the group to take every delivery", func() bool {
		g, err := e.alerts.Get(ctx, id)
		if err == nil {
			group = g
		}
		return err == nil && g.Notifications == e.door.count()
	})
	step(fmt.Sprintf("re-sent after the restart: %d notifications in all, %d of them changes", group.Notifications, group.Changes))
	assert.Equal(t, 2, group.Changes, "the three alerts, then the fourth")
	assert.Equal(t, wfapi.AlertDeclared, group.Phase)
	assert.Equal(t, id, group.IncidentID)
	assert.Len(t, e.alertEntries(ctx, t, id), 1, "a re-sent group is no change")
	e.assertOneIncident(ctx, t, id, room)

	// 3. The group resolves: the war room is asked to resolve, with the
	// Resolve button.
	e.fire(ctx, t, "checkout", true, append(names, "QueueBacklog")...)
	var resolved slackemu.Message
	harness.Eventually(t, alertTimeout, "the war room told the alerts resolved", func() bool {
		for _, m := range posts(e.Env, room, id, "alert-") {
			if strings.Contains(m.Text, "resolve the incident?") {
				resolved = m
				return true
			}
		}
		return false
	})
	step("war room asked to resolve")
	assert.Contains(t, resolved.Text, "All 4 alerts resolved at ")
	assert.Contains(t, string(resolved.Blocks), wfapi.ActionResolve, "a Resolve button")
	entries = e.alertEntries(ctx, t, id)
	require.Len(t, entries, 2)
	assert.Contains(t, entries[1].Text, "all resolved")
	e.assertOneIncident(ctx, t, id, room)
	inc, err = e.incidents.Get(ctx, id)
	require.NoError(t, err)
	assert.NotEqual(t, incident.Resolved, inc.Status, "nobody resolved it yet (auto_resolve is off)")

	// The Resolve button opens the resolve modal of this incident. Nobody
	// leads an incident an alert declared, so Bob may resolve it once he is
	// in its war room.
	_, err = e.SlackAPI.InviteUsersToConversationContext(ctx, room, slackemu.UserBob)
	require.NoError(t, err)
	rep, err := e.Slack.ClickButton(ctx, room, resolved.TS, wfapi.ActionResolve, "", slackemu.UserBob)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rep.Status)
	view := openView(t, e.Env, slackdoor.CallbackResolve, slackemu.UserBob)
	rep, err = e.Slack.SubmitView(ctx, view.ID, "", map[string]map[string]slack.BlockAction{
		slackdoor.FieldResolution: {slackdoor.FieldResolution: {ActionID: slackdoor.FieldResolution,
			BlockID: slackdoor.FieldResolution, Type: "plain_text_input", Value: "The alerts cleared after a rollback"}},
	})
	require.NoError(t, err)
	require.Equal(t, "clear", rep.ResponseAction, "%s", rep.Body)
	inc = result(ctx, t, e.Env, sum.WorkflowID)
	assert.Equal(t, incident.Resolved, inc.Status)
	assert.Equal(t, slackemu.UserBob, inc.ResolvedBy)
	step("resolved")
	require.Len(t, newlyFiring(e.Env, room, id), 1, "one war-room post about the fourth alert")
	assert.Contains(t, newlyFiring(e.Env, room, id)[0].Text, "QueueBacklog")
	assert.True(t, e.door.allOK(), "every delivery answered 200: %s", e.door)
	t.Logf("the alert door took %d deliveries", e.door.count())
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		harness.Eventually(t, alertTimeout, "the group told its incident resolved", func() bool {
			g, err := e.alerts.Get(ctx, id)
			return err == nil && g.Phase == wfapi.AlertReopenable
		})
		saveHistory(ctx, t, e.Env, wfapi.AlertGroupWorkflowID(id), "alertgroup_history_batched_timeline.json")
	}
}

// TestAlertTriageDeclareFromSlack: a triage route posts "Declare
// incident?"; Declare opens the declare modal filled in from the route;
// submitting it declares one incident; a second person answering later is
// told someone already did. A group no route matches is posted too.
func TestAlertTriageDeclareFromSlack(t *testing.T) {
	e := newAlertEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	step := stepper(t)

	e.fire(ctx, t, "search", false, "SearchLatencyHigh", "IndexLagging")
	e.fire(ctx, t, "billing", false, "InvoiceJobFailing")
	var prompt slackemu.Message
	harness.Eventually(t, alertTimeout, "both prompts in the triage channel", func() bool {
		var n int
		for _, m := range e.Slack.Messages(e.triage.ID) {
			if !strings.Contains(m.Text, "Declare incident?") {
				continue
			}
			n++
			if strings.Contains(m.Text, "SearchLatencyHigh") {
				prompt = m
			}
		}
		return n == 2 && prompt.TS != ""
	})
	step("triage prompts posted")
	assert.Contains(t, prompt.Text, "search is unhealthy", "the route's title")
	assert.Contains(t, prompt.Text, "Suggested: severity minor · service search")
	assert.Contains(t, prompt.Text, "IndexLagging")
	for _, action := range []string{wfapi.ActionAlertDeclare, wfapi.ActionAlertIgnore, wfapi.ActionAlertSnooze} {
		assert.Contains(t, string(prompt.Blocks), action)
	}
	groupID := prompt.Metadata.EventPayload["incident_id"].(string)
	require.NotEmpty(t, groupID)
	for _, m := range e.Slack.Messages(e.triage.ID) {
		if strings.Contains(m.Text, "InvoiceJobFailing") {
			assert.Contains(t, m.Text, "Declare incident?", "a group no route matches is posted for triage")
		}
	}
	assert.Zero(t, e.incidentWorkflows(ctx, t, ""), "triage declares nothing by itself")

	// Bob and Carol both press Declare; each gets the form, filled in.
	click := func(user, action string) {
		t.Helper()
		rep, err := e.Slack.ClickButton(ctx, e.triage.ID, prompt.TS, action, "", user)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, rep.Status)
		require.False(t, rep.Late, "answered after %v", rep.Elapsed)
	}
	click(slackemu.UserBob, wfapi.ActionAlertDeclare)
	bobs := openView(t, e.Env, slackdoor.CallbackDeclare, slackemu.UserBob)
	click(slackemu.UserCarol, wfapi.ActionAlertDeclare)
	carols := openView(t, e.Env, slackdoor.CallbackDeclare, slackemu.UserCarol)
	step("declare forms open")
	form := prefilled(t, bobs)
	assert.Equal(t, "search is unhealthy", form[slackdoor.FieldTitle][slackdoor.FieldTitle].Value)
	assert.Equal(t, "minor", form[slackdoor.FieldSeverity][slackdoor.FieldSeverity].SelectedOption.Value)
	assert.Equal(t, "search", form[slackdoor.FieldService][slackdoor.FieldService].SelectedOption.Value)
	assert.Equal(t, slackemu.UserBob, form[slackdoor.FieldCommander][slackdoor.FieldCommander].SelectedUser)

	// Bob submits the form as it was filled in: one incident, the group's.
	rep, err := e.Slack.SubmitView(ctx, bobs.ID, "", form)
	require.NoError(t, err)
	require.Equal(t, "clear", rep.ResponseAction, "%s", rep.Body)
	var sum starter.Summary
	harness.Eventually(t, alertTimeout, "the incident declared from triage, with its war room", func() bool {
		list, err := e.incidents.List(ctx)
		if err != nil || len(list) != 1 || list[0].ChannelID == "" {
			return false
		}
		sum = list[0]
		return true
	})
	step("incident declared from triage: " + sum.ID)
	assert.Equal(t, groupID, sum.ID, "the group's incident ID")
	assert.Equal(t, string(incident.SourceAlert), sum.Source)
	assert.Equal(t, string(incident.Minor), sum.Severity)
	assert.Equal(t, slackemu.UserBob, sum.Commander)
	assert.Equal(t, "search is unhealthy", sum.Title)
	inc, err := e.incidents.Get(ctx, sum.ID)
	require.NoError(t, err)
	assert.Equal(t, slackemu.UserBob, inc.Declaration.Declarer)
	assert.Contains(t, inc.Declaration.AlertsText, "SearchLatencyHigh")
	harness.Eventually(t, alertTimeout, "the kickoff listing the alerts", func() bool {
		k := posts(e.Env, sum.ChannelID, sum.ID, "kickoff")
		return len(k) == 1 && strings.Contains(k[0].Text, "IndexLagging") && strings.Contains(k[0].Text, "SearchLatencyHigh")
	})
	e.assertOneIncident(ctx, t, sum.ID, sum.ChannelID)
	// The prompt says who declared what, without buttons.
	decided, ok := messageAt(e.Env, e.triage.ID, prompt.TS)
	require.True(t, ok)
	assert.Contains(t, decided.Text, "<@U0BOB> declared incident `"+sum.ID+"`")
	assert.NotContains(t, string(decided.Blocks), wfapi.ActionAlertIgnore)

	// Carol submits the form she opened before Bob's declaration: refused,
	// in the form if Temporal answers within the door's SubmitWait, else
	// (the form closed) in a message only she sees.
	const refused = "The incident refused: <@U0BOB> already answered this alert (declared)."
	seen := len(ephemerals(e, slackemu.UserCarol, refused))
	rep, err = e.Slack.SubmitView(ctx, carols.ID, "", prefilled(t, carols))
	require.NoError(t, err)
	if rep.ResponseAction == "errors" {
		t.Log("Carol's form was refused in the form")
		assert.Equal(t, refused, rep.Errors[slackdoor.FieldTitle])
	} else {
		t.Log("Carol's form closed before Temporal answered; she is told after")
		require.Equal(t, "clear", rep.ResponseAction, "%s", rep.Body)
		told(t, e, slackemu.UserCarol, "Carol told her form came too late", refused, seen)
	}
	step("Carol's late form refused")

	// Carol's Slack still shows the prompt with its buttons (clients
	// update asynchronously) and she presses Ignore: she is told who
	// answered first, and the group stays declared.
	seen = len(ephemerals(e, slackemu.UserCarol, refused))
	res := staleClick(ctx, t, e, prompt, wfapi.ActionAlertIgnore, groupID, slackemu.UserCarol)
	require.Equal(t, http.StatusOK, res.StatusCode)
	told(t, e, slackemu.UserCarol, "Carol told someone already answered", refused, seen)
	step("Carol's late Ignore refused")
	g, err := e.alerts.Get(ctx, groupID)
	require.NoError(t, err)
	assert.Equal(t, wfapi.AlertDeclared, g.Phase)
	assert.Equal(t, slackemu.UserBob, g.DecidedBy)
	e.assertOneIncident(ctx, t, sum.ID, sum.ChannelID)
	assert.True(t, e.door.allOK(), "every delivery answered 200: %s", e.door)
}

// told waits until user has been told text more than seen times in the
// triage channel, in a message only they see.
func told(t *testing.T, e *alertEnv, user, what, text string, seen int) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			for _, m := range e.Slack.Ephemerals(e.triage.ID, user) {
				t.Logf("%s saw: %q", user, m.Text)
			}
		}
	})
	harness.Eventually(t, 10*time.Second, what, func() bool { return len(ephemerals(e, user, text)) > seen })
}

// ephemerals returns the messages user alone saw in the triage channel
// whose text is text.
func ephemerals(e *alertEnv, user, text string) []slackemu.Ephemeral {
	var out []slackemu.Ephemeral
	for _, m := range e.Slack.Ephemerals(e.triage.ID, user) {
		if m.Text == text {
			out = append(out, m)
		}
	}
	return out
}

// openView waits for an open modal with callbackID opened for user, newest
// first.
func openView(t *testing.T, env *harness.Env, callbackID, user string) slackemu.View {
	t.Helper()
	var open slackemu.View
	harness.Eventually(t, 5*time.Second, "an open "+callbackID+" modal for "+user, func() bool {
		views := env.Slack.Views()
		for i := len(views) - 1; i >= 0; i-- {
			if v := views[i]; v.CallbackID == callbackID && v.Open && v.UserID == user {
				open = v
				return true
			}
		}
		return false
	})
	return open
}

// prefilled returns the values a person submits who changes nothing in
// view: each input's initial value, option or user.
func prefilled(t *testing.T, view slackemu.View) map[string]map[string]slack.BlockAction {
	t.Helper()
	var blocks []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Element struct {
			Type          string                   `json:"type"`
			ActionID      string                   `json:"action_id"`
			InitialValue  string                   `json:"initial_value"`
			InitialOption *slack.OptionBlockObject `json:"initial_option"`
			InitialUser   string                   `json:"initial_user"`
		} `json:"element"`
	}
	require.NoError(t, json.Unmarshal(view.Blocks, &blocks))
	out := map[string]map[string]slack.BlockAction{}
	for _, b := range blocks {
		if b.Type != "input" {
			continue
		}
		el := b.Element
		a := slack.BlockAction{ActionID: el.ActionID, BlockID: b.BlockID, Type: slack.ActionType(el.Type),
			Value: el.InitialValue, SelectedUser: el.InitialUser}
		if el.InitialOption != nil {
			a.SelectedOption = *el.InitialOption
		}
		out[b.BlockID] = map[string]slack.BlockAction{el.ActionID: a}
	}
	return out
}

// messageAt returns the message ts of channel.
func messageAt(env *harness.Env, channel, ts string) (slackemu.Message, bool) {
	for _, m := range env.Slack.Messages(channel) {
		if m.TS == ts {
			return m, true
		}
	}
	return slackemu.Message{}, false
}

// staleClick delivers, signed as Slack signs it, user's click on action
// of message m as it was when posted: the emulator's ClickButton only
// clicks buttons the stored message still has, while a person whose
// client hasn't redrawn the message yet can still press one. It carries
// no response_url, so the answer comes as an ephemeral message.
func staleClick(ctx context.Context, t *testing.T, e *alertEnv, m slackemu.Message, action, value, user string) *http.Response {
	t.Helper()
	var blockID string
	var blocks []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	require.NoError(t, json.Unmarshal(m.Blocks, &blocks))
	for _, b := range blocks {
		for _, el := range b.Elements {
			if el.ActionID == action {
				blockID = b.BlockID
			}
		}
	}
	require.NotEmpty(t, blockID, "message %s has no %s button", m.TS, action)
	ic := slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, Token: slackemu.VerificationToken, APIAppID: slackemu.AppID,
		Team:      slack.Team{ID: slackemu.TeamID},
		User:      slack.User{ID: user, TeamID: slackemu.TeamID},
		ActionTs:  fmt.Sprintf("%d.000100", time.Now().Unix()),
		Channel:   slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: m.Channel}}},
		Container: slack.Container{Type: "message", MessageTs: m.TS, ChannelID: m.Channel},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{
			ActionID: action, BlockID: blockID, Type: "button", Value: value,
		}}},
	}
	payload, err := json.Marshal(ic)
	require.NoError(t, err)
	body := url.Values{"payload": {string(payload)}}.Encode()
	ts, sig := slackemu.Sign(frontDoorSecret, time.Now(), []byte(body))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srvURL+"/slack/interactions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res
}
