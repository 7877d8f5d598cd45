package e2e_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// drillTestProcess announces, broadcasts, escalates and invites leads, so
// that a drill doing none of it is seen to.
func drillTestProcess() incident.Process {
	p := incident.DefaultProcess()
	for i := range p.Severities {
		p.Severities[i].Leads = []string{slackemu.UserErin}
	}
	p.Services = map[string]incident.Service{"deploys": {Leads: []string{slackemu.UserDave}}}
	p.AnnounceChannels = []string{"incidents"}
	p.BroadcastChannels = []string{"general"}
	p.EscalationGroup = "S0ONCALL"
	return p
}

// registerDrills runs the incident workflow, the drill launcher and the
// debriefs, kept as issues of the GitHub emulator.
func registerDrills(t *testing.T, env *harness.Env, gh *githubemu.Server) func(worker.Registry) {
	ghClient, err := activities.NewGitHubClient(githubemu.SandboxToken, gh.URL(), nil)
	require.NoError(t, err)
	return func(r worker.Registry) {
		register(env, drillTestProcess())(r)
		r.RegisterWorkflowWithOptions(workflows.DrillLaunchWorkflow, workflow.RegisterOptions{Name: wfapi.DrillLaunchWorkflowName})
		r.RegisterActivity(&activities.Debriefs{GitHub: activities.NewGitHub(ghClient, retroRepo)})
	}
}

// TestDrillThroughTheFrontDoor plays the built-in bad-deploy scenario at
// 8× the way responders do, through the signed HTTP front door: the drill
// form, then /incident comms, hint, update, action and resolve in the
// drill room. The injects come into the room as the scenario says;
// nothing reaches #incidents or #general and no lead is invited; the
// debrief issue, labelled drill, has the scores worked out by hand.
func TestDrillThroughTheFrontDoor(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	gh := githubemu.NewTestServer(t, githubemu.Options{})
	env.NewWorker(t, registerDrills(t, env, gh))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: drillTestProcess()}
	drills := &starter.Drills{Incidents: incidents, Scenarios: drill.BuiltIn()}
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents, Drills: drills})
	serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	drv := slackDriver{t: t, env: env, ctx: ctx}

	// Alice starts it from #general, with Bob and Carol taking part.
	require.Empty(t, drv.slash(slackemu.GeneralChannelID, slackemu.UserAlice, "drill bad-deploy").Body)
	v := drv.openView(slackdoor.CallbackDrill)
	rep := drv.submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldDrillScenario: selectedInput(slackdoor.FieldDrillScenario, "bad-deploy"),
		slackdoor.FieldDrillParticipants: input("multi_users_select", slackdoor.FieldDrillParticipants, func(a *slack.BlockAction) {
			a.SelectedUsers = []string{slackemu.UserBob, slackemu.UserCarol}
		}),
		slackdoor.FieldDrillCommander: input("users_select", slackdoor.FieldDrillCommander, func(a *slack.BlockAction) { a.SelectedUser = slackemu.UserAlice }),
		slackdoor.FieldDrillSpeed:     selectedInput(slackdoor.FieldDrillSpeed, "8"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "the drill form answered %s", rep.Body)

	var room slackemu.Channel
	harness.Eventually(t, 20*time.Second, "the drill room", func() bool {
		for _, ch := range env.Slack.Channels() {
			if strings.HasPrefix(ch.Name, "drill-inc-") {
				room = ch
				return true
			}
		}
		return false
	})
	id, err := incidents.ByChannel(ctx, room.ID)
	require.NoError(t, err)
	harness.Eventually(t, 10*time.Second, "Alice told where the drill is", func() bool {
		for _, m := range env.Slack.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice) {
			if strings.Contains(m.Text, "Drill started") && strings.Contains(m.Text, room.ID) {
				return true
			}
		}
		return false
	})
	harness.Eventually(t, 10*time.Second, "the participants invited", func() bool {
		ch, _ := env.Slack.Channel(room.ID)
		return slices.Contains(ch.Members, slackemu.UserBob) && slices.Contains(ch.Members, slackemu.UserCarol)
	})
	roomHas := func(text string) bool {
		for _, m := range env.Slack.Messages(room.ID) {
			if strings.Contains(m.Text, text) {
				return true
			}
		}
		return false
	}
	// The alert at 30s and the deploy bot at 1m come at 8×: within 8s.
	harness.Eventually(t, 15*time.Second, "the simulated alert and the deploy bot", func() bool {
		return roomHas("Simulated alert") && roomHas("HighErrorRate") && roomHas("*Deploy bot* (simulated)")
	})

	assert.Contains(t, drv.slash(room.ID, slackemu.UserAlice, "comms <@U0CAROL|carol>").JSON["text"], "<@U0CAROL> is now the comms of")
	assert.Contains(t, drv.slash(room.ID, slackemu.UserBob, "hint").JSON["text"], "Hint 1 of 6")
	harness.Eventually(t, 5*time.Second, "the hint in the room", func() bool { return roomHas(":bulb: Hint 1 of 6") })

	require.Empty(t, drv.slash(room.ID, slackemu.UserAlice, "update identified").Body)
	v = drv.openView(slackdoor.CallbackUpdate)
	rep = drv.submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldStatus: selectedInput(slackdoor.FieldStatus, "identified"),
		slackdoor.FieldText:   textInput(slackdoor.FieldText, "v2.14.0 broke checkout; rolling back"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "update answered %s", rep.Body)
	// status:identified + 2m at 8×: 15s later, the rollback fails.
	harness.Eventually(t, 30*time.Second, "the failed rollback", func() bool { return roomHas("The rollback to v2.13.4 finished") })
	assert.Contains(t, drv.slash(room.ID, slackemu.UserAlice, "action Require down migrations for every migration").JSON["text"], "Recorded the action item")

	require.Empty(t, drv.slash(room.ID, slackemu.UserAlice, "resolve").Body)
	v = drv.openView(slackdoor.CallbackResolve)
	rep = drv.submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldResolution: textInput(slackdoor.FieldResolution, "Rolled forward with the hotfix"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "resolve answered %s", rep.Body)
	inc := result(ctx, t, env, wfapi.IncidentWorkflowID(id))
	assert.Equal(t, incident.KindDrill, inc.Declaration.Kind)
	assert.Equal(t, incident.SourceDrill, inc.Declaration.Source)

	// Hand-checked: five expectations met (acknowledged, first update,
	// identified, action item, resolved), the first update and both roles
	// within the 3m45s cadence (major's 30m at 8×), and the one update
	// interval ended on time: 8 of 5 + 2 + 1.
	res, err := env.Client.QueryWorkflow(ctx, wfapi.IncidentWorkflowID(id), "", wfapi.QueryDrill)
	require.NoError(t, err)
	var report wfapi.DrillReport
	require.NoError(t, res.Get(&report))
	require.NotNil(t, report.Score)
	assert.Equal(t, 8, report.Score.MaxPoints)
	assert.Equal(t, 8, report.Score.Points)
	assert.Equal(t, 1, report.Score.HintsUsed)
	assert.Equal(t, 3*time.Minute+45*time.Second, report.Score.Cadence)

	var debrief []githubemu.Issue
	harness.Eventually(t, 10*time.Second, "the debrief issue", func() bool {
		debrief = gh.Issues(retroRepo)
		return len(debrief) > 0
	})
	require.Len(t, debrief, 1, "the debrief is the only issue")
	assert.Equal(t, "Drill debrief: Checkout errors after the 14:02 deploy (8/8)", debrief[0].Title)
	assert.Equal(t, []string{activities.DrillLabel}, debrief[0].Labels)
	assert.Contains(t, debrief[0].Body, "8/8 points")
	assert.Contains(t, debrief[0].Body, "Hints used: 1 of 6")
	harness.Eventually(t, 10*time.Second, "the debrief in the room", func() bool {
		return roomHas("Drill debrief") && roomHas(debrief[0].HTMLURL)
	})

	// Safe by construction.
	for _, m := range env.Slack.Messages(room.ID) {
		if m.User == "" || m.Metadata == nil {
			continue // a person's message, a join
		}
		assert.True(t, strings.HasPrefix(m.Text, "DRILL · "), "a drill-room message without DRILL: %q", m.Text)
	}
	assert.Empty(t, posts(env, slackemu.IncidentsChannelID, id, ""), "nothing in #incidents")
	assert.Empty(t, posts(env, slackemu.GeneralChannelID, id, ""), "nothing broadcast in #general")
	ch, _ := env.Slack.Channel(room.ID)
	assert.NotContains(t, ch.Members, slackemu.UserErin, "the severity's lead is not invited")
	assert.NotContains(t, ch.Members, slackemu.UserDave, "the service's lead is not invited")

	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, wfapi.IncidentWorkflowID(id), "drill_history.json")
	}
}

