package workflows_test

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// updatesOf returns the UpdateMessage requests made.
func (f *fakeSlack) updatesOf() []activities.UpdateRequest {
	var out []activities.UpdateRequest
	for _, c := range f.called("UpdateMessage") {
		out = append(out, c.Req.(activities.UpdateRequest))
	}
	return out
}

func (s *IncidentSuite) TestTheKickoffFollowsTheIncidentAndLosesItsButtonsOnResolution() {
	in := s.input()
	in.Declaration.Severity = incident.Major
	// Rewriting the kickoff takes a minute: the two changes made meanwhile
	// wait for it, then make one rewrite together.
	s.slack.updateDelay = func() time.Duration { return time.Minute }
	s.update(5*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Critical})
	s.update(5*time.Minute+20*time.Second, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0CAROL"})
	s.update(5*time.Minute+40*time.Second, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Commander, User: "U0BOB"})
	s.update(8*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Text: "Rolling back"})
	s.resolveAt(20 * time.Minute)
	inc := s.run(in)

	posted := s.slack.posts("kickoff")[0].Req.(activities.PostRequest)
	s.Contains(posted.Text, "MAJOR incident")
	s.Contains(posted.Text, "*Comms:* unassigned")
	s.Contains(posted.Text, "every 30m")

	updates := s.slack.updatesOf()
	s.Require().Len(updates, 3, "one rewrite for the severity, one for both roles, none for a status update or a reminder, one for the resolution")
	severity, roles := updates[0], updates[1]
	s.Equal(inc.Kickoff, severity.Message)
	s.Contains(severity.Text, "CRITICAL incident")
	s.Contains(severity.Text, "every 15m")
	s.Contains(severity.Text, "*Comms:* unassigned")
	s.Contains(roles.Text, "*Commander:* <@U0BOB> · *Comms:* <@U0CAROL>")
	s.Equal(posted.Buttons, roles.Buttons, "an open incident keeps its buttons")

	resolved := updates[2]
	s.Equal(inc.Kickoff, resolved.Message)
	s.Empty(resolved.Buttons, "a resolved incident's kickoff offers no form it would refuse")
	s.Contains(resolved.Text, "*Comms:* <@U0CAROL>")
	s.Contains(resolved.Text, "*Resolved* by <@U0BOB> at 10:20 UTC\nRolled back the deploy")
	s.NotContains(resolved.Text, "Post a status update")
	s.Contains(resolved.Text, "<http://127.0.0.1:8233/namespaces/default-test-namespace/workflows/retro-abc123|A retrospective> follows")
}

func (s *IncidentSuite) TestAKickoffThatCantBeRewrittenIsNotedAndTheIncidentGoesOn() {
	s.slack.updateErr = temporal.NewNonRetryableApplicationError(
		"Slack has no such message: was the kickoff deleted? (Slack chat.update: message_not_found)", activities.ErrSlackRejected, nil)
	s.update(time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0CAROL"})
	s.resolveAt(2 * time.Minute)
	inc := s.run(s.input())

	s.True(inc.IsResolved())
	s.Len(s.slack.called("UpdateMessage"), 2, "each change tries again")
	var notes []string
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryNote && strings.Contains(e.Text, "kickoff") {
			notes = append(notes, e.Text)
		}
	}
	s.Equal([]string{
		"could not update the kickoff message: Slack has no such message: was the kickoff deleted? (Slack chat.update: message_not_found)",
		"could not update the kickoff message: Slack has no such message: was the kickoff deleted? (Slack chat.update: message_not_found)",
	}, notes)
}

func (s *IncidentSuite) TestAnEscalationIsAnnouncedInTheAnnouncementsThread() {
	in := s.input()
	in.Declaration.Severity = incident.Major
	s.update(10*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Critical, Reason: "all regions"})
	s.update(20*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Major})
	s.resolveAt(30 * time.Minute)
	inc := s.run(in)

	var announced []activities.PostRequest
	for _, c := range s.slack.posts("severity") {
		if p := c.Req.(activities.PostRequest); p.Channel != "C0WARROOM" {
			announced = append(announced, p)
		}
	}
	s.Require().Len(announced, 1, "the escalation is announced, the step back down isn't")
	s.Equal(inc.Announcements[0], incident.MessageRef{Channel: announced[0].Channel, TS: announced[0].ThreadTS})
	s.Equal(":rotating_light: Escalated from MAJOR to CRITICAL incident: *Checkout &lt;!channel&gt; ∗down∗* (<#C0WARROOM>)\nall regions",
		announced[0].Text)
}

func (s *IncidentSuite) TestAMaintenanceWarRoomReadsAsPlannedWork() {
	in := s.input()
	in.Declaration.Kind = incident.KindMaintenance
	s.resolveAt(time.Minute)
	s.run(in)

	kickoff := s.slack.posts("kickoff")[0].Req.(activities.PostRequest).Text
	s.True(strings.HasPrefix(kickoff, ":construction: CRITICAL maintenance: "), kickoff)
	topic := s.slack.called("SetTopic")[0].Req.(activities.TopicRequest).Topic
	s.True(strings.HasPrefix(topic, "MAINTENANCE · CRITICAL · in progress · "), topic)
}
