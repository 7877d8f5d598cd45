// Package alert is the pure domain of the alert door: it turns the webhook
// bodies of Alertmanager, Grafana and incidentflow's own small webhook into
// one bounded Notification, decides with a Router what a notification
// should start (declare an incident, post it for triage, or ignore it), names
// the incident of an alert group deterministically (IncidentID), keeps a
// group's alerts for a workflow (Group) and renders what changed as Slack
// mrkdwn and GitHub Markdown.
//
// Nothing here does I/O, reads the clock, starts goroutines or lets map
// iteration order reach its results, so a Temporal workflow may call every
// function of the package.
package alert
