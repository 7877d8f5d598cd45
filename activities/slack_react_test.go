package activities_test

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// reactions returns the users of each reaction on message ts of channel.
func (s *SlackSuite) reactions(channel, ts string) map[string][]string {
	out := map[string][]string{}
	for _, m := range s.emu.Messages(channel) {
		if m.TS == ts {
			for _, r := range m.Reactions {
				out[r.Name] = r.Users
			}
		}
	}
	return out
}

func (s *SlackSuite) TestReactAddsAndRemovesTheBotsReactionOnce() {
	m, err := s.emu.PostAs(slackemu.GeneralChannelID, slackemu.UserBob, "the database is down", "")
	s.Require().NoError(err)
	req := activities.ReactRequest{Channel: slackemu.GeneralChannelID, TS: m.TS, Name: "white_check_mark"}
	s.Require().NoError(s.run(s.slack.React, req, nil))
	s.Require().NoError(s.run(s.slack.React, req, nil), "already reacted is success")
	s.Equal(map[string][]string{"white_check_mark": {slackemu.BotUserID}}, s.reactions(slackemu.GeneralChannelID, m.TS))

	req.Remove = true
	s.Require().NoError(s.run(s.slack.React, req, nil))
	s.Require().NoError(s.run(s.slack.React, req, nil), "no reaction left is success")
	s.Empty(s.reactions(slackemu.GeneralChannelID, m.TS))
	s.Len(s.calls("reactions.add"), 2)
	s.Len(s.calls("reactions.remove"), 2)
}

func (s *SlackSuite) TestReactOnAGoneMessageDoesNothing() {
	s.Require().NoError(s.run(s.slack.React, activities.ReactRequest{
		Channel: slackemu.GeneralChannelID, TS: "1700000000.000100", Name: "white_check_mark",
	}, nil), "a deleted message leaves nothing to react on")
	s.Require().NoError(s.run(s.slack.React, activities.ReactRequest{
		Channel: "C0GONE", TS: "1700000000.000100", Name: "white_check_mark", Remove: true,
	}, nil), "nor does a deleted channel")
}

func (s *SlackSuite) TestReactRetriesWhatSlackFailsToDo() {
	m, err := s.emu.PostAs(slackemu.GeneralChannelID, slackemu.UserBob, "rollback done", "")
	s.Require().NoError(err)
	req := activities.ReactRequest{Channel: slackemu.GeneralChannelID, TS: m.TS, Name: "white_check_mark"}
	var appErr *temporal.ApplicationError

	s.emu.FailNext("reactions.add", "internal_error", 1)
	err = s.run(s.slack.React, req, nil)
	s.Require().True(errors.As(err, &appErr), "%v", err)
	s.False(appErr.NonRetryable(), "Slack's internal errors are retried")

	s.emu.FailNext("reactions.add", "not_in_channel", 1)
	err = s.run(s.slack.React, req, nil)
	s.Require().True(errors.As(err, &appErr), "%v", err)
	s.True(appErr.NonRetryable())
	s.Contains(appErr.Message(), "invite @incidentflow")
}
