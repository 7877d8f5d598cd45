package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// StatusPagePublisher is what publishing to the status page needs from
// Temporal: the kickoff's "Publish to status page" button and `/incident
// statuspage publish`. *starter.Incidents implements it; a door whose
// IncidentOps doesn't says publishing isn't available.
type StatusPagePublisher interface {
	PublishStatusPage(ctx context.Context, id string, req wfapi.PublishStatusPageRequest) (wfapi.PublishStatusPageOutcome, error)
}

var _ StatusPagePublisher = (*starter.Incidents)(nil)

// CallbackStatusPage is the callback ID of the publish-to-status-page
// modal.
const CallbackStatusPage = "incident_statuspage"

// Field IDs of the status-page inputs (block_id and action_id alike).
const (
	FieldPublicName   = "public_name"   // publish: plain text, required
	FieldPublicBody   = "public_body"   // publish: plain text, required; update: optional
	FieldPublicStatus = "public_status" // publish, update: static select, optional
	FieldPublicImpact = "public_impact" // publish: static select, optional
	// FieldAlsoPublish is the update form's checkbox (value
	// alsoPublishValue), offered once the incident is on the status page.
	FieldAlsoPublish = "also_publish"
	// fieldComponentPrefix starts the field of each component's status
	// select: "component_" + the component's ID.
	fieldComponentPrefix = "component_"
)

// alsoPublishValue is the value of the update form's "Also publish to the
// status page" checkbox.
const alsoPublishValue = "publish"

// maxFormComponents bounds the component selects one form shows (a modal
// holds at most 100 blocks).
const maxFormComponents = 20

// publisher is the door's StatusPagePublisher, if its IncidentOps is one.
func (f *FrontDoor) publisher() (StatusPagePublisher, bool) {
	p, ok := f.ops.(StatusPagePublisher)
	return p, ok
}

// publishUnsupported answers a publication through a door that can't.
const publishUnsupported = "Publishing to the status page isn't supported by this incidentflow; post on the status page by hand."

// statusPageOff answers a publication when no status page is set up.
const statusPageOff = "No status page is set up on this incidentflow (statuspage.api_key and statuspage.page_id); post on your status page by hand."

// publishButton is the kickoff's "Publish to status page" button: it
// opens the publish form for whoever may publish.
func (f *FrontDoor) publishButton(ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
	view, msg := f.statusPageForm(ctx, m, cb.User.ID)
	if msg != "" {
		f.notify(cb, msg)
		return
	}
	f.openForm(ctx, cb, view)
}

// statusPageCommand opens the publish form for `/incident statuspage
// publish` in incident id's war room.
func (f *FrontDoor) statusPageCommand(ctx context.Context, sc slack.SlashCommand, meta viewMeta) *ephemeral {
	view, msg := f.statusPageForm(ctx, meta, sc.UserID)
	if msg != "" {
		return say("%s", msg)
	}
	return f.openModal(ctx, sc, view, "status page form")
}

