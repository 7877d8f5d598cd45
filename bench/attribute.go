package main

import (
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/activities"
)

// warRoomMethods are the Slack calls that open and equip a war room and
// announce the incident: channel created (then named, and its purpose set), members
// invited, topic set, bookmarks added, kickoff posted and pinned,
// announcement posted.
var warRoomMethods = map[string]bool{
	"conversations.create":     true,
	"conversations.rename":     true,
	"conversations.setPurpose": true,
	"conversations.invite":     true,
	"conversations.setTopic":   true,
	"bookmarks.list":           true,
	"bookmarks.add":            true,
	"chat.postMessage":         true,
	"pins.add":                 true,
}

// purposeMarker is how the Slack activities mark a war room's purpose with
// its incident (activities.Purpose): " · incident <id>".
const purposeMarker = " · incident "

// byIncident sorts the call log's war-room calls by incident: a channel
// belongs to the incident whose marker its purpose carries, a call to the
// incident whose war room it touches, or whose ID its message metadata
// holds. Only calls that succeeded count; keys (the metadata key of
// messages) other than in keep are left out when keep is not nil.
func byIncident(calls []call, keep func(key string) bool) map[string][]call {
	owner := map[string]string{} // channel ID → incident ID
	for _, c := range calls {
		if c.Method == "conversations.setPurpose" && c.Error == "" {
			if i := strings.LastIndex(c.Text, purposeMarker); i >= 0 {
				owner[c.Channel] = c.Text[i+len(purposeMarker):]
			}
		}
	}
	out := map[string][]call{}
	for _, c := range calls {
		if !warRoomMethods[c.Method] || c.Error != "" || c.Status != 200 {
			continue
		}
		id := c.Incident
		if id == "" {
			id = owner[c.Channel]
		}
		if id == "" && c.CreatedID != "" {
			id = owner[c.CreatedID]
		}
		if id == "" {
			continue
		}
		if c.Method == "chat.postMessage" && keep != nil && !keep(c.Key) {
			continue
		}
		out[id] = append(out[id], c)
	}
	return out
}

// warRoomKeys keeps the posts of a war room's opening: the kickoff and the
// announcements.
func warRoomKeys(key string) bool {
	return key == activities.KeyKickoff || key == activities.KeyAnnounce
}

// lastEnd returns when the last of calls ended.
func lastEnd(calls []call) time.Time {
	var t time.Time
	for _, c := range calls {
		if c.End.After(t) {
			t = c.End
		}
	}
	return t
}

// criticalPath returns the calls the last one waited for: from the call
// that ended last, back through, each time, the call that ended last
// before it started. Its length is how many Slack round trips the war room
// took one after another; the gaps between them are incidentflow's own.
func criticalPath(calls []call) []call {
	if len(calls) == 0 {
		return nil
	}
	cur := calls[0]
	for _, c := range calls {
		if c.End.After(cur.End) {
			cur = c
		}
	}
	path := []call{cur}
	for {
		var pred *call
		for i := range calls {
			c := &calls[i]
			if !c.End.After(cur.Start) && (pred == nil || c.End.After(pred.End)) {
				pred = c
			}
		}
		if pred == nil {
			return path
		}
		// Among calls that ended at about the same time, name the one the
		// current call depends on, rather than a sibling.
		for i := range calls {
			c := &calls[i]
			if !c.End.After(cur.Start) && pred.End.Sub(c.End) < 10*time.Millisecond && dependsOn[cur.Method][c.Method] {
				pred = c
				break
			}
		}
		cur = *pred
		path = append([]call{cur}, path...)
	}
}

// dependsOn names, for a war-room call, the calls whose results it needs
// (every call also needs the channel, from conversations.create).
var dependsOn = map[string]map[string]bool{
	"conversations.rename":     {"conversations.create": true},
	"conversations.setPurpose": {"conversations.create": true},
	"bookmarks.list":           {"conversations.create": true, "conversations.setPurpose": true},
	"bookmarks.add":            {"bookmarks.list": true, "bookmarks.add": true},
	"pins.add":                 {"chat.postMessage": true},
}

// methods names the methods of calls, in order.
func methods(calls []call) string {
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.Method
	}
	return strings.Join(names, " → ")
}

// busy returns the sum of the calls' durations: what a bot making them one
// at a time would spend waiting on Slack.
func busy(calls []call) time.Duration {
	var d time.Duration
	for _, c := range calls {
		d += c.End.Sub(c.Start)
	}
	return d
}
