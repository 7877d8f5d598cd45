package workflows_test

import (
	"errors"
	"fmt"
	"strings"
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

// payloadBound is the most bytes any payload of an incident workflow may
// take, whatever its responders send: well under Temporal's 2 MiB.
const payloadBound = 1600 << 10

// retroBound is the most bytes the state a retrospective carries to its
// next run may take: its input (an incident within payloadBound) and up to
// MaxRetroItems action items, which it holds a second time with their
// issues.
const retroBound = 1800 << 10

// worst is n characters that JSON escapes to six bytes each ("<" is
// written \u003c): the most bytes a payload can hold for what a bound of
// n characters lets in.
func worst(n int) string { return strings.Repeat("<", n) }

// payloadSize is the size of v as the data converter writes it.
func (s *IncidentSuite) payloadSize(v any) int {
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	s.Require().NoError(err)
	return len(p.GetData())
}

// worstDeclaration has every field at its bound, in characters JSON
// escapes. It comes from an alert, which may name a service the process
// doesn't list.
func worstDeclaration() incident.Declaration {
	name := worst(incident.MaxName)
	d := testDeclaration()
	d.ID, d.Title, d.Summary = strings.Repeat("a", incident.MaxName), worst(incident.MaxTitle), worst(incident.MaxText)
	d.Service, d.Commander, d.Declarer, d.DeclaredVia, d.OriginChannel, d.AlertGroup = name, name, name, name, name, name
	d.SourceMessage = worst(incident.MaxLink)
	d.AlertsText, d.AlertsMarkdown = worst(incident.MaxAlertsText), worst(incident.MaxAlertsText)
	d.Source = incident.SourceAlert
	return d
}

// sendTo sends an update to env after delay and stores how it ended in
// out (which may be nil when the update must succeed).
func (s *IncidentSuite) sendTo(env *testsuite.TestWorkflowEnvironment, delay time.Duration, name string, arg any, out *outcome) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				if out == nil {
					s.Fail("update rejected", "%s: %v", name, err)
					return
				}
				*out = outcome{rejected: true, err: err}
			},
			OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				if out == nil {
					s.NoError(err, name)
					return
				}
				out.err = err
			},
		}, arg)
	}, delay)
}

// queryAt asks env for the incident after delay and adds the answer's
// size to sizes.
func (s *IncidentSuite) queryAt(env *testsuite.TestWorkflowEnvironment, delay time.Duration, sizes *[]int) {
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(wfapi.QueryIncident)
		s.Require().NoError(err)
		var inc incident.Incident
		s.Require().NoError(v.Get(&inc))
		*sizes = append(*sizes, s.payloadSize(inc))
	}, delay)
}

// postUpdates sends n status updates at the bounds to env, one a minute
// from delay on, and returns when the last is sent.
func (s *IncidentSuite) postUpdates(env *testsuite.TestWorkflowEnvironment, delay time.Duration, n int) time.Duration {
	for i := range n {
		delay += time.Minute
		s.sendTo(env, delay, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{
			Author: worst(incident.MaxName), Status: incident.UpdateStatuses[i%len(incident.UpdateStatuses)], Text: worst(incident.MaxText),
		}, nil)
	}
	return delay
}

// activityInputSizes are the sizes of the inputs of every Slack call f
// recorded.
func (s *IncidentSuite) activityInputSizes(f *fakeSlack) []int {
	f.mu.Lock()
	calls := append([]slackCall(nil), f.calls...)
	f.mu.Unlock()
	sizes := make([]int, len(calls))
	for i, c := range calls {
		sizes[i] = s.payloadSize(c.Req)
	}
	return sizes
}

