package slackemu

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// timelineEmoji is the reaction that marks a message for the incident timeline.
const timelineEmoji = "pushpin"

// pageControls are what a person can do to a stored message on the page.
type pageControls struct {
	pageButton        // channel, ts, person and CSRF token of the forms
	Own        bool   // the person wrote it: edit and delete
	Text       string // its text, to edit
	TimelineOn bool   // the person has reacted with 📌
	Shortcuts  []MessageShortcutEntry
}

// pageReaction is one reaction of a message on the page.
type pageReaction struct {
	Name  string // emoji name, e.g. "pushpin"
	Label string // ":eyes: 2", "📌 :pushpin: 1"
	Who   string // "@alice, @bob"
	Mine  bool   // the person is one of them: clicking removes it
}

// pageReactionsLocked renders the reactions of m for the person as (s.mu held).
func (s *Server) pageReactionsLocked(m *Message, as string) []pageReaction {
	var out []pageReaction
	for _, r := range m.Reactions {
		var who []string
		for _, u := range r.Users {
			who = append(who, s.userNameLocked(u))
		}
		label := ":" + r.Name + ": " + strconv.Itoa(len(r.Users))
		if r.Name == timelineEmoji {
			label = "📌 " + label
		}
		out = append(out, pageReaction{Name: r.Name, Label: label,
			Who: strings.Join(who, ", "), Mine: contains(r.Users, as)})
	}
	return out
}

// playMessage handles POST /_emu/act/message: a person reacts to a message
// or takes a reaction back (op react/unreact, name; default 📌), pins or
// unpins it, edits (text) or deletes their own message, or uses a message
// shortcut (op shortcut, callback). Each goes through the actor methods,
// so the app gets the events.
func (s *Server) playMessage(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	as, channelID, ts, op := f.Get("as"), f.Get("channel"), f.Get("ts"), f.Get("op")
	name := strings.Trim(f.Get("name"), ":")
	if name == "" {
		name = timelineEmoji
	}
	res := playResult{User: as}
	if op == "shortcut" {
		res.What = "used the shortcut “" + clip(f.Get("label"), 40) + "”"
		s.deliver(w, r, res, channelID, func(ctx context.Context) (*Reply, error) {
			return s.MessageShortcut(ctx, f.Get("callback"), channelID, ts, as)
		})
		return
	}
	acts := map[string]struct {
		what string
		do   func(context.Context) error
	}{
		"react":   {"reacted :" + name + ":", func(ctx context.Context) error { return s.React(ctx, channelID, ts, as, name) }},
		"unreact": {"took back :" + name + ":", func(ctx context.Context) error { return s.Unreact(ctx, channelID, ts, as, name) }},
		"pin":     {"pinned a message", func(ctx context.Context) error { return s.PinAs(ctx, channelID, ts, as) }},
		"unpin":   {"unpinned a message", func(ctx context.Context) error { return s.UnpinAs(ctx, channelID, ts, as) }},
		"edit":    {"edited a message", func(ctx context.Context) error { return s.EditAs(ctx, channelID, ts, as, f.Get("text")) }},
		"delete":  {"deleted a message", func(ctx context.Context) error { return s.DeleteAs(ctx, channelID, ts, as) }},
	}
	act, ok := acts[op]
	if !ok {
		res.What, res.Failed, res.Outcome = op, true, "unknown action"
		s.addResult(res)
		back(w, r, channelID, as, "play")
		return
	}
	res.What = act.what
	s.mu.Lock()
	on := s.eventsOnLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), playTimeout)
	defer cancel()
	err := act.do(ctx)
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		res.Failed, res.Outcome = true, "Slack refused it: "+ae.code
	case err != nil:
		res.Failed, res.Outcome = true, "done, but the app did not acknowledge the event: "+err.Error()
	case on:
		res.Outcome = "done, the app acknowledged the event"
	default:
		res.Outcome = "done (no app connected to tell)"
	}
	s.addResult(res)
	back(w, r, channelID, as, "play")
}
