package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-viper/mapstructure/v2"

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

// Error is the problem in one line: a key or message that holds a line
// break or another control character (a key is the user's text for
// services and unknown keys) shows it escaped.
func (p Problem) Error() string {
	if p.Message != "" {
		return escapeControls(p.Key + ": " + p.Message)
	}
	return escapeControls(fmt.Sprintf("%s: %q is not allowed: %s", p.Key, p.Value, p.Allowed))
}

// escapeControls writes the control and invisible formatting characters of
// s as Go escapes (\n, \u202e).
func escapeControls(s string) string {
	if !hasInvisible(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
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
	// githubLogin is a GitHub user name: letters, digits and single
	// hyphens between them, at most 39 characters.
	githubLogin = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)
)

// Bounds of the numbers and lists the configuration holds.
const (
	// maxMenuOptions is the most options a Slack menu lists: the declare
	// form's severity and service menus show no more.
	maxMenuOptions = 100
	// maxServiceName is the longest service name the declare form's menu
	// shows whole.
	maxServiceName = 75
	// maxLabel is the longest label GitHub takes.
	maxLabel = 50
	// maxGitHubLogin is the longest GitHub user name.
	maxGitHubLogin = 39
	// maxEscalationHandle is the longest escalation handle written as text.
	maxEscalationHandle = 80
	// minSigningSecret is the shortest signing secret accepted; Slack's
	// are 32 characters.
	minSigningSecret = 16
	// maxShutdownGrace bounds worker.shutdown_grace.
	maxShutdownGrace = 10 * time.Minute
)

