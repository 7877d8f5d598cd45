// Package workflows holds incidentflow's Temporal workflows: one
// IncidentWorkflow per incident, its RetrospectiveWorkflow child and the
// MaintenanceWorkflow of planned maintenance. Their names, IDs and
// payloads are in the wfapi package; the activities they call are in the
// activities package, referenced through the variables below. Deterministic
// code only.
package workflows

import (
	"time"

	"github.com/incidentflow/incidentflow/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity references. Every workflow calls its activities through the
// method values of these nil pointers, one per outside system, and never by
// a string name: the SDK names each activity after its method, and the
// worker registers one value of each type (worker.Register), so the names
// agree by construction.
var (
	slackActivities    *activities.Slack
	githubActivities   *activities.GitHub
	calendarActivities *activities.Calendar
	incidentActivities *activities.Incidents
	processActivities  *activities.Process
	// pagerdutyActivities are the PagerDuty activities (incident_paging.go).
	pagerdutyActivities *activities.PagerDuty
	// statuspageActivities keep the public status page current
	// (incident_statuspage.go, maintenance_statuspage.go).
	statuspageActivities *activities.StatusPage
	// debriefActivities keep drill debriefs (incident_drill.go).
	debriefActivities *activities.Debriefs
)

// HeartbeatTimeout is the heartbeat timeout of every activity that can take
// more than a few seconds (Slack, GitHub, calendar and incident calls). The
// activities heartbeat every second while they work and while they wait in
// the Slack rate limiter, and the worker sends each heartbeat within a
// second (worker.HeartbeatThrottle), so a healthy call keeps two seconds of
// slack, while Temporal retries the activity of a worker killed mid-call on
// another worker within about this long: with the retry's first interval,
// the five seconds from a kill to the incident's next call.
// Activity options are not part of the workflow's commands checked on
// replay: changing it needs no workflow.GetVersion.
const HeartbeatTimeout = 3 * time.Second

// incidentActivityOptions bound a call of the incidentActivities: the wait
// for a war room (its channel, invitations and kickoff), the resolution of
// one, an alert change recorded.
var incidentActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	HeartbeatTimeout:    HeartbeatTimeout,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
		MaximumAttempts:    20,
	},
}

// incidentCall returns ctx for an incidentActivities call whose summary the
// Web UI shows.
func incidentCall(ctx workflow.Context, summary string) workflow.Context {
	opts := incidentActivityOptions
	opts.Summary = summary
	return workflow.WithActivityOptions(ctx, opts)
}
