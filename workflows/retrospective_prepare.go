package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// githubActivityOptions: GitHub calls retry with backoff and wait out rate
// limits (the activity sets NextRetryDelay to the reset), for up to six
// hours; configuration errors don't retry. The activities heartbeat while
// GitHub answers.
var githubActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    2 * time.Minute,
	ScheduleToCloseTimeout: 6 * time.Hour,
	HeartbeatTimeout:       HeartbeatTimeout,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 15 * time.Minute,
	},
}

// calendarActivityOptions: a calendar that stays down for an hour gets a
// message in the war room instead. The booking heartbeats while the
// calendar answers.
var calendarActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: time.Hour,
	HeartbeatTimeout:       HeartbeatTimeout,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
	},
}

// maxIssueBody keeps the postmortem within GitHub's 65,536 characters; the
// timeline, last, is what gets cut.
const maxIssueBody = 65000

// Names of the preparation steps (RetroState.Steps).
const (
	stepSlot       = "slot"
	stepPeople     = "people"
	stepPostmortem = "postmortem"
	stepBooking    = "booking"
	stepAnnounce   = "announce"
	stepReminded   = "reminded"
	stepDonePrompt = "done-prompt"
	stepDoneAck    = "done-ack"
	stepFollowUp   = "follow-up"
)

func (r *retrospectiveWorkflow) call(opts workflow.ActivityOptions, summary string) workflow.Context {
	opts.Summary = summary
	return workflow.WithActivityOptions(r.ctx, opts)
}

// prepare books the meeting, publishes the postmortem, opens the action
// items' issues and announces the retrospective in the war room. Each step
// runs once, even across continue-as-new.
func (r *retrospectiveWorkflow) prepare() {
	r.setPhase(incident.RetroPreparing)
	r.once(stepSlot, r.pickSlot)
	r.once(stepPeople, func() {
		r.lookUpPeople(slices.Concat(r.inc.Participants(), r.inc.NamedUsers(), r.owners(r.itemsWithoutIssue())))
	})
	r.once(stepPostmortem, r.publishPostmortem)
	r.openIssues(r.itemsWithoutIssue(), true)
	r.once(stepBooking, r.book)
	r.once(stepAnnounce, func() {
		r.post("Announce the retrospective", "announce", incident.RetroAnnounceText(r.inc, r.st, r.loc), addItemsButton(r.st.IncidentID))
	})
	r.setPhase(incident.RetroScheduled)
}

func (r *retrospectiveWorkflow) pickSlot() {
	resolved := r.inc.ResolvedAt
	if resolved.IsZero() {
		resolved = r.now()
	}
	slot, err := incident.RetrospectiveSlot(resolved, r.cfg)
	if err != nil {
		r.warn("The retrospective settings are invalid (" + err.Error() + "); booking with the defaults.")
		slot, _ = incident.RetrospectiveSlot(resolved, incident.Retrospective{TimeZone: r.cfg.TimeZone, BusinessDaysAfter: -1})
	}
	r.st.Meeting = slot
	r.st.FollowUpUntil = slot.End.Add(r.cfg.FollowUpFor)
}

// lookUpPeople learns the names and emails of the users not known yet, and
// the war room's link.
func (r *retrospectiveWorkflow) lookUpPeople(users []string) {
	var unknown []string
	for _, u := range users {
		if _, ok := r.st.People[u]; !ok && u != "" {
			unknown = append(unknown, u)
		}
	}
	if len(unknown) == 0 && (r.st.WarRoomURL != "" || r.inc.ChannelID == "") {
		return
	}
	req := activities.RetroPeopleRequest{Users: unknown, Channel: r.inc.ChannelID, KickoffTS: r.inc.Kickoff.TS}
	var res activities.RetroPeople
	err := workflow.ExecuteActivity(slackCall(r.ctx, "Look up the retrospective's people"), slackActivities.RetroPeople, req).Get(r.ctx, &res)
	if err != nil {
		r.warn("I couldn't look up the participants in Slack (" + errorMessage(err) + "), so the invite may miss people.")
		return
	}
	if r.st.People == nil {
		r.st.People = map[string]incident.Person{}
	}
	for _, p := range res.People {
		r.st.People[p.ID] = p
	}
	if res.WarRoomURL != "" {
		r.st.WarRoomURL = res.WarRoomURL
	}
}

// pmContext is what the postmortem and the issues show besides the
// incident.
func (r *retrospectiveWorkflow) pmContext() incident.PostmortemContext {
	pc := incident.PostmortemContext{People: r.st.People, WarRoomURL: r.st.WarRoomURL, Meeting: r.st.Meeting,
		Issues: map[string]string{}, TimeZone: r.cfg.TimeZone}
	for _, it := range r.st.Items {
		pc.ActionItems = append(pc.ActionItems, it.ActionItem)
		if it.Issue.URL != "" {
			pc.Issues[it.Key] = it.Issue.URL
		}
	}
	return pc
}

