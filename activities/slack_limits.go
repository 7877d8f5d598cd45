package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/time/rate"
)

// Slack's tiers: calls allowed per method per workspace in any window (a
// minute).
const (
	tier2 = 20
	tier3 = 50
	tier4 = 100
)

// methodTiers are the tiers of the methods the Slack activities call;
// methods not listed are taken as Tier 4.
var methodTiers = map[string]int{
	"conversations.create":     tier2,
	"conversations.rename":     tier2,
	"conversations.archive":    tier2,
	"conversations.setTopic":   tier2,
	"conversations.setPurpose": tier2,
	"conversations.list":       tier2,
	"bookmarks.add":            tier2,
	"pins.add":                 tier2,
	"reactions.remove":         tier2,
	"conversations.invite":     tier3,
	"reactions.add":            tier3,
	"chat.update":              tier3,
	"conversations.history":    tier3,
	"conversations.open":       tier3,
	"users.lookupByEmail":      tier3,
	"bookmarks.list":           tier3,
	"chat.postEphemeral":       tier4,
	"auth.test":                tier4,
}

// postBurst is how many chat.postMessage calls a channel takes at once;
// after it, one a sixtieth of the window (a second).
const postBurst = 3

// schedule hands out the times at which calls may start.
type schedule interface {
	// reserve returns the earliest time, not before now, at which one more
	// call keeps within the limit, and counts that call.
	reserve(now time.Time) time.Time
}

// slidingWindow mirrors Slack's tier limits: at most limit calls start in
// any window. It remembers when each of the last limit calls was allowed
// to start (some of those times may lie ahead), so a queue of calls is
// served in order at the full rate, never faster.
type slidingWindow struct {
	window time.Duration // the tier's window plus a margin for the calls' travel

	mu     sync.Mutex
	starts []time.Time // ring of the last limit start times, oldest at next
	next   int
}

func newSlidingWindow(limit int, window time.Duration) *slidingWindow {
	return &slidingWindow{window: window, starts: make([]time.Time, 0, limit)}
}

func (s *slidingWindow) reserve(now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.starts) < cap(s.starts) {
		s.starts = append(s.starts, now)
		return now
	}
	at := now
	if free := s.starts[s.next].Add(s.window); free.After(at) {
		at = free
	}
	s.starts[s.next] = at
	s.next = (s.next + 1) % len(s.starts)
	return at
}

// tokenBucket is chat.postMessage's limit in one channel: a burst, then a
// steady rate.
type tokenBucket struct{ *rate.Limiter }

func (b tokenBucket) reserve(now time.Time) time.Time {
	return now.Add(b.ReserveN(now, 1).DelayFrom(now))
}

// limits keeps a worker's Slack calls under Slack's rate limits, so that a
// burst of incidents waits its turn instead of setting off a storm of 429s.
// The limits are per worker process: several workers on one workspace can
// still meet a 429, which the activities retry after Slack's Retry-After.
type limits struct {
	window time.Duration

	mu      sync.Mutex
	methods map[string]schedule
	posts   map[string]schedule // chat.postMessage, per channel
}

func newLimits(window time.Duration) *limits {
	if window <= 0 {
		window = time.Minute
	}
	return &limits{window: window, methods: map[string]schedule{}, posts: map[string]schedule{}}
}

// travelMargin is how much longer than Slack's window the limiter spaces
// calls, so that calls reaching Slack a little out of step with their
// start still fit its window.
func (l *limits) travelMargin() time.Duration { return l.window / 50 }

// schedule returns the schedule of method (and channel, for
// chat.postMessage).
func (l *limits) schedule(method, channel string) schedule {
	l.mu.Lock()
	defer l.mu.Unlock()
	if method == "chat.postMessage" {
		s, ok := l.posts[channel]
		if !ok {
			s = tokenBucket{rate.NewLimiter(rate.Every((l.window+l.travelMargin())/60), postBurst)}
			l.posts[channel] = s
		}
		return s
	}
	s, ok := l.methods[method]
	if !ok {
		limit, known := methodTiers[method]
		if !known {
			limit = tier4
		}
		s = newSlidingWindow(limit, l.window+l.travelMargin())
		l.methods[method] = s
	}
	return s
}

// wait blocks until a call of method may be made, heartbeating every
// heartbeatEvery while it waits so that a long queue doesn't look like a
// stuck activity (the heartbeat timeout is seconds, a queue can be minutes).
// When the worker begins to stop, a waiting call gives way with
// errWorkerStopping. A turn
// that comes after the activity's deadline fails at once with a retryable
// error asking Temporal to retry when the turn comes.
func (l *limits) wait(ctx context.Context, method, channel string) error {
	at := l.schedule(method, channel).reserve(time.Now())
	delay := time.Until(at)
	if delay <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(at.Add(time.Second)) {
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("holding %s back to stay under Slack's rate limit; retrying in %s", method, delay.Round(time.Second)),
			ErrSlackRateLimited, temporal.ApplicationErrorOptions{NextRetryDelay: delay})
	}
	stopping := workerStopping(ctx)
	for {
		heartbeat(ctx)
		t := time.NewTimer(min(delay, heartbeatEvery))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-stopping:
			// A draining worker lets calls under way finish; one still
			// waiting its turn goes to another worker's queue instead.
			t.Stop()
			return errWorkerStopping
		}
		if delay = time.Until(at); delay <= 0 {
			return nil
		}
	}
}

// progressKey holds, in an activity's context, the progress it recorded.
type progressKey struct{}

// recordProgress records progress in the activity's heartbeat details,
// where a retried attempt finds it, and returns ctx carrying it so that the
// heartbeats of later waits repeat it instead of erasing it.
func recordProgress(ctx context.Context, progress any) context.Context {
	activity.RecordHeartbeat(ctx, progress)
	return context.WithValue(ctx, progressKey{}, progress)
}

// heartbeat tells Temporal that the activity of ctx is alive, repeating
// the progress it recorded; outside an activity it does nothing.
func heartbeat(ctx context.Context) {
	if !activity.IsActivity(ctx) {
		return
	}
	if progress := ctx.Value(progressKey{}); progress != nil {
		activity.RecordHeartbeat(ctx, progress)
		return
	}
	activity.RecordHeartbeat(ctx)
}
