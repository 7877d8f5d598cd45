package workflows

import (
	"cmp"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// setup registers the query and the updates.
func (m *maintenanceWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, wfapi.QueryMaintenance, func() (wfapi.MaintenanceState, error) {
		return m.st, nil
	}); err != nil {
		return err
	}
	updates := []struct {
		name               string
		handler, validator any
	}{
		{wfapi.UpdateMaintenanceComplete, m.complete, m.validateComplete},
		{wfapi.UpdateMaintenancePromote, m.promote, m.validatePromote},
		{wfapi.UpdateMaintenanceCancel, m.cancel, m.validateCancel},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return err
		}
	}
	return nil
}

// checkRunning refuses to end a window that hasn't started or is over.
func (m *maintenanceWorkflow) checkRunning() error {
	switch {
	case m.closing || m.st.Phase.Over():
		return fmt.Errorf("maintenance %s is already %s", m.win.ID, m.st.Phase)
	case !m.st.Phase.Started():
		return fmt.Errorf("maintenance %s hasn't started yet (it starts %s); to call it off, cancel it (`incidentflow maintenance cancel --id %s`)",
			m.win.ID, m.st.Start.In(m.loc).Format("Mon 2 Jan 15:04 MST"), m.win.ID)
	}
	return nil
}

func (m *maintenanceWorkflow) validateComplete(_ workflow.Context, req wfapi.CompleteMaintenanceRequest) error {
	if err := m.checkRunning(); err != nil {
		return err
	}
	if err := req.Check(); err != nil {
		return err
	}
	if req.Retrospective && !m.base.Retrospective.Enabled {
		return fmt.Errorf("retrospectives are turned off (retrospective.enabled); complete the maintenance without one")
	}
	return nil
}

// complete ends the window: its war room is resolved (which posts the
// resolution there), the end is announced, and a retrospective starts only
// when asked for.
func (m *maintenanceWorkflow) complete(ctx workflow.Context, req wfapi.CompleteMaintenanceRequest) (wfapi.MaintenanceState, error) {
	if err := m.checkRunning(); err != nil {
		return m.st, err // a second complete accepted in the same workflow task
	}
	m.closing = true
	m.ended(ctx, wfapi.PhaseCompleted, req.By)
	m.resolveWarRoom(ctx, req.By, incident.MaintenanceResolution(&m.win, m.st.Start, m.st.EndedAt, req.Note, m.loc))
	m.announce(ctx, "announce the end", "maint-end",
		incident.MaintenanceCompletedText(&m.win, m.st.Start, m.st.EndedAt, req.By, m.loc))
	if req.Retrospective && !m.win.Retrospective {
		m.startRetrospective(ctx)
	}
	m.publish(ctx)
	return m.st, nil
}

// resolveWarRoom resolves the war room's incident, unless it is resolved
// already.
func (m *maintenanceWorkflow) resolveWarRoom(ctx workflow.Context, by, summary string) {
	if m.st.IncidentID == "" {
		return
	}
	err := workflow.ExecuteActivity(incidentCall(ctx, "Resolve the war room"), incidentActivities.MaintenanceResolveWarRoom, activities.ResolveWarRoomRequest{
		IncidentID: m.st.IncidentID, Resolve: activities.Resolution{By: by, Summary: summary},
	}).Get(ctx, nil)
	if err != nil {
		m.note(ctx, "could not resolve the war room: "+errorMessage(err))
	}
}

// startRetrospective starts the retrospective of the window's war room,
// once its incident is resolved, as a child that outlives this run.
func (m *maintenanceWorkflow) startRetrospective(ctx workflow.Context) {
	if m.warRoom == nil {
		m.note(ctx, "no retrospective: this run didn't start the war room")
		return
	}
	var inc incident.Incident
	if err := m.warRoom.Get(ctx, &inc); err != nil {
		m.note(ctx, "no retrospective: the war room ended with "+errorMessage(err))
		return
	}
	cctx := workflow.WithChildOptions(ctx, abandonedChild(wfapi.RetrospectiveWorkflowID(inc.Declaration.ID), wfapi.RetrospectiveSummary(inc.Declaration)))
	child := workflow.ExecuteChildWorkflow(cctx, wfapi.RetrospectiveWorkflowName, wfapi.RetrospectiveInput{Incident: inc, Process: m.proc})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		m.note(ctx, "could not start the retrospective: "+errorMessage(err))
	}
}

