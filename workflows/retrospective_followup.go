package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// maxRetroWarnings bounds the warnings kept in the state.
const maxRetroWarnings = 50

// advance takes one step of the follow-through: it waits for the next thing
// due in the current phase and does it.
func (r *retrospectiveWorkflow) advance() {
	if r.doneNews() {
		r.post("Acknowledge the retrospective marked done", stepDoneAck, incident.RetroDoneAckText(r.st, r.cfg.DigestEvery))
		r.st.Steps[stepDoneAck] = true
	}
	switch r.st.Phase {
	case incident.RetroScheduled:
		r.awaitMeeting()
	case incident.RetroAwaitingDone:
		r.awaitDone()
	case incident.RetroFollowingUp:
		r.followUp()
	default:
		r.setPhase(incident.RetroFinished)
	}
}

// awaitMeeting reminds the war room RemindBefore the meeting, then waits
// for its end.
func (r *retrospectiveWorkflow) awaitMeeting() {
	if r.st.Done {
		r.setPhase(incident.RetroFollowingUp)
		return
	}
	m := r.st.Meeting
	if r.cfg.RemindBefore > 0 && !r.st.Steps[stepReminded] && r.now().Before(m.Start) {
		if r.sleepUntil(deadline{m.Start.Add(-r.cfg.RemindBefore), "remind the war room of the review meeting"}) {
			r.post("Remind the war room of the review meeting", stepReminded, incident.RetroReminderText(r.st, r.loc, r.humans()))
			r.st.Steps[stepReminded] = true
		}
		return
	}
	if r.sleepUntil(deadline{m.End, "the review meeting ends"}) {
		r.setPhase(incident.RetroAwaitingDone)
	}
}

// awaitDone asks for the retrospective to be marked done, and again every
// DoneRemindEvery until it is (or the follow-up period ends).
func (r *retrospectiveWorkflow) awaitDone() {
	if r.st.Done || !r.now().Before(r.st.FollowUpUntil) {
		r.setPhase(incident.RetroFollowingUp)
		return
	}
	id := r.st.IncidentID
	if !r.st.Steps[stepDonePrompt] {
		r.post("Ask to mark the retrospective done", stepDonePrompt, incident.RetroDonePromptText(r.inc.Commander), doneButton(id), addItemsButton(id))
		r.st.Steps[stepDonePrompt] = true
		r.st.NextDoneRemind = r.now().Add(r.cfg.DoneRemindEvery)
		return
	}
	if r.sleepUntil(soonest(deadline{r.st.NextDoneRemind, "ask again to mark the retrospective done"}, r.followUpEnds())) && r.now().Before(r.st.FollowUpUntil) {
		r.post("Ask again to mark the retrospective done", r.numbered("done-reminder"), incident.RetroDoneReminderText(r.inc.Commander), doneButton(id))
		r.st.NextDoneRemind = r.now().Add(r.cfg.DoneRemindEvery)
	}
}

// followUp checks the issues every CheckEvery and lists the open ones every
// DigestEvery, until all are closed or FollowUpFor has passed. With no
// issue to follow (no action items, or a security incident kept off
// GitHub) it ends at once.
func (r *retrospectiveWorkflow) followUp() {
	r.once(stepFollowUp, func() { r.st.NextCheck, r.st.NextDigest = r.now(), r.now() })
	if len(r.st.Items) == 0 && len(r.st.Pending) == 0 || r.st.OffGitHub {
		r.post("Say there are no action items to follow", "nothing-to-follow", incident.RetroNothingToFollowText(r.st, r.cfg.ArchiveChannel))
		r.setPhase(incident.RetroFinished)
		return
	}
	if !r.now().Before(r.st.NextCheck) {
		r.checkIssues()
		r.st.NextCheck = r.now().Add(r.cfg.CheckEvery)
	}
	if r.allClosed() {
		r.post("Say every action item is closed", "all-closed", incident.RetroAllClosedText(r.cfg.ArchiveChannel))
		r.setPhase(incident.RetroFinished)
		return
	}
	if !r.now().Before(r.st.FollowUpUntil) {
		r.post("Say the follow-up period ended", "follow-up-ended", incident.RetroEndedText(r.st, r.cfg.ArchiveChannel))
		r.setPhase(incident.RetroFinished)
		return
	}
	if !r.now().Before(r.st.NextDigest) {
		if len(r.st.OpenItems()) > 0 {
			r.post("List the open action items", r.numbered("digest"), incident.RetroDigestText(r.st), addItemsButton(r.st.IncidentID))
		}
		r.st.NextDigest = r.now().Add(r.cfg.DigestEvery)
	}
	r.sleepUntil(soonest(deadline{r.st.NextCheck, "check the action-item issues"},
		deadline{r.st.NextDigest, "list the open action items"}, r.followUpEnds()))
}

