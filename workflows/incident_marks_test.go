package workflows_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Messages of the war room the tests mark: Bob's, posted half a minute
// after the declaration, and Carol's, posted a minute after it.
const (
	bobsMessage   = "1772445630.000100"
	carolsMessage = "1772445660.000200"
)

// markOf is the front door's mark of action on message ts by by, via.
func markOf(action incident.MarkAction, ts, by string, via incident.MarkVia) wfapi.MarkMessageRequest {
	m := incident.MessageMark{Action: action, Channel: "C0WARROOM", TS: ts, By: by, Via: via}
	if action == incident.MarkAdd {
		m.Author, m.Text, m.PostedAt = "U0BOB", "the primary is out of disk", declaredAt.Add(30*time.Second)
		m.Permalink = "https://slack.example/archives/C0WARROOM/p" + ts
		if ts == carolsMessage {
			m.Author, m.Text, m.PostedAt = "U0CAROL", "failing over to the replica", declaredAt.Add(time.Minute)
		}
	}
	return wfapi.MarkMessageRequest{Mark: m}
}

// markResult is how a mark-message update ended.
type markResult struct {
	outcome
	result incident.MarkOutcome
}

// sendMark sends a mark-message update after delay; the result says how
// it ended once the workflow has run.
func (s *IncidentSuite) sendMark(env *testsuite.TestWorkflowEnvironment, delay time.Duration, req wfapi.MarkMessageRequest) *markResult {
	out := &markResult{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(wfapi.UpdateMarkMessage, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { out.outcome = outcome{rejected: true, err: err} },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				out.err = err
				if r, ok := res.(incident.MarkOutcome); ok {
					out.result = r
				}
			},
		}, req)
	}, delay)
	return out
}

// reacted lists the fake Slack's reaction calls as "add <ts>" or
// "remove <ts>".
func (s *IncidentSuite) reacted() []string {
	var out []string
	for _, c := range s.slack.called("React") {
		req := c.Req.(activities.ReactRequest)
		s.Equal(incident.MarkAckReaction, req.Name)
		s.Equal("C0WARROOM", req.Channel)
		verb := "add "
		if req.Remove {
			verb = "remove "
		}
		out = append(out, verb+req.TS)
	}
	return out
}

// markedEntries are the marked messages of a timeline.
func markedEntries(inc incident.Incident) []incident.TimelineEntry {
	var out []incident.TimelineEntry
	for _, e := range inc.Timeline {
		if e.Message != nil {
			out = append(out, e)
		}
	}
	return out
}

func (s *IncidentSuite) TestMarkedMessagesGoOnTheTimelineAndIntoTheRetrospective() {
	var retro wfapi.RetrospectiveInput
	s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in wfapi.RetrospectiveInput) error { retro = in; return nil })
	editCarol := markOf(incident.MarkEdit, carolsMessage, "", "")
	editCarol.Mark.Text = "failing over to replica 2"
	steps := []struct {
		req  wfapi.MarkMessageRequest
		want incident.MarkOutcome
	}{
		{markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaReaction), incident.MarkAdded},
		{markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaReaction), incident.MarkAlready},
		{markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaPin), incident.MarkAlready},
		{markOf(incident.MarkAdd, bobsMessage, "U0DAVE", incident.ViaShortcut), incident.MarkAlready},
		{markOf(incident.MarkAdd, carolsMessage, "U0ALICE", incident.ViaPin), incident.MarkAdded},
		{markOf(incident.MarkRemove, bobsMessage, "U0ALICE", incident.ViaReaction), incident.MarkKept},
		{markOf(incident.MarkRemove, bobsMessage, "U0ALICE", incident.ViaPin), incident.MarkKept},
		{editCarol, incident.MarkEdited},
		{markOf(incident.MarkRemove, bobsMessage, "U0DAVE", incident.ViaShortcut), incident.MarkRemoved},
		{markOf(incident.MarkAdd, bobsMessage, "U0DAVE", incident.ViaReaction), incident.MarkAdded},
		{markOf(incident.MarkDelete, bobsMessage, "", ""), incident.MarkDeleted},
	}
	results := make([]*markResult, len(steps))
	for i, st := range steps {
		results[i] = s.sendMark(s.env, time.Duration(i+2)*time.Minute, st.req)
	}
	s.update(14*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Identified, Text: "disk full"})
	s.resolveAt(20 * time.Minute)
	inc := s.run(s.input())

	for i, st := range steps {
		s.False(results[i].rejected, "step %d: %v", i, results[i].err)
		s.NoError(results[i].err, "step %d", i)
		s.Equal(st.want, results[i].result, "step %d", i)
	}
	s.Equal([]string{"add " + bobsMessage, "add " + carolsMessage, "remove " + bobsMessage, "add " + bobsMessage}, s.reacted(),
		"✅ once on a message marked, gone with its last mark; nothing for edits and deletions")

	entries := markedEntries(retro.Incident)
	s.Require().Len(entries, 2)
	bob, carol := entries[0], entries[1]
	s.Equal(declaredAt.Add(30*time.Second), bob.At, "the message's own time, not the mark's")
	s.Equal("U0BOB", bob.Actor)
	s.True(bob.Message.Deleted)
	s.Equal("the primary is out of disk", bob.Text)
	s.Equal("failing over to replica 2", carol.Text)
	s.True(carol.Message.Edited)
	s.Equal([]incident.Mark{{By: "U0ALICE", Via: incident.ViaPin}}, carol.Message.Marks)
	s.Equal(markedEntries(inc), entries)

	md := incident.RenderPostmortem(&retro.Incident, incident.PostmortemContext{People: map[string]incident.Person{
		"U0BOB": {ID: "U0BOB", Name: "Bob"}, "U0CAROL": {ID: "U0CAROL", Name: "Carol"}}})
	s.Contains(md, "- 10:00 UTC — Bob (marked): the primary is out of disk _(deleted in Slack)_ — [link](https://slack.example/archives/C0WARROOM/p"+bobsMessage+")\n"+
		"- 10:01 UTC — Carol (marked): failing over to replica 2 _(edited)_ — [link](https://slack.example/archives/C0WARROOM/p"+carolsMessage+")\n")
	s.Contains(md, "- 10:14 UTC — update (U0ALICE): identified: disk full")
}

