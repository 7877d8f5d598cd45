package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// MaintenanceScheduler is what the /incident maintenance form and the
// promote form need besides the buttons; *Maintenance implements it. The
// front door offers them when FrontDoorOptions.Maintenance implements it.
type MaintenanceScheduler interface {
	MaintenanceActions
	Schedule(ctx context.Context, w incident.Window) (starter.ScheduledWindow, error)
	PromoteWith(ctx context.Context, id string, req wfapi.PromoteMaintenanceRequest) (wfapi.PromoteMaintenanceResult, error)
}

var _ MaintenanceScheduler = (*starter.Maintenance)(nil)

// Callback IDs of the maintenance modals.
const (
	CallbackMaintenanceSchedule = "maintenance_schedule"
	CallbackMaintenancePromote  = "maintenance_promote"
)

// Field IDs of the maintenance modals (block_id and action_id alike); the
// schedule form also uses FieldTitle, the promote form FieldSeverity and
// FieldReason.
const (
	FieldMaintDescription = "maint_description" // plain text, optional
	FieldMaintStart       = "maint_start"       // datetimepicker
	FieldMaintDuration    = "maint_duration"    // plain text: 2h, 45m
	FieldMaintServices    = "maint_services"    // multi static select, when services are configured
	FieldMaintRecurrence  = "maint_recurrence"  // static select: none, weekly, monthly, cron
	FieldMaintCron        = "maint_cron"        // plain text, with cron
	FieldMaintAnnounce    = "maint_announce"    // plain text: channel names
	FieldMaintLead        = "maint_lead"        // users select
	// FieldMaintStatusPage is a checkbox (value statusPageValue), offered
	// when a status page is configured.
	FieldMaintStatusPage = "maint_statuspage"
)

// statusPageValue is the value of the "on the status page" checkbox.
const statusPageValue = "statuspage"

// newWindowMeta stands for the window a schedule form will create; the
// window's ID comes from the view at submission.
const newWindowMeta = "new-window"

func (f *FrontDoor) scheduler() (MaintenanceScheduler, bool) {
	s, ok := f.maintenance.(MaintenanceScheduler)
	return s, ok && s != nil
}

// maintenanceCommand answers `/incident maintenance`: it opens the form
// that schedules a window.
func (f *FrontDoor) maintenanceCommand(ctx context.Context, sc slack.SlashCommand) *ephemeral {
	if _, ok := f.scheduler(); !ok {
		return say("Scheduling maintenance from Slack isn't set up on this incidentflow; use `incidentflow maintenance schedule` in a terminal.")
	}
	return f.openModal(ctx, sc, f.maintenanceView(viewMeta{Incident: newWindowMeta, Channel: sc.ChannelID}, sc.UserID), "maintenance form")
}

// maintenanceView is the form that schedules a window.
func (f *FrontDoor) maintenanceView(meta viewMeta, user string) slack.ModalViewRequest {
	start := slack.NewDateTimePickerBlockElement(FieldMaintStart)
	start.InitialDateTime = f.now().Add(24 * time.Hour).Truncate(time.Hour).Unix()
	recurrence := []*slack.OptionBlockObject{
		option("none", "Once"), option("weekly", "Every week, same day and time"),
		option("monthly", "Every month, same day (1–28) and time"), option("cron", "By cron expression (below)"),
	}
	blocks := []slack.Block{
		textInput(FieldTitle, "What", "e.g. Postgres 16 upgrade", "", false, incident.MaxMaintenanceTitle, false),
		textInput(FieldMaintDescription, "Details", "What happens, and what users will notice", "", true, MaxText, true),
		slack.NewInputBlock(FieldMaintStart, plain("Starts"), nil, start),
		textInput(FieldMaintDuration, "Duration", "e.g. 2h or 45m", "1h", false, 20, false),
	}
	if opts := f.serviceOptions(); len(opts) > 0 {
		el := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Pick services"), FieldMaintServices, opts...)
		in := slack.NewInputBlock(FieldMaintServices, plain("Services"), nil, el)
		in.Optional = true
		blocks = append(blocks, in)
	}
	blocks = append(blocks,
		staticSelect(FieldMaintRecurrence, "Repeats", "How often", recurrence, "none", false),
		textInput(FieldMaintCron, "Cron expression (only with “By cron”)", "0 2 * * 2 = Tuesdays at 02:00", "", false, 100, true),
		textInput(FieldMaintAnnounce, "Announce in", "incidents, ops", strings.Join(f.process.AnnounceChannels, ", "), false, 500, true),
		usersSelect(FieldMaintLead, "Lead", user, true),
	)
	if f.process.StatusPage {
		check := slack.NewCheckboxGroupsBlockElement(FieldMaintStatusPage,
			slack.NewOptionBlockObject(statusPageValue, mrkdwn("*Put it on the public status page*"),
				plain("Scheduled maintenance there: the title and details go public, and the services' components are under maintenance while it runs")))
		in := slack.NewInputBlock(FieldMaintStatusPage, plain("Status page"), nil, check)
		in.Optional = true
		blocks = append(blocks, in)
	}
	blocks = append(blocks,
		slack.NewContextBlock("maint_hint", mrkdwn(fmt.Sprintf("Cron times are in %s. Heads-ups go out before the start; a war room opens at the start.", f.process.Location()))),
	)
	return modal(CallbackMaintenanceSchedule, "Plan maintenance", "Schedule", meta, blocks...)
}

