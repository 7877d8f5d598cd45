package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// post posts a message about this window (idempotent per key within the
// window's run).
func (m *maintenanceWorkflow) post(ctx workflow.Context, summary string, req activities.PostRequest) workflow.Future {
	req.IncidentID = m.win.RunKey(m.st.Start)
	return workflow.ExecuteActivity(slackCall(ctx, summary), slackActivities.PostMessage, req)
}

// postAll posts the requests side by side and returns where each went (a
// zero ref for a post that failed, which becomes a note).
func (m *maintenanceWorkflow) postAll(ctx workflow.Context, summary string, reqs []activities.PostRequest) []incident.MessageRef {
	futures := make([]workflow.Future, len(reqs))
	for i, req := range reqs {
		futures[i] = m.post(ctx, summary+" in "+req.Channel, req)
	}
	refs := make([]incident.MessageRef, len(reqs))
	for i, f := range futures {
		if err := f.Get(ctx, &refs[i]); err != nil {
			m.note(ctx, "could not "+summary+" in "+reqs[i].Channel+": "+errorMessage(err))
		}
	}
	return refs
}

// announce posts text in every announce channel, in the thread of the
// in-progress announcement once there is one.
func (m *maintenanceWorkflow) announce(ctx workflow.Context, summary, key, text string) []incident.MessageRef {
	reqs := make([]activities.PostRequest, len(m.win.AnnounceChannels))
	for i, c := range m.win.AnnounceChannels {
		reqs[i] = activities.PostRequest{Channel: c, Key: key, Text: text}
		if i < len(m.st.Announcements) && m.st.Announcements[i].TS != "" {
			reqs[i].Channel, reqs[i].ThreadTS = m.st.Announcements[i].Channel, m.st.Announcements[i].TS
		}
	}
	return m.postAll(ctx, summary, reqs)
}

// note records something that went wrong without stopping the window.
func (m *maintenanceWorkflow) note(ctx workflow.Context, text string) {
	workflow.GetLogger(ctx).Warn(text, "window", m.win.ID)
	m.st.Notes = append(m.st.Notes, incident.Clock(workflow.Now(ctx), m.loc)+" "+text)
}

// headsUp posts one heads-up in the announce channels.
func (m *maintenanceWorkflow) headsUp(ctx workflow.Context, h incident.HeadsUp) {
	text := incident.HeadsUpText(&m.win, m.st.Start, h.Before, m.loc)
	refs := m.announce(ctx, "post the "+incident.FormatDuration(h.Before)+" heads-up", "maint-headsup-"+h.Before.String(), text)
	sent := wfapi.SentHeadsUp{Before: h.Before, At: workflow.Now(ctx)}
	for _, r := range refs {
		if r.TS != "" {
			sent.Posts = append(sent.Posts, r)
		}
	}
	m.st.HeadsUps = append(m.st.HeadsUps, sent)
	m.publish(ctx)
}

// open starts the war room (an IncidentWorkflow of kind maintenance, as a
// child that outlives this run), waits until it is ready, and announces
// the maintenance.
func (m *maintenanceWorkflow) open(ctx workflow.Context) {
	d := m.win.Declaration(m.st.Start)
	m.st.IncidentID = d.ID
	m.publish(ctx)
	cctx := workflow.WithChildOptions(ctx, incidentChild(d))
	m.warRoom = workflow.ExecuteChildWorkflow(cctx, wfapi.IncidentWorkflowName, wfapi.IncidentInput{
		Declaration: d, Process: m.proc, Retrospective: m.win.Retrospective,
		Maintenance: &wfapi.MaintenanceRoom{Window: m.win, Policy: m.in.Policy},
	})
	if err := m.warRoom.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		// Most likely it runs already (this run was reset): the wait below
		// joins it.
		m.note(ctx, "could not start the war room's workflow: "+errorMessage(err))
		m.warRoom = nil
	}
	var room incident.WarRoom
	err := workflow.ExecuteActivity(incidentCall(ctx, "Wait for the war room"), incidentActivities.MaintenanceWarRoom,
		activities.WarRoomRequest{IncidentID: d.ID}).Get(ctx, &room)
	if err != nil {
		m.note(ctx, "the war room did not open: "+errorMessage(err))
	}
	m.st.ChannelID, m.st.ChannelName = room.ChannelID, room.ChannelName
	m.st.Announcements = m.announce(ctx, "announce the maintenance", "maint-start",
		incident.MaintenanceInProgressText(&m.win, m.st.Start, room.ChannelID, m.loc))
	m.statusPageRoomOpened(ctx)
	m.publish(ctx)
}

