// Package config loads incidentflow's configuration with viper: a YAML file,
// INCIDENTFLOW_* environment variables and command-line flags, over defaults
// that are enough for a first run. It also validates it, naming the bad key,
// the bad value and what is allowed.
package config

import (
	"time"

	"github.com/incidentflow/incidentflow/alert"
)

// Config is incidentflow's whole configuration. Durations are strings such as
// "15m" in the file; Validate parses them.
type Config struct {
	Temporal Temporal `mapstructure:"temporal"`
	Slack    Slack    `mapstructure:"slack"`
	GitHub   GitHub   `mapstructure:"github"`
	HTTP     HTTP     `mapstructure:"http"`
	Dev      Dev      `mapstructure:"dev"`
	Worker   Worker   `mapstructure:"worker"`
	Log      Log      `mapstructure:"log"`
	CLI      CLI      `mapstructure:"cli"`

	// The incident process.
	Severities        []Severity         `mapstructure:"severities"`
	AnnounceChannels  []string           `mapstructure:"announce_channels"`
	BroadcastChannels []string           `mapstructure:"broadcast_channels"`
	Services          map[string]Service `mapstructure:"services"`
	Docs              []Doc              `mapstructure:"docs"`
	ChannelName       string             `mapstructure:"channel_name"`
	VideoLink         string             `mapstructure:"video_link"`
	TimeZone          string             `mapstructure:"time_zone"`
	Escalation        Escalation         `mapstructure:"escalation"`
	Retrospective     Retrospective      `mapstructure:"retrospective"`
	Maintenance       Maintenance        `mapstructure:"maintenance"`
	Timeline          Timeline           `mapstructure:"timeline"`

	// Alerts configures the alert door (POST /alerts/*): the sources'
	// tokens, the routes and the triage channel.
	Alerts alert.Config `mapstructure:"alerts"`

	// Permissions says who may do what in Slack.
	Permissions Permissions `mapstructure:"permissions"`

	// Paging configures the pager (PagerDuty) that wakes the on-call.
	Paging Paging `mapstructure:"paging"`

	// StatusPage configures the public status page (Atlassian Statuspage).
	StatusPage StatusPage `mapstructure:"statuspage"`

	// Insights configures the insights page and the digest.
	Insights Insights `mapstructure:"insights"`

	// Drills configures incident drills.
	Drills Drills `mapstructure:"drills"`
}

// Temporal says where the Temporal cluster is.
type Temporal struct {
	// Address of the frontend; empty means the embedded dev server.
	Address   string `mapstructure:"address"`
	Namespace string `mapstructure:"namespace"`
	TaskQueue string `mapstructure:"task_queue"`
	// WebUIURL is where operators open the Temporal Web UI; war rooms
	// bookmark each incident's page there.
	WebUIURL string `mapstructure:"web_ui_url"`
	// Codec encrypts what incidentflow stores in Temporal (see
	// TemporalCodec).
	Codec TemporalCodec `mapstructure:"codec"`
	// TLS secures the connection to Address (see TemporalTLS).
	TLS TemporalTLS `mapstructure:"tls"`
	// APIKey is a Temporal Cloud API key, sent with every call; it turns
	// TLS on (with the system's roots) unless Address is a loopback one.
	APIKey string `mapstructure:"api_key"`
}

// Slack holds the Slack app's credentials.
type Slack struct {
	// BotToken (xoxb-…) makes the Web API calls.
	BotToken string `mapstructure:"bot_token"`
	// AppToken (xapp-…) turns on Socket Mode.
	AppToken string `mapstructure:"app_token"`
	// SigningSecret verifies HTTP requests from Slack.
	SigningSecret string `mapstructure:"signing_secret"`
	// APIURL overrides https://slack.com/api/ (an emulator, a proxy).
	APIURL string `mapstructure:"api_url"`
}

// GitHub says where retrospective issues go.
type GitHub struct {
	Token string `mapstructure:"token"`
	Repo  string `mapstructure:"repo"` // owner/name
	// SecurityRepo (owner/name) receives the postmortem and action-item
	// issues of security incidents, never Repo; empty keeps them off GitHub.
	SecurityRepo string `mapstructure:"security_repo"`
	BaseURL      string `mapstructure:"base_url"`
}