func (s *IncidentSuite) TestMarksThatCantBeAppliedAreRefused() {
	outside := markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaReaction)
	outside.Mark.Channel = "C0GENERAL"
	refused := []struct {
		req  wfapi.MarkMessageRequest
		want string
	}{
		{outside, "only messages in the war room of incident abc123"},
		{markOf(incident.MarkRemove, bobsMessage, "U0ALICE", incident.ViaReaction), "this message isn't on the timeline of incident abc123"},
		{markOf(incident.MarkEdit, bobsMessage, "", ""), "this message isn't on the timeline"},
		{markOf(incident.MarkAdd, "not-a-ts", "U0ALICE", incident.ViaReaction), "is not a Slack message timestamp"},
	}
	results := make([]*markResult, len(refused))
	for i, r := range refused {
		results[i] = s.sendMark(s.env, time.Minute, r.req)
	}
	s.resolveAt(2 * time.Minute)
	late := s.sendMark(s.env, 2*time.Minute, markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaReaction))
	inc := s.run(s.input())

	for i, r := range refused {
		s.True(results[i].rejected, "%+v was accepted", r.req)
		s.ErrorContains(results[i].err, r.want)
	}
	s.True(late.rejected)
	s.ErrorContains(late.err, "incident abc123 is already resolved")
	s.Empty(markedEntries(inc))
	s.Empty(s.slack.called("React"))
}

// markedState is an open incident whose war room is open, with n of its
// messages marked.
func markedState(n int) *incident.Incident {
	inc := incident.New(testDeclaration())
	inc.ChannelID, inc.ChannelName = "C0WARROOM", "inc-20260302-1000-checkout-channel-down"
	inc.NextUpdateBy = declaredAt.Add(15 * time.Minute)
	for i := range n {
		m := markOf(incident.MarkAdd, fmt.Sprintf("1772445600.%06d", i), "U0ALICE", incident.ViaReaction).Mark
		if err := inc.CheckMark(m); err != nil {
			panic(err)
		}
		inc.ApplyMark(m)
	}
	return &inc
}

func (s *IncidentSuite) TestTheTimelineHoldsAtMostMaxMarkedMessages() {
	in := s.input()
	in.State = markedState(incident.MaxMarkedMessages)
	over := s.sendMark(s.env, time.Minute, markOf(incident.MarkAdd, bobsMessage, "U0ALICE", incident.ViaReaction))
	more := s.sendMark(s.env, time.Minute, markOf(incident.MarkAdd, "1772445600.000007", "U0DAVE", incident.ViaPin))
	s.resolveAt(2 * time.Minute)
	inc := s.run(in)

	s.True(over.rejected)
	s.ErrorContains(over.err, "the timeline already holds 200 marked messages, the most one incident keeps: unmark one to make room")
	s.NoError(more.err, "a message already marked takes more marks")
	s.Equal(incident.MarkAlready, more.result)
	s.Len(markedEntries(inc), incident.MaxMarkedMessages)
}

func (s *IncidentSuite) TestMarksCarryOverWhenTheWorkflowContinuesAsNew() {
	for i, ts := range []string{bobsMessage, carolsMessage} {
		s.sendMark(s.env, time.Duration(i+1)*time.Minute, markOf(incident.MarkAdd, ts, "U0ALICE", incident.ViaReaction))
	}
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(wfapi.DefaultHistoryLimit) }, 5*time.Minute)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, s.input())

	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &can), "%v", s.env.GetWorkflowError())
	var next wfapi.IncidentInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	entries := markedEntries(*next.State)
	s.Require().Len(entries, 2)
	s.Equal(bobsMessage, entries[0].Message.TS)
	s.Equal(carolsMessage, entries[1].Message.TS)
}