// TestEveryPayloadStaysBoundedAtTheWorstCase drives an incident with the
// largest field allowed in every slot — the declaration, 240 status
// updates, the most severity changes and action items, roles, marked
// messages up to MaxMarkedBytes, the resolution — through a continue-as-new
// and resolution to the retrospective's start, each run taking far more
// than Temporal's 2 MiB, and holds every payload under payloadBound: each
// activity's input, each query's answer, the state carried to the next
// run, the retrospective's input and the workflow's result.
func (s *IncidentSuite) TestEveryPayloadStaysBoundedAtTheWorstCase() {
	name, text := worst(incident.MaxName), worst(incident.MaxText)
	const updatesPerRun = 120
	var queries []int

	// The first run: everything but the resolution.
	env1, slack1 := s.env, s.slack
	in := s.input()
	in.Declaration = worstDeclaration()
	at := time.Duration(0)
	for i := range incident.MaxSeverityChanges {
		at += time.Minute
		to := incident.Major
		if i%2 == 1 {
			to = incident.Critical
		}
		s.sendTo(env1, at, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: name, Severity: to, Reason: text}, nil)
	}
	var severityOver, itemOver outcome
	s.sendTo(env1, at+time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: name, Severity: incident.Major, Reason: text}, &severityOver)
	for range incident.MaxActionItems {
		at += time.Minute
		s.sendTo(env1, at, wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: name, Text: text, Owner: name, Due: "2026-04-01"}, nil)
	}
	s.sendTo(env1, at+time.Minute, wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: name, Text: text}, &itemOver)
	at += 2 * time.Minute
	s.sendTo(env1, at, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: name, Role: incident.Comms, User: name}, nil)
	s.sendTo(env1, at, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: name, Role: incident.Commander, User: name}, nil)
	marks := s.markToTheBound(env1, at+time.Minute)
	at = s.postUpdates(env1, at+time.Minute, updatesPerRun)
	s.queryAt(env1, at+time.Minute, &queries)
	env1.RegisterDelayedCallback(func() { env1.SetCurrentHistoryLength(wfapi.DefaultHistoryLimit) }, at+time.Minute)
	env1.ExecuteWorkflow(workflows.IncidentWorkflow, in)

	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(env1.GetWorkflowError(), &can), "%v", env1.GetWorkflowError())
	carried := 0
	for _, p := range can.Input.GetPayloads() {
		carried += len(p.GetData())
	}
	var next wfapi.IncidentInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	s.True(severityOver.rejected)
	s.EqualError(severityOver.err, "incident "+in.Declaration.ID+" has changed severity 10 times, the most incidentflow records — keep it at critical and say what changed in a status update")
	s.True(itemOver.rejected)
	s.EqualError(itemOver.err, "incident "+in.Declaration.ID+" already has 10 action items, the most incidentflow records while an incident is open — combine some, or add more in the retrospective once it is resolved")
	s.Positive(marks.accepted)
	s.Positive(marks.refused, "marks went up to MaxMarkedBytes")

	// The second run: as many updates again, then the resolution.
	env2 := s.NewTestWorkflowEnvironment()
	env2.SetStartTime(env1.Now())
	slack2 := newFakeSlack(env2)
	newFakeProcess(env2, testProcess())
	var retro wfapi.RetrospectiveInput
	env2.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in wfapi.RetrospectiveInput) error { retro = in; return nil })
	env2.OnSignalExternalWorkflow(mock.Anything, wfapi.AlertGroupWorkflowID(name), "", wfapi.SignalAlertIncidentResolved, mock.Anything).Return(nil)
	at = s.postUpdates(env2, 0, updatesPerRun)
	s.queryAt(env2, at+time.Minute, &queries)
	s.sendTo(env2, at+2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: name, Summary: text}, nil)
	env2.ExecuteWorkflow(workflows.IncidentWorkflow, next)
	s.Require().True(env2.IsWorkflowCompleted())
	s.Require().NoError(env2.GetWorkflowError())
	var result incident.Incident
	s.Require().NoError(env2.GetWorkflowResult(&result))

	// Each run took far more than a payload may hold: compaction is what
	// bounds them.
	s.Greater(updatesPerRun*s.payloadSize(text), 2<<20)
	s.Positive(retro.Incident.OmittedUpdates)
	s.Positive(result.OmittedUpdates)

	sizes := map[string]int{"the state carried to the next run": carried,
		"the retrospective's input": s.payloadSize(retro), "the workflow's result": s.payloadSize(result)}
	for i, n := range queries {
		sizes[fmt.Sprintf("query %d", i+1)] = n
	}
	for i, n := range append(s.activityInputSizes(slack1), s.activityInputSizes(slack2)...) {
		sizes[fmt.Sprintf("activity input %d", i+1)] = n
	}
	largest := 0
	for what, n := range sizes {
		s.Less(n, payloadBound, "%s takes %d KiB", what, n>>10)
		largest = max(largest, n)
	}
	s.Len(queries, 2)

	// The retrospective still gets what the postmortem needs.
	r := retro.Incident
	s.Equal(incident.Resolved, r.Status)
	s.Equal(text, r.Resolution)
	s.Len(r.ActionItems, incident.MaxActionItems)
	s.Len(r.SeverityHistory, incident.MaxSeverityChanges)
	s.Equal(2*updatesPerRun, len(r.Updates)+r.OmittedUpdates)
	s.Equal(in.Declaration.Title, r.Declaration.Title)
	s.Equal(name, r.Comms)

	// The retrospective carries its input from one run to the next with
	// the items it follows: at its most items, each at the bounds, and a
	// person for every participant, that stays under retroBound.
	st := incident.RetroState{IncidentID: r.Declaration.ID, People: map[string]incident.Person{}}
	for range incident.MaxRetroItems {
		st.Items = append(st.Items, incident.RetroActionItem{ActionItem: incident.ActionItem{Key: name, Text: text, Owner: name, Due: "2026-04-01", Author: name},
			Issue: incident.RetroIssue{Number: 99999, URL: "https://github.com/" + name, State: "open"}, Assignee: name})
	}
	for _, p := range r.Participants() {
		st.People[p] = incident.Person{ID: p, Name: name, Email: name}
	}
	retroState := s.payloadSize(wfapi.RetrospectiveInput{Incident: r, State: &st})
	s.Less(retroState, retroBound)
	s.T().Logf("the largest payload: %d KiB (state carried %d KiB, retrospective's input %d KiB, result %d KiB, queries %v KiB); the retrospective's state at its most items %d KiB",
		largest>>10, carried>>10, s.payloadSize(retro)>>10, s.payloadSize(result)>>10, kib(queries), retroState>>10)
}

