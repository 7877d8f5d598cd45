package workflows_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// AlertGroupSuite runs AlertGroupWorkflow on the time-skipping test
// environment, started with the group's workflow ID as the alert door
// starts it. Slack is the fakeSlack; the group's incident is a fake
// IncidentWorkflow child that, when resolved (signalResolve), tells the
// group as IncidentWorkflow does; the RecordAlert activity is mocked and
// records what the incident was sent.
type AlertGroupSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	slack *fakeSlack
	// proc is the worker's process (testProcess).
	proc *fakeProcess

	mu       sync.Mutex
	children []groupChild
	records  []alertRecord
	// recordDelay is how long (on the test clock) a RecordAlert call takes.
	recordDelay time.Duration
	// updateDelays are how long the UpdateMessage calls take, in turn
	// (then none).
	updateDelays []time.Duration
}

func TestAlertGroupSuite(t *testing.T) { suite.Run(t, new(AlertGroupSuite)) }

// groupChild is one incident the group started.
type groupChild struct {
	At         time.Time
	WorkflowID string
	In         wfapi.IncidentInput
}

// alertRecord is one RecordAlert call: what the incident was sent, when.
type alertRecord struct {
	At         time.Time
	IncidentID string
	Req        wfapi.RecordAlertRequest
}

// The test group: its notifications' identity, and the group ID (and so
// incident ID) it maps to.
const (
	testGroupKey  = `{}:{alertname=~"Checkout.*"}`
	testWarRoom   = "C0WARROOM"
	triageChannel = "C0TRIAGE"
)

var testGroup = alert.IncidentID(alert.Notification{
	Source: alert.SourceAlertmanager, Receiver: "incidentflow", GroupKey: testGroupKey,
}.Key())

func (s *AlertGroupSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(declaredAt)
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: wfapi.AlertGroupWorkflowID(testGroup)})
	// The incidents are abandoned children that outlive the group.
	s.env.SetDetachedChildWait(false)
	s.children, s.records, s.recordDelay, s.updateDelays = nil, nil, 0, nil
	s.env.RegisterWorkflowWithOptions(s.fakeIncident, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
	s.env.RegisterWorkflowWithOptions(workflows.AlertGroupWorkflow, workflow.RegisterOptions{Name: wfapi.AlertGroupWorkflowName})
	s.slack = newFakeSlack(s.env)
	s.slack.updateDelay = s.nextUpdateDelay
	s.proc = newFakeProcess(s.env, testProcess())
	var inc *activities.Incidents
	s.env.RegisterActivity(&activities.Incidents{})
	s.env.OnActivity(inc.RecordAlert, mock.Anything, mock.Anything).AfterFn(func() time.Duration { return s.recordDelay }).Return(
		func(_ context.Context, req activities.RecordAlertRequest) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.records = append(s.records, alertRecord{At: s.env.Now(), IncidentID: req.IncidentID, Req: req.Record})
			return nil
		}).Maybe()
}

func (s *AlertGroupSuite) AfterTest(_, _ string) { s.env.AssertExpectations(s.T()) }

// nextUpdateDelay is how long the next UpdateMessage call takes.
func (s *AlertGroupSuite) nextUpdateDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.updateDelays) == 0 {
		return 0
	}
	d := s.updateDelays[0]
	s.updateDelays = s.updateDelays[1:]
	return d
}

// fakeIncidentLife is how long a fake incident waits to be resolved.
const fakeIncidentLife = 1000 * time.Hour

// fakeIncident stands in for IncidentWorkflow: it records its input and
// runs until resolved (signalResolve), then tells its alert group as
// IncidentWorkflow.tellAlertGroup does.
func (s *AlertGroupSuite) fakeIncident(ctx workflow.Context, in wfapi.IncidentInput) (incident.Incident, error) {
	s.mu.Lock()
	s.children = append(s.children, groupChild{At: workflow.Now(ctx), WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, In: in})
	s.mu.Unlock()
	inc := incident.New(in.Declaration)
	inc.ChannelID = testWarRoom
	var by string
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, signalResolve), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &by) })
	sel.AddFuture(workflow.NewTimer(ctx, fakeIncidentLife), func(workflow.Future) {})
	sel.Select(ctx)
	inc.Status, inc.ResolvedBy, inc.ResolvedAt = incident.Resolved, by, workflow.Now(ctx)
	_ = workflow.SignalExternalWorkflow(ctx, wfapi.AlertGroupWorkflowID(in.Declaration.AlertGroup), "", wfapi.SignalAlertIncidentResolved,
		wfapi.AlertIncidentResolved{IncidentID: in.Declaration.ID, ChannelID: inc.ChannelID, ResolvedAt: inc.ResolvedAt}).Get(ctx, nil)
	return inc, nil
}

// groupInput is the test group under the test process: a 10-minute
// post_every, a 1-hour reopen_within and a 30-minute snooze.
func groupInput() wfapi.AlertGroupInput {
	return wfapi.AlertGroupInput{GroupID: testGroup, Settings: wfapi.AlertSettings{
		TriageChannel: triageChannel, PostEvery: 10 * time.Minute, ReopenWithin: time.Hour, SnoozeFor: 30 * time.Minute,
	}}
}

// declareRoute and triageRoute are what the router decided.
var (
	declareRoute = alert.Decision{Mode: alert.ModeDeclare, Service: "checkout", Severity: incident.Major,
		Title: "Checkout is failing", AutoResolve: true, RouteIndex: 0, Reason: "matched alerts.routes[0]"}
	triageRoute = alert.Decision{Mode: alert.ModeTriage, Service: "checkout", Title: "Checkout alerts",
		RouteIndex: alert.NoRoute, Reason: "no route"}
)

