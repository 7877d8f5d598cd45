package config

import (
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// mustDuration parses a duration Validate has already checked.
func mustDuration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

func (c *Config) severityNames() []string {
	names := make([]string, len(c.Severities))
	for i, s := range c.Severities {
		names[i] = s.Name
	}
	return names
}

// Process returns the incident process the configuration describes. Call it
// on a validated configuration.
func (c *Config) Process() incident.Process {
	p := incident.Process{
		AnnounceChannels:  trimChannels(c.AnnounceChannels),
		BroadcastChannels: trimChannels(c.BroadcastChannels),
		ChannelName:       c.ChannelName,
		VideoLink:         c.VideoLink,
		EscalationGroup:   c.Escalation.Group,
		EscalateAfter:     c.Escalation.After,
		TimeZone:          c.TimeZone,
		WebUIURL:          strings.TrimRight(c.Temporal.WebUIURL, "/"),
		Namespace:         c.Temporal.Namespace,
		Permissions:       c.Permissions.policy(),
		Paging:            c.Paging.PagerDuty.RoutingKey != "",
		OnCallLookup:      c.Paging.PagerDuty.EscalationPolicy != "" && c.Paging.PagerDuty.Token != "",
		StatusPage:        c.StatusPage.Configured(),
	}
	for _, s := range c.Severities {
		p.Severities = append(p.Severities, incident.SeverityPolicy{
			Name: incident.Severity(s.Name), Description: s.Description,
			UpdateEvery: mustDuration(s.UpdateEvery), Leads: s.Leads, Page: s.pages(),
		})
	}
	if len(c.Services) > 0 {
		p.Services = make(map[string]incident.Service, len(c.Services))
		for name, s := range c.Services {
			p.Services[name] = incident.Service{Severity: incident.Severity(s.Severity), Leads: s.Leads, Runbook: s.Runbook,
				Paged:                s.PagerDutyRoutingKey != "",
				OnCall:               s.PagerDutyEscalationPolicy != "" && c.Paging.PagerDuty.Token != "",
				StatusPageComponents: s.StatusPageComponents}
		}
	}
	for _, d := range c.Docs {
		p.Docs = append(p.Docs, incident.Doc{Title: d.Title, URL: d.URL})
	}
	r := c.Retrospective
	p.Retrospective = incident.Retrospective{
		Enabled:           r.Enabled,
		Duration:          mustDuration(r.Duration),
		BusinessDaysAfter: r.BusinessDaysAfter,
		WorkdayStart:      r.WorkdayStart,
		WorkdayEnd:        r.WorkdayEnd,
		TimeZone:          r.TimeZone,
		RemindBefore:      mustDuration(r.RemindBefore),
		DoneRemindEvery:   mustDuration(r.DoneRemindEvery),
		CheckEvery:        mustDuration(r.CheckEvery),
		DigestEvery:       mustDuration(r.DigestEvery),
		FollowUpFor:       mustDuration(r.FollowUpFor),
		ArchiveChannel:    r.ArchiveChannel,
		Labels:            r.Labels,
		Assignees:         r.Assignees,
		SecurityRepo:      c.GitHub.SecurityRepo,
	}
	return p
}

// MaintenancePolicy is the validated maintenance configuration.
type MaintenancePolicy struct {
	UpdateEvery time.Duration
	HeadsUp     []time.Duration
	Grace       time.Duration
	MaxDuration time.Duration
}

// MaintenancePolicy returns the maintenance settings. Call it on a validated
// configuration.
func (c *Config) MaintenancePolicy() MaintenancePolicy {
	m := MaintenancePolicy{
		UpdateEvery: mustDuration(c.Maintenance.UpdateEvery),
		Grace:       mustDuration(c.Maintenance.Grace),
		MaxDuration: mustDuration(c.Maintenance.MaxDuration),
	}
	for _, h := range c.Maintenance.HeadsUp {
		m.HeadsUp = append(m.HeadsUp, mustDuration(h))
	}
	return m
}

func trimChannels(chs []string) []string {
	out := make([]string, 0, len(chs))
	for _, ch := range chs {
		if ch = strings.TrimPrefix(strings.TrimSpace(ch), "#"); ch != "" {
			out = append(out, ch)
		}
	}
	return out
}

// pages is severities[].page: as set, else true for critical alone.
func (s Severity) pages() bool {
	if s.Page != nil {
		return *s.Page
	}
	return s.Name == string(incident.Critical)
}
