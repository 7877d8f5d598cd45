package slackdoor

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// filledForm is a submitted modal, read once for whichever form it is.
type filledForm struct {
	cb   slack.InteractionCallback
	meta viewMeta
	user string
	to   recipient // who hears of a failure after the modal closed
	fv   formValues
}

// modalForm is one of the front door's modals: the field that carries its
// form-wide errors, whether it was opened for the incident its metadata
// names, and how its submission is checked and applied.
type modalForm struct {
	errorField string
	incident   bool
	submit     func(f *FrontDoor, ctx context.Context, s filledForm) *slack.ViewSubmissionResponse
}

// forms are every modal the front door opens, by callback ID.
var forms = map[string]modalForm{
	CallbackDeclare:             {FieldTitle, false, (*FrontDoor).submitDeclare},
	CallbackUpdate:              {FieldText, true, (*FrontDoor).submitUpdate},
	CallbackSeverity:            {FieldSeverity, true, (*FrontDoor).submitSeverity},
	CallbackRole:                {FieldUser, true, (*FrontDoor).submitRole},
	CallbackResolve:             {FieldResolution, true, (*FrontDoor).submitResolve},
	CallbackActionItems:         {FieldText, true, (*FrontDoor).submitActionItem},
	CallbackStatusPage:          {FieldPublicBody, true, (*FrontDoor).submitStatusPage},
	CallbackMaintenanceSchedule: {FieldTitle, false, (*FrontDoor).submitMaintenance},
	CallbackMaintenancePromote:  {FieldTitle, false, (*FrontDoor).submitMaintenance},
	CallbackDrill:               {FieldDrillScenario, false, (*FrontDoor).submitDrill},
}

// submit handles a modal's filledForm: inline errors keep the modal open with
// the reason next to the field; "clear" closes it. The change a submission
// makes is the update its viewKey names, so the same submission delivered
// twice is applied once.
func (f *FrontDoor) submit(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	v := cb.View
	meta := decodeMeta(v.PrivateMetadata)
	user := cb.User.ID
	f.log.Info("modal submitted", "callback_id", v.CallbackID, "view", v.ID, "incident", meta.Incident, "user", user)
	mf, ok := forms[v.CallbackID]
	if !ok {
		f.log.Warn("unknown modal submitted", "callback_id", v.CallbackID)
		return nil
	}
	if mf.incident && !incident.ValidID(meta.Incident) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{mf.errorField: "This form lost track of its incident; close it and start again."})
	}
	ctx = withUpdateID(ctx, "view-", viewKey(v))
	return mf.submit(f, ctx, filledForm{cb: cb, meta: meta, user: user, to: recipient{channel: meta.Channel, user: user}, fv: formValues{v.State}})
}

// submitUpdate posts a status update.
func (f *FrontDoor) submitUpdate(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	errs := fieldErrors{}
	status, err := incident.ParseUpdateStatus(s.fv.selected(FieldStatus))
	if err != nil {
		errs.add(FieldStatus, "Pick a status: investigating, identified, monitoring or mitigated.")
	}
	text := s.fv.text(FieldText)
	checkText(errs, FieldText, "The update", text, true, MaxText)
	next := nextUpdateIn(errs, s.fv.get(FieldNextUpdate).Value)
	public := publicUpdate(errs, s.fv)
	return f.submitted(ctx, errs, s.to, FieldText, "your update was NOT posted", f.permitted(incident.ActionPostUpdate, s.meta.Incident, s.user, func(tctx context.Context) error {
		return f.ops.PostStatus(tctx, s.meta.Incident, wfapi.PostStatusRequest{Author: s.user, Status: status, Text: text, NextUpdateIn: next, Public: public})
	}))
}

// submitSeverity changes the severity.
func (f *FrontDoor) submitSeverity(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	errs := fieldErrors{}
	sev := incident.Severity(s.fv.selected(FieldSeverity))
	if err := f.process.CheckSeverity(sev); err != nil {
		errs.add(FieldSeverity, "%s.", capitalize(err.Error()))
	}
	reason := s.fv.text(FieldReason)
	checkText(errs, FieldReason, "The reason", reason, false, 500)
	return f.submitted(ctx, errs, s.to, FieldSeverity, "the severity was NOT changed", f.permitted(incident.ActionChangeSeverity, s.meta.Incident, s.user, func(tctx context.Context) error {
		return f.ops.SetSeverity(tctx, s.meta.Incident, wfapi.SetSeverityRequest{By: s.user, Severity: sev, Reason: reason})
	}))
}

