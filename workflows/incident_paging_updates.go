package workflows

import (
	"cmp"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// validatePage refuses a page by hand of a resolved incident, of a drill,
// of a service the process doesn't know or PagerDuty can't take, and one
// more page than incident.MaxPages.
func (w *incidentWorkflow) validatePage(_ workflow.Context, req wfapi.PageRequest) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	return cmp.Or(req.Check(), w.checkPageable(req.Service))
}

// checkPageable says why a page of service ("" for the incident's own)
// can't be sent, or nil.
func (w *incidentWorkflow) checkPageable(service string) error {
	d := w.inc.Declaration
	if d.Kind == incident.KindDrill {
		return fmt.Errorf("incident %s is a drill: it doesn't wake the real on-call; page from PagerDuty if the drill needs it", d.ID)
	}
	key, svc := w.pageKey(service)
	if svc != d.Service {
		if err := w.proc.CheckService(svc); err != nil {
			return err
		}
	}
	if !w.proc.Pageable(svc) {
		if svc == "" {
			return fmt.Errorf("PagerDuty isn't set up: set paging.pagerduty.routing_key in the worker's configuration, or name a service that has its own pagerduty_routing_key")
		}
		return fmt.Errorf("PagerDuty isn't set up for %s: set services.%s.pagerduty_routing_key or paging.pagerduty.routing_key in the worker's configuration", svc, svc)
	}
	if w.inc.PageOf(key) < 0 {
		return w.inc.CheckRoomForPage()
	}
	return nil
}

// page pages the on-call of req.Service (the incident's own without one)
// by hand and answers at once with the page's dedup key: PagerDuty is
// called beside the main path (goPage), and the war room hears when it
// takes the page. The same page asked for again is not sent again
// (Already).
func (w *incidentWorkflow) page(ctx workflow.Context, req wfapi.PageRequest) (wfapi.PageOutcome, error) {
	if err := w.openForChange(ctx); err != nil {
		return wfapi.PageOutcome{}, err
	}
	if !w.pg.on {
		return wfapi.PageOutcome{}, fmt.Errorf("incident %s began before incidentflow could page; page the on-call from PagerDuty (incidents declared from now on can be paged)", w.inc.Declaration.ID)
	}
	if err := w.checkPageable(req.Service); err != nil {
		return wfapi.PageOutcome{}, err // the validator ran before the worker's process was in
	}
	if err := w.permit(ctx, incident.ActionPage, req.By, req.Operator); err != nil {
		return wfapi.PageOutcome{}, err
	}
	return w.requestPage(ctx, req.Service, req.By, "paged by hand"), nil
}

// recordPageEvent records what PagerDuty said about one of the incident's
// pages, once per event ID: a timeline entry ("paged: acknowledged by Ava
// at 02:14"), the first acknowledgement's time (the end of the time to
// acknowledge the page), and, with post, a line in the war room. An event
// that fails its Check (the signal has no validator) is logged and
// dropped.
func (w *incidentWorkflow) recordPageEvent(ctx workflow.Context, ev wfapi.PageEvent, post bool) {
	if err := ev.Check(); err != nil {
		workflow.GetLogger(ctx).Warn("ignoring a PagerDuty event: "+err.Error(), "incident", w.inc.Declaration.ID)
		return
	}
	if !w.inc.RecordPageEvent(ev.ID) {
		return
	}
	at := ev.At
	if at.IsZero() {
		at = workflow.Now(ctx)
	}
	if ev.Kind == wfapi.PageAcknowledged && (w.inc.PageAcknowledgedAt.IsZero() || at.Before(w.inc.PageAcknowledgedAt)) {
		w.inc.PageAcknowledgedAt = at
	}
	text := incident.PageEventText(ev.Kind, ev.By, at, w.loc)
	if i := w.inc.PageOf(ev.DedupKey); i >= 0 && w.inc.Pages[i].Service != w.inc.Declaration.Service {
		text += " (" + w.inc.Pages[i].Target() + ")"
	}
	key := w.record(ctx, "", incident.EntryPage, text)
	w.publish(ctx)
	if !post {
		return
	}
	msg := ":pager: PagerDuty: page " + ev.Kind
	if by := strings.TrimSpace(incident.Clean(ev.By)); by != "" {
		msg += " by *" + incident.Escape(by) + "*"
	}
	msg += " at " + incident.Clock(at, w.loc)
	if i := w.inc.PageOf(ev.DedupKey); i >= 0 && w.inc.Pages[i].Service != w.inc.Declaration.Service {
		msg += " (" + incident.Escape(w.inc.Pages[i].Target()) + ")"
	}
	msg += "."
	if ev.URL != "" && strings.HasPrefix(ev.URL, "https://") {
		msg += " " + incident.SlackLink(ev.URL, "Open it in PagerDuty")
	}
	w.postInWarRoom(ctx, "Say PagerDuty's page was "+ev.Kind, key, msg)
}
