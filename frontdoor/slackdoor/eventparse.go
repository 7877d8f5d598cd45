package slackdoor

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// eventTask is what one Events API delivery asks of the front door, as
// parseEvent reads it. Exactly one of Challenge, Mention and Mark is set,
// or none when Ignored says why nothing is to be done.
type eventTask struct {
	// Challenge is url_verification's challenge, the answer to send back.
	Challenge string
	// EventID identifies an event_callback: the dedupe key and the
	// timeline update's ID.
	EventID string
	// Mention is an app_mention to answer with the help.
	Mention *mention
	// Mark is the change to a marked message the event makes. For a
	// MarkAdd only Channel, TS, By and Via are set: the message itself is
	// fetched from Slack.
	Mark *incident.MessageMark
	// Ignored says why the delivery is ignored, for the debug log.
	Ignored string
}

// mention is who mentioned the bot, where.
type mention struct{ Channel, User string }

// rawEvent is the part of an Events API body parseEvent reads.
type rawEvent struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	Event     *struct {
		Type      string      `json:"type"`
		Subtype   string      `json:"subtype"`
		User      string      `json:"user"`
		BotID     string      `json:"bot_id"`
		Channel   string      `json:"channel"`    // app_mention, message
		ChannelID string      `json:"channel_id"` // pin_added, pin_removed
		Reaction  string      `json:"reaction"`
		Item      rawItem     `json:"item"`
		Message   *rawMessage `json:"message"`          // message_changed: the message as it is now
		Previous  *rawMessage `json:"previous_message"` // message_deleted: the message as it was
		DeletedTS string      `json:"deleted_ts"`
	} `json:"event"`
}

// rawItem is the item of a reaction or pin event.
type rawItem struct {
	Type    string      `json:"type"`
	Channel string      `json:"channel"`
	TS      string      `json:"ts"`      // reactions
	Message *rawMessage `json:"message"` // pins
}

// rawMessage is a message inside an event.
type rawMessage struct {
	TS    string    `json:"ts"`
	User  string    `json:"user"`
	Text  string    `json:"text"`
	Files []rawFile `json:"files"`
}

// rawFile is a file of a message.
type rawFile struct {
	Name       string `json:"name"`
	Title      string `json:"title"`
	Permalink  string `json:"permalink"`
	URLPrivate string `json:"url_private"`
}

// parseEvent reads an Events API body (HTTP, or a Socket Mode envelope's
// payload) and says what to do with it: answer the challenge, answer a
// mention, change the timeline (reaction is the configured emoji name),
// or nothing. It calls nobody; everything in body is untrusted.
func parseEvent(body []byte, reaction string) eventTask {
	if len(body) > MaxBodyBytes {
		return eventTask{Ignored: "an event larger than 1 MiB"}
	}
	var raw rawEvent
	if err := json.Unmarshal(body, &raw); err != nil {
		return eventTask{Ignored: "unreadable event: " + err.Error()}
	}
	switch raw.Type {
	case "url_verification":
		if raw.Challenge == "" {
			return eventTask{Ignored: "url_verification without a challenge"}
		}
		return eventTask{Challenge: raw.Challenge}
	case "event_callback":
	default:
		return eventTask{Ignored: "not an event callback: " + clampRunes(raw.Type, 40)}
	}
	if raw.Event == nil {
		return eventTask{EventID: raw.EventID, Ignored: "no event"}
	}
	task := markTask(raw, reaction)
	task.EventID = raw.EventID
	if task.Mark != nil && (len(raw.EventID) > 64 || !incident.IsPlainID(raw.EventID)) {
		return eventTask{Ignored: "a mark without an event_id"} // the update's key
	}
	return task
}