// publishPostmortem opens the postmortem issue, or brings its action-item
// list up to date; the war room of a security incident kept off GitHub is
// told instead why it gets none.
func (r *retrospectiveWorkflow) publishPostmortem() {
	if r.st.OffGitHub {
		r.warn(incident.RetroSecurityOffGitHubText)
		return
	}
	pc := r.pmContext()
	req := activities.PostmortemRequest{
		IncidentID: r.st.IncidentID, Title: incident.PostmortemTitle(r.inc),
		Body:        incident.Truncate(incident.RenderPostmortem(r.inc, pc), maxIssueBody),
		ActionItems: pc.ActionItemsMarkdown(),
		Labels:      []string{incident.PostmortemLabel, string(r.inc.Severity)},
		NotBefore:   r.inc.Declaration.DeclaredAt,
		Repo:        r.st.Repo,
	}
	var res activities.IssueResult
	err := workflow.ExecuteActivity(r.call(githubActivityOptions, "Publish the postmortem"), githubActivities.PublishPostmortem, req).Get(r.ctx, &res)
	if err != nil {
		r.warn("I couldn't publish the postmortem on GitHub: " + errorMessage(err))
		return
	}
	r.st.Postmortem = incident.RetroIssue{Number: res.Number, URL: res.URL, State: res.State}
	for _, w := range res.Warnings {
		r.warn("Postmortem: " + w)
	}
}

func (r *retrospectiveWorkflow) itemsWithoutIssue() []int {
	var out []int
	for i, it := range r.st.Items {
		if it.Issue.Number == 0 {
			out = append(out, i)
		}
	}
	return out
}

// owners are the owners of the items at idx.
func (r *retrospectiveWorkflow) owners(idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, r.st.Items[i].Owner)
	}
	return out
}

// issueKey is the key of an item's issue marker: unique across incidents.
func (r *retrospectiveWorkflow) issueKey(it incident.ActionItem) string {
	return r.st.IncidentID + "-" + it.Key
}

// openIssues opens the issues of the items at idx, then updates the
// postmortem's list. With loud, failures are told to the war room (later
// retries of items that failed before stay quiet). It returns the warnings
// GitHub's answers raised. The items of a security incident kept off GitHub
// get no issues.
func (r *retrospectiveWorkflow) openIssues(idx []int, loud bool) []string {
	if len(idx) == 0 || r.st.OffGitHub {
		return nil
	}
	r.lookUpPeople(r.owners(idx))
	pc := r.pmContext()
	var warnings []string
	opened := 0
	for _, i := range idx {
		it := &r.st.Items[i]
		req := activities.ActionItemIssueRequest{
			Key: r.issueKey(it.ActionItem), Title: incident.IssueTitle(it.Text),
			Body:      incident.ActionItemIssueBody(r.inc, it.ActionItem, incident.ActionItemMarker(r.issueKey(it.ActionItem)), pc, r.st.Postmortem.URL),
			Labels:    incident.ActionItemLabels(r.cfg.Labels, r.inc.Severity),
			Assignee:  r.cfg.Assignees[it.Owner],
			NotBefore: r.inc.Declaration.DeclaredAt,
			Repo:      r.st.Repo,
		}
		var res activities.IssueResult
		err := workflow.ExecuteActivity(r.call(githubActivityOptions, fmt.Sprintf("Open the issue of action item %d", i+1)),
			githubActivities.OpenActionItem, req).Get(r.ctx, &res)
		if err != nil {
			if loud {
				warnings = append(warnings, fmt.Sprintf("I couldn't open an issue for “%s”: %s", incident.Escape(incident.Truncate(it.Text, 200)), errorMessage(err)))
			}
			continue
		}
		opened++
		it.Issue = incident.RetroIssue{Number: res.Number, URL: res.URL, State: res.State}
		if len(res.Assignees) > 0 {
			it.Assignee = res.Assignees[0]
		}
		for _, w := range res.Warnings {
			warnings = append(warnings, fmt.Sprintf("Issue #%d (“%s”): %s", res.Number, incident.Escape(incident.Truncate(it.Text, 200)), w))
		}
	}
	if opened > 0 && r.st.Steps[stepPostmortem] && r.st.Postmortem.Number > 0 {
		r.publishPostmortem()
	}
	for _, w := range warnings {
		r.warn(w)
	}
	return warnings
}

// book books the review meeting on the configured calendar.
func (r *retrospectiveWorkflow) book() {
	var attendees []incident.Person
	for _, id := range r.inc.Participants() {
		if p, ok := r.st.People[id]; ok && !p.Bot && p.Email != "" {
			attendees = append(attendees, p)
		}
	}
	m := activities.Meeting{
		IncidentID: r.st.IncidentID, Title: incident.RetroMeetingTitle(r.inc), Description: incident.RetroMeetingDescription(r.inc, r.st),
		Start: r.st.Meeting.Start, End: r.st.Meeting.End, TimeZone: r.cfg.TimeZone,
		Attendees: attendees, Channel: r.inc.ChannelID, URL: r.st.Postmortem.URL,
	}
	var b activities.Booking
	err := workflow.ExecuteActivity(r.call(calendarActivityOptions, "Book the retrospective meeting"), calendarActivities.BookMeeting, m).Get(r.ctx, &b)
	if err != nil {
		r.warn(fmt.Sprintf("I couldn't book the retrospective meeting (%s). It is still planned for %s: please invite the participants yourself.",
			errorMessage(err), incident.RetroWhen(r.st.Meeting.Start, r.loc)))
		return
	}
	r.st.Booked, r.st.MeetingURL = true, b.URL
}