// TestDrillSchedules keeps the drill schedules as a worker does at start
// (created, the same again, then gone once unconfigured) and runs one:
// the launcher starts a drill with the schedule's participants, once.
func TestDrillSchedules(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	gh := githubemu.NewTestServer(t, githubemu.Options{})
	env.NewWorker(t, registerDrills(t, env, gh))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	sc, ok := drill.Find(drill.BuiltIn(), "database-outage")
	require.True(t, ok)
	when, err := drill.ParseWhen("every first tuesday 10:00")
	require.NoError(t, err)
	ds := &starter.DrillSchedules{Client: env.Client, TaskQueue: harness.TaskQueue, TimeZone: "Europe/Berlin"}
	want := []starter.DrillSchedule{{Scenario: sc, When: when, Participants: []string{slackemu.UserBob}, Speed: 60}}
	kept, err := ds.Ensure(ctx, want)
	require.NoError(t, err)
	assert.Equal(t, []string{"drill-schedule-database-outage"}, kept)
	_, err = ds.Ensure(ctx, want) // a second worker starting
	require.NoError(t, err)

	handle := env.Client.ScheduleClient().GetHandle(ctx, wfapi.DrillScheduleID("database-outage"))
	desc, err := handle.Describe(ctx)
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	require.NotEmpty(t, desc.Info.NextActionTimes)
	for _, next := range desc.Info.NextActionTimes {
		local := next.In(berlin)
		assert.True(t, local.Weekday() == time.Tuesday && local.Day() <= 7 && local.Hour() == 10 && local.Minute() == 0,
			"the first Tuesday of a month at 10:00 in Berlin: %v", local)
	}

	require.NoError(t, handle.Trigger(ctx, client.ScheduleTriggerOptions{}))
	var room slackemu.Channel
	harness.Eventually(t, 20*time.Second, "the scheduled drill's room, with its participant", func() bool {
		for _, ch := range env.Slack.Channels() {
			if strings.HasPrefix(ch.Name, "drill-inc-") && slices.Contains(ch.Members, slackemu.UserBob) {
				room = ch
				return true
			}
		}
		return false
	})
	harness.Eventually(t, 10*time.Second, "a first inject", func() bool {
		for _, m := range env.Slack.Messages(room.ID) {
			if strings.Contains(m.Text, "Simulated alert") {
				return true
			}
		}
		return false
	})

	kept, err = ds.Ensure(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, kept)
	_, err = handle.Describe(ctx)
	assert.Error(t, err, "the schedule of a drill no longer configured is deleted")
}
