package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// interaction answers a button, shortcut or modal submission. The answer
// (nil for an empty 200) is the HTTP body or the Socket Mode acknowledgement;
// only view submissions have one.
func (f *FrontDoor) interaction(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		f.blockAction(ctx, cb)
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		f.shortcut(ctx, cb)
	case slack.InteractionTypeViewSubmission:
		return f.submit(ctx, cb)
	case slack.InteractionTypeViewClosed:
		// Nothing to do: a closed modal changes nothing.
	default:
		f.log.Info("ignored interaction", "type", cb.Type)
	}
	return nil
}

// knownActions are the buttons the front door handles.
var knownActions = map[string]bool{
	wfapi.ActionPostUpdate: true, wfapi.ActionChangeSeverity: true, wfapi.ActionAssignRole: true,
	wfapi.ActionResolve: true, wfapi.ActionAddActionItems: true, wfapi.ActionRetroDone: true,
	wfapi.ActionMaintenanceComplete: true, wfapi.ActionMaintenancePromote: true,
}

// blockAction handles a button incidentflow posted. The button's value is
// the incident (or maintenance window) ID.
func (f *FrontDoor) blockAction(ctx context.Context, cb slack.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	id := act.Value
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	f.log.Info("button", "action_id", act.ActionID, "incident", id, "user", cb.User.ID)
	if !knownActions[act.ActionID] {
		f.notify(cb, "That button isn't supported by this version of incidentflow.")
		return
	}
	if !incident.ValidID(id) {
		f.notify(cb, "That button doesn't name an incident incidentflow can read; use the slash commands (`/incident help`) instead.")
		return
	}
	meta := viewMeta{Incident: id, Channel: channel}
	var view slack.ModalViewRequest
	switch act.ActionID {
	case wfapi.ActionPostUpdate:
		view = f.updateView(meta, "", "")
	case wfapi.ActionChangeSeverity:
		view = f.severityView(meta)
	case wfapi.ActionAssignRole:
		view = f.roleView(meta)
	case wfapi.ActionResolve:
		view = f.resolveView(meta, "")
	case wfapi.ActionAddActionItems:
		view = f.actionItemsView(meta)
	case wfapi.ActionRetroDone:
		f.retroDone(ctx, cb, id)
		return
	case wfapi.ActionMaintenancePromote:
		if _, ok := f.scheduler(); !ok {
			f.maintenanceAction(ctx, cb, act.ActionID, id)
			return
		}
		view = f.maintenancePromoteView(meta) // asks for the severity first
	case wfapi.ActionMaintenanceComplete:
		f.maintenanceAction(ctx, cb, act.ActionID, id)
		return
	}
	f.openLater(ctx, cb.TriggerID, view, recipientOf(cb), func(err error) string {
		return fmt.Sprintf("Slack didn't open the form (%s). Press the button again.", escapeErr(err))
	})
}

