package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// abandonedChild is the options of a child workflow that outlives the
// workflow starting it (an incident's retrospective, a maintenance run's war
// room): workflow ID id, shown in the Web UI as summary, with incidentflow's
// workflow task timeout.
func abandonedChild(id, summary string) workflow.ChildWorkflowOptions {
	return workflow.ChildWorkflowOptions{
		WorkflowID:          id,
		ParentClosePolicy:   enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:       summary,
		WorkflowTaskTimeout: wfapi.WorkflowTaskTimeout,
	}
}

// incidentChild is the options of the incident workflow of declaration d,
// started as a child (by an alert group or a maintenance run) that outlives
// its parent, with the memo lists read.
func incidentChild(d incident.Declaration) workflow.ChildWorkflowOptions {
	opts := abandonedChild(wfapi.IncidentWorkflowID(d.ID), wfapi.IncidentSummary(d))
	opts.Memo = wfapi.Memo(d)
	return opts
}
