package metrics

import "github.com/prometheus/client_golang/prometheus"

// Names of incidentflow's own metrics besides the front door's HTTP ones.
// The milestone metrics (declared, resolved, the times to acknowledge,
// mitigate and resolve, reminders, escalations) are emitted through the
// Temporal SDK's workflow metrics handler, which SDKHandler routes to them;
// the Slack metrics are counted by the Slack activities; the open count is
// read from Temporal's visibility at scrape time (CountOpenIncidents).
const (
	IncidentsOpen     = "incidentflow_incidents_open"
	IncidentsDeclared = "incidentflow_incidents_declared_total"
	IncidentsResolved = "incidentflow_incidents_resolved_total"
	TimeToAcknowledge = "incidentflow_time_to_acknowledge_seconds"
	TimeToMitigate    = "incidentflow_time_to_mitigate_seconds"
	TimeToResolve     = "incidentflow_time_to_resolve_seconds"
	Reminders         = "incidentflow_reminders_total"
	Escalations       = "incidentflow_escalations_total"
	SlackAPIErrors    = "incidentflow_slack_api_errors_total"
	SlackRateLimited  = "incidentflow_slack_rate_limited_total"
)

// MilestoneBuckets are the buckets of the time-to-X histograms, in
// seconds: from 30 s to a week.
var MilestoneBuckets = []float64{
	30, 60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
	3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600,
}

// incidentMetrics are the process's milestone and Slack metrics. They are
// process-wide (the SDK's handler and the Slack activities have no
// Registry at hand), and every Registry serves them: in `incidentflow dev`
// the front door's /metrics shows what its worker counted.
type incidentMetrics struct {
	declared, resolved, reminders, escalations *prometheus.CounterVec
	toAck, toMitigate, toResolve               *prometheus.HistogramVec
	slackErrors, slackLimited                  *prometheus.CounterVec
}

var process = newIncidentMetrics()

func newIncidentMetrics() *incidentMetrics {
	hist := func(name, help string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: MilestoneBuckets}, []string{"severity"})
	}
	return &incidentMetrics{
		declared: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: IncidentsDeclared,
			Help: "Real incidents declared (drills and maintenance windows not counted), by severity and source.",
		}, []string{"severity", "source"}),
		resolved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: IncidentsResolved,
			Help: "Real incidents resolved, by the severity they had when resolved.",
		}, []string{"severity"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: Reminders,
			Help: "Status-update reminders posted in the war rooms of real incidents.",
		}, nil),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: Escalations,
			Help: "Escalations after unanswered reminders in real incidents.",
		}, nil),
		toAck:      hist(TimeToAcknowledge, "Time from declaration to the first commander action or page acknowledged."),
		toMitigate: hist(TimeToMitigate, "Time from declaration to the first mitigated or monitoring status."),
		toResolve:  hist(TimeToResolve, "Time from declaration to resolution."),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: SlackAPIErrors,
			Help: `Errors of Slack Web API calls by method and Slack error code ("http_error" for network and HTTP failures, "other" for an unlisted code).`,
		}, []string{"method", "error"}),
		slackLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: SlackRateLimited,
			Help: "Slack Web API calls refused with 429 (rate limited), by method.",
		}, []string{"method"}),
	}
}

func (m *incidentMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.declared, m.resolved, m.reminders, m.escalations,
		m.toAck, m.toMitigate, m.toResolve, m.slackErrors, m.slackLimited}
}

// counter routes a counter the SDK's handler was asked for to the
// incident metric of that name, or returns false for any other name.
func (m *incidentMetrics) counter(name string, tags map[string]string) (prometheus.Counter, bool) {
	switch name {
	case IncidentsDeclared:
		return m.declared.WithLabelValues(tags["severity"], tags["source"]), true
	case IncidentsResolved:
		return m.resolved.WithLabelValues(tags["severity"]), true
	case Reminders:
		return m.reminders.WithLabelValues(), true
	case Escalations:
		return m.escalations.WithLabelValues(), true
	}
	return nil, false
}

// histogram routes a timer the SDK's handler was asked for to the
// time-to-X histogram of that name, or returns false for any other name.
func (m *incidentMetrics) histogram(name string, tags map[string]string) (prometheus.Observer, bool) {
	switch name {
	case TimeToAcknowledge:
		return m.toAck.WithLabelValues(tags["severity"]), true
	case TimeToMitigate:
		return m.toMitigate.WithLabelValues(tags["severity"]), true
	case TimeToResolve:
		return m.toResolve.WithLabelValues(tags["severity"]), true
	}
	return nil, false
}

// SlackError counts a failed call of Slack method: a 429 in
// incidentflow_slack_rate_limited_total, any other error in
// incidentflow_slack_api_errors_total under code (Slack's error code, ""
// for a network or HTTP failure). Method names come from the Slack
// activities' code; codes outside SlackErrorCodes count as "other".
func SlackError(method, code string, rateLimited bool) {
	if rateLimited {
		process.slackLimited.WithLabelValues(method).Inc()
		return
	}
	switch {
	case code == "":
		code = "http_error"
	case !slackErrorCodes[code]:
		code = "other"
	}
	process.slackErrors.WithLabelValues(method, code).Inc()
}

// slackErrorCodes are the Slack error codes counted under their own name:
// those the Slack activities meet or act on.
var slackErrorCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"ratelimited": true, "team_added_to_org": true, "channel_not_found": true, "not_in_channel": true,
	"is_archived": true, "invalid_auth": true, "not_authed": true, "token_revoked": true,
	"account_inactive": true, "missing_scope": true, "user_not_found": true, "users_not_found": true,
	"user_not_in_channel": true, "restricted_action": true, "name_taken": true,
	"invalid_name_specials": true, "invalid_name_maxlength": true, "invalid_name_required": true,
	"too_long": true, "already_in_channel": true, "cant_invite_self": true, "message_not_found": true,
	"already_pinned": true, "already_reacted": true, "no_reaction": true, "not_pinnable": true,
	"msg_too_long": true, "no_text": true, "invalid_blocks": true, "invalid_arguments": true,
	"cant_update_message": true, "edit_window_closed": true, "already_archived": true,
	"method_deprecated": true, "file_not_found": true,
}