// followUpEnds is the end of the follow-up period, when the retrospective
// stops following the action items.
func (r *retrospectiveWorkflow) followUpEnds() deadline {
	return deadline{r.st.FollowUpUntil, "the follow-up of the action items ends"}
}

// allClosed reports whether every action item has an issue and none is
// open.
func (r *retrospectiveWorkflow) allClosed() bool {
	if len(r.st.Pending) > 0 {
		return false
	}
	for _, it := range r.st.Items {
		if it.Issue.Number == 0 || it.Issue.Open() {
			return false
		}
	}
	return true
}

// checkIssues retries the items whose issue couldn't be opened and reads the
// state of every issue (a closed one may be reopened).
func (r *retrospectiveWorkflow) checkIssues() {
	if missing := r.itemsWithoutIssue(); len(missing) > 0 {
		r.openIssues(missing, false)
	}
	var numbers []int
	for _, it := range r.st.Items {
		if it.Issue.Number > 0 {
			numbers = append(numbers, it.Issue.Number)
		}
	}
	if len(numbers) == 0 {
		return
	}
	var states []activities.Issue
	err := workflow.ExecuteActivity(r.call(githubActivityOptions, "Check the action-item issues"), githubActivities.IssueStates,
		activities.IssueStatesRequest{Numbers: numbers, Repo: r.st.Repo}).Get(r.ctx, &states)
	if err != nil {
		workflow.GetLogger(r.ctx).Warn("checking the action-item issues failed", "error", err)
		return
	}
	byNumber := make(map[int]string, len(states))
	for _, s := range states {
		byNumber[s.Number] = s.State
	}
	for i := range r.st.Items {
		if s, ok := byNumber[r.st.Items[i].Issue.Number]; ok {
			r.st.Items[i].Issue.State = s
		}
	}
	r.publish()
}

// finish archives the war room when configured.
func (r *retrospectiveWorkflow) finish() {
	if !r.cfg.ArchiveChannel || r.inc.ChannelID == "" {
		return
	}
	err := workflow.ExecuteActivity(slackCall(r.ctx, "Archive the war room"), slackActivities.ArchiveChannel,
		activities.ArchiveRequest{Channel: r.inc.ChannelID}).Get(r.ctx, nil)
	if err != nil {
		workflow.GetLogger(r.ctx).Warn("archiving the war room failed", "error", err)
	}
}

// humans are the incident's participants who aren't bots.
func (r *retrospectiveWorkflow) humans() []string {
	var out []string
	for _, id := range r.inc.Participants() {
		if !r.st.People[id].Bot {
			out = append(out, id)
		}
	}
	return out
}

// numbered returns a fresh post key starting with kind.
func (r *retrospectiveWorkflow) numbered(kind string) string {
	r.st.Posts++
	return fmt.Sprintf("%s-%d", kind, r.st.Posts)
}

// post posts in the war room, once per key; summary says what it does in
// the Web UI. A post that fails for good is logged: the follow-through
// goes on.
func (r *retrospectiveWorkflow) post(summary, key, text string, buttons ...activities.Button) {
	if r.inc.ChannelID == "" {
		return
	}
	req := activities.PostRequest{Channel: r.inc.ChannelID, IncidentID: r.st.IncidentID, Key: "retro-" + key, Text: text, Buttons: buttons}
	if err := workflow.ExecuteActivity(slackCall(r.ctx, "Retrospective: "+summary), slackActivities.PostMessage, req).Get(r.ctx, nil); err != nil {
		workflow.GetLogger(r.ctx).Warn("posting in the war room failed", "key", key, "error", err)
	}
}

// warn tells the war room about a problem and keeps it in the state.
func (r *retrospectiveWorkflow) warn(msg string) {
	workflow.GetLogger(r.ctx).Warn(msg, "incident", r.st.IncidentID)
	r.st.Warnings = append(r.st.Warnings, msg)
	if n := len(r.st.Warnings); n > maxRetroWarnings {
		r.st.Warnings = r.st.Warnings[n-maxRetroWarnings:]
	}
	r.post("Warn the war room of a problem", r.numbered("warning"), ":warning: "+msg)
}
