package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/statuspageemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// publicIncident finds the public incident of incident id on the emulated
// page.
func publicIncident(emu *statuspageemu.Server, id string) (statuspageemu.StateIncident, bool) {
	for _, in := range emu.State().Incidents {
		if in.Metadata["incidentflow"]["incident_id"] == id {
			return in, true
		}
	}
	return statuspageemu.StateIncident{}, false
}

// componentStatuses maps the components of a public incident to their
// statuses.
func componentStatuses(in statuspageemu.StateIncident) map[string]string {
	out := map[string]string{}
	for _, c := range in.Components {
		out[c.ID] = c.Status
	}
	return out
}

// TestStatusPageEndToEnd publishes an incident through the starter to the
// Statuspage emulator: the public incident holds the public title, text
// and components; an update with a public part is a second update there,
// one without none; the resolution resolves it and sets its components
// back to operational. Recorded for the replay tests with
// INCIDENTFLOW_RECORD_HISTORY=1 (incident_history_statuspage.json); its
// first steps without the status page (declare, update, resolve),
// recorded with the code before "statuspage", are
// incident_history_before_statuspage.json.
func TestStatusPageEndToEnd(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	emu := statuspageemu.NewTestServer(t, statuspageemu.Options{})
	proc := testProcess()
	proc.StatusPage = true
	checkout := proc.Services["checkout"]
	checkout.StatusPageComponents = []string{"cmpcheckout01", "cmppayments01"}
	proc.Services["checkout"] = checkout
	env.NewWorker(t, func(r worker.Registry) {
		register(env, proc)(r)
		r.RegisterActivity(activities.NewStatusPage(activities.StatusPageOptions{APIURL: emu.URL(),
			PageID: statuspageemu.SandboxPageID, APIKey: statuspageemu.SandboxAPIKey}))
	})
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, declaration("e2esp"), true)
	require.NoError(t, err)
	assert.Empty(t, emu.State().Incidents, "nothing goes public from a declaration")
	kickoff := posts(env, room.ChannelID, "e2esp", activities.KeyKickoff)
	require.Len(t, kickoff, 1)
	assert.Contains(t, string(kickoff[0].Blocks), `"action_id":"`+wfapi.ActionPublishStatusPage+`"`, "the kickoff offers to publish")

	out, err := incidents.PublishStatusPage(ctx, "e2esp", wfapi.PublishStatusPageRequest{
		By: slackemu.UserAlice, Name: "Degraded service: checkout", Body: "Some payments fail. We're investigating.", Impact: "major",
		Components: map[string]string{"cmpcheckout01": "partial_outage", "cmppayments01": "degraded_performance"},
	})
	require.NoError(t, err)
	assert.True(t, out.Created)
	var public statuspageemu.StateIncident
	harness.Eventually(t, 20*time.Second, "the public incident", func() bool {
		var ok bool
		public, ok = publicIncident(emu, "e2esp")
		return ok
	})
	assert.Equal(t, "Degraded service: checkout", public.Name)
	assert.Equal(t, "investigating", public.Status)
	assert.Equal(t, "Some payments fail. We're investigating.", public.Body)
	assert.Equal(t, map[string]string{"cmpcheckout01": "partial_outage", "cmppayments01": "degraded_performance"}, componentStatuses(public))
	assert.NotContains(t, public.Name+public.Body, "<!channel>", "the internal title stays internal")

	require.NoError(t, incidents.PostStatus(ctx, "e2esp", wfapi.PostStatusRequest{Author: slackemu.UserAlice, Status: incident.Identified,
		Text: "Bad deploy of payments-7f3", Public: &wfapi.PublicUpdate{Body: "We found the cause and are fixing it."}}))
	require.NoError(t, incidents.PostStatus(ctx, "e2esp", wfapi.PostStatusRequest{Author: slackemu.UserAlice, Status: incident.Mitigated,
		Text: "Rolled back, watching"}))
	harness.Eventually(t, 20*time.Second, "the public update", func() bool {
		public, _ = publicIncident(emu, "e2esp")
		return len(public.Updates) == 2
	})
	assert.Equal(t, "identified", public.Status)
	assert.Equal(t, "We found the cause and are fixing it.", public.Updates[1].Body)

	require.NoError(t, incidents.Resolve(ctx, "e2esp", wfapi.ResolveRequest{By: slackemu.UserAlice, Summary: "Rolled back payments-7f3"}))
	inc := result(ctx, t, env, room.WorkflowID)
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, room.WorkflowID, "incident_history_statuspage.json")
	}
	public, _ = publicIncident(emu, "e2esp")
	assert.Equal(t, "resolved", public.Status)
	assert.Len(t, public.Updates, 3, "the internal-only update wasn't published")
	assert.Equal(t, map[string]string{"cmpcheckout01": "operational", "cmppayments01": "operational"}, componentStatuses(public))
	assert.Len(t, emu.State().Incidents, 1, "one public incident")
	for _, c := range emu.State().Components {
		assert.Equal(t, "operational", c.Status, c.ID)
	}
	assert.NotContains(t, public.Updates[2].Body, "payments-7f3", "the internal resolution stays internal")

	var entries []string
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryStatusPage {
			entries = append(entries, e.Text)
		}
	}
	require.Len(t, entries, 3)
	assert.True(t, strings.HasPrefix(entries[0], "published to the status page at "), entries[0])
	assert.Len(t, posts(env, room.ChannelID, "e2esp", "statuspage-published"), 1, "the war room hears where the public incident is")
}
