package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// CreateChannelRequest asks for an incident's war room.
type CreateChannelRequest struct {
	IncidentID string `json:"incident_id"`
	// Names are the names to try in order: the rendered template, then the
	// same with "-2", "-3", … for when a name is taken.
	Names   []string `json:"names"`
	Private bool     `json:"private"`
	// Purpose is the channel's purpose (plain text, escaped); the incident
	// ID is appended to it, which is how a retry recognises the channel.
	Purpose string `json:"purpose"`
}

// Channel names a Slack channel.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// purposeMarker ends the purpose of incident id's war room.
func purposeMarker(id string) string { return " · incident " + id }

// markedPurpose returns the purpose CreateChannel sets: purpose cut so that
// it and the incident marker fit Slack's 250 characters.
func markedPurpose(purpose, incidentID string) string {
	marker := purposeMarker(incidentID)
	return incident.Truncate(purpose, incident.MaxTopic-len(marker)) + marker
}

// CreateChannel creates the war room under the first free name of
// req.Names and sets its purpose. It is idempotent: a name that is taken by
// the incident's own channel (from an earlier attempt that crashed, or whose
// answer was lost) is that channel, never a reason to create a second one.
func (s *Slack) CreateChannel(ctx context.Context, req CreateChannelRequest) (Channel, error) {
	purpose := markedPurpose(req.Purpose, req.IncidentID)
	var created Channel
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &created) == nil && created.ID != "" {
		return created, s.setPurpose(ctx, created.ID, purpose)
	}
	for _, name := range req.Names {
		if len(name) > incident.MaxChannelName || name == "" {
			return Channel{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("channel name %q is not a valid Slack name: fix the channel_name template", name), ErrSlackRejected, nil)
		}
		var ch *slack.Channel
		err := s.call(ctx, "conversations.create", "", func() (err error) {
			ch, err = s.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: req.Private})
			return err
		})
		if err == nil {
			created = Channel{ID: ch.ID, Name: ch.Name}
			activity.RecordHeartbeat(ctx, created)
			return created, s.setPurpose(ctx, created.ID, purpose)
		}
		if slackCode(err) != "name_taken" {
			return Channel{}, err
		}
		mine, err := s.ownChannel(ctx, name, req.IncidentID)
		if err != nil {
			return Channel{}, err
		}
		if mine != nil {
			return *mine, nil
		}
	}
	return Channel{}, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("every war-room name tried is taken (%s): archive old channels or change the channel_name template",
			strings.Join(req.Names, ", ")), ErrSlackRejected, nil)
}

// ownChannel returns the channel named name if it is incident id's war room
// (its purpose carries the incident's marker), nil otherwise.
func (s *Slack) ownChannel(ctx context.Context, name, id string) (*Channel, error) {
	ch, err := s.findChannel(ctx, name)
	if err != nil || ch == nil {
		return nil, err
	}
	if !strings.HasSuffix(ch.Purpose.Value, purposeMarker(id)) {
		return nil, nil
	}
	return &Channel{ID: ch.ID, Name: ch.Name}, nil
}

func (s *Slack) setPurpose(ctx context.Context, channelID, purpose string) error {
	return s.call(ctx, "conversations.setPurpose", "", func() error {
		_, err := s.api.SetPurposeOfConversationContext(ctx, channelID, purpose)
		return err
	})
}

// TopicRequest sets a channel's topic.
type TopicRequest struct {
	Channel string `json:"channel"`
	Topic   string `json:"topic"`
}

// SetTopic sets a channel's topic, cut to Slack's 250 characters.
func (s *Slack) SetTopic(ctx context.Context, req TopicRequest) error {
	topic := incident.Truncate(req.Topic, incident.MaxTopic)
	return s.call(ctx, "conversations.setTopic", "", func() error {
		_, err := s.api.SetTopicOfConversationContext(ctx, req.Channel, topic)
		return err
	})
}
