package activities

import (
	"context"
	"slices"

	"github.com/slack-go/slack"
)

// Bookmark is a link bookmarked in a channel.
type Bookmark struct {
	Title string `json:"title"`
	Link  string `json:"link"`
}

// BookmarksRequest bookmarks links in a channel.
type BookmarksRequest struct {
	Channel   string     `json:"channel"`
	Bookmarks []Bookmark `json:"bookmarks"`
}

// AddBookmarks bookmarks each link the channel doesn't have bookmarked yet,
// so a retry adds nothing twice.
func (s *Slack) AddBookmarks(ctx context.Context, req BookmarksRequest) error {
	var have []slack.Bookmark
	err := s.call(ctx, "bookmarks.list", "", func() (err error) {
		have, err = s.api.ListBookmarksContext(ctx, req.Channel)
		return err
	})
	if err != nil {
		return err
	}
	for _, b := range req.Bookmarks {
		if b.Link == "" || slices.ContainsFunc(have, func(h slack.Bookmark) bool { return h.Link == b.Link }) {
			continue
		}
		err := s.call(ctx, "bookmarks.add", "", func() error {
			_, err := s.api.AddBookmarkContext(ctx, req.Channel, slack.AddBookmarkParameters{Title: b.Title, Type: "link", Link: b.Link})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
