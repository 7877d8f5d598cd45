package slackemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// responseURLLifetime is how long a response_url accepts posts.
const responseURLLifetime = 30 * time.Minute

// responseURL is a response_url handed to the app with a command or interaction.
type responseURL struct {
	id, channel, user, messageTS string
	created                      time.Time
	posts                        []ResponseURLPost
}

// ResponseURLPost is one post the app made to a response_url.
type ResponseURLPost struct {
	ID              string // the response_url's ID (last path element)
	Received        time.Time
	Body            json.RawMessage
	Text            string
	ResponseType    string // "ephemeral" (default) or "in_channel"
	ReplaceOriginal bool
	DeleteOriginal  bool
	Status          int    // HTTP status the emulator answered
	Error           string // "used_url", "expired_url", "no_text" when refused
}

// responseMessage is the body of a response_url post (or an immediate command answer).
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	Attachments     json.RawMessage `json:"attachments"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

// newResponseURLLocked creates a response_url (s.mu held).
func (s *Server) newResponseURLLocked(channelID, userID, messageTS string) string {
	id := s.st.newID("R") + randomHex(4)
	s.responses[id] = &responseURL{id: id, channel: channelID, user: userID, messageTS: messageTS, created: s.now()}
	s.respOrder = append(s.respOrder, id)
	return s.url + "/_emu/response/" + id
}

// ResponseURLPosts returns the posts made to the response_url with the given ID
// (the last element of its path), or to every response_url when id is "".
func (s *Server) ResponseURLPosts(id string) []ResponseURLPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ResponseURLPost
	for _, rid := range s.respOrder {
		if id != "" && rid != id {
			continue
		}
		if r := s.responses[rid]; r != nil {
			out = append(out, r.posts...)
		}
	}
	return out
}

// serveResponseURL handles POST /_emu/response/{id}: at most 5 posts within
// 30 minutes; the post is shown as Slack would show it.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		if vals, err := url.ParseQuery(string(body)); err == nil && vals.Get("payload") != "" {
			body = []byte(vals.Get("payload"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := ResponseURLPost{ID: r.PathValue("id"), Received: s.now(), Body: body}
	ru := s.responses[rec.ID]
	var msg responseMessage
	switch {
	case ru == nil || rec.Received.Sub(ru.created) > responseURLLifetime:
		rec.Status, rec.Error = http.StatusNotFound, "expired_url"
	case len(ru.posts) >= responseURLMaxUse:
		rec.Status, rec.Error = http.StatusNotFound, "used_url"
	case json.Unmarshal(body, &msg) != nil:
		rec.Status, rec.Error = http.StatusBadRequest, "invalid_payload"
	default:
		if string(bytes.TrimSpace(msg.Blocks)) == "null" {
			msg.Blocks = nil
		}
		rec.Text, rec.ResponseType = msg.Text, msg.ResponseType
		rec.ReplaceOriginal, rec.DeleteOriginal = msg.ReplaceOriginal, msg.DeleteOriginal
		if code := s.applyResponseLocked(ru, msg, "response_url"); code != "" {
			rec.Status, rec.Error = http.StatusBadRequest, code
		} else {
			rec.Status = http.StatusOK
		}
	}
	if ru != nil {
		ru.posts = append(ru.posts, rec)
	}
	if err := s.commitLocked(); err != nil {
		writeCommitError(w, err)
		return
	}
	if rec.Status != http.StatusOK {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rec.Status)
		_, _ = io.WriteString(w, rec.Error)
		return
	}
	writeJSON(w, http.StatusOK, obj{"ok": true})
}

// applyResponseLocked shows a response message: delete or replace the original
// message, post in the channel ("in_channel"), or show it to the user only.
// It returns a Slack error code when the message cannot be shown.
func (s *Server) applyResponseLocked(ru *responseURL, msg responseMessage, source string) string {
	ch := s.st.chByID[ru.channel]
	var orig *Message
	if ch != nil && ru.messageTS != "" {
		orig = ch.byTS[ru.messageTS]
	}
	if msg.DeleteOriginal {
		if orig != nil {
			ch.deleteMessage(orig)
		}
		return ""
	}
	blocks, _, err := parseBlocks(msg.Blocks, maxMessageBlocks)
	if err != nil {
		return "invalid_blocks"
	}
	atts, _ := parseAttachments(msg.Attachments)
	if msg.Text == "" && len(blocks) == 0 && len(atts) == 0 {
		return "no_text"
	}
	if msg.ReplaceOriginal && orig != nil {
		orig.Text, orig.Blocks, orig.Attachments = msg.Text, blocks, atts
		orig.Edited, orig.editedTS = true, s.st.nextTS(s.now())
		ch.changedMessage(orig)
		return ""
	}
	if ch == nil {
		return ""
	}
	if msg.ResponseType == "in_channel" {
		s.postBotMessage(ch, &Message{Text: msg.Text, Blocks: blocks, Attachments: atts}, msg.ThreadTS)
		return ""
	}
	s.st.addEphemeral(Ephemeral{Channel: ch.id, User: ru.user, TS: s.st.nextTS(s.now()),
		ThreadTS: msg.ThreadTS, Text: msg.Text, Blocks: blocks, Attachments: atts, Source: source})
	return ""
}
