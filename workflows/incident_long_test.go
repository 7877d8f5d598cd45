package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// historyCounter estimates, from above, the events a run writes to its
// history, and shows the estimate to the workflow as its history length
// (the test environment keeps no history of its own). Each activity counts
// scheduled, started and completed plus a workflow task of three events;
// each timer started and fired or cancelled plus a workflow task; each
// update accepted and completed plus a workflow task.
type historyCounter struct {
	env        *testsuite.TestWorkflowEnvironment
	activities atomic.Int64
	other      int
	max        int
}

func newHistoryCounter(env *testsuite.TestWorkflowEnvironment) *historyCounter {
	h := &historyCounter{env: env, other: 5} // started, first workflow task
	env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) {
		h.activities.Add(6)
	})
	env.SetOnTimerScheduledListener(func(string, time.Duration) { h.other++ })
	env.SetOnTimerFiredListener(func(string) { h.add(4) })
	env.SetOnTimerCanceledListener(func(string) { h.add(1) })
	return h
}

// add counts n events and shows the workflow the new length. It runs on
// the environment's own goroutine (timer listeners, delayed callbacks).
func (h *historyCounter) add(n int) {
	h.other += n
	total := h.other + int(h.activities.Load())
	h.max = max(h.max, total)
	h.env.SetCurrentHistoryLength(total)
}