// The test alerts: three of the checkout group, and a fourth that joins.
var (
	alertErrors     = testAlert("fp1", "CheckoutErrors", "a")
	alertLatency    = testAlert("fp2", "CheckoutLatency", "b")
	alertSaturation = testAlert("fp3", "CheckoutSaturation", "c")
	alertPayments   = testAlert("fp4", "CheckoutPayments", "d")
)

func testAlert(fp, name, instance string) alert.Alert {
	return alert.Alert{
		Fingerprint: fp, Status: alert.Firing,
		Labels:       map[string]string{"alertname": name, "instance": instance, "service": "checkout"},
		Annotations:  map[string]string{"summary": name + " on " + instance},
		StartsAt:     declaredAt.Add(-5 * time.Minute),
		GeneratorURL: "https://prom.example.com/graph?fp=" + fp,
	}
}

// ended is a resolved, ended at (offset from declaredAt).
func ended(a alert.Alert, at time.Duration) alert.Alert {
	a.Status, a.EndsAt = alert.Resolved, declaredAt.Add(at)
	return a
}

// notification is one Alertmanager notification about the test group,
// resolved when every alert in it is, routed as dec.
func notification(dec alert.Decision, alerts ...alert.Alert) wfapi.AlertNotification {
	n := alert.Notification{
		Source: alert.SourceAlertmanager, GroupKey: testGroupKey, Receiver: "incidentflow", Status: alert.Resolved,
		GroupLabels: map[string]string{"service": "checkout"}, CommonLabels: map[string]string{"service": "checkout"},
		Alerts: alerts,
	}
	for _, a := range alerts {
		if a.Status == alert.Firing {
			n.Status = alert.Firing
		}
	}
	return wfapi.AlertNotification{Notification: n, Decision: dec}
}

// notify delivers a notification after delay.
func (s *AlertGroupSuite) notify(delay time.Duration, n wfapi.AlertNotification) {
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(wfapi.SignalAlertNotification, n) }, delay)
}

// resolveIncident resolves the fake incident id after delay.
func (s *AlertGroupSuite) resolveIncident(delay time.Duration, id string) {
	s.env.RegisterDelayedCallback(func() {
		s.NoError(s.env.SignalWorkflowByID(wfapi.IncidentWorkflowID(id), signalResolve, "U0BOB"))
	}, delay)
}

// stateAt queries the group after delay and passes its state to check.
func (s *AlertGroupSuite) stateAt(delay time.Duration, check func(wfapi.AlertGroupState)) {
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(wfapi.QueryAlertGroup)
		s.Require().NoError(err)
		var st wfapi.AlertGroupState
		s.Require().NoError(v.Get(&st))
		check(st)
	}, delay)
}

// update sends an update after delay and requires it to complete without
// error; done gets its result.
func (s *AlertGroupSuite) update(delay time.Duration, name string, arg any, done func(any)) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { s.Fail("update rejected", "%s: %v", name, err) },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				s.NoError(err, name)
				if done != nil {
					done(res)
				}
			},
		}, arg)
	}, delay)
}

// rejected sends an update after delay and requires its validator to
// reject it with an error containing want.
func (s *AlertGroupSuite) rejected(delay time.Duration, name string, arg any, want string) {
	rejectedAfter(&s.Suite, s.env, delay, name, arg, want)
}

// run runs the group to completion and returns its final state.
func (s *AlertGroupSuite) run(in wfapi.AlertGroupInput) wfapi.AlertGroupState {
	s.env.ExecuteWorkflow(workflows.AlertGroupWorkflow, in)
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var st wfapi.AlertGroupState
	s.Require().NoError(s.env.GetWorkflowResult(&st))
	return st
}

func (s *AlertGroupSuite) childList() []groupChild {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]groupChild(nil), s.children...)
}

func (s *AlertGroupSuite) recordList() []alertRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]alertRecord(nil), s.records...)
}

// since is how long after declaredAt t is.
func since(t time.Time) time.Duration { return t.Sub(declaredAt) }

func updateReq(c slackCall) activities.UpdateRequest { return c.Req.(activities.UpdateRequest) }

