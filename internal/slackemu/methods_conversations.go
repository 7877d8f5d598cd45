package slackemu

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// findChannel resolves a channel argument the bot can see. Private channels and
// group DMs the bot is not in are invisible (channel_not_found), as in Slack.
func (s *Server) findChannel(id string) (*channel, error) {
	if id == "" {
		return nil, errCode("channel_not_found")
	}
	ch := s.st.chByID[id]
	if ch == nil {
		return nil, errCode("channel_not_found")
	}
	if (ch.private || ch.mpim) && !ch.isMember(BotUserID) {
		return nil, errCode("channel_not_found")
	}
	return ch, nil
}

// channelByName finds a channel by name.
func (s *Server) channelByName(name string) *channel {
	for _, ch := range s.st.channels {
		if ch.name != "" && ch.name == name {
			return ch
		}
	}
	return nil
}

// writableChannel resolves a channel the bot must be a member of to change it.
func (s *Server) writableChannel(id string) (*channel, error) {
	ch, err := s.findChannel(id)
	if err != nil {
		return nil, err
	}
	if ch.archived {
		return nil, errCode("is_archived")
	}
	if !ch.isMember(BotUserID) {
		return nil, errCode("not_in_channel")
	}
	return ch, nil
}

// conversationsCreate is conversations.create. The bot creates and joins the channel.
func conversationsCreate(s *Server, rq *apiRequest) (obj, error) {
	name := rq.p.str("name")
	if err := validateChannelName(name); err != nil {
		return nil, err
	}
	if s.channelByName(name) != nil {
		return nil, errCode("name_taken")
	}
	ch := s.st.addChannel(s.st.newID("C"), name, rq.p.boolean("is_private"), BotUserID, s.now(), []string{BotUserID})
	return obj{"channel": s.channelJSON(ch)}, nil
}

// conversationsInfo is conversations.info.
func conversationsInfo(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	return obj{"channel": s.channelJSON(ch)}, nil
}

// conversationsInvite is conversations.invite. Inviting only members fails with
// already_in_channel; a mix invites the others and lists the rest in "errors".
func conversationsInvite(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	if ch.im || ch.mpim {
		return nil, errCode("method_not_supported_for_channel_type")
	}
	if ch.archived {
		return nil, errCode("is_archived")
	}
	if !ch.isMember(BotUserID) {
		return nil, errCode("not_in_channel")
	}
	users := rq.p.list("users")
	if len(users) == 0 {
		return nil, errCode("no_user")
	}
	force := rq.p.boolean("force")
	var toAdd []string
	var already, errs []obj
	for _, u := range users {
		switch {
		case u == BotUserID:
			return nil, errCode("cant_invite_self")
		case s.st.usersByID[u] == nil:
			if !force {
				return nil, errWith("user_not_found", obj{"errors": []obj{{"user": u, "ok": false, "error": "user_not_found"}}})
			}
			errs = append(errs, obj{"user": u, "ok": false, "error": "user_not_found"})
		case ch.isMember(u) || contains(toAdd, u):
			already = append(already, obj{"user": u, "ok": false, "error": "already_in_channel"})
		default:
			toAdd = append(toAdd, u)
		}
	}
	if len(toAdd) == 0 {
		return nil, errWith("already_in_channel", obj{"errors": append(already, errs...)})
	}
	ch.members = append(ch.members, toAdd...)
	ch.changed()
	res := obj{"channel": s.channelJSON(ch)}
	if all := append(already, errs...); len(all) > 0 {
		res["errors"] = all
	}
	return res, nil
}

// conversationsKick is conversations.kick.
func conversationsKick(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	user := rq.p.str("user")
	switch {
	case ch.im || ch.mpim:
		return nil, errCode("method_not_supported_for_channel_type")
	case user == "":
		return nil, errCode("user_not_found")
	case user == BotUserID:
		return nil, errCode("cant_kick_self")
	case s.st.usersByID[user] == nil:
		return nil, errCode("user_not_found")
	case ch.general:
		return nil, errCode("cant_kick_from_general")
	case ch.archived:
		return nil, errCode("is_archived")
	case !ch.isMember(BotUserID):
		return nil, errCode("not_in_channel")
	case !ch.isMember(user):
		return nil, errCode("not_in_channel")
	}
	ch.removeMember(user)
	return obj{"errors": obj{}}, nil
}

// conversationsSetTopic is conversations.setTopic.
func conversationsSetTopic(s *Server, rq *apiRequest) (obj, error) {
	return setText(s, rq, "topic", maxTopic, func(ch *channel) *textField { return &ch.topic })
}

// conversationsSetPurpose is conversations.setPurpose.
func conversationsSetPurpose(s *Server, rq *apiRequest) (obj, error) {
	return setText(s, rq, "purpose", maxPurpose, func(ch *channel) *textField { return &ch.purpose })
}

