package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// DefaultFile is read when no --config is given and it exists.
const DefaultFile = "incidentflow.yaml"

// EnvPrefix starts every environment variable incidentflow reads:
// INCIDENTFLOW_SLACK_BOT_TOKEN sets slack.bot_token.
const EnvPrefix = "INCIDENTFLOW"

// defaults are the values a first run needs, keyed as in the file: those
// below and the process's (see processDefaults).
var defaults = withPermissionDefaults(withAlertDefaults(withProcessDefaults(map[string]any{
	"temporal.address":    "",
	"temporal.task_queue": wfapi.TaskQueue,

	"temporal.codec.keys":         []string{},
	"temporal.codec.token":        "",
	"temporal.codec.cors_origins": []string{},

	"temporal.tls.ca_file":     "",
	"temporal.tls.cert_file":   "",
	"temporal.tls.key_file":    "",
	"temporal.tls.server_name": "",
	"temporal.api_key":         "",

	"slack.bot_token":      "",
	"slack.app_token":      "",
	"slack.signing_secret": "",
	"slack.api_url":        "",

	"github.token":         "",
	"github.repo":          "",
	"github.security_repo": "",
	"github.base_url":      "",

	"paging.pagerduty.routing_key":       "",
	"paging.pagerduty.token":             "",
	"paging.pagerduty.webhook_secret":    "",
	"paging.pagerduty.escalation_policy": "",
	"paging.pagerduty.events_url":        "",
	"paging.pagerduty.api_url":           "",

	"statuspage.api_key": "",
	"statuspage.page_id": "",
	"statuspage.api_url": "",

	"insights.token":          "",
	"insights.url":            "",
	"insights.digest_channel": "",
	"insights.digest_every":   durationText(DefaultInsightsDigestEvery),

	"drills.channel":       "",
	"drills.scenarios_dir": DefaultDrillsDir,
	"drills.debrief_dir":   "drill-debriefs",
	"drills.schedules":     []map[string]any{},

	"http.listen": DefaultListen,

	"dev.data_dir":        DefaultDataDir,
	"dev.frontend_port":   DefaultFrontendPort,
	"dev.ui_port":         DefaultUIPort,
	"dev.slack_port":      DefaultSlackPort,
	"dev.github_port":     DefaultGitHubPort,
	"dev.pagerduty_port":  DefaultPagerDutyPort,
	"dev.statuspage_port": DefaultStatusPagePort,

	"worker.max_concurrent_activities":     200,
	"worker.max_concurrent_workflow_tasks": 500,
	"worker.max_cached_workflows":          10000,
	"worker.shutdown_grace":                "30s",
	"worker.listen":                        "",

	"log.level":  "info",
	"log.format": "auto",

	"cli.user": "",

	"timeline.reaction": incident.DefaultTimelineReaction,

	"retrospective.calendar.backend":         "ics",
	"retrospective.calendar.organizer_email": "incidents@example.com",
	"retrospective.calendar.caldav_url":      "",
	"retrospective.calendar.username":        "",
	"retrospective.calendar.password":        "",
})))

// Keys lists every scalar and list key incidentflow reads from the file or
// the environment, in file notation.
func Keys() []string {
	keys := make([]string, 0, len(defaults)+1)
	for k := range defaults {
		keys = append(keys, k)
	}
	keys = append(keys, "severities")
	sort.Strings(keys)
	return keys
}

