package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/time/rate"
)

// tier is a Slack rate-limit tier: calls per window per workspace, taken as
// a token bucket whose burst plus refill never exceeds the tier in any window.
type tier struct {
	perWindow int
	burst     int
}

// Slack's tiers, per minute.
var (
	tier2 = tier{perWindow: 20, burst: 3}
	tier3 = tier{perWindow: 50, burst: 5}
	tier4 = tier{perWindow: 100, burst: 10}
)

// newLimiter returns a token bucket for t over window: its burst plus what
// it refills in one window stays within the tier.
func (t tier) newLimiter(window time.Duration) *rate.Limiter {
	refill := max(t.perWindow-t.burst, 1)
	return rate.NewLimiter(rate.Every(window/time.Duration(refill)), t.burst)
}

// postBurst is how many chat.postMessage calls a channel takes at once;
// after it, one a sixtieth of the window (a second).
const postBurst = 3

// methodTiers are the tiers of the methods the Slack activities call.
var methodTiers = map[string]tier{
	"conversations.create":     tier2,
	"conversations.setTopic":   tier2,
	"conversations.setPurpose": tier2,
	"conversations.list":       tier2,
	"bookmarks.add":            tier2,
	"pins.add":                 tier2,
	"conversations.invite":     tier3,
	"conversations.history":    tier3,
	"conversations.open":       tier3,
	"users.lookupByEmail":      tier3,
	"bookmarks.list":           tier3,
	"chat.postEphemeral":       tier4,
	"auth.test":                tier4,
}

// limits keeps a worker's Slack calls under Slack's rate limits, so that a
// burst of incidents waits its turn instead of setting off a storm of 429s.
type limits struct {
	window time.Duration

	mu      sync.Mutex
	methods map[string]*rate.Limiter
	posts   map[string]*rate.Limiter // chat.postMessage, per channel
}

func newLimits(window time.Duration) *limits {
	if window <= 0 {
		window = time.Minute
	}
	return &limits{window: window, methods: map[string]*rate.Limiter{}, posts: map[string]*rate.Limiter{}}
}

// limiter returns the limiter of method (and channel, for chat.postMessage).
func (l *limits) limiter(method, channel string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if method == "chat.postMessage" {
		lim, ok := l.posts[channel]
		if !ok {
			lim = rate.NewLimiter(rate.Every(l.window/60), postBurst)
			l.posts[channel] = lim
		}
		return lim
	}
	lim, ok := l.methods[method]
	if !ok {
		t, known := methodTiers[method]
		if !known {
			t = tier4
		}
		lim = t.newLimiter(l.window)
		l.methods[method] = lim
	}
	return lim
}

// wait blocks until a call of method may be made. When the wait would
// outlast the activity's deadline it gives up at once with a retryable error
// that asks Temporal to retry when the call would be allowed.
func (l *limits) wait(ctx context.Context, method, channel string) error {
	r := l.limiter(method, channel).Reserve()
	delay := r.Delay()
	if delay == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay+time.Second {
		r.Cancel()
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("holding %s back to stay under Slack's rate limit; retrying in %s", method, delay.Round(time.Second)),
			ErrSlackRateLimited, temporal.ApplicationErrorOptions{NextRetryDelay: delay})
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}