func (s *AlertGroupSuite) TestTheDeclareRouteDeclaresOnceThenRecordsThrottlesAndTellsTheResolution() {
	three := notification(declareRoute, alertErrors, alertLatency, alertSaturation)
	s.notify(0, three)
	s.notify(30*time.Second, three) // the sender retrying
	s.notify(5*time.Minute, three)  // repeat_interval
	s.stateAt(6*time.Minute, func(st wfapi.AlertGroupState) {
		s.Equal(wfapi.AlertDeclared, st.Phase)
		s.Equal(3, st.Notifications)
		s.Equal(1, st.Changes, "the retry and the repeat changed nothing")
		s.Len(s.childList(), 1, "retries and repeats declare nothing more")
		s.Empty(s.recordList(), "nor do they tell the incident anything")
	})
	// A fourth alert joins after post_every: recorded and posted at once.
	s.notify(12*time.Minute, notification(declareRoute, alertErrors, alertLatency, alertSaturation, alertPayments))
	// One resolves 3 minutes later, within post_every: recorded, posted
	// when the throttle allows (12m + 10m).
	partly := notification(declareRoute, alertErrors, ended(alertLatency, 14*time.Minute), alertSaturation, alertPayments)
	s.notify(15*time.Minute, partly)
	s.notify(16*time.Minute, partly)
	s.stateAt(20*time.Minute, func(st wfapi.AlertGroupState) { s.True(st.Pending, "a change waits for the throttle") })
	// The whole group resolves within post_every of that post: told at once.
	s.notify(25*time.Minute, notification(declareRoute, ended(alertErrors, 24*time.Minute), ended(alertLatency, 14*time.Minute),
		ended(alertSaturation, 23*time.Minute), ended(alertPayments, 24*time.Minute)))
	s.resolveIncident(40*time.Minute, testGroup)
	st := s.run(groupInput())

	children := s.childList()
	s.Require().Len(children, 1)
	c := children[0]
	s.Equal(declaredAt, c.At)
	s.Equal(wfapi.IncidentWorkflowID(testGroup), c.WorkflowID, "the incident's ID is the group's")
	d := c.In.Declaration
	s.Equal(testGroup, d.ID)
	s.Equal(incident.SourceAlert, d.Source)
	s.Equal(incident.KindIncident, d.Kind)
	s.Equal(testGroup, d.AlertGroup)
	s.Equal(incident.Major, d.Severity)
	s.Equal("checkout", d.Service)
	s.Equal("Checkout is failing", d.Title)
	s.Equal(declaredAt, d.DeclaredAt)
	s.Empty(d.Declarer, "nobody declared it: the route did")
	s.Contains(d.AlertsText, "3 alerts firing:")
	for _, a := range []alert.Alert{alertErrors, alertLatency, alertSaturation} {
		s.Contains(d.AlertsText, a.Name()+" (instance="+a.Labels["instance"]+", service=checkout)", "name and labels")
		s.Contains(d.AlertsText, "<"+a.GeneratorURL+"|source>", "the link to the alert")
		s.Contains(d.AlertsMarkdown, "[source]("+a.GeneratorURL+")")
	}
	s.NotContains(d.AlertsText, alertPayments.Name())
	s.Equal(testProcess().Severities, c.In.Process.Severities, "the group's process goes along, until the incident has the worker's")

	recs := s.recordList()
	s.Require().Len(recs, 4, "%+v", recs)
	for _, r := range recs {
		s.Equal(testGroup, r.IncidentID)
	}
	joined := recs[0]
	s.Equal(12*time.Minute, since(joined.At))
	s.Equal(testGroup+"-2", joined.Req.Key)
	s.Equal("alertmanager: 1 newly firing (CheckoutPayments); 3 still firing", joined.Req.Timeline)
	s.Contains(joined.Req.Post, "1 alert newly firing:\n• CheckoutPayments (instance=d, service=checkout)")
	s.Contains(joined.Req.Post, "3 alerts still firing.")
	s.False(joined.Req.AllResolved)

	throttled := recs[1]
	s.Equal(15*time.Minute, since(throttled.At))
	s.Equal(testGroup+"-3", throttled.Req.Key)
	s.Equal("alertmanager: 1 resolved (CheckoutLatency); 3 still firing", throttled.Req.Timeline)
	s.Empty(throttled.Req.Post, "within post_every of the last post: no post now")

	later := recs[2]
	s.Equal(22*time.Minute, since(later.At), "posted at the last post + post_every")
	s.Equal(testGroup+"-3-post", later.Req.Key)
	s.Empty(later.Req.Timeline, "the timeline has it already")
	s.Contains(later.Req.Post, "1 alert resolved:\n• CheckoutLatency (instance=b, service=checkout)")
	s.Contains(later.Req.Post, "3 alerts still firing.")

	all := recs[3]
	s.Equal(25*time.Minute, since(all.At), "the resolution is told at once, throttle or not")
	s.Equal(testGroup+"-4", all.Req.Key)
	s.True(all.Req.AllResolved)
	s.True(all.Req.AutoResolve, "copied from the route's decision")
	s.Equal(":white_check_mark: All 4 alerts resolved at 10:24 UTC — resolve the incident?", all.Req.Post)
	s.Contains(all.Req.Timeline, "3 resolved")
	s.Contains(all.Req.Timeline, "all resolved")

	s.Empty(s.slack.called("PostMessage"), "the group posts through its incident only")
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Equal(7, st.Notifications)
	s.Equal(4, st.Changes)
	s.Equal(testGroup, st.IncidentID)
}

func (s *AlertGroupSuite) TestAfterTheResolutionFiringAgainIsToldInTheWarRoomUntilTheWindowEnds() {
	s.notify(0, notification(declareRoute, alertErrors, alertLatency))
	// A resolution of some other incident is not this group's.
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wfapi.SignalAlertIncidentResolved, wfapi.AlertIncidentResolved{IncidentID: "other1", ChannelID: "C0OTHER", ResolvedAt: s.env.Now()})
	}, 5*time.Minute)
	s.stateAt(6*time.Minute, func(st wfapi.AlertGroupState) { s.Equal(wfapi.AlertDeclared, st.Phase) })
	s.resolveIncident(10*time.Minute, testGroup)
	s.stateAt(11*time.Minute, func(st wfapi.AlertGroupState) {
		s.Equal(wfapi.AlertReopenable, st.Phase)
		s.Equal(testWarRoom, st.ChannelID)
		s.Equal(declaredAt.Add(10*time.Minute), st.ResolvedAt)
	})
	s.notify(20*time.Minute, notification(declareRoute, ended(alertErrors, 19*time.Minute), ended(alertLatency, 19*time.Minute)))
	s.notify(30*time.Minute, notification(declareRoute, alertErrors, ended(alertLatency, 19*time.Minute)))
	s.stateAt(69*time.Minute, func(st wfapi.AlertGroupState) { s.Equal(wfapi.AlertReopenable, st.Phase) })
	st := s.run(groupInput())

	s.Equal(70*time.Minute, since(s.env.Now()), "the group ends when reopen_within has passed since the resolution")
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Len(s.childList(), 1, "firing again declares no new incident")
	s.Empty(s.recordList(), "nor is the resolved incident asked to record it")
	posts := s.slack.called("PostMessage")
	s.Require().Len(posts, 1, "only firing again is told; resolving is not")
	p := req(posts[0])
	s.Equal(30*time.Minute, since(posts[0].At))
	s.Equal(testWarRoom, p.Channel)
	s.Equal(testGroup, p.IncidentID)
	s.Equal("alert-"+testGroup+"-3", p.Key)
	s.Contains(p.Text, "fire again")
	s.Contains(p.Text, "Incident `"+testGroup+"` is resolved")
	s.Contains(p.Text, "1 alert newly firing:\n• CheckoutErrors")
}