func (m *maintenanceWorkflow) validatePromote(_ workflow.Context, req wfapi.PromoteMaintenanceRequest) error {
	if err := m.checkRunning(); err != nil {
		return err
	}
	return cmp.Or(req.Check(), m.base.CheckSeverity(req.Severity))
}

// promote turns the window into an incident: a new IncidentWorkflow (a
// child that outlives this run) that carries the window's context, at the
// chosen severity. The maintenance war room is resolved, pointing at the
// new incident, and the announce channels hear of it.
func (m *maintenanceWorkflow) promote(ctx workflow.Context, req wfapi.PromoteMaintenanceRequest) (wfapi.PromoteMaintenanceResult, error) {
	if err := m.checkRunning(); err != nil {
		return wfapi.PromoteMaintenanceResult{}, err
	}
	m.closing = true
	d := incident.PromotionDeclaration(&m.win, m.st.Start, m.st.ChannelID, req.Severity, req.By, req.Note, workflow.Now(ctx), m.loc)
	res := wfapi.PromoteMaintenanceResult{IncidentID: d.ID, WorkflowID: wfapi.IncidentWorkflowID(d.ID)}
	cctx := workflow.WithChildOptions(ctx, abandonedChild(res.WorkflowID, wfapi.IncidentSummary(d)))
	child := workflow.ExecuteChildWorkflow(cctx, wfapi.IncidentWorkflowName, wfapi.IncidentInput{Declaration: d, Process: m.base})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		m.closing = false
		return res, fmt.Errorf("could not declare the incident: %s; press the button again", errorMessage(err))
	}
	m.st.PromotedTo = d.ID
	m.ended(ctx, wfapi.PhasePromoted, req.By)
	text := incident.MaintenancePromotedText(&m.win, d.ID, req.Severity, req.By)
	m.postAll(ctx, "tell the war room about the incident", []activities.PostRequest{{Channel: m.warRoomOrAnnounce(), Key: "maint-promoted", Text: text}})
	m.announce(ctx, "announce the promotion", "maint-promoted", text)
	m.resolveWarRoom(ctx, req.By, "Promoted to incident "+d.ID+".")
	return res, nil
}

func (m *maintenanceWorkflow) validateCancel(_ workflow.Context, _ wfapi.CancelMaintenanceRequest) error {
	switch {
	case m.closing || m.st.Phase.Over():
		return fmt.Errorf("maintenance %s is already %s", m.win.ID, m.st.Phase)
	case m.st.Phase.Started():
		return fmt.Errorf("maintenance %s is in progress; complete it or promote it to an incident in its war room", m.win.ID)
	}
	return nil
}

// cancel calls the window off before its start. Every channel that heard a
// heads-up hears of the cancellation (or the new time) in its thread; when
// no heads-up went out, nobody is told, as nobody knew.
func (m *maintenanceWorkflow) cancel(ctx workflow.Context, req wfapi.CancelMaintenanceRequest) (wfapi.MaintenanceState, error) {
	if err := m.validateCancel(ctx, req); err != nil {
		return m.st, err
	}
	m.closing = true
	m.st.CancelReason, m.st.MovedTo = req.Reason, req.MovedTo
	m.ended(ctx, wfapi.PhaseCancelled, req.By)
	text := incident.MaintenanceCancelledText(&m.win, m.st.Start, req.By, req.Reason, m.loc)
	key := "maint-cancel"
	if !req.MovedTo.IsZero() {
		text, key = incident.MaintenanceMovedText(&m.win, m.st.Start, req.MovedTo, req.By, m.loc), "maint-moved"
	}
	var reqs []activities.PostRequest
	for _, ref := range m.latestHeadsUps() {
		reqs = append(reqs, activities.PostRequest{Channel: ref.Channel, ThreadTS: ref.TS, Key: key, Text: text})
	}
	m.postAll(ctx, "call off the maintenance", reqs)
	return m.st, nil
}

// latestHeadsUps returns the last heads-up posted in each channel, in the
// order the channels first heard one.
func (m *maintenanceWorkflow) latestHeadsUps() []incident.MessageRef {
	var out []incident.MessageRef
	for _, h := range m.st.HeadsUps {
		for _, p := range h.Posts {
			found := false
			for i := range out {
				if out[i].Channel == p.Channel {
					out[i], found = p, true
				}
			}
			if !found {
				out = append(out, p)
			}
		}
	}
	return out
}
