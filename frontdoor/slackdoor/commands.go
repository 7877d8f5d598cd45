package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// command answers a slash command. The answer (nil when a modal opened) is
// the ephemeral reply: the HTTP body, or the Socket Mode acknowledgement.
// The change a command makes is the Temporal update its trigger_id names
// ("cmd-<trigger_id>"), so the same command delivered again (a replay within
// Slack's five minutes, a retry) is applied once and answered as the first
// was.
func (f *FrontDoor) command(ctx context.Context, sc slack.SlashCommand) *ephemeral {
	ctx = withUpdateID(ctx, "cmd-", sc.TriggerID)
	text := sc.Text
	if strings.EqualFold(strings.TrimPrefix(sc.Command, "/"), "closeincident") {
		text = "resolve " + text
	}
	cmd, err := ParseCommand(text)
	if err != nil {
		// The reasons quote placeholders such as <title>, and what was
		// typed: escaped, or Slack would read them as links or mentions.
		return say("%s", escapeErr(err))
	}
	f.log.Info("slash command", "command", sc.Command, "verb", cmd.Verb, "user", sc.UserID, "channel", sc.ChannelID)
	switch cmd.Verb {
	case VerbHelp:
		_, maintenance := f.scheduler()
		return say("%s", helpText(f.process, f.reaction, maintenance, f.drills != nil))
	case VerbDrill:
		return f.drillCommand(ctx, sc, cmd)
	case VerbHint:
		if f.drills == nil {
			return say("%s", drillsOff)
		}
	case VerbMaintenance:
		return f.maintenanceCommand(ctx, sc)
	case VerbList:
		return f.list(ctx, sc.UserID)
	case VerbInsights:
		return f.insightsCommand(ctx)
	case VerbDeclare:
		return f.openModal(ctx, sc, f.declareView(declarePrefill{
			Title:     cmd.Text,
			Commander: sc.UserID,
			Meta:      viewMeta{Channel: sc.ChannelID},
		}), "declare form")
	case VerbSeverity:
		if f.process.CheckSeverity(incident.Severity(cmd.Arg)) != nil {
			return say("Unknown severity “%s”: use one of %s. Type `/incident severity <name> [reason]`.",
				incident.Escape(incident.Truncate(cmd.Arg, 40)), strings.Join(f.process.SeverityNames(), ", "))
		}
	case VerbLead, VerbComms, VerbAction:
		return f.personCommand(ctx, sc, cmd)
	}
	return f.warRoomCommand(ctx, sc, cmd)
}

// personCommand runs lead, comms or action once the person they name is
// known: the caller for "me", the user of a mention, or whom the name typed
// in words resolves to (said before the reply). An action item may name
// nobody.
func (f *FrontDoor) personCommand(ctx context.Context, sc slack.SlashCommand, cmd Command) *ephemeral {
	notDone, hint := "nothing was changed", fmt.Sprintf("Type @ and pick the person from Slack's list, or give their email address: `/incident %s @name`.", cmd.Verb)
	if cmd.Verb == VerbAction {
		notDone, hint = "the action item was NOT recorded", "Type @ and pick the owner from Slack's list, or leave the @ out to record it without an owner."
	}
	if cmd.Self {
		cmd.User = sc.UserID
	}
	note, refusal := f.resolvePerson(ctx, &cmd, notDone, hint)
	switch {
	case refusal != "":
		return say("%s", refusal)
	case cmd.Who == "" && (cmd.User != "" || cmd.Verb != VerbAction):
		if msg := f.checkUser(ctx, cmd.User); msg != "" {
			return say("%s", msg)
		}
	}
	reply := f.warRoomCommand(ctx, sc, cmd)
	reply.Text = note + reply.Text
	return reply
}

