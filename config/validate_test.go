package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/incidentflow/incidentflow/config"
)

// TestLoadRejectsBadConfig writes one mistake per file and checks Load
// reports exactly that one problem, in exactly these words.
func TestLoadRejectsBadConfig(t *testing.T) {
	const placeholders = "{yyyymmdd} {hhmm} {slug} {id} {severity} {kind}"
	tests := []struct {
		name string
		yaml string
		want string
		// secret must not appear anywhere in the error.
		secret string
	}{
		{
			name: "service names an unknown severity",
			yaml: "services:\n  payments:\n    severity: sev1\n",
			want: `services.payments.severity: "sev1" is not allowed: one of the configured severities: critical, major, minor`,
		},
		{
			name: "service severity checked against the file's severities",
			yaml: "severities:\n  - {name: high, update_every: 15m}\n  - {name: low, update_every: 1h}\nservices:\n  search:\n    severity: critical\n",
			want: `services.search.severity: "critical" is not allowed: one of the configured severities: high, low`,
		},
		{
			name: "cli user is an OS account name",
			yaml: "cli:\n  user: root\n",
			want: `cli.user: "root" is not allowed: a Slack user ID (U…/W…) or the email of your Slack account`,
		},
		{
			name: "cadence zero",
			yaml: "severities:\n  - {name: critical, update_every: 15m}\n  - {name: major, update_every: 0s}\n",
			want: `severities[1].update_every: "0s" is not allowed: a duration of at least 1m0s`,
		},
		{
			name: "cadence negative",
			yaml: "severities:\n  - {name: critical, update_every: -15m}\n",
			want: `severities[0].update_every: "-15m" is not allowed: a duration of at least 1m0s`,
		},
		{
			name: "cadence under a minute",
			yaml: "severities:\n  - {name: critical, update_every: 30s}\n",
			want: `severities[0].update_every: "30s" is not allowed: a duration of at least 1m0s`,
		},
		{
			name: "cadence unparsable",
			yaml: "severities:\n  - {name: critical, update_every: soon}\n",
			want: `severities[0].update_every: "soon" is not allowed: a duration such as 15m, 1h or 1h30m`,
		},
		{
			name: "cadence without a unit",
			yaml: "severities:\n  - {name: critical, update_every: 15}\n",
			want: `severities[0].update_every: "15" is not allowed: a duration such as 15m, 1h or 1h30m`,
		},
		{
			name: "cadence missing",
			yaml: "severities:\n  - {name: critical}\n",
			want: `severities[0].update_every: "" is not allowed: a duration such as 15m, 1h or 1h30m`,
		},
		{
			name: "duplicate severity names",
			yaml: "severities:\n  - {name: critical, update_every: 15m}\n  - {name: major, update_every: 30m}\n  - {name: critical, update_every: 1h}\n",
			want: `severities[2].name: "critical" is not allowed: a name not used by another severity (severity names must be unique)`,
		},
		{
			name: "severity name in upper case",
			yaml: "severities:\n  - {name: SEV1, update_every: 15m}\n",
			want: `severities[0].name: "SEV1" is not allowed: a lowercase name of letters, digits, - or _ (e.g. critical)`,
		},
		{
			name: "no severities",
			yaml: "severities: []\n",
			want: `severities: "" is not allowed: at least one severity, e.g. {name: critical, update_every: 15m}`,
		},
		{
			name: "channel_name with an unknown placeholder",
			yaml: "channel_name: inc-{date}-{slug}\n",
			want: `channel_name: "inc-{date}-{slug}" is not allowed: unknown placeholder {date} in "inc-{date}-{slug}": use ` + placeholders,
		},
		{
			name: "channel_name with an unclosed brace",
			yaml: "channel_name: inc-{slug\n",
			want: `channel_name: "inc-{slug" is not allowed: unclosed or unmatched brace in "inc-{slug"`,
		},
		{
			name: "channel_name with a stray closing brace",
			yaml: "channel_name: inc-slug}-{id}\n",
			want: `channel_name: "inc-slug}-{id}" is not allowed: unclosed or unmatched brace in "inc-slug}-{id}"`,
		},
		{
			name: "channel_name without slug or id",
			yaml: "channel_name: inc-{yyyymmdd}-{hhmm}\n",
			want: `channel_name: "inc-{yyyymmdd}-{hhmm}" is not allowed: "inc-{yyyymmdd}-{hhmm}" has neither {slug} nor {id}, so every incident would get the same channel name`,
		},
		{
			name: "channel_name with upper case",
			yaml: "channel_name: INC-{slug}\n",
			want: `channel_name: "INC-{slug}" is not allowed: "INC-{slug}" contains 'I'; Slack channel names allow only lowercase letters, digits, - and _`,
		},
		{
			name: "channel_name empty",
			yaml: "channel_name: \"\"\n",
			want: `channel_name: "" is not allowed: the template is empty; use placeholders ` + placeholders,
		},
		{
			name:   "app token in bot_token",
			yaml:   "slack:\n  bot_token: xapp-1-A0123456789-1234567890123-abcdefabcdefabcdef\n",
			want:   `slack.bot_token: "xapp-…" is not allowed: a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)`,
			secret: "A0123456789-1234567890123-abcdefabcdefabcdef",
		},
		{
			name:   "bot token in app_token",
			yaml:   "slack:\n  app_token: xoxb-1234567890-0987654321-SeCrEtSeCrEtSeCrEt\n",
			want:   `slack.app_token: "xoxb-…" is not allowed: an app-level token starting with xapp- with connections:write (Basic Information → App-Level Tokens)`,
			secret: "SeCrEtSeCrEtSeCrEt",
		},
		{
			name:   "user token in bot_token",
			yaml:   "slack:\n  bot_token: xoxp-1111-2222-3333-ffffffffffffffff\n",
			want:   `slack.bot_token: "xoxp-…" is not allowed: a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)`,
			secret: "ffffffffffffffff",
		},
		{
			name: "github.repo without owner",
			yaml: "github:\n  repo: incidents\n",
			want: `github.repo: "incidents" is not allowed: owner/name, e.g. acme/incidents`,
		},
		{
			name: "github.repo as a URL",
			yaml: "github:\n  repo: https://github.com/acme/incidents\n",
			want: `github.repo: "https://github.com/acme/incidents" is not allowed: owner/name, e.g. acme/incidents`,
		},
		{
			name: "github.security_repo as a URL",
			yaml: "github:\n  security_repo: https://github.com/acme/security\n",
			want: `github.security_repo: "https://github.com/acme/security" is not allowed: owner/name of a private repository, e.g. acme/security-incidents`,
		},
		{
			name: "github.security_repo is the public tracker",
			yaml: "github:\n  repo: acme/incidents\n  security_repo: Acme/Incidents\n",
			want: `github.security_repo: "Acme/Incidents" is not allowed: a private repository other than github.repo, or empty to keep security incidents off GitHub`,
		},
		{
			name: "timeline.reaction with colons",
			yaml: "timeline:\n  reaction: \":pushpin:\"\n",
			want: `timeline.reaction: ":pushpin:" is not allowed: a Slack emoji name without colons (lowercase letters, digits, _, - and +; at most 100), e.g. pushpin`,
		},
		{
			name: "timeline.reaction in capitals",
			yaml: "timeline:\n  reaction: Pushpin\n",
			want: `timeline.reaction: "Pushpin" is not allowed: a Slack emoji name without colons (lowercase letters, digits, _, - and +; at most 100), e.g. pushpin`,
		},
		{
			name: "timeline.reaction empty",
			yaml: "timeline:\n  reaction: \"\"\n",
			want: `timeline.reaction: "" is not allowed: a Slack emoji name without colons (lowercase letters, digits, _, - and +; at most 100), e.g. pushpin`,
		},
		{
			name: "time_zone unknown",
			yaml: "time_zone: Mars/Olympus_Mons\n",
			want: `time_zone: "Mars/Olympus_Mons" is not allowed: an IANA time zone such as UTC or Europe/London`,
		},
		{
			name: "retrospective.time_zone as an offset",
			yaml: "retrospective:\n  time_zone: \"+02:00\"\n",
			want: `retrospective.time_zone: "+02:00" is not allowed: an IANA time zone such as UTC or America/New_York`,
		},
		{
			name: "caldav backend without caldav_url",
			yaml: "retrospective:\n  calendar:\n    backend: caldav\n",
			want: `retrospective.calendar.caldav_url: "" is not allowed: the http(s) URL of a CalDAV calendar collection (needed by backend caldav)`,
		},
		{
			name: "unknown calendar backend",
			yaml: "retrospective:\n  calendar:\n    backend: outlook\n",
			want: `retrospective.calendar.backend: "outlook" is not allowed: ics or caldav`,
		},
		{
			name: "workday_end before workday_start",
			yaml: "retrospective:\n  workday_start: \"17:00\"\n  workday_end: \"09:00\"\n",
			want: `retrospective.workday_end: "09:00" is not allowed: a time of day as HH:MM after workday_start`,
		},
		{
			name: "workday_end equal to workday_start",
			yaml: "retrospective:\n  workday_start: \"10:00\"\n  workday_end: \"10:00\"\n",
			want: `retrospective.workday_end: "10:00" is not allowed: a time of day as HH:MM after workday_start`,
		},
		{
			name: "workday_start not a time",
			yaml: "retrospective:\n  workday_start: \"9am\"\n",
			want: `retrospective.workday_start: "9am" is not allowed: a time of day as HH:MM, e.g. 10:00`,
		},
		{
			name: "workday_end not a time",
			yaml: "retrospective:\n  workday_end: \"5pm\"\n",
			want: `retrospective.workday_end: "5pm" is not allowed: a time of day as HH:MM after workday_start`,
		},
		{
			name: "log level unknown",
			yaml: "log:\n  level: verbose\n",
			want: `log.level: "verbose" is not allowed: debug, info, warn or error`,
		},
		{
			name: "log format unknown",
			yaml: "log:\n  format: xml\n",
			want: `log.format: "xml" is not allowed: auto, text or json`,
		},
		{
			name: "announce channel in upper case",
			yaml: "announce_channels: [\"#Incidents\"]\n",
			want: `announce_channels[0]: "#Incidents" is not allowed: a channel name (lowercase letters, digits, - and _) or ID`,
		},
		{
			name: "lead that is not a user",
			yaml: "severities:\n  - {name: critical, update_every: 15m, leads: [\"@alice\"]}\n",
			want: `severities[0].leads[0]: "@alice" is not allowed: a Slack user ID (U…/W…) or an email address`,
		},
		{
			name: "runbook not a URL",
			yaml: "services:\n  payments:\n    runbook: wiki/payments\n",
			want: `services.payments.runbook: "wiki/payments" is not allowed: an http(s) URL`,
		},
		{
			name: "doc without URL",
			yaml: "docs:\n  - title: Handbook\n",
			want: `docs[0].url: "" is not allowed: an http(s) URL`,
		},
		{
			name: "escalation after zero",
			yaml: "escalation:\n  after: 0\n",
			want: `escalation.after: "0" is not allowed: a number of missed reminders of at least 1`,
		},
		{
			name: "port out of range",
			yaml: "dev:\n  ui_port: 70000\n",
			want: `dev.ui_port: "70000" is not allowed: a TCP port between 1 and 65535`,
		},
		{
			name: "maintenance heads-up unparsable",
			yaml: "maintenance:\n  heads_up: [24h, 1 day]\n",
			want: `maintenance.heads_up[1]: "1 day" is not allowed: a duration such as 15m, 1h or 1h30m`,
		},
		{
			name: "empty task queue",
			yaml: "temporal:\n  task_queue: \"\"\n",
			want: `temporal.task_queue: "" is not allowed: a task queue name without spaces, such as incidentflow`,
		},
		{
			name: "no activity slots",
			yaml: "worker:\n  max_concurrent_activities: 0\n",
			want: `worker.max_concurrent_activities: "0" is not allowed: a number of activities at once from 1 to 10000`,
		},
		{
			name: "negative activity slots",
			yaml: "worker:\n  max_concurrent_activities: -1\n",
			want: `worker.max_concurrent_activities: "-1" is not allowed: a number of activities at once from 1 to 10000`,
		},
		{
			name: "activity slots by the million",
			yaml: "worker:\n  max_concurrent_activities: 1000000\n",
			want: `worker.max_concurrent_activities: "1000000" is not allowed: a number of activities at once from 1 to 10000`,
		},
		{
			name: "no workflow task slots",
			yaml: "worker:\n  max_concurrent_workflow_tasks: 0\n",
			want: `worker.max_concurrent_workflow_tasks: "0" is not allowed: a number of workflow tasks at once from 2 to 10000`,
		},
		{
			name: "one workflow task slot, on which the SDK panics",
			yaml: "worker:\n  max_concurrent_workflow_tasks: 1\n",
			want: `worker.max_concurrent_workflow_tasks: "1" is not allowed: a number of workflow tasks at once from 2 to 10000`,
		},
		{
			name: "shutdown grace without a unit",
			yaml: "worker:\n  shutdown_grace: \"30\"\n",
			want: `worker.shutdown_grace: "30" is not allowed: a duration such as 15m, 1h or 1h30m`,
		},
		{
			name: "no shutdown grace",
			yaml: "worker:\n  shutdown_grace: 0s\n",
			want: `worker.shutdown_grace: "0s" is not allowed: a duration of at least 1s`,
		},
		{
			name: "a shutdown grace of hours",
			yaml: "worker:\n  shutdown_grace: 2h\n",
			want: `worker.shutdown_grace: "2h" is not allowed: a duration between 1s and 10m: activities still running then are retried on another worker anyway`,
		},
		{
			name: "negative workflow cache",
			yaml: "worker:\n  max_cached_workflows: -1\n",
			want: `worker.max_cached_workflows: "-1" is not allowed: a number of cached workflows from 1 to 1000000`,
		},
		{
			name: "temporal.address as a URL",
			yaml: "temporal:\n  address: http://temporal.example.com:7233\n",
			want: `temporal.address: "http://temporal.example.com:7233" is not allowed: the Temporal frontend as host:port, e.g. temporal.example.com:7233 (no scheme), or empty for incidentflow dev's`,
		},
		{
			name: "temporal.address without a port",
			yaml: "temporal:\n  address: temporal.example.com\n",
			want: `temporal.address: "temporal.example.com" is not allowed: the Temporal frontend as host:port, e.g. temporal.example.com:7233 (no scheme), or empty for incidentflow dev's`,
		},
		{
			name: "temporal.address without a host",
			yaml: "temporal:\n  address: \":7233\"\n",
			want: `temporal.address: ":7233" is not allowed: the Temporal frontend as host:port, e.g. temporal.example.com:7233 (no scheme), or empty for incidentflow dev's`,
		},
		{
			name: "namespace with a space",
			yaml: "temporal:\n  namespace: \"default \"\n",
			want: `temporal.namespace: "default " is not allowed: a namespace name without spaces, such as default`,
		},
		{
			name: "web UI URL without a scheme",
			yaml: "temporal:\n  web_ui_url: localhost:8233\n",
			want: `temporal.web_ui_url: "localhost:8233" is not allowed: the http(s) URL of the Temporal Web UI, e.g. http://localhost:8233, or empty for no bookmark`,
		},
		{
			name: "listen address without a port",
			yaml: "http:\n  listen: 127.0.0.1\n",
			want: `http.listen: "127.0.0.1" is not allowed: an address to listen on as host:port, e.g. 127.0.0.1:3000 or :3000`,
		},
		{
			name: "listen port out of range",
			yaml: "http:\n  listen: 127.0.0.1:99999\n",
			want: `http.listen: "127.0.0.1:99999" is not allowed: an address to listen on as host:port, e.g. 127.0.0.1:3000 or :3000`,
		},
		{
			name: "two dev servers on one port",
			yaml: "dev:\n  slack_port: 7233\n",
			want: `dev.slack_port: "7233" is not allowed: a port of its own: dev.frontend_port has it already`,
		},
		{
			name: "no data dir",
			yaml: "dev:\n  data_dir: \"\"\n",
			want: `dev.data_dir: "" is not allowed: a directory for incidentflow dev's database, e.g. .incidentflow`,
		},
		{
			name:   "signing secret too short",
			yaml:   "slack:\n  signing_secret: s3cr3t\n",
			want:   `slack.signing_secret: 6 characters is too guessable: copy Slack's own (Basic Information → App Credentials → Signing Secret, 32 characters)`,
			secret: "s3cr3t",
		},
		{
			name:   "bot token as the signing secret",
			yaml:   "slack:\n  signing_secret: xoxb-1234567890-0987654321-SeCrEtSeCrEt\n",
			want:   `slack.signing_secret: this is a Slack token, not the signing secret: copy Basic Information → App Credentials → Signing Secret`,
			secret: "SeCrEtSeCrEt",
		},
		{
			name:   "bot token pasted with a line break",
			yaml:   "slack:\n  bot_token: \"xoxb-1234-5678-SeCrEtSeCrEt\\n\"\n",
			want:   `slack.bot_token: contains a space, a line break or a control character, which no token has: set it to the token alone`,
			secret: "SeCrEtSeCrEt",
		},
		{
			name:   "GitHub token with a space",
			yaml:   "github:\n  token: \"ghp_SeCrEtSeCrEt \"\n",
			want:   `github.token: contains a space, a line break or a control character, which no token has: set it to the token alone`,
			secret: "SeCrEtSeCrEt",
		},
		{
			name: "time_zone of the machine",
			yaml: "time_zone: Local\n",
			want: `time_zone: "Local" is not allowed: an IANA time zone such as UTC or Europe/London, not the machine's own: workers on machines set to other zones would print other times`,
		},
		{
			name: "escalation group as Slack markup",
			yaml: "escalation:\n  group: \"<!subteam^S0123ABC>\"\n",
			want: `escalation.group: "<!subteam^S0123ABC>" is not allowed: a Slack user group ID (S…), a user ID (U…/W…) or a handle such as @oncall of at most 80 characters, without <…> markup`,
		},
		{
			name: "service name longer than the form shows",
			yaml: "services:\n  " + strings.Repeat("s", 76) + ": {runbook: https://wiki.example.com/s}\n",
			want: `services.` + strings.Repeat("s", 76) + `: "` + strings.Repeat("s", 76) + `" is not allowed: a service name of at most 75 characters without line breaks or control characters`,
		},
		{
			name: "more services than the form lists",
			yaml: manyServices(101),
			want: `services: "101 services" is not allowed: at most 100 services: the declare form's menu lists no more`,
		},
		{
			name: "more severities than the form lists",
			yaml: manySeverities(101),
			want: `severities: "101 severities" is not allowed: at most 100 severities: Slack's menus list no more`,
		},
		{
			name: "empty label",
			yaml: "retrospective:\n  labels: [postmortem, \"\"]\n",
			want: `retrospective.labels[1]: "" is not allowed: a GitHub label of 1 to 50 characters`,
		},
		{
			name: "label longer than GitHub takes",
			yaml: "retrospective:\n  labels: [" + strings.Repeat("l", 51) + "]\n",
			want: `retrospective.labels[0]: "` + strings.Repeat("l", 51) + `" is not allowed: a GitHub label of 1 to 50 characters`,
		},
		{
			name: "assignee's GitHub login with @",
			yaml: "retrospective:\n  assignees:\n    U0123ABCDEF: \"@octocat\"\n",
			want: `retrospective.assignees.U0123ABCDEF: "@octocat" is not allowed: a GitHub login such as octocat (letters, digits and single hyphens, no @)`,
		},
		{
			name: "assignee keyed by a Slack handle",
			yaml: "retrospective:\n  assignees:\n    alice: octocat\n",
			want: `retrospective.assignees.ALICE: "ALICE" is not allowed: a Slack user ID (U…/W…) or email as the key, mapped to a GitHub login`,
		},
		{
			name: "organizer with a display name",
			yaml: "retrospective:\n  calendar:\n    organizer_email: \"Incidents <incidents@example.com>\"\n",
			want: `retrospective.calendar.organizer_email: "Incidents <incidents@example.com>" is not allowed: an email address such as incidents@example.com`,
		},
		{
			name: "caldav_url not a URL, even with backend ics",
			yaml: "retrospective:\n  calendar:\n    caldav_url: calendar.example.com/dav\n",
			want: `retrospective.calendar.caldav_url: "calendar.example.com/dav" is not allowed: the http(s) URL of a CalDAV calendar collection`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			c, err := config.Load(writeConfig(t, tt.yaml), nil)
			if err == nil {
				t.Fatalf("Load accepted:\n%s\ngot %+v", tt.yaml, c)
			}
			if c != nil {
				t.Errorf("Load returned a configuration with its error")
			}
			var ps config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v (%T) is not config.Problems", err, err)
			}
			if len(ps) != 1 || ps[0].Error() != tt.want {
				t.Errorf("problems:\n%v\nwant exactly:\n  %s", err, tt.want)
			}
			if full := "invalid configuration:\n  " + tt.want; err.Error() != full {
				t.Errorf("error = %q\nwant    %q", err, full)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error echoes the secret: %v", err)
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	isolate(t)
	_, err := config.Load(writeConfig(t, `
severities:
  - {name: critical, update_every: 0m}
  - {name: critical, update_every: 15m}
channel_name: "{id"
log:
  level: loud
`), nil)
	var ps config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v is not config.Problems", err)
	}
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.Key)
	}
	want := []string{"severities[0].update_every", "severities[1].name", "channel_name", "log.level"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("problem keys = %q, want %q\n%v", keys, want, err)
	}
}

func TestValidateFromEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_SLACK_BOT_TOKEN", "xapp-1-A0TOPSECRET")
	_, err := config.Load("", nil)
	want := `invalid configuration:
  slack.bot_token: "xapp-…" is not allowed: a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

func TestProblemError(t *testing.T) {
	p := config.Problem{Key: "log.level", Value: "loud", Allowed: "debug, info, warn or error"}
	if got, want := p.Error(), `log.level: "loud" is not allowed: debug, info, warn or error`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestValidateReportsProblemsInAStableOrder breaks several keys that Validate
// checks from maps and expects the same problems in the same order on every
// run: map keys are reported in sorted order.
func TestValidateReportsProblemsInAStableOrder(t *testing.T) {
	isolate(t)
	c := mustLoad(t, "", nil)
	c.Services = map[string]config.Service{
		"search": {Runbook: "wiki"}, "api": {Runbook: "wiki"}, "payments": {Runbook: "wiki"},
	}
	c.Dev = config.Dev{DataDir: c.Dev.DataDir}
	r := &c.Retrospective
	r.RemindBefore, r.DoneRemindEvery, r.CheckEvery, r.DigestEvery, r.FollowUpFor = "x", "x", "x", "x", "x"
	want := []string{
		"services.api.runbook", "services.payments.runbook", "services.search.runbook",
		"dev.frontend_port", "dev.github_port", "dev.pagerduty_port", "dev.slack_port", "dev.statuspage_port", "dev.ui_port",
		"retrospective.check_every", "retrospective.digest_every", "retrospective.done_remind_every",
		"retrospective.follow_up_for", "retrospective.remind_before",
	}
	for run := range 20 {
		var ps config.Problems
		if err := c.Validate(); !errors.As(err, &ps) {
			t.Fatalf("Validate() = %v, want config.Problems", err)
		}
		keys := make([]string, len(ps))
		for i, p := range ps {
			keys[i] = p.Key
		}
		if strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Fatalf("run %d: problem keys = %q, want %q", run, keys, want)
		}
	}
}

// manyServices is a services section of n services.
func manyServices(n int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d: {runbook: https://wiki.example.com/s%d}\n", i, i)
	}
	return b.String()
}

// manySeverities is a severities list of n severities.
func manySeverities(n int) string {
	var b strings.Builder
	b.WriteString("severities:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {name: s%d, update_every: 15m}\n", i)
	}
	return b.String()
}

// TestLoadNamesTheKeyOfAValueOfTheWrongType: a value of the wrong type, or
// a key incidentflow doesn't read, is one line naming the key, and a
// secret in the wrong place is not echoed.
func TestLoadNamesTheKeyOfAValueOfTheWrongType(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"worker:\n  max_concurrent_activities: lots\n", `worker.max_concurrent_activities: "lots" is not a whole number`},
		{"slack:\n  bot_token: [a, b]\n", `slack.bot_token: a list is not a single text value`},
		{"retrospective:\n  enabled: maybe\n", `retrospective.enabled: "maybe" is not true or false`},
		{"temporal: 5\n", `temporal: not a section of key: value lines`},
		{"services:\n  checkout: 3\n", `services.checkout: not a section of key: value lines`},
		{"slak:\n  bot_token: x\n", `slak: unknown key (incidentflow.example.yaml lists every key)`},
		{"slack: xoxb-1234567890-0987654321-SeCrEtSeCrEt\n", `slack: not a section of key: value lines`},
		{"dev:\n  ui_port: xoxb-1234567890-0987654321-SeCrEtSeCrEt\n", `dev.ui_port: "xoxb-…" is not a whole number`},
	}
	for _, tt := range tests {
		isolate(t)
		_, err := config.Load(writeConfig(t, tt.yaml), nil)
		var ps config.Problems
		if !errors.As(err, &ps) {
			t.Errorf("%q: error %v (%T) is not config.Problems", tt.yaml, err, err)
			continue
		}
		if want := "invalid configuration:\n  " + tt.want; err.Error() != want {
			t.Errorf("%q:\nerror %q\nwant  %q", tt.yaml, err, want)
		}
		if strings.Contains(err.Error(), "SeCrEt") {
			t.Errorf("%q: the error echoes the secret: %v", tt.yaml, err)
		}
	}
}

// TestLoadSaysInOneLineWhyAFileIsNotYAML: a file that isn't a YAML mapping
// is refused in one line naming the file.
func TestLoadSaysInOneLineWhyAFileIsNotYAML(t *testing.T) {
	for _, body := range []string{"- a\n- b\n", "slack: {bot_token: x\n", "\tslack:\n"} {
		isolate(t)
		path := writeConfig(t, body)
		_, err := config.Load(path, nil)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "config file "+path+" is not valid YAML: ") {
			t.Errorf("%q: error %q, want one line saying %s is not valid YAML", body, err, path)
		}
	}
}

// TestDataDirThatIsAFile: dev.data_dir naming a file is refused before dev
// tries to create its database inside it.
func TestDataDirThatIsAFile(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "")
	t.Setenv("INCIDENTFLOW_DEV_DATA_DIR", path)
	_, err := config.Load("", nil)
	want := `invalid configuration:
  dev.data_dir: "` + path + `" is not allowed: a directory for incidentflow dev's database, e.g. .incidentflow (this is a file)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

// TestProblemNamesTheFlagThatSetIt: a bad value given on the command line
// is reported under its flag; the same value from the environment under its
// key.
func TestProblemNamesTheFlagThatSetIt(t *testing.T) {
	isolate(t)
	fs := pflag.NewFlagSet("dev", pflag.ContinueOnError)
	fs.Int("ui-port", config.DefaultUIPort, "")
	config.BindFlag(fs, "ui-port", "dev.ui_port")
	if err := fs.Parse([]string{"--ui-port", "70000"}); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load("", fs)
	if want := "invalid configuration:\n  --ui-port: \"70000\" is not allowed: a TCP port between 1 and 65535"; err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}

	t.Setenv("INCIDENTFLOW_DEV_UI_PORT", "70000")
	fs = pflag.NewFlagSet("dev", pflag.ContinueOnError)
	fs.Int("ui-port", config.DefaultUIPort, "")
	config.BindFlag(fs, "ui-port", "dev.ui_port")
	_, err = config.Load("", fs)
	if want := "invalid configuration:\n  dev.ui_port: \"70000\" is not allowed: a TCP port between 1 and 65535"; err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}
