package workflows_test

import (
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// spyOnInsights records the follow-through s's run keeps in its memo.
func (s *RetroSuite) spyOnInsights() *[]insights.Retrospective {
	var kept []insights.Retrospective
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		memo := args.Get(0).(map[string]any)
		r, ok := memo[wfapi.MemoInsights].(insights.Retrospective)
		s.Require().True(ok, "the memo upsert carries an insights.Retrospective: %v", memo)
		kept = append(kept, r)
	}).Return(nil).Maybe()
	return &kept
}

// The memo follows the retrospective: booked, postmortem written, done,
// its action item closed, each upsert a change.
func (s *RetroSuite) TestTheMemoKeepsTheFollowThroughCurrent() {
	kept := s.spyOnInsights()
	doneAt := tuesday4pm.Add(50 * time.Hour)
	s.fakes.closeAt = doneAt.Add(3 * 24 * time.Hour)
	s.update(doneAt, wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0CAROL"})
	in := retroInput()
	opened := retroResolvedAt.Add(-time.Hour)
	in.Incident.ActionItems[0].At = opened
	s.run(in)

	s.Require().NotEmpty(*kept)
	for i := 1; i < len(*kept); i++ {
		s.False((*kept)[i-1].Equal((*kept)[i]), "upsert %d repeats the one before", i)
	}
	s.Equal(insights.Retrospective{
		MeetingBooked: true, MeetingEnd: tuesday4pm.UTC(), Done: true, PostmortemWritten: true,
		ActionItems: []insights.ActionItem{{OpenedAt: opened.UTC(), Due: time.Date(2025, 3, 28, 0, 0, 0, 0, time.UTC), Closed: true}},
	}, (*kept)[len(*kept)-1])
	var sawOpen, sawNotDone bool
	for _, r := range *kept {
		sawNotDone = sawNotDone || (r.MeetingBooked && !r.Done)
		sawOpen = sawOpen || (r.Done && len(r.ActionItems) == 1 && !r.ActionItems[0].Closed)
	}
	s.True(sawNotDone, "booked before it was done: %+v", *kept)
	s.True(sawOpen, "done while its item was open: %+v", *kept)
}

// A retrospective begun before "insights-memo" keeps nothing in its memo.
func (s *RetroSuite) TestNoFollowThroughBeforeTheChange() {
	kept := s.spyOnInsights()
	s.env.OnGetVersion("insights-memo", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0CAROL"})
	s.fakes.closeAt = tuesday4pm.Add(48 * time.Hour)
	s.run(retroInput())
	s.Empty(*kept)
}
