package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/workflows"
)

// TestIncidentHistoryReplays replays a recorded incident (declared, reminded
// and escalated, updated, resolved) against the current workflow code: a
// change that would break incidents in flight fails here. Re-record with
// INCIDENTFLOW_RECORD_HISTORY=1 go test ./e2e -run TestIncidentLifecycle,
// keeping the old file as another case when the change is versioned.
func TestIncidentHistoryReplays(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: workflows.IncidentWorkflowName})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(quietLogger(), "testdata/incident_history.json"))
}
