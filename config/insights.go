package config

import (
	"net"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// DefaultInsightsDigestEvery is insights.digest_every: a weekly digest.
const DefaultInsightsDigestEvery = 7 * 24 * time.Hour

// minInsightsToken is the shortest insights.token accepted: the page
// shows internal incidents, so its token must not be guessable.
const minInsightsToken = 16

// minDigestEvery is the shortest insights.digest_every: a digest more
// often than hourly would be noise in the channel.
const minDigestEvery = time.Hour

// Insights configures the insights: the page's protection and address and
// the digest posted to Slack.
type Insights struct {
	// Token, when set, is the bearer token GET /insights and
	// /insights.json need; empty means they answer only on a loopback
	// listener to loopback clients (a proxy on the same host).
	Token string `mapstructure:"token"`
	// URL is the page's address as people open it (behind the operator's
	// proxy, say), linked from Slack; empty means Slack's answers say
	// where on the front door it is.
	URL string `mapstructure:"url"`
	// DigestChannel, when set, gets a summary of the figures every
	// DigestEvery (a Temporal schedule).
	DigestChannel string `mapstructure:"digest_channel"`
	// DigestEvery is how often the digest is posted, e.g. "168h".
	DigestEvery string `mapstructure:"digest_every"`
}

// DigestInterval is DigestEvery as a duration (Validate has checked it).
func (i Insights) DigestInterval() time.Duration { return mustDuration(i.DigestEvery) }

// InsightsPageURL is where people open the insights page, for the links
// Slack's answers and the digest give: insights.url, or the front door's
// own /insights when http.listen names a host; "" when it can't be told
// (a listener on every address).
func (c *Config) InsightsPageURL() string {
	if c.Insights.URL != "" {
		return c.Insights.URL
	}
	host, _, err := net.SplitHostPort(c.HTTP.Listen)
	if err != nil || host == "" || net.ParseIP(host).IsUnspecified() {
		return ""
	}
	return "http://" + c.HTTP.Listen + "/insights"
}

// checkInsights validates insights.*. The token is a secret: its problems
// are said without echoing it.
func (c *Config) checkInsights(bad func(key, value, allowed string), say func(key, message string)) {
	in := c.Insights
	switch {
	case hasSpace(in.Token):
		say("insights.token", "contains a space, a line break or a control character: set it to the token alone, e.g. the output of `openssl rand -hex 32`")
	case in.Token != "" && len(in.Token) < minInsightsToken:
		say("insights.token", "is too short to keep the page private: use at least 16 random characters, e.g. the output of `openssl rand -hex 32`")
	}
	if in.URL != "" && !isURL(in.URL) {
		bad("insights.url", in.URL, "the http(s) address of the insights page as people open it, e.g. https://incidents.example.com/insights, or empty")
	}
	if ch := strings.TrimSpace(in.DigestChannel); ch != "" && !incident.IsChannelRef(strings.TrimPrefix(ch, "#")) {
		bad("insights.digest_channel", in.DigestChannel, "a channel name (lowercase letters, digits, - and _) or ID, or empty for no digest")
	}
	if d, err := time.ParseDuration(in.DigestEvery); err != nil || d < minDigestEvery {
		bad("insights.digest_every", in.DigestEvery, "a duration of at least 1h such as 168h (weekly) or 24h (daily)")
	}
}