// submitRole gives a role to a person.
func (f *FrontDoor) submitRole(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	errs := fieldErrors{}
	role, err := incident.ParseRole(s.fv.selected(FieldRole))
	if err != nil {
		errs.add(FieldRole, "Pick a role: commander or comms.")
	}
	who := s.fv.user(FieldUser)
	if who == "" {
		errs.add(FieldUser, "Pick a person.")
	} else if msg := f.checkUser(ctx, who); msg != "" {
		errs.add(FieldUser, "%s", msg)
	}
	return f.submitted(ctx, errs, s.to, FieldUser, "the role was NOT assigned", f.permitted(incident.ActionAssignRole, s.meta.Incident, s.user, func(tctx context.Context) error {
		return f.ops.AssignRole(tctx, s.meta.Incident, wfapi.AssignRoleRequest{By: s.user, Role: role, User: who})
	}))
}

// submitResolve resolves the incident.
func (f *FrontDoor) submitResolve(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	errs := fieldErrors{}
	summary := s.fv.text(FieldResolution)
	checkText(errs, FieldResolution, "The resolution summary", summary, true, MaxText)
	return f.submitted(ctx, errs, s.to, FieldResolution, "the incident was NOT resolved", f.permitted(incident.ActionResolve, s.meta.Incident, s.user, func(tctx context.Context) error {
		return f.ops.Resolve(tctx, s.meta.Incident, wfapi.ResolveRequest{By: s.user, Summary: summary})
	}))
}

// submitDeclare declares the incident of a submitted declare modal. Its ID
// comes from the view ID, so a double submit or a retried delivery joins the
// same incident instead of declaring a second one.
func (f *FrontDoor) submitDeclare(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	user, to := s.user, s.to
	d, errs := f.declaration(s.cb.View, user, f.now())
	if r := errs.response(); r != nil {
		return r
	}
	if err := f.process.PermitDeclaration(d, incident.Actor{User: user}); err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldTitle: modalError(plainMentions(err.Error()))})
	}
	declare := func(tctx context.Context) error {
		_, err := f.ops.Declare(tctx, d, false)
		return err
	}
	if group := s.meta.AlertGroup; group != "" {
		if f.alerts == nil {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldTitle: "Alerts aren't set up on this incidentflow."})
		}
		declare = func(tctx context.Context) error {
			_, err := f.alerts.Declare(tctx, group, user, d)
			return err
		}
	}
	err, answered := f.await(ctx, declare, func(err error) {
		if err == nil || errors.Is(err, starter.ErrPending) {
			f.log.Info("incident declared", "incident", d.ID, "severity", d.Severity, "user", user)
			return
		}
		f.log.Warn("declare failed after the modal closed", "incident", d.ID, "err", err)
		f.tell(to, f.declareFailure(err, f.submitTO, false))
	})
	if !answered {
		f.log.Info("declaring in the background", "incident", d.ID, "user", user)
		return slack.NewClearViewSubmissionResponse()
	}
	if err == nil || errors.Is(err, starter.ErrPending) {
		f.log.Info("incident declared", "incident", d.ID, "severity", d.Severity, "user", user)
		return slack.NewClearViewSubmissionResponse()
	}
	f.log.Warn("declare failed", "incident", d.ID, "err", err)
	return slack.NewErrorsViewSubmissionResponse(map[string]string{FieldTitle: f.declareFailure(err, f.submitTO, true)})
}

// submitActionItem records an action item: on the retrospective when one is
// configured (the incident's workflow is closed once resolved), else on the
// incident.
func (f *FrontDoor) submitActionItem(ctx context.Context, s filledForm) *slack.ViewSubmissionResponse {
	fv, meta, user, errs := s.fv, s.meta, s.user, fieldErrors{}
	text := fv.text(FieldText)
	checkText(errs, FieldText, "The action item", text, true, MaxText)
	due := fv.get(FieldDue).SelectedDate
	if due != "" {
		if _, err := time.Parse(time.DateOnly, due); err != nil {
			errs.add(FieldDue, "Pick a date from the calendar.")
		}
	}
	owner := fv.user(FieldOwner)
	return f.submitted(ctx, errs, s.to, FieldText, "the action item was NOT recorded", f.permitted(incident.ActionAddActionItem, meta.Incident, user, func(tctx context.Context) error {
		if f.retro != nil {
			return f.retro.AddActionItems(tctx, meta.Incident, []incident.ActionItem{{
				Key: "slack-" + incident.IDFromKey(s.cb.View.ID), Text: text, Owner: owner, Due: due, At: f.now().UTC(), Author: user,
			}})
		}
		return f.ops.AddActionItem(tctx, meta.Incident, wfapi.AddActionItemRequest{By: user, Text: text, Owner: owner, Due: due})
	}))
}

// viewKey names a submission of view v: the view's ID and hash, which
// Slack renews when the view changes, and a digest of the values
// submitted. A repeated delivery of one submission has the same key; the
// same form sent again with other values (after a refusal shown in it) is
// another request.
func viewKey(v slack.View) string {
	values, _ := json.Marshal(v.State) // map keys sorted: the same values, the same bytes
	return v.ID + "-" + v.Hash + "-" + incident.IDFromKey(string(values))
}
