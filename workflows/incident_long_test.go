package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
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

func (s *IncidentSuite) TestAThirtyDayIncidentContinuesAsNewAndKeepsEveryEntry() {
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
	)
	for start := declaredAt; ; runs++ {
		s.Require().Less(runs, 100, "the incident never ended")
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		fake := newFakeSlack(env)
		count := newHistoryCounter(env)
		for _, at := range updateTimes {
			if at.Before(start) {
				continue
			}
			env.RegisterDelayedCallback(func() {
				count.add(5)
				env.UpdateWorkflow(workflows.UpdatePostStatus, "", &testsuite.TestUpdateCallback{
					OnReject: func(err error) { s.Fail("update rejected", "%v", err) }, OnAccept: func() {},
					OnComplete: func(_ any, err error) { s.NoError(err); updates++ },
				}, workflows.PostStatusRequest{Author: "U0BOB", Text: "still digging"})
			}, at.Sub(start))
		}
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(workflows.UpdateResolve, "", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { s.Fail("resolve rejected", "%v", err) }, OnAccept: func() {},
				OnComplete: func(_ any, err error) { s.NoError(err) },
			}, workflows.ResolveRequest{By: "U0BOB", Summary: "found it"})
		}, end.Sub(start))
		env.ExecuteWorkflow(workflows.IncidentWorkflow, in)

		creates += len(fake.called("CreateChannel"))
		maxEvents = max(maxEvents, count.max)
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); errors.As(err, &can) {
			in = workflows.IncidentInput{}
			s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
			s.Require().NotNil(in.State)
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
	s.Len(result.Updates, len(updateTimes))
	kinds := map[string]int{}
	for _, e := range result.Timeline {
		kinds[e.Kind]++
	}
	s.Equal(1, kinds[incident.EntryDeclared])
	s.Equal(1, kinds[incident.EntryWarRoom])
	s.Equal(len(updateTimes), kinds[incident.EntryUpdate])
	s.Equal(wantReminders, kinds[incident.EntryReminder])
	s.Equal(wantEscalations, kinds[incident.EntryEscalation])
	s.Equal(1, kinds[incident.EntryResolved])
	s.Equal(end, result.ResolvedAt)
	state, err := json.Marshal(result)
	s.Require().NoError(err)
	s.Less(len(state), 2<<20, "the state a run hands the next fits Temporal's 2 MB payload limit")
	s.T().Logf("%d runs, at most %d events in one, %d timeline entries, state %d KB", runs, maxEvents, len(result.Timeline), len(state)>>10)
}