func (f *FrontDoor) retroDone(ctx context.Context, cb slack.InteractionCallback, id string) {
	if f.retro == nil {
		f.notify(cb, "Marking the retrospective done isn't supported by this incidentflow.")
		return
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	if err := f.retro.MarkDone(tctx, id, cb.User.ID); err != nil && !errors.Is(err, starter.ErrPending) {
		f.notify(cb, f.failure(err, "the retrospective was NOT marked done"))
		return
	}
	f.notify(cb, fmt.Sprintf("Marked the retrospective of `%s` done. Thank you!", id))
}

func (f *FrontDoor) maintenanceAction(ctx context.Context, cb slack.InteractionCallback, action, id string) {
	if f.maintenance == nil {
		f.notify(cb, "Maintenance buttons aren't supported by this incidentflow.")
		return
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	var err error
	var ok, notDone string
	if action == wfapi.ActionMaintenanceComplete {
		err = f.maintenance.Complete(tctx, id, cb.User.ID)
		ok, notDone = "Marked maintenance `"+id+"` complete.", "the maintenance was NOT marked complete"
	} else {
		err = f.maintenance.Promote(tctx, id, cb.User.ID)
		ok, notDone = "Turned maintenance `"+id+"` into an incident; its war room will tell you more.", "NO incident was declared"
	}
	if err != nil && !errors.Is(err, starter.ErrPending) {
		f.notify(cb, f.failure(err, notDone))
		return
	}
	f.notify(cb, ok)
}

// shortcut opens the declare modal from the shortcut menus; the message
// shortcut pre-fills it from the message.
func (f *FrontDoor) shortcut(ctx context.Context, cb slack.InteractionCallback) {
	switch cb.CallbackID {
	case ShortcutDeclareFromMessage, ShortcutDeclare:
	default:
		f.notify(cb, "That shortcut isn't supported by this version of incidentflow.")
		return
	}
	p := declarePrefill{Commander: cb.User.ID, Meta: viewMeta{Channel: cb.Channel.ID}}
	if cb.Type == slack.InteractionTypeMessageAction {
		text := trimSpace(plainText(cb.Message.Text))
		p.Summary = clampRunes(text, MaxText)
		first, _, _ := strings.Cut(text, "\n")
		p.Title = clampRunes(strings.Join(strings.Fields(first), " "), MaxTitle)
		ts := cb.Message.Timestamp
		if ts == "" {
			ts = cb.MessageTs
		}
		p.Meta.Source = permalink(cb.Team.Domain, cb.Channel.ID, ts)
	}
	f.openLater(ctx, cb.TriggerID, f.declareView(p), recipientOf(cb), func(err error) string {
		return fmt.Sprintf("Slack didn't open the declare form (%s). Try the shortcut again, or type `/incident declare`.", escapeErr(err))
	})
}

// permalink builds a message's permalink without a Web API call (which could
// cost the trigger_id its 3 seconds).
func permalink(domain, channel, ts string) string {
	if domain == "" || channel == "" || ts == "" || !incident.IsPlainID(domain) || !incident.IsPlainID(channel) {
		return ""
	}
	digits := strings.ReplaceAll(ts, ".", "")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return "https://" + domain + ".slack.com/archives/" + channel + "/p" + digits
}

// submit handles a modal's submission: inline errors keep the modal open with
// the reason next to the field; "clear" closes it.
func (f *FrontDoor) submit(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	v := cb.View
	meta := decodeMeta(v.PrivateMetadata)
	user := cb.User.ID
	fv := formValues{v.State}
	f.log.Info("modal submitted", "callback_id", v.CallbackID, "view", v.ID, "incident", meta.Incident, "user", user)
	if v.CallbackID == CallbackMaintenanceSchedule || v.CallbackID == CallbackMaintenancePromote {
		return f.submitMaintenance(ctx, cb)
	}
	if v.CallbackID != CallbackDeclare && !incident.ValidID(meta.Incident) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{firstField(v.CallbackID): "This form lost track of its incident; close it and start again."})
	}
	to := recipient{channel: meta.Channel, user: user}
	switch v.CallbackID {
	case CallbackDeclare:
		return f.submitDeclare(ctx, v, user, to)
	case CallbackUpdate:
		errs := fieldErrors{}
		status, err := incident.ParseUpdateStatus(fv.selected(FieldStatus))
		if err != nil {
			errs.add(FieldStatus, "Pick a status: investigating, identified, monitoring or mitigated.")
		}
		text := fv.text(FieldText)
		checkText(errs, FieldText, "The update", text, true, MaxText)
		next := nextUpdateIn(errs, fv.get(FieldNextUpdate).Value)
		if r := errs.response(); r != nil {
			return r
		}
		return f.submitted(ctx, to, FieldText, "your update was NOT posted", func(tctx context.Context) error {
			return f.ops.PostStatus(tctx, meta.Incident, wfapi.PostStatusRequest{Author: user, Status: status, Text: text, NextUpdateIn: next})
		})
	case CallbackSeverity:
		errs := fieldErrors{}
		sev := incident.Severity(fv.selected(FieldSeverity))
		if err := f.process.CheckSeverity(sev); err != nil {
			errs.add(FieldSeverity, "%s.", capitalize(err.Error()))
		}
		reason := fv.text(FieldReason)
		checkText(errs, FieldReason, "The reason", reason, false, 500)
		if r := errs.response(); r != nil {
			return r
		}
		return f.submitted(ctx, to, FieldSeverity, "the severity was NOT changed", func(tctx context.Context) error {
			return f.ops.SetSeverity(tctx, meta.Incident, wfapi.SetSeverityRequest{By: user, Severity: sev, Reason: reason})
		})
	case CallbackRole:
		errs := fieldErrors{}
		role, err := incident.ParseRole(fv.selected(FieldRole))
		if err != nil {
			errs.add(FieldRole, "Pick a role: commander or comms.")
		}
		who := fv.user(FieldUser)
		if who == "" {
			errs.add(FieldUser, "Pick a person.")
		} else if msg := f.checkUser(ctx, who); msg != "" {
			errs.add(FieldUser, "%s", msg)
		}
		if r := errs.response(); r != nil {
			return r
		}
		return f.submitted(ctx, to, FieldUser, "the role was NOT assigned", func(tctx context.Context) error {
			return f.ops.AssignRole(tctx, meta.Incident, wfapi.AssignRoleRequest{By: user, Role: role, User: who})
		})
	case CallbackResolve:
		errs := fieldErrors{}
		summary := fv.text(FieldResolution)
		checkText(errs, FieldResolution, "The resolution summary", summary, true, MaxText)
		if r := errs.response(); r != nil {
			return r
		}
		return f.submitted(ctx, to, FieldResolution, "the incident was NOT resolved", func(tctx context.Context) error {
			return f.ops.Resolve(tctx, meta.Incident, wfapi.ResolveRequest{By: user, Summary: summary})
		})
	case CallbackActionItems:
		return f.submitActionItem(ctx, v, meta, user, to)
	}
	f.log.Warn("unknown modal submitted", "callback_id", v.CallbackID)
	return nil
}