// markTask is the task of an event_callback's inner event.
func markTask(raw rawEvent, reaction string) eventTask {
	ev := raw.Event
	if ev.BotID != "" {
		return eventTask{Ignored: "a bot's event"}
	}
	change := func(action incident.MarkAction, channel, ts, by string, via incident.MarkVia) eventTask {
		if !incident.IsUserID(by) {
			return eventTask{Ignored: "no user"}
		}
		return checked(&incident.MessageMark{Action: action, Channel: channel, TS: ts, By: by, Via: via})
	}
	switch ev.Type {
	case "app_mention":
		if !incident.IsUserID(ev.User) || ev.Channel == "" {
			return eventTask{Ignored: "a mention by nobody"}
		}
		return eventTask{Mention: &mention{Channel: ev.Channel, User: ev.User}}
	case "reaction_added", "reaction_removed":
		if name, _, _ := strings.Cut(ev.Reaction, "::"); name != reaction { // "pushpin::skin-tone-2"
			return eventTask{Ignored: "another reaction"}
		}
		if ev.Item.Type != "message" {
			return eventTask{Ignored: "a reaction on a " + clampRunes(ev.Item.Type, 20)}
		}
		return change(actionOf(ev.Type), ev.Item.Channel, ev.Item.TS, ev.User, incident.ViaReaction)
	case "pin_added", "pin_removed":
		if ev.Item.Type != "message" || ev.Item.Message == nil {
			return eventTask{Ignored: "a pinned " + clampRunes(ev.Item.Type, 20)}
		}
		channel := ev.ChannelID
		if channel == "" {
			channel = ev.Item.Channel
		}
		return change(actionOf(ev.Type), channel, ev.Item.Message.TS, ev.User, incident.ViaPin)
	case "message":
		return messageTask(ev.Subtype, ev.Channel, ev.Message, ev.Previous, ev.DeletedTS)
	}
	return eventTask{Ignored: "event " + clampRunes(ev.Type, 40)}
}

// messageTask is the task of a message event: an edit or a deletion of a
// message, a person's or a bot's (an alerting integration's post someone
// pinned follows its updates too); a new message (no subtype) or anything
// else is ignored. An edit's Author is who posted the message, so that
// markFromEvent can leave out the edits of this app's own bot.
func messageTask(subtype, channel string, now, before *rawMessage, deletedTS string) eventTask {
	switch subtype {
	case "":
		return eventTask{Ignored: "a new message"}
	case "message_changed":
		if now == nil {
			return eventTask{Ignored: "an edit without its message"}
		}
		if before != nil && before.Text == now.Text && len(before.Files) == len(now.Files) {
			return eventTask{Ignored: "an unfurl, not an edit"} // Slack added a link preview
		}
		return checked(&incident.MessageMark{Action: incident.MarkEdit, Channel: channel, TS: now.TS,
			Author: now.User, Text: markText(now.Text), PostedAt: tsTime(now.TS), Files: fileLinks(now.Files)})
	case "message_deleted":
		return checked(&incident.MessageMark{Action: incident.MarkDelete, Channel: channel, TS: deletedTS})
	}
	return eventTask{Ignored: "message " + clampRunes(subtype, 40)}
}

// checked is the task of mark, unless its channel or ts can't be a war-room
// message's.
func checked(mark *incident.MessageMark) eventTask {
	switch {
	case !isChannelID(mark.Channel):
		return eventTask{Ignored: "not in a channel"}
	case tsTime(mark.TS).IsZero():
		return eventTask{Ignored: "no message ts"}
	}
	return eventTask{Mark: mark}
}

// actionOf is the mark action of a reaction or pin event.
func actionOf(eventType string) incident.MarkAction {
	if strings.HasSuffix(eventType, "_removed") {
		return incident.MarkRemove
	}
	return incident.MarkAdd
}

// isChannelID reports whether id is a public or private channel's ID (war
// rooms are never direct messages).
func isChannelID(id string) bool {
	return len(id) > 1 && len(id) <= 30 && (id[0] == 'C' || id[0] == 'G') && incident.IsPlainID(id)
}

// tsTime is the time a Slack message ts ("1700000000.000100", seconds and
// microseconds) stands for, or zero when ts isn't one.
func tsTime(ts string) time.Time {
	sec, micro, ok := strings.Cut(ts, ".")
	if !ok || len(sec) == 0 || len(sec) > 12 || len(micro) != 6 {
		return time.Time{}
	}
	s, err1 := strconv.ParseUint(sec, 10, 64)
	us, err2 := strconv.ParseUint(micro, 10, 64)
	if err1 != nil || err2 != nil || s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), int64(us)*1000).UTC()
}

// markText is a message's text as the timeline keeps it: Slack's markup
// turned into plain text, at most incident.MaxMarkedText characters.
func markText(text string) string {
	return clampRunes(strings.ToValidUTF8(plainText(text), "\uFFFD"), incident.MaxMarkedText)
}

// fileLinks are the first incident.MaxMarkFiles of a message's files as
// links: the file's permalink, else its private URL; files with neither
// are left out.
func fileLinks(files []rawFile) []incident.FileLink {
	var out []incident.FileLink
	for _, f := range files {
		if len(out) == incident.MaxMarkFiles {
			break
		}
		url := f.Permalink
		if url == "" {
			url = f.URLPrivate
		}
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
			continue
		}
		name := f.Name
		if name == "" {
			name = f.Title
		}
		if name == "" {
			name = "file"
		}
		out = append(out, incident.FileLink{Name: clampRunes(name, 200), URL: url})
	}
	return out
}
