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

// blockAction handles a button incidentflow posted. The button's value is
// the incident (or maintenance window) ID. The change a click makes is the
// update its trigger_id names: Slack mints one per interaction, so a
// repeated delivery of the click is applied once, while a second click is
// a request of its own. (The action's action_ts would do as well within a
// channel, but it is a clock reading, not an ID.)
func (f *FrontDoor) blockAction(ctx context.Context, cb slack.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	ctx = withUpdateID(ctx, "click-", cb.TriggerID)
	act := cb.ActionCallback.BlockActions[0]
	id := act.Value
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	f.log.Info("button", "action_id", act.ActionID, "incident", id, "user", cb.User.ID)
	if buttons[act.ActionID] == nil {
		f.notify(cb, "That button isn't supported by this version of incidentflow.")
		return
	}
	if !incident.ValidID(id) {
		f.notify(cb, "That button doesn't name an incident incidentflow can read; use the slash commands (`/incident help`) instead.")
		return
	}
	buttons[act.ActionID](f, ctx, cb, viewMeta{Incident: id, Channel: channel})
}

// button is what a click on one of incidentflow's buttons does; meta names
// the incident (or window) and the channel.
type button func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, meta viewMeta)

// buttons are every button the workflows post, by action ID.
var buttons = map[string]button{
	wfapi.ActionPostUpdate:        (*FrontDoor).openUpdateForm,
	wfapi.ActionChangeSeverity:    opens((*FrontDoor).severityView),
	wfapi.ActionAssignRole:        opens((*FrontDoor).roleView),
	wfapi.ActionResolve:           opens(func(f *FrontDoor, m viewMeta) slack.ModalViewRequest { return f.resolveView(m, "") }),
	wfapi.ActionAddActionItems:    opens((*FrontDoor).actionItemsView),
	wfapi.ActionPage:              (*FrontDoor).pageButton,
	wfapi.ActionPublishStatusPage: (*FrontDoor).publishButton,
	wfapi.ActionRetroDone: func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		f.retroDone(ctx, cb, m.Incident)
	},
	wfapi.ActionMaintenancePromote: func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		if _, ok := f.scheduler(); !ok {
			f.maintenanceAction(ctx, cb, wfapi.ActionMaintenancePromote, m)
			return
		}
		f.openPromoteForm(ctx, cb, m) // asks for the severity first
	},
	wfapi.ActionMaintenanceComplete: func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		f.maintenanceAction(ctx, cb, wfapi.ActionMaintenanceComplete, m)
	},
	wfapi.ActionAlertDeclare: (*FrontDoor).alertDeclare,
	wfapi.ActionAlertIgnore: func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		f.alertTriage(ctx, cb, m.Incident, wfapi.TriageIgnore)
	},
	wfapi.ActionAlertSnooze: func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		f.alertTriage(ctx, cb, m.Incident, wfapi.TriageSnooze)
	},
}

// opens is a button that opens the modal view builds.
func opens(view func(f *FrontDoor, m viewMeta) slack.ModalViewRequest) button {
	return func(f *FrontDoor, ctx context.Context, cb slack.InteractionCallback, m viewMeta) {
		f.openForm(ctx, cb, view(f, m))
	}
}

// openForm opens view for the person who clicked, after the answer to the
// click, telling them if Slack won't.
func (f *FrontDoor) openForm(ctx context.Context, cb slack.InteractionCallback, view slack.ModalViewRequest) {
	f.openLater(ctx, cb.TriggerID, view, recipientOf(cb), func(err error) string {
		return fmt.Sprintf("Slack didn't open the form (%s). Press the button again.", escapeErr(err))
	})
}

