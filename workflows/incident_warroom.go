package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionPurposeInParallel is the change that moved setting the war room's
// purpose out of CreateChannel into the batch that follows it.
const versionPurposeInParallel = "purpose-in-parallel"

// versionNameBesideKickoff is the change that creates the war room under its
// provisional name and gives it its name (NameChannel) beside the kickoff
// post, instead of within CreateChannel before it.
const versionNameBesideKickoff = "name-beside-kickoff"

// maxNameSuffix is the highest "-N" suffix tried when war-room names are
// taken.
const maxNameSuffix = 9

// openWarRoom creates the war room, then equips it and announces the
// incident with calls that run side by side: topic, invitations,
// bookmarks, the pinned kickoff message, the announcements and the
// declarer's acknowledgement.
//
// Only the channel's creation precedes the kickoff post: the channel is
// created under its provisional name (only this incident's, so a crash
// never doubles it) and given its name in the batch beside the kickoff
// ("name-beside-kickoff"; before it, CreateChannel renamed it first), and
// the purpose (with the incident's marker) is set in the batch too. Incidents started
// before that change ("purpose-in-parallel") set the purpose within
// CreateChannel, and keep doing so when replayed.
func (w *incidentWorkflow) openWarRoom(ctx workflow.Context) error {
	d := w.inc.Declaration
	purposeInParallel := workflow.GetVersion(ctx, versionPurposeInParallel, workflow.DefaultVersion, 1) >= 1
	nameBeside := workflow.GetVersion(ctx, versionNameBesideKickoff, workflow.DefaultVersion, 1) >= 1
	names := w.channelNames()
	req := activities.CreateChannelRequest{IncidentID: d.ID, Names: names, Private: d.Security, Provisional: nameBeside}
	if !purposeInParallel {
		req.Purpose = w.purpose()
	}
	var ch activities.Channel
	err := workflow.ExecuteActivity(slackCall(ctx, "Create the war room"), slackActivities.CreateChannel, req).Get(ctx, &ch)
	if err != nil {
		w.note(ctx, "could not open the war room: "+errorMessage(err))
		return err
	}
	w.inc.ChannelID = ch.ID
	w.inc.NextUpdateBy = w.proc.NextUpdateDue(w.inc.Severity, workflow.Now(ctx), 0)
	nameRequest := activities.NameChannelRequest{IncidentID: d.ID, Channel: ch, Names: names}
	// A video link made of the channel's name needs the name before the
	// bookmarks: then naming stays ahead of the batch.
	nameInBatch := nameBeside && !strings.Contains(w.proc.VideoLink, "{channel}")
	if nameBeside && !nameInBatch {
		ch = w.nameWarRoom(ctx, w.nameChannel(ctx, nameRequest), ch)
	}
	if !nameInBatch {
		w.warRoomOpened(ctx, ch)
	}

	var invited activities.InviteResult
	w.inc.Announcements = make([]incident.MessageRef, len(w.proc.AnnounceChannels))
	b := w.newBatch()
	var naming workflow.Future
	if nameInBatch {
		naming = w.nameChannel(ctx, nameRequest)
	}
	kickoff := func() {
		text, buttons := w.kickoff(ctx)
		w.kickoffShown = text
		b.add("post the kickoff message", w.post(ctx, "Post and pin the kickoff message", activities.PostRequest{
			Channel: ch.ID, Key: activities.KeyKickoff, Text: text, Buttons: buttons, Pin: true,
		}), &w.inc.Kickoff)
	}
	if purposeInParallel {
		// The kickoff post and pin are the critical path: schedule them first,
		// then the purpose that a retried create looks for.
		kickoff()
		b.add("set the purpose", workflow.ExecuteActivity(slackCall(ctx, "Set the purpose"), slackActivities.SetPurpose,
			activities.PurposeRequest{Channel: ch.ID, IncidentID: d.ID, Purpose: w.purpose()}), nil)
	}
	b.add("set the topic", w.setTopic(ctx), nil)
	b.add("invite the responders", w.invite(ctx, "Invite the declarer, the commander and the leads", w.responders()), &invited)
	if marks := w.bookmarks(ctx); len(marks) > 0 {
		b.add("bookmark the documents", workflow.ExecuteActivity(slackCall(ctx, "Bookmark the documents"),
			slackActivities.AddBookmarks, activities.BookmarksRequest{Channel: ch.ID, Bookmarks: marks}), nil)
	}
	if !purposeInParallel {
		kickoff()
	}
	for i, c := range w.proc.AnnounceChannels {
		w.inc.Announcements[i].Channel = c
		b.add("announce the incident in "+c, w.post(ctx, "Announce the incident in "+c, activities.PostRequest{
			Channel: c, Key: activities.KeyAnnounce, Text: incident.AnnouncementText(&w.inc),
		}), &w.inc.Announcements[i])
	}
	b.add("tell the declarer", w.notify(ctx, "Acknowledge the declaration to its declarer", activities.NotifyRequest{
		User: d.Declarer, Channel: d.OriginChannel, Key: "ack", Text: incident.AckText(&w.inc),
	}), nil)
	b.wait(ctx)
	if nameInBatch {
		w.warRoomOpened(ctx, w.nameWarRoom(ctx, naming, ch))
	}
	for _, u := range invited.NotFound {
		w.note(ctx, "could not invite "+u+": Slack has no such user")
	}
	w.inc.AcknowledgedAt = workflow.Now(ctx)
	w.ready = true
	w.publish(ctx)
	return nil
}

