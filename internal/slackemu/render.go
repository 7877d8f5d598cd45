package slackemu

import (
	"encoding/json"
	"strings"
	"time"
)

// channelJSON renders a conversation object as the Web API returns it.
func (s *Server) channelJSON(ch *channel) obj {
	o := obj{
		"id":                    ch.id,
		"created":               ch.created.Unix(),
		"is_channel":            !ch.im && !ch.mpim,
		"is_group":              false,
		"is_im":                 ch.im,
		"is_mpim":               ch.mpim,
		"is_private":            ch.private || ch.im || ch.mpim,
		"is_archived":           ch.archived,
		"is_general":            ch.general,
		"is_shared":             false,
		"is_ext_shared":         false,
		"is_org_shared":         false,
		"is_pending_ext_shared": false,
		"is_member":             ch.isMember(BotUserID),
		"is_open":               true,
		"context_team_id":       TeamID,
		"num_members":           len(ch.members),
		"unlinked":              0,
	}
	if ch.im {
		o["user"] = ch.imUser
		o["is_user_deleted"] = false
		o["priority"] = 0
		return o
	}
	o["name"] = ch.name
	o["name_normalized"] = ch.name
	o["creator"] = ch.creator
	o["previous_names"] = append([]string{}, ch.previousNames...)
	o["topic"] = textJSON(ch.topic)
	o["purpose"] = textJSON(ch.purpose)
	return o
}

// textJSON renders a topic or purpose.
func textJSON(t textField) obj {
	var last int64
	if !t.lastSet.IsZero() {
		last = t.lastSet.Unix()
	}
	return obj{"value": t.value, "creator": t.creator, "last_set": last}
}

