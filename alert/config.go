package alert

import (
	"fmt"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Config is the alerts key of incidentflow.yaml, with mapstructure tags for
// viper:
//
//	alerts:
//	  sources:
//	    alertmanager: {token: "…"}
//	  triage_channel: alerts-triage
//	  reopen_within: 1h
//	  post_every: 5m
//	  routes:
//	    - matchers: ['service="checkout"', 'severity=~"critical|page"']
//	      service: checkout
//	      severity: critical
//	      mode: declare
//	      title: "{{ .CommonAnnotations.summary }}"
//	      auto_resolve: false
type Config struct {
	// Sources maps a source name (alertmanager, grafana, webhook) to its
	// settings; a source that is not listed is refused.
	Sources map[string]SourceConfig `mapstructure:"sources"`
	// TriageChannel is where notifications routed to triage are posted.
	TriageChannel string `mapstructure:"triage_channel"`
	// ReopenWithin is how long after its incident is resolved a group that
	// fires again reopens that incident instead of declaring a new one.
	ReopenWithin string `mapstructure:"reopen_within"`
	// PostEvery is the shortest time between two war-room posts about the
	// alerts of one incident.
	PostEvery string `mapstructure:"post_every"`
	// Routes are tried in order; the first that matches decides.
	Routes []RouteConfig `mapstructure:"routes"`
}

// SourceConfig configures one alert source.
type SourceConfig struct {
	// Token is the bearer token the source sends in its Authorization
	// header.
	Token string `mapstructure:"token"`
}

// RouteConfig is one entry of alerts.routes.
type RouteConfig struct {
	// Matchers use Alertmanager's syntax ('service="checkout"',
	// 'severity=~"critical|page"') and are matched against the group's
	// common labels; all must match. No matchers match every group.
	Matchers []string `mapstructure:"matchers"`
	// Service names the incident's service; empty means the value of the
	// group's service label.
	Service string `mapstructure:"service"`
	// Severity is the incident's severity, or the fallback when
	// SeverityLabel names none.
	Severity string `mapstructure:"severity"`
	// SeverityLabel names the label whose value, translated by SeverityMap
	// or taken as it is, gives the severity.
	SeverityLabel string `mapstructure:"severity_label"`
	// SeverityMap translates label values (matched without regard to case,
	// as viper lowercases map keys) to severities, e.g. {page: critical}.
	SeverityMap map[string]string `mapstructure:"severity_map"`
	// Mode is declare, triage or ignore.
	Mode string `mapstructure:"mode"`
	// Title is a Go text/template over the Notification; empty, or
	// rendering to nothing, falls back to the common summary annotation,
	// Grafana's title, or the group's labels.
	Title string `mapstructure:"title"`
	// AutoResolve resolves the incident when its whole group resolves,
	// instead of asking the war room.
	AutoResolve bool `mapstructure:"auto_resolve"`
}

// Defaults of the alerts keys.
const (
	DefaultTriageChannel = "alerts-triage"
	DefaultReopenWithin  = time.Hour
	DefaultPostEvery     = 5 * time.Minute
)

// minPostEvery keeps war rooms from being flooded by a misconfiguration.
const minPostEvery = 10 * time.Second

// minTokenLen is the shortest token accepted: a guessable one would let
// anyone declare incidents.
const minTokenLen = 16

// Defaults returns the default of each alerts key by its full name (the
// durations as time.Duration), for the configuration's defaults.
func Defaults() map[string]any {
	return map[string]any{
		"alerts.triage_channel": DefaultTriageChannel,
		"alerts.reopen_within":  DefaultReopenWithin,
		"alerts.post_every":     DefaultPostEvery,
	}
}

// Tokens returns each configured source's token by source name, for the
// alert door.
func (c Config) Tokens() map[string]string {
	out := make(map[string]string, len(c.Sources))
	for name, s := range c.Sources {
		out[name] = s.Token
	}
	return out
}

// PostInterval is PostEvery parsed, or DefaultPostEvery when it is empty or
// invalid (Validate reports the latter).
func (c Config) PostInterval() time.Duration {
	return durationOr(c.PostEvery, DefaultPostEvery)
}

// ReopenWindow is ReopenWithin parsed, or DefaultReopenWithin when it is
// empty or invalid (Validate reports the latter).
func (c Config) ReopenWindow() time.Duration {
	return durationOr(c.ReopenWithin, DefaultReopenWithin)
}

// Channel is TriageChannel, or DefaultTriageChannel when it is empty.
func (c Config) Channel() string {
	if c.TriageChannel == "" {
		return DefaultTriageChannel
	}
	return c.TriageChannel
}

func durationOr(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d
	}
	return def
}

// Validate returns one line per problem, each naming its key, e.g.
// `alerts.routes[0].matchers[1]: …`. Route severities must be among
// severities (unchecked when nil).
func (c Config) Validate(severities []incident.Severity) []string {
	var ps []string
	for _, name := range incident.SortedKeys(c.Sources) {
		key := "alerts.sources." + name
		token := c.Sources[name].Token
		switch {
		case !Source(name).Known():
			ps = append(ps, fmt.Sprintf("%s: unknown source: %s", key, useKnownSources))
		case token == "":
			ps = append(ps, fmt.Sprintf("%s.token: empty: set a random token of at least %d characters (e.g. openssl rand -hex 24) or remove the source", key, minTokenLen))
		case len(token) < minTokenLen:
			ps = append(ps, fmt.Sprintf("%s.token: %d characters is too guessable: use at least %d", key, len(token), minTokenLen))
		}
	}
	if c.TriageChannel != "" && !incident.IsChannelRef(c.TriageChannel) {
		ps = append(ps, fmt.Sprintf("alerts.triage_channel: %q is not a channel name (lowercase letters, digits, - and _) or ID", c.TriageChannel))
	}
	ps = append(ps, checkDuration("alerts.reopen_within", c.ReopenWithin, 0)...)
	ps = append(ps, checkDuration("alerts.post_every", c.PostEvery, minPostEvery)...)
	_, routeProblems := compileRoutes(c.Routes, severities)
	return append(ps, routeProblems...)
}

// checkDuration reports value at key unless it is empty or a duration of at
// least least.
func checkDuration(key, value string, least time.Duration) []string {
	if value == "" {
		return nil
	}
	d, err := time.ParseDuration(value)
	switch {
	case err != nil:
		return []string{fmt.Sprintf("%s: %q is not a duration such as 5m or 1h", key, value)}
	case d < least || d < 0:
		return []string{fmt.Sprintf("%s: %q is too short: use at least %s", key, value, least)}
	}
	return nil
}
