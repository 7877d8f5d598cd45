package slackdoor

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// event handles an Events API callback. retry is set when Slack says this is
// a redelivery (X-Slack-Retry-Num, or retry_attempt in Socket Mode): an event
// already handled is then ignored.
func (f *FrontDoor) event(ev slackevents.EventsAPIEvent, eventID string, retry bool) {
	if eventID != "" && !f.events.first(eventID, time.Now()) {
		f.log.Info("ignored a repeated event", "event_id", eventID, "retry", retry)
		return
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if inner.User == "" || inner.BotID != "" {
			return
		}
		// Answer in the background: Slack wants its 200 first.
		_, maintenance := f.scheduler()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := f.slack.PostEphemeralContext(ctx, inner.Channel, inner.User,
				slack.MsgOptionText(helpText(f.process, maintenance), false))
			if err != nil {
				f.log.Warn("answering a mention failed", "channel", inner.Channel, "err", err)
			}
		}()
	default:
		f.log.Debug("ignored event", "type", ev.InnerEvent.Type)
	}
}

// seenEvents remembers the IDs of recent events so that a redelivered event
// is handled once.
type seenEvents struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	at    map[string]time.Time
	order []string
}

func newSeenEvents(max int, ttl time.Duration) *seenEvents {
	return &seenEvents{max: max, ttl: ttl, at: map[string]time.Time{}}
}

// first records id and reports whether it is new.
func (s *seenEvents) first(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.order) > 0 && (len(s.order) >= s.max || now.Sub(s.at[s.order[0]]) > s.ttl) {
		delete(s.at, s.order[0])
		s.order = s.order[1:]
	}
	if _, ok := s.at[id]; ok {
		return false
	}
	s.at[id] = now
	s.order = append(s.order, id)
	return true
}
