package config_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

func TestProcessConvertsConfig(t *testing.T) {
	isolate(t)
	c := mustLoad(t, writeConfig(t, `
temporal:
  namespace: incidents
  web_ui_url: http://localhost:8233/
severities:
  - name: critical
    description: All hands
    update_every: 10m
    leads: [U0123ABCDEF, oncall@example.com]
  - name: minor
    update_every: 1h30m
services:
  payments:
    severity: critical
    leads: [W0456GHIJKL]
    runbook: https://wiki.example.com/payments
docs:
  - title: Handbook
    url: https://wiki.example.com/handbook
announce_channels: ["#incidents", " ops "]
broadcast_channels: [status]
channel_name: "{kind}-{id}"
video_link: https://meet.example.com/{channel}
time_zone: Europe/London
escalation:
  group: S0789MNOPQR
  after: 3
retrospective:
  enabled: false
  duration: 45m
  business_days_after: 0
  workday_start: "09:30"
  workday_end: "16:00"
  time_zone: America/New_York
  remind_before: 30m
  done_remind_every: 48h
  check_every: 12h
  digest_every: 72h
  follow_up_for: 720h
  archive_channel: true
  labels: [postmortem]
  assignees:
    U0123ABCDEF: octocat
github:
  repo: acme/incidents
  security_repo: acme/security-incidents
maintenance:
  update_every: 20m
  heads_up: [48h, 2h, 10m]
  grace: 5m
  max_duration: 6h
permissions:
  incident_admins: [U0ADMIN1, " W0ADMIN2 "]
  declare: [incident_admins]
  declare_security: [everyone]
  act: [members, " commander "]
  resolve: [commander, incident_admins]
  change_severity: [commander, leads, U0SRE1]
  assign_roles: [incident_admins]
`), nil)

	want := incident.Process{
		Severities: []incident.SeverityPolicy{
			{Name: "critical", Description: "All hands", UpdateEvery: 10 * time.Minute, Leads: []string{"U0123ABCDEF", "oncall@example.com"}, Page: true},
			{Name: "minor", UpdateEvery: 90 * time.Minute},
		},
		Services: map[string]incident.Service{
			"payments": {Severity: "critical", Leads: []string{"W0456GHIJKL"}, Runbook: "https://wiki.example.com/payments"},
		},
		Docs:              []incident.Doc{{Title: "Handbook", URL: "https://wiki.example.com/handbook"}},
		AnnounceChannels:  []string{"incidents", "ops"},
		BroadcastChannels: []string{"status"},
		ChannelName:       "{kind}-{id}",
		VideoLink:         "https://meet.example.com/{channel}",
		EscalationGroup:   "S0789MNOPQR",
		EscalateAfter:     3,
		TimeZone:          "Europe/London",
		WebUIURL:          "http://localhost:8233",
		Namespace:         "incidents",
		Retrospective: incident.Retrospective{
			Enabled:           false,
			Duration:          45 * time.Minute,
			BusinessDaysAfter: 0,
			WorkdayStart:      "09:30",
			WorkdayEnd:        "16:00",
			TimeZone:          "America/New_York",
			RemindBefore:      30 * time.Minute,
			DoneRemindEvery:   48 * time.Hour,
			CheckEvery:        12 * time.Hour,
			DigestEvery:       72 * time.Hour,
			FollowUpFor:       720 * time.Hour,
			ArchiveChannel:    true,
			Labels:            []string{"postmortem"},
			Assignees:         map[string]string{"U0123ABCDEF": "octocat"},
			SecurityRepo:      "acme/security-incidents",
		},
		Permissions: incident.Permissions{
			IncidentAdmins:  []string{"U0ADMIN1", "W0ADMIN2"},
			Declare:         []string{"incident_admins"},
			DeclareSecurity: []string{"everyone"},
			Act:             []string{"members", "commander"},
			Resolve:         []string{"commander", "incident_admins"},
			ChangeSeverity:  []string{"commander", "leads", "U0SRE1"},
			AssignRoles:     []string{"incident_admins"},
			Page:            []string{"members"},
			Publish:         []string{"spokesperson", "commander"},
		},
	}
	if got := c.Process(); !reflect.DeepEqual(got, want) {
		t.Errorf("Process() =\n%+v\nwant\n%+v", got, want)
	}

	wantM := config.MaintenancePolicy{
		UpdateEvery: 20 * time.Minute,
		HeadsUp:     []time.Duration{48 * time.Hour, 2 * time.Hour, 10 * time.Minute},
		Grace:       5 * time.Minute,
		MaxDuration: 6 * time.Hour,
	}
	if got := c.MaintenancePolicy(); !reflect.DeepEqual(got, wantM) {
		t.Errorf("MaintenancePolicy() = %+v, want %+v", got, wantM)
	}
}

func TestProcessOfDefaults(t *testing.T) {
	isolate(t)
	p := mustLoad(t, "", nil).Process()

	wantSev := []incident.SeverityPolicy{
		{Name: "critical", Description: "Customers can't use the service, or data is at risk", UpdateEvery: 15 * time.Minute, Page: true},
		{Name: "major", Description: "A major feature is broken or badly degraded", UpdateEvery: 30 * time.Minute},
		{Name: "minor", Description: "A minor feature is degraded; a workaround exists", UpdateEvery: 30 * time.Minute},
	}
	if !reflect.DeepEqual(p.Severities, wantSev) {
		t.Errorf("Severities = %+v, want %+v", p.Severities, wantSev)
	}
	if p.Services != nil || p.Docs != nil {
		t.Errorf("Services = %v, Docs = %v, want none", p.Services, p.Docs)
	}
	if len(p.AnnounceChannels) != 1 || p.AnnounceChannels[0] != "incidents" || len(p.BroadcastChannels) != 0 {
		t.Errorf("AnnounceChannels = %q, BroadcastChannels = %q", p.AnnounceChannels, p.BroadcastChannels)
	}
	if p.ChannelName != incident.DefaultChannelTemplate || p.TimeZone != "UTC" || p.EscalateAfter != 2 || p.Namespace != "default" || p.WebUIURL != "" {
		t.Errorf("Process() = %+v", p)
	}
	r := p.Retrospective
	if !r.Enabled || r.Duration != time.Hour || r.BusinessDaysAfter != 2 || r.RemindBefore != time.Hour ||
		r.DoneRemindEvery != 24*time.Hour || r.CheckEvery != 24*time.Hour || r.DigestEvery != 7*24*time.Hour ||
		r.FollowUpFor != 90*24*time.Hour || r.ArchiveChannel {
		t.Errorf("Retrospective = %+v", r)
	}
	for _, s := range []incident.Severity{"critical", "major", "minor"} {
		if err := p.CheckSeverity(s); err != nil {
			t.Errorf("CheckSeverity(%s): %v", s, err)
		}
	}

	m := mustLoad(t, "", nil).MaintenancePolicy()
	wantM := config.MaintenancePolicy{UpdateEvery: 30 * time.Minute, HeadsUp: []time.Duration{24 * time.Hour, time.Hour}, Grace: 15 * time.Minute, MaxDuration: 12 * time.Hour}
	if !reflect.DeepEqual(m, wantM) {
		t.Errorf("MaintenancePolicy() = %+v, want %+v", m, wantM)
	}
}
