package incident

import (
	"fmt"
	"strings"
	"time"
)

// Process is a team's incident process: the part of the configuration an
// incident workflow follows. It is the worker's: each run of a workflow
// asks the worker for it as it begins (and records the answer in its
// history), so an incident follows the configuration of the server that
// runs it, never that of whoever declared it, and a changed configuration
// reaches an incident in flight at its next run.
type Process struct {
	Severities []SeverityPolicy   `json:"severities"`
	Services   map[string]Service `json:"services,omitempty"`
	Docs       []Doc              `json:"docs,omitempty"`
	// AnnounceChannels get the declaration and the resolution.
	AnnounceChannels []string `json:"announce_channels,omitempty"`
	// BroadcastChannels get every status update besides the war room.
	BroadcastChannels []string `json:"broadcast_channels,omitempty"`
	// ChannelName is the war-room name template (see ChannelName).
	ChannelName string `json:"channel_name"`
	// VideoLink is a template for the war room's call link; "" for none.
	VideoLink string `json:"video_link,omitempty"`
	// EscalationGroup is mentioned after EscalateAfter missed reminders in a
	// row: a Slack user group ID (S…), a user ID (U…) or a plain handle.
	EscalationGroup string `json:"escalation_group,omitempty"`
	EscalateAfter   int    `json:"escalate_after"`
	// TimeZone (IANA name) is used to print times such as "next update by
	// 14:30".
	TimeZone string `json:"time_zone"`
	// WebUIURL is the Temporal Web UI's base URL, e.g. http://127.0.0.1:8233.
	WebUIURL  string `json:"web_ui_url,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// Retrospective configures the child workflow started on resolution.
	Retrospective Retrospective `json:"retrospective"`
	// Permissions says who may do what (Permit).
	Permissions Permissions `json:"permissions"`
	// Paging says PagerDuty is configured: a page of a service with no
	// routing key of its own goes to the default routing key
	// (paging.pagerduty.routing_key, or the sandbox's). When false, only the
	// services whose Paged is true can be paged.
	Paging bool `json:"paging,omitempty"`
	// OnCallLookup says who is on call can be looked up for an incident
	// with no service, or a service with no escalation policy of its own
	// (paging.pagerduty.escalation_policy and paging.pagerduty.token set).
	OnCallLookup bool `json:"on_call_lookup,omitempty"`
	// StatusPage says a public status page (Atlassian Statuspage) is set
	// up: statuspage.api_key and statuspage.page_id, or the sandbox of
	// `incidentflow dev`.
	StatusPage bool `json:"status_page,omitempty"`
}

// SeverityPolicy is one configured severity.
type SeverityPolicy struct {
	Name        Severity      `json:"name"`
	Description string        `json:"description,omitempty"`
	UpdateEvery time.Duration `json:"update_every"`
	// Leads are invited to every war room of this severity (Slack user IDs
	// or emails).
	Leads []string `json:"leads,omitempty"`
	// Page says whether declaring an incident of this severity, or raising
	// one to it, pages the on-call through PagerDuty (severities[].page;
	// true for critical unless set).
	Page bool `json:"page,omitempty"`
}

// Service is a configured service: who leads its incidents and where its
// runbook is.
type Service struct {
	// Severity is the severity the declare form suggests for the service.
	Severity Severity `json:"severity,omitempty"`
	Leads    []string `json:"leads,omitempty"`
	Runbook  string   `json:"runbook,omitempty"`
	// Paged says the service has a PagerDuty routing key of its own
	// (services.<name>.pagerduty_routing_key); the key itself stays in the
	// worker's configuration.
	Paged bool `json:"paged,omitempty"`
	// OnCall says who is on call for the service can be looked up: it has
	// a PagerDuty escalation policy (services.<name>.pagerduty_escalation_policy,
	// or paging.pagerduty.escalation_policy) and a REST API token is set.
	OnCall bool `json:"on_call,omitempty"`
	// StatusPageComponents are the IDs of the Statuspage components the
	// service appears as on the public status page
	// (services.<name>.statuspage_components).
	StatusPageComponents []string `json:"statuspage_components,omitempty"`
}

// Doc is a document bookmarked in every war room.
type Doc struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Retrospective configures the review after an incident.
type Retrospective struct {
	Enabled bool `json:"enabled"`
	// Duration of the review meeting.
	Duration time.Duration `json:"duration"`
	// BusinessDaysAfter the resolution the meeting is booked.
	BusinessDaysAfter int `json:"business_days_after"`
	// WorkdayStart and WorkdayEnd bound the meeting, as "HH:MM" in TimeZone.
	WorkdayStart string `json:"workday_start"`
	WorkdayEnd   string `json:"workday_end"`
	TimeZone     string `json:"time_zone"`
	// RemindBefore the meeting the war room is reminded.
	RemindBefore time.Duration `json:"remind_before"`
	// DoneRemindEvery is how often to ask for the retrospective to be marked
	// done after the meeting.
	DoneRemindEvery time.Duration `json:"done_remind_every"`
	// CheckEvery is how often action-item issues are checked; DigestEvery is
	// how often open ones are listed in the war room; FollowUpFor bounds the
	// whole follow-up.
	CheckEvery  time.Duration `json:"check_every"`
	DigestEvery time.Duration `json:"digest_every"`
	FollowUpFor time.Duration `json:"follow_up_for"`
	// ArchiveChannel archives the war room when the follow-up ends.
	ArchiveChannel bool `json:"archive_channel"`
	// Labels are added to every action-item issue, besides "incident" and
	// the severity.
	Labels []string `json:"labels,omitempty"`
	// Assignees maps Slack user IDs to GitHub logins.
	Assignees map[string]string `json:"assignees,omitempty"`
	// SecurityRepo (owner/name, github.security_repo) receives a security
	// incident's postmortem and action-item issues instead of the public
	// tracker; empty keeps them off GitHub altogether.
	SecurityRepo string `json:"security_repo,omitempty"`
}

// Policy returns the configured policy of severity s.
func (p *Process) Policy(s Severity) (SeverityPolicy, bool) {
	for _, sp := range p.Severities {
		if sp.Name == s {
			return sp, true
		}
	}
	return SeverityPolicy{}, false
}

// SeverityLevels lists the configured severities in order.
func (p *Process) SeverityLevels() []Severity {
	levels := make([]Severity, len(p.Severities))
	for i, sp := range p.Severities {
		levels[i] = sp.Name
	}
	return levels
}

// MildestSeverity is the last configured severity (the mildest), or ""
// when none is configured.
func (p *Process) MildestSeverity() Severity {
	if len(p.Severities) == 0 {
		return ""
	}
	return p.Severities[len(p.Severities)-1].Name
}

// SeverityNames lists the configured severities' names in order.
func (p *Process) SeverityNames() []string {
	names := make([]string, len(p.Severities))
	for i, s := range p.SeverityLevels() {
		names[i] = string(s)
	}
	return names
}

// CheckSeverity returns an error a responder can act on when s is not a
// configured severity.
func (p *Process) CheckSeverity(s Severity) error {
	if _, ok := p.Policy(s); ok {
		return nil
	}
	return fmt.Errorf("unknown severity %q: use one of %s", s, strings.Join(p.SeverityNames(), ", "))
}

// CheckService returns an error a responder can act on when svc is not a
// configured service.
func (p *Process) CheckService(svc string) error {
	if _, ok := p.Services[svc]; ok {
		return nil
	}
	return fmt.Errorf("unknown service %q: %s", svc, serviceChoices(p))
}

// UpdateEvery returns how often status updates are due at severity s; an
// unknown severity gets 30 minutes.
func (p *Process) UpdateEvery(s Severity) time.Duration {
	if sp, ok := p.Policy(s); ok && sp.UpdateEvery > 0 {
		return sp.UpdateEvery
	}
	return 30 * time.Minute
}

// Location returns the process's time zone, UTC when unset or unknown.
func (p *Process) Location() *time.Location {
	return loadLocation(p.TimeZone)
}

func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Leads returns who is invited to a war room at severity s for service svc:
// the severity's leads, then the service's, without duplicates.
func (p *Process) Leads(s Severity, svc string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(list []string) {
		for _, u := range list {
			if u != "" && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	if sp, ok := p.Policy(s); ok {
		add(sp.Leads)
	}
	if service, ok := p.Services[svc]; ok {
		add(service.Leads)
	}
	return out
}

// Defaults of the retrospective's follow-through, used when a setting is
// zero.
const (
	DefaultDoneRemindEvery = 24 * time.Hour
	DefaultCheckEvery      = 24 * time.Hour
	DefaultDigestEvery     = 7 * 24 * time.Hour
	DefaultFollowUpFor     = 90 * 24 * time.Hour
)

// DefaultProcess is the process a first run gets: three severities, an
// "incidents" announce channel and the default channel-name template. It is
// the one source of the process defaults: config writes its defaults from
// it, and the Default* constants it uses fill zero settings elsewhere.
func DefaultProcess() Process {
	return Process{
		Severities: []SeverityPolicy{
			{Name: Critical, Description: "Customers can't use the service, or data is at risk", UpdateEvery: 15 * time.Minute, Page: true},
			{Name: Major, Description: "A major feature is broken or badly degraded", UpdateEvery: 30 * time.Minute},
			{Name: Minor, Description: "A minor feature is degraded; a workaround exists", UpdateEvery: 30 * time.Minute},
		},
		AnnounceChannels: []string{"incidents"},
		ChannelName:      DefaultChannelTemplate,
		EscalateAfter:    DefaultEscalateAfter,
		TimeZone:         "UTC",
		Namespace:        "default",
		Retrospective: Retrospective{
			Enabled:           true,
			Duration:          DefaultRetroDuration,
			BusinessDaysAfter: DefaultBusinessDaysAfter,
			WorkdayStart:      DefaultWorkdayStart,
			WorkdayEnd:        DefaultWorkdayEnd,
			TimeZone:          "UTC",
			RemindBefore:      time.Hour,
			DoneRemindEvery:   DefaultDoneRemindEvery,
			CheckEvery:        DefaultCheckEvery,
			DigestEvery:       DefaultDigestEvery,
			FollowUpFor:       DefaultFollowUpFor,
		},
		Permissions: DefaultPermissions(),
	}
}
