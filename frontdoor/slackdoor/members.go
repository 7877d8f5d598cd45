package slackdoor

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

const (
	// membersCacheSize bounds the war rooms whose members are kept.
	membersCacheSize = 1000
	// membersTTL is how long a war room's members (conversations.members)
	// are reused. Someone the list doesn't hold is looked up again once it
	// is membersRecheck old, so that a person who just joined isn't turned
	// away for long.
	membersTTL     = time.Minute
	membersRecheck = 10 * time.Second
	// membersPage and membersPages bound one reading of a war room's
	// members: 20 pages of 1,000.
	membersPage  = 1000
	membersPages = 20
)

// roomMembers are a war room's members as Slack listed them at a time.
type roomMembers struct {
	users map[string]bool
	at    time.Time
}

// isMember reports whether user is a member of channel, from the cache
// when it can (see membersTTL). A channel not opened yet ("") has no
// members. The error says Slack didn't tell.
func (f *FrontDoor) isMember(ctx context.Context, channel, user string) (bool, error) {
	if channel == "" || user == "" {
		return false, nil
	}
	now := time.Now()
	if m, ok := f.members.get(channel, now); ok && (m.users[user] || now.Sub(m.at) < membersRecheck) {
		return m.users[user], nil
	}
	users, err := f.readMembers(ctx, channel)
	if err != nil {
		return false, err
	}
	f.members.put(channel, roomMembers{users: users, at: now}, now, membersTTL)
	return users[user], nil
}

// readMembers reads channel's members from Slack, page by page.
func (f *FrontDoor) readMembers(ctx context.Context, channel string) (map[string]bool, error) {
	users := map[string]bool{}
	cursor := ""
	for range membersPages {
		sctx, cancel := f.slackCtx(ctx)
		page, next, err := f.slack.GetUsersInConversationContext(sctx, &slack.GetUsersInConversationParameters{
			ChannelID: channel, Cursor: cursor, Limit: membersPage})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("Slack didn't say who is in the war room (conversations.members: %w)", err)
		}
		for _, u := range page {
			users[u] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return users, nil
}