// click carries out a button's change within the request's deadline and
// tells the person who clicked how it went: the unsupported sentence when
// this front door wasn't given what the button needs, ok when done (or accepted),
// else why notDone.
func (f *FrontDoor) click(ctx context.Context, cb slack.InteractionCallback, supported bool, unsupported string,
	change func(context.Context) error, ok, notDone string) {
	if !supported {
		f.notify(cb, unsupported)
		return
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	if err := change(tctx); err != nil && !errors.Is(err, starter.ErrPending) {
		f.notify(cb, f.failure(err, notDone))
		return
	}
	f.notify(cb, ok)
}

func (f *FrontDoor) retroDone(ctx context.Context, cb slack.InteractionCallback, id string) {
	f.click(ctx, cb, f.retro != nil, "Marking the retrospective done isn't supported by this incidentflow.", func(tctx context.Context) error {
		return f.retro.MarkDone(tctx, id, cb.User.ID)
	}, fmt.Sprintf("Marked the retrospective of `%s` done. Thank you!", id), "the retrospective was NOT marked done")
}

// maintenanceAction completes or promotes the window of m, the one whose
// button was pressed in m.Channel, once the act rule lets the person who
// pressed it (permitWindow).
func (f *FrontDoor) maintenanceAction(ctx context.Context, cb slack.InteractionCallback, action string, m viewMeta) {
	id, user := m.Incident, cb.User.ID
	if action == wfapi.ActionMaintenanceComplete {
		f.click(ctx, cb, f.maintenance != nil, "Maintenance buttons aren't supported by this incidentflow.", func(tctx context.Context) error {
			if err := f.permitWindow(tctx, incident.ActionCompleteMaintenance, id, m.Channel, user); err != nil {
				return err
			}
			return f.maintenance.Complete(tctx, id, user)
		}, "Marked maintenance `"+id+"` complete.", "the maintenance was NOT marked complete")
		return
	}
	f.click(ctx, cb, f.maintenance != nil, "Maintenance buttons aren't supported by this incidentflow.", func(tctx context.Context) error {
		if err := f.permitWindow(tctx, incident.ActionPromoteMaintenance, id, m.Channel, user); err != nil {
			return err
		}
		return f.maintenance.Promote(tctx, id, user)
	}, "Turned maintenance `"+id+"` into an incident; its war room will tell you more.", "NO incident was declared")
}

// shortcut opens the declare modal from the shortcut menus (the message
// shortcut pre-fills it from the message), or adds a message to the
// timeline.
func (f *FrontDoor) shortcut(ctx context.Context, cb slack.InteractionCallback) {
	switch cb.CallbackID {
	case ShortcutAddToTimeline:
		f.addToTimeline(cb)
		return
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

// submitted keeps the modal open with errs when the form has any; else it
// runs the submission's change against Temporal and closes the modal, or keeps it open with what went wrong on field when Temporal
// answers within SubmitWait. Past that, the modal closes and the change
// finishes in the background; if it then fails, to is told. A refusal of
// the permission model closes the modal and is told to to either way.
func (f *FrontDoor) submitted(ctx context.Context, errs fieldErrors, to recipient, field, notDone string, change func(context.Context) error) *slack.ViewSubmissionResponse {
	if r := errs.response(); r != nil {
		return r // the form's own errors: nothing is sent to Temporal
	}
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
	if refusal, ok := refusalOf(err); ok {
		f.tell(to, refusal) // ephemeral, with the mentions of who can
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

// modalError makes a message fit an inline modal error (plain text,
// cleaned of control and bidi characters).
func modalError(msg string) string {
	msg = strings.NewReplacer("`", "", "*", "", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(msg)
	return incident.Truncate(incident.Clean(msg), 1000)
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
// isn't held up. The text is cleaned of control and bidi characters.
func (f *FrontDoor) tell(to recipient, text string) {
	text = incident.Clean(text)
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

// withUpdateID marks ctx so that the Temporal update a request sends
// carries prefix+key as its update ID (starter.WithUpdateID); a request
// without a key (Slack always sends one) gets none.
func withUpdateID(ctx context.Context, prefix, key string) context.Context {
	if key == "" {
		return ctx
	}
	return starter.WithUpdateID(ctx, prefix+key)
}