// firstField is the field that carries form-wide errors of a modal.
func firstField(callbackID string) string {
	switch callbackID {
	case CallbackUpdate, CallbackActionItems:
		return FieldText
	case CallbackSeverity:
		return FieldSeverity
	case CallbackRole:
		return FieldUser
	case CallbackResolve:
		return FieldResolution
	}
	return FieldTitle
}

// submitted runs a submission's change against Temporal and closes the
// modal, or keeps it open with what went wrong on field when Temporal
// answers within SubmitWait. Past that, the modal closes and the change
// finishes in the background; if it then fails, to is told.
func (f *FrontDoor) submitted(ctx context.Context, to recipient, field, notDone string, change func(context.Context) error) *slack.ViewSubmissionResponse {
	err, answered := f.await(ctx, change, func(err error) {
		if err == nil || errors.Is(err, starter.ErrPending) {
			return
		}
		f.log.Warn("submission failed after the modal closed", "err", err)
		f.tell(to, f.failureWithin(err, notDone, f.submitTO))
	})
	if !answered || err == nil || errors.Is(err, starter.ErrPending) {
		return slack.NewClearViewSubmissionResponse()
	}
	f.log.Warn("submission failed", "err", err)
	return slack.NewErrorsViewSubmissionResponse(map[string]string{field: modalError(f.failure(err, notDone))})
}

// submittedNow runs a submission's change against Temporal within the
// request's deadline and closes the modal, or keeps it open with what went
// wrong on field.
func (f *FrontDoor) submittedNow(ctx context.Context, field, notDone string, change func(context.Context) error) *slack.ViewSubmissionResponse {
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	err := change(tctx)
	if err == nil || errors.Is(err, starter.ErrPending) {
		return slack.NewClearViewSubmissionResponse()
	}
	f.log.Warn("submission failed", "err", err)
	return slack.NewErrorsViewSubmissionResponse(map[string]string{field: modalError(f.failure(err, notDone))})
}

// await runs call in the background, detached from the request and bounded
// by SubmitTimeout, and waits up to SubmitWait for it. answered reports
// whether call returned in time (err is then its result); when it didn't,
// late gets the result once call returns.
func (f *FrontDoor) await(ctx context.Context, call func(context.Context) error, late func(error)) (err error, answered bool) {
	cctx, cancel := context.WithTimeout(starter.AcceptedIsEnough(context.WithoutCancel(ctx)), f.submitTO)
	result := make(chan error, 1)
	var claimed atomic.Bool // whoever sets it handles the result
	f.bg.Go(func() {
		defer cancel()
		err := call(cctx)
		result <- err
		if !claimed.CompareAndSwap(false, true) {
			late(err) // the request was answered without it
		}
	})
	timer := time.NewTimer(f.submitWait)
	defer timer.Stop()
	select {
	case err := <-result:
		claimed.Store(true)
		return err, true
	case <-timer.C:
		if claimed.CompareAndSwap(false, true) {
			return nil, false
		}
		return <-result, true
	}
}

