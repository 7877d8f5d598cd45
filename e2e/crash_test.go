package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/proctest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
)

// crashConfig is the worker's configuration file: a critical severity with
// a lead by email, a service with a lead and a runbook, one document, the
// announcement in #incidents.
const crashConfig = `severities:
  - name: critical
    description: Customers can't use the service
    update_every: 15m
    leads: [erin@example.com]
services:
  checkout:
    severity: critical
    leads: [` + slackemu.UserDave + `]
    runbook: https://runbooks.example.com/checkout
docs:
  - title: Incident process
    url: https://docs.example.com/process
announce_channels: [incidents]
retrospective:
  enabled: false
`

// crashDeadline bounds one declaration that a kill interrupts: the
// activities the kill cut off are retried once their heartbeat timeout
// (a minute) passes.
const crashDeadline = 4 * time.Minute

// killPoint is a Slack call after which the worker is killed: the nth
// successful call of method in the declaration.
type killPoint struct {
	method string
	nth    int
}

func (k killPoint) String() string { return fmt.Sprintf("%s#%d", k.method, k.nth) }

// crashRun is one declaration served by an `incidentflow worker` process of
// its own, on its own task queue, against a Slack emulator of its own.
type crashRun struct {
	id     string
	emu    *slackemu.Server
	worker *proctest.Process
	starts *starter.Incidents

	mu       sync.Mutex
	killedAt time.Time // when the hook killed the worker
	hookErr  error
}

// startCrashRun starts the emulator and the worker process of incident id.
func startCrashRun(t *testing.T, env *harness.Env, bin, id string) *crashRun {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "incidentflow.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(crashConfig), 0o600))
	// Slack's own one-minute window, which the worker's limiter keeps to.
	emu := slackemu.NewTestServer(t, slackemu.Options{})
	queue := "crash-" + id
	w, err := proctest.Start(proctest.Spec{
		Name: "worker-" + id, Path: bin, Args: []string{"worker", "--config", cfgFile},
		LogFile: filepath.Join(dir, "worker.log"),
		Env: proctest.Env(map[string]string{
			"INCIDENTFLOW_TEMPORAL_ADDRESS":    env.Temporal.FrontendAddress(),
			"INCIDENTFLOW_TEMPORAL_NAMESPACE":  env.Temporal.Namespace(),
			"INCIDENTFLOW_TEMPORAL_TASK_QUEUE": queue,
			"INCIDENTFLOW_SLACK_BOT_TOKEN":     slackemu.DefaultBotToken,
			"INCIDENTFLOW_SLACK_API_URL":       emu.URL() + "/api/",
		}),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("worker log of %s:\n%s", id, w.LogTail(40))
		}
		_ = w.Kill()
	})
	return &crashRun{id: id, emu: emu, worker: w,
		starts: &starter.Incidents{Client: env.Client, TaskQueue: queue, Process: incident.DefaultProcess()}}
}

// killAfter arranges for the worker to be killed with SIGKILL right after
// Slack applied the call k names, that call's answer withheld, and started
// again.
func (r *crashRun) killAfter(k killPoint) {
	r.emu.AfterApplied(k.method, k.nth, slackemu.StallAnswer, func() {
		err := r.worker.Kill()
		r.mu.Lock()
		r.killedAt = time.Now()
		r.mu.Unlock()
		if err == nil {
			err = r.worker.Restart()
		}
		r.mu.Lock()
		r.hookErr = err
		r.mu.Unlock()
	})
}

// declare declares the incident and waits until its war room is ready.
func (r *crashRun) declare(t *testing.T) incident.WarRoom {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), crashDeadline)
	defer cancel()
	d := declaration(r.id)
	d.DeclaredAt = time.Now().UTC()
	room, err := r.starts.Declare(ctx, d, true)
	require.NoError(t, err, "the war room of %s was not ready within %s", r.id, crashDeadline)
	return room
}

// appliedCalls are the calls Slack answered ok, in order, each numbered
// within its method.
func appliedCalls(emu *slackemu.Server) []killPoint {
	var out []killPoint
	seen := map[string]int{}
	for _, c := range emu.Calls() {
		if c.Status != 200 || c.Error != "" {
			continue
		}
		seen[c.Method]++
		out = append(out, killPoint{method: c.Method, nth: seen[c.Method]})
	}
	return out
}

// warRoomShape is what a finished war room has, counted in the emulator.
type warRoomShape struct {
	rooms, kickoffs, announcements, acks int
	members, bookmarks                   []string
	pinned                               bool
	purpose, topic                       string
}

