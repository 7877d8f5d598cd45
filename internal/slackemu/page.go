package slackemu

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// activityLines is how many of the person's last actions the activity
// panel lists, newest first.
const activityLines = 10

// pageData is what the page shows: the workspace from the point of view of
// one person (As), with one channel open.
type pageData struct {
	Team, Now string
	Token     string // the forms' CSRF token
	As        string // the person playing
	AsName    string
	People    []User    // who one can play
	Nav       []pageNav // the sidebar
	Targets   []pageNav // where a slash command can run
	Channel   *pageChannel
	ChannelID string
	Missing   string // a channel asked for that does not exist
	Modals    []modalForm
	Results   []playResult // the activity panel: one line per action
	FrontDoor string       // where commands and clicks go; "" when none is set
	Views     []View
	Files     []File
	Users     []User // also what the composer's @ picker offers
}

// pageNav is a conversation in the sidebar.
type pageNav struct {
	ID, Label, Kind string
	Count           int
	Current         bool
	Archived        bool
}

// pageChannel is the open channel.
type pageChannel struct {
	Channel
	Label, Kind string
	TopicSegs   []seg
	PurposeSegs []seg
	Members     []string
	Pins        []pageMessage
	Messages    []pageMessage // top level; replies hang under their parent
}

// pageMessage is a message on the page (or an ephemeral one shown to As).
type pageMessage struct {
	Anchor    string
	Time      string
	TS        string
	Author    string
	Text      []seg
	Blocks    []pageBlock
	HideText  bool // the blocks carry the text (Text is the notification fallback)
	Reply     bool
	Pinned    bool
	Edited    bool
	Ephemeral bool
	Broadcast bool
	Event     string
	Reactions []pageReaction
	Controls  *pageControls // nil on ephemeral messages and tombstones
	Files     []string
	Replies   []pageMessage
}