// warRoomOrAnnounce is where the lead is asked things: the war room, or
// the first announce channel when the war room didn't open.
func (m *maintenanceWorkflow) warRoomOrAnnounce() string {
	if m.st.ChannelID != "" || len(m.win.AnnounceChannels) == 0 {
		return m.st.ChannelID
	}
	return m.win.AnnounceChannels[0]
}

// endButtons are the Complete and Promote buttons; their value is the
// window ID.
func (m *maintenanceWorkflow) endButtons() []activities.Button {
	return []activities.Button{
		{ActionID: wfapi.ActionMaintenanceComplete, Text: "Complete", Value: m.win.ID, Style: "primary"},
		{ActionID: wfapi.ActionMaintenancePromote, Text: "Promote to incident", Value: m.win.ID, Style: "danger"},
	}
}

// askToConfirm asks the lead, at the planned end, to confirm completion.
func (m *maintenanceWorkflow) askToConfirm(ctx workflow.Context) {
	m.postAll(ctx, "ask the lead to confirm completion", []activities.PostRequest{{
		Channel: m.warRoomOrAnnounce(), Key: "maint-confirm", Buttons: m.endButtons(),
		Text: incident.MaintenanceConfirmText(&m.win, m.st.Start, m.grace(), m.loc),
	}})
}

// overrun reports that nobody confirmed completion within the grace
// period: in the war room, calling the escalation group, and in the
// announce channels.
func (m *maintenanceWorkflow) overrun(ctx workflow.Context) {
	m.st.Phase, m.st.OverrunAt = wfapi.PhaseOverrun, workflow.Now(ctx)
	m.publish(ctx)
	m.postAll(ctx, "report the overrun and escalate", []activities.PostRequest{{
		Channel: m.warRoomOrAnnounce(), Key: "maint-overrun", Buttons: m.endButtons(),
		Text: incident.MaintenanceOverrunText(&m.win, m.st.Start, m.proc.EscalationMention(), m.loc),
	}})
	m.announce(ctx, "announce the overrun", "maint-overrun",
		incident.MaintenanceOverrunAnnouncement(&m.win, m.st.Start, m.st.ChannelID, m.loc))
}

// closeIfResolved completes the window when its war room was resolved
// directly (the war room's own Resolve button) rather than through the
// Complete button. A war room whose workflow failed is let go: the window
// carries on without it.
func (m *maintenanceWorkflow) closeIfResolved(ctx workflow.Context) {
	if m.closing || m.warRoom == nil || !m.warRoom.IsReady() {
		return
	}
	var inc incident.Incident
	if err := m.warRoom.Get(ctx, &inc); err != nil {
		m.note(ctx, "the war room's workflow ended: "+errorMessage(err))
		m.warRoom = nil
		return
	}
	m.closing = true
	m.ended(ctx, wfapi.PhaseCompleted, inc.ResolvedBy)
	m.announce(ctx, "announce the end", "maint-end",
		incident.MaintenanceCompletedText(&m.win, m.st.Start, m.st.EndedAt, m.st.EndedBy, m.loc))
}

// ended records how the window ended.
func (m *maintenanceWorkflow) ended(ctx workflow.Context, phase wfapi.MaintenancePhase, by string) {
	m.st.Phase, m.st.EndedAt, m.st.EndedBy = phase, workflow.Now(ctx), by
	m.statusPageEnded(phase)
	m.publish(ctx)
}