func (f *FrontDoor) serviceOptions() []*slack.OptionBlockObject {
	names := make([]string, 0, len(f.process.Services))
	for n := range f.process.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := make([]*slack.OptionBlockObject, len(names))
	for i, n := range names {
		opts[i] = option(n, n)
	}
	return opts
}

// maintenancePromoteView asks for the severity of the incident a window
// becomes (the Promote to incident button).
func (f *FrontDoor) maintenancePromoteView(meta viewMeta) slack.ModalViewRequest {
	def := starter.PromotionSeverity(&f.process, "")
	if n := len(f.process.Severities); n > 1 {
		def = starter.PromotionSeverity(&f.process, f.process.Severities[n-1].Name)
	}
	return modal(CallbackMaintenancePromote, "Promote to incident", "Declare", meta,
		slack.NewContextBlock("maintenance", mrkdwn("Maintenance `"+meta.Incident+"` becomes an incident with its own war room.")),
		staticSelect(FieldSeverity, "Severity", "How bad is it?", f.severityOptions(), string(def), false),
		textInput(FieldReason, "What went wrong", "e.g. replication didn't catch up", "", true, MaxText, true),
	)
}

// openPromoteForm opens the promote form for the window of m, once the act
// rule lets the person who pressed Promote (permitWindow), so that nobody
// fills it in vain.
func (f *FrontDoor) openPromoteForm(ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	if err := f.permitWindow(tctx, incident.ActionPromoteMaintenance, m.Incident, m.Channel, cb.User.ID); err != nil {
		f.notify(cb, f.failure(err, "NO incident was declared"))
		return
	}
	f.openForm(ctx, cb, f.maintenancePromoteView(m))
}

// submitMaintenance handles the maintenance modals' submissions.
func (f *FrontDoor) submitMaintenance(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	cb := s.cb
	sched, ok := f.scheduler()
	if !ok {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldTitle: "Maintenance isn't set up on this incidentflow."})
	}
	v, meta := cb.View, decodeMeta(cb.View.PrivateMetadata)
	if v.CallbackID == CallbackMaintenancePromote {
		return f.submitPromote(ctx, cb, sched, meta)
	}
	w, errs := f.windowFromForm(v, cb.User.ID)
	if r := errs.response(); r != nil {
		return r
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	res, err := sched.Schedule(tctx, w)
	var ferrs incident.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		for _, fe := range ferrs {
			errs.add(formField(fe.Field, w), "%s.", capitalize(fe.Message))
		}
		return errs.response()
	case err != nil:
		f.log.Warn("scheduling maintenance failed", "err", err)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldTitle: modalError(f.failure(err, "the maintenance was NOT scheduled"))})
	}
	back := cb
	back.Channel.ID = meta.Channel
	f.notify(back, fmt.Sprintf(":calendar: Scheduled maintenance `%s` *%s*: %s, for %s. Cancel with `incidentflow maintenance cancel --id %s`.",
		res.ID, incident.Escape(res.Window.Title), res.Window.Describe(f.process.Location()), incident.FormatDuration(res.Window.Duration), res.ID))
	return slack.NewClearViewSubmissionResponse()
}