// modalError makes a message fit an inline modal error (plain text).
func modalError(msg string) string {
	msg = strings.NewReplacer("`", "", "*", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(msg)
	return incident.Truncate(msg, 1000)
}

// submitDeclare declares the incident of a submitted declare modal. Its ID
// comes from the view ID, so a double submit or a retried delivery joins the
// same incident instead of declaring a second one.
func (f *FrontDoor) submitDeclare(ctx context.Context, v slack.View, user string, to recipient) *slack.ViewSubmissionResponse {
	d, errs := f.declaration(v, user, f.now())
	if r := errs.response(); r != nil {
		return r
	}
	declare := func(tctx context.Context) error {
		_, err := f.ops.Declare(tctx, d, false)
		return err
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

// declareFailure explains why a declaration failed; within is how long
// Temporal had. inModal says whether the declare form is still open.
func (f *FrontDoor) declareFailure(err error, within time.Duration, inModal bool) string {
	again := "Press Declare again"
	if !inModal {
		again = "Run `/incident declare` again"
	}
	switch {
	case !inModal && isTimeout(err):
		// A new form is a new incident: look before declaring again.
		return fmt.Sprintf("Temporal didn't confirm within %s, so your incident may not be declared. Check `/incident list` in a minute; if it isn't there, it was NOT declared: run `/incident declare` again, or declare by hand in %s.",
			roundSeconds(within), f.announceChannel())
	case unreachable(err):
		return fmt.Sprintf("Temporal is unreachable; your incident was NOT declared. %s to retry, or declare by hand in %s.", again, f.announceChannel())
	case isTimeout(err):
		return fmt.Sprintf("Temporal didn't confirm within %s, so your incident may not be declared yet. %s: it's safe, this form never declares twice. If it keeps failing, declare by hand in %s.",
			roundSeconds(within), again, f.announceChannel())
	}
	msg := f.failureWithin(err, "your incident was NOT declared", within)
	if inModal {
		return modalError(msg)
	}
	return msg
}

// submitActionItem records an action item: on the retrospective when one is
// configured (the incident's workflow is closed once resolved), else on the
// incident.
func (f *FrontDoor) submitActionItem(ctx context.Context, v slack.View, meta viewMeta, user string, to recipient) *slack.ViewSubmissionResponse {
	fv := formValues{v.State}
	errs := fieldErrors{}
	text := fv.text(FieldText)
	checkText(errs, FieldText, "The action item", text, true, MaxText)
	due := fv.get(FieldDue).SelectedDate
	if due != "" {
		if _, err := time.Parse(time.DateOnly, due); err != nil {
			errs.add(FieldDue, "Pick a date from the calendar.")
		}
	}
	if r := errs.response(); r != nil {
		return r
	}
	owner := fv.user(FieldOwner)
	return f.submitted(ctx, to, FieldText, "the action item was NOT recorded", func(tctx context.Context) error {
		if f.retro != nil {
			return f.retro.AddActionItems(tctx, meta.Incident, []incident.ActionItem{{
				Key: "slack-" + incident.IDFromKey(v.ID), Text: text, Owner: owner, Due: due, At: f.now().UTC(), Author: user,
			}})
		}
		return f.ops.AddActionItem(tctx, meta.Incident, wfapi.AddActionItemRequest{By: user, Text: text, Owner: owner, Due: due})
	})
}

// recipient is where to tell someone something only they see.
type recipient struct {
	responseURL string // tried first
	channel     string // else an ephemeral message here
	user        string // the person; else a direct message
}

// recipientOf is the person behind a button or shortcut, where they used it.
func recipientOf(cb slack.InteractionCallback) recipient {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	return recipient{responseURL: cb.ResponseURL, channel: channel, user: cb.User.ID}
}

// notify tells the person who pressed a button or used a shortcut something
// only they see (see tell).
func (f *FrontDoor) notify(cb slack.InteractionCallback, text string) {
	f.tell(recipientOf(cb), text)
}

// tell tells to.user something only they see: through the response_url when
// there is one, else chat.postEphemeral in to.channel, else (or when that
// fails) a direct message. It runs in the background so the acknowledgement
// isn't held up.
func (f *FrontDoor) tell(to recipient, text string) {
	f.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if to.responseURL != "" {
			err := slack.PostWebhookCustomHTTPContext(ctx, to.responseURL, f.httpClient, &slack.WebhookMessage{
				ResponseType: slack.ResponseTypeEphemeral, Text: text, ReplaceOriginal: false,
			})
			if err == nil {
				return
			}
			f.log.Warn("response_url post failed", "err", err)
		}
		if to.user == "" {
			f.log.Warn("nowhere to tell the user", "text", text)
			return
		}
		if to.channel != "" {
			_, err := f.slack.PostEphemeralContext(ctx, to.channel, to.user, slack.MsgOptionText(text, false))
			if err == nil {
				return
			}
			f.log.Warn("chat.postEphemeral failed; sending a direct message", "channel", to.channel, "user", to.user, "err", err)
		}
		if _, _, err := f.slack.PostMessageContext(ctx, to.user, slack.MsgOptionText(text, false)); err != nil {
			f.log.Warn("direct message failed", "user", to.user, "err", err)
		}
	})
}