// markTally counts the marks a test sent that were accepted and refused.
type markTally struct{ accepted, refused int }

// markToTheBound sends env, at delay, marks on war-room messages, each
// with the longest text, files and marks a mark keeps, all of it escaping
// to six bytes a character, beyond what MaxMarkedBytes lets in; the tally
// says, once the workflow has run, how many were accepted and refused.
func (s *IncidentSuite) markToTheBound(env *testsuite.TestWorkflowEnvironment, delay time.Duration) *markTally {
	tally := &markTally{}
	name := worst(incident.MaxName)
	m := incident.MessageMark{Action: incident.MarkAdd, Channel: "C0WARROOM", Author: name, Text: worst(incident.MaxMarkedText),
		PostedAt: declaredAt, Permalink: "https://slack.example/" + worst(incident.MaxLink)}
	for range incident.MaxMarkFiles {
		m.Files = append(m.Files, incident.FileLink{Name: name, URL: "https://files.slack.example/" + worst(incident.MaxLink)})
	}
	for n := range 5 {
		m.TS = fmt.Sprintf("1772460120.%06d", n)
		for i := range incident.MaxMarksPerMessage {
			m.By, m.Via = fmt.Sprint(i)+worst(incident.MaxName-3), incident.ViaReaction
			req := wfapi.MarkMessageRequest{Mark: m}
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(wfapi.UpdateMarkMessage, "", &testsuite.TestUpdateCallback{
					OnReject:   func(error) { tally.refused++ },
					OnAccept:   func() { tally.accepted++ },
					OnComplete: func(_ any, err error) { s.NoError(err) },
				}, req)
			}, delay+time.Duration(n*incident.MaxMarksPerMessage+i)*time.Second)
		}
	}
	return tally
}