// warRoomCommand runs a subcommand that needs the incident of the channel.
func (f *FrontDoor) warRoomCommand(ctx context.Context, sc slack.SlashCommand, cmd Command) *ephemeral {
	var reserve time.Duration
	opensForm := cmd.Verb == VerbUpdate || cmd.Verb == VerbResolve || cmd.Verb == VerbStatusPage
	if opensForm {
		reserve = f.slackTO // a modal opens after the lookup
	}
	tctx, cancel := f.temporalCtx(ctx, reserve)
	defer cancel()
	id, err := f.ops.ByChannel(tctx, sc.ChannelID)
	if errors.Is(err, starter.ErrNotFound) {
		return say("%s", notInWarRoom(cmd.Verb))
	}
	if err != nil {
		f.log.Warn("war-room lookup failed", "channel", sc.ChannelID, "err", err)
		return say("%s", f.failure(err, "nothing was changed"))
	}
	meta := viewMeta{Incident: id, Channel: sc.ChannelID}
	if act, guarded := commandActions[cmd.Verb]; guarded {
		check := f.permit
		if opensForm {
			check = f.mayOpen
		}
		if err := check(tctx, act, id, sc.UserID); err != nil {
			return say("%s", f.failure(err, "nothing was changed"))
		}
	}
	switch cmd.Verb {
	case VerbUpdate:
		cancel()
		return f.openModal(ctx, sc, f.updateViewFor(ctx, meta, sc.UserID, incident.Status(cmd.Arg), cmd.Text), "status update form")
	case VerbResolve:
		cancel()
		return f.openModal(ctx, sc, f.resolveView(meta, cmd.Text), "resolve form")
	case VerbStatusPage:
		cancel()
		return f.statusPageCommand(ctx, sc, meta)
	case VerbStatus:
		inc, err := f.ops.Get(tctx, id)
		if err != nil {
			return say("%s", f.failure(err, "I can't show its status"))
		}
		return say("%s", statusText(inc, f.process))
	case VerbTimeline, VerbCatchup:
		inc, err := f.ops.Get(tctx, id)
		if err != nil {
			return say("%s", f.failure(err, "I can't show its timeline"))
		}
		if cmd.Verb == VerbCatchup {
			return say("%s", incident.CatchupText(&inc, &f.process, f.process.Location()))
		}
		return say("%s", incident.TimelineText(&inc, f.process.Location(), timelineLines, f.wholeTimelineLink(id)))
	case VerbSeverity:
		err := f.ops.SetSeverity(tctx, id, wfapi.SetSeverityRequest{
			By: sc.UserID, Severity: incident.Severity(cmd.Arg), Reason: cmd.Text,
		})
		return f.done(err, fmt.Sprintf("Severity of `%s` is now *%s*.", id, strings.ToUpper(cmd.Arg)), "the severity was NOT changed")
	case VerbPage:
		return f.pageCommand(tctx, id, sc.UserID, cmd.Arg)
	case VerbHint:
		return f.hintCommand(tctx, id, sc.UserID)
	case VerbLead, VerbComms:
		role := incident.Commander
		if cmd.Verb == VerbComms {
			role = incident.Comms
		}
		err := f.ops.AssignRole(tctx, id, wfapi.AssignRoleRequest{By: sc.UserID, Role: role, User: cmd.User})
		return f.done(err, fmt.Sprintf("%s is now the %s of `%s`.", incident.Mention(cmd.User), role, id), "the role was NOT assigned")
	case VerbAction:
		if n := len([]rune(cmd.Text)); n > MaxText {
			return say("That action item is %d characters long; keep it to %d.", n, MaxText)
		}
		err := f.ops.AddActionItem(tctx, id, wfapi.AddActionItemRequest{By: sc.UserID, Text: cmd.Text, Owner: cmd.User})
		owner := ""
		if cmd.User != "" {
			owner = fmt.Sprintf(" (owner <@%s>)", cmd.User)
		}
		return f.done(err, fmt.Sprintf("Recorded the action item “%s”%s on `%s`.", incident.Escape(incident.Truncate(cmd.Text, 200)), owner, id),
			"the action item was NOT recorded")
	}
	return say("%s", notInWarRoom(cmd.Verb))
}

// done answers a command that changed an incident.
func (f *FrontDoor) done(err error, ok, notDone string) *ephemeral {
	switch {
	case err == nil:
		return say("%s", ok)
	case errors.Is(err, starter.ErrPending):
		return say("%s The incident accepted it and is still posting it; the war room will show it in a moment.", ok)
	}
	f.log.Warn("command failed", "err", err)
	return say("%s", f.failure(err, notDone))
}

// list answers /incident list for user, who sees the security incidents
// of the war rooms they are in and no others.
func (f *FrontDoor) list(ctx context.Context, user string) *ephemeral {
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	list, err := f.ops.List(tctx)
	if err != nil {
		return say("%s", f.failure(err, "I can't list the incidents"))
	}
	return say("%s", listText(f.visible(ctx, list, user), f.process))
}

// openModal opens view with a command's trigger_id once the command has been
// answered (nil: an empty answer), so Slack's answer doesn't wait for
// views.open. If Slack refuses, the caller is told through the response_url.
func (f *FrontDoor) openModal(ctx context.Context, sc slack.SlashCommand, view slack.ModalViewRequest, what string) *ephemeral {
	to := recipient{responseURL: sc.ResponseURL, channel: sc.ChannelID, user: sc.UserID}
	f.openLater(ctx, sc.TriggerID, view, to, func(err error) string {
		return fmt.Sprintf("Slack didn't open the %s (%s). Run the command again; if this keeps happening, tell your incidentflow operator.",
			what, escapeErr(err))
	})
	return nil
}

// openLater calls views.open in the background, after the request has been
// answered, within the trigger_id's life: ctx's deadline (ackBudget from the
// request's arrival), not the request itself. When Slack refuses, to is told
// failed(err).
func (f *FrontDoor) openLater(ctx context.Context, triggerID string, view slack.ModalViewRequest, to recipient, failed func(error) string) {
	octx, cancel := detached(ctx, ackBudget)
	f.bg.Go(func() {
		defer cancel()
		if err := f.open(octx, triggerID, view); err != nil {
			f.tell(to, failed(err))
		}
	})
}

// open calls views.open within ctx.
func (f *FrontDoor) open(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	if triggerID == "" {
		return errors.New("no trigger_id in the request")
	}
	_, err := f.slack.OpenViewContext(ctx, triggerID, view)
	if err != nil {
		f.log.Warn("views.open failed", "callback_id", view.CallbackID, "err", err)
	}
	return err
}

// checkUser returns why user can't hold a role, or "" when they can (or
// Slack can't tell us in time: the workflow gets the last word).
func (f *FrontDoor) checkUser(ctx context.Context, user string) string {
	if !incident.IsUserID(user) {
		return "I can't tell who that is. Type @ and pick the person from Slack's list so it becomes a mention."
	}
	sctx, cancel := f.slackCtx(ctx)
	defer cancel()
	u, err := f.slack.GetUserInfoContext(sctx, user)
	switch {
	case err != nil && strings.Contains(err.Error(), "user_not_found"):
		return fmt.Sprintf("There's no user %s in this workspace. Type @ and pick the person from Slack's list.", incident.Escape(user))
	case err != nil:
		f.log.Warn("users.info failed; assigning anyway", "user", user, "err", err)
		return ""
	}
	return unfit(toPerson(*u))
}