// groupTwice runs the alert group twice under its workflow ID, as the alert
// door's signal-with-start does once a run has ended, and returns the
// runs' final states.
func groupTwice(ctx workflow.Context, in wfapi.AlertGroupInput) ([]wfapi.AlertGroupState, error) {
	var out []wfapi.AlertGroupState
	for range 2 {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            wfapi.AlertGroupWorkflowID(in.GroupID),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		})
		var st wfapi.AlertGroupState
		if err := workflow.ExecuteChildWorkflow(cctx, wfapi.AlertGroupWorkflowName, in).Get(ctx, &st); err != nil {
			return out, err
		}
		out = append(out, st)
	}
	return out, nil
}

// The test environment refuses a child ID an earlier child held under
// WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE with the
// WorkflowExecutionAlreadyStarted error the server returns, so the second
// run meets the first run's (closed) incident for real.
func (s *AlertGroupSuite) TestANewRunOfTheGroupDeclaresTheNextFreeIncidentID() {
	signal := func(delay time.Duration, n wfapi.AlertNotification) {
		s.env.RegisterDelayedCallback(func() {
			s.NoError(s.env.SignalWorkflowByID(wfapi.AlertGroupWorkflowID(testGroup), wfapi.SignalAlertNotification, n))
		}, delay)
	}
	// The first run: declared, resolved after 10 minutes, ends an hour later.
	signal(time.Second, notification(declareRoute, alertErrors))
	s.resolveIncident(10*time.Minute, testGroup)
	// The second run begins when the group fires again after that.
	signal(2*time.Hour, notification(declareRoute, alertErrors))
	s.resolveIncident(2*time.Hour+10*time.Minute, testGroup+"-2")
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "two-runs"})
	s.env.ExecuteWorkflow(groupTwice, groupInput())
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var runs []wfapi.AlertGroupState
	s.Require().NoError(s.env.GetWorkflowResult(&runs))

	s.Require().Len(runs, 2)
	s.Equal(testGroup, runs[0].IncidentID)
	s.Equal(testGroup+"-2", runs[1].IncidentID)
	s.Equal(2, runs[1].Attempts, "the group's ID was tried first")
	children := s.childList()
	s.Require().Len(children, 2)
	s.Equal(wfapi.IncidentWorkflowID(testGroup+"-2"), children[1].WorkflowID)
	s.Equal(testGroup+"-2", children[1].In.Declaration.ID)
	s.Equal(testGroup, children[1].In.Declaration.AlertGroup)
	s.Equal(2*time.Hour, since(children[1].At))
}

func (s *AlertGroupSuite) TestTheTriageRoutePromptsAndTheFirstDeclarerDecides() {
	s.notify(0, notification(triageRoute, alertErrors, alertLatency))
	var declared wfapi.AlertDeclareResult
	s.update(5*time.Minute, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: "U0CAROL", Declaration: incident.Declaration{
		Title: "Checkout is down", Summary: "Card payments fail", Severity: incident.Critical, Service: "checkout",
	}}, func(res any) { declared = res.(wfapi.AlertDeclareResult) })
	s.rejected(6*time.Minute, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: "U0DAVE", Declaration: incident.Declaration{
		Title: "Checkout", Severity: incident.Major,
	}}, "<@U0CAROL> already answered this alert (declared)")
	s.rejected(6*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0DAVE", Action: wfapi.TriageIgnore},
		"<@U0CAROL> already answered this alert")
	s.resolveIncident(30*time.Minute, testGroup)
	st := s.run(groupInput())

	posts := s.slack.called("PostMessage")
	s.Require().Len(posts, 1)
	prompt := req(posts[0])
	s.Equal(time.Duration(0), since(posts[0].At))
	s.Equal(triageChannel, prompt.Channel)
	s.Equal(testGroup, prompt.IncidentID)
	s.Contains(prompt.Text, "*Declare incident?* Checkout alerts")
	s.Contains(prompt.Text, "2 alerts firing:")
	s.Contains(prompt.Text, "CheckoutErrors (instance=a, service=checkout)")
	s.Equal([]activities.Button{
		{ActionID: wfapi.ActionAlertDeclare, Text: "Declare", Value: testGroup, Style: "primary"},
		{ActionID: wfapi.ActionAlertIgnore, Text: "Ignore", Value: testGroup},
		{ActionID: wfapi.ActionAlertSnooze, Text: "Snooze 30m", Value: testGroup},
	}, prompt.Buttons)

	s.Equal(testGroup, declared.IncidentID)
	children := s.childList()
	s.Require().Len(children, 1)
	s.Equal(5*time.Minute, since(children[0].At))
	d := children[0].In.Declaration
	s.Equal(testGroup, d.ID)
	s.Equal("U0CAROL", d.Declarer)
	s.Equal("U0CAROL", d.Commander)
	s.Equal("Checkout is down", d.Title)
	s.Equal(incident.Critical, d.Severity, "the person's choice, not the route's")
	s.Equal(incident.SourceAlert, d.Source)
	s.Equal(testGroup, d.AlertGroup)
	s.Contains(d.AlertsText, "2 alerts firing:")

	updates := s.slack.called("UpdateMessage")
	s.Require().Len(updates, 1)
	u := updateReq(updates[0])
	s.Equal(st.TriageMessage, u.Message, "the prompt itself")
	s.Equal(triageChannel, u.Message.Channel)
	s.NotEmpty(u.Message.TS)
	s.Contains(u.Text, "<@U0CAROL> declared incident `"+testGroup+"`")
	s.Empty(u.Buttons, "nothing left to answer")
	s.Equal("U0CAROL", st.DecidedBy)
	s.Equal(wfapi.AlertDone, st.Phase)
}

