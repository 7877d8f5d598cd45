package slackdoor

import (
	"context"
	"time"

	"github.com/slack-go/slack"
)

// event handles an Events API delivery, as parseEvent read it, after Slack
// has had its answer. retry is set when Slack says this is a redelivery
// (X-Slack-Retry-Num, or retry_attempt in Socket Mode). An event already
// handled is ignored: that is the cheap first line, the timeline update's
// ID (the event_id) the second, for a redelivery to another replica or
// after a restart.
func (f *FrontDoor) event(task eventTask, retry bool) {
	if task.Ignored != "" {
		f.log.Debug("ignored event", "why", task.Ignored, "event_id", task.EventID)
		return
	}
	if task.EventID != "" && !f.events.first(task.EventID, time.Now()) {
		f.log.Info("ignored a repeated event", "event_id", task.EventID, "retry", retry)
		return
	}
	switch {
	case task.Mention != nil:
		m := *task.Mention
		_, maintenance := f.scheduler()
		f.bg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := f.slack.PostEphemeralContext(ctx, m.Channel, m.User,
				slack.MsgOptionText(helpText(f.process, f.reaction, maintenance, f.drills != nil), false))
			if err != nil {
				f.log.Warn("answering a mention failed", "channel", m.Channel, "err", err)
			}
		})
	case task.Mark != nil:
		mark := *task.Mark
		f.bg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), f.submitTO)
			defer cancel()
			f.markFromEvent(ctx, task.EventID, mark)
		})
	}
}

// seenEvents remembers the IDs of recent events so that a redelivered event
// is handled once.
type seenEvents struct {
	ids *ttlCache[struct{}]
	ttl time.Duration
}

func newSeenEvents(max int, ttl time.Duration) *seenEvents {
	return &seenEvents{ids: newTTLCache[struct{}](max), ttl: ttl}
}

// first records id and reports whether it is new.
func (s *seenEvents) first(id string, now time.Time) bool {
	return s.ids.add(id, struct{}{}, now, s.ttl)
}