// Validate checks every key and returns Problems naming each bad key, its
// value and what is allowed.
func (c *Config) Validate() error {
	var ps Problems
	bad := func(key, value, allowed string) { ps = append(ps, Problem{Key: key, Value: value, Allowed: allowed}) }
	say := func(key, message string) { ps = append(ps, Problem{Key: key, Message: message}) }
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

	switch n := len(c.Severities); {
	case n == 0:
		bad("severities", "", "at least one severity, e.g. {name: critical, update_every: 15m}")
	case n > maxMenuOptions:
		bad("severities", fmt.Sprintf("%d severities", n), fmt.Sprintf("at most %d severities: Slack's menus list no more", maxMenuOptions))
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
	if n := len(c.Services); n > maxMenuOptions {
		bad("services", fmt.Sprintf("%d services", n), fmt.Sprintf("at most %d services: the declare form's menu lists no more", maxMenuOptions))
	}
	for _, name := range incident.SortedKeys(c.Services) {
		key := "services." + name
		if n := utf8.RuneCountInString(name); n > maxServiceName || hasInvisible(name) {
			bad(key, name, fmt.Sprintf("a service name of at most %d characters without line breaks or control characters", maxServiceName))
		}
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
	checkZone("time_zone", c.TimeZone, "Europe/London", bad)
	checkEscalationGroup(c.Escalation.Group, bad)
	if c.Escalation.After < 1 {
		bad("escalation.after", fmt.Sprint(c.Escalation.After), "a number of missed reminders of at least 1")
	}

	checkToken("slack.bot_token", c.Slack.BotToken, "xoxb-", "a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)", bad)
	checkToken("slack.app_token", c.Slack.AppToken, "xapp-", "an app-level token starting with xapp- with connections:write (Basic Information → App-Level Tokens)", bad)
	checkSigningSecret(c.Slack.SigningSecret, say)
	secrets := map[string]string{"slack.bot_token": c.Slack.BotToken, "slack.app_token": c.Slack.AppToken,
		"slack.signing_secret": c.Slack.SigningSecret, "github.token": c.GitHub.Token}
	for _, key := range incident.SortedKeys(secrets) {
		if hasSpace(secrets[key]) {
			say(key, "contains a space, a line break or a control character, which no token has: set it to the token alone")
		}
	}
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
	if c.Temporal.Address != "" {
		checkHostPort("temporal.address", c.Temporal.Address, false, "the Temporal frontend as host:port, e.g. temporal.example.com:7233 (no scheme), or empty for incidentflow dev's", bad)
	}
	if c.Temporal.Namespace == "" || hasSpace(c.Temporal.Namespace) {
		bad("temporal.namespace", c.Temporal.Namespace, "a namespace name without spaces, such as default")
	}
	if c.Temporal.TaskQueue == "" || hasSpace(c.Temporal.TaskQueue) {
		bad("temporal.task_queue", c.Temporal.TaskQueue, "a task queue name without spaces, such as incidentflow")
	}
	if u := c.Temporal.WebUIURL; u != "" && !isURL(u) {
		bad("temporal.web_ui_url", u, "the http(s) URL of the Temporal Web UI, e.g. http://localhost:8233, or empty for no bookmark")
	}
	ps = append(ps, c.Temporal.Codec.problems()...)
	ps = append(ps, c.Temporal.connectionProblems(time.Now())...)
	checkHostPort("http.listen", c.HTTP.Listen, true, "an address to listen on as host:port, e.g. 127.0.0.1:3000 or :3000", bad)
	ports := map[string]int{"dev.frontend_port": c.Dev.FrontendPort, "dev.ui_port": c.Dev.UIPort, "dev.slack_port": c.Dev.SlackPort, "dev.github_port": c.Dev.GitHubPort}
	ports["dev.pagerduty_port"] = c.Dev.PagerDutyPort
	ports["dev.statuspage_port"] = c.Dev.StatusPagePort
	c.checkStatusPage(bad, say)
	c.checkPaging(bad, say)
	c.checkInsights(bad, say)
	c.checkDrills(bad, say)
	portOf := map[int]string{}
	for _, key := range incident.SortedKeys(ports) {
		port := ports[key]
		switch other, taken := portOf[port]; {
		case port < 1 || port > 65535:
			bad(key, fmt.Sprint(port), "a TCP port between 1 and 65535")
		case taken:
			bad(key, fmt.Sprint(port), "a port of its own: "+other+" has it already")
		default:
			portOf[port] = key
		}
	}
	checkDataDir(c.Dev.DataDir, bad)
	if c.Worker.Listen != "" {
		checkHostPort("worker.listen", c.Worker.Listen, true, "an address for the worker's /healthz, /readyz and /metrics as host:port, e.g. :9090, or empty for none", bad)
	}
	checkRange("worker.max_concurrent_activities", c.Worker.MaxConcurrentActivities, 1, 10000, "activities at once", bad)
	// The SDK panics on 1 workflow task slot and silently takes 1000 for 0
	// or less.
	checkRange("worker.max_concurrent_workflow_tasks", c.Worker.MaxConcurrentWorkflowTasks, 2, 10000, "workflow tasks at once", bad)
	checkRange("worker.max_cached_workflows", c.Worker.MaxCachedWorkflows, 1, 1000000, "cached workflows", bad)
	if d := dur("worker.shutdown_grace", c.Worker.ShutdownGrace, time.Second); d > maxShutdownGrace {
		bad("worker.shutdown_grace", c.Worker.ShutdownGrace, "a duration between 1s and "+durationText(maxShutdownGrace)+": activities still running then are retried on another worker anyway")
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
	checkZone("retrospective.time_zone", r.TimeZone, "America/New_York", bad)
	for i, l := range r.Labels {
		if strings.TrimSpace(l) == "" || utf8.RuneCountInString(l) > maxLabel {
			bad(fmt.Sprintf("retrospective.labels[%d]", i), l, fmt.Sprintf("a GitHub label of 1 to %d characters", maxLabel))
		}
	}
	for _, user := range incident.SortedKeys(r.Assignees) {
		key := "retrospective.assignees." + user
		if !isUserRef(user) {
			bad(key, user, "a Slack user ID (U…/W…) or email as the key, mapped to a GitHub login")
		}
		if login := r.Assignees[user]; len(login) > maxGitHubLogin || !githubLogin.MatchString(login) {
			bad(key, login, "a GitHub login such as octocat (letters, digits and single hyphens, no @)")
		}
	}
	switch r.Calendar.Backend {
	case "ics":
	case "caldav":
		if r.Calendar.CalDAVURL == "" {
			bad("retrospective.calendar.caldav_url", "", "the http(s) URL of a CalDAV calendar collection (needed by backend caldav)")
		}
	default:
		bad("retrospective.calendar.backend", r.Calendar.Backend, "ics or caldav")
	}
	if u := r.Calendar.CalDAVURL; u != "" && !isURL(u) {
		bad("retrospective.calendar.caldav_url", u, "the http(s) URL of a CalDAV calendar collection")
	}
	if a, err := mail.ParseAddress(r.Calendar.OrganizerEmail); err != nil || a.Address != r.Calendar.OrganizerEmail {
		bad("retrospective.calendar.organizer_email", r.Calendar.OrganizerEmail, "an email address such as incidents@example.com")
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
	ps = append(ps, c.Permissions.problems()...)

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

// hasSpace reports whether s holds white space or a control character.
func hasSpace(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// hasInvisible reports whether s holds a line break, another control
// character or an invisible formatting character (such as a right-to-left
// override).
func hasInvisible(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0
}

// checkRange reports n at key unless it is from lo to hi; what counts says
// what n counts ("activities at once").
func checkRange(key string, n, lo, hi int, counts string, bad func(key, value, allowed string)) {
	if n < lo || n > hi {
		bad(key, fmt.Sprint(n), fmt.Sprintf("a number of %s from %d to %d", counts, lo, hi))
	}
}

// checkHostPort reports value at key unless it is host:port with a port
// from 1 to 65535; anyHost allows an empty host (every interface).
func checkHostPort(key, value string, anyHost bool, allowed string, bad func(key, value, allowed string)) {
	host, port, err := net.SplitHostPort(value)
	n, portErr := strconv.Atoi(port)
	if err != nil || portErr != nil || n < 1 || n > 65535 || (host == "" && !anyHost) || hasSpace(host) || strings.Contains(host, "/") {
		bad(key, value, allowed)
	}
}

// checkZone reports value at key unless it is an IANA time zone. Local is
// refused too: workers on machines set to different zones would print
// different times for the same incident.
func checkZone(key, value, example string, bad func(key, value, allowed string)) {
	_, err := time.LoadLocation(value)
	switch {
	case err != nil:
		bad(key, value, "an IANA time zone such as UTC or "+example)
	case value == "Local":
		bad(key, value, "an IANA time zone such as UTC or "+example+", not the machine's own: workers on machines set to other zones would print other times")
	}
}

// checkEscalationGroup reports an escalation.group that Slack can't show
// as a mention or a short plain handle.
func checkEscalationGroup(group string, bad func(key, value, allowed string)) {
	g := strings.TrimSpace(group)
	if g != "" && (utf8.RuneCountInString(g) > maxEscalationHandle || hasInvisible(g) || strings.ContainsAny(g, "<>")) {
		bad("escalation.group", group, fmt.Sprintf("a Slack user group ID (S…), a user ID (U…/W…) or a handle such as @oncall of at most %d characters, without <…> markup", maxEscalationHandle))
	}
}

// checkSigningSecret reports a signing secret that is a token or too short
// to resist guessing, without echoing it.
func checkSigningSecret(secret string, say func(key, message string)) {
	const where = "Basic Information → App Credentials → Signing Secret"
	switch {
	case secret == "":
	case strings.HasPrefix(secret, "xox") || strings.HasPrefix(secret, "xapp-"):
		say("slack.signing_secret", "this is a Slack token, not the signing secret: copy "+where)
	case len(secret) < minSigningSecret:
		say("slack.signing_secret", fmt.Sprintf("%d characters is too guessable: copy Slack's own (%s, 32 characters)", len(secret), where))
	}
}

// checkDataDir reports a dev.data_dir that is empty or names a file.
func checkDataDir(dir string, bad func(key, value, allowed string)) {
	const allowed = "a directory for incidentflow dev's database, e.g. .incidentflow"
	if strings.TrimSpace(dir) == "" {
		bad("dev.data_dir", dir, allowed)
	} else if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		bad("dev.data_dir", dir, allowed+" (this is a file)")
	}
}

// mapKey turns mapstructure's map-key notation (services[checkout]) into
// the dotted one Validate uses (services.checkout); list indexes stay.
var mapKey = regexp.MustCompile(`\[([^\]]*[^\]0-9][^\]]*)\]`)

// decodeProblems turns what decoding the configuration into a Config
// refused (unknown keys, values of the wrong type) into one Problem per
// key.
func decodeProblems(err error) Problems {
	var ps Problems
	var walk func(error)
	walk = func(err error) {
		var de *mapstructure.DecodeError
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
			return
		case *mapstructure.DecodeError:
			de = e
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
			return
		default:
			ps = append(ps, Problem{Key: "configuration", Message: oneLine(err.Error())})
			return
		}
		key := mapKey.ReplaceAllString(de.Name(), ".$1")
		if unknown, ok := strings.CutPrefix(de.Unwrap().Error(), "has invalid keys: "); ok {
			for _, k := range strings.Split(unknown, ", ") {
				if k == "" || hasSpace(k) {
					k = strconv.Quote(k)
				}
				if key != "" {
					k = key + "." + k
				}
				ps = append(ps, Problem{Key: k, Message: "unknown key (incidentflow.example.yaml lists every key)"})
			}
			return
		}
		ps = append(ps, Problem{Key: key, Message: wrongType(de.Unwrap())})
	}
	walk(err)
	return ps
}

// wrongType says what is wrong with a value decoding refused.
func wrongType(err error) string {
	var pe *mapstructure.ParseError
	var ue *mapstructure.UnconvertibleTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &pe):
		return shownValue(pe.Value) + " is not " + expectedType(pe.Expected.Type())
	case errors.As(err, &ue):
		return shownValue(ue.Value) + " is not " + expectedType(ue.Expected.Type())
	case strings.HasPrefix(msg, "expected a map or struct"), strings.HasPrefix(msg, "needs a map with string keys"):
		return "not a section of key: value lines"
	case strings.HasPrefix(msg, "source data must be an array or slice"):
		return "not a list"
	}
	return oneLine(msg)
}

// shownValue is a value decoding refused, as the problem shows it: a long
// text only by its start, since it may be a secret in the wrong place.
func shownValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "an empty value"
	case string:
		if utf8.RuneCountInString(v) > 24 || hasInvisible(v) {
			return strconv.Quote(string([]rune(v)[:min(5, utf8.RuneCountInString(v))]) + "…")
		}
		return strconv.Quote(v)
	case []any:
		return "a list"
	case map[string]any, map[any]any:
		return "a section"
	}
	return fmt.Sprint(v)
}

// expectedType names what a key of type t takes.
func expectedType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a single text value"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a section of key: value lines"
	}
	return t.String()
}

// oneLine joins the lines of a multi-line message: after a line ending in
// a colon with a space, else with "; ".
func oneLine(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