// servePage handles GET /: the workspace as a person sees it, with forms to
// play Slack (page_play.go). ?channel=C… opens a channel (default
// #incidents), ?as=U… picks the person (default U0ALICE).
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.deliverDueLocked(s.now())
	data := s.pageDataLocked(q.Get("channel"), q.Get("as"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY") // no clickjacking of the forms
	_ = pageTmpl.Execute(w, data)
}

// userNameLocked returns "@name" for a user ID, or the ID.
func (s *Server) userNameLocked(id string) string {
	if u := s.st.usersByID[id]; u != nil {
		return "@" + u.Name
	}
	return id
}

// channelLabelLocked names a conversation as the sidebar does.
func (s *Server) channelLabelLocked(ch *channel) (label, kind string) {
	switch {
	case ch.im:
		return s.userNameLocked(ch.imUser), "DM"
	case ch.mpim:
		return ch.name, "group DM"
	case ch.private:
		return "🔒" + ch.name, "private"
	}
	return "#" + ch.name, "public"
}

// pageDataLocked gathers the page (s.mu held).
func (s *Server) pageDataLocked(channelID, as string) pageData {
	now := s.now()
	if s.st.usersByID[as] == nil || s.st.usersByID[as].IsBot {
		as = UserAlice
		if s.st.usersByID[as] == nil {
			as = ""
			for _, u := range s.st.users {
				if !u.IsBot {
					as = u.ID
					break
				}
			}
		}
	}
	d := pageData{Team: TeamName, Now: now.UTC().Format(time.RFC1123), Token: s.play.token, As: as,
		AsName: s.userNameLocked(as), FrontDoor: s.front.base}
	for _, u := range s.st.users {
		if !u.IsBot {
			d.People = append(d.People, *u)
		}
		d.Users = append(d.Users, *u)
	}
	open := s.st.chByID[channelID]
	if open == nil {
		if channelID != "" {
			d.Missing = channelID
		}
		if open = s.st.chByID[IncidentsChannelID]; open == nil && len(s.st.channels) > 0 {
			open = s.st.channels[0]
		}
	}
	for _, ch := range s.st.channels {
		label, kind := s.channelLabelLocked(ch)
		n := pageNav{ID: ch.id, Label: label, Kind: kind, Count: len(ch.messages), Current: ch == open, Archived: ch.archived}
		d.Nav = append(d.Nav, n)
		if !ch.archived {
			d.Targets = append(d.Targets, n)
		}
	}
	if open != nil {
		d.Channel, d.ChannelID = s.pageChannelLocked(open, as), open.id
	}
	d.Modals = s.openModalsLocked(as)
	for i := len(s.play.results) - 1; i >= 0 && len(d.Results) < activityLines; i-- {
		if r := s.play.results[i]; r.User == as {
			d.Results = append(d.Results, r)
		}
	}
	for _, v := range s.st.views {
		d.Views = append(d.Views, copyView(v))
	}
	for _, f := range s.st.files {
		d.Files = append(d.Files, *f)
	}
	return d
}

// pageChannelLocked renders one channel for the person as (s.mu held).
func (s *Server) pageChannelLocked(ch *channel, as string) *pageChannel {
	pc := &pageChannel{Channel: ch.snapshot()}
	pc.Label, pc.Kind = s.channelLabelLocked(ch)
	pc.TopicSegs, pc.PurposeSegs = s.mrkdwnLocked(ch.topic.value), s.mrkdwnLocked(ch.purpose.value)
	for _, m := range ch.members {
		pc.Members = append(pc.Members, s.userNameLocked(m))
	}
	var top []pageMessage
	index := map[string]int{}
	for _, m := range ch.messages {
		pm := s.pageMessageLocked(ch, m, as)
		if pm.Pinned {
			pc.Pins = append(pc.Pins, pm)
		}
		if pm.Reply {
			if i, ok := index[m.ThreadTS]; ok {
				top[i].Replies = append(top[i].Replies, pm)
				continue
			}
		}
		index[m.TS] = len(top)
		top = append(top, pm)
	}
	for _, e := range s.st.ephemerals {
		if e.Channel != ch.id || e.User != as {
			continue
		}
		pm := pageMessage{Anchor: "e-" + e.TS, TS: e.TS, Time: tsTime(e.TS), Author: "@" + BotName,
			Text: s.mrkdwnLocked(e.Text), Ephemeral: true,
			Blocks: s.messageBlocksLocked(parseBlockList(e.Blocks), pageButton{Disabled: true})}
		pm.HideText = blocksHaveText(pm.Blocks)
		top = append(top, pm)
	}
	sort.SliceStable(top, func(i, j int) bool { return tsLess(top[i].TS, top[j].TS) })
	pc.Messages = top
	return pc
}

// pageMessageLocked renders a stored message for the person as (s.mu held).
func (s *Server) pageMessageLocked(ch *channel, m *Message, as string) pageMessage {
	at := pageButton{Channel: ch.id, TS: m.TS, As: as, Token: s.play.token, Disabled: ch.archived}
	pm := pageMessage{Anchor: "m-" + ch.id + "-" + m.TS, TS: m.TS, Time: tsTime(m.TS), Author: s.userNameLocked(m.User),
		Text: s.mrkdwnLocked(m.Text), Blocks: s.messageBlocksLocked(parseBlockList(m.Blocks), at),
		Reply: m.ThreadTS != "" && m.ThreadTS != m.TS, Pinned: m.Pinned, Edited: m.Edited,
		Broadcast: m.Subtype == "thread_broadcast"}
	pm.HideText = blocksHaveText(pm.Blocks)
	if m.Metadata != nil {
		pm.Event = m.Metadata.EventType
	}
	pm.Reactions = s.pageReactionsLocked(m, as)
	if m.Subtype != "tombstone" {
		pm.Controls = &pageControls{pageButton: at, Own: m.writtenBy(as), Text: m.Text,
			Shortcuts: s.opts.MessageShortcuts}
		if i := reactionIndex(m, timelineEmoji); i >= 0 {
			pm.Controls.TimelineOn = contains(m.Reactions[i].Users, as)
		}
	}
	for _, id := range m.Files {
		if f := s.st.fileByID[id]; f != nil {
			pm.Files = append(pm.Files, f.Name)
		}
	}
	return pm
}

// openModalsLocked returns the open modals of a person, newest first: the
// top view of each stack (s.mu held).
func (s *Server) openModalsLocked(as string) []modalForm {
	top := map[string]*View{}
	depth := map[string]int{}
	var roots []string
	for _, v := range s.st.views {
		if v.Type != "modal" || !v.Open || v.UserID != as {
			continue
		}
		root := v.RootViewID
		if root == "" {
			root = v.ID
		}
		if top[root] == nil {
			roots = append(roots, root)
		} else {
			depth[root]++
		}
		top[root] = v
	}
	picks := s.pickListsLocked()
	var out []modalForm
	for i := len(roots) - 1; i >= 0; i-- {
		v := top[roots[i]]
		var filled url.Values
		var errs map[string]string
		general := ""
		if p := s.play.pending[v.ID]; p != nil && p.hash == v.Hash {
			filled, errs, general = p.values, p.errors, p.general
		}
		f := buildModalForm(v, picks, filled, errs, s.mrkdwnLocked)
		f.Depth, f.Error = depth[roots[i]], general
		for block, msg := range errs {
			if !f.hasBlock(block) {
				f.Error = strings.TrimSpace(f.Error + " " + block + ": " + msg)
			}
		}
		out = append(out, f)
	}
	return out
}

// hasBlock reports whether an error keyed by block_id has an input to sit on.
func (f modalForm) hasBlock(blockID string) bool {
	for _, it := range f.Items {
		if it.Field != nil && it.Field.blockID == blockID {
			return true
		}
	}
	return false
}

// blocksHaveText reports whether any block shows text.
func blocksHaveText(bs []pageBlock) bool {
	for _, b := range bs {
		if len(b.Segs) > 0 {
			return true
		}
	}
	return false
}

// tsTime formats a ts for people.
func tsTime(ts string) string {
	us, ok := parseTS(ts)
	if !ok {
		return ""
	}
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05 MST")
}

// tsLess orders two ts values.
func tsLess(a, b string) bool {
	x, _ := parseTS(a)
	y, _ := parseTS(b)
	return x < y
}

// servePermalink redirects a permalink to the message on the page.
func (s *Server) servePermalink(w http.ResponseWriter, r *http.Request) {
	ch, msg := r.PathValue("channel"), strings.TrimPrefix(r.PathValue("msg"), "p")
	ts := msg
	if len(msg) > 6 {
		ts = msg[:len(msg)-6] + "." + msg[len(msg)-6:]
	}
	http.Redirect(w, r, "/?channel="+url.QueryEscape(ch)+"#m-"+ch+"-"+ts, http.StatusFound)
}
