package workflows

import (
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// changeMaintenanceStatusPage puts windows with statuspage: true on the
// public status page. Runs recorded before it never call it (their windows
// have no such flag) and record no marker.
const changeMaintenanceStatusPage = "maintenance-statuspage"

// Public texts of a window's scheduled maintenance (Statuspage's own
// wording for its templates). The window's description, when it has one,
// is the text of the scheduled post; nothing else typed inside incidentflow
// goes public.
const (
	maintenanceScheduledBody  = "We will be performing scheduled maintenance during this window."
	maintenanceInProgressBody = "Scheduled maintenance is currently in progress. We will provide updates as necessary."
	maintenanceCompletedBody  = "The scheduled maintenance has been completed."
	maintenanceEndedBody      = "The scheduled maintenance has ended."
	maintenanceCancelledBody  = "This scheduled maintenance has been cancelled."
)

// maintStatusPageTellAfter is how long a post keeps failing before the war room
// is told (once); maintStatusPageGiveUpAfter how long it is retried after that,
// in the background; maintStatusPageDrain how long a run that is over waits for
// its last posts.
const (
	maintStatusPageTellAfter   = 5 * time.Minute
	maintStatusPageGiveUpAfter = 2 * time.Hour
	maintStatusPageDrain       = 2*time.Hour + 10*time.Minute
)

// maintenancePost is one post of a window's scheduled maintenance.
type maintenancePost struct {
	status, body string
	cancel       bool
	// comps are the components' statuses to set (nil: leave them).
	comps map[string]string
}

// maintStatusPageRun is the status page part of a run: the posts still to go
// out, in order, sent one at a time beside the window's main path.
type maintStatusPageRun struct {
	on      bool
	queue   []maintenancePost
	dropped bool // a post failed for good: the later ones have nothing to move
	// untold are the war-room messages of posts made before the war room
	// opened, by key.
	untold []activities.PostRequest
}

// startStatusPage turns the status page on for a window that asks for it,
// and queues its scheduled maintenance.
func (m *maintenanceWorkflow) startStatusPage(ctx workflow.Context) {
	if !m.win.StatusPage {
		return
	}
	if workflow.GetVersion(ctx, changeMaintenanceStatusPage, workflow.DefaultVersion, 1) < 1 {
		return
	}
	m.sp.on = true
	m.st.StatusPage = &wfapi.MaintenanceStatusPage{}
	if !m.base.StatusPage {
		m.sp.dropped = true
		m.tellStatusPage(ctx, "no status page is configured on the worker (statuspage.api_key and statuspage.page_id), so this window isn't on it; put it there by hand if customers should know")
		return
	}
	workflow.Go(ctx, m.sendStatusPagePosts)
	body := maintenanceScheduledBody
	if d := m.win.Description; d != "" {
		body = d
	}
	m.queueStatusPage(maintenancePost{status: activities.MaintenanceScheduled, body: body, comps: m.statusPageComponents(activities.ComponentUnderMaintenance)})
}

// statusPageStarted, statusPageEnded queue the moves of the window's
// scheduled maintenance as the window runs and ends.
func (m *maintenanceWorkflow) statusPageStarted() {
	m.queueStatusPage(maintenancePost{status: activities.MaintenanceInProgress, body: maintenanceInProgressBody,
		comps: m.statusPageComponents(activities.ComponentUnderMaintenance)})
}

func (m *maintenanceWorkflow) statusPageEnded(phase wfapi.MaintenancePhase) {
	switch phase {
	case wfapi.PhaseCompleted:
		m.queueStatusPage(maintenancePost{status: activities.MaintenanceCompleted, body: maintenanceCompletedBody,
			comps: m.statusPageComponents(activities.ComponentOperational)})
	case wfapi.PhasePromoted:
		// The incident it became says what the components' state is, when
		// someone publishes it: leave them as they are.
		m.queueStatusPage(maintenancePost{status: activities.MaintenanceCompleted, body: maintenanceEndedBody})
	case wfapi.PhaseCancelled:
		body := maintenanceCancelledBody
		if !m.st.MovedTo.IsZero() {
			body = "This scheduled maintenance has been moved to " + m.st.MovedTo.In(m.loc).Format("Mon 2 Jan 15:04 MST") + "."
		}
		m.queueStatusPage(maintenancePost{status: activities.MaintenanceCompleted, body: body, cancel: true})
	}
}

func (m *maintenanceWorkflow) queueStatusPage(p maintenancePost) {
	if !m.sp.on || m.sp.dropped {
		return
	}
	m.sp.queue = append(m.sp.queue, p)
	m.st.StatusPage.Pending = len(m.sp.queue)
}

// statusPageComponentIDs are the Statuspage components of the window's
// services (the worker's statuspage_components), in order.
func (m *maintenanceWorkflow) statusPageComponentIDs() []string {
	var ids []string
	for _, svc := range m.win.Services {
		for _, id := range m.base.Services[svc].StatusPageComponents {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// statusPageComponents maps statusPageComponentIDs to status.
func (m *maintenanceWorkflow) statusPageComponents(status string) map[string]string {
	ids := m.statusPageComponentIDs()
	if len(ids) == 0 {
		return nil
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = status
	}
	return out
}

// sendStatusPagePosts sends the queued posts, one at a time and in order,
// for as long as the run lasts.
func (m *maintenanceWorkflow) sendStatusPagePosts(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return len(m.sp.queue) > 0 }); err != nil {
			return
		}
		m.sendStatusPagePost(ctx, m.sp.queue[0])
		m.sp.queue = m.sp.queue[1:]
		m.st.StatusPage.Pending = len(m.sp.queue)
		m.publish(ctx)
	}
}

// maintStatusPageCall returns ctx for one post, retried for up to limit.
func maintStatusPageCall(ctx workflow.Context, summary string, limit time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: limit,
		Summary:                summary,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			// limit bounds the attempts; a number rather than 0 because the
			// SDK's test environment turns 0 into 10.
			MaximumAttempts: 1000,
		},
	})
}