// HTTP configures the front door.
type HTTP struct {
	Listen string `mapstructure:"listen"`
}

// Dev configures `incidentflow dev`.
type Dev struct {
	DataDir      string `mapstructure:"data_dir"`
	FrontendPort int    `mapstructure:"frontend_port"`
	UIPort       int    `mapstructure:"ui_port"`
	SlackPort    int    `mapstructure:"slack_port"`
	GitHubPort   int    `mapstructure:"github_port"`
	// PagerDutyPort is where the PagerDuty sandbox listens when
	// paging.pagerduty.routing_key is empty.
	PagerDutyPort int `mapstructure:"pagerduty_port"`
	// StatusPagePort is where the Statuspage sandbox listens when
	// statuspage.api_key is empty.
	StatusPagePort int `mapstructure:"statuspage_port"`
}

// Worker tunes the Temporal worker.
type Worker struct {
	MaxConcurrentActivities    int `mapstructure:"max_concurrent_activities"`
	MaxConcurrentWorkflowTasks int `mapstructure:"max_concurrent_workflow_tasks"`
	MaxCachedWorkflows         int `mapstructure:"max_cached_workflows"`
	// ShutdownGrace is how long a worker stopped with SIGTERM lets its
	// running activities finish (and `serve` its in-flight requests) before
	// it exits, e.g. "30s".
	ShutdownGrace string `mapstructure:"shutdown_grace"`
	// Listen, when set, is where `incidentflow worker` serves GET /healthz,
	// /readyz and /metrics; empty means no listener.
	Listen string `mapstructure:"listen"`
}

// Grace is ShutdownGrace as a duration (Validate has checked it).
func (w Worker) Grace() time.Duration { return mustDuration(w.ShutdownGrace) }

// Log configures logging.
type Log struct {
	Level  string `mapstructure:"level"`  // debug, info, warn, error
	Format string `mapstructure:"format"` // auto, text, json
}

// CLI configures the command-line verbs (declare, update, resolve, …).
type CLI struct {
	// User is whom the CLI acts as when --as isn't given: a Slack user ID
	// (U…/W…) or the email of a Slack account, looked up in Slack. Empty
	// means no Slack identity: actions are attributed to the CLI on its host.
	User string `mapstructure:"user"`
}

// Severity is one configured severity.
type Severity struct {
	Name        string   `mapstructure:"name"`
	Description string   `mapstructure:"description"`
	UpdateEvery string   `mapstructure:"update_every"`
	Leads       []string `mapstructure:"leads"`
	// Page says whether incidents of this severity page the on-call
	// (PagerDuty); unset means true for critical and false otherwise.
	Page *bool `mapstructure:"page"`
}

// Service is a configured service.
type Service struct {
	// Severity is the severity the declare form suggests for this service.
	Severity string   `mapstructure:"severity"`
	Leads    []string `mapstructure:"leads"`
	Runbook  string   `mapstructure:"runbook"`
	// PagerDutyRoutingKey is the Events API v2 integration key that pages
	// this service's on-call (default paging.pagerduty.routing_key).
	PagerDutyRoutingKey string `mapstructure:"pagerduty_routing_key"`
	// PagerDutyEscalationPolicy is the ID of the escalation policy whose
	// on-call people are invited to the service's war rooms (default
	// paging.pagerduty.escalation_policy).
	PagerDutyEscalationPolicy string `mapstructure:"pagerduty_escalation_policy"`
	// StatusPageComponents are the IDs of the Statuspage components this
	// service appears as on the public status page.
	StatusPageComponents []string `mapstructure:"statuspage_components"`
}

// Doc is a document bookmarked in every war room.
type Doc struct {
	Title string `mapstructure:"title"`
	URL   string `mapstructure:"url"`
}

// Escalation says whom to call when status updates stop.
type Escalation struct {
	Group string `mapstructure:"group"`
	After int    `mapstructure:"after"`
}