// statusPageForm is the publish form of the incident meta names, for
// user, or why it won't open: no status page, no publisher, user may not
// publish (mayOpen), or the incident can't be read in time.
//
// A drill's form opens whether or not a status page is set up: what it
// sends is a draft, which the drill keeps and publishes nowhere.
func (f *FrontDoor) statusPageForm(ctx context.Context, meta viewMeta, user string) (slack.ModalViewRequest, string) {
	tctx, cancel := f.temporalCtx(ctx, f.slackTO) // the modal opens after the lookup
	defer cancel()
	var drillInc *incident.Incident // read first when only a drill can use the form
	if !f.process.StatusPage {
		inc, err := f.ops.Get(tctx, meta.Incident)
		if err != nil || inc.Declaration.Kind != incident.KindDrill {
			return slack.ModalViewRequest{}, statusPageOff
		}
		drillInc = &inc
	}
	if _, ok := f.publisher(); !ok {
		return slack.ModalViewRequest{}, publishUnsupported
	}
	if err := f.mayOpen(tctx, incident.ActionPublish, meta.Incident, user); err != nil {
		return slack.ModalViewRequest{}, f.failure(err, "nothing was published")
	}
	var inc incident.Incident
	if drillInc != nil {
		inc = *drillInc
	} else {
		var err error
		if inc, err = f.ops.Get(tctx, meta.Incident); err != nil {
			return slack.ModalViewRequest{}, f.failure(err, "nothing was published")
		}
	}
	if inc.Declaration.Kind == incident.KindDrill {
		if inc.IsResolved() {
			return slack.ModalViewRequest{}, fmt.Sprintf("Drill `%s` is over; read its debrief in the drill room.", inc.Declaration.ID)
		}
		return f.statusPageView(meta, &inc), ""
	}
	if inc.IsResolved() {
		return slack.ModalViewRequest{}, fmt.Sprintf("Incident `%s` is resolved; its public incident was resolved with it.", inc.Declaration.ID)
	}
	if err := incident.CheckPublishable(&inc); err != nil {
		return slack.ModalViewRequest{}, capitalize(err.Error()) + "."
	}
	return f.statusPageView(meta, &inc), ""
}

// publicPrefill is what the publish form starts with: a public title and
// text, never the internal ones, empty for a security incident (whose
// commander must type them), the public status, the impact and each
// component's status.
type publicPrefill struct {
	Name, Body, Status, Impact string
	Components                 []string
	ComponentStatus            map[string]string
}

// prefillFor is the publish form's prefill for inc.
func (f *FrontDoor) prefillFor(inc *incident.Incident) publicPrefill {
	svc := inc.Declaration.Service
	p := publicPrefill{Status: wfapi.PublicStatusOf(inc.Status), ComponentStatus: map[string]string{}}
	for _, id := range f.process.Services[svc].StatusPageComponents {
		if wfapi.ValidComponentID(id) && !slices.Contains(p.Components, id) {
			p.Components = append(p.Components, id)
		}
	}
	compStatus := "degraded_performance"
	switch inc.Severity {
	case incident.Critical:
		p.Impact, compStatus = "critical", "partial_outage"
	case incident.Major:
		p.Impact = "major"
	default:
		p.Impact = "minor"
	}
	for _, id := range p.Components {
		p.ComponentStatus[id] = compStatus
	}
	if sp := inc.StatusPage; sp != nil {
		for _, id := range slices.Sorted(maps.Keys(sp.Components)) {
			if !slices.Contains(p.Components, id) {
				p.Components = append(p.Components, id)
			}
			p.ComponentStatus[id] = sp.Components[id]
		}
		if sp.Status != "" && sp.Status != wfapi.PublicResolved {
			p.Status = sp.Status
		}
	}
	if len(p.Components) > maxFormComponents {
		p.Components = p.Components[:maxFormComponents]
	}
	if inc.Declaration.Security {
		return p // the commander types the title and text
	}
	switch {
	case inc.StatusPage != nil:
		p.Name = inc.StatusPage.Name // an update: the text is what's new
	case svc != "":
		p.Name = "Degraded service: " + svc
		p.Body = "We're investigating reports of problems with " + svc + ". We'll post an update as soon as we know more."
	default:
		p.Name = "Degraded service"
		p.Body = "We're investigating reports of problems with our service. We'll post an update as soon as we know more."
	}
	return p
}

