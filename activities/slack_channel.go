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
	// Purpose, when set, is also set as the channel's purpose, with the
	// incident's marker, by CreateChannel itself. Only workflows started
	// before the "purpose-in-parallel" change send it; the current workflow
	// leaves it empty and sets the purpose with SetPurpose, beside the
	// kickoff post, to keep the call off the war room's critical path.
	Purpose string `json:"purpose,omitempty"`
}

// Channel names a Slack channel.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// purposeMarker ends the purpose of incident id's war room.
func purposeMarker(id string) string { return " · incident " + id }

// CreateChannel creates the war room under the first free name of
// req.Names; it makes only the conversations.create call (and, when a name
// is taken, the lookup of whether the channel under it is the incident's
// own). The purpose, whose marker tells the incident's channel from
// others, is set by SetPurpose, which the workflow runs beside the kickoff
// post once the channel exists.
//
// It is idempotent: the channel is recorded in the heartbeat details right
// after it is created, so a retry (after a crash, or an answer that was
// lost) returns it without creating a second one; and a name taken by a
// channel whose purpose carries the incident's marker (a war room whose
// purpose was set, e.g. before the workflow was reset) is that channel.
//
// The remaining crash window: an attempt that dies after Slack created the
// channel but before its heartbeat reached Temporal leaves a retry with no
// details and a taken name whose purpose has no marker yet (SetPurpose runs
// only after CreateChannel completes), so the retry moves on to the next
// name and the first channel is left behind, empty. The same window existed
// when the purpose was set within this activity; it is one Slack answer and
// one heartbeat long.
func (s *Slack) CreateChannel(ctx context.Context, req CreateChannelRequest) (Channel, error) {
	var created Channel
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &created) == nil && created.ID != "" {
		return created, s.legacyPurpose(ctx, created.ID, req)
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
			ctx = recordProgress(ctx, created)
			return created, s.legacyPurpose(ctx, created.ID, req)
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

// legacyPurpose sets the purpose of a channel created for a request that
// carries one (from a workflow started before "purpose-in-parallel").
func (s *Slack) legacyPurpose(ctx context.Context, channelID string, req CreateChannelRequest) error {
	if req.Purpose == "" {
		return nil
	}
	return s.setPurpose(ctx, channelID, req.Purpose, req.IncidentID)
}

// PurposeRequest sets the purpose of an incident's war room.
type PurposeRequest struct {
	Channel    string `json:"channel"`
	IncidentID string `json:"incident_id"`
	// Purpose is plain text, escaped; the incident's marker is appended.
	Purpose string `json:"purpose"`
}

// SetPurpose sets the war room's purpose, ending with the incident's marker
// (" · incident <id>") by which a retried CreateChannel recognises its
// channel under a taken name. Setting it again is harmless.
func (s *Slack) SetPurpose(ctx context.Context, req PurposeRequest) error {
	return s.setPurpose(ctx, req.Channel, req.Purpose, req.IncidentID)
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

// setPurpose sets the purpose of incident incidentID's war room: purpose,
// cleaned of control and bidi characters and cut so that it and the
// incident's marker fit Slack's 250 characters, then the marker.
func (s *Slack) setPurpose(ctx context.Context, channelID, purpose, incidentID string) error {
	marker := purposeMarker(incidentID)
	purpose = incident.Truncate(incident.Clean(purpose), incident.MaxTopic-len(marker)) + marker
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

// SetTopic sets a channel's topic, cleaned of control and bidi characters
// and cut to Slack's 250 characters.
func (s *Slack) SetTopic(ctx context.Context, req TopicRequest) error {
	topic := incident.Truncate(incident.Clean(req.Topic), incident.MaxTopic)
	return s.call(ctx, "conversations.setTopic", "", func() error {
		_, err := s.api.SetTopicOfConversationContext(ctx, req.Channel, topic)
		return err
	})
}