// sendStatusPagePost sends one post: for a few minutes, then, having told
// the war room once, in the background for a couple of hours. A post the
// status page refuses for good (a bad key, a deleted page) is told and
// dropped, with the posts after it.
func (m *maintenanceWorkflow) sendStatusPagePost(ctx workflow.Context, p maintenancePost) {
	sp := m.st.StatusPage
	if m.sp.dropped {
		return
	}
	req := activities.ScheduledMaintenanceRequest{
		WindowID: m.win.RunKey(m.st.Start), PageIncidentID: sp.PageIncidentID, Name: m.win.Title, Body: p.body,
		Status: p.status, ScheduledFor: m.st.Start, ScheduledUntil: m.st.End, Components: p.comps, Cancel: p.cancel,
		UpdateKey: p.status,
	}
	if p.cancel {
		req.UpdateKey = "cancelled"
	}
	summary := "Status page: " + p.status
	var got activities.PublicIncident
	err := workflow.ExecuteActivity(maintStatusPageCall(ctx, summary, maintStatusPageTellAfter), statuspageActivities.ScheduleMaintenance, req).Get(ctx, &got)
	if err != nil && maintRetryable(err) {
		m.tellStatusPage(ctx, "could not update the status page ("+summary+") for "+incident.FormatDuration(maintStatusPageTellAfter)+": "+
			errorMessage(err)+"; still trying in the background")
		err = workflow.ExecuteActivity(maintStatusPageCall(ctx, summary, maintStatusPageGiveUpAfter), statuspageActivities.ScheduleMaintenance, req).Get(ctx, &got)
	}
	if err != nil {
		m.sp.dropped = true
		m.tellStatusPage(ctx, "gave up updating the status page ("+summary+"): "+errorMessage(err)+"; update it by hand")
		return
	}
	at := workflow.Now(ctx)
	sp.PageIncidentID, sp.Status = got.ID, got.Status
	if got.Shortlink != "" {
		sp.Shortlink = got.Shortlink
	}
	text := m.statusPageEntryText(p, at, sp.Timeline == nil)
	sp.Timeline = append(sp.Timeline, incident.TimelineEntry{At: at, Kind: incident.EntryStatusPage, Text: text})
	told := activities.PostRequest{Key: "maint-statuspage-" + req.UpdateKey, Text: ":mega: " + incident.Escape(text)}
	if m.st.ChannelID == "" {
		m.sp.untold = append(m.sp.untold, told)
		return
	}
	told.Channel = m.st.ChannelID
	m.postAll(ctx, "tell the war room of the public post", []activities.PostRequest{told})
}

