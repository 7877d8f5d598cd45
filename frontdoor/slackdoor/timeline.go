package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// ShortcutAddToTimeline is the callback ID of the message shortcut "Add to
// incident timeline" (slack-app-manifest.yaml).
const ShortcutAddToTimeline = "add_to_timeline"

const (
	// timelineLines is how many entries /incident timeline shows.
	timelineLines = 20
	// warRoomCacheSize bounds the channels whose war-room lookup is kept;
	// a channel is a war room for warRoomTTL, not one for notWarRoomTTL
	// (short: a war room just opened becomes known quickly).
	warRoomCacheSize = 1000
	warRoomTTL       = 5 * time.Minute
	notWarRoomTTL    = 30 * time.Second
)

// markFromEvent applies the mark an event makes (key: its event_id) to the
// timeline of the incident whose war room the message is in. Events of the
// bot itself stop here before any Temporal call: its own reactions and pins,
// and the edits of its own messages (it rewrites its kickoff and prompts
// often; other bots' edits are followed). So do events from channels that
// aren't war rooms; for a new mark the message is read from Slack first.
func (f *FrontDoor) markFromEvent(ctx context.Context, key string, mark incident.MessageMark) {
	log := f.log.With("event_id", key, "action", mark.Action, "channel", mark.Channel, "ts", mark.TS)
	if bot := f.botUserID(ctx); bot != "" && (mark.By == bot || mark.Author == bot) {
		log.Debug("ignored the bot's own event")
		return
	}
	id, err := f.warRoomOf(ctx, mark.Channel)
	if err != nil {
		log.Warn("war-room lookup failed; the mark was NOT applied", "err", err)
		return
	}
	if id == "" {
		log.Debug("ignored an event outside the war rooms")
		return
	}
	if err := f.permitMark(ctx, id, mark); err != nil {
		log.Info("the mark was NOT applied", "incident", id, "user", mark.By, "why", err)
		return
	}
	if mark.Action == incident.MarkAdd {
		if err := f.readMarked(ctx, &mark); err != nil {
			log.Warn("reading the marked message failed; it was NOT added to the timeline", "incident", id, "err", err)
			return
		}
	}
	out, err := f.ops.MarkMessage(ctx, id, key, wfapi.MarkMessageRequest{Mark: mark})
	var refused *temporal.ApplicationError
	switch {
	case err == nil:
		log.Info("timeline mark", "incident", id, "outcome", out)
	case errors.As(err, &refused):
		// Edits and deletions of unmarked messages land here: routine.
		log.Debug("the incident refused the mark", "incident", id, "why", refused.Message())
	default:
		log.Warn("timeline mark failed", "incident", id, "err", err)
	}
}

// addToTimeline handles the message shortcut "Add to incident timeline":
// Slack gets its answer at once, and the person who used it is told the
// outcome privately once the incident has it. Its key is the trigger_id,
// so a redelivery is applied once.
func (f *FrontDoor) addToTimeline(cb slack.InteractionCallback) {
	msg := cb.Message
	ts := msg.Timestamp
	if ts == "" {
		ts = cb.MessageTs
	}
	mark := incident.MessageMark{Action: incident.MarkAdd, Channel: cb.Channel.ID, TS: ts, By: cb.User.ID,
		Via: incident.ViaShortcut, Author: msg.User, Text: markText(msg.Text), PostedAt: tsTime(ts), Files: slackFileLinks(msg.Files)}
	to := recipientOf(cb)
	f.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), f.submitTO)
		defer cancel()
		f.tell(to, f.markByShortcut(ctx, cb.TriggerID, cb.Team.Domain, mark))
	})
}

// markByShortcut applies a shortcut's mark and says how it went.
func (f *FrontDoor) markByShortcut(ctx context.Context, key, domain string, mark incident.MessageMark) string {
	const notDone = "the message was NOT added to the timeline"
	if checked(&mark).Mark == nil || key == "" || !incident.IsUserID(mark.By) {
		return "I can't tell which message that is, so " + notDone + ". Try the shortcut again on the message itself."
	}
	id, err := f.warRoomOf(ctx, mark.Channel)
	switch {
	case err != nil:
		f.log.Warn("war-room lookup failed", "channel", mark.Channel, "err", err)
		return f.failureWithin(err, notDone, f.submitTO)
	case id == "":
		return "*Add to incident timeline* only works in an incident's war room, and this channel isn't the war room of an open incident. Use it on a message in the war room (`/incident list` shows them)."
	}
	if err := f.permitMark(ctx, id, mark); err != nil {
		return f.failureWithin(err, notDone, f.submitTO)
	}
	mark.Permalink = f.permalinkOf(ctx, mark.Channel, mark.TS)
	if mark.Permalink == "" {
		mark.Permalink = permalink(domain, mark.Channel, mark.TS)
	}
	out, err := f.ops.MarkMessage(ctx, id, key, wfapi.MarkMessageRequest{Mark: mark})
	switch {
	case errors.Is(err, starter.ErrPending):
		return fmt.Sprintf("Incident `%s` accepted the message; it will be in its timeline in a moment.", id)
	case err != nil:
		f.log.Warn("timeline mark failed", "incident", id, "err", err)
		return f.failureWithin(err, notDone, f.submitTO)
	case out == incident.MarkAlready:
		return fmt.Sprintf("That message is already in the timeline of incident `%s`.", id)
	}
	return fmt.Sprintf("Added to the timeline of incident `%s`. `/incident timeline` shows it.", id)
}

