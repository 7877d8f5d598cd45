package slackdoor

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Pager is what paging by hand needs from Temporal: `/incident page
// [service]` and the kickoff's "Page on-call" button. *starter.Incidents
// implements it; a door whose IncidentOps doesn't says paging isn't
// available.
type Pager interface {
	Page(ctx context.Context, id string, req wfapi.PageRequest) (wfapi.PageOutcome, error)
}

// pager is the door's Pager, if its IncidentOps is one.
func (f *FrontDoor) pager() (Pager, bool) {
	p, ok := f.ops.(Pager)
	return p, ok
}

// pageUnsupported answers a page by hand through a door that can't.
const pageUnsupported = "Paging the on-call isn't supported by this incidentflow; page them from PagerDuty."

// pageCommand pages for `/incident page [service]` in incident id's war
// room, once the door's permission check let user through (the workflow
// checks again and records a refusal).
func (f *FrontDoor) pageCommand(ctx context.Context, id, user, service string) *ephemeral {
	p, ok := f.pager()
	if !ok {
		return say("%s", pageUnsupported)
	}
	out, err := p.Page(ctx, id, wfapi.PageRequest{By: user, Service: service})
	if errors.Is(err, starter.ErrPending) {
		return say("The page for `%s` was accepted; the war room will say when PagerDuty has taken it.", id)
	}
	if err != nil {
		f.log.Warn("page failed", "incident", id, "err", err)
		return say("%s", f.failure(err, "nobody was paged"))
	}
	return say("%s", pagedText(id, out))
}

// pageButton is the kickoff's "Page on-call" button: it pages the
// incident's own service, as `/incident page` does, and tells the person
// who clicked how it went.
func (f *FrontDoor) pageButton(ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
	p, ok := f.pager()
	if !ok {
		f.notify(cb, pageUnsupported)
		return
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	if err := f.permit(tctx, incident.ActionPage, m.Incident, cb.User.ID); err != nil {
		f.notify(cb, f.failure(err, "nobody was paged"))
		return
	}
	out, err := p.Page(tctx, m.Incident, wfapi.PageRequest{By: cb.User.ID})
	switch {
	case errors.Is(err, starter.ErrPending):
		f.notify(cb, fmt.Sprintf("The page for `%s` was accepted; the war room will say when PagerDuty has taken it.", m.Incident))
	case err != nil:
		f.log.Warn("page failed", "incident", m.Incident, "err", err)
		f.notify(cb, f.failure(err, "nobody was paged"))
	default:
		f.notify(cb, pagedText(m.Incident, out))
	}
}

// pagedText tells who paged what happened.
func pagedText(id string, out wfapi.PageOutcome) string {
	target := "the default on-call"
	if out.Service != "" {
		target = "the on-call of *" + incident.Escape(out.Service) + "*"
	}
	if out.Already {
		return fmt.Sprintf("%s was paged for `%s` already, so nothing new was sent: PagerDuty keeps one alert per page. Its acknowledgement shows in the war room.",
			capitalize(target), id)
	}
	return fmt.Sprintf("Paging %s for `%s` through PagerDuty. The war room will say when PagerDuty has taken the page, and who acknowledges it.", target, id)
}