// windowFromForm reads the schedule form; its errors are the inputs it
// can't read. The window's ID comes from the view, so a double submit
// reschedules the same window rather than adding a second one.
func (f *FrontDoor) windowFromForm(v slack.View, user string) (incident.Window, fieldErrors) {
	fv, errs := formValues{v.State}, fieldErrors{}
	w := incident.Window{
		Title: fv.text(FieldTitle), Description: fv.text(FieldMaintDescription),
		Lead: fv.user(FieldMaintLead), ScheduledBy: user,
		StatusPage: f.process.StatusPage && fv.checked(FieldMaintStatusPage, statusPageValue),
	}
	w.ID = starter.WindowIDFromKey(w.Title, v.ID)
	checkText(errs, FieldMaintDescription, "The details", w.Description, false, MaxText)
	if ts := fv.get(FieldMaintStart).SelectedDateTime; ts > 0 {
		w.Start = time.Unix(ts, 0).UTC()
	} else {
		errs.add(FieldMaintStart, "Pick when the maintenance starts.")
	}
	d, err := time.ParseDuration(strings.ReplaceAll(fv.text(FieldMaintDuration), " ", ""))
	if err != nil {
		errs.add(FieldMaintDuration, "Write a duration such as 2h, 90m or 1h30m.")
	}
	w.Duration = d
	for _, o := range fv.get(FieldMaintServices).SelectedOptions {
		w.Services = append(w.Services, o.Value)
	}
	rec, field := fv.selected(FieldMaintRecurrence), FieldMaintRecurrence
	if rec == string(incident.RecurCron) {
		rec, field = "cron:"+fv.text(FieldMaintCron), FieldMaintCron
	}
	if w.Recurrence, err = incident.ParseRecurrence(rec); err != nil {
		errs.add(field, "%s.", capitalize(err.Error()))
	}
	w.AnnounceChannels = strings.FieldsFunc(fv.text(FieldMaintAnnounce), func(r rune) bool { return r == ',' || r == ' ' })
	return w, errs
}

// formField is the form input that shows an error about a window field.
func formField(field string, w incident.Window) string {
	switch field {
	case incident.WindowFieldStart:
		return FieldMaintStart
	case incident.WindowFieldDuration:
		return FieldMaintDuration
	case incident.WindowFieldServices:
		return FieldMaintServices
	case incident.WindowFieldAnnounce:
		return FieldMaintAnnounce
	case incident.WindowFieldRecurrence:
		if w.Recurrence.Kind == incident.RecurCron {
			return FieldMaintCron
		}
		return FieldMaintRecurrence
	}
	return FieldTitle
}

// submitPromote declares the incident a window becomes.
func (f *FrontDoor) submitPromote(ctx context.Context, cb slack.InteractionCallback, sched MaintenanceScheduler, meta viewMeta) *slack.ViewSubmissionResponse {
	fv, errs := formValues{cb.View.State}, fieldErrors{}
	sev := incident.Severity(fv.selected(FieldSeverity))
	if err := f.process.CheckSeverity(sev); err != nil {
		errs.add(FieldSeverity, "%s.", capitalize(err.Error()))
	}
	note := fv.text(FieldReason)
	checkText(errs, FieldReason, "What went wrong", note, false, MaxText)
	if r := errs.response(); r != nil {
		return r
	}
	// The act rule again, at the submission: the form may have been opened
	// by someone since removed from the war room, or forged.
	pctx, cancel := f.temporalCtx(ctx, 0)
	err := f.permitWindow(pctx, incident.ActionPromoteMaintenance, meta.Incident, meta.Channel, cb.User.ID)
	cancel()
	if refusal, ok := refusalOf(err); ok {
		f.tell(recipient{channel: meta.Channel, user: cb.User.ID}, refusal) // ephemeral, with the mentions of who can
		return slack.NewClearViewSubmissionResponse()
	} else if err != nil {
		f.log.Warn("deciding who may promote failed", "err", err)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldSeverity: modalError(f.failure(err, "NO incident was declared"))})
	}
	var res wfapi.PromoteMaintenanceResult
	resp := f.submittedNow(ctx, FieldSeverity, "NO incident was declared", func(tctx context.Context) error {
		var err error
		res, err = sched.PromoteWith(tctx, meta.Incident, wfapi.PromoteMaintenanceRequest{By: cb.User.ID, Severity: sev, Note: note})
		return err
	})
	if resp != nil && resp.ResponseAction == slack.RAClear {
		back := cb
		back.Channel.ID = meta.Channel
		what := "an incident"
		if res.IncidentID != "" {
			what = "incident `" + res.IncidentID + "`"
		}
		f.notify(back, fmt.Sprintf("Maintenance `%s` is now %s (%s); its war room opens in a moment.", meta.Incident, what, strings.ToUpper(string(sev))))
	}
	return resp
}