// warRoomOf returns the incident whose war room channel is, or "" when it
// is none, from the cache when it can.
func (f *FrontDoor) warRoomOf(ctx context.Context, channel string) (string, error) {
	if id, ok := f.warRooms.get(channel, time.Now()); ok {
		return id, nil
	}
	id, err := f.ops.ByChannel(ctx, channel)
	switch {
	case errors.Is(err, starter.ErrNotFound):
		f.warRooms.put(channel, "", time.Now(), notWarRoomTTL)
		return "", nil
	case err != nil:
		return "", err
	}
	f.warRooms.put(channel, id, time.Now(), warRoomTTL)
	return id, nil
}

// botUserID is the bot's own user ID (auth.test, asked once), or "" while
// Slack can't say.
func (f *FrontDoor) botUserID(ctx context.Context) string {
	if id := f.botUser.Load(); id != nil {
		return *id
	}
	sctx, cancel := f.slackCtx(ctx)
	defer cancel()
	resp, err := f.slack.AuthTestContext(sctx)
	if err != nil {
		f.log.Warn("auth.test failed; can't tell the bot's own events yet", "err", err)
		return ""
	}
	f.botUser.Store(&resp.UserID)
	return resp.UserID
}

// readMarked fills a new mark with the message as Slack has it: author,
// text, time, files and permalink.
func (f *FrontDoor) readMarked(ctx context.Context, mark *incident.MessageMark) error {
	msg, err := f.message(ctx, mark.Channel, mark.TS)
	if err != nil {
		return err
	}
	mark.Author = msg.User
	mark.Text = markText(msg.Text)
	mark.PostedAt = tsTime(mark.TS)
	mark.Files = slackFileLinks(msg.Files)
	mark.Permalink = f.permalinkOf(ctx, mark.Channel, mark.TS)
	return nil
}

// message reads the message at ts in channel: from the channel's history,
// or, for a thread reply (which the history doesn't hold), its thread's.
func (f *FrontDoor) message(ctx context.Context, channel, ts string) (*slack.Message, error) {
	sctx, cancel := f.slackCtx(ctx)
	defer cancel()
	h, err := f.slack.GetConversationHistoryContext(sctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Latest: ts, Inclusive: true, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("conversations.history: %w", err)
	}
	if len(h.Messages) > 0 && h.Messages[0].Timestamp == ts {
		return &h.Messages[0], nil
	}
	rctx, cancel := f.slackCtx(ctx)
	defer cancel()
	replies, _, _, err := f.slack.GetConversationRepliesContext(rctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: ts, Oldest: ts, Latest: ts, Inclusive: true})
	if err != nil {
		return nil, fmt.Errorf("conversations.replies: %w", err)
	}
	for i := range replies {
		if replies[i].Timestamp == ts {
			return &replies[i], nil
		}
	}
	return nil, fmt.Errorf("no message %s in %s", ts, channel)
}

// permalinkOf is chat.getPermalink's link to a message, or "" when Slack
// doesn't give one (the mark goes on without it).
func (f *FrontDoor) permalinkOf(ctx context.Context, channel, ts string) string {
	sctx, cancel := f.slackCtx(ctx)
	defer cancel()
	link, err := f.slack.GetPermalinkContext(sctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		f.log.Warn("chat.getPermalink failed", "channel", channel, "ts", ts, "err", err)
		return ""
	}
	return link
}

// slackFileLinks are fileLinks of files as slack-go reads them.
func slackFileLinks(files []slack.File) []incident.FileLink {
	raw := make([]rawFile, len(files))
	for i, file := range files {
		raw[i] = rawFile{Name: file.Name, Title: file.Title, Permalink: file.Permalink, URLPrivate: file.URLPrivate}
	}
	return fileLinks(raw)
}

// wholeTimelineLink links to incident id's page in the Temporal Web UI,
// where its whole history is, or is "" when the Web UI's URL isn't known.
func (f *FrontDoor) wholeTimelineLink(id string) string {
	if f.process.WebUIURL == "" {
		return ""
	}
	ns := f.process.Namespace
	if ns == "" {
		ns = "default"
	}
	url := incident.WebUIWorkflowURL(f.process.WebUIURL, ns, wfapi.IncidentWorkflowID(id))
	return incident.SlackLink(url, "The whole history: the incident's page in the Temporal Web UI")
}
