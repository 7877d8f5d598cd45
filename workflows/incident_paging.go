package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionPaging is the change that pages the on-call through PagerDuty:
// on the declaration of a severity whose policy pages, on a severity
// raised to one, and by hand (UpdatePage); that brings who is on call into
// the war room, records PagerDuty's acknowledgements (SignalPageEvent) and
// resolves every page with the incident. Each run asks for the version
// once, as it begins (startPaging): a run begun before the change never
// pages, and refuses a page by hand with a sentence saying why.
const versionPaging = "paging"

// The paging timings.
const (
	// pageTellAfter is how long a page may keep failing before the war
	// room is told (once); the page keeps being retried after that for
	// pageKeepTrying.
	pageTellAfter  = 5 * time.Minute
	pageKeepTrying = 6 * time.Hour
	// resolvePageFor bounds the resolution of one page, retries included.
	resolvePageFor = 30 * time.Minute
	// onCallFor bounds the question who is on call, retries included.
	onCallFor = 3 * time.Minute
)

// pagerDutyRetryPolicy retries a PagerDuty call until PagerDuty takes it,
// says no for good, or its schedule-to-close timeout passes.
var pagerDutyRetryPolicy = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
}

// pagerDutyBackgroundRetry retries a page that kept failing for
// pageTellAfter, at a gentler pace.
var pagerDutyBackgroundRetry = &temporal.RetryPolicy{
	InitialInterval:    time.Minute,
	BackoffCoefficient: 2,
	MaximumInterval:    5 * time.Minute,
}

// pagerDutyCall returns ctx for a PagerDuty activity that may take within
// d, retries included, under summary in the Web UI. A cancelled call is
// waited for, so that a trigger cancelled by the resolution can't reach
// PagerDuty after the resolve does.
func pagerDutyCall(ctx workflow.Context, summary string, d time.Duration) workflow.Context {
	return pagerDutyCallWith(ctx, summary, d, pagerDutyRetryPolicy)
}

// pagerDutyCallWith is pagerDutyCall with retry policy.
func pagerDutyCallWith(ctx workflow.Context, summary string, d time.Duration, retry *temporal.RetryPolicy) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: d,
		RetryPolicy:            retry,
		WaitForCancellation:    true,
		Summary:                summary,
	})
}

// pagingState is what a run knows of its paging besides the incident's
// state (incident.Incident.Pages and the rest).
type pagingState struct {
	// on is set in runs since versionPaging.
	on bool
	// busy counts the paging coroutines still working: the run ends only
	// once every page is resolved (pagingSettled).
	busy int
	// events receives SignalPageEvent.
	events workflow.ReceiveChannel
}

// startPaging asks, once per run, whether this run pages
// (versionPaging); if it does it starts the coroutine that records
// PagerDuty's events, takes up the pages an earlier run left unfinished
// and, in the run that opens the incident, sends the declaration's page
// when the severity's policy pages. Every page runs beside the main path:
// nothing here waits for PagerDuty.
func (w *incidentWorkflow) startPaging(ctx workflow.Context) {
	if workflow.GetVersion(ctx, versionPaging, workflow.DefaultVersion, 1) < 1 {
		return
	}
	w.pg.on = true
	w.pg.events = workflow.GetSignalChannel(ctx, wfapi.SignalPageEvent)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var ev wfapi.PageEvent
			w.pg.events.Receive(ctx, &ev)
			w.pg.busy++
			w.recordPageEvent(ctx, ev, true)
			w.pg.busy--
		}
	})
	for i := range w.inc.Pages {
		if !w.inc.Pages[i].Resolved {
			w.goPage(ctx, i)
		}
	}
	if w.in.State == nil && w.autoPages(w.inc.Severity) {
		w.requestPage(ctx, "", "", "declared "+string(w.inc.Severity))
	}
}

// pagingSettled reports whether no page is being sent, resolved or
// reported: what the run waits for before it ends.
func (w *incidentWorkflow) pagingSettled() bool { return w.pg.busy == 0 }

// drainPageEvents records the PagerDuty events delivered but not yet read,
// before the run continues as new (they would be lost with it).
func (w *incidentWorkflow) drainPageEvents(ctx workflow.Context) {
	if w.pg.events == nil {
		return
	}
	var ev wfapi.PageEvent
	for w.pg.events.ReceiveAsync(&ev) {
		w.recordPageEvent(ctx, ev, false)
		ev = wfapi.PageEvent{}
	}
}

