package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// rateWindow shortens Slack's rate-limit window, in the emulator and in the
// activities alike, so the limits stay on without slowing the tests down.
const rateWindow = 5 * time.Second

// cadence is how often the test severity wants a status update.
const cadence = 2 * time.Second

// testProcess has a severity whose updates are due every two seconds.
func testProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Severities = []incident.SeverityPolicy{
		{Name: incident.Critical, UpdateEvery: cadence, Leads: []string{"erin@example.com"}},
		{Name: incident.Minor, UpdateEvery: time.Hour},
	}
	p.Services = map[string]incident.Service{
		"checkout": {Leads: []string{slackemu.UserDave}, Runbook: "https://runbooks.example.com/checkout"},
	}
	p.Docs = []incident.Doc{{Title: "Incident process", URL: "https://docs.example.com/process"}}
	p.AnnounceChannels = []string{"incidents"}
	p.BroadcastChannels = []string{"general"}
	p.EscalationGroup = "S0ONCALL"
	p.WebUIURL = "http://127.0.0.1:8233"
	p.Retrospective.Enabled = false // the retrospective has its own tests
	return p
}

// declaration declares a critical checkout incident whose title tries to
// ping the channel.
func declaration(id string) incident.Declaration {
	return incident.Declaration{
		ID: id, Title: "Checkout <!channel> down", Summary: "Payments fail with 502",
		Severity: incident.Critical, Service: "checkout", Declarer: slackemu.UserAlice,
		OriginChannel: slackemu.GeneralChannelID,
	}
}

// register registers the incident workflow, the Slack activities and the
// process activity of a worker whose configuration describes proc: the
// incidents follow it, whatever their starter's process.
func register(env *harness.Env, proc incident.Process) func(worker.Registry) {
	return func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
		r.RegisterActivity(activities.NewSlack(env.SlackAPI, activities.SlackOptions{RateWindow: rateWindow}))
		r.RegisterActivity(&activities.Process{Current: proc})
	}
}

// posts returns the messages of a channel incidentflow posted for incident
// id with a key starting with prefix.
func posts(env *harness.Env, channel, id, prefix string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range env.Slack.Messages(channel) {
		if md := m.Metadata; md != nil && md.EventType == activities.PostEventType &&
			md.EventPayload["incident_id"] == id && strings.HasPrefix(md.EventPayload["key"].(string), prefix) {
			out = append(out, m)
		}
	}
	return out
}

// warRooms returns the channels whose purpose names incident id.
func warRooms(env *harness.Env, id string) []slackemu.Channel {
	var out []slackemu.Channel
	for _, ch := range env.Slack.Channels() {
		if strings.HasSuffix(ch.Purpose, "incident "+id) {
			out = append(out, ch)
		}
	}
	return out
}

// newEnv starts Temporal and the Slack emulator, limits on, and returns the
// starter operations for testProcess.
func newEnv(t *testing.T) (*harness.Env, *starter.Incidents) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	return env, &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: testProcess()}
}

// result waits for the incident workflow to end and returns the incident.
func result(ctx context.Context, t *testing.T, env *harness.Env, workflowID string) incident.Incident {
	t.Helper()
	var inc incident.Incident
	require.NoError(t, env.Client.GetWorkflow(ctx, workflowID, "").Get(ctx, &inc))
	return inc
}

// saveHistory writes the history of workflowID to workflows/testdata/file,
// for the replay tests.
func saveHistory(ctx context.Context, t *testing.T, env *harness.Env, workflowID, file string) {
	t.Helper()
	hist := &historypb.History{}
	iter := env.Client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	path := filepath.Join("..", "workflows", "testdata", file)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	t.Logf("recorded %d events in %s", len(hist.Events), path)
}

// slackFrontDoor is the Slack front door of opts, talking to the test's
// Slack emulator with the e2e signing secret.
func slackFrontDoor(env *harness.Env, opts slackdoor.FrontDoorOptions) *slackdoor.FrontDoor {
	opts.Slack, opts.SigningSecret, opts.SlackAPIURL = env.SlackAPI, frontDoorSecret, env.Slack.URL()+"/api/"
	return slackdoor.NewFrontDoor(opts)
}

// serveHTTP serves h on a test listener, has the Slack emulator deliver to
// it over signed HTTP, and returns its base URL.
func serveHTTP(t *testing.T, env *harness.Env, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env.Slack.SetFrontDoor(srv.URL, frontDoorSecret)
	return srv.URL
}
