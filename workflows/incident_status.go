package workflows

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (w *incidentWorkflow) validatePostStatus(_ workflow.Context, req wfapi.PostStatusRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	if err := req.Check(); err != nil {
		return err
	}
	return w.validatePublicUpdate(req)
}

// postStatus posts a status update in the war room and the broadcast
// channels and restarts the wait for the next one. An empty status keeps
// the current one.
func (w *incidentWorkflow) postStatus(ctx workflow.Context, req wfapi.PostStatusRequest) error {
	if err := w.openForChange(ctx); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	status := req.Status
	if status == "" {
		status = w.inc.Status
	}
	u := incident.StatusUpdate{At: now, Author: req.Author, Status: status, Text: req.Text,
		NextUpdateBy: w.proc.NextUpdateDue(w.inc.Severity, now, req.NextUpdateIn)}
	w.inc.Updates = append(w.inc.Updates, u)
	w.inc.Status = status
	if status == incident.Mitigated && w.inc.MitigatedAt.IsZero() {
		w.inc.MitigatedAt = now
	}
	w.restartCadence(u.NextUpdateBy)
	key := w.record(ctx, req.Author, incident.EntryUpdate, string(status)+": "+req.Text)
	w.publishUpdate(ctx, req, status) // queued now: before a resolution that follows

	b := w.newBatch()
	summary := fmt.Sprintf("Post status update %d (%s)", len(w.inc.Updates), status)
	b.add("post the update", w.post(ctx, summary, activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.UpdateText(u, w.loc),
	}), nil)
	if !w.inc.Declaration.Security {
		for _, c := range w.proc.BroadcastChannels {
			b.add("broadcast the update to "+c, w.post(ctx, summary+" to "+c, activities.PostRequest{
				Channel: c, Key: key, Text: incident.BroadcastText(&w.inc, u, w.loc),
			}), nil)
		}
	}
	b.add("update the topic", w.setTopic(ctx), nil)
	b.wait(ctx)
	w.publish(ctx)
	return nil
}

// restartCadence makes the next status update due at next and wakes the
// main loop to wait for it.
func (w *incidentWorkflow) restartCadence(next time.Time) {
	w.inc.NextUpdateBy = next
	w.inc.MissedReminders = 0
	w.resets++
}

func (w *incidentWorkflow) validateSetSeverity(_ workflow.Context, req wfapi.SetSeverityRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	if err := w.proc.CheckSeverity(req.Severity); err != nil {
		return err
	}
	if req.Severity == w.inc.Severity {
		return fmt.Errorf("incident %s is already %s", w.inc.Declaration.ID, req.Severity)
	}
	return cmp.Or(req.Check(), w.inc.CheckRoomForSeverityChange())
}

// setSeverity changes the severity: the cadence restarts at the new
// severity's, the topic changes, the new severity's leads are invited and
// an escalation is announced (announceEscalation).
func (w *incidentWorkflow) setSeverity(ctx workflow.Context, req wfapi.SetSeverityRequest) error {
	if err := w.openForChange(ctx); err != nil {
		return err
	}
	if err := w.permit(ctx, incident.ActionChangeSeverity, req.By, req.Operator); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	change := incident.SeverityChange{At: now, By: req.By, From: w.inc.Severity, To: req.Severity, Reason: req.Reason}
	w.inc.SeverityHistory = append(w.inc.SeverityHistory, change)
	w.inc.Severity = req.Severity
	w.restartCadence(w.proc.NextUpdateDue(req.Severity, now, 0))
	text := fmt.Sprintf("severity changed from %s to %s", change.From, change.To)
	if req.Reason != "" {
		text += ": " + req.Reason
	}
	key := w.record(ctx, req.By, incident.EntrySeverity, text)

	b := w.newBatch()
	b.add("announce the new severity", w.post(ctx, fmt.Sprintf("Severity %s → %s", change.From, change.To), activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: incident.SeverityChangeText(change, &w.proc),
	}), nil)
	b.add("update the topic", w.setTopic(ctx), nil)
	if leads := w.proc.Leads(req.Severity, w.inc.Declaration.Service); len(leads) > 0 {
		b.add("invite the "+string(req.Severity)+" leads", w.invite(ctx, "Invite the "+string(req.Severity)+" leads", leads), nil)
	}
	w.announceEscalation(ctx, b, key, change)
	w.pageOnRaise(ctx, change)
	b.wait(ctx)
	w.publish(ctx)
	return nil
}

// versionAnnounceEscalation is the change that announces an escalation in
// the announce channels. Before it only the war room heard of it, and the
// channels that heard of a major incident never heard it became critical.
// Runs begun before the change don't announce when replayed.
const versionAnnounceEscalation = "announce-escalation"

// announceEscalation adds to b, when c made the incident more severe, the
// announcement of its new severity in the thread of the declaration's
// announcement in every announce channel (shown in the channel too). A
// milder severity isn't announced: nobody needs to come running.
func (w *incidentWorkflow) announceEscalation(ctx workflow.Context, b *batch, key string, c incident.SeverityChange) {
	levels := w.proc.SeverityLevels() // most severe first
	from, to := slices.Index(levels, c.From), slices.Index(levels, c.To)
	if to < 0 || from <= to || len(w.proc.AnnounceChannels) == 0 {
		return
	}
	if workflow.GetVersion(ctx, versionAnnounceEscalation, workflow.DefaultVersion, 1) < 1 {
		return
	}
	w.announce(ctx, b, "the escalation to "+string(c.To), key, incident.EscalatedAnnouncementText(&w.inc, c))
}