// autoPages reports whether an incident of severity s pages by itself: in
// runs since versionPaging, an incident (not a drill or a maintenance
// window) whose severity's policy pages and whose service PagerDuty takes.
func (w *incidentWorkflow) autoPages(s incident.Severity) bool {
	k := w.inc.Declaration.Kind
	return w.pg.on && (k == "" || k == incident.KindIncident) && w.proc.PagesOn(s, w.inc.Declaration.Service)
}

// pageOnRaise pages, when c raised the severity to one whose policy pages,
// the incident's own on-call, unless it was paged before.
func (w *incidentWorkflow) pageOnRaise(ctx workflow.Context, c incident.SeverityChange) {
	levels := w.proc.SeverityLevels() // most severe first
	from, to := slices.Index(levels, c.From), slices.Index(levels, c.To)
	if to < 0 || (from >= 0 && from <= to) || !w.autoPages(c.To) {
		return
	}
	w.requestPage(ctx, "", "", "severity raised to "+string(c.To))
}

// pageKey is the dedup key and the service of a page of service ("" or the
// incident's own service: the incident's own page).
func (w *incidentWorkflow) pageKey(service string) (key, svc string) {
	d := w.inc.Declaration
	if service == "" || service == d.Service {
		return wfapi.PageDedupKey(d.ID, ""), d.Service
	}
	return wfapi.PageDedupKey(d.ID, service), service
}

// requestPage starts the page of service (see pageKey) that by ("" for
// incidentflow) asked for, why says what paged, and returns at once. A
// page sent before, or still being sent, is not sent again: the outcome
// says Already. A page given up on is tried again.
func (w *incidentWorkflow) requestPage(ctx workflow.Context, service, by, why string) wfapi.PageOutcome {
	key, svc := w.pageKey(service)
	out := wfapi.PageOutcome{DedupKey: key, Service: svc}
	if i := w.inc.PageOf(key); i >= 0 {
		p := &w.inc.Pages[i]
		if !p.Failed || p.Resolved {
			out.Already = true
			return out
		}
		p.Failed, p.Told, p.By, p.Why, p.RequestedAt = false, false, by, why, workflow.Now(ctx)
		w.goPage(ctx, i)
		return out
	}
	w.inc.Pages = append(w.inc.Pages, incident.Page{Service: svc, DedupKey: key, By: by, Why: why, RequestedAt: workflow.Now(ctx)})
	w.goPage(ctx, len(w.inc.Pages)-1)
	return out
}

// goPage runs page i of w.inc.Pages beside the main path: sends it unless
// it was sent, then, once the incident is resolved, resolves it.
func (w *incidentWorkflow) goPage(ctx workflow.Context, i int) {
	w.pg.busy++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.pg.busy-- }()
		if !w.inc.Pages[i].Sent() && !w.inc.Pages[i].Failed {
			w.sendPage(ctx, i)
		}
		if w.inc.Pages[i].Failed && !w.inc.Pages[i].Sent() {
			return // nothing reached PagerDuty; a page by hand tries again
		}
		if workflow.Await(ctx, func() bool { return w.inc.IsResolved() }) != nil {
			return
		}
		w.resolvePage(ctx, i)
	})
}

// errResolvedMeanwhile ends a page the incident's resolution overtook.
var errResolvedMeanwhile = errors.New("the incident was resolved before PagerDuty took the page")

// sendPage sends page i once the war room exists (its link goes in the
// page). A page that keeps failing for pageTellAfter, or that PagerDuty
// refuses for good, is told in the war room once, in words; one that can
// still get through is retried in the background for pageKeepTrying. Once
// PagerDuty takes it, the war room hears who was paged, and who is on call
// is brought in (bringOnCall).
func (w *incidentWorkflow) sendPage(ctx workflow.Context, i int) {
	if err := workflow.Await(ctx, func() bool { return w.inc.ChannelID != "" || w.warRoomErr != nil }); err != nil || w.inc.ChannelID == "" {
		return
	}
	p := w.inc.Pages[i]
	req := w.pageRequest(ctx, p)
	var res activities.PageResult
	err := w.untilResolved(ctx, pagerDutyCall(ctx, "Page "+p.Target()+" (PagerDuty)", pageTellAfter), req, &res)
	if err != nil && !errors.Is(err, errResolvedMeanwhile) {
		retryable := pageRetryable(err)
		w.tellPageFailing(ctx, i, err, retryable)
		if retryable {
			err = w.untilResolved(ctx, pagerDutyCallWith(ctx, "Keep paging "+p.Target()+" (PagerDuty)", pageKeepTrying, pagerDutyBackgroundRetry), req, &res)
		}
		if err != nil && !errors.Is(err, errResolvedMeanwhile) {
			w.inc.Pages[i].Failed = true
			w.note(ctx, "gave up paging "+p.Target()+" through PagerDuty: "+errorMessage(err))
			return
		}
	}
	if err != nil {
		return // resolved meanwhile: resolvePage follows
	}
	w.pageSent(ctx, i, res)
}

