package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// setup registers the query and the updates. Validators reject what can't
// be applied with a sentence a responder can act on; handlers wait for the
// war room before touching it.
func (w *incidentWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, wfapi.QueryIncident, func() (incident.Incident, error) {
		return w.payload(), nil
	}); err != nil {
		return err
	}
	if w.isDrill() {
		if err := workflow.SetQueryHandler(ctx, wfapi.QueryDrill, func() (wfapi.DrillReport, error) {
			return wfapi.DrillReport{Scenario: w.dr.scenario, Progress: w.dr.prog, Score: w.dr.score}, nil
		}); err != nil {
			return err
		}
	}
	updates := []struct {
		name               string
		handler, validator any
	}{
		{wfapi.UpdateWarRoomReady, w.warRoomReady, nil},
		{wfapi.UpdatePostStatus, w.postStatus, w.validatePostStatus},
		{wfapi.UpdateSetSeverity, w.setSeverity, w.validateSetSeverity},
		{wfapi.UpdateAssignRole, w.assignRole, w.validateAssignRole},
		{wfapi.UpdateAddActionItem, w.addActionItem, w.validateAddActionItem},
		{wfapi.UpdateResolve, w.resolve, w.validateResolve},
		{wfapi.UpdateRecordAlert, w.recordAlert, w.validateRecordAlert},
		{wfapi.UpdateMarkMessage, w.markMessage, w.validateMarkMessage},
		{wfapi.UpdatePublishStatusPage, w.publishStatusPage, w.validatePublishStatusPage},
		{wfapi.UpdatePage, w.page, w.validatePage},
		{wfapi.UpdateDrillHint, w.drillHint, w.validateDrillHint},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return err
		}
	}
	return nil
}

// awaitWarRoom waits until the war room is ready, or the run ends without
// one, and then says why (warRoomErr).
func (w *incidentWorkflow) awaitWarRoom(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return w.ready || w.warRoomErr != nil }); err != nil {
		return err
	}
	return w.warRoomErr
}

// openForChange waits for the war room, then refuses a change to an
// incident resolved meanwhile: what every changing update handler does
// first.
func (w *incidentWorkflow) openForChange(ctx workflow.Context) error {
	if err := w.awaitWarRoom(ctx); err != nil {
		return err
	}
	return w.checkOpen()
}

// checkOpen refuses changes to a resolved incident.
func (w *incidentWorkflow) checkOpen() error {
	if w.resolving {
		return fmt.Errorf("incident %s is already resolved; if the problem is back, declare a new incident", w.inc.Declaration.ID)
	}
	return nil
}

// warRoomReady answers once the war room is ready: where it is.
func (w *incidentWorkflow) warRoomReady(ctx workflow.Context) (incident.WarRoom, error) {
	err := w.awaitWarRoom(ctx)
	return incident.WarRoom{
		ID: w.inc.Declaration.ID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		ChannelID: w.inc.ChannelID, ChannelName: w.inc.ChannelName,
	}, err
}
