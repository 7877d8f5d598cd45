package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// versionLeanReminders is the change that made a reminder one local
// activity: the post alone, without setting the topic.
const versionLeanReminders = "lean-reminders"

// remind asks the commander and comms for the status update that is due,
// and escalates when the process's number of reminders in a row went
// unanswered. The next reminder comes one cadence later.
//
// A reminder is the one thing every open incident does all the time, so
// it is kept lean ("lean-reminders"): its post runs as a local activity,
// within the workflow task that the timer woke (no activity task, no
// second workflow task), and it leaves the topic alone. The topic keeps
// the "next update by" the last update promised, which a reminder finds
// broken; setting it again on every reminder would also spend Slack's
// Tier 2 allowance for conversations.setTopic (20 a minute per workspace),
// which at a 15-minute cadence runs out at 300 open incidents. Incidents
// whose run began before the change keep the earlier reminders when
// replayed.
func (w *incidentWorkflow) remind(ctx workflow.Context) {
	w.inc.MissedReminders++
	missed := w.inc.MissedReminders
	w.inc.NextUpdateBy = w.proc.NextUpdateDue(w.inc.Severity, workflow.Now(ctx), 0)
	key := w.record(ctx, "", incident.EntryReminder, fmt.Sprintf("reminder %d in a row: a status update is due", missed))
	req := activities.PostRequest{Channel: w.inc.ChannelID, Key: key, Text: incident.ReminderText(&w.inc, w.loc)}
	b := w.newBatch()
	if workflow.GetVersion(ctx, versionLeanReminders, workflow.DefaultVersion, 1) >= 1 {
		b.add("post the reminder", w.postLocal(ctx, req), nil)
	} else {
		b.add("post the reminder", w.post(ctx, fmt.Sprintf("Remind the commander (%d in a row)", missed), req), nil)
		b.add("update the topic", w.setTopic(ctx), nil)
	}
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
		fmt.Sprintf("escalated to %s after %d reminders in a row", w.proc.EscalationTarget(), missed))
	b.add("escalate", w.post(ctx, "Escalate: call "+w.proc.EscalationTarget(), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.EscalationText(&w.inc, mention, missed),
	}), nil)
	b.add("message the commander", w.notify(ctx, "Message the commander about the escalation", activities.NotifyRequest{
		User: w.inc.Commander, Key: key + "-dm", Text: incident.EscalationDMText(&w.inc, missed),
	}), nil)
}