// TestAThirtyDayIncidentContinuesAsNewWithABoundedState plays a month of a
// critical incident: its workflow continues as new every few days, and the
// state each run hands the next stops growing once it reaches
// incident.DefaultLimits, while every update and reminder is still counted
// and posted once under a key of its own.
func (s *IncidentSuite) TestAThirtyDayIncidentContinuesAsNewWithABoundedState() {
	const days = 30
	// Resolved five minutes past the thirtieth day, between two reminders.
	end := declaredAt.Add(days*24*time.Hour + 5*time.Minute)
	in := s.input() // critical: an update is due every 15 minutes
	// An update every 55 minutes, so three reminders come between two
	// updates, the second of which escalates.
	var updateTimes []time.Time
	for at := declaredAt.Add(50 * time.Minute); at.Before(end); at = at.Add(55 * time.Minute) {
		updateTimes = append(updateTimes, at)
	}
	wantReminders, wantEscalations := 0, 0
	last := declaredAt
	for _, at := range append(updateTimes, end) {
		n := int((at.Sub(last) - 1) / (15 * time.Minute))
		wantReminders += n
		if n >= 2 {
			wantEscalations++
		}
		last = at
	}
	var (
		result    incident.Incident
		runs      int
		creates   int
		maxEvents int
		updates   int
		// carried is the size of the input each run handed the next.
		carried []int
		// posts counts the posts of each channel and key.
		posts = map[string]int{}
	)
	for start := declaredAt; ; runs++ {
		s.Require().Less(runs, 100, "the incident never ended")
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		fake := newFakeSlack(env)
		newFakeProcess(env, testProcess())
		count := newHistoryCounter(env)
		// The updates no earlier run completed: one sent at the moment a
		// run continued as new was completed by that run.
		for _, at := range updateTimes[updates:] {
			env.RegisterDelayedCallback(func() {
				count.add(5)
				env.UpdateWorkflow(wfapi.UpdatePostStatus, "", &testsuite.TestUpdateCallback{
					OnReject: func(err error) { s.Fail("update rejected", "%v", err) }, OnAccept: func() {},
					OnComplete: func(_ any, err error) { s.NoError(err); updates++ },
				}, wfapi.PostStatusRequest{Author: "U0BOB", Text: "still digging"})
			}, at.Sub(start))
		}
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(wfapi.UpdateResolve, "", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { s.Fail("resolve rejected", "%v", err) }, OnAccept: func() {},
				OnComplete: func(_ any, err error) { s.NoError(err) },
			}, wfapi.ResolveRequest{By: "U0BOB", Summary: "found it"})
		}, end.Sub(start))
		env.ExecuteWorkflow(workflows.IncidentWorkflow, in)

		creates += len(fake.called("CreateChannel"))
		maxEvents = max(maxEvents, count.max)
		for _, c := range fake.called("PostMessage") {
			req := c.Req.(activities.PostRequest)
			posts[req.Channel+" "+req.Key]++
		}
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); errors.As(err, &can) {
			in = wfapi.IncidentInput{}
			s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
			s.Require().NotNil(in.State)
			size := 0
			for _, p := range can.Input.GetPayloads() {
				size += len(p.GetData())
			}
			carried = append(carried, size)
			s.LessOrEqual(len(in.State.Updates), incident.DefaultLimits.Updates, "run %d", runs)
			s.LessOrEqual(len(in.State.Timeline), incident.DefaultLimits.Timeline+2, "run %d: the limit, the declaration and the war room", runs)
			start = env.Now()
			continue
		}
		s.Require().NoError(env.GetWorkflowError())
		s.Require().NoError(env.GetWorkflowResult(&result))
		break
	}

	s.Greater(runs, 1, "the workflow continued as new")
	s.Less(maxEvents, 4096, "every run stays under the history size at which Temporal suggests continuing as new")
	s.Equal(1, creates, "the war room is opened once, not once per run")
	s.Equal(len(updateTimes), updates)

	// The older entries were dropped and counted.
	s.Positive(result.OmittedUpdates)
	s.Positive(result.OmittedTimeline)
	s.Equal(len(updateTimes), len(result.Updates)+result.OmittedUpdates)
	s.Equal(incident.Investigating, result.Updates[0].Status, "the first update is kept")
	s.Equal(updateTimes[len(updateTimes)-1], result.Updates[len(result.Updates)-1].At, "so is the latest")
	s.Equal(incident.EntryDeclared, result.Timeline[0].Kind)
	s.Equal(incident.EntryWarRoom, result.Timeline[1].Kind)
	s.Equal(1, result.EntryCount(incident.EntryDeclared))
	s.Equal(1, result.EntryCount(incident.EntryWarRoom))
	s.Equal(len(updateTimes), result.EntryCount(incident.EntryUpdate))
	s.Equal(wantReminders, result.EntryCount(incident.EntryReminder))
	s.Equal(wantEscalations, result.EntryCount(incident.EntryEscalation))
	s.Equal(1, result.EntryCount(incident.EntryResolved))
	s.Equal(end, result.ResolvedAt)
	s.Contains(result.Participants(), "U0BOB")

	// Every entry's posts kept a key of their own across runs (a repeated
	// key would make Slack retries and action-item issues collide).
	s.Len(fakePostsOf(posts, incident.EntryReminder), wantReminders)
	for key, n := range posts {
		s.Equal(1, n, "posted more than once under %q", key)
	}

	// The carried state grew until it reached the limits (the timeline's
	// after four runs, the updates' after about ten: 500 updates at one
	// every 55 minutes), then stopped growing.
	s.Greater(len(carried), 10)
	lastRuns := carried[len(carried)-4:]
	s.LessOrEqual(slices.Max(lastRuns)-slices.Min(lastRuns), slices.Min(lastRuns)/100, "the last runs carried %v bytes", lastRuns)
	s.Less(slices.Max(carried), incident.DefaultLimits.UpdateBytes+incident.DefaultLimits.TimelineBytes,
		"far under Temporal's 2 MiB payload limit")
	state, err := json.Marshal(result)
	s.Require().NoError(err)
	s.T().Logf("%d runs, at most %d events in one; carried state per run (KiB): %v; at the end %d timeline entries (%d omitted), %d updates (%d omitted), state %d KiB",
		runs, maxEvents, kib(carried), len(result.Timeline), result.OmittedTimeline, len(result.Updates), result.OmittedUpdates, len(state)>>10)
}

// fakePostsOf returns the keys in posts (channel, space, key) whose key
// starts with kind + "-".
func fakePostsOf(posts map[string]int, kind string) []string {
	var out []string
	for k := range posts {
		if _, key, _ := strings.Cut(k, " "); strings.HasPrefix(key, kind+"-") {
			out = append(out, k)
		}
	}
	return out
}

// kib converts sizes in bytes to KiB.
func kib(sizes []int) []int {
	out := make([]int, len(sizes))
	for i, n := range sizes {
		out[i] = n >> 10
	}
	return out
}