// setText sets a channel topic or purpose.
func setText(s *Server, rq *apiRequest, arg string, max int, field func(*channel) *textField) (obj, error) {
	ch, err := s.writableChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	v := rq.p.str(arg)
	if utf8.RuneCountInString(v) > max {
		return nil, errCode("too_long")
	}
	*field(ch) = textField{value: v, creator: BotUserID, lastSet: s.now()}
	ch.changed()
	return obj{"channel": s.channelJSON(ch), arg: v}, nil
}

// conversationsArchive is conversations.archive.
func conversationsArchive(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	switch {
	case ch.im || ch.mpim:
		return nil, errCode("method_not_supported_for_channel_type")
	case ch.general:
		return nil, errCode("cant_archive_general")
	case ch.archived:
		return nil, errCode("already_archived")
	case !ch.isMember(BotUserID):
		return nil, errCode("not_in_channel")
	}
	ch.archived = true
	ch.changed()
	return obj{}, nil
}

// conversationsUnarchive is conversations.unarchive.
func conversationsUnarchive(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	if !ch.archived {
		return nil, errCode("not_archived")
	}
	ch.archived = false
	if !ch.isMember(BotUserID) {
		ch.members = append(ch.members, BotUserID)
	}
	ch.changed()
	return obj{}, nil
}

// conversationsRename is conversations.rename.
func conversationsRename(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.writableChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	if ch.im || ch.mpim {
		return nil, errCode("method_not_supported_for_channel_type")
	}
	name := rq.p.str("name")
	if err := validateChannelName(name); err != nil {
		return nil, err
	}
	if other := s.channelByName(name); other != nil && other != ch {
		return nil, errCode("name_taken")
	}
	if name != ch.name {
		ch.previousNames = append(ch.previousNames, ch.name)
		ch.name = name
		ch.changed()
	}
	return obj{"channel": s.channelJSON(ch)}, nil
}

// conversationsHistory is conversations.history: top-level messages (and thread
// broadcasts), newest first, filtered by oldest/latest, paginated by cursor.
// Metadata is included only with include_all_metadata.
func conversationsHistory(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	var top []*Message
	for _, m := range ch.messages {
		if m.ThreadTS == "" || m.ThreadTS == m.TS || m.Subtype == "thread_broadcast" {
			top = append(top, m)
		}
	}
	sel, err := filterTS(rq.p, top)
	if err != nil {
		return nil, err
	}
	// newest first
	for i, j := 0, len(sel)-1; i < j; i, j = i+1, j-1 {
		sel[i], sel[j] = sel[j], sel[i]
	}
	return pageMessages(s, rq, sel, 100, "latest")
}

// conversationsReplies is conversations.replies: the parent then its replies, oldest first.
func conversationsReplies(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	ts := rq.p.str("ts")
	parent := ch.byTS[ts]
	if parent == nil {
		return nil, errCode("thread_not_found")
	}
	root := parent.TS
	if parent.ThreadTS != "" {
		root = parent.ThreadTS
	}
	var thread []*Message
	for _, m := range ch.messages {
		if m.TS == root || m.ThreadTS == root {
			thread = append(thread, m)
		}
	}
	sel, err := filterTS(rq.p, thread)
	if err != nil {
		return nil, err
	}
	return pageMessages(s, rq, sel, 1000, "")
}

