package slackemu

import (
	"math"
	"time"
)

// Rate-limit tiers, as Slack documents them (calls per minute per method per
// workspace). TierPostMessage is chat.postMessage's own limit: about one post per
// second per channel after a small burst.
const (
	TierNone        = 0 // not rate limited
	Tier1           = 1 // 1 call per window
	Tier2           = 2 // 20 calls per window
	Tier3           = 3 // 50 calls per window
	Tier4           = 4 // 100 calls per window
	TierPostMessage = 5 // token bucket per channel: PostMessageBurst, then 1 per RateWindow/60
)

// tierLimits are the calls allowed per window for each tier.
var tierLimits = map[int]int{Tier1: 1, Tier2: 20, Tier3: 50, Tier4: 100}

// methodTiers assigns each emulated method its tier. apps.connections.open is
// left unlimited (Slack puts it in Tier 1) so tests and `incidentflow dev` can
// reconnect freely.
var methodTiers = map[string]int{
	"conversations.create":         Tier2,
	"conversations.setTopic":       Tier2,
	"conversations.setPurpose":     Tier2,
	"conversations.archive":        Tier2,
	"conversations.unarchive":      Tier2,
	"conversations.rename":         Tier2,
	"conversations.kick":           Tier2,
	"bookmarks.add":                Tier2,
	"bookmarks.remove":             Tier2,
	"pins.add":                     Tier2,
	"pins.remove":                  Tier2,
	"usergroups.list":              Tier2,
	"conversations.invite":         Tier3,
	"conversations.history":        Tier3,
	"conversations.replies":        Tier3,
	"conversations.info":           Tier3,
	"conversations.members":        Tier3,
	"conversations.join":           Tier3,
	"conversations.open":           Tier3,
	"users.lookupByEmail":          Tier3,
	"chat.scheduleMessage":         Tier3,
	"chat.scheduledMessages.list":  Tier3,
	"chat.deleteScheduledMessage":  Tier3,
	"chat.update":                  Tier3,
	"chat.delete":                  Tier3,
	"reactions.add":                Tier3,
	"reactions.remove":             Tier3,
	"reactions.get":                Tier3,
	"bookmarks.list":               Tier3,
	"files.getUploadURLExternal":   Tier3,
	"files.completeUploadExternal": Tier3,
	"files.info":                   Tier3,
	"views.open":                   Tier4,
	"views.update":                 Tier4,
	"views.push":                   Tier4,
	"views.publish":                Tier4,
	"users.info":                   Tier4,
	"users.list":                   Tier4,
	"conversations.list":           Tier4,
	"chat.postEphemeral":           Tier4,
	"chat.getPermalink":            Tier4,
	"pins.list":                    Tier4,
	"auth.test":                    Tier4,
	"chat.postMessage":             TierPostMessage,
}

// MethodTier returns the rate-limit tier the emulator applies to a Web API
// method (TierNone when it is not limited).
func MethodTier(method string) int { return methodTiers[method] }

// limiter holds the rate-limit windows of one workspace. Tier limits use a
// sliding window: a call is allowed when fewer than the limit were allowed in
// the last window; rejected calls do not count. chat.postMessage uses a token
// bucket per channel.
type limiter struct {
	window  time.Duration
	burst   int
	log     map[string][]time.Time
	buckets map[string]*bucket
}

// bucket is a token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter returns an empty limiter.
func newLimiter(window time.Duration, burst int) *limiter {
	return &limiter{window: window, burst: burst, log: map[string][]time.Time{}, buckets: map[string]*bucket{}}
}

// allow decides on one call of method (channel matters for chat.postMessage).
// When the call is refused it returns how long until one would be allowed.
func (l *limiter) allow(method, channel string, now time.Time) (bool, time.Duration) {
	tier := methodTiers[method]
	switch tier {
	case TierNone:
		return true, 0
	case TierPostMessage:
		return l.take(method+"\x00"+channel, now)
	}
	limit := tierLimits[tier]
	key := method
	times := l.log[key]
	cut := 0
	for cut < len(times) && !times[cut].After(now.Add(-l.window)) {
		cut++
	}
	times = times[cut:]
	if len(times) >= limit {
		l.log[key] = times
		return false, times[0].Add(l.window).Sub(now)
	}
	l.log[key] = append(times, now)
	return true, 0
}

// take takes a token from a chat.postMessage bucket.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	every := l.window / 60
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.burst), last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(float64(l.burst), b.tokens+float64(elapsed)/float64(every))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(every))
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return secs
}