// TestOverLongFieldsAreRefusedAndChangeNothing: each update with a field
// past its bound is refused with a sentence saying what to do, and leaves
// no trace.
func (s *IncidentSuite) TestOverLongFieldsAreRefusedAndChangeNothing() {
	over, long := worst(incident.MaxText+1), worst(incident.MaxName+1)
	tooLong := func(what string) string {
		return what + " is 101 characters; incidentflow keeps at most 100 — shorten it"
	}
	wordy := func(what string) string {
		return what + " is 3,001 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"
	}
	cases := []struct {
		name string
		arg  any
		want string
	}{
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Text: worst(120000)},
			"the status update is 120,000 characters; incidentflow keeps at most 3,000 — shorten it or link to a document"},
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: long, Text: "ok"}, tooLong("the author")},
		{wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Major, Reason: over}, wordy("the reason")},
		{wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: long, Severity: incident.Major}, tooLong("who changes the severity")},
		{wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0BOB", Role: incident.Comms, User: long}, tooLong("the user")},
		{wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: long, Role: incident.Comms, User: "U0CAROL"}, tooLong("who assigns the role")},
		{wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: "U0BOB", Text: over}, wordy("the action item")},
		{wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: "U0BOB", Text: "canary", Owner: long}, tooLong("the owner")},
		{wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: long, Text: "canary"}, tooLong("who adds the action item")},
		{wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: over}, wordy("the resolution summary")},
		{wfapi.UpdateResolve, wfapi.ResolveRequest{By: long, Summary: "fixed"}, tooLong("who resolves it")},
	}
	outcomes := make([]outcome, len(cases))
	for i, c := range cases {
		s.send(time.Minute, c.name, c.arg, &outcomes[i])
	}
	s.resolveAt(2 * time.Minute)
	inc := s.run(s.input())

	for i, c := range cases {
		s.True(outcomes[i].rejected, "%s was accepted", c.name)
		s.EqualError(outcomes[i].err, c.want)
	}
	s.Empty(inc.Updates)
	s.Empty(inc.SeverityHistory)
	s.Empty(inc.ActionItems)
	s.Empty(inc.Comms)
	s.Equal("U0ALICE", inc.Commander)
	s.Equal("Rolled back the deploy", inc.Resolution)
	s.Empty(s.slack.posts("update"))
	s.Empty(s.slack.posts("severity"))
	s.Empty(s.slack.posts("role"))
	s.Empty(s.slack.posts("action"))
}

func (s *IncidentSuite) TestADeclarationPastItsBoundsIsRefusedBeforeAnythingIsPosted() {
	in := s.input()
	in.Declaration.Title = worst(incident.MaxTitle + 1)
	var ready outcome
	s.send(0, wfapi.UpdateWarRoomReady, nil, &ready)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)

	const sentence = "the title is 151 characters; incidentflow keeps at most 150 — shorten it and put the details in the summary"
	s.ErrorContains(s.env.GetWorkflowError(), sentence)
	s.False(ready.rejected)
	s.ErrorContains(ready.err, "incident abc123 was not declared: "+sentence)
	s.Empty(s.slack.calls, "no Slack call for a refused declaration")
}

