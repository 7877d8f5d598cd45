package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (w *incidentWorkflow) validateMarkMessage(_ workflow.Context, req wfapi.MarkMessageRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	return w.inc.CheckMark(req.Mark)
}

// markMessage applies a mark on a war-room message to the timeline and
// returns what it did. A message that comes on the timeline gets the bot's
// ✅ reaction, and loses it with its last mark; edits and deletions change
// only the timeline.
func (w *incidentWorkflow) markMessage(ctx workflow.Context, req wfapi.MarkMessageRequest) (incident.MarkOutcome, error) {
	if err := w.openForChange(ctx); err != nil {
		return "", err
	}
	if err := w.inc.CheckMark(req.Mark); err != nil {
		return "", err // an update accepted in the same workflow task changed the timeline
	}
	out := w.inc.ApplyMark(req.Mark)
	if out == incident.MarkAdded || out == incident.MarkRemoved {
		w.acknowledgeMark(ctx, req.Mark)
	}
	w.publish(ctx)
	return out, nil
}

// acknowledgeMark brings the bot's ✅ on the message m is about in line
// with the timeline: there while the message is marked, gone once it
// isn't. One reaction call runs at a time, each after the timeline's
// latest change, so that a mark taken back at once leaves no ✅ behind.
func (w *incidentWorkflow) acknowledgeMark(ctx workflow.Context, m incident.MessageMark) {
	if w.reactions == nil {
		w.reactions = workflow.NewMutex(ctx)
	}
	if err := w.reactions.Lock(ctx); err != nil {
		return
	}
	defer w.reactions.Unlock()
	remove := !w.inc.IsMarked(m.Channel, m.TS)
	summary := incident.MarkAckSummary(m, remove, w.loc)
	b := w.newBatch()
	b.add("acknowledge the mark on a message with ✅", workflow.ExecuteActivity(slackCall(ctx, summary), slackActivities.React,
		activities.ReactRequest{Channel: m.Channel, TS: m.TS, Name: incident.MarkAckReaction, Remove: remove}), nil)
	b.wait(ctx)
}