// untilResolved runs the Page activity with req under ctx and waits for it,
// unless the incident is resolved first: then it cancels it, waits for the
// cancellation and returns errResolvedMeanwhile (unless the page got
// through meanwhile).
func (w *incidentWorkflow) untilResolved(ctx workflow.Context, callCtx workflow.Context, req activities.PageRequest, res *activities.PageResult) error {
	callCtx, cancel := workflow.WithCancel(callCtx)
	defer cancel()
	f := workflow.ExecuteActivity(callCtx, pagerdutyActivities.Page, req)
	if err := workflow.Await(ctx, func() bool { return f.IsReady() || w.inc.IsResolved() }); err != nil {
		return err
	}
	if !f.IsReady() {
		cancel()
	}
	err := f.Get(ctx, res)
	if err != nil && w.inc.IsResolved() {
		return errResolvedMeanwhile
	}
	return err
}

// pageRetryable reports whether a failed PagerDuty call may still succeed:
// not when PagerDuty or the configuration said no for good.
func pageRetryable(err error) bool {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		return false
	}
	return !errors.As(err, new(*temporal.CanceledError))
}

// tellPageFailing tells the war room, once per page (across runs), that
// page i is failing and what happens next.
func (w *incidentWorkflow) tellPageFailing(ctx workflow.Context, i int, err error, retrying bool) {
	p := w.inc.Pages[i]
	if p.Told {
		return
	}
	w.inc.Pages[i].Told = true
	reason := errorMessage(err)
	var text, post string
	if retrying {
		text = fmt.Sprintf("could not page %s through PagerDuty for %s: %s; retrying in the background", p.Target(), incident.FormatDuration(pageTellAfter), reason)
		post = fmt.Sprintf(":warning: *PagerDuty hasn't taken the page of %s* after %s: %s\nincidentflow keeps trying in the background for %s and says so here when it gets through. If someone must come now, page them from PagerDuty or call them.",
			incident.Escape(p.Target()), incident.FormatDuration(pageTellAfter), incident.Escape(reason), incident.FormatDuration(pageKeepTrying))
	} else {
		text = fmt.Sprintf("could not page %s through PagerDuty: %s", p.Target(), reason)
		post = fmt.Sprintf(":warning: *Could not page %s through PagerDuty:* %s\nThis won't fix itself: correct the worker's PagerDuty configuration, then page again with `/incident page`. Until then page them from PagerDuty or call them.",
			incident.Escape(p.Target()), incident.Escape(reason))
	}
	key := w.record(ctx, "", incident.EntryPage, text)
	w.postInWarRoom(ctx, "Say the page of "+p.Target()+" is failing", key, post)
}

// pageSent records that PagerDuty took page i, tells the war room, and
// brings who is on call into it.
func (w *incidentWorkflow) pageSent(ctx workflow.Context, i int, res activities.PageResult) {
	now := workflow.Now(ctx)
	w.inc.Pages[i].SentAt, w.inc.Pages[i].RoutedBy = now, res.RoutedBy
	p := w.inc.Pages[i]
	what := "paged " + p.Target() + " through PagerDuty"
	if p.Why != "" {
		what += " (" + p.Why + ")"
	}
	key := w.record(ctx, p.By, incident.EntryPage, what)
	text := ":pager: *Paged " + incident.Escape(p.Target()) + "* through PagerDuty"
	if p.By != "" {
		text += ", asked by " + incident.Mention(p.By)
	} else if p.Why != "" {
		text += " (" + incident.Escape(p.Why) + ")"
	}
	if p.Told {
		text += ", at last"
	}
	text += ". Its acknowledgement will show here."
	w.postInWarRoom(ctx, "Say "+p.Target()+" was paged", key, text)
	w.publish(ctx)
	if w.proc.CanLookUpOnCall(p.Service) {
		w.bringOnCall(ctx, p.Service)
	}
}

