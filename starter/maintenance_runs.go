package starter

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// RunState is one run of a window's schedule and where it stands.
type RunState struct {
	WorkflowID string                 `json:"workflow_id"`
	State      wfapi.MaintenanceState `json:"state"`
}

// runStates asks each run for its state and keeps those whose window isn't
// over, soonest first.
func (m *Maintenance) runStates(ctx context.Context, workflowIDs []string) []RunState {
	var out []RunState
	for _, id := range workflowIDs {
		resp, err := m.Client.QueryWorkflow(ctx, id, "", wfapi.QueryMaintenance)
		if err != nil {
			continue
		}
		rs := RunState{WorkflowID: id}
		if resp.Get(&rs.State) == nil && !rs.State.Phase.Over() {
			out = append(out, rs)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].State.Start.Before(out[j].State.Start) })
	return out
}

// runIDs lists the workflow IDs of the runs a window's schedule started
// that may still be under way: the schedule's running and recent actions
// (desc may be nil when the schedule is gone), and the running workflows
// visibility says it started. (With overlaps allowed, Temporal doesn't
// track the running ones itself.)
func (m *Maintenance) runIDs(ctx context.Context, scheduleID string, desc *client.ScheduleDescription) []string {
	var ids []string
	add := func(id string) {
		for _, x := range ids {
			if x == id {
				return
			}
		}
		ids = append(ids, id)
	}
	if desc != nil {
		for _, r := range desc.Info.RunningWorkflows {
			add(r.WorkflowID)
		}
		for _, a := range desc.Info.RecentActions {
			if a.StartWorkflowResult != nil {
				add(a.StartWorkflowResult.WorkflowID)
			}
		}
	}
	if incident.IsPlainID(scheduleID) {
		query := fmt.Sprintf("TemporalScheduledById = '%s' AND ExecutionStatus = 'Running'", scheduleID)
		if resp, err := m.Client.ListWorkflow(ctx, listRequest(query, 20)); err == nil {
			for _, ex := range resp.Executions {
				add(ex.Execution.WorkflowId)
			}
		}
	}
	return ids
}

// runningRuns lists the runs of window id whose window isn't over, also
// when its schedule is gone (a series cancelled mid-window).
func (m *Maintenance) runningRuns(ctx context.Context, id string) ([]RunState, error) {
	scheduleID := wfapi.MaintenanceWorkflowID(id)
	desc, err := m.Client.ScheduleClient().GetHandle(ctx, scheduleID).Describe(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return nil, explainWindow(err, id)
	}
	runs := m.runStates(ctx, m.runIDs(ctx, scheduleID, desc))
	if err != nil && len(runs) == 0 {
		return nil, explainWindow(err, id)
	}
	return runs, nil
}

// activeRun returns the run of window id whose window is in progress (or
// overrunning).
func (m *Maintenance) activeRun(ctx context.Context, id string) (RunState, error) {
	runs, err := m.runningRuns(ctx, id)
	if err != nil {
		return RunState{}, err
	}
	for _, r := range runs {
		if r.State.Phase == wfapi.PhaseInProgress || r.State.Phase == wfapi.PhaseOverrun {
			return r, nil
		}
	}
	return RunState{}, fmt.Errorf("maintenance %s has no window in progress right now; nothing was changed", id)
}

// updateRun sends a named update to the run workflowID and decodes its
// result into out (which may be nil). Under AcceptedIsEnough it returns
// ErrPending once the run has accepted the update. A request
// refuseInvalid refuses is never sent.
func (m *Maintenance) updateRun(ctx context.Context, workflowID, name string, arg, out any) error {
	if err := refuseInvalid(arg); err != nil {
		return err
	}
	err := updateWorkflow(ctx, m.Client, workflowID, name, arg, out)
	if err != nil && !errors.Is(err, ErrPending) {
		return explain(err, "")
	}
	return err
}

// updateActiveRun sends update name, with the argument arg makes for the
// run, to window id's run in progress and decodes its result into out.
// When no window is in progress but a run already has the update ctx's
// update ID names (WithUpdateID), that update's result is the answer: the
// request was applied by its first attempt, which ended the window, and
// its repeat joins it instead of being told there is nothing to do.
func (m *Maintenance) updateActiveRun(ctx context.Context, id, name string, arg func(RunState) any, out any) error {
	run, err := m.activeRun(ctx, id)
	if err == nil {
		return m.updateRun(ctx, run.WorkflowID, name, arg(run), out)
	}
	if joined, jerr := m.joinEarlier(ctx, id, out); joined {
		return jerr
	}
	return err
}

