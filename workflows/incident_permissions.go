package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionPermissions is the change that applies the permission model
// (incident.Process.Permit) to the changes only some may make: resolving,
// changing the severity, giving a role. Before it anyone could. A refusal
// records a timeline entry and runs none of the change's activities, so
// GetVersion is asked only when the model refuses: a run begun before the
// change replays a change it accepted as it was made, and accepted changes
// record no marker.
const versionPermissions = "permissions"

// permit lets the change act asks for go ahead, or refuses it: the refusal
// goes on the timeline and the update fails with the sentence saying who
// can do it (an application error of type wfapi.NotAllowedError). by is
// who asks (a Slack user ID), operator whether the request comes from a
// client with Temporal access. The war room's members are Slack's to know:
// the Slack door checked them (incident.MembershipUnknown).
func (w *incidentWorkflow) permit(ctx workflow.Context, act incident.Action, by string, operator bool) error {
	err := w.proc.Permit(act, &w.inc, incident.Actor{User: by, Operator: operator}, incident.MembershipUnknown)
	var refusal *incident.Refusal
	if !errors.As(err, &refusal) || workflow.GetVersion(ctx, versionPermissions, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	w.record(ctx, by, incident.EntryRefused, refusal.TimelineText())
	w.publish(ctx)
	return temporal.NewNonRetryableApplicationError(refusal.Sentence, wfapi.NotAllowedError, nil)
}
