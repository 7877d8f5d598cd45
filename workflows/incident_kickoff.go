package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionLiveKickoff is the change that keeps the pinned kickoff message
// current. Before it the kickoff kept what it said at the declaration: the
// old severity and cadence after a severity change, "Comms: unassigned"
// after a spokesperson was named, and, after the resolution, buttons that
// opened forms the resolved incident then refused. Runs begun before the
// change leave their kickoff alone when replayed.
const versionLiveKickoff = "live-kickoff"

// kickoffUpdateTimeout bounds the update of the kickoff message, retries
// and turns in the rate limiter included: a kickoff Slack won't take is
// noted in the timeline rather than holding up the incident's end.
const kickoffUpdateTimeout = 30 * time.Minute

// kickoff is what the kickoff message should show now: the incident as it
// stands with its buttons, or once resolved the resolution and where the
// retrospective goes on in their place.
func (w *incidentWorkflow) kickoff(ctx workflow.Context) (string, []activities.Button) {
	if !w.inc.IsResolved() {
		return w.drillText(incident.KickoffText(&w.inc, &w.proc)), w.withStatusPageButton(w.withPageButton(kickoffButtons(w.inc.Declaration.ID)))
	}
	return w.drillText(incident.ResolvedKickoffText(&w.inc, &w.proc, w.wantsRetrospective(), w.retrospectiveURL(ctx))), nil
}

// retrospectiveURL is the retrospective's page in the Temporal Web UI, or
// "" when the Web UI's address isn't configured.
func (w *incidentWorkflow) retrospectiveURL(ctx workflow.Context) string {
	if w.proc.WebUIURL == "" {
		return ""
	}
	return incident.WebUIWorkflowURL(w.proc.WebUIURL, workflow.GetInfo(ctx).Namespace, wfapi.RetrospectiveWorkflowID(w.inc.Declaration.ID))
}

// keepKickoffCurrent starts, in runs since versionLiveKickoff, the
// coroutine that rewrites the kickoff message (chat.update) whenever what
// it should show differs from what it shows, whatever changed it.
//
// Changes made in one workflow task (a severity change and a new comms
// accepted together) make one update, and changes made while an update is
// in flight make one more after it, so the message never shows an older
// state after a newer one. A failed update becomes a timeline note; the
// next change tries again. A run continued from another shows nothing yet
// as far as it knows, so it rewrites the kickoff once: the same text again
// is harmless.
func (w *incidentWorkflow) keepKickoffCurrent(ctx workflow.Context) {
	if workflow.GetVersion(ctx, versionLiveKickoff, workflow.DefaultVersion, 1) < 1 {
		return
	}
	w.liveKickoff = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		for workflow.Await(ctx, func() bool { return w.kickoffStale(ctx) }) == nil {
			text, buttons := w.kickoff(ctx)
			w.kickoffBusy = true
			call := workflow.WithScheduleToCloseTimeout(slackCall(ctx, "Bring the pinned incident summary up to date"), kickoffUpdateTimeout)
			b := w.newBatch()
			b.add("update the kickoff message", workflow.ExecuteActivity(call, slackActivities.UpdateMessage,
				activities.UpdateRequest{Message: w.inc.Kickoff, Text: text, Buttons: buttons}), nil)
			b.wait(ctx)
			w.kickoffShown, w.kickoffBusy = text, false
		}
	})
}

// kickoffStale reports whether the kickoff message, once posted, should
// show something else than it does.
func (w *incidentWorkflow) kickoffStale(ctx workflow.Context) bool {
	if !w.liveKickoff || w.inc.Kickoff.TS == "" {
		return false
	}
	text, _ := w.kickoff(ctx)
	return text != w.kickoffShown
}

// kickoffSettled reports whether the kickoff message shows the incident as
// it stands, no update of it pending or in flight.
func (w *incidentWorkflow) kickoffSettled(ctx workflow.Context) bool {
	return !w.kickoffBusy && !w.kickoffStale(ctx)
}
