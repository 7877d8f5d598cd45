package activities

import (
	"context"
	"slices"
	"sync"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"

	"github.com/incidentflow/incidentflow/incident"
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
// all at once, under its title cleaned of control and bidi characters. A retry first lists the channel's bookmarks, so it adds
// nothing twice; a first attempt, in the channel it just saw created, spares
// Slack the lookup.
func (s *Slack) AddBookmarks(ctx context.Context, req BookmarksRequest) error {
	var have []slack.Bookmark
	if activity.GetInfo(ctx).Attempt > 1 {
		err := s.call(ctx, "bookmarks.list", "", func() (err error) {
			have, err = s.api.ListBookmarksContext(ctx, req.Channel)
			return err
		})
		if err != nil {
			return err
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, b := range req.Bookmarks {
		if b.Link == "" || slices.ContainsFunc(have, func(h slack.Bookmark) bool { return h.Link == b.Link }) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.call(ctx, "bookmarks.add", "", func() error {
				_, err := s.api.AddBookmarkContext(ctx, req.Channel, slack.AddBookmarkParameters{Title: incident.Clean(b.Title), Type: "link", Link: b.Link})
				return err
			})
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0] // the first is as telling as any, and keeps its retry policy
	}
	return nil
}