// Retrospective configures the review after each incident.
type Retrospective struct {
	Enabled           bool              `mapstructure:"enabled"`
	Duration          string            `mapstructure:"duration"`
	BusinessDaysAfter int               `mapstructure:"business_days_after"`
	WorkdayStart      string            `mapstructure:"workday_start"`
	WorkdayEnd        string            `mapstructure:"workday_end"`
	TimeZone          string            `mapstructure:"time_zone"`
	RemindBefore      string            `mapstructure:"remind_before"`
	DoneRemindEvery   string            `mapstructure:"done_remind_every"`
	CheckEvery        string            `mapstructure:"check_every"`
	DigestEvery       string            `mapstructure:"digest_every"`
	FollowUpFor       string            `mapstructure:"follow_up_for"`
	ArchiveChannel    bool              `mapstructure:"archive_channel"`
	Labels            []string          `mapstructure:"labels"`
	Assignees         map[string]string `mapstructure:"assignees"`
	Calendar          Calendar          `mapstructure:"calendar"`
}

// Calendar configures where review meetings are booked.
type Calendar struct {
	// Backend is "ics" (an invite file posted in the war room) or "caldav".
	Backend        string `mapstructure:"backend"`
	OrganizerEmail string `mapstructure:"organizer_email"`
	CalDAVURL      string `mapstructure:"caldav_url"`
	Username       string `mapstructure:"username"`
	Password       string `mapstructure:"password"`
}

// Timeline configures how responders mark war-room messages for the
// incident's timeline.
type Timeline struct {
	// Reaction is the emoji name (without colons) whose reaction on a
	// war-room message adds it to the timeline; pushpin (📌) by default.
	Reaction string `mapstructure:"reaction"`
}

// Maintenance configures planned maintenance windows.
type Maintenance struct {
	UpdateEvery string   `mapstructure:"update_every"`
	HeadsUp     []string `mapstructure:"heads_up"`
	Grace       string   `mapstructure:"grace"`
	MaxDuration string   `mapstructure:"max_duration"`
}

// Paging configures the pager.
type Paging struct {
	PagerDuty PagerDuty `mapstructure:"pagerduty"`
}

// PagerDuty holds PagerDuty's keys and addresses. None of them ever reaches
// Temporal: the activities read them from the worker's configuration.
type PagerDuty struct {
	// RoutingKey is the default Events API v2 integration key (32
	// characters), used by services without pagerduty_routing_key. Empty
	// in `incidentflow dev` means the PagerDuty sandbox.
	RoutingKey string `mapstructure:"routing_key"`
	// Token is a REST API token (read access) used to look up who is on
	// call.
	Token string `mapstructure:"token"`
	// WebhookSecret verifies the X-PagerDuty-Signature of webhooks v3 on
	// POST /pagerduty/webhook; empty turns the route off.
	WebhookSecret string `mapstructure:"webhook_secret"`
	// EscalationPolicy is the default escalation policy ID, for incidents
	// whose service names none.
	EscalationPolicy string `mapstructure:"escalation_policy"`
	// EventsURL overrides https://events.pagerduty.com (an emulator, a
	// proxy).
	EventsURL string `mapstructure:"events_url"`
	// APIURL overrides https://api.pagerduty.com.
	APIURL string `mapstructure:"api_url"`
}

// StatusPage holds the Atlassian Statuspage page incidentflow keeps current.
// The key never reaches Temporal: the activities read it from the worker's
// configuration.
type StatusPage struct {
	// APIKey is a Statuspage API key (Authorization: OAuth <key>). Empty
	// in `incidentflow dev` means the Statuspage sandbox.
	APIKey string `mapstructure:"api_key"`
	// PageID is the ID of the page (in its URL on manage.statuspage.io).
	PageID string `mapstructure:"page_id"`
	// APIURL overrides https://api.statuspage.io (an emulator, a proxy).
	APIURL string `mapstructure:"api_url"`
}

// Configured reports whether a status page is set up: an API key and a
// page.
func (s StatusPage) Configured() bool { return s.APIKey != "" && s.PageID != "" }
