package activities

import (
	"context"

	"github.com/slack-go/slack"
)

// ReactRequest adds the bot's reaction Name (an emoji name without colons,
// e.g. "white_check_mark") to the message TS of Channel, or takes it back
// when Remove is set.
type ReactRequest struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	Name    string `json:"name"`
	Remove  bool   `json:"remove,omitempty"`
}

// reactionDone are the answers of reactions.add and reactions.remove that
// leave the message as asked, or leave no message to react on: the
// reaction is already there (or already gone), or the message or its
// channel is gone.
var reactionDone = map[string]bool{
	"already_reacted": true, "no_reaction": true, "message_not_found": true, "channel_not_found": true,
}

// React adds or removes the bot's reaction on a message. It is idempotent:
// a reaction already there (or already gone) is success, and so is a
// message or channel deleted meanwhile, which leaves nothing to react on.
func (s *Slack) React(ctx context.Context, req ReactRequest) error {
	method, f := "reactions.add", s.api.AddReactionContext
	if req.Remove {
		method, f = "reactions.remove", s.api.RemoveReactionContext
	}
	return s.call(ctx, method, "", func() error {
		err := f(ctx, req.Name, slack.NewRefToMessage(req.Channel, req.TS))
		if reactionDone[slackCode(err)] {
			return nil
		}
		return err
	})
}
