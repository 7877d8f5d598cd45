package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionStatusPage is the change that puts incidents on the public status
// page: UpdatePublishStatusPage, a status update's Public part, and the
// resolution of a published incident. An incident begun before it never
// published, so its replay never reaches the code this guards; each step
// of it asks GetVersion as it first records a command of its own.
const versionStatusPage = "statuspage"

// How long the status page may fail to take a post: after
// statusPageTellAfter the war room hears of it (once for the outage), and
// after statusPageGiveUpAfter in all the post is dropped and noted.
const (
	statusPageTellAfter   = 5 * time.Minute
	statusPageGiveUpAfter = 2 * time.Hour
	// maxPendingPublicPosts bounds the posts waiting to go out, which the
	// incident carries across continue-as-new.
	maxPendingPublicPosts = 20
)

// publicSender is a run's sender of public posts: started once the run's
// coroutine runs (sendPublicPosts), busy while it sends a post.
type publicSender struct {
	started, busy bool
}

// statusPageActivityOptions bound one Statuspage call: each attempt a
// minute, retried with backoff until the schedule-to-close the caller
// sets. The attempts are bounded only so that nothing (the test
// environment caps an unbounded policy at ten) cuts the retries shorter
// than that: two hours at a minute apart is 120.
var statusPageActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    2 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
		MaximumAttempts:    1000,
	},
}

// statusPageVersion asks, once per run, whether this run publishes to the
// status page (always, since versionStatusPage: only runs since publish).
func (w *incidentWorkflow) statusPageVersion(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionStatusPage, workflow.DefaultVersion, 1) >= 1
}

func (w *incidentWorkflow) validatePublishStatusPage(_ workflow.Context, req wfapi.PublishStatusPageRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	if w.dr.on {
		return req.Check() // a draft: nothing goes out
	}
	if !w.proc.StatusPage {
		return errors.New("the status page isn't set up on this incidentflow: set statuspage.api_key and statuspage.page_id (incidentflow dev uses its sandbox without them)")
	}
	if err := incident.CheckPublishable(&w.inc); err != nil {
		return err
	}
	if err := w.checkPendingRoom(); err != nil {
		return err
	}
	return req.Check()
}

// checkPendingRoom refuses a post while too many wait to go out.
func (w *incidentWorkflow) checkPendingRoom() error {
	if sp := w.inc.StatusPage; sp != nil && len(sp.Pending) >= maxPendingPublicPosts {
		return fmt.Errorf("%d public posts are still waiting for the status page to take them; try again once they are out (the war room hears when it's down)", len(sp.Pending))
	}
	return nil
}

// publishStatusPage puts the incident on the status page: the first call
// creates the public incident, later ones post updates to it. Only the
// Publish rule's people may (the spokesperson and the commander by
// default), and a security incident only with public text its commander
// typed (refuseUntypedSecurityPost). The post goes out in the background
// (sendPublicPosts): an outage of Statuspage never holds up the door.
func (w *incidentWorkflow) publishStatusPage(ctx workflow.Context, req wfapi.PublishStatusPageRequest) (wfapi.PublishStatusPageOutcome, error) {
	if err := w.openForChange(ctx); err != nil {
		return wfapi.PublishStatusPageOutcome{}, err
	}
	if err := w.permit(ctx, incident.ActionPublish, req.By, req.Operator); err != nil {
		return wfapi.PublishStatusPageOutcome{}, err
	}
	if err := w.refuseUntypedSecurityPost(ctx, req.By, req.TypedByCommander); err != nil {
		return wfapi.PublishStatusPageOutcome{}, err
	}
	if w.dr.on {
		return w.draftStatusPage(ctx, req), nil
	}
	if !w.statusPageVersion(ctx) {
		return wfapi.PublishStatusPageOutcome{}, errors.New("this incident began before incidentflow could publish to the status page")
	}
	created := !w.inc.OnStatusPage()
	if w.inc.StatusPage == nil {
		w.inc.StatusPage = &incident.StatusPage{Name: req.Name}
	}
	status := req.Status
	if status == "" {
		status = wfapi.PublicStatusOf(w.inc.Status)
	}
	w.queuePublicPost(ctx, incident.PublicPost{
		By: req.By, Name: req.Name, Body: req.Body, Status: status, Impact: req.Impact, Comps: req.Components,
	})
	sp := w.inc.StatusPage
	return wfapi.PublishStatusPageOutcome{Created: created, PageIncidentID: sp.PageIncidentID, Queued: len(sp.Pending)}, nil
}

