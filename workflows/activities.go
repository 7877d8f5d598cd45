// Package workflows holds incidentflow's Temporal workflows: one
// IncidentWorkflow per incident, its RetrospectiveWorkflow child and the
// MaintenanceWorkflow of planned maintenance. Their names, IDs and
// payloads are in the wfapi package; the activities they call are in the
// activities package, referenced through the variables below. Deterministic
// code only.
package workflows

import "github.com/incidentflow/incidentflow/activities"

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
)