// joinEarlier looks among window id's runs for the update ctx's update ID
// names; joined reports whether one has it, and err is then its outcome.
func (m *Maintenance) joinEarlier(ctx context.Context, id string, out any) (joined bool, err error) {
	updateID := UpdateID(ctx)
	if updateID == "" {
		return false, nil
	}
	scheduleID := wfapi.MaintenanceWorkflowID(id)
	desc, _ := m.Client.ScheduleClient().GetHandle(ctx, scheduleID).Describe(ctx) // nil when gone: visibility still lists its runs
	for _, workflowID := range m.runIDs(ctx, scheduleID, desc) {
		handle := m.Client.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: workflowID, UpdateID: updateID})
		err := handle.Get(ctx, out)
		var notFound *serviceerror.NotFound
		if !errors.As(err, &notFound) {
			return true, explain(err, "")
		}
	}
	return false, nil
}

// Complete confirms that window id's window in progress is complete (the
// front door's Complete button).
func (m *Maintenance) Complete(ctx context.Context, id, by string) error {
	_, err := m.CompleteWith(ctx, id, wfapi.CompleteMaintenanceRequest{By: by})
	return err
}

// CompleteWith completes window id's window in progress with req.
func (m *Maintenance) CompleteWith(ctx context.Context, id string, req wfapi.CompleteMaintenanceRequest) (wfapi.MaintenanceState, error) {
	var st wfapi.MaintenanceState
	err := m.updateActiveRun(ctx, id, wfapi.UpdateMaintenanceComplete, func(RunState) any { return req }, &st)
	return st, err
}

// Promote turns window id's window in progress into an incident at the
// default promotion severity (PromotionSeverity). The front door's modal
// lets the user choose one with PromoteWith instead.
func (m *Maintenance) Promote(ctx context.Context, id, by string) error {
	return m.updateActiveRun(ctx, id, wfapi.UpdateMaintenancePromote, func(run RunState) any {
		return wfapi.PromoteMaintenanceRequest{By: by, Severity: PromotionSeverity(&m.Process, run.State.Window.Severity)}
	}, nil)
}

// PromoteWith turns window id's window in progress into an incident with
// req's severity, which the run checks against the worker's process (its
// refusal names the severities there are).
func (m *Maintenance) PromoteWith(ctx context.Context, id string, req wfapi.PromoteMaintenanceRequest) (wfapi.PromoteMaintenanceResult, error) {
	var res wfapi.PromoteMaintenanceResult
	err := m.updateActiveRun(ctx, id, wfapi.UpdateMaintenancePromote, func(RunState) any { return req }, &res)
	return res, err
}

// PromotionSeverity is the severity an overrun is promoted to unless the
// user picks one: the next more severe than the window's, or the most
// severe.
func PromotionSeverity(p *incident.Process, windowSeverity incident.Severity) incident.Severity {
	for i, sp := range p.Severities {
		if sp.Name == windowSeverity && i > 0 {
			return p.Severities[i-1].Name
		}
	}
	if len(p.Severities) > 0 {
		return p.Severities[0].Name
	}
	return incident.Major
}

// CancelledWindow is what Cancel did.
type CancelledWindow struct {
	ID string `json:"id"`
	// CalledOff are the runs called off before their window started;
	// InProgress the runs whose window is under way, which carry on until
	// completed or promoted.
	CalledOff  []string `json:"called_off,omitempty"`
	InProgress []string `json:"in_progress,omitempty"`
	// Notified are the channels told of the cancellation: those that had
	// a heads-up.
	Notified []string `json:"notified,omitempty"`
}

// Cancel calls off window id: every future window (its schedule is
// deleted) and the window waiting to start, whose heads-up channels hear of
// it. A window already in progress carries on.
func (m *Maintenance) Cancel(ctx context.Context, id, by, reason string) (CancelledWindow, error) {
	res := CancelledWindow{ID: id}
	handle := m.Client.ScheduleClient().GetHandle(ctx, wfapi.MaintenanceWorkflowID(id))
	desc, err := handle.Describe(ctx)
	if err != nil {
		return res, explainWindow(err, id)
	}
	for _, run := range m.runStates(ctx, m.runIDs(ctx, handle.GetID(), desc)) {
		if run.State.Phase.Started() {
			res.InProgress = append(res.InProgress, run.WorkflowID)
			continue
		}
		var st wfapi.MaintenanceState
		err := m.updateRun(ctx, run.WorkflowID, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: by, Reason: reason}, &st)
		if err != nil {
			return res, fmt.Errorf("maintenance %s: calling off the coming window: %w; the schedule is still there, try again", id, err)
		}
		res.CalledOff = append(res.CalledOff, run.WorkflowID)
		res.Notified = appendUnique(res.Notified, st.HeadsUpChannels()...)
	}
	if err := handle.Delete(ctx); err != nil {
		return res, explainWindow(err, id)
	}
	return res, nil
}

func appendUnique(list []string, more ...string) []string {
	for _, s := range more {
		found := false
		for _, x := range list {
			found = found || x == s
		}
		if !found {
			list = append(list, s)
		}
	}
	return list
}
