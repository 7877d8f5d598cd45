package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// maxAlertRecordText bounds the texts of a RecordAlertRequest: a change
// summary lists at most a screenful of alerts.
const maxAlertRecordText = 4000

func (w *incidentWorkflow) validateRecordAlert(_ workflow.Context, req wfapi.RecordAlertRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	switch {
	case !incident.ValidID(req.Key):
		return errors.New("an alert record needs a key of letters, digits and dashes")
	case len(req.Timeline) > maxAlertRecordText || len(req.Post) > maxAlertRecordText:
		return fmt.Errorf("an alert record's texts are limited to %d bytes", maxAlertRecordText)
	case len(req.Earlier) >= wfapi.MaxAlertBatch:
		return fmt.Errorf("an alert record carries at most %d changes", wfapi.MaxAlertBatch)
	}
	for _, e := range req.Earlier {
		if len(e) > maxAlertRecordText {
			return fmt.Errorf("an alert record's texts are limited to %d bytes", maxAlertRecordText)
		}
	}
	return nil
}

// recordAlert records a change of the alert group that declared the
// incident: a timeline entry, and when asked a war-room post (with the
// Resolve button once every alert is resolved). An incident at the mildest
// severity whose route asks for it resolves itself when its alerts are all
// resolved, and then the resolution is the post.
func (w *incidentWorkflow) recordAlert(ctx workflow.Context, req wfapi.RecordAlertRequest) error {
	if err := w.awaitWarRoom(ctx); err != nil {
		return err
	}
	if !w.inc.RememberAlertKey(req.Key) {
		return nil // a retried delivery of a change already recorded
	}
	for _, e := range append(req.Earlier, req.Timeline) {
		if e != "" {
			w.record(ctx, "", incident.EntryAlert, e)
		}
	}
	mildest := w.proc.MildestSeverity()
	autoResolve := req.AllResolved && req.AutoResolve && !w.resolving && mildest != "" && w.inc.Severity == mildest
	if autoResolve {
		return w.resolve(ctx, wfapi.ResolveRequest{Operator: true, Summary: "Resolved by itself: every alert of the group that declared it resolved (auto_resolve)."})
	}
	if req.Post != "" {
		post := activities.PostRequest{Channel: w.inc.ChannelID, Key: "alert-" + req.Key, Text: req.Post}
		if req.AllResolved && !w.resolving {
			post.Buttons = []activities.Button{{ActionID: wfapi.ActionResolve, Text: "Resolve", Value: w.inc.Declaration.ID, Style: "primary"}}
		}
		b := w.newBatch()
		b.add("tell the war room about the alerts", w.post(ctx, "Tell the war room about the alerts", post), nil)
		b.wait(ctx)
	}
	return nil
}

// tellAlertGroup lets the alert group that declared the incident know it is
// resolved, so a group firing again is told in this war room for a while
// instead of declaring a new incident. A group that has ended misses
// nothing.
func (w *incidentWorkflow) tellAlertGroup(ctx workflow.Context) {
	group := w.inc.Declaration.AlertGroup
	if group == "" {
		return
	}
	err := workflow.SignalExternalWorkflow(ctx, wfapi.AlertGroupWorkflowID(group), "", wfapi.SignalAlertIncidentResolved,
		wfapi.AlertIncidentResolved{IncidentID: w.inc.Declaration.ID, ChannelID: w.inc.ChannelID, ResolvedAt: w.inc.ResolvedAt}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Info("the alert group has ended", "group", group, "err", err)
	}
}
