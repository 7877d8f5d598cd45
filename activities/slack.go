package activities

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"
)

// SlackOptions configures the Slack activities.
type SlackOptions struct {
	// BotUserID is the bot's own user ID, never invited to a channel; when
	// empty it is asked of auth.test on first use.
	BotUserID string
	// RateWindow is the window of Slack's rate-limit tiers (default one
	// minute, as in Slack). Tests against an emulator with a shorter window
	// set the same here.
	RateWindow time.Duration
}

// Slack is the incident workflow's door to Slack. Register it on a worker
// with RegisterActivity; every exported method is an activity. It is safe
// for concurrent use and keeps its calls under Slack's rate limits.
type Slack struct {
	api    *slack.Client
	limits *limits

	mu        sync.Mutex
	botUserID string
	channels  map[string]string // channel name → ID
	emails    map[string]string // email → user ID
}

// NewSlack returns the Slack activities calling api.
func NewSlack(api *slack.Client, opts SlackOptions) *Slack {
	return &Slack{
		api:       api,
		limits:    newLimits(opts.RateWindow),
		botUserID: opts.BotUserID,
		channels:  map[string]string{},
		emails:    map[string]string{},
	}
}

// call waits for the rate limiter of method (and channel, for posts), runs
// f, and turns its error into a Temporal application error. It heartbeats
// throughout, in the limiter and during the call (bounded by the HTTP
// client's timeout, which may be longer than the heartbeat timeout).
func (s *Slack) call(ctx context.Context, method, channel string, f func() error) error {
	if err := s.limits.wait(ctx, method, channel); err != nil {
		return err
	}
	return slackError(method, beatingErr(ctx, f))
}

// botUser returns the bot's own user ID.
func (s *Slack) botUser(ctx context.Context) (string, error) {
	s.mu.Lock()
	id := s.botUserID
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var resp *slack.AuthTestResponse
	err := s.call(ctx, "auth.test", "", func() (err error) {
		resp, err = s.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.botUserID = resp.UserID
	s.mu.Unlock()
	return resp.UserID, nil
}

// isChannelID reports whether ref is a conversation ID (C…, G…, D…) rather
// than a channel name.
func isChannelID(ref string) bool {
	if len(ref) < 2 || !strings.ContainsRune("CGD", rune(ref[0])) {
		return false
	}
	return strings.ToUpper(ref) == ref
}

// channelID resolves a channel reference (an ID, or a name with or without
// "#") to an ID, listing the workspace's channels once per name.
func (s *Slack) channelID(ctx context.Context, ref string) (string, error) {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if isChannelID(ref) {
		return ref, nil
	}
	s.mu.Lock()
	id, ok := s.channels[ref]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	ch, err := s.findChannel(ctx, ref)
	if err != nil {
		return "", err
	}
	if ch == nil {
		return "", temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the bot sees no channel named #%s: create it and invite @incidentflow, or fix the channel in the configuration", ref),
			ErrSlackRejected, nil)
	}
	return ch.ID, nil
}

// findChannel looks for the channel named name, archived or not, public or
// private (if the bot is in it), and caches its ID. It returns nil when
// there is none.
func (s *Slack) findChannel(ctx context.Context, name string) (*slack.Channel, error) {
	var found *slack.Channel
	err := s.eachChannel(ctx, func(ch *slack.Channel) bool {
		if ch.Name != name {
			return true
		}
		s.mu.Lock()
		s.channels[name] = ch.ID
		s.mu.Unlock()
		found = ch
		return false
	})
	return found, err
}

// eachChannel calls f with each channel the bot can see, archived or not,
// public or private (if the bot is in it), until f returns false.
func (s *Slack) eachChannel(ctx context.Context, f func(*slack.Channel) bool) error {
	params := &slack.GetConversationsParameters{Limit: 1000, Types: []string{"public_channel", "private_channel"}}
	for {
		var page []slack.Channel
		err := s.call(ctx, "conversations.list", "", func() (err error) {
			page, params.Cursor, err = s.api.GetConversationsContext(ctx, params)
			return err
		})
		if err != nil {
			return err
		}
		for i := range page {
			if !f(&page[i]) {
				return nil
			}
		}
		if params.Cursor == "" {
			return nil
		}
	}
}

// userID resolves a user reference (a Slack user ID, or an email) to a user
// ID, caching emails.
func (s *Slack) userID(ctx context.Context, ref string) (string, error) {
	if !strings.Contains(ref, "@") {
		return ref, nil
	}
	s.mu.Lock()
	id, ok := s.emails[ref]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	var u *slack.User
	err := s.call(ctx, "users.lookupByEmail", "", func() (err error) {
		u, err = s.api.GetUserByEmailContext(ctx, ref)
		return err
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.emails[ref] = u.ID
	s.mu.Unlock()
	return u.ID, nil
}
