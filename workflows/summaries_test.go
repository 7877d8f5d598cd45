package workflows_test

import (
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// webUI records what the Temporal Web UI shows of a workflow run in the
// test environment: the summaries of its timers, its activities and its
// child workflows, and which of its timers are pending.
type webUI struct {
	interceptor.WorkerInterceptorBase

	mu                         sync.Mutex
	timers, activities, childs []string
	// due holds when each timer scheduled would fire, in order; pending
	// the timers neither fired nor cancelled.
	due     []time.Time
	pending map[string]bool
}

// watchWebUI records env's workflow runs in a new webUI.
func watchWebUI(env *testsuite.TestWorkflowEnvironment) *webUI {
	ui := &webUI{pending: map[string]bool{}}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{ui}})
	env.SetOnTimerScheduledListener(func(id string, d time.Duration) {
		ui.mu.Lock()
		defer ui.mu.Unlock()
		ui.due = append(ui.due, env.Now().Add(d))
		ui.pending[id] = true
	})
	done := func(id string) {
		ui.mu.Lock()
		defer ui.mu.Unlock()
		delete(ui.pending, id)
	}
	env.SetOnTimerFiredListener(done)
	env.SetOnTimerCanceledListener(done)
	return ui
}

func (ui *webUI) add(list *[]string, summary string) {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	*list = append(*list, summary)
}

// pendingTimers is how many timers are pending now.
func (ui *webUI) pendingTimers() int {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	return len(ui.pending)
}

// expectPending checks, after delay, that n timers are pending. (The test
// environment reports a cancellation after the workflow task that asked
// for it, so a count taken within that task would be one too many.)
func (ui *webUI) expectPending(s interface {
	Equal(expected, actual any, msgAndArgs ...any) bool
}, env *testsuite.TestWorkflowEnvironment, delay time.Duration, n int, why string) {
	env.RegisterDelayedCallback(func() { s.Equal(n, ui.pendingTimers(), "%s (after %s)", why, delay) }, delay)
}

func (ui *webUI) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &webUIInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, ui: ui}
}

type webUIInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	ui *webUI
}

func (i *webUIInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&webUIOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, ui: i.ui})
}

type webUIOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	ui *webUI
}

func (o *webUIOutbound) NewTimerWithOptions(ctx workflow.Context, d time.Duration, opts workflow.TimerOptions) workflow.Future {
	o.ui.add(&o.ui.timers, opts.Summary)
	return o.Next.NewTimerWithOptions(ctx, d, opts)
}

func (o *webUIOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.ui.add(&o.ui.activities, workflow.GetActivityOptions(ctx).Summary)
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *webUIOutbound) ExecuteChildWorkflow(ctx workflow.Context, childWorkflowType string, args ...any) workflow.ChildWorkflowFuture {
	o.ui.add(&o.ui.childs, workflow.GetChildWorkflowOptions(ctx).StaticSummary)
	return o.Next.ExecuteChildWorkflow(ctx, childWorkflowType, args...)
}

// assertWords fails unless every summary is a phrase, not empty and
// holding none of the internal keys given (post keys, action-item keys)
// but those that are a plain word ("kickoff").
func assertWords(t interface{ Errorf(string, ...any) }, what string, summaries, keys []string) {
	if len(summaries) == 0 {
		t.Errorf("no %s summaries recorded", what)
	}
	for _, s := range summaries {
		if !strings.Contains(strings.TrimSpace(s), " ") {
			t.Errorf("%s summary %q is not a phrase", what, s)
		}
		for _, k := range keys {
			if strings.Contains(k, "-") && strings.Contains(s, k) {
				t.Errorf("%s summary %q shows the internal key %q", what, s, k)
			}
		}
	}
}

// postKeys are the keys of the posts reqs made.
func postKeys(reqs []any) []string {
	var keys []string
	for _, r := range reqs {
		if p, ok := r.(activities.PostRequest); ok {
			keys = append(keys, p.Key)
		}
	}
	return keys
}

