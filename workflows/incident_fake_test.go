package workflows_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// declaredAt is when the test incidents are declared.
var declaredAt = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// testProcess is a process with something to do at every step.
func testProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Severities[0].Leads = []string{"U0CRITLEAD"}
	p.Services = map[string]incident.Service{
		"checkout": {Leads: []string{"dave@example.com"}, Runbook: "https://runbooks.example.com/checkout"},
	}
	p.Docs = []incident.Doc{{Title: "Incident process", URL: "https://docs.example.com/process"}}
	p.AnnounceChannels = []string{"incidents"}
	p.BroadcastChannels = []string{"status"}
	p.VideoLink = "https://meet.example.com/{channel}"
	p.EscalationGroup = "S0ONCALL"
	p.WebUIURL = "http://127.0.0.1:8233"
	// Bob, who resolves and changes the severity in most tests without
	// holding a role, is an incident admin (incident_permissions_test.go
	// tests who else may).
	p.Permissions.IncidentAdmins = []string{"U0BOB"}
	return p
}

// testDeclaration declares a critical incident whose title tries to ping
// everyone.
func testDeclaration() incident.Declaration {
	return incident.Declaration{
		ID: "abc123", Title: "Checkout <!channel> *down*", Summary: "Payments fail with 502",
		Severity: incident.Critical, Service: "checkout", Declarer: "U0ALICE", OriginChannel: "C0GENERAL",
		Kind: incident.KindIncident, DeclaredAt: declaredAt,
	}
}

// fakeProcess stands in for the worker's process activity: each run of a
// workflow under test asks it for the process as it begins.
type fakeProcess struct {
	mu    sync.Mutex
	proc  incident.Process
	loads int
}

// newFakeProcess registers on env a worker whose configuration describes p.
func newFakeProcess(env *testsuite.TestWorkflowEnvironment, p incident.Process) *fakeProcess {
	f := &fakeProcess{proc: p}
	var a *activities.Process
	env.RegisterActivity(&activities.Process{})
	env.OnActivity(a.WorkerProcess, mock.Anything).Return(func(context.Context) (incident.Process, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.loads++
		return f.proc, nil
	}).Maybe()
	return f
}

// change changes the worker's process, as a worker restarted with a
// changed configuration would.
func (f *fakeProcess) change(edit func(*incident.Process)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	edit(&f.proc)
}

// loaded is how many times a run asked for the process.
func (f *fakeProcess) loaded() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads
}

// quietLogger logs only warnings and errors.
func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// slackCall is one Slack activity the workflow ran, at test-clock time.
type slackCall struct {
	At       time.Time
	Activity string
	Req      any
}

// fakeSlack stands in for the Slack activities and records their calls.
type fakeSlack struct {
	env *testsuite.TestWorkflowEnvironment

	// createErr, when set, is what creating the war room fails with;
	// updateErr what rewriting a message does.
	createErr, updateErr error
	// updateDelay, when set, says how long each UpdateMessage call takes.
	updateDelay func() time.Duration
	// users, when set, is who Slack knows by email: an invited email it
	// maps to a user ID, one it lacks is not found (other refs are invited
	// as they are).
	users map[string]string

	mu    sync.Mutex
	calls []slackCall
	ts    int
}

