package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (w *incidentWorkflow) validateResolve(_ workflow.Context, req wfapi.ResolveRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	return req.Check()
}

// resolve resolves the incident: the resolution is posted and pinned in the
// war room, the topic says so, and each announce channel hears it in the
// thread of the declaration's announcement; the kickoff message trades its
// buttons for the resolution (keepKickoffCurrent). The workflow then
// starts the retrospective and ends.
func (w *incidentWorkflow) resolve(ctx workflow.Context, req wfapi.ResolveRequest) error {
	if err := w.checkOpen(); err != nil {
		return err // a second resolve accepted in the same workflow task
	}
	if err := w.permit(ctx, incident.ActionResolve, req.By, req.Operator); err != nil {
		return err
	}
	w.resolving = true
	if err := w.awaitWarRoom(ctx); err != nil {
		w.resolving = false
		return err
	}
	now := workflow.Now(ctx)
	w.inc.Status = incident.Resolved
	w.inc.ResolvedAt, w.inc.Resolution, w.inc.ResolvedBy = now, req.Summary, req.By
	dur := w.inc.Durations()
	key := w.record(ctx, req.By, incident.EntryResolved, fmt.Sprintf("resolved: %s (acknowledged in %s, %s, resolved in %s)",
		req.Summary, incident.FormatDuration(dur.ToAcknowledge), w.inc.MitigatedIn(), incident.FormatDuration(dur.ToResolve)))
	w.publishResolution(ctx, req.By)

	b := w.newBatch()
	b.add("post the resolution", w.post(ctx, "Post and pin the resolution", activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.ResolvedText(&w.inc, w.loc), Pin: true,
	}), nil)
	b.add("update the topic", w.setTopic(ctx), nil)
	w.announce(ctx, b, "the resolution", key, incident.ResolvedAnnouncementText(&w.inc))
	b.wait(ctx)
	w.publish(ctx)
	w.tellAlertGroup(ctx)
	return nil
}

// announce adds to b a post of text in every announce channel, in the
// thread of the declaration's announcement there when it was posted; what
// names the news ("the resolution").
func (w *incidentWorkflow) announce(ctx workflow.Context, b *batch, what, key, text string) {
	for i, c := range w.proc.AnnounceChannels {
		post := activities.PostRequest{Channel: c, Key: key, Text: text}
		if i < len(w.inc.Announcements) && w.inc.Announcements[i].TS != "" {
			post.Channel, post.ThreadTS = w.inc.Announcements[i].Channel, w.inc.Announcements[i].TS
		}
		b.add("announce "+what+" in "+c, w.post(ctx, "Announce "+what+" in "+c, post), nil)
	}
}

// wantsRetrospective reports whether the resolved incident gets a
// retrospective: incidents do when the process enables them, maintenance
// windows only when asked, drills never.
func (w *incidentWorkflow) wantsRetrospective() bool {
	if !w.proc.Retrospective.Enabled {
		return false
	}
	switch w.inc.Declaration.Kind {
	case incident.KindDrill:
		return false
	case incident.KindMaintenance:
		return w.in.Retrospective
	}
	return true
}

// startRetrospective starts the retrospective as a child workflow that
// outlives this one, and waits only until it has started.
func (w *incidentWorkflow) startRetrospective(ctx workflow.Context) {
	if !w.wantsRetrospective() {
		return
	}
	id := w.inc.Declaration.ID
	ctx = workflow.WithChildOptions(ctx, abandonedChild(wfapi.RetrospectiveWorkflowID(id), wfapi.RetrospectiveSummary(w.inc.Declaration)))
	child := workflow.ExecuteChildWorkflow(ctx, wfapi.RetrospectiveWorkflowName, wfapi.RetrospectiveInput{Incident: w.payload(), Process: w.proc})
	var started workflow.Execution
	if err := child.GetChildWorkflowExecution().Get(ctx, &started); err != nil {
		w.note(ctx, "could not start the retrospective: "+errorMessage(err))
		return
	}
	w.record(ctx, "", incident.EntryNote, "retrospective started as workflow "+started.ID)
}