func (s *IncidentSuite) TestUpdatesLeaveOneStatusUpdateTimerPending() {
	ui := watchWebUI(s.env)
	for _, at := range []time.Duration{5 * time.Minute, 10 * time.Minute, 12 * time.Minute} {
		s.update(at, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Text: "Still looking"})
	}
	for _, at := range []time.Duration{6 * time.Minute, 11 * time.Minute, 13 * time.Minute, 28 * time.Minute} {
		ui.expectPending(s, s.env, at, 1, "only the timer of the update due next is pending")
	}
	s.resolveAt(30 * time.Minute)
	s.run(s.input())

	// Critical: an update is due 15 minutes after the declaration, then
	// after each update; the last timer fired (a reminder at 27m) and the
	// next one was cancelled by the resolution.
	var due []time.Duration
	for _, t := range ui.due {
		due = append(due, t.Sub(declaredAt))
	}
	s.Equal([]time.Duration{15 * time.Minute, 20 * time.Minute, 25 * time.Minute, 27 * time.Minute, 42 * time.Minute}, due)
	s.Equal([]time.Duration{27 * time.Minute}, times(s.slack.posts("reminder")))
	s.Zero(ui.pendingTimers(), "the resolution cancelled the last timer")
	s.Equal([]string{
		"next status update due by 10:15 UTC", "next status update due by 10:20 UTC", "next status update due by 10:25 UTC",
		"next status update due by 10:27 UTC", "next status update due by 10:42 UTC",
	}, ui.timers)

	var reqs []any
	for _, c := range s.slack.calls {
		reqs = append(reqs, c.Req)
	}
	assertWords(s.T(), "activity", ui.activities, postKeys(reqs))
	s.Equal([]string{"Retrospective: Checkout <!channel> *down*"}, ui.childs)
}

func (s *IncidentSuite) TestASecurityRetrospectiveIsNamedWithoutItsTitle() {
	ui := watchWebUI(s.env)
	in := s.input()
	in.Declaration.Security = true
	s.resolveAt(time.Minute)
	s.run(in)
	s.Equal([]string{"Retrospective: security incident"}, ui.childs)
}

func (s *RetroSuite) TestEveryTimerAndActivityIsNamedInWords() {
	ui := watchWebUI(s.env)
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	add := wfapi.AddRetroActionItemsRequest{By: "U0CAROL", Items: []incident.ActionItem{
		{Key: "slack-eeetslmc", Text: "Alert on 502 rate", Owner: "U0BOB"},
	}}
	// Items added while the retrospective sleeps until the reminder of
	// the meeting, and the retrospective marked done during the meeting:
	// each cuts a sleep short, and its timer is cancelled.
	s.update(retroResolvedAt.Add(time.Hour), wfapi.UpdateAddRetroActionItems, add)
	s.update(tuesday3pm.Add(30*time.Minute), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	start := retroResolvedAt.Add(time.Minute)
	ui.expectPending(s, s.env, retroResolvedAt.Add(2*time.Hour).Sub(start), 1, "the sleep begun again after the items were added")
	ui.expectPending(s, s.env, tuesday3pm.Add(31*time.Minute).Sub(start), 1, "the follow-up's sleep, once marked done")
	s.run(retroInput())

	s.Equal([]string{
		"retrospective: remind the war room of the review meeting at Tue 11 Mar 14:00 CET",
		"retrospective: remind the war room of the review meeting at Tue 11 Mar 14:00 CET",
		"retrospective: the review meeting ends at Tue 11 Mar 16:00 CET",
	}, ui.timers[:3])
	var reqs []any
	for _, c := range s.fakes.called("PostMessage") {
		reqs = append(reqs, c.Req)
	}
	assertWords(s.T(), "timer", ui.timers, nil)
	assertWords(s.T(), "activity", ui.activities, append(postKeys(reqs), "slack-eeetslmc", "action-3"))
}
