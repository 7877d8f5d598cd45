package activities

import (
	"context"

	"github.com/slack-go/slack"
)

// NotifyRequest tells one user something: privately in Channel (an
// ephemeral message) when it is set, else in a direct message.
type NotifyRequest struct {
	User       string `json:"user"`
	Channel    string `json:"channel,omitempty"`
	IncidentID string `json:"incident_id"`
	// Key makes the direct message idempotent (see PostRequest.Key).
	Key  string `json:"key"`
	Text string `json:"text"`
}

// ephemeralFallback are the errors after which an ephemeral message is sent
// as a direct message instead: the bot or the user can't see the channel.
var ephemeralFallback = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "user_not_in_channel": true, "is_archived": true,
}

// Notify tells a user something, in an ephemeral message in req.Channel or
// in a direct message. An ephemeral message can't be found again, so a
// retry may show it twice; the direct message is posted once.
func (s *Slack) Notify(ctx context.Context, req NotifyRequest) error {
	if req.User == "" {
		return nil
	}
	if req.Channel != "" {
		err := s.call(ctx, "chat.postEphemeral", "", func() error {
			_, err := s.api.PostEphemeralContext(ctx, req.Channel, req.User, message(req.Text, nil)...)
			return err
		})
		if !ephemeralFallback[slackCode(err)] {
			return err
		}
	}
	var dm *slack.Channel
	err := s.call(ctx, "conversations.open", "", func() (err error) {
		dm, _, _, err = s.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{req.User}})
		return err
	})
	if err != nil {
		return err
	}
	_, err = s.PostMessage(ctx, PostRequest{Channel: dm.ID, IncidentID: req.IncidentID, Key: req.Key, Text: req.Text})
	return err
}