// resolvePage resolves page i in PagerDuty: every page that was sent, or
// that the resolution overtook on its way. One that can't be resolved is
// told in the war room.
func (w *incidentWorkflow) resolvePage(ctx workflow.Context, i int) {
	p := w.inc.Pages[i]
	if p.Resolved {
		return
	}
	if p.Failed && !p.Sent() {
		w.inc.Pages[i].Resolved = true
		return
	}
	err := workflow.ExecuteActivity(pagerDutyCall(ctx, "Resolve the page of "+p.Target()+" (PagerDuty)", resolvePageFor),
		pagerdutyActivities.ResolvePage, activities.ResolvePageRequest{IncidentID: w.inc.Declaration.ID, Service: p.Service, DedupKey: p.DedupKey}).Get(ctx, nil)
	w.inc.Pages[i].Resolved = true
	if err == nil {
		w.record(ctx, "", incident.EntryPage, "resolved the PagerDuty page of "+p.Target())
		return
	}
	key := w.record(ctx, "", incident.EntryPage, "could not resolve the PagerDuty page of "+p.Target()+": "+errorMessage(err))
	w.postInWarRoom(ctx, "Say the page of "+p.Target()+" is still open", key,
		fmt.Sprintf(":warning: *Could not resolve the PagerDuty page of %s:* %s\nResolve it in PagerDuty, or it keeps escalating.", incident.Escape(p.Target()), incident.Escape(errorMessage(err))))
}

// postInWarRoom posts text in the war room under key, noting a failure in
// the timeline.
func (w *incidentWorkflow) postInWarRoom(ctx workflow.Context, summary, key, text string) {
	if w.inc.ChannelID == "" {
		return
	}
	b := w.newBatch()
	b.add(strings.ToLower(summary[:1])+summary[1:], w.post(ctx, summary, activities.PostRequest{Channel: w.inc.ChannelID, Key: key, Text: text}), nil)
	b.wait(ctx)
}

// slackChannelURL links a Slack channel in whatever workspace the reader
// is signed in to.
func slackChannelURL(channelID string) string {
	return "https://slack.com/app_redirect?channel=" + channelID
}

// pageRequest is the PagerDuty event of page p. A security incident's
// carries nothing but "security incident — see Slack", the incident's ID
// and the war room's link.
func (w *incidentWorkflow) pageRequest(ctx workflow.Context, p incident.Page) activities.PageRequest {
	d := w.inc.Declaration
	room := slackChannelURL(w.inc.ChannelID)
	req := activities.PageRequest{
		IncidentID: d.ID, Service: p.Service, DedupKey: p.DedupKey,
		Severity: w.proc.PagerDutySeverity(w.inc.Severity), Source: "incidentflow",
		Links: []activities.PageLink{{Href: room, Text: "War room in Slack"}},
	}
	if d.Security {
		req.Summary = incident.SecurityPageSummary
		req.CustomDetails = map[string]string{"incident_id": d.ID, "war_room": room}
		return req
	}
	req.Summary = incident.TruncateChars(incident.Clean(fmt.Sprintf("[%s] %s", strings.ToUpper(string(w.inc.Severity)), d.Title)), activities.MaxPageSummary)
	req.Component, req.Class = p.Service, string(w.inc.Severity)
	req.CustomDetails = map[string]string{
		"incident_id": d.ID, "severity": string(w.inc.Severity), "war_room": "#" + w.inc.ChannelName + " " + room,
	}
	if d.Service != "" {
		req.CustomDetails["service"] = d.Service
	}
	if d.Summary != "" {
		req.CustomDetails["summary"] = incident.TruncateChars(incident.Clean(d.Summary), activities.MaxPageSummary)
	}
	if w.inc.Commander != "" {
		req.CustomDetails["commander"] = w.inc.Commander
	}
	if w.proc.WebUIURL != "" {
		info := workflow.GetInfo(ctx)
		req.Links = append(req.Links, activities.PageLink{
			Href: incident.WebUIWorkflowURL(w.proc.WebUIURL, info.Namespace, info.WorkflowExecution.ID), Text: "Incident workflow (Temporal)"})
	}
	return req
}

// withPageButton adds the kickoff's "Page on-call" button to buttons,
// before Resolve, in runs that page when PagerDuty can take the
// incident's page (and never in a drill).
func (w *incidentWorkflow) withPageButton(buttons []activities.Button) []activities.Button {
	if !w.pg.on || w.checkPageable("") != nil {
		return buttons
	}
	b := activities.Button{ActionID: wfapi.ActionPage, Text: "Page on-call", Value: w.inc.Declaration.ID}
	at := slices.IndexFunc(buttons, func(b activities.Button) bool { return b.ActionID == wfapi.ActionResolve })
	if at < 0 {
		at = len(buttons)
	}
	return slices.Insert(slices.Clone(buttons), at, b)
}
