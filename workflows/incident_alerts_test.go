package workflows_test

import (
	"errors"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// alertGroupID is the alert group that declared the incidents of these
// tests.
const alertGroupID = "grp12345"

// alertInput is the test incident as an alert group declares it, at sev.
func (s *IncidentSuite) alertInput(sev incident.Severity) wfapi.IncidentInput {
	in := s.input()
	in.Declaration.Source, in.Declaration.AlertGroup, in.Declaration.Severity = incident.SourceAlert, alertGroupID, sev
	in.Declaration.Declarer = ""
	return in
}

// expectGroupTold expects the incident's resolution to be signalled once to
// its alert group's workflow, answering with err, and returns what was
// signalled.
func (s *IncidentSuite) expectGroupTold(err error) func() []wfapi.AlertIncidentResolved {
	var mu sync.Mutex
	var told []wfapi.AlertIncidentResolved
	s.env.OnSignalExternalWorkflow(mock.Anything, wfapi.AlertGroupWorkflowID(alertGroupID), "", wfapi.SignalAlertIncidentResolved, mock.Anything).
		Return(func(_, _, _, _ string, arg any) error {
			mu.Lock()
			defer mu.Unlock()
			told = append(told, arg.(wfapi.AlertIncidentResolved))
			return err
		}).Once()
	return func() []wfapi.AlertIncidentResolved {
		mu.Lock()
		defer mu.Unlock()
		return told
	}
}

// alertEntries returns the incident's timeline entries of kind alert.
func alertEntries(inc incident.Incident) []incident.TimelineEntry {
	var out []incident.TimelineEntry
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryAlert {
			out = append(out, e)
		}
	}
	return out
}

func (s *IncidentSuite) TestRecordAlertRecordsEachChangeOnceAndOffersResolveWhenAllResolved() {
	told := s.expectGroupTold(nil)
	joined := wfapi.RecordAlertRequest{Key: alertGroupID + "-2", Timeline: "alertmanager: 1 newly firing (CheckoutPayments); 3 still firing",
		Post: "1 alert newly firing:\n• CheckoutPayments (instance=d)"}
	s.update(time.Minute, wfapi.UpdateRecordAlert, joined)
	s.update(2*time.Minute, wfapi.UpdateRecordAlert, joined) // the activity retried
	s.update(3*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: alertGroupID + "-3",
		Timeline: "alertmanager: 4 resolved (CheckoutErrors, …); all resolved",
		Post:     ":white_check_mark: All 4 alerts resolved at 10:02 UTC — resolve the incident?", AllResolved: true, AutoResolve: true})
	s.update(4*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: alertGroupID + "-4", Timeline: "alertmanager: 1 newly firing (CheckoutErrors)"})
	var badKey, tooLong, late outcome
	s.send(5*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: "no spaces", Timeline: "x"}, &badKey)
	s.send(5*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: "k", Post: string(make([]byte, 4001))}, &tooLong)
	s.resolveAt(10 * time.Minute)
	s.send(10*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: alertGroupID + "-5", Timeline: "late"}, &late)
	inc := s.run(s.alertInput(incident.Critical))

	entries := alertEntries(inc)
	s.Require().Len(entries, 3, "the retried change is recorded once: %+v", entries)
	s.Equal(joined.Timeline, entries[0].Text)
	s.Equal(declaredAt.Add(time.Minute), entries[0].At)
	s.Empty(entries[0].Actor)
	s.Equal("alertmanager: 4 resolved (CheckoutErrors, …); all resolved", entries[1].Text)
	s.Equal("alertmanager: 1 newly firing (CheckoutErrors)", entries[2].Text)

	posts := s.slack.posts("alert-")
	s.Require().Len(posts, 2, "a timeline-only change posts nothing")
	first := req(posts[0])
	s.Equal("alert-"+alertGroupID+"-2", first.Key)
	s.Equal("C0WARROOM", first.Channel)
	s.Equal("abc123", first.IncidentID)
	s.Equal(joined.Post, first.Text)
	s.Empty(first.Buttons)
	all := req(posts[1])
	s.Equal("alert-"+alertGroupID+"-3", all.Key)
	s.Equal([]activities.Button{{ActionID: wfapi.ActionResolve, Text: "Resolve", Value: "abc123", Style: "primary"}}, all.Buttons)

	s.True(badKey.rejected)
	s.ErrorContains(badKey.err, "a key of letters, digits and dashes")
	s.True(tooLong.rejected)
	s.ErrorContains(tooLong.err, "limited to 4000 bytes")
	s.True(late.rejected, "a resolved incident takes no alert change")
	s.ErrorContains(late.err, "incident abc123 is already resolved")

	s.Equal(incident.Resolved, inc.Status)
	s.Equal("U0BOB", inc.ResolvedBy, "a critical incident does not resolve itself (auto_resolve is for minor ones)")
	s.Equal([]wfapi.AlertIncidentResolved{{IncidentID: "abc123", ChannelID: "C0WARROOM", ResolvedAt: declaredAt.Add(10 * time.Minute)}}, told(),
		"the group that declared it is told, once")
}

func (s *IncidentSuite) TestAutoResolveResolvesAMinorIncidentWhenItsAlertsAllResolve() {
	told := s.expectGroupTold(nil)
	s.update(5*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: alertGroupID + "-2",
		Timeline: "alertmanager: 1 resolved (CheckoutErrors); all resolved", Post: ":white_check_mark: The alert resolved — resolve the incident?",
		AllResolved: true, AutoResolve: true})
	inc := s.run(s.alertInput(incident.Minor)) // nobody resolves it

	s.Equal(incident.Resolved, inc.Status)
	s.Equal(declaredAt.Add(5*time.Minute), inc.ResolvedAt)
	s.Empty(inc.ResolvedBy)
	s.Contains(inc.Resolution, "auto_resolve")
	s.Len(s.slack.posts("resolved"), 2, "announced as any resolution: the war room and the announce channel")
	s.Len(alertEntries(inc), 1)
	s.Require().Len(told(), 1)
	s.Equal(declaredAt.Add(5*time.Minute), told()[0].ResolvedAt)
}

func (s *IncidentSuite) TestWithoutAutoResolveAMinorIncidentWaitsForAPersonAndAnEndedGroupIsNoError() {
	told := s.expectGroupTold(errors.New("unknown external workflow execution"))
	s.update(5*time.Minute, wfapi.UpdateRecordAlert, wfapi.RecordAlertRequest{Key: alertGroupID + "-2",
		Timeline: "alertmanager: all resolved", Post: "All resolved", AllResolved: true})
	s.resolveAt(20 * time.Minute)
	inc := s.run(s.alertInput(incident.Minor))

	s.Equal("U0BOB", inc.ResolvedBy)
	s.Equal(declaredAt.Add(20*time.Minute), inc.ResolvedAt)
	s.Len(told(), 1)
	s.Len(s.slack.posts("alert-"), 1)
	s.Len(s.slack.posts("alert-")[0].Req.(activities.PostRequest).Buttons, 1, "the Resolve button")
}
