package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// DrillLaunchWorkflow starts the drill a schedule runs (drills.schedules):
// the incident workflow of a drill whose ID comes from this run's workflow
// ID, so a retried run starts the same drill, never a second. The drill
// outlives it. It returns the drill's incident ID once the drill has
// started. Register it under wfapi.DrillLaunchWorkflowName.
func DrillLaunchWorkflow(ctx workflow.Context, in wfapi.DrillLaunchInput) (string, error) {
	info := workflow.GetInfo(ctx)
	id := incident.IDFromKey("drill-schedule:" + info.WorkflowExecution.ID)
	d := in.Room.Scenario.Declaration(drill.Start{
		ID: id, DeclaredVia: "the schedule " + wfapi.DrillScheduleID(in.Room.Scenario.Name), At: workflow.Now(ctx),
	})
	ctx = workflow.WithChildOptions(ctx, incidentChild(d))
	child := workflow.ExecuteChildWorkflow(ctx, wfapi.IncidentWorkflowName, wfapi.IncidentInput{Declaration: d, Drill: &in.Room})
	return id, child.GetChildWorkflowExecution().Get(ctx, nil)
}