// TestAnIncidentAlreadyTooBigStillResolves: a run holding what incidentflow
// let in before the bounds — twenty status updates of 120 KB each, as a
// history recorded then replays them (validators don't run on replay),
// here handed to the run directly — still answers its query, resolves and
// starts its retrospective, each payload within its bound.
func (s *IncidentSuite) TestAnIncidentAlreadyTooBigStillResolves() {
	in := s.input()
	st := incident.New(in.Declaration)
	st.ChannelID, st.ChannelName = "C0WARROOM", "inc-20260302-1000-checkout-channel-down"
	st.Kickoff = incident.MessageRef{Channel: "C0WARROOM", TS: "1700000000.000001"}
	st.AcknowledgedAt, st.NextUpdateBy = declaredAt, declaredAt.Add(15*time.Minute)
	st.Record(declaredAt, "", incident.EntryWarRoom, "war room #"+st.ChannelName+" opened")
	huge := worst(20000) // 120 KB as JSON
	for i := range 20 {
		u := incident.StatusUpdate{At: declaredAt.Add(time.Duration(i) * time.Second), Author: "U0BOB", Status: incident.Identified, Text: huge}
		st.Updates = append(st.Updates, u)
		st.Record(u.At, u.Author, incident.EntryUpdate, huge)
	}
	in.State = &st
	var retro wfapi.RetrospectiveInput
	s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in wfapi.RetrospectiveInput) error { retro = in; return nil })
	var queries []int
	s.queryAt(s.env, time.Minute, &queries)
	s.resolveAt(2 * time.Minute)
	inc := s.run(in)

	s.Greater(s.payloadSize(st), 2<<20, "the state the run holds")
	s.Equal(incident.Resolved, retro.Incident.Status)
	for what, n := range map[string]int{"the query's answer": queries[0], "the retrospective's input": s.payloadSize(retro), "the result": s.payloadSize(inc)} {
		s.Less(n, payloadBound, "%s takes %d KiB", what, n>>10)
	}
	s.Equal(20, len(retro.Incident.Updates)+retro.Incident.OmittedUpdates, "the dropped updates are counted")
	s.Equal(huge, retro.Incident.Updates[0].Text, "the first update of its status is kept for the postmortem")
	var resolvedIn []string
	for _, c := range s.slack.posts("resolved") {
		resolvedIn = append(resolvedIn, c.Req.(activities.PostRequest).Channel)
	}
	s.Contains(resolvedIn, "C0WARROOM", "the war room hears of the resolution")
}

// TestARetrospectiveFollowsABoundedNumberOfItems: a retrospective takes
// action items up to MaxRetroItems, those of the incident included (a
// repeated submission still adds nothing and isn't refused), and refuses
// more, and a text past MaxText, with a sentence.
func (s *RetroSuite) TestARetrospectiveFollowsABoundedNumberOfItems() {
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	in := retroInput() // one action item recorded during the incident
	var items []incident.ActionItem
	for i := range incident.MaxRetroItems - 1 {
		items = append(items, incident.ActionItem{Key: fmt.Sprint("view1-", i), Text: worst(incident.MaxText), Owner: "U0DAVE"})
	}
	add := wfapi.AddRetroActionItemsRequest{By: "U0CAROL", Items: items}
	s.update(retroResolvedAt.Add(time.Hour), wfapi.UpdateAddRetroActionItems, add)
	s.update(retroResolvedAt.Add(2*time.Hour), wfapi.UpdateAddRetroActionItems, add)
	refusals := map[string]wfapi.AddRetroActionItemsRequest{
		"the retrospective of incident abc123 follows at most 20 action items and has 20: add at most 0 more, or combine some": {
			By: "U0CAROL", Items: []incident.ActionItem{{Text: "one more"}}},
		"action item 1 is 3,001 characters; incidentflow keeps at most 3,000 — shorten it or link to a document": {
			By: "U0CAROL", Items: []incident.ActionItem{{Text: worst(incident.MaxText + 1)}}},
		"action item 1's key is 101 characters; incidentflow keeps at most 100 — shorten it": {
			By: "U0CAROL", Items: []incident.ActionItem{{Key: worst(incident.MaxName + 1), Text: "x"}}},
	}
	refused := map[string]error{}
	for want, req := range refusals {
		s.at(retroResolvedAt.Add(3*time.Hour), func() {
			s.env.UpdateWorkflow(wfapi.UpdateAddRetroActionItems, "", &testsuite.TestUpdateCallback{
				OnReject:   func(err error) { refused[want] = err },
				OnAccept:   func() { s.Fail("accepted", want) },
				OnComplete: func(any, error) {},
			}, req)
		})
	}
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)

	s.Len(s.fakes.called("OpenActionItem"), incident.MaxRetroItems)
	for want := range refusals {
		s.EqualError(refused[want], want)
	}
}
