package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Problem is one thing wrong with the configuration.
type Problem struct {
	Key     string // e.g. severities[1].update_every
	Value   string
	Allowed string // what would be accepted
	// Message, when set, says all that is wrong (a check that words its
	// own sentence, such as alert.Config.Validate's).
	Message string
}

func (p Problem) Error() string {
	if p.Message != "" {
		return p.Key + ": " + p.Message
	}
	return fmt.Sprintf("%s: %q is not allowed: %s", p.Key, p.Value, p.Allowed)
}

// Problems is every problem found in a configuration.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "  " + p.Error()
	}
	return "invalid configuration:\n" + strings.Join(lines, "\n")
}

var (
	severityName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,30}$`)
	repoName     = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	clockTime    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	emojiName    = regexp.MustCompile(`^[a-z0-9_+-]{1,100}$`)
)

// Validate checks every key and returns Problems naming each bad key, its
// value and what is allowed.
func (c *Config) Validate() error {
	var ps Problems
	bad := func(key, value, allowed string) { ps = append(ps, Problem{Key: key, Value: value, Allowed: allowed}) }
	dur := func(key, value string, min time.Duration) time.Duration {
		d, err := time.ParseDuration(value)
		switch {
		case err != nil:
			bad(key, value, "a duration such as 15m, 1h or 1h30m")
		case d < min || d <= 0:
			bad(key, value, fmt.Sprintf("a duration of at least %s", max(min, time.Second)))
		}
		return d
	}

	if len(c.Severities) == 0 {
		bad("severities", "", "at least one severity, e.g. {name: critical, update_every: 15m}")
	}
	seen := map[string]bool{}
	for i, s := range c.Severities {
		key := fmt.Sprintf("severities[%d]", i)
		if !severityName.MatchString(s.Name) {
			bad(key+".name", s.Name, "a lowercase name of letters, digits, - or _ (e.g. critical)")
		} else if seen[s.Name] {
			bad(key+".name", s.Name, "a name not used by another severity (severity names must be unique)")
		}
		seen[s.Name] = true
		dur(key+".update_every", s.UpdateEvery, time.Minute)
		checkUsers(key+".leads", s.Leads, bad)
	}
	for _, name := range incident.SortedKeys(c.Services) {
		key := "services." + name
		checkUsers(key+".leads", c.Services[name].Leads, bad)
		if sev := c.Services[name].Severity; sev != "" && !seen[sev] {
			bad(key+".severity", sev, "one of the configured severities: "+strings.Join(c.severityNames(), ", "))
		}
		if rb := c.Services[name].Runbook; rb != "" && !isURL(rb) {
			bad(key+".runbook", rb, "an http(s) URL")
		}
	}
	for i, d := range c.Docs {
		key := fmt.Sprintf("docs[%d]", i)
		if strings.TrimSpace(d.Title) == "" {
			bad(key+".title", d.Title, "a non-empty title")
		}
		if !isURL(d.URL) {
			bad(key+".url", d.URL, "an http(s) URL")
		}
	}
	checkChannels("announce_channels", c.AnnounceChannels, bad)
	checkChannels("broadcast_channels", c.BroadcastChannels, bad)
	if err := incident.ValidateChannelTemplate(c.ChannelName); err != nil {
		bad("channel_name", c.ChannelName, err.Error())
	}
	if c.VideoLink != "" && !isURL(strings.NewReplacer("{channel}", "x", "{id}", "x").Replace(c.VideoLink)) {
		bad("video_link", c.VideoLink, "an http(s) URL, optionally with {channel} or {id}")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		bad("time_zone", c.TimeZone, "an IANA time zone such as UTC or Europe/London")
	}
	if c.Escalation.After < 1 {
		bad("escalation.after", fmt.Sprint(c.Escalation.After), "a number of missed reminders of at least 1")
	}

	checkToken("slack.bot_token", c.Slack.BotToken, "xoxb-", "a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)", bad)
	checkToken("slack.app_token", c.Slack.AppToken, "xapp-", "an app-level token starting with xapp- with connections:write (Basic Information → App-Level Tokens)", bad)
	if c.Slack.APIURL != "" && !isURL(c.Slack.APIURL) {
		bad("slack.api_url", c.Slack.APIURL, "an http(s) URL such as https://slack.com/api/")
	}
	if c.CLI.User != "" && !isUserRef(c.CLI.User) {
		bad("cli.user", c.CLI.User, "a Slack user ID (U…/W…) or the email of your Slack account")
	}
	if c.GitHub.Repo != "" && !repoName.MatchString(c.GitHub.Repo) {
		bad("github.repo", c.GitHub.Repo, "owner/name, e.g. acme/incidents")
	}
	switch sr := c.GitHub.SecurityRepo; {
	case sr != "" && !repoName.MatchString(sr):
		bad("github.security_repo", sr, "owner/name of a private repository, e.g. acme/security-incidents")
	case sr != "" && strings.EqualFold(sr, c.GitHub.Repo):
		bad("github.security_repo", sr, "a private repository other than github.repo, or empty to keep security incidents off GitHub")
	}
	if c.GitHub.BaseURL != "" && !isURL(c.GitHub.BaseURL) {
		bad("github.base_url", c.GitHub.BaseURL, "an http(s) URL such as https://github.example.com/api/v3/")
	}
	if c.Temporal.Namespace == "" {
		bad("temporal.namespace", "", "a namespace name such as default")
	}
	if c.Temporal.TaskQueue == "" {
		bad("temporal.task_queue", "", "a task queue name such as incidentflow")
	}
	ports := map[string]int{"dev.frontend_port": c.Dev.FrontendPort, "dev.ui_port": c.Dev.UIPort, "dev.slack_port": c.Dev.SlackPort, "dev.github_port": c.Dev.GitHubPort}
	for _, key := range incident.SortedKeys(ports) {
		if port := ports[key]; port < 1 || port > 65535 {
			bad(key, fmt.Sprint(port), "a TCP port between 1 and 65535")
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", c.Log.Level, "debug, info, warn or error")
	}
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		bad("log.format", c.Log.Format, "auto, text or json")
	}

	if !emojiName.MatchString(c.Timeline.Reaction) {
		bad("timeline.reaction", c.Timeline.Reaction, "a Slack emoji name without colons (lowercase letters, digits, _, - and +; at most 100), e.g. pushpin")
	}

	r := c.Retrospective
	dur("retrospective.duration", r.Duration, 5*time.Minute)
	retroDurations := map[string]string{
		"retrospective.remind_before": r.RemindBefore, "retrospective.done_remind_every": r.DoneRemindEvery,
		"retrospective.check_every": r.CheckEvery, "retrospective.digest_every": r.DigestEvery,
		"retrospective.follow_up_for": r.FollowUpFor,
	}
	for _, key := range incident.SortedKeys(retroDurations) {
		dur(key, retroDurations[key], time.Minute)
	}
	if r.BusinessDaysAfter < 0 || r.BusinessDaysAfter > 30 {
		bad("retrospective.business_days_after", fmt.Sprint(r.BusinessDaysAfter), "a number of business days from 0 to 30")
	}
	if !clockTime.MatchString(r.WorkdayStart) {
		bad("retrospective.workday_start", r.WorkdayStart, "a time of day as HH:MM, e.g. 10:00")
	}
	// Compare only two valid times: a bad start must not blame a good end.
	if !clockTime.MatchString(r.WorkdayEnd) || (clockTime.MatchString(r.WorkdayStart) && r.WorkdayEnd <= r.WorkdayStart) {
		bad("retrospective.workday_end", r.WorkdayEnd, "a time of day as HH:MM after workday_start")
	}
	if _, err := time.LoadLocation(r.TimeZone); err != nil {
		bad("retrospective.time_zone", r.TimeZone, "an IANA time zone such as UTC or America/New_York")
	}
	switch r.Calendar.Backend {
	case "ics":
	case "caldav":
		if !isURL(r.Calendar.CalDAVURL) {
			bad("retrospective.calendar.caldav_url", r.Calendar.CalDAVURL, "the http(s) URL of a CalDAV calendar collection (needed by backend caldav)")
		}
	default:
		bad("retrospective.calendar.backend", r.Calendar.Backend, "ics or caldav")
	}
	if !strings.Contains(r.Calendar.OrganizerEmail, "@") {
		bad("retrospective.calendar.organizer_email", r.Calendar.OrganizerEmail, "an email address")
	}

	m := c.Maintenance
	dur("maintenance.update_every", m.UpdateEvery, time.Minute)
	dur("maintenance.grace", m.Grace, time.Minute)
	dur("maintenance.max_duration", m.MaxDuration, time.Minute)
	for i, h := range m.HeadsUp {
		dur(fmt.Sprintf("maintenance.heads_up[%d]", i), h, time.Minute)
	}

	sevs := make([]incident.Severity, len(c.Severities))
	for i, s := range c.Severities {
		sevs[i] = incident.Severity(s.Name)
	}
	for _, line := range c.Alerts.Validate(sevs) {
		key, msg, _ := strings.Cut(line, ": ")
		ps = append(ps, Problem{Key: key, Message: msg})
	}

	if len(ps) > 0 {
		return ps
	}
	return nil
}

func checkToken(key, value, prefix, allowed string, bad func(key, value, allowed string)) {
	if value == "" || strings.HasPrefix(value, prefix) {
		return
	}
	shown := value
	if len(shown) > 5 {
		shown = shown[:5] + "…" // never echo a secret
	}
	bad(key, shown, allowed)
}

// checkChannels reports the entries of list that are neither a channel name
// nor an ID. Process trims spaces and drops empty entries ("a, b" from the
// environment), so those pass.
func checkChannels(key string, list []string, bad func(key, value, allowed string)) {
	for i, ch := range list {
		if trimmed := strings.TrimSpace(ch); trimmed != "" && !incident.IsChannelRef(strings.TrimPrefix(trimmed, "#")) {
			bad(fmt.Sprintf("%s[%d]", key, i), ch, "a channel name (lowercase letters, digits, - and _) or ID")
		}
	}
}

func checkUsers(key string, users []string, bad func(key, value, allowed string)) {
	for i, u := range users {
		if !isUserRef(u) {
			bad(fmt.Sprintf("%s[%d]", key, i), u, "a Slack user ID (U…/W…) or an email address")
		}
	}
}

func isUserRef(u string) bool {
	if strings.Contains(u, "@") && !strings.HasPrefix(u, "@") {
		return true
	}
	return len(u) > 2 && (u[0] == 'U' || u[0] == 'W') && strings.ToUpper(u) == u
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