// messageJSON renders a message. withMeta includes its metadata.
func (s *Server) messageJSON(m *Message, withMeta bool) obj {
	o := obj{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "team": TeamID}
	if m.BotID != "" {
		o["bot_id"] = m.BotID
		o["app_id"] = AppID
		o["bot_profile"] = obj{"id": m.BotID, "app_id": AppID, "name": BotName, "team_id": TeamID, "deleted": false}
	}
	if m.Subtype != "" {
		o["subtype"] = m.Subtype
	}
	if len(m.Blocks) > 0 {
		o["blocks"] = m.Blocks
	}
	if len(m.Attachments) > 0 {
		o["attachments"] = m.Attachments
	}
	if withMeta && m.Metadata != nil {
		o["metadata"] = m.Metadata
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if m.ThreadTS == m.TS && m.ReplyCount > 0 {
		o["reply_count"] = m.ReplyCount
		o["reply_users"] = append([]string{}, m.replyUsers...)
		o["reply_users_count"] = len(m.replyUsers)
		o["latest_reply"] = m.latestReply
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if ch := s.st.chByID[m.Channel]; ch != nil {
			if parent := ch.byTS[m.ThreadTS]; parent != nil {
				o["parent_user_id"] = parent.User
			}
		}
	}
	if m.Pinned {
		o["pinned_to"] = []string{m.Channel}
	}
	if len(m.Reactions) > 0 {
		var rs []obj
		for _, r := range m.Reactions {
			rs = append(rs, obj{"name": r.Name, "users": r.Users, "count": len(r.Users)})
		}
		o["reactions"] = rs
	}
	if m.Edited {
		o["edited"] = obj{"user": m.User, "ts": m.editedTS}
	}
	if len(m.Files) > 0 {
		var fs []obj
		for _, id := range m.Files {
			if f := s.st.fileByID[id]; f != nil {
				fs = append(fs, s.fileJSON(f, ""))
			}
		}
		o["files"] = fs
		o["upload"] = true
	}
	if m.Username != "" {
		o["username"] = m.Username
	}
	return o
}

// userJSON renders a user object.
func userJSON(u *User) obj {
	first, last, _ := strings.Cut(u.RealName, " ")
	profile := obj{
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"first_name": first, "last_name": last,
		"email": u.Email, "title": u.Title, "team": TeamID,
		"avatar_hash": "emu", "image_24": "", "image_32": "", "image_48": "", "image_72": "",
		"image_192": "", "image_512": "",
	}
	o := obj{
		"id": u.ID, "team_id": TeamID, "name": u.Name, "deleted": false, "color": "9f69e7",
		"real_name": u.RealName, "tz": u.TZ, "tz_label": u.TZLabel, "tz_offset": u.TZOffset,
		"profile": profile, "is_admin": u.IsAdmin, "is_owner": false, "is_primary_owner": false,
		"is_restricted": false, "is_ultra_restricted": false, "is_bot": u.IsBot, "is_app_user": false,
		"updated": 1700000000, "is_email_confirmed": u.Email != "", "locale": "en-US",
	}
	if u.IsBot {
		profile["bot_id"] = BotID
		profile["api_app_id"] = AppID
		profile["always_active"] = true
	}
	return o
}

// viewJSON renders a view object.
func viewJSON(v *View) obj {
	o := obj{
		"id": v.ID, "team_id": TeamID, "type": v.Type, "blocks": rawOr(v.Blocks, "[]"),
		"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
		"state": v.State, "hash": v.Hash, "clear_on_close": v.ClearOnClose,
		"notify_on_close": v.NotifyOnClose, "root_view_id": nil, "previous_view_id": nil,
		"app_id": AppID, "app_installed_team_id": TeamID, "bot_id": BotID,
		"external_id": v.ExternalID,
	}
	if v.State.Values == nil {
		o["state"] = obj{"values": obj{}}
	}
	if v.RootViewID != "" {
		o["root_view_id"] = v.RootViewID
	}
	if v.PreviousViewID != "" {
		o["previous_view_id"] = v.PreviousViewID
	}
	for k, raw := range map[string]json.RawMessage{"title": v.Title, "submit": v.Submit, "close": v.Close} {
		if len(raw) > 0 {
			o[k] = raw
		}
	}
	return o
}

// fileJSON renders a file object; base is the URL prefix for url_private
// (the emulator's own URL when empty).
func (s *Server) fileJSON(f *File, base string) obj {
	if base == "" {
		base = s.url
	}
	o := obj{
		"id": f.ID, "created": f.Created.Unix(), "timestamp": f.Created.Unix(), "name": f.Name,
		"title": f.Title, "mimetype": f.Mimetype, "filetype": f.Filetype, "pretty_type": strings.ToUpper(f.Filetype),
		"user": f.User, "user_team": TeamID, "mode": "hosted", "editable": false, "is_external": false,
		"external_type": "", "is_public": false, "public_url_shared": false, "size": len(f.Content),
		"url_private":          base + "/_emu/files/" + f.ID,
		"url_private_download": base + "/_emu/files/" + f.ID + "?download=1",
		"permalink":            base + "/_emu/files/" + f.ID,
		"channels":             append([]string{}, f.Channels...), "groups": []string{}, "ims": []string{},
		"comments_count": 0,
	}
	if f.AltText != "" {
		o["alt_txt"] = f.AltText
	}
	return o
}

// bookmarkJSON renders a bookmark object.
func bookmarkJSON(b *Bookmark) obj {
	return obj{
		"id": b.ID, "channel_id": b.ChannelID, "title": b.Title, "link": b.Link, "emoji": b.Emoji,
		"icon_url": "", "type": b.Type, "entity_id": "", "date_created": b.Created.Unix(),
		"date_updated": b.Created.Unix(), "rank": "U", "last_updated_by_user_id": b.CreatedBy,
		"last_updated_by_team_id": TeamID, "shortcut_id": "", "app_id": AppID,
	}
}

// rawOr returns raw, or fallback when raw is empty.
func rawOr(raw json.RawMessage, fallback string) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(fallback)
	}
	return raw
}

// unix returns t in seconds, 0 for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
