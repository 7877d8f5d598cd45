package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Defaults of the keys that command-line flags also set, for the flags' own
// defaults.
const (
	DefaultListen       = "127.0.0.1:3000" // http.listen
	DefaultDataDir      = ".incidentflow"  // dev.data_dir
	DefaultFrontendPort = 7233             // dev.frontend_port
	DefaultUIPort       = 8233             // dev.ui_port
	DefaultSlackPort    = 3001             // dev.slack_port
	DefaultGitHubPort   = 3002             // dev.github_port
	// DefaultPagerDutyPort is dev.pagerduty_port.
	DefaultPagerDutyPort = 3003
)

// withProcessDefaults adds the defaults of the process keys (processDefaults)
// to m, which must not hold any of them, and returns m.
func withProcessDefaults(m map[string]any) map[string]any {
	for k, v := range processDefaults() {
		if _, dup := m[k]; dup {
			panic("config: the default of " + k + " is written twice")
		}
		m[k] = v
	}
	return m
}

// processDefaults are the defaults of the process keys, written from
// incident.DefaultProcess and incident.DefaultMaintenancePolicy so that each
// default is written once; Config.Process and Config.MaintenancePolicy turn
// them back into those values.
func processDefaults() map[string]any {
	p := incident.DefaultProcess()
	r := p.Retrospective
	m := incident.DefaultMaintenancePolicy()
	return map[string]any{
		"temporal.namespace":  p.Namespace,
		"temporal.web_ui_url": p.WebUIURL,

		"announce_channels":  stringList(p.AnnounceChannels),
		"broadcast_channels": stringList(p.BroadcastChannels),
		"channel_name":       p.ChannelName,
		"video_link":         p.VideoLink,
		"time_zone":          p.TimeZone,

		"escalation.group": p.EscalationGroup,
		"escalation.after": p.EscalateAfter,

		"retrospective.enabled": r.Enabled,
		// A meeting's length reads best in minutes: 60m.
		"retrospective.duration":            fmt.Sprintf("%dm", r.Duration/time.Minute),
		"retrospective.business_days_after": r.BusinessDaysAfter,
		"retrospective.workday_start":       r.WorkdayStart,
		"retrospective.workday_end":         r.WorkdayEnd,
		"retrospective.time_zone":           r.TimeZone,
		"retrospective.remind_before":       durationText(r.RemindBefore),
		"retrospective.done_remind_every":   durationText(r.DoneRemindEvery),
		"retrospective.check_every":         durationText(r.CheckEvery),
		"retrospective.digest_every":        durationText(r.DigestEvery),
		"retrospective.follow_up_for":       durationText(r.FollowUpFor),
		"retrospective.archive_channel":     r.ArchiveChannel,
		"retrospective.labels":              stringList(r.Labels),

		"maintenance.update_every": durationText(m.UpdateEvery),
		"maintenance.heads_up":     durationTexts(m.HeadsUp),
		"maintenance.grace":        durationText(m.Grace),
		"maintenance.max_duration": durationText(m.MaxDuration),
	}
}

// severityDefaults is the severities list of a first run, written from
// incident.DefaultProcess.
func severityDefaults() []map[string]any {
	var out []map[string]any
	for _, s := range incident.DefaultProcess().Severities {
		out = append(out, map[string]any{
			"name":         string(s.Name),
			"description":  s.Description,
			"update_every": durationText(s.UpdateEvery),
		})
	}
	return out
}

// durationText writes d as the file does, without zero units: 15m, 1h,
// 1h30m, 168h.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func durationTexts(ds []time.Duration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = durationText(d)
	}
	return out
}

// stringList copies list, giving an empty list rather than nil.
func stringList(list []string) []string {
	return append([]string{}, list...)
}
