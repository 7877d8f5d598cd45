package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
)

// TestTheWorkflowListShowsTitles: the Web UI's workflow list shows each
// incident by its title, and a security incident as "security incident",
// through the static summary Declare sets.
func TestTheWorkflowListShowsTitles(t *testing.T) {
	env, incidents := newEnv(t)
	env.NewWorker(t, register(env, testProcess()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	secret := declaration("e2esecret")
	secret.Title, secret.Security = "Leaked deploy key", true
	for _, c := range []struct {
		d    incident.Declaration
		want string
	}{
		{declaration("e2etitle"), "Checkout <!channel> down"},
		{secret, "security incident"},
	} {
		room, err := incidents.Declare(ctx, c.d, false)
		require.NoError(t, err)
		assert.Equal(t, c.want, staticSummary(ctx, t, env, room.WorkflowID), c.d.ID)
	}
}

// staticSummary is the summary the Web UI lists workflowID with.
func staticSummary(ctx context.Context, t *testing.T, env *harness.Env, workflowID string) string {
	t.Helper()
	desc, err := env.Client.DescribeWorkflowExecution(ctx, workflowID, "")
	require.NoError(t, err)
	var summary string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(desc.GetExecutionConfig().GetUserMetadata().GetSummary(), &summary))
	return summary
}