// EnvName is the environment variable that sets key.
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads the configuration: defaults, then the file (path, or
// ./incidentflow.yaml if it exists and path is empty), then the environment,
// then the flags of fs that were set and that BindFlag tied to a key. It
// validates the result.
func Load(path string, fs *pflag.FlagSet) (*Config, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetDefault("severities", severityDefaults())
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// A source's token may come from the environment alone
	// (INCIDENTFLOW_ALERTS_SOURCES_ALERTMANAGER_TOKEN); viper reads an
	// environment variable only for a key it knows of, and a source that
	// isn't configured must stay absent.
	for _, src := range alert.Sources {
		key := "alerts.sources." + string(src) + ".token"
		if os.Getenv(EnvName(key)) != "" {
			if err := v.BindEnv(key); err != nil {
				return nil, err
			}
		}
	}

	if path == "" {
		if _, err := os.Stat(DefaultFile); err == nil {
			path = DefaultFile
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			var pathErr *os.PathError
			if errors.As(err, &pathErr) {
				if errors.Is(pathErr.Err, os.ErrNotExist) {
					return nil, fmt.Errorf("config file %s does not exist: %w (check --config; incidentflow.example.yaml is a starting point)", path, pathErr.Err)
				}
				return nil, fmt.Errorf("config file %s: %w", path, pathErr.Err)
			}
			return nil, fmt.Errorf("config file %s is not valid YAML: %s", path, yamlError(err))
		}
	}
	if fs != nil {
		var bindErr error
		fs.VisitAll(func(f *pflag.Flag) {
			if key := flagKey(f); key != "" && bindErr == nil {
				bindErr = v.BindPFlag(key, f)
			}
		})
		if bindErr != nil {
			return nil, bindErr
		}
	}
	var c Config
	// Exact: a misspelt key (slack.bot_tokn) is an error, not silently ignored.
	if err := v.UnmarshalExact(&c); err != nil {
		return nil, decodeProblems(err)
	}
	c.Retrospective.Assignees = slackIDKeys(c.Retrospective.Assignees)
	if err := c.Validate(); err != nil {
		return nil, namingFlags(err, fs)
	}
	return &c, nil
}

// namingFlags names, in the Problems of err, the flag of fs that set a bad
// key instead of the key (--ui-port rather than dev.ui_port): the value
// came from the command line.
func namingFlags(err error, fs *pflag.FlagSet) error {
	var ps Problems
	if fs == nil || !errors.As(err, &ps) {
		return err
	}
	setBy := map[string]string{}
	fs.Visit(func(f *pflag.Flag) {
		if key := flagKey(f); key != "" {
			setBy[key] = "--" + f.Name
		}
	})
	for i, p := range ps {
		if flag, ok := setBy[p.Key]; ok {
			ps[i].Key = flag
		}
	}
	return ps
}

// yamlError is the parser's complaint about a file in one line, without
// viper's and the parser's prefixes: "line 3: did not find expected key".
func yamlError(err error) string {
	msg := oneLine(err.Error())
	msg = strings.TrimPrefix(msg, "While parsing config: ")
	return strings.TrimPrefix(msg, "yaml: ")
}

// FlagKeyAnnotation marks a flag with the config key it sets.
const FlagKeyAnnotation = "incidentflow_config_key"

// BindFlag records on fs that flag name sets config key.
func BindFlag(fs *pflag.FlagSet, name, key string) {
	_ = fs.SetAnnotation(name, FlagKeyAnnotation, []string{key})
}

func flagKey(f *pflag.Flag) string {
	if keys := f.Annotations[FlagKeyAnnotation]; len(keys) == 1 {
		return keys[0]
	}
	return ""
}

// slackIDKeys undoes viper's lower-casing of map keys for maps keyed by Slack
// user IDs (U…/W…, always upper case); email keys are left as they are.
func slackIDKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.Contains(k, "@") {
			k = strings.ToUpper(k)
		}
		out[k] = v
	}
	return out
}

// withAlertDefaults adds the defaults of the alerts keys (alert.Defaults):
// no source and no route, so the alert door refuses everything until
// configured.
func withAlertDefaults(m map[string]any) map[string]any {
	for k, v := range alert.Defaults() {
		if d, ok := v.(time.Duration); ok {
			v = durationText(d)
		}
		m[k] = v
	}
	m["alerts.sources"] = map[string]any{}
	m["alerts.routes"] = []any{}
	return m
}
