package starter

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Alerts hands alert notifications to the workflows of their groups and
// answers the triage prompt's buttons. The groups declare their incidents
// under the worker's process, not the caller's.
type Alerts struct {
	Client    client.Client
	TaskQueue string
	Settings  wfapi.AlertSettings
}

// ErrNoAlertGroup means no alert group has the given ID.
var ErrNoAlertGroup = errors.New("no such alert group")

// Notify delivers notification n, routed as dec, to its group's workflow
// with one signal-with-start: the workflow starts with the group's first
// notification, and every later one (from any front door) joins it.
func (a *Alerts) Notify(ctx context.Context, n alert.Notification, dec alert.Decision) error {
	group := alert.IncidentID(n.Key())
	title := dec.Title
	if title == "" {
		title = n.GroupKey
	}
	_, err := a.Client.SignalWithStartWorkflow(ctx, wfapi.AlertGroupWorkflowID(group), wfapi.SignalAlertNotification,
		wfapi.AlertNotification{Notification: n, Decision: dec},
		client.StartWorkflowOptions{
			ID:                    wfapi.AlertGroupWorkflowID(group),
			TaskQueue:             a.TaskQueue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			WorkflowTaskTimeout:   wfapi.WorkflowTaskTimeout,
			StaticSummary:         "Alert group: " + incident.Truncate(title, 200),
		},
		wfapi.AlertGroupWorkflowName, wfapi.AlertGroupInput{GroupID: group, Settings: a.Settings})
	if err != nil {
		return explainGroup(err, group)
	}
	return nil
}

// Declare declares the incident of alert group groupID, waiting in triage,
// as d (its ID is the group's to choose) on behalf of by.
func (a *Alerts) Declare(ctx context.Context, groupID, by string, d incident.Declaration) (string, error) {
	var res wfapi.AlertDeclareResult
	err := a.update(ctx, groupID, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: by, Declaration: d}, &res)
	return res.IncidentID, err
}

// Triage answers alert group groupID's prompt with action (wfapi.TriageIgnore
// or wfapi.TriageSnooze) on behalf of by.
func (a *Alerts) Triage(ctx context.Context, groupID, by, action string) error {
	return a.update(ctx, groupID, wfapi.UpdateAlertTriage, wfapi.AlertTriageRequest{By: by, Action: action}, nil)
}

// update sends a named update to alert group groupID (see updateWorkflow).
func (a *Alerts) update(ctx context.Context, groupID, name string, arg, out any) error {
	err := updateWorkflow(ctx, a.Client, wfapi.AlertGroupWorkflowID(groupID), name, arg, out)
	if err != nil && !errors.Is(err, ErrPending) {
		return explainGroup(err, groupID)
	}
	return err
}

// Get returns the state of alert group groupID.
func (a *Alerts) Get(ctx context.Context, groupID string) (wfapi.AlertGroupState, error) {
	return queryState[wfapi.AlertGroupState](ctx, a.Client, wfapi.AlertGroupWorkflowID(groupID), wfapi.QueryAlertGroup,
		func(err error) error { return explainGroup(err, groupID) }, "alert group "+groupID+": reading its state")
}

// explainGroup turns Temporal's errors about an alert group into
// sentences.
func explainGroup(err error, groupID string) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("alert group %s: %w (it has ended: its alerts resolved or were ignored)", groupID, ErrNoAlertGroup)
	}
	return explain(err, "")
}