// nameChannel starts giving the war room, created under its provisional
// name, its name.
func (w *incidentWorkflow) nameChannel(ctx workflow.Context, req activities.NameChannelRequest) workflow.Future {
	return workflow.ExecuteActivity(slackCall(ctx, "Name the war room"), slackActivities.NameChannel, req)
}

// nameWarRoom waits for naming and returns the war room under its name, or
// under its provisional name, saying why, when it could not be named.
func (w *incidentWorkflow) nameWarRoom(ctx workflow.Context, naming workflow.Future, provisional activities.Channel) activities.Channel {
	var named activities.Channel
	if err := naming.Get(ctx, &named); err != nil {
		w.note(ctx, "could not give the war room its name: "+errorMessage(err))
		return provisional
	}
	return named
}

// warRoomOpened records the war room under its name: in the incident, its
// timeline and its search attributes.
func (w *incidentWorkflow) warRoomOpened(ctx workflow.Context, ch activities.Channel) {
	w.inc.ChannelName = ch.Name
	w.record(ctx, "", incident.EntryWarRoom, "war room #"+ch.Name+" opened")
	w.publish(ctx)
}

// channelNames are the war-room names to try: the template's, then with
// "-2" … "-9".
func (w *incidentWorkflow) channelNames() []string {
	d := w.inc.Declaration
	names := []string{incident.ChannelName(w.proc.ChannelName, d, w.loc, "")}
	for n := 2; n <= maxNameSuffix; n++ {
		names = append(names, incident.ChannelName(w.proc.ChannelName, d, w.loc, fmt.Sprintf("-%d", n)))
	}
	return names
}

// purpose is the war room's purpose: the summary, or the title without one.
func (w *incidentWorkflow) purpose() string {
	d := w.inc.Declaration
	if strings.TrimSpace(d.Summary) != "" {
		return w.drillText(incident.EscapeTopic(d.Summary))
	}
	return w.drillText(incident.EscapeTopic(d.Title))
}

// responders are invited to the war room: the declarer, the commander and
// the leads of the severity and the service.
func (w *incidentWorkflow) responders() []string {
	users := []string{w.inc.Declaration.Declarer, w.inc.Commander}
	if w.in.Drill != nil {
		users = append(users, w.in.Drill.Participants...)
	}
	return append(users, w.proc.Leads(w.inc.Severity, w.inc.Declaration.Service)...)
}

// bookmarks are the war room's links: the process documents, the
// service's runbook, the video call and the incident's page in the
// Temporal Web UI.
func (w *incidentWorkflow) bookmarks(ctx workflow.Context) []activities.Bookmark {
	var out []activities.Bookmark
	for _, doc := range w.proc.Docs {
		out = append(out, activities.Bookmark{Title: doc.Title, Link: doc.URL})
	}
	if svc, ok := w.proc.Services[w.inc.Declaration.Service]; ok && svc.Runbook != "" {
		out = append(out, activities.Bookmark{Title: "Runbook: " + w.inc.Declaration.Service, Link: svc.Runbook})
	}
	if w.proc.VideoLink != "" {
		link := strings.NewReplacer("{channel}", w.inc.ChannelName, "{id}", w.inc.Declaration.ID).Replace(w.proc.VideoLink)
		out = append(out, activities.Bookmark{Title: "Video call", Link: link})
	}
	if w.proc.WebUIURL != "" {
		info := workflow.GetInfo(ctx)
		link := incident.WebUIWorkflowURL(w.proc.WebUIURL, info.Namespace, info.WorkflowExecution.ID)
		out = append(out, activities.Bookmark{Title: "Incident workflow (Temporal)", Link: link})
	}
	return out
}

// kickoffButtons are the buttons under the kickoff message of an open
// incident; the front door opens a modal for each.
func kickoffButtons(id string) []activities.Button {
	return []activities.Button{
		{ActionID: wfapi.ActionPostUpdate, Text: "Post update", Value: id, Style: "primary"},
		{ActionID: wfapi.ActionChangeSeverity, Text: "Change severity", Value: id},
		{ActionID: wfapi.ActionAssignRole, Text: "Assign role", Value: id},
		{ActionID: wfapi.ActionResolve, Text: "Resolve", Value: id, Style: "danger"},
	}
}