// newFakeSlack mocks every Slack activity of env.
func newFakeSlack(env *testsuite.TestWorkflowEnvironment) *fakeSlack {
	f := &fakeSlack{env: env}
	var a *activities.Slack
	env.RegisterActivity(&activities.Slack{})
	env.OnActivity(a.CreateChannel, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.CreateChannelRequest) (activities.Channel, error) {
			f.record("CreateChannel", req)
			if req.Provisional {
				return activities.Channel{ID: "C0WARROOM", Name: activities.ProvisionalPrefix + req.IncidentID}, f.createErr
			}
			return activities.Channel{ID: "C0WARROOM", Name: req.Names[0]}, f.createErr
		}).Maybe()
	env.OnActivity(a.NameChannel, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.NameChannelRequest) (activities.Channel, error) {
			f.record("NameChannel", req)
			return activities.Channel{ID: req.Channel.ID, Name: req.Names[0]}, nil
		}).Maybe()
	env.OnActivity(a.SetPurpose, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PurposeRequest) error { f.record("SetPurpose", req); return nil }).Maybe()
	env.OnActivity(a.SetTopic, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.TopicRequest) error { f.record("SetTopic", req); return nil }).Maybe()
	env.OnActivity(a.Invite, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.InviteRequest) (activities.InviteResult, error) {
			f.record("Invite", req)
			if f.users == nil {
				return activities.InviteResult{Invited: req.Users}, nil
			}
			var res activities.InviteResult
			for _, u := range req.Users {
				if !strings.Contains(u, "@") {
					res.Invited = append(res.Invited, u)
				} else if id := f.users[u]; id != "" {
					res.Invited = append(res.Invited, id)
				} else {
					res.NotFound = append(res.NotFound, u)
				}
			}
			return res, nil
		}).Maybe()
	env.OnActivity(a.AddBookmarks, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.BookmarksRequest) error {
			f.record("AddBookmarks", req)
			return nil
		}).Maybe()
	env.OnActivity(a.PostMessage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PostRequest) (incident.MessageRef, error) {
			ts := f.record("PostMessage", req)
			channel := req.Channel
			if !strings.HasPrefix(channel, "C") {
				channel = "C0" + strings.ToUpper(channel)
			}
			return incident.MessageRef{Channel: channel, TS: ts}, nil
		}).Maybe()
	env.OnActivity(a.UpdateMessage, mock.Anything, mock.Anything).AfterFn(f.updateTakes).Return(
		func(_ context.Context, req activities.UpdateRequest) error {
			f.record("UpdateMessage", req)
			return f.updateErr
		}).Maybe()
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.NotifyRequest) error { f.record("Notify", req); return nil }).Maybe()
	env.OnActivity(a.React, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.ReactRequest) error { f.record("React", req); return nil }).Maybe()
	env.RegisterWorkflowWithOptions(func(workflow.Context, wfapi.RetrospectiveInput) error { return nil },
		workflow.RegisterOptions{Name: wfapi.RetrospectiveWorkflowName})
	return f
}

// updateTakes is how long the next UpdateMessage call takes.
func (f *fakeSlack) updateTakes() time.Duration {
	if f.updateDelay == nil {
		return 0
	}
	return f.updateDelay()
}

// record notes a call and returns a message timestamp for it.
func (f *fakeSlack) record(activity string, req any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ts++
	f.calls = append(f.calls, slackCall{At: f.env.Now(), Activity: activity, Req: req})
	return fmt.Sprintf("1700000000.%06d", f.ts)
}

// called returns the calls of one activity.
func (f *fakeSlack) called(activity string) []slackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slackCall
	for _, c := range f.calls {
		if c.Activity == activity {
			out = append(out, c)
		}
	}
	return out
}

// posts returns the posts whose key starts with prefix.
func (f *fakeSlack) posts(prefix string) []slackCall {
	var out []slackCall
	for _, c := range f.called("PostMessage") {
		if strings.HasPrefix(c.Req.(activities.PostRequest).Key, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// times returns when each call happened, as offsets from declaredAt.
func times(calls []slackCall) []time.Duration {
	out := make([]time.Duration, len(calls))
	for i, c := range calls {
		out[i] = c.At.Sub(declaredAt).Round(time.Second)
	}
	return out
}

// updateAfter sends update name with arg to env's workflow after delay and
// has s require it to be accepted and to complete without error.
func updateAfter(s *suite.Suite, env *testsuite.TestWorkflowEnvironment, delay time.Duration, name string, arg any) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { s.Fail("update rejected", "%s: %v", name, err) },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { s.NoError(err, name) },
		}, arg)
	}, delay)
}

// rejectedAfter sends update name with arg to env's workflow after delay
// and has s require it to be rejected with an error containing want.
func rejectedAfter(s *suite.Suite, env *testsuite.TestWorkflowEnvironment, delay time.Duration, name string, arg any, want string) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { s.ErrorContains(err, want, name) },
			OnAccept:   func() { s.Fail("update accepted", "%s %+v", name, arg) },
			OnComplete: func(any, error) {},
		}, arg)
	}, delay)
}
