package slackemu

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// postTarget resolves the channel of chat.postMessage and friends. The bot may
// post in public channels it is not a member of (as with the chat:write.public
// scope); private channels and group DMs it is not in answer not_in_channel.
func (s *Server) postTarget(arg string) (*channel, error) {
	ch := s.st.chByID[arg]
	if ch == nil {
		if u := s.st.usersByID[arg]; u != nil && u.ID != BotUserID {
			ch, _ = s.openDM(u.ID)
		} else {
			ch = s.channelByName(strings.TrimPrefix(arg, "#"))
		}
	}
	if ch == nil {
		return nil, errCode("channel_not_found")
	}
	if ch.archived {
		return nil, errCode("is_archived")
	}
	if (ch.private || ch.mpim) && !ch.isMember(BotUserID) {
		return nil, errCode("not_in_channel")
	}
	return ch, nil
}

// composeMessage reads the content arguments shared by the chat methods.
// requireContent demands text, blocks or attachments (no_text otherwise).
func (s *Server) composeMessage(p params, requireContent bool) (*Message, error) {
	m := &Message{Text: p.str("text"), Username: p.str("username"), IconEmoji: p.str("icon_emoji"),
		IconURL: p.str("icon_url"), UnfurlLinks: p.optBool("unfurl_links"), UnfurlMedia: p.optBool("unfurl_media"),
		ReplyBroadcast: p.boolean("reply_broadcast")}
	if m.Text == "" && p.str("markdown_text") != "" {
		m.Text = p.str("markdown_text")
	}
	if utf8.RuneCountInString(m.Text) > maxMessageText {
		return nil, errCode("msg_too_long")
	}
	blocks, _, err := parseBlocks(p.jsonArg("blocks"), maxMessageBlocks)
	if err != nil {
		return nil, err
	}
	m.Blocks = blocks
	if m.Attachments, err = parseAttachments(p.jsonArg("attachments")); err != nil {
		return nil, err
	}
	if m.Metadata, err = parseMetadata(p.jsonArg("metadata")); err != nil {
		return nil, err
	}
	if ids := p.jsonArg("file_ids"); len(ids) > 0 {
		var list []string
		if json.Unmarshal(ids, &list) != nil {
			list = p.list("file_ids")
		}
		for _, id := range list {
			if s.st.fileByID[id] == nil {
				return nil, errCode("file_not_found")
			}
		}
		m.Files = list
	}
	if requireContent && m.Text == "" && len(m.Blocks) == 0 && len(m.Attachments) == 0 && len(m.Files) == 0 {
		return nil, errCode("no_text")
	}
	return m, nil
}

// threadRoot resolves a thread_ts argument: a reply's ts maps to its parent;
// an unknown ts posts the message unthreaded, as Slack does for deleted parents.
func threadRoot(ch *channel, ts string) string {
	if ts == "" {
		return ""
	}
	m := ch.byTS[ts]
	if m == nil {
		return ""
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		return m.ThreadTS
	}
	return m.TS
}

// postBotMessage stores m as a new bot message in ch and emits its message event.
func (s *Server) postBotMessage(ch *channel, m *Message, threadTS string) *Message {
	m.TS = s.st.nextTS(s.now())
	m.User = BotUserID
	m.BotID = BotID
	if root := threadRoot(ch, threadTS); root != "" {
		m.ThreadTS = root
		if m.ReplyBroadcast {
			m.Subtype = "thread_broadcast"
		}
	}
	ch.addMessage(m)
	for _, id := range m.Files {
		if f := s.st.fileByID[id]; f != nil && !contains(f.Channels, ch.id) {
			f.Channels = append(f.Channels, ch.id)
			s.st.changedFile(f)
		}
	}
	s.emitLocked(ch.id, s.messageEvent(ch, m))
	return m
}

// chatPostMessage is chat.postMessage.
func chatPostMessage(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.postTarget(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	m, err := s.composeMessage(rq.p, true)
	if err != nil {
		return nil, err
	}
	s.postBotMessage(ch, m, rq.p.str("thread_ts"))
	return obj{"channel": ch.id, "ts": m.TS, "message": s.messageJSON(m, true)}, nil
}

// chatPostEphemeral is chat.postEphemeral: recorded per channel and user.
func chatPostEphemeral(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.postTarget(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	user := rq.p.str("user")
	if s.st.usersByID[user] == nil {
		return nil, errCode("user_not_found")
	}
	if !ch.isMember(user) {
		return nil, errCode("user_not_in_channel")
	}
	m, err := s.composeMessage(rq.p, true)
	if err != nil {
		return nil, err
	}
	e := Ephemeral{Channel: ch.id, User: user, TS: s.st.nextTS(s.now()), ThreadTS: rq.p.str("thread_ts"),
		Text: m.Text, Blocks: m.Blocks, Attachments: m.Attachments, Source: "chat.postEphemeral"}
	s.st.addEphemeral(e)
	return obj{"message_ts": e.TS}, nil
}

// botMessage finds a message for chat.update/chat.delete.
func (s *Server) botMessage(rq *apiRequest, notMine string) (*channel, *Message, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, nil, err
	}
	m := ch.byTS[rq.p.str("ts")]
	if m == nil || m.Subtype == "tombstone" {
		return nil, nil, errCode("message_not_found")
	}
	if m.BotID != BotID {
		return nil, nil, errCode(notMine)
	}
	return ch, m, nil
}

// chatUpdate is chat.update. Arguments left out keep their previous value.
func chatUpdate(s *Server, rq *apiRequest) (obj, error) {
	ch, m, err := s.botMessage(rq, "cant_update_message")
	if err != nil {
		return nil, err
	}
	if ch.archived {
		return nil, errCode("is_archived")
	}
	upd, err := s.composeMessage(rq.p, false)
	if err != nil {
		return nil, err
	}
	if !rq.p.has("text") && !rq.p.has("blocks") && !rq.p.has("attachments") && !rq.p.has("metadata") && !rq.p.has("file_ids") {
		return nil, errCode("no_text")
	}
	s.editLocked(ch, m, func() {
		if rq.p.has("text") {
			m.Text = upd.Text
		}
		if rq.p.has("blocks") {
			m.Blocks = upd.Blocks
		}
		if rq.p.has("attachments") {
			m.Attachments = upd.Attachments
		}
		if rq.p.has("metadata") {
			m.Metadata = upd.Metadata
		}
		if rq.p.has("file_ids") {
			m.Files = upd.Files
		}
	})
	return obj{"channel": ch.id, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m, true)}, nil
}

