package starter

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/workflows"
)

// MaintenanceActivities are the activities MaintenanceWorkflow uses to
// reach the IncidentWorkflow it starts as a window's war room: they wait
// for its war room and resolve it, through the same updates the front door
// sends. Register them on the worker with Register.
type MaintenanceActivities struct {
	Client client.Client
}

// Register registers the activities under the names MaintenanceWorkflow
// calls them by.
func (a *MaintenanceActivities) Register(r worker.ActivityRegistry) {
	r.RegisterActivityWithOptions(a.WarRoom, activity.RegisterOptions{Name: workflows.ActivityMaintenanceWarRoom})
	r.RegisterActivityWithOptions(a.ResolveWarRoom, activity.RegisterOptions{Name: workflows.ActivityMaintenanceResolve})
}

// WarRoom waits until the war room of incident req.IncidentID is open and
// returns it. It fails for good when the war room could not be opened.
func (a *MaintenanceActivities) WarRoom(ctx context.Context, req workflows.WarRoomRequest) (workflows.WarRoom, error) {
	var room workflows.WarRoom
	handle, err := a.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.IncidentWorkflowID(req.IncidentID),
		UpdateName:   workflows.UpdateWarRoomReady,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return room, err // not started yet, or Temporal busy: retry
	}
	return room, final(handle.Get(ctx, &room))
}

// ResolveWarRoom resolves incident req.IncidentID; an incident resolved
// already (by an earlier attempt, or by a responder) is left as it is.
func (a *MaintenanceActivities) ResolveWarRoom(ctx context.Context, req workflows.ResolveWarRoomRequest) error {
	incidents := &Incidents{Client: a.Client}
	if inc, err := incidents.Get(ctx, req.IncidentID); err == nil && inc.IsResolved() {
		return nil
	}
	err := incidents.Resolve(ctx, req.IncidentID, req.Resolve)
	if err == nil {
		return nil
	}
	if inc, gerr := incidents.Get(ctx, req.IncidentID); gerr == nil && inc.IsResolved() {
		return nil
	}
	return final(err)
}

// final makes an error the incident workflow itself returned (a rejected
// or failed update) non-retryable; Temporal's own errors stay retryable.
func final(err error) error {
	var appErr *temporal.ApplicationError
	if err != nil && errors.As(err, &appErr) {
		return temporal.NewNonRetryableApplicationError(appErr.Error(), "WarRoomFailed", err)
	}
	return err
}
