package e2e_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/pagerdutydoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// pagingProcess is testProcess with PagerDuty configured as the sandbox
// configures it: critical pages, a default routing key, and who is on
// call looked up through the default escalation policy.
func pagingProcess() incident.Process {
	p := testProcess()
	p.Severities[0].Page = true
	p.Paging, p.OnCallLookup = true, true
	return p
}

// TestPagingEndToEnd: a critical incident pages the PagerDuty emulator
// once with its dedup key, brings who is on call into the war room (and
// says who has no Slack account), records PagerDuty's acknowledgement
// from the signed webhook on its timeline, and resolving it resolves the
// page.
func TestPagingEndToEnd(t *testing.T) {
	env, incidents, pd := newPagingEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, declaration("e2epage"), true)
	require.NoError(t, err)
	key := wfapi.PageDedupKey("e2epage", "")
	harness.Eventually(t, 10*time.Second, "one trigger with the incident's dedup key", func() bool {
		return len(eventsOf(pd, key, "trigger")) == 1
	})
	var payload struct {
		Summary string `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(eventsOf(pd, key, "trigger")[0].Payload, &payload))
	assert.Equal(t, "[CRITICAL] Checkout <!channel> down", payload.Summary)

	harness.Eventually(t, 10*time.Second, "the on-call named in the war room", func() bool {
		return len(warRoomPostsContaining(env, room.ChannelID, "On call for checkout (PagerDuty)")) == 1
	})
	named := warRoomPostsContaining(env, room.ChannelID, "On call for checkout (PagerDuty)")[0]
	assert.Contains(t, named, "<@"+slackemu.UserDave+"> (level 1)")
	assert.Contains(t, named, "Nadia Novak")
	assert.Contains(t, named, "no Slack account")
	ch, _ := env.Slack.Channel(room.ChannelID)
	assert.Contains(t, ch.Members, slackemu.UserErin, "Erin, on call at level 2, was invited")

	// Paging the same service again by hand sends nothing new.
	out, err := incidents.Page(starter.WithUpdateID(ctx, "e2e-page-1"), "e2epage", wfapi.PageRequest{By: slackemu.UserBob})
	require.NoError(t, err)
	assert.Equal(t, wfapi.PageOutcome{DedupKey: key, Service: "checkout", Already: true}, out)

	require.NoError(t, pd.Acknowledge(key, "Dave Diaz"))
	var inc incident.Incident
	harness.Eventually(t, 10*time.Second, "the acknowledgement on the timeline", func() bool {
		inc, err = incidents.Get(ctx, "e2epage")
		return err == nil && slices.ContainsFunc(inc.Timeline, func(e incident.TimelineEntry) bool {
			return e.Kind == incident.EntryPage && strings.HasPrefix(e.Text, "paged: acknowledged by Dave Diaz at ")
		})
	})
	assert.False(t, inc.PageAcknowledgedAt.IsZero())
	_, ok := inc.TimeToAcknowledgePage()
	assert.True(t, ok)
	assert.Len(t, eventsOf(pd, key, "trigger"), 1, "paged once")

	require.NoError(t, incidents.Resolve(ctx, "e2epage", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))
	inc = result(ctx, t, env, room.WorkflowID)
	assert.Len(t, eventsOf(pd, key, "resolve"), 1, "resolving the incident resolved the page")
	alerts := pd.Alerts()
	require.Len(t, alerts, 1)
	assert.Equal(t, pagerdutyemu.StatusResolved, alerts[0].Status)
	assert.True(t, inc.Pages[0].Resolved)
}

// eventsOf returns the Events API events the emulator took for dedupKey
// with action.
func eventsOf(pd *pagerdutyemu.Server, dedupKey, action string) []pagerdutyemu.Event {
	var out []pagerdutyemu.Event
	for _, ev := range pd.Events() {
		if ev.DedupKey == dedupKey && ev.EventAction == action {
			out = append(out, ev)
		}
	}
	return out
}

// warRoomPostsContaining returns the texts of channel's messages that
// contain sub.
func warRoomPostsContaining(env *harness.Env, channel, sub string) []string {
	var out []string
	for _, m := range env.Slack.Messages(channel) {
		if strings.Contains(m.Text, sub) {
			out = append(out, m.Text)
		}
	}
	return out
}

// newPagingEnv starts Temporal, the Slack and PagerDuty emulators, the
// PagerDuty webhook door (signed, delivering to the starter) and a worker
// whose process pages (pagingProcess) through the emulator.
func newPagingEnv(t *testing.T) (*harness.Env, *starter.Incidents, *pagerdutyemu.Server) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: pagingProcess()}
	pd := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{WebhookRetryDelay: 100 * time.Millisecond})
	const secret = "e2e-pagerduty-webhook-secret"
	door, err := pagerdutydoor.New(pagerdutydoor.Options{Secret: secret, Events: incidents})
	require.NoError(t, err)
	srv := httptest.NewServer(door.Handler())
	t.Cleanup(srv.Close)
	pd.SetWebhook(srv.URL, secret)
	acts := activities.NewPagerDuty(activities.PagerDutyOptions{
		RoutingKey: pagerdutyemu.SandboxRoutingKey, Sandbox: true, Token: pagerdutyemu.SandboxToken,
		EscalationPolicy: pagerdutyemu.SandboxEscalationPolicy, EventsURL: pd.URL(), APIURL: pd.URL(),
	})
	env.NewWorker(t, func(r worker.Registry) {
		register(env, pagingProcess())(r)
		r.RegisterActivity(acts)
	})
	return env, incidents, pd
}

// TestPagingFromSlack: a minor incident doesn't page; the kickoff's Page
// on-call button, pressed through the signed Slack front door, does, once;
// /incident page after it sends nothing new and says so.
func TestPagingFromSlack(t *testing.T) {
	env, incidents, pd := newPagingEnv(t)
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents})
	serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	d := declaration("e2epageslack")
	d.Severity = incident.Minor
	room, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)
	kickoff := posts(env, room.ChannelID, d.ID, "kickoff")
	require.Len(t, kickoff, 1)
	require.Contains(t, string(kickoff[0].Blocks), wfapi.ActionPage, "the kickoff offers to page")
	assert.Empty(t, pd.Events(), "a minor incident doesn't page")

	rep, err := env.Slack.ClickButton(ctx, room.ChannelID, kickoff[0].TS, wfapi.ActionPage, "", slackemu.UserAlice)
	require.NoError(t, err)
	require.False(t, rep.Late)
	key := wfapi.PageDedupKey(d.ID, "")
	harness.Eventually(t, 10*time.Second, "the button's page", func() bool { return len(eventsOf(pd, key, "trigger")) == 1 })
	harness.Eventually(t, 5*time.Second, "the war room told", func() bool {
		return len(warRoomPostsContaining(env, room.ChannelID, "*Paged the on-call of checkout* through PagerDuty, asked by <@"+slackemu.UserAlice+">")) == 1
	})

	rep, err = env.Slack.SlashCommand(ctx, slackemu.SlashCommand{Text: "page", UserID: slackemu.UserDave, ChannelID: room.ChannelID})
	require.NoError(t, err)
	text, _ := rep.JSON["text"].(string)
	assert.Contains(t, text, "was paged for `"+d.ID+"` already, so nothing new was sent")
	assert.Len(t, eventsOf(pd, key, "trigger"), 1)
	require.NoError(t, incidents.Resolve(ctx, d.ID, wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Fixed", Operator: true}))
	result(ctx, t, env, room.WorkflowID)
	assert.Len(t, eventsOf(pd, key, "resolve"), 1)
}
