package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/workflows"
)

// TestRetrospectiveHistoryReplays replays a recorded retrospective (booked,
// published, an action item added, marked done, followed until its issues
// closed, war room archived) against the current workflow code: a change
// that would break retrospectives in flight fails here. Re-record with
// INCIDENTFLOW_RECORD_HISTORY=1 go test ./e2e -run TestRetrospectiveEndToEnd,
// keeping the old file as another case when the change is versioned.
func TestRetrospectiveHistoryReplays(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.RetrospectiveWorkflow, workflow.RegisterOptions{Name: workflows.RetrospectiveWorkflowName})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(quietLogger(), "testdata/retrospective_history.json"))
}