// chatDelete is chat.delete.
func chatDelete(s *Server, rq *apiRequest) (obj, error) {
	ch, m, err := s.botMessage(rq, "cant_delete_message")
	if err != nil {
		return nil, err
	}
	s.deleteLocked(ch, m)
	return obj{"channel": ch.id, "ts": m.TS}, nil
}

// chatScheduleMessage is chat.scheduleMessage (post_at within 120 days).
func chatScheduleMessage(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.postTarget(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	at, perr := strconv.ParseInt(strings.TrimSpace(rq.p.str("post_at")), 10, 64)
	if perr != nil {
		return nil, errCode("invalid_time")
	}
	now := s.now()
	postAt := time.Unix(at, 0)
	if !postAt.After(now) {
		return nil, errCode("time_in_past")
	}
	if postAt.After(now.Add(120 * 24 * time.Hour)) {
		return nil, errCode("time_too_far")
	}
	m, err := s.composeMessage(rq.p, true)
	if err != nil {
		return nil, err
	}
	sm := &ScheduledMessage{ID: s.st.newID("Q"), Channel: ch.id, PostAt: postAt, Text: m.Text,
		ThreadTS: rq.p.str("thread_ts"), Blocks: m.Blocks, Metadata: m.Metadata, Created: now}
	s.st.scheduled = append(s.st.scheduled, sm)
	s.st.changedScheduled(sm)
	msg := obj{"type": "message", "text": m.Text, "user": BotUserID, "bot_id": BotID, "team": TeamID}
	if len(m.Blocks) > 0 {
		msg["blocks"] = m.Blocks
	}
	return obj{"channel": ch.id, "scheduled_message_id": sm.ID, "post_at": at, "message": msg}, nil
}

// chatScheduledMessagesList is chat.scheduledMessages.list (pending messages only).
func chatScheduledMessagesList(s *Server, rq *apiRequest) (obj, error) {
	filter := rq.p.str("channel")
	out := []obj{}
	for _, sm := range s.st.scheduled {
		if sm.Posted || sm.Deleted || (filter != "" && sm.Channel != filter) {
			continue
		}
		out = append(out, obj{"id": sm.ID, "channel_id": sm.Channel, "post_at": sm.PostAt.Unix(),
			"date_created": sm.Created.Unix(), "text": sm.Text})
	}
	return obj{"scheduled_messages": out, "response_metadata": obj{"next_cursor": ""}}, nil
}

// chatDeleteScheduledMessage is chat.deleteScheduledMessage.
func chatDeleteScheduledMessage(s *Server, rq *apiRequest) (obj, error) {
	id := rq.p.str("scheduled_message_id")
	for _, sm := range s.st.scheduled {
		if sm.ID == id && !sm.Posted && !sm.Deleted {
			if ch := rq.p.str("channel"); ch != "" && ch != sm.Channel {
				return nil, errCode("invalid_scheduled_message_id")
			}
			sm.Deleted = true
			s.st.changedScheduled(sm)
			return obj{}, nil
		}
	}
	return nil, errCode("invalid_scheduled_message_id")
}

// deliverDueLocked posts the scheduled messages whose time has come and
// commits them before anyone hears of them. A failed commit stays pending
// for the next one.
func (s *Server) deliverDueLocked(now time.Time) {
	due := false
	for _, sm := range s.st.scheduled {
		if sm.Posted || sm.Deleted || sm.PostAt.After(now) {
			continue
		}
		due = true
		s.st.changedScheduled(sm)
		ch := s.st.chByID[sm.Channel]
		if ch == nil || ch.archived {
			sm.Deleted = true
			continue
		}
		m := &Message{Text: sm.Text, Blocks: cloneRaw(sm.Blocks), Metadata: sm.Metadata}
		s.postBotMessage(ch, m, sm.ThreadTS)
		sm.Posted, sm.MessageTS = true, m.TS
	}
	if due {
		_ = s.commitLocked()
	}
}

// chatGetPermalink is chat.getPermalink. Permalinks point at the emulator's page.
func chatGetPermalink(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	m := ch.byTS[rq.p.str("message_ts")]
	if m == nil {
		return nil, errCode("message_not_found")
	}
	return obj{"channel": ch.id, "permalink": permalink(rq.base, ch.id, m)}, nil
}

// permalink builds the permalink of m.
func permalink(base, channelID string, m *Message) string {
	link := base + "/archives/" + channelID + "/p" + strings.Replace(m.TS, ".", "", 1)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + channelID
	}
	return link
}
