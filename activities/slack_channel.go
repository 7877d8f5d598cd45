package activities

import (
	"context"
	"fmt"
	"slices"
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
	// Provisional asks for the channel under its provisional name: the
	// workflow names it with NameChannel beside the kickoff post, off the
	// war room's critical path. Workflows started before the
	// "name-beside-kickoff" change leave it false and get the channel
	// renamed within CreateChannel.
	Provisional bool `json:"provisional,omitempty"`
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

// ProvisionalPrefix begins the name a war room is created under before it
// is renamed to its wanted name (see CreateChannel). The names CreateChannel
// is asked to move to may not begin with it.
const ProvisionalPrefix = "incidentflow_"

// provisionalName is the name incident id's war room is created under: no
// other incident's CreateChannel ever creates a channel under it, nor
// renames one to it. Incident IDs are channel-safe and at most 64
// characters, so it fits Slack's 80.
func provisionalName(id string) string { return ProvisionalPrefix + id }

// CreateChannel creates the war room and gives it the first free name of
// req.Names. The purpose, whose marker tells the incident's channel from
// others once set, is set by SetPurpose, which the workflow runs beside the
// kickoff post once the channel exists.
//
// The channel is created under a name only this incident ever uses,
// ProvisionalPrefix + the incident's ID, and then renamed (conversations.rename)
// to the first of req.Names that is free. Slack keeps a channel's earlier
// names in previous_names, and both conversations.create and
// conversations.rename refuse a name another channel holds (name_taken),
// atomically. So a channel our bot user created whose name, or one of whose
// previous names, is the provisional name is this incident's war room and no
// other's, whatever Slack answered or failed to answer before:
//
//   - a crash (or a lost answer) after Slack created the channel: the retry
//     looks for that channel before creating anything (or its create meets
//     name_taken and looks then), finds it, and goes on renaming it;
//   - a crash after Slack renamed it: the retry finds it by its previous name
//     and returns it as it is;
//   - a crash before either was applied: the retry finds nothing and creates
//     it, once;
//   - another incident wanting the same name at the same minute renames its
//     own, differently named, channel: one of the two renames wins, the other
//     meets name_taken on a channel that is not its own (neither its ID nor
//     its provisional name) and moves to the next name. Neither ever claims
//     a channel on the strength of its name, its creator or its age.
//
// The channel is recorded in the heartbeat details after each step, which
// spares a retry the lookup. A name taken by a channel whose purpose carries
// the incident's marker (a war room whose purpose was set before the
// workflow was reset, which starts the activity over) is that channel: the
// channel just created for nothing is archived. When every name is taken,
// the provisional channel is archived and the activity fails for good.
//
// An attempt that Temporal has given up on (its heartbeat timed out) but
// that is still alive may see its conversations.create reach Slack only
// after the next attempt has renamed the war room away from the
// provisional name, and so create a second channel under it. Its rename
// then meets name_taken on the war room's name, held by a channel renamed
// from the provisional name: its own incident's, so it archives the spare
// and returns the war room. Only a wanted name that came free in between
// (a channel renamed or deleted under it) would let the spare through.
func (s *Slack) CreateChannel(ctx context.Context, req CreateChannelRequest) (Channel, error) {
	if !incident.ValidID(req.IncidentID) {
		return Channel{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("incident ID %q can't name a war room: use lowercase letters, digits, - and _ (at most 64)", req.IncidentID), ErrSlackRejected, nil)
	}
	provisional := provisionalName(req.IncidentID)
	if err := checkNames(req.Names); err != nil {
		return Channel{}, err
	}
	var ch Channel
	if activity.HasHeartbeatDetails(ctx) {
		if activity.GetHeartbeatDetails(ctx, &ch) != nil {
			ch = Channel{}
		}
	}
	switch {
	case ch.ID != "" && ch.Name != provisional:
		// Renamed (or, by an attempt of the code before the provisional
		// name, created under its name): done.
		return ch, s.legacyPurpose(ctx, ch.ID, req)
	case ch.ID == "" && activity.GetInfo(ctx).Attempt > 1:
		// An earlier attempt may have created (and renamed) the channel
		// without recording it.
		found, err := s.provisionalChannel(ctx, provisional)
		if err != nil {
			return Channel{}, err
		}
		if found != nil && found.Name != provisional {
			return *found, s.legacyPurpose(ctx, found.ID, req)
		}
		if found != nil {
			ch = *found
		}
	}
	if ch.ID == "" {
		created, err := s.createProvisional(ctx, provisional, req.Private)
		if err != nil {
			return Channel{}, err
		}
		if created.Name != provisional {
			return created, s.legacyPurpose(ctx, created.ID, req)
		}
		ch = created
	}
	ctx = recordProgress(ctx, ch)
	if req.Provisional {
		return ch, nil
	}
	named, err := s.rename(ctx, ch, req.IncidentID, req.Names, true)
	if err != nil {
		return Channel{}, err
	}
	ctx = recordProgress(ctx, named)
	return named, s.legacyPurpose(ctx, named.ID, req)
}

// checkNames refuses, for good, wanted war-room names Slack would refuse
// or that begin with ProvisionalPrefix.
func checkNames(names []string) error {
	for _, name := range names {
		if len(name) > incident.MaxChannelName || name == "" {
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("channel name %q is not a valid Slack name: fix the channel_name template", name), ErrSlackRejected, nil)
		}
		if strings.HasPrefix(name, ProvisionalPrefix) {
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("channel name %q begins with %q, which incidentflow keeps for war rooms being created: change the channel_name template",
					name, ProvisionalPrefix), ErrSlackRejected, nil)
		}
	}
	return nil
}