// shape counts the war room of run r.
func (r *crashRun) shape(room incident.WarRoom) warRoomShape {
	var s warRoomShape
	for _, ch := range r.emu.Channels() {
		if ch.IsIM || ch.IsMpIM || ch.Creator != slackemu.BotUserID {
			continue
		}
		s.rooms++ // every channel the bot created: the war room, or a second one
	}
	if ch, ok := r.emu.Channel(room.ChannelID); ok {
		s.members = slices.Clone(ch.Members)
		for _, b := range ch.Bookmarks {
			s.bookmarks = append(s.bookmarks, b.Link)
		}
		s.purpose, s.topic = ch.Purpose, ch.Topic
	}
	kickoffs := postsIn(r.emu, room.ChannelID, r.id, activities.KeyKickoff)
	s.kickoffs = len(kickoffs)
	s.pinned = len(kickoffs) == 1 && kickoffs[0].Pinned
	s.announcements = len(postsIn(r.emu, slackemu.IncidentsChannelID, r.id, activities.KeyAnnounce))
	s.acks = len(r.emu.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice))
	return s
}

// postsIn returns the posts of incident id with key in a channel.
func postsIn(emu *slackemu.Server, channel, id, key string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range emu.Messages(channel) {
		if md := m.Metadata; md != nil && md.EventType == activities.PostEventType &&
			md.EventPayload["incident_id"] == id && md.EventPayload["key"] == key {
			out = append(out, m)
		}
	}
	return out
}

// TestWarRoomSurvivesAKillAtEverySlackCall declares an incident once
// cleanly to learn the Slack calls a declaration makes, then once per call:
// the `incidentflow worker` process is killed with SIGKILL right after
// Slack applied that call (its answer never sent) and started again. Every
// time, the incident reaches "war room ready" with one war room, one
// kickoff (pinned), one announcement, each responder a member once and
// each bookmark once.
func TestWarRoomSurvivesAKillAtEverySlackCall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits out heartbeat timeouts")
	}
	env := harness.Start(t, slackemu.Options{})
	bin, err := proctest.Build(t.TempDir())
	require.NoError(t, err)

	clean := startCrashRun(t, env, bin, "crashclean")
	room := clean.declare(t)
	want := clean.shape(room)
	require.Equal(t, 1, want.rooms)
	require.Equal(t, 1, want.kickoffs)
	require.True(t, want.pinned)
	require.Equal(t, 1, want.announcements)
	require.Equal(t, 1, want.acks)
	require.ElementsMatch(t, []string{slackemu.BotUserID, slackemu.UserAlice, slackemu.UserErin, slackemu.UserDave}, want.members)
	require.Len(t, want.bookmarks, 2)
	points := appliedCalls(clean.emu)
	require.NotEmpty(t, points)
	var names []string
	for _, p := range points {
		names = append(names, p.String())
	}
	t.Logf("a declaration makes %d Slack calls: %s", len(points), strings.Join(names, ", "))
	methods := map[string]bool{}
	for _, p := range points {
		methods[p.method] = true
	}
	for _, m := range []string{"conversations.create", "conversations.rename", "conversations.invite",
		"conversations.setTopic", "conversations.setPurpose", "chat.postMessage", "pins.add", "bookmarks.add"} {
		require.True(t, methods[m], "the clean declaration made no %s: the test no longer follows the code", m)
	}

	for i, p := range points {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			r := startCrashRun(t, env, bin, fmt.Sprintf("crash%02d", i))
			r.killAfter(p)
			room := r.declare(t)
			readyAt := time.Now()
			r.mu.Lock()
			killedAt, hookErr := r.killedAt, r.hookErr
			r.mu.Unlock()
			require.NoError(t, hookErr)
			require.False(t, killedAt.IsZero(), "the worker was never killed: %s never happened", p)

			got := r.shape(room)
			assert.Equal(t, 1, got.rooms, "one war room")
			assert.Equal(t, 1, got.kickoffs, "one kickoff")
			assert.True(t, got.pinned, "the kickoff pinned")
			assert.Equal(t, 1, got.announcements, "one announcement")
			assert.ElementsMatch(t, want.members, got.members, "each responder a member, once")
			assert.ElementsMatch(t, want.bookmarks, got.bookmarks, "each bookmark once")
			assert.True(t, strings.HasSuffix(got.purpose, " · incident "+r.id), "purpose %q", got.purpose)
			assert.NotEmpty(t, got.topic)
			assert.GreaterOrEqual(t, got.acks, 1, "the declarer acknowledged")
			if got.acks > 1 {
				t.Logf("%s: the declarer saw the ephemeral acknowledgement %d times (Slack can't list ephemerals)", p, got.acks)
			}
			for _, ch := range r.emu.Channels() {
				assert.False(t, strings.HasPrefix(ch.Name, activities.ProvisionalPrefix), "channel %s left under its provisional name", ch.Name)
			}

			var next time.Time
			var method string
			for _, c := range r.emu.Calls() {
				if c.Start.After(killedAt) && (next.IsZero() || c.Start.Before(next)) {
					next, method = c.Start, c.Method
				}
			}
			t.Logf("killed after %s; the restarted worker's next Slack call (%s) came %s after the kill; war room ready %s after the kill",
				p, method, next.Sub(killedAt).Round(10*time.Millisecond), readyAt.Sub(killedAt).Round(10*time.Millisecond))
		})
	}
}
