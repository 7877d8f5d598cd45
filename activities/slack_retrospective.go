package activities

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
)

// The retrospective's Slack activities; posting goes through PostMessage.

// RetroPeopleRequest asks who the retrospective's people are.
type RetroPeopleRequest struct {
	// Users are Slack user IDs.
	Users []string `json:"users"`
	// Channel and KickoffTS locate the war room's kickoff message, whose
	// permalink links the war room; with no kickoff the channel is linked.
	Channel   string `json:"channel,omitempty"`
	KickoffTS string `json:"kickoff_ts,omitempty"`
}

// RetroPeople is the answer of RetroPeople.
type RetroPeople struct {
	// People are the users Slack knows, in the order asked; a user Slack
	// refuses to describe (deleted, another workspace, not a user ID) is
	// left out.
	People     []incident.Person `json:"people"`
	WarRoomURL string            `json:"war_room_url,omitempty"`
}

// RetroPeople looks up the names and emails of users (users.info; emails
// need the users:read.email scope) and the war room's link.
func (s *Slack) RetroPeople(ctx context.Context, req RetroPeopleRequest) (RetroPeople, error) {
	var out RetroPeople
	for _, id := range req.Users {
		var u *slack.User
		err := s.call(ctx, "users.info", "", func() (err error) {
			u, err = s.api.GetUserInfoContext(ctx, id)
			return err
		})
		if code := slackCode(err); code != "" && !transientSlackErrors[code] {
			continue // Slack refuses this user (unknown, deleted, not a user ID): leave them out
		} else if err != nil {
			return out, err
		}
		name := u.RealName
		if name == "" {
			name = u.Name
		}
		out.People = append(out.People, incident.Person{ID: u.ID, Name: name, Email: u.Profile.Email, Bot: u.IsBot})
	}
	if req.Channel == "" {
		return out, nil
	}
	if req.KickoffTS == "" {
		out.WarRoomURL = "https://slack.com/app_redirect?channel=" + req.Channel
		return out, nil
	}
	err := s.call(ctx, "chat.getPermalink", "", func() (err error) {
		out.WarRoomURL, err = s.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: req.Channel, Ts: req.KickoffTS})
		return err
	})
	return out, err
}

// ArchiveRequest names the war room to archive.
type ArchiveRequest struct {
	Channel string `json:"channel"`
}

// ArchiveChannel archives the war room when the retrospective's follow-up
// ends. An already archived channel is fine.
func (s *Slack) ArchiveChannel(ctx context.Context, req ArchiveRequest) error {
	err := s.call(ctx, "conversations.archive", "", func() error {
		return s.api.ArchiveConversationContext(ctx, req.Channel)
	})
	if slackCode(err) == "already_archived" {
		return nil
	}
	return err
}

// sharedFile is a file shared in a channel.
type sharedFile struct {
	Channel, Name, Title, Comment string
	Content                       []byte
}

// shareFile uploads a file to a channel once: when a file of the same name
// is already among the channel's recent messages it returns that file's
// permalink instead of uploading another. Its name, title and comment are
// cleaned of control and bidi characters; its content is the file as its
// format has it (an invite's lines end in CRLF) and is cleaned where it is
// rendered.
func (s *Slack) shareFile(ctx context.Context, f sharedFile) (string, error) {
	f.Name, f.Title, f.Comment = incident.Clean(f.Name), incident.Clean(f.Title), incident.Clean(f.Comment)
	var hist *slack.GetConversationHistoryResponse
	err := s.call(ctx, "conversations.history", "", func() (err error) {
		hist, err = s.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: f.Channel, Limit: historyPage})
		return err
	})
	if err != nil {
		return "", err
	}
	for _, m := range hist.Messages {
		for _, file := range m.Files {
			if file.Name == f.Name {
				return file.Permalink, nil
			}
		}
	}
	var sum *slack.FileSummary
	err = s.call(ctx, "files.upload", "", func() (err error) {
		sum, err = s.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: f.Channel, Filename: f.Name, Title: f.Title, InitialComment: f.Comment,
			Content: string(f.Content), FileSize: len(f.Content),
		})
		return err
	})
	if err != nil {
		return "", err
	}
	var info *slack.File
	err = s.call(ctx, "files.info", "", func() (err error) {
		info, _, _, err = s.api.GetFileInfoContext(ctx, sum.ID, 0, 0)
		return err
	})
	if err != nil {
		return "", err
	}
	return info.Permalink, nil
}