// refuseUntypedSecurityPost refuses a public post of a security incident
// unless its commander sends it with text they typed into empty fields
// (typed): nothing about a breach goes public in words a form prefilled or
// someone else chose. The refusal goes on the timeline.
func (w *incidentWorkflow) refuseUntypedSecurityPost(ctx workflow.Context, by string, typed bool) error {
	if !w.inc.Declaration.Security || (typed && by != "" && by == w.inc.Commander) {
		return nil
	}
	w.record(ctx, by, incident.EntryRefused, "tried to publish this security incident to the status page and was refused")
	return temporal.NewNonRetryableApplicationError(securityPostSentence(&w.inc), wfapi.NotAllowedError, nil)
}

// securityPostSentence says who may publish security incident inc.
func securityPostSentence(inc *incident.Incident) string {
	who := "its commander"
	if inc.Commander != "" {
		who += " (" + incident.Mention(inc.Commander) + ")"
	}
	return "A security incident goes on the status page only with public text " + who +
		" typed themselves into the empty form: nothing prefilled, nobody else's words."
}

// validatePublicUpdate refuses the public part of a status update to an
// incident not on the status page, from anyone the Publish rule doesn't
// name or, in a security incident, anyone but its commander, or while too
// many posts wait: before anything is posted, so the author can send the
// update again without it.
func (w *incidentWorkflow) validatePublicUpdate(req wfapi.PostStatusRequest) error {
	if req.Public == nil {
		return nil
	}
	if !w.inc.OnStatusPage() {
		return errors.New("this incident isn't on the status page, so the update can't be published there: publish it first (the kickoff's Publish to status page button)")
	}
	if err := w.proc.Permit(incident.ActionPublish, &w.inc, incident.Actor{User: req.Author}, incident.MembershipUnknown); err != nil {
		return err
	}
	if w.inc.Declaration.Security && req.Author != w.inc.Commander {
		return errors.New(securityPostSentence(&w.inc))
	}
	return w.checkPendingRoom()
}

// publishUpdate queues the public part of status update req, whose status
// is status.
func (w *incidentWorkflow) publishUpdate(ctx workflow.Context, req wfapi.PostStatusRequest, status incident.Status) {
	if req.Public == nil || !w.inc.OnStatusPage() || !w.statusPageVersion(ctx) {
		return
	}
	public := req.Public.Status
	if public == "" {
		public = wfapi.PublicStatusOf(status)
	}
	w.queuePublicPost(ctx, incident.PublicPost{By: req.Author, Body: req.Public.Body, Status: public, Comps: req.Public.Components})
}

// publishResolution queues, for an incident on the status page, the post
// that resolves its public incident and sets its components back to
// operational.
func (w *incidentWorkflow) publishResolution(ctx workflow.Context, by string) {
	if !w.inc.OnStatusPage() || w.inc.StatusPage.Resolved || !w.statusPageVersion(ctx) {
		return
	}
	w.inc.StatusPage.Resolved = true
	w.queuePublicPost(ctx, incident.PublicPost{By: by, Body: incident.ResolvedPublicBody, Status: wfapi.PublicResolved, Resolve: true})
}

// queuePublicPost queues p to go out after the posts already queued, under
// a key of its own, and starts the sender.
func (w *incidentWorkflow) queuePublicPost(ctx workflow.Context, p incident.PublicPost) {
	sp := w.inc.StatusPage
	sp.Queued++
	p.Key = fmt.Sprintf("%s-public-%d", w.inc.Declaration.ID, sp.Queued)
	sp.Pending = append(sp.Pending, p)
	w.sendPublicPosts(ctx)
}

// sendPublicPosts starts, once per run, the coroutine that sends the
// queued public posts one at a time, oldest first, so that the public
// incident exists before its updates and the resolution comes last. A run
// continued from another starts it for the posts it was handed.
func (w *incidentWorkflow) sendPublicPosts(ctx workflow.Context) {
	if w.public.started || w.inc.StatusPage == nil {
		return
	}
	w.public.started = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			if err := workflow.Await(ctx, func() bool { return len(w.inc.StatusPage.Pending) > 0 }); err != nil {
				return
			}
			w.public.busy = true
			w.sendPublicPost(ctx, w.inc.StatusPage.Pending[0])
			w.inc.StatusPage.Pending = w.inc.StatusPage.Pending[1:]
			w.public.busy = false
		}
	})
}

// statusPageSettled reports whether no public post waits or is on its way.
func (w *incidentWorkflow) statusPageSettled() bool {
	return w.inc.StatusPage == nil || (len(w.inc.StatusPage.Pending) == 0 && !w.public.busy)
}

