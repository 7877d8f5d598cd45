package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// IncidentWorkflows is what the Incidents activities need from the incident
// workflows they reach; starter.Incidents implements it over the Temporal
// client.
type IncidentWorkflows interface {
	// AwaitWarRoom waits until incident id's war room is open and returns
	// it.
	AwaitWarRoom(ctx context.Context, id string) (incident.WarRoom, error)
	// ResolveIfOpen resolves incident id unless it is resolved already.
	ResolveIfOpen(ctx context.Context, id, by, summary string) error
	// RecordAlert records a change of its alert group in incident id.
	RecordAlert(ctx context.Context, id string, req wfapi.RecordAlertRequest) error
}

// Incidents are the activities through which one workflow drives another
// incident's workflow, through the same updates the front door sends:
// MaintenanceWorkflow waits for the war room it starts and resolves it;
// AlertGroupWorkflow records its group's changes in its incident. The
// outside system here is Temporal itself. Waiting for a war room can take as
// long as its Slack calls: the activities heartbeat meanwhile, and the waits
// give way when their worker shuts down (a retry elsewhere waits the same).
type Incidents struct {
	Workflows IncidentWorkflows
}

// WarRoomRequest is the argument of MaintenanceWarRoom.
type WarRoomRequest struct {
	IncidentID string `json:"incident_id"`
}

// ResolveWarRoomRequest is the argument of MaintenanceResolveWarRoom.
type ResolveWarRoomRequest struct {
	IncidentID string     `json:"incident_id"`
	Resolve    Resolution `json:"resolve"`
}

// Resolution says who resolves an incident and how it ended.
type Resolution struct {
	By      string `json:"by"`
	Summary string `json:"summary"`
}

// MaintenanceWarRoom waits until the war room of incident req.IncidentID is
// open and returns it. It fails for good when the war room could not be
// opened.
func (a *Incidents) MaintenanceWarRoom(ctx context.Context, req WarRoomRequest) (incident.WarRoom, error) {
	room, err := whileWorkerRuns(ctx, func(ctx context.Context) (incident.WarRoom, error) {
		return beating(ctx, func() (incident.WarRoom, error) { return a.Workflows.AwaitWarRoom(ctx, req.IncidentID) })
	})
	return room, final(err)
}

// MaintenanceResolveWarRoom resolves incident req.IncidentID; an incident
// resolved already (by an earlier attempt, or by a responder) is left as it
// is.
func (a *Incidents) MaintenanceResolveWarRoom(ctx context.Context, req ResolveWarRoomRequest) error {
	_, err := whileWorkerRuns(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, beatingErr(ctx, func() error {
			return a.Workflows.ResolveIfOpen(ctx, req.IncidentID, req.Resolve.By, req.Resolve.Summary)
		})
	})
	return final(err)
}

// RecordAlertRequest is the argument of RecordAlert.
type RecordAlertRequest struct {
	IncidentID string                   `json:"incident_id"`
	Record     wfapi.RecordAlertRequest `json:"record"`
}

// RecordAlert records a change of an alert group in its incident; the
// record's key makes a retry a no-op. An incident that refuses it (resolved
// already) fails for good.
func (a *Incidents) RecordAlert(ctx context.Context, req RecordAlertRequest) error {
	return final(beatingErr(ctx, func() error { return a.Workflows.RecordAlert(ctx, req.IncidentID, req.Record) }))
}

// final makes an error the incident workflow itself returned (a rejected
// or failed update) non-retryable; Temporal's own errors (not started yet,
// busy, unreachable) stay retryable.
func final(err error) error {
	if err == errWorkerStopping {
		return err // retried on another worker
	}
	var appErr *temporal.ApplicationError
	if err != nil && errors.As(err, &appErr) {
		return temporal.NewNonRetryableApplicationError(appErr.Error(), "WarRoomFailed", err)
	}
	return err
}