// statusPageView is the publish form of inc. Its metadata says whether
// the title and text opened empty (Blank), which alone lets a security
// incident's commander publish.
func (f *FrontDoor) statusPageView(meta viewMeta, inc *incident.Incident) slack.ModalViewRequest {
	p := f.prefillFor(inc)
	meta.Blank = p.Name == "" && p.Body == ""
	intro := "Customers read this. Write it for them: what they notice and what is being done — no internal names, hosts or causes."
	if inc.StatusPage != nil {
		intro = "This incident is on the status page: this posts an update to its public incident."
	}
	if inc.Declaration.Security {
		intro = "*Security incident:* only its commander may publish it, in words they type here themselves. Say as little as customers need."
	}
	blocks := []slack.Block{
		header(meta.Incident),
		slack.NewSectionBlock(mrkdwn(intro), nil, nil),
		textInput(FieldPublicName, "Public title", "e.g. Degraded service: checkout", p.Name, false, wfapi.MaxPublicName, false),
		textInput(FieldPublicBody, "Public text", "What customers notice, and what is being done", p.Body, true, MaxText, false),
		publicStatusSelect(p.Status),
		staticSelect(FieldPublicImpact, "Impact", "Let Statuspage decide", stringOptions(wfapi.PublicImpacts), p.Impact, true),
	}
	for _, id := range p.Components {
		blocks = append(blocks, staticSelect(fieldComponentPrefix+id, "Component "+id, "Leave as it is",
			stringOptions(wfapi.ComponentStatuses), p.ComponentStatus[id], true))
	}
	if len(p.Components) == 0 {
		blocks = append(blocks, slack.NewContextBlock("no_components", mrkdwn("No status page components are configured for this incident's service (services.<name>.statuspage_components).")))
	}
	submit := "Publish"
	if inc.StatusPage != nil {
		submit = "Post update"
	}
	if inc.Declaration.Kind == incident.KindDrill {
		// Slack cuts a modal's title at 24 characters: the whole name
		// heads the form instead.
		blocks[1] = slack.NewSectionBlock(mrkdwn("*"+drillDraftTitle+"*\n"+intro+
			"\n:performing_arts: This is a drill: the post is a draft, kept on the drill's timeline and shown in the drill room. Nothing goes on the status page."), nil, nil)
		return modal(CallbackStatusPage, "Draft post (drill)", "Draft", meta, blocks...)
	}
	return modal(CallbackStatusPage, "Status page", submit, meta, blocks...)
}

// drillDraftTitle names the status page form of a drill.
const drillDraftTitle = "Draft status page post (drill)"

// draftedText tells the submitter of a drill's status page form what came
// of it.
const draftedText = ":memo: Drafted (a drill publishes nothing): the draft is on the drill's timeline and in the drill room, as the real post would read."

// publicStatusSelect is the public status select, starting at initial.
func publicStatusSelect(initial string) *slack.InputBlock {
	return staticSelect(FieldPublicStatus, "Public status", "Follow the incident's status", stringOptions(wfapi.PublicStatuses), initial, true)
}

// stringOptions are select options whose values are values, shown with
// underscores as spaces and capitalized.
func stringOptions(values []string) []*slack.OptionBlockObject {
	opts := make([]*slack.OptionBlockObject, 0, len(values))
	for _, v := range values {
		opts = append(opts, option(v, capitalize(strings.ReplaceAll(v, "_", " "))))
	}
	return opts
}

// submitStatusPage publishes what the publish form says.
func (f *FrontDoor) submitStatusPage(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	pub, ok := f.publisher()
	if !ok {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldPublicName: publishUnsupported})
	}
	errs := fieldErrors{}
	req := wfapi.PublishStatusPageRequest{
		By:               s.user,
		Name:             strings.Join(strings.Fields(s.fv.text(FieldPublicName)), " "),
		Body:             s.fv.text(FieldPublicBody),
		Status:           s.fv.selected(FieldPublicStatus),
		Impact:           s.fv.selected(FieldPublicImpact),
		Components:       submittedComponents(s.fv),
		TypedByCommander: s.meta.Blank,
	}
	checkText(errs, FieldPublicName, "The public title", req.Name, true, wfapi.MaxPublicName)
	checkText(errs, FieldPublicBody, "The public text", req.Body, true, MaxText)
	if len(errs) == 0 {
		if err := req.Check(); err != nil {
			errs.add(FieldPublicBody, "%s.", capitalize(err.Error()))
		}
	}
	return f.submitted(ctx, errs, s.to, FieldPublicBody, "nothing was published", f.permitted(incident.ActionPublish, s.meta.Incident, s.user, func(tctx context.Context) error {
		out, err := pub.PublishStatusPage(tctx, s.meta.Incident, req)
		if err == nil && out.Drafted {
			f.tell(s.to, draftedText)
		}
		return err
	}))
}