func (s *AlertGroupSuite) TestAnIgnoredGroupStaysQuietAndEndsWhenItResolves() {
	s.notify(0, notification(triageRoute, alertErrors, alertLatency))
	s.update(5*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0DAVE", Action: wfapi.TriageIgnore}, nil)
	s.rejected(6*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0EVE", Action: "forget"}, `unknown triage answer "forget"`)
	s.notify(10*time.Minute, notification(triageRoute, alertErrors, alertLatency, alertPayments))
	s.notify(20*time.Minute, notification(triageRoute, ended(alertErrors, 19*time.Minute), ended(alertLatency, 19*time.Minute),
		ended(alertPayments, 19*time.Minute)))
	st := s.run(groupInput())

	s.Equal(20*time.Minute, since(s.env.Now()), "the group ends when it resolves")
	updates := s.slack.called("UpdateMessage")
	s.Require().Len(updates, 1, "later notifications leave the prompt as it is")
	s.Contains(updateReq(updates[0]).Text, "<@U0DAVE> ignored it until it resolves")
	s.Empty(updateReq(updates[0]).Buttons)
	s.Len(s.slack.called("PostMessage"), 1, "the prompt only")
	s.Empty(s.childList())
	s.Empty(s.recordList())
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Equal("U0DAVE", st.DecidedBy)
}

func (s *AlertGroupSuite) TestASnoozedPromptComesBackWhileTheAlertsStillFire() {
	s.notify(0, notification(triageRoute, alertErrors, alertLatency))
	s.update(5*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0DAVE", Action: wfapi.TriageSnooze}, nil)
	s.notify(10*time.Minute, notification(triageRoute, alertErrors, alertLatency, alertPayments))
	s.stateAt(20*time.Minute, func(st wfapi.AlertGroupState) {
		s.Equal(wfapi.AlertSnoozed, st.Phase)
		s.Equal(declaredAt.Add(35*time.Minute), st.SnoozedUntil)
	})
	s.stateAt(36*time.Minute, func(st wfapi.AlertGroupState) {
		s.Equal(wfapi.AlertTriage, st.Phase)
		s.Empty(st.DecidedBy)
	})
	// The prompt can be answered again.
	s.update(40*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0EVE", Action: wfapi.TriageIgnore}, nil)
	s.notify(50*time.Minute, notification(triageRoute, ended(alertErrors, 49*time.Minute), ended(alertLatency, 49*time.Minute),
		ended(alertPayments, 49*time.Minute)))
	st := s.run(groupInput())

	updates := s.slack.called("UpdateMessage")
	s.Require().Len(updates, 3, "snoozed, back, ignored")
	s.Equal(5*time.Minute, since(updates[0].At))
	s.Contains(updateReq(updates[0]).Text, "<@U0DAVE> snoozed it until 10:35 UTC")
	s.Empty(updateReq(updates[0]).Buttons)
	s.Equal(35*time.Minute, since(updates[1].At), "back when the snooze ends")
	back := updateReq(updates[1])
	s.Contains(back.Text, "*Declare incident?*")
	s.Contains(back.Text, "3 alerts firing:", "with what changed while snoozed")
	s.Len(back.Buttons, 3)
	s.Equal(wfapi.ActionAlertDeclare, back.Buttons[0].ActionID)
	s.Contains(updateReq(updates[2]).Text, "<@U0EVE> ignored it")
	s.Empty(s.childList())
	s.Equal(wfapi.AlertDone, st.Phase)
}

func (s *AlertGroupSuite) TestAGroupThatResolvesInTriageDeclaresNothing() {
	s.notify(0, notification(triageRoute, alertErrors, alertLatency))
	s.notify(2*time.Minute, notification(triageRoute, alertErrors, alertLatency, alertPayments))
	s.notify(10*time.Minute, notification(triageRoute, ended(alertErrors, 9*time.Minute), ended(alertLatency, 8*time.Minute),
		ended(alertPayments, 9*time.Minute)))
	st := s.run(groupInput())

	s.Equal(10*time.Minute, since(s.env.Now()))
	updates := s.slack.called("UpdateMessage")
	s.Require().Len(updates, 2)
	grown := updateReq(updates[0])
	s.Contains(grown.Text, "3 alerts firing:", "the prompt follows the group")
	s.Len(grown.Buttons, 3)
	done := updateReq(updates[1])
	s.Equal(":white_check_mark: All 3 alerts resolved at 10:09 UTC before anyone answered; nothing was declared.", done.Text)
	s.Empty(done.Buttons)
	s.Empty(s.childList())
	s.Empty(s.recordList())
	s.Equal(wfapi.AlertDone, st.Phase)
}

// A person declaring from the prompt sees the group's alerts in the
// kickoff: the war room's first message about a change tells only what
// changed after the declaration.
func (s *AlertGroupSuite) TestAChangeAfterATriageDeclarationTellsOnlyWhatChangedSince() {
	s.notify(0, notification(triageRoute, alertErrors, alertLatency))
	s.notify(2*time.Minute, notification(triageRoute, alertErrors, alertLatency, alertPayments))
	s.update(5*time.Minute, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: "U0CAROL", Declaration: incident.Declaration{
		Title: "Checkout is down", Severity: incident.Major,
	}}, nil)
	s.notify(20*time.Minute, notification(triageRoute, alertErrors, ended(alertLatency, 19*time.Minute), alertPayments))
	s.resolveIncident(30*time.Minute, testGroup)
	s.run(groupInput())

	children := s.childList()
	s.Require().Len(children, 1)
	s.Contains(children[0].In.Declaration.AlertsText, "3 alerts firing:")
	s.Contains(children[0].In.Declaration.AlertsText, "CheckoutPayments")
	recs := s.recordList()
	s.Require().Len(recs, 1)
	s.Contains(recs[0].Req.Post, "1 alert resolved:\n• CheckoutLatency")
	s.NotContains(recs[0].Req.Post, "newly firing", "CheckoutPayments was in the kickoff already")
	s.Contains(recs[0].Req.Post, "2 alerts still firing.")
}

// Alertmanager sends a group's resolution once more after the group's run
// ended (its reopen window passed, or it was ignored): the run that
// notification starts has nothing to wait for.
func (s *AlertGroupSuite) TestAResolvedNotificationWithNoRunOpenEndsAtOnce() {
	s.notify(0, notification(declareRoute, ended(alertErrors, -time.Minute), ended(alertLatency, -time.Minute)))
	st := s.run(groupInput())
	s.Equal(time.Duration(0), since(s.env.Now()))
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Empty(s.childList())
	s.Empty(s.slack.called("PostMessage"))
}

// A notification that comes while the group's run is ending (the prompt's
// last update in flight) is not dropped: the group starts over.
func (s *AlertGroupSuite) TestANotificationWhileTheGroupEndsStartsItOver() {
	s.updateDelays = []time.Duration{time.Minute, time.Minute}
	s.notify(0, notification(triageRoute, alertErrors))
	s.notify(10*time.Minute, notification(triageRoute, ended(alertErrors, 9*time.Minute)))
	s.notify(10*time.Minute+30*time.Second, notification(triageRoute, alertErrors, alertLatency)) // while the prompt is updated
	s.update(20*time.Minute, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0DAVE", Action: wfapi.TriageIgnore}, nil)
	s.notify(30*time.Minute, notification(triageRoute, ended(alertErrors, 29*time.Minute), ended(alertLatency, 29*time.Minute)))
	st := s.run(groupInput())

	posts := s.slack.called("PostMessage")
	s.Require().Len(posts, 2, "the group firing again is prompted again")
	s.Equal(11*time.Minute, since(posts[1].At))
	s.Contains(req(posts[1]).Text, "2 alerts firing:")
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Equal("U0DAVE", st.DecidedBy)
}

// The prompt's updates reach Slack one after the other, in the order the
// group made them: an answer given while the prompt is being refreshed is
// what the prompt shows last, however long the refresh takes.
func (s *AlertGroupSuite) TestAnAnswerDuringAPromptRefreshIsWhatThePromptShowsLast() {
	s.updateDelays = []time.Duration{2 * time.Minute, time.Second}
	s.notify(0, notification(triageRoute, alertErrors))
	s.notify(10*time.Minute, notification(triageRoute, alertErrors, alertLatency)) // the prompt is refreshed
	s.update(10*time.Minute+30*time.Second, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: "U0DAVE", Action: wfapi.TriageIgnore}, nil)
	s.notify(20*time.Minute, notification(triageRoute, ended(alertErrors, 19*time.Minute), ended(alertLatency, 19*time.Minute)))
	s.run(groupInput())

	updates := s.slack.called("UpdateMessage")
	s.Require().Len(updates, 2)
	s.Equal([]time.Duration{12 * time.Minute, 12*time.Minute + time.Second}, []time.Duration{since(updates[0].At), since(updates[1].At)})
	s.Len(updateReq(updates[0]).Buttons, 3, "the refresh")
	last := updateReq(updates[1])
	s.Contains(last.Text, "<@U0DAVE> ignored it")
	s.Empty(last.Buttons, "no buttons once answered")
}

func (s *AlertGroupSuite) TestContinueAsNewKeepsTheGroupAndLosesNoNotification() {
	in := groupInput()
	in.HistoryLimit = 100
	in.Process = callersProcess() // as recorded before the process came from the worker
	s.recordDelay = time.Minute   // each record takes a minute: notifications come meanwhile
	s.notify(0, notification(declareRoute, alertErrors, alertLatency))
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(100) }, 10*time.Minute)
	s.notify(10*time.Minute, notification(declareRoute, alertErrors, alertLatency, alertSaturation))
	// Both come while a record is in flight, as the run is about to switch.
	s.notify(10*time.Minute+30*time.Second, notification(declareRoute, alertErrors, ended(alertLatency, 10*time.Minute), alertSaturation))
	s.notify(11*time.Minute+30*time.Second, notification(declareRoute, alertErrors, ended(alertLatency, 10*time.Minute), alertSaturation, alertPayments))
	s.env.ExecuteWorkflow(workflows.AlertGroupWorkflow, in)

	s.Require().True(s.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	s.Require().ErrorAs(s.env.GetWorkflowError(), &can)
	s.Equal(wfapi.AlertGroupWorkflowName, can.WorkflowType.Name)
	var next wfapi.AlertGroupInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	carried := *next.State
	s.Equal(wfapi.AlertDeclared, carried.Phase)
	s.Equal(testGroup, carried.IncidentID)
	s.Equal(4, carried.Notifications, "every notification sent before the switch is in the state")
	s.Equal(4, carried.Changes)
	s.Len(carried.Group.FiringAlerts(), 3)
	s.Len(carried.Group.Alerts, 4)
	s.Equal(100, next.HistoryLimit)
	s.Equal(in.Settings, next.Settings)
	s.Equal(testProcess().Severities, next.Process.Severities, "the worker's process goes along, not the one the run was given")
	recs := s.recordList()
	s.Require().Len(recs, 3, "each change before the switch was recorded: %+v", recs)
	s.Contains(recs[2].Req.Timeline, "1 newly firing (CheckoutPayments)")
	s.Len(s.childList(), 1)

	// The next run carries on from the state: no new incident; the next
	// change goes to the same one.
	s.SetupTest()
	s.env.SetStartTime(declaredAt.Add(13 * time.Minute)) // when the first run switched
	s.notify(time.Minute, notification(declareRoute, ended(alertErrors, 13*time.Minute), ended(alertLatency, 10*time.Minute),
		ended(alertSaturation, 13*time.Minute), ended(alertPayments, 13*time.Minute)))
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wfapi.SignalAlertIncidentResolved, wfapi.AlertIncidentResolved{IncidentID: testGroup, ChannelID: testWarRoom, ResolvedAt: s.env.Now()})
	}, 2*time.Minute)
	st := s.run(next)
	s.Empty(s.childList(), "the incident is the first run's")
	recs = s.recordList()
	s.Require().Len(recs, 1)
	s.Equal(testGroup, recs[0].IncidentID)
	s.Equal(testGroup+"-5", recs[0].Req.Key)
	s.True(recs[0].Req.AllResolved)
	s.Contains(recs[0].Req.Post, "All 4 alerts resolved")
	s.Equal(wfapi.AlertDone, st.Phase)
	s.Equal(5, st.Notifications)
}

