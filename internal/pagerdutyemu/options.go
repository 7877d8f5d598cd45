package pagerdutyemu

import (
	"net/http"
	"time"
)

// SandboxRoutingKey is the routing key the emulator always accepts (the
// PagerDuty sandbox of `incidentflow dev` pages with it).
const SandboxRoutingKey = "sandbox-routing-key"

// SandboxToken is the REST API token the emulator accepts when
// Options.Tokens is empty.
const SandboxToken = "sandbox-api-token"

// SandboxEscalationPolicy is the ID of the sandbox fixtures' escalation
// policy with people on call.
const SandboxEscalationPolicy = "PSANDBX"

const (
	defaultEventsPerMinute = 120 // PagerDuty's documented rate per routing key
	defaultRESTPerMinute   = 960 // PagerDuty's REST API rate per token
	maxSummary             = 1024
	maxDedupKey            = 255
	maxEventBody           = 512 << 10
	maxFieldLen            = 1024
	maxKeptEvents          = 1000
	defaultWebhookAttempts = 5
	defaultWebhookDelay    = time.Second
)

// Options configures a Server. The zero value is a usable sandbox.
type Options struct {
	// RoutingKeys, when non-empty, are the only routing keys accepted
	// besides SandboxRoutingKey; any other answers 400 "Invalid routing
	// key". When empty, every 32-character key is accepted.
	RoutingKeys []string
	// Services names the PagerDuty service of each routing key, as shown
	// in webhooks and on the page. Default: "Sandbox service".
	Services map[string]string
	// Tokens are the REST API tokens accepted. Default: SandboxToken.
	Tokens []string
	// Fixtures are the users, schedules and escalation policies the REST
	// API answers from. Nil means SandboxFixtures().
	Fixtures *Fixtures
	// EventsPerMinute is how many events one routing key may send per
	// minute before a 429. Default 120.
	EventsPerMinute int
	// RESTPerMinute is how many REST calls one token may make per minute
	// before a 429. Default 960.
	RESTPerMinute int
	// WebhookURL and WebhookSecret set the webhook v3 subscriber (see
	// Server.SetWebhook).
	WebhookURL, WebhookSecret string
	// WebhookAttempts is how many times a delivery is tried (default 5),
	// WebhookRetryDelay the wait before the second try, doubled after each
	// (default 1s).
	WebhookAttempts   int
	WebhookRetryDelay time.Duration
	// HTTPClient posts the webhooks. Default: one with a 10-second timeout.
	HTTPClient *http.Client
	// StateFile, when set, keeps alerts, recent events and fixtures across
	// restarts.
	StateFile string
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if len(o.Tokens) == 0 {
		o.Tokens = []string{SandboxToken}
	}
	if o.EventsPerMinute <= 0 {
		o.EventsPerMinute = defaultEventsPerMinute
	}
	if o.RESTPerMinute <= 0 {
		o.RESTPerMinute = defaultRESTPerMinute
	}
	if o.WebhookAttempts <= 0 {
		o.WebhookAttempts = defaultWebhookAttempts
	}
	if o.WebhookRetryDelay <= 0 {
		o.WebhookRetryDelay = defaultWebhookDelay
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// User is a PagerDuty user.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Schedule is an on-call schedule and who is on call on it now (nobody: a
// gap).
type Schedule struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	OnCall []string `json:"on_call"` // user IDs
}

// EscalationPolicy is an escalation policy; its rules are levels 1, 2, ….
type EscalationPolicy struct {
	ID    string           `json:"id"`
	Name  string           `json:"name"`
	Rules []EscalationRule `json:"rules"`
}

// EscalationRule is one level of an escalation policy: the schedules and
// the people it notifies.
type EscalationRule struct {
	Schedules []string `json:"schedules,omitempty"`
	Users     []string `json:"users,omitempty"`
}

// Fixtures are the REST API's objects.
type Fixtures struct {
	Users              []User             `json:"users"`
	Schedules          []Schedule         `json:"schedules"`
	EscalationPolicies []EscalationPolicy `json:"escalation_policies"`
}

// SandboxFixtures are the sandbox's people and policies: PSANDBX has Dave
// Diaz on call through the Primary schedule and Erin Evans and Nadia Novak
// (who has no Slack account in the Slack sandbox) at level 2; PGAP000's
// only schedule has nobody on call now; PNOONE0 names no schedule or
// person at all. Dave and Erin share their emails with the Slack sandbox's
// people.
func SandboxFixtures() *Fixtures {
	return &Fixtures{
		Users: []User{
			{ID: "PDAVE01", Name: "Dave Diaz", Email: "dave@example.com"},
			{ID: "PERIN01", Name: "Erin Evans", Email: "erin@example.com"},
			{ID: "PNADIA1", Name: "Nadia Novak", Email: "nadia@example.net"},
		},
		Schedules: []Schedule{
			{ID: "PSCHED1", Name: "Primary", OnCall: []string{"PDAVE01"}},
			{ID: "PSCHED2", Name: "Weekend cover"},
		},
		EscalationPolicies: []EscalationPolicy{
			{ID: SandboxEscalationPolicy, Name: "Sandbox escalation", Rules: []EscalationRule{
				{Schedules: []string{"PSCHED1"}}, {Users: []string{"PERIN01", "PNADIA1"}}}},
			{ID: "PGAP000", Name: "Weekend escalation", Rules: []EscalationRule{{Schedules: []string{"PSCHED2"}}}},
			{ID: "PNOONE0", Name: "Unstaffed escalation"},
		},
	}
}

// clone returns a deep copy of f.
func (f *Fixtures) clone() *Fixtures {
	out := &Fixtures{}
	out.Users = append(out.Users, f.Users...)
	for _, s := range f.Schedules {
		s.OnCall = append([]string(nil), s.OnCall...)
		out.Schedules = append(out.Schedules, s)
	}
	for _, p := range f.EscalationPolicies {
		rules := make([]EscalationRule, len(p.Rules))
		for i, r := range p.Rules {
			rules[i] = EscalationRule{Schedules: append([]string(nil), r.Schedules...), Users: append([]string(nil), r.Users...)}
		}
		p.Rules = rules
		out.EscalationPolicies = append(out.EscalationPolicies, p)
	}
	return out
}