// submittedComponents reads the component selects of a submitted form:
// the ones given a status.
func submittedComponents(fv formValues) map[string]string {
	if fv.v == nil {
		return nil
	}
	var out map[string]string
	for field := range fv.v.Values {
		id, ok := strings.CutPrefix(field, fieldComponentPrefix)
		if !ok {
			continue
		}
		if status := fv.selected(field); status != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[id] = status
		}
	}
	return out
}

// updateViewFor is the status-update form of the incident meta names,
// with, once that incident is on the status page and for someone who may
// publish it, the "Also publish to the status page" checkbox and the
// public text. When the incident can't
// be read in time, the form opens without them.
func (f *FrontDoor) updateViewFor(ctx context.Context, meta viewMeta, user string, status incident.Status, text string) slack.ModalViewRequest {
	view := f.updateView(meta, status, text)
	if !f.process.StatusPage {
		return view
	}
	tctx, cancel := f.temporalCtx(ctx, f.slackTO)
	defer cancel()
	inc, err := f.ops.Get(tctx, meta.Incident)
	if err != nil {
		f.log.Warn("status update form opens without its status page part: the incident can't be read", "incident", meta.Incident, "err", err)
		return view
	}
	if !inc.OnStatusPage() || inc.IsResolved() || f.process.Permit(incident.ActionPublish, &inc, incident.Actor{User: user}, incident.Member) != nil {
		return view // only those who may publish are offered to
	}
	check := slack.NewCheckboxGroupsBlockElement(FieldAlsoPublish,
		slack.NewOptionBlockObject(alsoPublishValue, mrkdwn("*Also publish to the status page*"),
			plain("Posts the public text below (never the update above) to “"+incident.TruncateChars(inc.StatusPage.Name, 60)+"”")))
	also := slack.NewInputBlock(FieldAlsoPublish, plain("Status page"), nil, check)
	also.Optional = true
	hint := "Public text customers read"
	if inc.Declaration.Security {
		hint = "Security incident: only its commander may publish, in their own words"
	}
	view.Blocks.BlockSet = append(view.Blocks.BlockSet, also,
		textInput(FieldPublicBody, "Public text", hint, "", true, MaxText, true),
		publicStatusSelect(""))
	return view
}

// publicUpdate reads the status-update form's status page part: nil unless
// "Also publish" is ticked, then the public text (required) and status.
func publicUpdate(errs fieldErrors, fv formValues) *wfapi.PublicUpdate {
	if !fv.checked(FieldAlsoPublish, alsoPublishValue) {
		return nil
	}
	p := &wfapi.PublicUpdate{Body: fv.text(FieldPublicBody), Status: fv.selected(FieldPublicStatus)}
	if p.Body == "" {
		errs.add(FieldPublicBody, "To publish, write the public text: the update above stays internal.")
	}
	checkText(errs, FieldPublicBody, "The public text", p.Body, false, MaxText)
	return p
}

// openUpdateForm is the kickoff's "Post update" button: the status-update
// form, with its status page part when the incident is on the status page.
func (f *FrontDoor) openUpdateForm(ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
	f.openForm(ctx, cb, f.updateViewFor(ctx, m, cb.User.ID, "", ""))
}

// errStatusPageUsage is what `/incident statuspage` without "publish" says.
var errStatusPageUsage = errors.New("type /incident statuspage publish to open the form that puts this incident on the status page (or posts an update there)")
