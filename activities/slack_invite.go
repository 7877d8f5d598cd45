package activities

import (
	"context"
	"slices"
)

// InviteRequest invites users (Slack user IDs or emails) to a channel.
type InviteRequest struct {
	Channel string   `json:"channel"`
	Users   []string `json:"users"`
}

// InviteResult says who is in the channel now and who Slack doesn't know.
type InviteResult struct {
	Invited  []string `json:"invited,omitempty"`
	NotFound []string `json:"not_found,omitempty"`
}

// inviteSkipped are the errors that mean a user needn't or can't be
// invited, which stop nobody else from being invited.
var inviteSkipped = map[string]bool{
	"already_in_channel": true, "cant_invite_self": true,
	"user_not_found": true, "users_not_found": true, "user_is_restricted": true, "user_is_ultra_restricted": true,
}

// Invite invites users to a channel in one call, user by user only when
// Slack refuses some of them. Users already in the channel count as
// invited; users Slack doesn't know are reported, not failed on, so one
// wrong email in the configuration doesn't hold up a war room.
func (s *Slack) Invite(ctx context.Context, req InviteRequest) (InviteResult, error) {
	bot, err := s.botUser(ctx)
	if err != nil {
		return InviteResult{}, err
	}
	var res InviteResult
	var ids []string
	for _, ref := range req.Users {
		if ref == "" {
			continue
		}
		id, err := s.userID(ctx, ref)
		if inviteSkipped[slackCode(err)] {
			res.NotFound = append(res.NotFound, ref)
			continue
		}
		if err != nil {
			return res, err
		}
		if id != bot && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return res, nil
	}
	err = s.invite(ctx, req.Channel, ids...)
	switch {
	case err == nil:
		res.Invited = ids
		return res, nil
	case !inviteSkipped[slackCode(err)]:
		return res, err
	}
	for _, id := range ids {
		err := s.invite(ctx, req.Channel, id)
		switch code := slackCode(err); {
		case err == nil || code == "already_in_channel":
			res.Invited = append(res.Invited, id)
		case inviteSkipped[code]:
			res.NotFound = append(res.NotFound, id)
		default:
			return res, err
		}
	}
	return res, nil
}

func (s *Slack) invite(ctx context.Context, channel string, users ...string) error {
	return s.call(ctx, "conversations.invite", "", func() error {
		_, err := s.api.InviteUsersToConversationContext(ctx, channel, users...)
		return err
	})
}