// statusPageRoomOpened tells the war room, once it is open, of the public
// posts made before.
func (m *maintenanceWorkflow) statusPageRoomOpened(ctx workflow.Context) {
	if len(m.sp.untold) == 0 || m.st.ChannelID == "" {
		return
	}
	reqs := m.sp.untold
	m.sp.untold = nil
	for i := range reqs {
		reqs[i].Channel = m.st.ChannelID
	}
	m.postAll(ctx, "tell the war room of the public posts", reqs)
}

// maintRetryable reports whether err is worth retrying (not a refusal).
func maintRetryable(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return !app.NonRetryable()
	}
	return true
}

// tellStatusPage tells the war room (or the first announce channel before
// it opens) once that the status page isn't taking posts; every failure is
// a note.
func (m *maintenanceWorkflow) tellStatusPage(ctx workflow.Context, text string) {
	m.note(ctx, text)
	sp := m.st.StatusPage
	if sp.Told {
		return
	}
	sp.Told = true
	ch := m.warRoomOrAnnounce()
	if ch == "" {
		return
	}
	m.postAll(ctx, "tell that the status page isn't updated", []activities.PostRequest{{
		Channel: ch, Key: "maint-statuspage-failed",
		Text: ":warning: Status page, maintenance “" + incident.Escape(incident.Truncate(m.win.Title, 120)) + "”: " + incident.EscapeTopic(text),
	}})
}

// drainStatusPage waits, when the window is over, for its last posts.
func (m *maintenanceWorkflow) drainStatusPage(ctx workflow.Context) {
	if !m.sp.on || len(m.sp.queue) == 0 {
		return
	}
	ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout: maintStatusPageDrain, TimerOptions: workflow.TimerOptions{Summary: "last status page posts"},
	}, func() bool { return len(m.sp.queue) == 0 })
	if err == nil && !ok {
		m.note(ctx, "the status page's last posts didn't go out; update it by hand")
	}
}

// statusPageEntryText is the timeline entry of post p, made at t:
// "published to the status page at 14:05: “DB upgrade” — scheduled: …
// (components: cmpcheckout01 under_maintenance)"; the first names the
// maintenance.
func (m *maintenanceWorkflow) statusPageEntryText(p maintenancePost, t time.Time, first bool) string {
	verb := "updated the status page"
	switch {
	case first:
		verb = "published to the status page"
	case p.cancel:
		verb = "cancelled on the status page"
	}
	text := verb + " at " + incident.Clock(t, m.loc) + ": "
	if first {
		text += "“" + incident.Truncate(strings.Join(strings.Fields(m.win.Title), " "), 120) + "” — "
	}
	text += p.status + ": " + incident.Truncate(strings.Join(strings.Fields(p.body), " "), 240)
	var comps []string
	for _, id := range m.statusPageComponentIDs() {
		if st, ok := p.comps[id]; ok {
			comps = append(comps, id+" "+st)
		}
	}
	if len(comps) > 0 {
		text += " (components: " + strings.Join(comps, ", ") + ")"
	}
	return text
}
