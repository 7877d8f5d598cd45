package activities

import (
	"context"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"

	"github.com/incidentflow/incidentflow/incident"
)

// PostEventType is the metadata event type of every message incidentflow
// posts; its payload holds the incident ID and the post's key.
const PostEventType = "incidentflow_post"

// historyPage is how many recent messages are searched for an earlier
// attempt of a post.
const historyPage = 100

// Button is a button under a message; the front door handles its action.
type Button struct {
	ActionID string `json:"action_id"`
	Text     string `json:"text"`
	Value    string `json:"value"`
	// Style is "", "primary" or "danger".
	Style string `json:"style,omitempty"`
}

// PostRequest posts a message once per (incident, key).
type PostRequest struct {
	// Channel is a channel ID or name.
	Channel    string `json:"channel"`
	IncidentID string `json:"incident_id"`
	// Key names the logical post within the incident ("kickoff",
	// "update-3", …): a post whose key is already in the channel's recent
	// history isn't posted again.
	Key string `json:"key"`
	// Text is mrkdwn; user text in it must already be escaped.
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons,omitempty"`
	// ThreadTS makes the post a reply, also shown in the channel.
	ThreadTS string `json:"thread_ts,omitempty"`
	// Pin pins the message.
	Pin bool `json:"pin,omitempty"`
}

// PostMessage posts a message and pins it when asked. It returns where the
// message is. A retry first looks for a message with the same incident and
// key among the channel's recent messages (the earlier attempt may have
// posted it and lost the answer) and posts only if there is none; a first
// attempt has no earlier one to find and spares Slack the lookup.
func (s *Slack) PostMessage(ctx context.Context, req PostRequest) (incident.MessageRef, error) {
	channel, err := s.channelID(ctx, req.Channel)
	if err != nil {
		return incident.MessageRef{}, err
	}
	var ref incident.MessageRef
	if activity.GetInfo(ctx).Attempt > 1 {
		if ref, err = s.findPost(ctx, channel, req.IncidentID, req.Key); err != nil {
			return ref, err
		}
	}
	if ref.TS == "" {
		if ref, err = s.post(ctx, channel, req); err != nil {
			return ref, err
		}
	}
	if req.Pin {
		err = s.call(ctx, "pins.add", "", func() error {
			return s.api.AddPinContext(ctx, channel, slack.ItemRef{Channel: channel, Timestamp: ref.TS})
		})
		if slackCode(err) == "already_pinned" {
			err = nil
		}
	}
	return ref, err
}

// findPost looks for the message of (incident, key) in the channel's recent
// history.
func (s *Slack) findPost(ctx context.Context, channel, incidentID, key string) (incident.MessageRef, error) {
	var hist *slack.GetConversationHistoryResponse
	err := s.call(ctx, "conversations.history", "", func() (err error) {
		hist, err = s.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Limit: historyPage, IncludeAllMetadata: true,
		})
		return err
	})
	if err != nil {
		return incident.MessageRef{}, err
	}
	for _, m := range hist.Messages {
		md := m.Metadata
		if md.EventType == PostEventType && md.EventPayload["incident_id"] == incidentID && md.EventPayload["key"] == key {
			return incident.MessageRef{Channel: channel, TS: m.Timestamp}, nil
		}
	}
	return incident.MessageRef{}, nil
}

func (s *Slack) post(ctx context.Context, channel string, req PostRequest) (incident.MessageRef, error) {
	opts := append(message(req.Text, req.Buttons),
		slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType:    PostEventType,
			EventPayload: map[string]any{"incident_id": req.IncidentID, "key": req.Key},
		}))
	if req.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(req.ThreadTS), slack.MsgOptionBroadcast())
	}
	var ts string
	err := s.call(ctx, "chat.postMessage", channel, func() (err error) {
		_, ts, err = s.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return incident.MessageRef{Channel: channel, TS: ts}, err
}

// UpdateRequest rewrites a message incidentflow posted.
type UpdateRequest struct {
	Message incident.MessageRef `json:"message"`
	// Text is mrkdwn; user text in it must already be escaped.
	Text string `json:"text"`
	// Buttons replace the message's buttons; none removes them.
	Buttons []Button `json:"buttons,omitempty"`
}

// UpdateMessage rewrites a message with chat.update. Writing the same text
// twice leaves the message as it was, so a retry is harmless.
func (s *Slack) UpdateMessage(ctx context.Context, req UpdateRequest) error {
	return s.call(ctx, "chat.update", req.Message.Channel, func() error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, req.Message.Channel, req.Message.TS, message(req.Text, req.Buttons)...)
		return err
	})
}