// TestABurstOfOneGroupIsOneUpdateOfTheIncident: notifications that arrive
// together are applied together, and their changes reach the incident in
// one record that carries every change's timeline entry, oldest first.
func (s *AlertGroupSuite) TestABurstOfOneGroupIsOneUpdateOfTheIncident() {
	s.notify(0, notification(declareRoute, alertErrors))
	// After post_every, a burst: three notifications in the same instant.
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wfapi.SignalAlertNotification, notification(declareRoute, alertErrors, alertLatency))
		s.env.SignalWorkflow(wfapi.SignalAlertNotification, notification(declareRoute, alertErrors, alertLatency, alertSaturation))
		s.env.SignalWorkflow(wfapi.SignalAlertNotification, notification(declareRoute, ended(alertErrors, 2*time.Minute), alertLatency, alertSaturation))
	}, 2*time.Minute)
	s.resolveIncident(5*time.Minute, testGroup)
	st := s.run(groupInput())

	s.Equal(4, st.Notifications)
	// The test environment hands the workflow the first signal of the
	// burst on its own and the other two together (a server buffers them
	// all while the workflow is busy): two records for three changes.
	recs := s.recordList()
	s.Require().Len(recs, 2, "the signals that arrived together are one update")
	var entries []string
	for _, r := range recs {
		entries = append(append(entries, r.Req.Earlier...), r.Req.Timeline)
	}
	s.Equal([]string{"alertmanager: 1 newly firing (CheckoutLatency); 1 still firing",
		"alertmanager: 1 newly firing (CheckoutSaturation); 2 still firing",
		"alertmanager: 1 resolved (CheckoutErrors); 2 still firing"}, entries, "every change, oldest first")
	s.Equal(fmt.Sprintf("%s-4", testGroup), recs[1].Req.Key, "keyed by its latest change")
}

