package workflows_test

import (
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// insightsSpy records what a run keeps in its memo and its Datetime search
// attributes, at the test clock's time.
type insightsSpy struct {
	records    []insights.Record
	declaredAt []time.Time
	resolvedAt []time.Time
}

// spyOnInsights mocks the memo and search-attribute upserts of s's run.
func (s *IncidentSuite) spyOnInsights() *insightsSpy {
	spy := &insightsSpy{}
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		memo := args.Get(0).(map[string]any)
		rec, ok := memo[wfapi.MemoInsights].(insights.Record)
		s.Require().True(ok, "the memo upsert carries an insights.Record: %v", memo)
		spy.records = append(spy.records, rec)
	}).Return(nil).Maybe()
	s.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		if t, ok := sa.GetTime(wfapi.SearchDeclaredAt); ok {
			spy.declaredAt = append(spy.declaredAt, t)
		}
		if t, ok := sa.GetTime(wfapi.SearchResolvedAt); ok {
			spy.resolvedAt = append(spy.resolvedAt, t)
		}
	}).Return(nil).Maybe()
	return spy
}

// The memo follows the incident milestone by milestone: roles, a late and
// two timely updates, mitigation, resolution, each upsert a change.
func (s *IncidentSuite) TestTheMemoKeepsTheInsightsCurrent() {
	spy := s.spyOnInsights()
	in := s.input()
	in.Declaration.Declarer, in.Declaration.DeclaredVia, in.Declaration.Source = "", "the CLI on host ci", incident.SourceCLI
	s.update(7*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0BOB", Role: incident.Commander, User: "U0DAN"})
	s.update(9*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0BOB", Role: incident.Comms, User: "U0CAROL"})
	// The reminder at 15 minutes ends the first interval late.
	s.update(20*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0DAN", Status: incident.Identified, Text: "Bad deploy"})
	s.update(25*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0DAN", Status: incident.Monitoring, Text: "Rolled back"})
	s.resolveAt(38 * time.Minute)
	s.run(in)

	s.Require().NotEmpty(spy.records)
	for i := 1; i < len(spy.records); i++ {
		s.NotEqual(spy.records[i-1], spy.records[i], "upsert %d repeats the one before", i)
	}
	got := spy.records[len(spy.records)-1]
	at := func(m time.Duration) time.Time { return declaredAt.Add(m) }
	s.Equal(insights.Record{
		ID: "abc123", WorkflowID: "default-test-workflow-id", Title: "Checkout <!channel> *down*",
		Severity: "critical", Service: "checkout", Source: "cli", Kind: "incident", Commander: "U0DAN",
		ChannelID: "C0WARROOM", Channel: "inc-20260302-1000-checkout-channel-down",
		DeclaredAt: declaredAt, AcknowledgedAt: at(7 * time.Minute), MitigatedAt: at(25 * time.Minute),
		ResolvedAt: at(38 * time.Minute), CommanderAt: at(7 * time.Minute), CommsAt: at(9 * time.Minute),
		UpdateIntervals: 3, UpdatesOnTime: 2, Updates: 2, Reminders: 1,
	}, got)
	s.Equal([]time.Time{declaredAt}, spy.declaredAt, "set once, by a run that started without it")
	s.Equal([]time.Time{at(38 * time.Minute)}, spy.resolvedAt)
	s.Less(len(spy.records), 12, "one upsert a change, not one a publish")
}

// A run started with IncidentDeclaredAt (as the starter declares) doesn't
// set it again.
func (s *IncidentSuite) TestTheDeclarationTimeIsSetOnce() {
	spy := s.spyOnInsights()
	in := s.input()
	s.Require().NoError(s.env.SetTypedSearchAttributesOnStart(wfapi.StartSearchAttributes(in.Declaration)))
	s.resolveAt(time.Minute)
	s.run(in)

	s.Empty(spy.declaredAt)
	s.Require().NotEmpty(spy.records)
	first := spy.records[0]
	s.Equal(declaredAt, first.CommanderAt, "the declarer leads from the declaration")
	s.Equal(declaredAt, first.AcknowledgedAt)
	s.Equal(declaredAt.Add(time.Minute), spy.records[len(spy.records)-1].ResolvedAt)
}

// A run begun before "insights-memo" keeps no insights; replay_test.go
// replays several.
func (s *IncidentSuite) TestNoInsightsBeforeTheChange() {
	spy := s.spyOnInsights()
	s.env.OnGetVersion("insights-memo", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Status: incident.Mitigated, Text: "Rolled back"})
	s.resolveAt(10 * time.Minute)
	s.run(s.input())

	s.Empty(spy.records)
	s.Empty(spy.declaredAt)
	s.Empty(spy.resolvedAt)
}