// NameChannelRequest gives a war room created under its provisional name
// (CreateChannelRequest.Provisional) its wanted name.
type NameChannelRequest struct {
	IncidentID string  `json:"incident_id"`
	Channel    Channel `json:"channel"`
	// Names are the names to try in order, as in CreateChannelRequest.
	Names []string `json:"names"`
}

// NameChannel renames the war room to the first free name of req.Names and
// returns it under its new name. It is idempotent: a war room already under
// one of the names (an earlier attempt's rename applied, its answer lost)
// is returned as it is. When every name is taken the war room keeps its
// provisional name, which the error says: by then it holds the kickoff and
// its responders, so it is never archived.
func (s *Slack) NameChannel(ctx context.Context, req NameChannelRequest) (Channel, error) {
	if err := checkNames(req.Names); err != nil {
		return Channel{}, err
	}
	return s.rename(ctx, req.Channel, req.IncidentID, req.Names, false)
}

// createProvisional creates the channel under the provisional name. When
// the name is taken, the channel under it (or renamed from it) is the one an
// earlier attempt created.
func (s *Slack) createProvisional(ctx context.Context, provisional string, private bool) (Channel, error) {
	var ch *slack.Channel
	err := s.call(ctx, "conversations.create", "", func() (err error) {
		ch, err = s.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: provisional, IsPrivate: private})
		return err
	})
	if err == nil {
		return Channel{ID: ch.ID, Name: ch.Name}, nil
	}
	if slackCode(err) != "name_taken" {
		return Channel{}, err
	}
	found, ferr := s.provisionalChannel(ctx, provisional)
	if ferr != nil {
		return Channel{}, ferr
	}
	if found == nil {
		return Channel{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"a channel named #%s exists that incidentflow did not create for this incident: rename it (an archived channel keeps its name), then declare again", provisional),
			ErrSlackRejected, nil)
	}
	return *found, nil
}

// rename gives ch, incident id's war room, the first free name of names.
// When every name is taken it archives ch if archiveIfNone (a channel
// created for nothing) and fails for good.
func (s *Slack) rename(ctx context.Context, ch Channel, id string, names []string, archiveIfNone bool) (Channel, error) {
	for _, name := range names {
		var renamed *slack.Channel
		err := s.call(ctx, "conversations.rename", "", func() (err error) {
			renamed, err = s.api.RenameConversationContext(ctx, ch.ID, name)
			return err
		})
		if err == nil {
			return Channel{ID: renamed.ID, Name: renamed.Name}, nil
		}
		if slackCode(err) != "name_taken" {
			return Channel{}, err
		}
		holder, err := s.findChannel(ctx, name)
		if err != nil {
			return Channel{}, err
		}
		switch {
		case holder == nil:
			// Taken by a channel the bot can't see (private): next name.
		case holder.ID == ch.ID:
			// Already ours under this name (an earlier attempt renamed it).
			return Channel{ID: holder.ID, Name: holder.Name}, nil
		case archiveIfNone && s.isOwn(ctx, holder, id):
			// The war room of an earlier run of this incident (reset),
			// while ch is still empty: the war room is that one.
			s.archive(ctx, ch.ID)
			return Channel{ID: holder.ID, Name: holder.Name}, nil
		}
	}
	if !archiveIfNone {
		return Channel{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("every war-room name tried is taken (%s), so the war room keeps the name #%s: archive old channels or change the channel_name template",
				strings.Join(names, ", "), ch.Name), ErrSlackRejected, nil)
	}
	s.archive(ctx, ch.ID)
	return Channel{}, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("every war-room name tried is taken (%s): archive old channels or change the channel_name template",
			strings.Join(names, ", ")), ErrSlackRejected, nil)
}

// isOwn reports whether ch is incident id's war room: its purpose carries
// the incident's marker, or our bot created it under the incident's
// provisional name.
func (s *Slack) isOwn(ctx context.Context, ch *slack.Channel, id string) bool {
	if strings.HasSuffix(ch.Purpose.Value, purposeMarker(id)) {
		return true
	}
	bot, err := s.botUser(ctx)
	return err == nil && ch.Creator == bot && slices.Contains(ch.PreviousNames, provisionalName(id))
}

// provisionalChannel returns the channel our bot created under the
// provisional name, by that name or by a previous one, or nil when there is
// none.
func (s *Slack) provisionalChannel(ctx context.Context, provisional string) (*Channel, error) {
	bot, err := s.botUser(ctx)
	if err != nil {
		return nil, err
	}
	var found *Channel
	err = s.eachChannel(ctx, func(ch *slack.Channel) bool {
		if ch.Creator == bot && (ch.Name == provisional || slices.Contains(ch.PreviousNames, provisional)) {
			found = &Channel{ID: ch.ID, Name: ch.Name}
			return false
		}
		return true
	})
	return found, err
}

// archive archives a channel created for nothing. It is best effort: a
// channel left unarchived is empty and named after the incident.
func (s *Slack) archive(ctx context.Context, channelID string) {
	_ = s.call(ctx, "conversations.archive", "", func() error {
		return s.api.ArchiveConversationContext(ctx, channelID)
	})
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
