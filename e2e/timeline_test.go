package e2e_test

import (
	"context"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestTimelineFromSlack marks war-room messages the ways a responder does —
// a 📌 reaction, a pin, the message shortcut — through the front door over
// HTTP and over Socket Mode, against a real Temporal server and the
// emulators: three messages marked, one unmarked, one edited, a
// redelivered event; the postmortem's timeline then holds the right two,
// with the edited text and their original times.
func TestTimelineFromSlack(t *testing.T) {
	for _, transport := range []slackemu.Transport{slackemu.HTTP, slackemu.Socket} {
		t.Run(transport.String(), func(t *testing.T) { testTimelineFromSlack(t, transport) })
	}
}

func testTimelineFromSlack(t *testing.T, transport slackemu.Transport) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	gh := githubemu.NewTestServer(t, githubemu.Options{})
	env.NewWorker(t, registerRetro(t, env, gh))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: retroProcess()}
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if transport == slackemu.Socket {
		env.Slack.SetTransport(slackemu.Socket)
		done := make(chan error, 1)
		go func() { done <- fd.RunSocketMode(ctx, slackemu.DefaultAppToken) }()
		t.Cleanup(func() { cancel(); <-done })
		harness.Eventually(t, 10*time.Second, "the Socket Mode connection", func() bool { return env.Slack.SocketConnections() > 0 })
	} else {
		serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	}

	id := "e2emarks" + transport.String()
	d := declaration(id)
	d.Severity = incident.Minor // no reminders during the test
	room, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)
	_, err = env.SlackAPI.InviteUsersToConversationContext(ctx, room.ChannelID, slackemu.UserBob)
	require.NoError(t, err)

	post := func(user, text string) string {
		t.Helper()
		m, err := env.Slack.PostAs(room.ChannelID, user, text, "")
		require.NoError(t, err)
		return m.TS
	}
	spike := post(slackemu.UserBob, "Error rate on checkout spiking since 13:55")
	cause := post(slackemu.UserAlice, "Found it: the 14:00 deploy changed the pool size")
	failover := post(slackemu.UserBob, "Decision: failing over to the secondary region")
	post(slackemu.UserAlice, "Rolling back now") // never marked
	// Marked a moment later: the entries must keep the messages' own times.
	time.Sleep(1100 * time.Millisecond)

	marked := func() map[string]incident.TimelineEntry {
		inc, err := incidents.Get(ctx, id)
		require.NoError(t, err)
		out := map[string]incident.TimelineEntry{}
		for _, e := range inc.Timeline {
			if e.Kind == incident.EntryMessage {
				out[e.Message.TS] = e
			}
		}
		return out
	}
	acked := func(ts string) bool {
		for _, m := range env.Slack.Messages(room.ChannelID) {
			if m.TS != ts {
				continue
			}
			for _, r := range m.Reactions {
				if r.Name == incident.MarkAckReaction && len(r.Users) > 0 {
					return true
				}
			}
		}
		return false
	}

	// Three ways to mark.
	require.NoError(t, env.Slack.React(ctx, room.ChannelID, spike, slackemu.UserAlice, "pushpin"))
	require.NoError(t, env.Slack.PinAs(ctx, room.ChannelID, cause, slackemu.UserBob))
	rep, err := env.Slack.MessageShortcut(ctx, "add_to_timeline", room.ChannelID, failover, slackemu.UserAlice)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rep.Status)
	harness.Eventually(t, 15*time.Second, "three marked messages, each acknowledged with ✅", func() bool {
		return len(marked()) == 3 && acked(spike) && acked(cause) && acked(failover)
	})
	entries := marked()
	for ts, author := range map[string]string{spike: slackemu.UserBob, cause: slackemu.UserAlice, failover: slackemu.UserBob} {
		e := entries[ts]
		assert.Equal(t, tsTime(t, ts), e.At, "the message's own time, not the mark's")
		assert.Equal(t, author, e.Actor)
		assert.NotEmpty(t, e.Message.Permalink)
	}
	assert.Equal(t, []incident.Mark{{By: slackemu.UserBob, Via: incident.ViaPin}}, entries[cause].Message.Marks)
	harness.Eventually(t, 10*time.Second, "the shortcut's private answer", func() bool {
		return strings.Contains(privateAnswer(env, rep, room.ChannelID, slackemu.UserAlice), "Added to the timeline")
	})

	// Slack redelivers the reaction: applied once (no second ✅ call).
	reactionsAdded := env.Slack.CallCount("reactions.add")
	require.NoError(t, env.Slack.Redeliver(ctx, lastEvent(t, env, "reaction_added")))
	time.Sleep(time.Second)
	assert.Len(t, marked(), 3, "a redelivered event is one mark")
	assert.Equal(t, reactionsAdded, env.Slack.CallCount("reactions.add"), "and one acknowledgement")

	// One unmarked, one edited by its author.
	require.NoError(t, env.Slack.Unreact(ctx, room.ChannelID, spike, slackemu.UserAlice, "pushpin"))
	require.NoError(t, env.Slack.EditAs(ctx, room.ChannelID, cause, slackemu.UserAlice,
		"Found it: the 14:00 deploy halved the DB pool size"))
	harness.Eventually(t, 15*time.Second, "the unmarked one gone, the edit followed", func() bool {
		m := marked()
		_, gone := m[spike]
		return len(m) == 2 && !gone && m[cause].Message.Edited && !acked(spike)
	})
	assert.Equal(t, "Found it: the 14:00 deploy halved the DB pool size", marked()[cause].Text)

	// /incident timeline shows what is marked, privately.
	cmd, err := env.Slack.SlashCommand(ctx, slackemu.SlashCommand{Text: "timeline", UserID: slackemu.UserBob, ChannelID: room.ChannelID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cmd.Status)
	shown := privateAnswer(env, cmd, room.ChannelID, slackemu.UserBob)
	assert.Contains(t, shown, "halved the DB pool size")
	assert.Contains(t, shown, "failing over to the secondary region")
	assert.NotContains(t, shown, "Error rate on checkout spiking")

	// Resolved: the postmortem's timeline holds the two, at their times.
	require.NoError(t, incidents.Resolve(ctx, id, wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Failed over", Operator: true}))
	var body string
	harness.Eventually(t, 30*time.Second, "the postmortem", func() bool {
		for _, is := range gh.Issues(retroRepo) {
			if strings.Contains(is.Body, incident.PostmortemMarker(id)) {
				body = is.Body
				return true
			}
		}
		return false
	})
	causeLine, failoverLine := lineWith(body, "halved the DB pool size"), lineWith(body, "failing over to the secondary region")
	require.NotEmpty(t, causeLine, "the edited message is in the postmortem:\n%s", body)
	require.NotEmpty(t, failoverLine, "the shortcut's message is in the postmortem:\n%s", body)
	assert.Contains(t, causeLine, tsTime(t, cause).UTC().Format("15:04"), "its own time")
	assert.Contains(t, causeLine, "edited")
	assert.Contains(t, failoverLine, tsTime(t, failover).UTC().Format("15:04"))
	assert.NotContains(t, body, "Error rate on checkout spiking", "unmarked: not in the postmortem")
	assert.Less(t, strings.Index(body, causeLine), strings.Index(body, failoverLine), "in time order")
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" && transport == slackemu.HTTP {
		saveHistory(ctx, t, env, room.WorkflowID, "incident_history_marks.json")
	}
}

// tsTime is the time of a Slack message ts ("1700000000.000100").
func tsTime(t *testing.T, ts string) time.Time {
	t.Helper()
	sec, frac, ok := strings.Cut(ts, ".")
	require.True(t, ok, ts)
	s, err := strconv.ParseInt(sec, 10, 64)
	require.NoError(t, err)
	us, err := strconv.ParseInt(frac, 10, 64)
	require.NoError(t, err)
	return time.Unix(s, us*1000).UTC()
}

// lastEvent is the ID of the last Events API event of type typ the
// emulator delivered.
func lastEvent(t *testing.T, env *harness.Env, typ string) string {
	t.Helper()
	evs := env.Slack.DeliveredEvents()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i].EventID
		}
	}
	t.Fatalf("no %s event delivered", typ)
	return ""
}

// privateAnswer is everything the app answered user privately to the
// delivery rep: the answer itself, its response_url posts and the
// ephemeral messages in channel.
func privateAnswer(env *harness.Env, rep *slackemu.Reply, channel, user string) string {
	out := []string{string(rep.Body)}
	if rep.ResponseURL != "" {
		for _, p := range env.Slack.ResponseURLPosts(path.Base(rep.ResponseURL)) {
			out = append(out, p.Text)
		}
	}
	for _, m := range env.Slack.Ephemerals(channel, user) {
		out = append(out, m.Text)
	}
	return strings.Join(out, "\n")
}

// lineWith is the line of text containing s, or "".
func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
