package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// remind asks the commander and comms for the status update that is due,
// and escalates when the process's number of reminders in a row went
// unanswered. The next reminder comes one cadence later.
func (w *incidentWorkflow) remind(ctx workflow.Context) {
	w.inc.MissedReminders++
	missed := w.inc.MissedReminders
	w.inc.NextUpdateBy = w.proc.NextUpdateDue(w.inc.Severity, workflow.Now(ctx), 0)
	key := w.record(ctx, "", incident.EntryReminder, fmt.Sprintf("reminder %d in a row: a status update is due", missed))
	b := w.newBatch()
	b.add("post the reminder", w.post(ctx, fmt.Sprintf("Remind the commander (%d in a row)", missed), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.ReminderText(&w.inc, w.loc),
	}), nil)
	b.add("update the topic", w.setTopic(ctx), nil)
	if w.proc.ShouldEscalate(missed) {
		w.escalate(ctx, b, missed)
	}
	b.wait(ctx)
	w.publish(ctx)
}

// escalate calls the escalation group into the war room and tells the
// commander directly, adding both calls to b.
func (w *incidentWorkflow) escalate(ctx workflow.Context, b *batch, missed int) {
	mention := w.proc.EscalationMention()
	key := w.record(ctx, "", incident.EntryEscalation,
		fmt.Sprintf("escalated to %s after %d reminders in a row", orNobody(w.proc.EscalationGroup), missed))
	b.add("escalate", w.post(ctx, "Escalate: call "+orNobody(w.proc.EscalationGroup), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.EscalationText(&w.inc, mention, missed),
	}), nil)
	b.add("message the commander", w.notify(ctx, "Message the commander about the escalation", activities.NotifyRequest{
		User: w.inc.Commander, Key: key + "-dm", Text: incident.EscalationDMText(&w.inc, missed),
	}), nil)
}

func orNobody(s string) string {
	if s == "" {
		return "the commander"
	}
	return s
}