// TestABusyGroupHandsItsChangesOverOncePerInterval: changes a second
// apart, each its own workflow task, reach the incident as the first at
// once and the rest together once wfapi.AlertRecordEvery has passed; a
// change after a quiet spell goes at once again.
func (s *AlertGroupSuite) TestABusyGroupHandsItsChangesOverOncePerInterval() {
	s.notify(0, notification(declareRoute, alertErrors))
	at := 2 * time.Minute
	s.notify(at, notification(declareRoute, alertErrors, alertLatency))
	s.notify(at+time.Second, notification(declareRoute, alertErrors, alertLatency, alertSaturation))
	s.notify(at+2*time.Second, notification(declareRoute, ended(alertErrors, at), alertLatency, alertSaturation))
	s.notify(at+3*time.Second, notification(declareRoute, ended(alertErrors, at), alertLatency, alertSaturation, alertPayments))
	s.stateAt(at+4*time.Second, func(st wfapi.AlertGroupState) {
		s.Equal(declaredAt.Add(at), st.LastRecord, "the first change went at once; the next ones wait")
	})
	s.notify(at+time.Minute, notification(declareRoute, ended(alertErrors, at), ended(alertLatency, at+time.Minute), alertSaturation, alertPayments))
	s.resolveIncident(5*time.Minute, testGroup)
	st := s.run(groupInput())

	s.Equal(6, st.Notifications)
	recs := s.recordList()
	s.Require().Len(recs, 3, "%+v", recs)
	s.Equal(at, since(recs[0].At))
	s.Empty(recs[0].Req.Earlier)
	s.Contains(recs[0].Req.Timeline, "1 newly firing (CheckoutLatency)")
	s.Equal(at+wfapi.AlertRecordEvery, since(recs[1].At), "the changes that waited go together, 5 s after the last hand-over")
	s.Equal([]string{"alertmanager: 1 newly firing (CheckoutSaturation); 2 still firing",
		"alertmanager: 1 resolved (CheckoutErrors); 2 still firing"}, recs[1].Req.Earlier, "oldest first")
	s.Contains(recs[1].Req.Timeline, "1 newly firing (CheckoutPayments)")
	s.Equal(fmt.Sprintf("%s-5", testGroup), recs[1].Req.Key, "keyed by its latest change")
	s.Equal(at+time.Minute, since(recs[2].At), "after a quiet spell a change goes at once")
	s.Empty(recs[2].Req.Earlier)
}