// sendPublicPost sends p. While Statuspage is down it retries for
// statusPageTellAfter, then tells the war room (once for the outage) and
// goes on retrying until statusPageGiveUpAfter; a post Statuspage refuses,
// or one that never goes through, is told in the war room and noted. Once
// out, it goes on the timeline; the first tells the war room where the
// public incident is.
func (w *incidentWorkflow) sendPublicPost(ctx workflow.Context, p incident.PublicPost) {
	sp := w.inc.StatusPage
	req := activities.PublicIncidentRequest{
		IncidentID: w.inc.Declaration.ID, PageIncidentID: sp.PageIncidentID,
		Name: p.Name, Status: p.Status, Body: p.Body, Impact: p.Impact, Components: p.Comps, UpdateKey: p.Key,
	}
	if req.PageIncidentID == "" && req.Name == "" {
		req.Name = sp.Name // the creation failed for good: this post creates it
	}
	if p.Resolve {
		p.Comps = sp.OperationalComponents()
		req.Components = p.Comps
	}
	summary := "Update the public incident on the status page"
	if req.PageIncidentID == "" {
		summary = "Create the public incident on the status page"
	}
	var out activities.PublicIncident
	err := w.callStatusPage(ctx, summary, req, statusPageTellAfter, &out)
	if err != nil && !refused(err) {
		if !sp.OutageTold {
			sp.OutageTold = true
			w.tellWarRoom(ctx, "statuspage-outage-"+p.Key, fmt.Sprintf(
				":warning: The status page hasn't taken a public post for %s (%s). The incident goes on: updates and the resolution aren't held up, and incidentflow keeps trying in the background for up to %s. If customers need to hear sooner, post on the status page by hand.",
				incident.FormatDuration(statusPageTellAfter), incident.Escape(errorMessage(err)), incident.FormatDuration(statusPageGiveUpAfter)))
		}
		err = w.callStatusPage(ctx, summary, req, statusPageGiveUpAfter-statusPageTellAfter, &out)
	}
	if err != nil {
		what := "the public post"
		if p.Resolve {
			what = "the public incident's resolution"
		}
		w.note(ctx, "could not publish to the status page: "+errorMessage(err)+"; "+what+" was NOT posted")
		if refused(err) {
			w.tellWarRoom(ctx, "statuspage-refused-"+p.Key, fmt.Sprintf(
				":x: The status page refused %s (%s): nothing was posted there. Fix what it says and publish again.", what, incident.Escape(errorMessage(err))))
		}
		return
	}
	first := sp.PageIncidentID == ""
	sp.Posted(p, out.ID, out.Shortlink)
	w.record(ctx, p.By, incident.EntryStatusPage, incident.StatusPageEntryText(p, workflow.Now(ctx), w.loc))
	if first {
		w.tellWarRoom(ctx, "statuspage-published", incident.PublishedText(sp, p.By))
	}
}

// callStatusPage runs PublishIncident with req, retrying for at most
// within, and puts its result in out.
func (w *incidentWorkflow) callStatusPage(ctx workflow.Context, summary string, req activities.PublicIncidentRequest, within time.Duration, out *activities.PublicIncident) error {
	opts := statusPageActivityOptions
	opts.Summary = summary
	opts.ScheduleToCloseTimeout = within
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), statuspageActivities.PublishIncident, req).Get(ctx, out)
}

// refused reports whether err is Statuspage's (or the activity's) no for
// good, rather than an outage worth retrying.
func refused(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable()
}

// tellWarRoom posts text in the war room (idempotent per key); a post
// that fails is noted.
func (w *incidentWorkflow) tellWarRoom(ctx workflow.Context, key, text string) {
	b := w.newBatch()
	b.add("tell the war room about the status page", w.post(ctx, "Tell the war room about the status page", activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: text,
	}), nil)
	b.wait(ctx)
}

// withStatusPageButton adds to an open incident's kickoff buttons "Publish
// to status page" when the status page is set up: the door opens the form
// that publishes. A button's presence records no command.
func (w *incidentWorkflow) withStatusPageButton(buttons []activities.Button) []activities.Button {
	if w.dr.on {
		return append(buttons, activities.Button{ActionID: wfapi.ActionPublishStatusPage, Text: "Draft status page post", Value: w.inc.Declaration.ID})
	}
	if !w.proc.StatusPage || incident.CheckPublishable(&w.inc) != nil {
		return buttons
	}
	return append(buttons, activities.Button{ActionID: wfapi.ActionPublishStatusPage, Text: "Publish to status page", Value: w.inc.Declaration.ID})
}
