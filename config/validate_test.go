package config_test

import (
	"errors"
	"strings"
	"testing"

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
			want: `temporal.task_queue: "" is not allowed: a task queue name such as incidentflow`,
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
		"dev.frontend_port", "dev.github_port", "dev.slack_port", "dev.ui_port",
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