// filterTS applies oldest/latest/inclusive to msgs (ascending).
func filterTS(p params, msgs []*Message) ([]*Message, error) {
	var oldest, latest int64 = 0, 1 << 62
	if v := p.str("oldest"); v != "" {
		o, ok := parseTS(v)
		if !ok {
			return nil, errCode("invalid_ts_oldest")
		}
		oldest = o
	}
	if v := p.str("latest"); v != "" {
		l, ok := parseTS(v)
		if !ok {
			return nil, errCode("invalid_ts_latest")
		}
		latest = l
	}
	inclusive := p.boolean("inclusive")
	var out []*Message
	for _, m := range msgs {
		t, _ := parseTS(m.TS)
		if t < oldest || t > latest {
			continue
		}
		if !inclusive && (t == oldest && p.str("oldest") != "" || t == latest && p.str("latest") != "") {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// pageMessages slices msgs by cursor and limit and renders the page.
func pageMessages(s *Server, rq *apiRequest, msgs []*Message, def int, latestKey string) (obj, error) {
	start, limit, err := pageArgs(rq.p, def, 999)
	if err != nil {
		return nil, err
	}
	withMeta := rq.p.boolean("include_all_metadata")
	end := min(start+limit, len(msgs))
	out := []obj{}
	for _, m := range msgs[min(start, len(msgs)):end] {
		out = append(out, s.messageJSON(m, withMeta))
	}
	res := obj{"messages": out, "has_more": end < len(msgs), "pin_count": 0,
		"response_metadata": obj{"next_cursor": nextCursor(end, len(msgs))}}
	if latestKey != "" && rq.p.str("latest") != "" {
		res[latestKey] = rq.p.str("latest")
	}
	if ch := s.st.chByID[rq.p.str("channel")]; ch != nil {
		n := 0
		for _, m := range ch.messages {
			if m.Pinned {
				n++
			}
		}
		res["pin_count"] = n
	}
	return res, nil
}

// conversationsMembers is conversations.members.
func conversationsMembers(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	start, limit, err := pageArgs(rq.p, 100, 1000)
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(ch.members))
	members := append([]string{}, ch.members[min(start, len(ch.members)):end]...)
	return obj{"members": members, "response_metadata": obj{"next_cursor": nextCursor(end, len(ch.members))}}, nil
}

// conversationsList is conversations.list. Private channels and DMs are listed
// only when the bot is a member; types defaults to public_channel.
func conversationsList(s *Server, rq *apiRequest) (obj, error) {
	types := rq.p.list("types")
	if len(types) == 0 {
		types = []string{"public_channel"}
	}
	want := map[string]bool{}
	for _, t := range types {
		switch t {
		case "public_channel", "private_channel", "im", "mpim":
			want[t] = true
		default:
			return nil, errCode("invalid_types")
		}
	}
	exclude := rq.p.boolean("exclude_archived")
	var sel []*channel
	for _, ch := range s.st.channels {
		kind := "public_channel"
		switch {
		case ch.im:
			kind = "im"
		case ch.mpim:
			kind = "mpim"
		case ch.private:
			kind = "private_channel"
		}
		if !want[kind] || (exclude && ch.archived) {
			continue
		}
		if kind != "public_channel" && !ch.isMember(BotUserID) {
			continue
		}
		sel = append(sel, ch)
	}
	start, limit, err := pageArgs(rq.p, 100, 1000)
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(sel))
	out := []obj{}
	for _, ch := range sel[min(start, len(sel)):end] {
		out = append(out, s.channelJSON(ch))
	}
	return obj{"channels": out, "response_metadata": obj{"next_cursor": nextCursor(end, len(sel))}}, nil
}

// conversationsJoin is conversations.join (public channels only).
func conversationsJoin(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	if ch.private || ch.im || ch.mpim {
		return nil, errCode("method_not_supported_for_channel_type")
	}
	if ch.archived {
		return nil, errCode("is_archived")
	}
	if ch.isMember(BotUserID) {
		return obj{"channel": s.channelJSON(ch), "warning": "already_in_channel",
			"response_metadata": obj{"warnings": []string{"already_in_channel"}}}, nil
	}
	ch.members = append(ch.members, BotUserID)
	ch.changed()
	return obj{"channel": s.channelJSON(ch)}, nil
}

// conversationsOpen is conversations.open: a DM (D…) with one user, or a group
// DM with several. DM IDs are stable: "D" + the user ID without its "U".
func conversationsOpen(s *Server, rq *apiRequest) (obj, error) {
	if id := rq.p.str("channel"); id != "" {
		ch, err := s.findChannel(id)
		if err != nil {
			return nil, err
		}
		return obj{"channel": s.channelJSON(ch), "already_open": true, "no_op": true}, nil
	}
	users := rq.p.list("users")
	if len(users) == 0 {
		return nil, errCode("users_list_not_supplied")
	}
	var others []string
	for _, u := range users {
		if s.st.usersByID[u] == nil {
			return nil, errCode("user_not_found")
		}
		if u != BotUserID && !contains(others, u) {
			others = append(others, u)
		}
	}
	if len(others) > 8 {
		return nil, errCode("too_many_users")
	}
	if len(others) == 0 {
		return nil, errCode("cannot_dm_bot")
	}
	var ch *channel
	already := false
	if len(others) == 1 {
		ch, already = s.openDM(others[0])
	} else {
		ch, already = s.openMpIM(others)
	}
	res := obj{"channel": obj{"id": ch.id}, "already_open": already, "no_op": already}
	if rq.p.boolean("return_im") {
		res["channel"] = s.channelJSON(ch)
	}
	return res, nil
}

// openDM returns the bot's DM with user, creating it on first use.
func (s *Server) openDM(user string) (*channel, bool) {
	id := "D" + strings.TrimPrefix(user, "U")
	if ch := s.st.chByID[id]; ch != nil {
		return ch, true
	}
	ch := s.st.addChannel(id, "", true, BotUserID, s.now(), []string{BotUserID, user})
	ch.private = false
	ch.im = true
	ch.imUser = user
	return ch, false
}

// openMpIM returns the group DM of the bot with users, creating it on first use.
func (s *Server) openMpIM(users []string) (*channel, bool) {
	members := append([]string{BotUserID}, users...)
	sort.Strings(members)
	for _, ch := range s.st.channels {
		if ch.mpim && strings.Join(ch.members, ",") == strings.Join(members, ",") {
			return ch, true
		}
	}
	var names []string
	for _, m := range members {
		names = append(names, s.st.usersByID[m].Name)
	}
	ch := s.st.addChannel(s.st.newID("G"), "mpdm-"+strings.Join(names, "--")+"-1", true, BotUserID, s.now(), members)
	ch.private = false
	ch.mpim = true
	return ch, false
}