// TestChangesWaitingForTheirHandOverGoBeforeContinueAsNew: a run that
// switches while changes wait for wfapi.AlertRecordEvery hands them over
// first.
func (s *AlertGroupSuite) TestChangesWaitingForTheirHandOverGoBeforeContinueAsNew() {
	in := groupInput()
	in.HistoryLimit = 100
	s.notify(0, notification(declareRoute, alertErrors))
	s.notify(time.Minute, notification(declareRoute, alertErrors, alertLatency))
	s.notify(time.Minute+time.Second, notification(declareRoute, alertErrors, alertLatency, alertSaturation))
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(100) }, time.Minute+2*time.Second)
	s.notify(time.Minute+3*time.Second, notification(declareRoute, alertErrors, alertLatency, alertSaturation, alertPayments))
	s.env.ExecuteWorkflow(workflows.AlertGroupWorkflow, in)

	var can *workflow.ContinueAsNewError
	s.Require().ErrorAs(s.env.GetWorkflowError(), &can)
	recs := s.recordList()
	s.Require().Len(recs, 2, "%+v", recs)
	s.Equal(time.Minute+3*time.Second, since(recs[1].At), "handed over as the run switched, not left behind")
	s.Equal([]string{"alertmanager: 1 newly firing (CheckoutSaturation); 2 still firing"}, recs[1].Req.Earlier)
	s.Contains(recs[1].Req.Timeline, "1 newly firing (CheckoutPayments)")
}

func (s *AlertGroupSuite) TestRepeatsWhileAPostWaitsKeepOneTimerPerDeadline() {
	// Deadlines the group set timers for (when each would fire), and the
	// timers cancelled.
	var mu sync.Mutex
	timers, cancelled := map[time.Duration]int{}, 0
	s.env.SetOnTimerScheduledListener(func(_ string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if d != fakeIncidentLife {
			timers[since(s.env.Now().Add(d))]++
		}
	})
	s.env.SetOnTimerCanceledListener(func(string) {
		mu.Lock()
		defer mu.Unlock()
		cancelled++
	})
	three := notification(declareRoute, alertErrors, alertLatency, alertSaturation)
	s.notify(0, three)
	// A change within post_every of the declaration: its post waits until
	// 10m; Alertmanager repeats the group every 30 s meanwhile.
	partly := notification(declareRoute, alertErrors, ended(alertLatency, 59*time.Second), alertSaturation)
	s.notify(time.Minute, partly)
	for at := 90 * time.Second; at < 10*time.Minute; at += 30 * time.Second {
		s.notify(at, partly)
	}
	// Resolved at 12m: the group waits out the reopen window, then ends.
	s.notify(11*time.Minute, notification(declareRoute, ended(alertErrors, 11*time.Minute), ended(alertLatency, 59*time.Second),
		ended(alertSaturation, 11*time.Minute)))
	s.resolveIncident(12*time.Minute, testGroup)
	st := s.run(groupInput())

	s.Equal(20, st.Notifications)
	mu.Lock()
	defer mu.Unlock()
	s.Equal(map[time.Duration]int{10 * time.Minute: 1, 12*time.Minute + time.Hour: 1}, timers,
		"one timer for the throttled post, whatever signals came meanwhile, and one for the reopen window")
	s.Zero(cancelled, "both deadlines came")
	recs := s.recordList()
	s.Require().Len(recs, 3, "%+v", recs)
	s.Equal(10*time.Minute, since(recs[1].At), "the throttled post, at the declaration + post_every")
}

func (s *AlertGroupSuite) TestAResolutionWhileAPostWaitsCancelsItsTimer() {
	var mu sync.Mutex
	scheduled, cancelled := 0, 0
	s.env.SetOnTimerScheduledListener(func(_ string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if d != fakeIncidentLife {
			scheduled++
		}
	})
	s.env.SetOnTimerCanceledListener(func(string) {
		mu.Lock()
		defer mu.Unlock()
		cancelled++
	})
	s.notify(0, notification(declareRoute, alertErrors, alertLatency))
	// A change whose post waits until 10m, then the whole group resolving
	// at 3m: told at once, so the post's timer is cancelled, not left to
	// fire.
	s.notify(time.Minute, notification(declareRoute, alertErrors, ended(alertLatency, time.Minute)))
	s.notify(3*time.Minute, notification(declareRoute, ended(alertErrors, 3*time.Minute), ended(alertLatency, time.Minute)))
	s.resolveIncident(5*time.Minute, testGroup)
	st := s.run(groupInput())

	s.Equal(wfapi.AlertDone, st.Phase)
	mu.Lock()
	defer mu.Unlock()
	s.Equal(2, scheduled, "the throttled post's timer, then the reopen window's")
	s.Equal(1, cancelled, "the post's timer, once the resolution made it moot")
	recs := s.recordList()
	s.Require().Len(recs, 2, "%+v", recs)
	s.True(recs[1].Req.AllResolved)
	s.Equal(3*time.Minute, since(recs[1].At))
}
