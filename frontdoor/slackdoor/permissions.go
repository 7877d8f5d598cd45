package slackdoor

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// decide is the door's decision whether user may do act to incident id:
// the permission model of the door's process over the incident's state,
// with what only Slack knows, whether user is in its war room
// (conversations.members), asked only when the answer turns on it
// (byMembership). refusal is nil, or the *incident.Refusal; err says why
// the door couldn't decide.
func (f *FrontDoor) decide(ctx context.Context, act incident.Action, id, user string) (refusal error, byMembership bool, err error) {
	inc, err := f.ops.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	a := incident.Actor{User: user}
	refusal = f.process.Permit(act, &inc, a, incident.NotMember)
	if refusal == nil || f.process.Permit(act, &inc, a, incident.Member) != nil {
		return refusal, false, nil // membership changes nothing
	}
	member, err := f.isMember(ctx, inc.ChannelID, user)
	if err != nil || member {
		return nil, true, err
	}
	return refusal, true, nil
}

// workflowGuarded are the actions the incident workflow decides too, with
// everything but the war room's members: it records a refusal on the
// timeline, and answers a repeated request as it answered the first.
var workflowGuarded = map[incident.Action]bool{
	incident.ActionResolve: true, incident.ActionChangeSeverity: true, incident.ActionAssignRole: true,
	incident.ActionPage: true, incident.ActionPublish: true,
}

// permit decides whether user's change act to incident id goes to
// Temporal: the door refuses what the workflow can't decide (who may act
// in the war room; whether user is in it), and leaves the rest to the
// workflow. It returns nil, a *incident.Refusal, or why it couldn't decide.
func (f *FrontDoor) permit(ctx context.Context, act incident.Action, id, user string) error {
	refusal, byMembership, err := f.decide(ctx, act, id, user)
	if err != nil || (workflowGuarded[act] && !byMembership) {
		return err
	}
	return refusal
}

// mayOpen decides wholly whether user may do act to incident id, before a
// form for it opens, so that nobody fills one in vain: nil, a
// *incident.Refusal, or why the door couldn't decide.
func (f *FrontDoor) mayOpen(ctx context.Context, act incident.Action, id, user string) error {
	refusal, _, err := f.decide(ctx, act, id, user)
	if err != nil {
		return err
	}
	return refusal
}

// commandActions are the slash commands the door decides who may use
// before acting: those that change an incident (permit), and those that
// open a form to (mayOpen).
var commandActions = map[Verb]incident.Action{
	VerbUpdate:   incident.ActionPostUpdate,
	VerbSeverity: incident.ActionChangeSeverity,
	VerbLead:     incident.ActionAssignRole,
	VerbComms:    incident.ActionAssignRole,
	VerbAction:   incident.ActionAddActionItem,
	VerbResolve:  incident.ActionResolve,
	VerbPage:     incident.ActionPage,
}

// permitted is change, carried out once permit lets user do act to
// incident id.
func (f *FrontDoor) permitted(act incident.Action, id, user string, change func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := f.permit(ctx, act, id, user); err != nil {
			return err
		}
		return change(ctx)
	}
}

// permitWindow decides whether user may do act (complete or promote) to
// maintenance window windowID from channel, where its button was pressed:
// as permit decides for the window's war room, which is the incident whose
// war room channel is when that incident is a run of the window (the
// workflow posts the buttons there). Elsewhere (the war room didn't open,
// so the buttons went to an announce channel) there is no war room to be
// a member of, and the rule alone decides.
func (f *FrontDoor) permitWindow(ctx context.Context, act incident.Action, windowID, channel, user string) error {
	if channel != "" {
		id, err := f.warRoomOf(ctx, channel)
		if err != nil {
			return err
		}
		if strings.HasPrefix(id, windowID+"-") { // a run's ID is its RunKey
			return f.permit(ctx, act, id, user)
		}
	}
	return f.process.Permit(act, nil, incident.Actor{User: user}, incident.NotMember)
}

// permitDeclare decides whether user may answer an alert's triage prompt
// (Declare, Ignore, Snooze), or start a drill: deciding an alert's fate is
// deciding whether to declare, and a drill declares one, so the declare
// rule says who may.
func (f *FrontDoor) permitDeclare(user string) error {
	return f.process.Permit(incident.ActionDeclare, nil, incident.Actor{User: user}, incident.MembershipUnknown)
}

// permitMark decides whether the person who marked or unmarked a message
// may change incident id's timeline. Edits and deletions, which only
// follow a message already marked, need no one's permission.
func (f *FrontDoor) permitMark(ctx context.Context, id string, mark incident.MessageMark) error {
	if mark.Action != incident.MarkAdd && mark.Action != incident.MarkRemove {
		return nil
	}
	return f.permit(ctx, incident.ActionMarkTimeline, id, mark.By)
}

// refusalOf is the sentence of a refusal of the permission model, the
// door's own (*incident.Refusal) or the workflow's (wfapi.NotAllowedError),
// rendered for Slack: it says who can, with their mentions.
func refusalOf(err error) (string, bool) {
	var refusal *incident.Refusal
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &refusal):
		return escapeRefusal(refusal.Sentence), true
	case errors.As(err, &appErr) && appErr.Type() == wfapi.NotAllowedError:
		return escapeRefusal(appErr.Message()), true
	}
	return "", false
}

// visible is list without the security incidents user may not see: those
// of war rooms user isn't a member of. When Slack can't tell, a security
// incident stays hidden.
func (f *FrontDoor) visible(ctx context.Context, list []starter.Summary, user string) []starter.Summary {
	var out []starter.Summary
	for _, s := range list {
		if !s.Security || f.seesSecurity(ctx, s, user) {
			out = append(out, s)
		}
	}
	return out
}

// seesSecurity reports whether user is a member of security incident s's
// war room.
func (f *FrontDoor) seesSecurity(ctx context.Context, s starter.Summary, user string) bool {
	member, err := f.isMember(ctx, s.ChannelID, user)
	if err != nil {
		f.log.Warn("hid a security incident: its war room's members are unknown", "incident", s.ID, "err", err)
	}
	return member
}

// slackRef is a user mention or a channel link in mrkdwn.
var slackRef = regexp.MustCompile(`<([@#][A-Z0-9]+)>`)

// plainMentions writes the mentions and channel links of a refusal as
// plain text (@U…, #C…), for a modal's inline error, which shows no
// markup.
func plainMentions(s string) string { return slackRef.ReplaceAllString(s, "$1") }
