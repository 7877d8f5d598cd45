package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/proctest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// recoverySettings configure the crash-recovery figure.
type recoverySettings struct {
	Kills   int           // kill -9s, one per burst
	Burst   int           // incidents declared at once before each kill
	Latency time.Duration // per Slack call
}

// recoveryTarget is the bound on the time from a worker's kill -9
// to the next Slack call of each incident it was working on, with a second
// worker running.
const recoveryTarget = 5 * time.Second

// killWindow is the span after a burst's first Slack call within which the
// kill falls, uniformly: about as long as a burst's war rooms take to open.
const killWindow = 800 * time.Millisecond

// runRecovery runs two `incidentflow worker` processes (the real binary,
// built once) on the figure's task queue, declares a burst of incidents,
// kills one worker with SIGKILL at a random moment while the war rooms open,
// and measures, for every incident that had an activity running on the
// killed worker, how long until its next Slack call (made by the survivor).
// Once the burst's war rooms are all ready the killed worker is started
// again, and the next burst begins. At the end it counts the incidents
// doubled (two war rooms, kickoffs or announcements) and lost (no ready war
// room).
func runRecovery(ctx context.Context, h *harness, set recoverySettings) *figure {
	fig, s, end := h.startFigure(ctx, "crash recovery", 0, nil, stackOptions{name: "recovery", latency: set.Latency, noWorker: true})
	defer end()
	if s == nil {
		return fig
	}
	r := &recoveryRun{s: s, set: set, fig: fig}
	defer r.stopWorkers() // also those started before a failure
	if err := r.startWorkers(ctx); err != nil {
		fig.Error = err.Error()
		return fig
	}
	for k := range set.Kills {
		if ctx.Err() != nil {
			fig.Error = fmt.Sprintf("stopped after %d of %d kills: %v", k, set.Kills, ctx.Err())
			break
		}
		if err := r.round(ctx, k); err != nil {
			fig.Error = fmt.Sprintf("kill %d: %v", k+1, err)
			break
		}
	}
	r.countRetries(ctx)
	r.judge(fig)
	return fig
}

// countRetries counts, over every incident's history, the activities that
// needed more than one attempt although no kill interrupted them: a
// heartbeat timeout on a healthy (if slow) call, or a Slack error.
func (r *recoveryRun) countRetries(ctx context.Context) {
	interrupted := map[string]bool{} // incident/activity ID
	for _, k := range r.kills {
		for _, a := range k.interrupted {
			interrupted[a.incident+"/"+a.activityID] = true
		}
	}
	for _, id := range r.incidents {
		iter := r.s.h.client.GetWorkflowHistory(ctx, wfapi.IncidentWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		scheduled := map[int64]string{} // event ID → activity ID
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				break
			}
			if s := ev.GetActivityTaskScheduledEventAttributes(); s != nil {
				scheduled[ev.GetEventId()] = s.GetActivityId()
			}
			if st := ev.GetActivityTaskStartedEventAttributes(); st != nil && st.GetAttempt() > 1 &&
				!interrupted[id+"/"+scheduled[st.GetScheduledEventId()]] {
				r.unexplained++
			}
		}
	}
}

// recoveryRun is one run of the figure.
type recoveryRun struct {
	s       *stack
	set     recoverySettings
	fig     *figure
	workers [2]*proctest.Process
	dir     string // the binary, its config and the workers' logs
	polls   [2]int // how many times each worker has logged that it polls

	kills     []recoveryKill
	incidents []string          // every incident declared
	titles    map[string]string // incident → title

	mu    sync.Mutex
	ready map[string]bool // incidents whose war room became ready

	unexplained int // activities retried that no kill interrupted
}

// recoveryKill is one kill -9 and what it interrupted.
type recoveryKill struct {
	at          time.Time
	victim      int
	affected    []string              // incidents with an activity running on the victim
	open        []string              // incidents with any work pending at the kill
	interrupted []interruptedActivity // the activities running on the victim
}

// interruptedActivity is an activity that was running on the killed worker.
type interruptedActivity struct {
	incident   string
	activityID string
	kind       string    // the activity type, e.g. CreateChannel
	retried    time.Time // when its next attempt started (from the history); zero if none
	attempt    int32     // the attempt that completed it
}

// startWorkers builds the binary and starts the two workers.
func (r *recoveryRun) startWorkers(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "incidentflow-bench-recovery-")
	if err != nil {
		return err
	}
	r.dir = dir
	start := time.Now()
	bin, err := proctest.Build(dir)
	if err != nil {
		return err
	}
	r.fig.note("incidentflow built in %s for the worker processes", time.Since(start).Round(time.Second))
	// The war rooms the workers open: the defaults, plus a handbook
	// bookmarked, announcements in #incidents and updates broadcast to
	// #general, as the other figures' process.
	cfgFile := filepath.Join(dir, "incidentflow.yaml")
	yaml := "docs:\n  - title: Incident handbook\n    url: https://example.com/handbook\nannounce_channels: [incidents]\nbroadcast_channels: [general]\nretrospective:\n  enabled: false\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o644); err != nil {
		return err
	}
	r.titles, r.ready = map[string]string{}, map[string]bool{}
	for i := range r.workers {
		name := fmt.Sprintf("w%d", i+1)
		env := proctest.Env(map[string]string{
			"INCIDENTFLOW_TEMPORAL_ADDRESS":      r.s.h.srv.FrontendAddress(),
			"INCIDENTFLOW_TEMPORAL_NAMESPACE":    r.s.h.srv.Namespace(),
			"INCIDENTFLOW_TEMPORAL_TASK_QUEUE":   r.s.taskQueue,
			"INCIDENTFLOW_SLACK_BOT_TOKEN":       slackemu.DefaultBotToken,
			"INCIDENTFLOW_SLACK_API_URL":         r.s.emuURL + viaPrefix + name + "/api/",
			"INCIDENTFLOW_GITHUB_TOKEN":          githubemu.SandboxToken,
			"INCIDENTFLOW_GITHUB_BASE_URL":       r.s.gh.URL() + "/",
			"INCIDENTFLOW_GITHUB_REPO":           "acme/incidents",
			"INCIDENTFLOW_WORKER_SHUTDOWN_GRACE": "5s",
			"INCIDENTFLOW_LOG_FORMAT":            "text",
		})
		p, err := proctest.Start(proctest.Spec{
			Name: "recovery-" + name, Path: bin, Args: []string{"worker", "--config", cfgFile}, Env: env,
			LogFile: filepath.Join(dir, name+".log"),
		})
		if err != nil {
			return err
		}
		r.workers[i] = p
	}
	for i := range r.workers {
		if err := r.awaitPolling(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// awaitPolling waits until worker i says (once more) that it polls.
func (r *recoveryRun) awaitPolling(ctx context.Context, i int) error {
	p := r.workers[i]
	deadline := time.Now().Add(time.Minute)
	for {
		if n := strings.Count(p.LogTail(10000), "worker polling"); n > r.polls[i] {
			r.polls[i] = n
			return nil
		}
		if !p.Running() {
			return fmt.Errorf("%s exited: %s", p.Name(), p.LogTail(10))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not start polling within a minute: %s", p.Name(), p.LogTail(10))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopWorkers stops both workers with SIGTERM and removes their binary.
func (r *recoveryRun) stopWorkers() {
	for _, p := range r.workers {
		if p != nil {
			_ = p.Terminate(15 * time.Second)
		}
	}
	if r.dir != "" {
		_ = os.RemoveAll(r.dir)
	}
}

// round declares a burst, kills a worker at a random moment, waits until
// every war room of the burst is ready, and starts the worker again.
func (r *recoveryRun) round(ctx context.Context, k int) error {
	ids := make([]string, r.set.Burst)
	for i := range ids {
		ids[i] = fmt.Sprintf("rec%02d%02d", k, i)
		// Unique slugs, none a prefix of another: recovery-k03-i02.
		r.titles[ids[i]] = fmt.Sprintf("Recovery k%02d i%02d", k, i)
	}
	err := forEach(ctx, len(ids), len(ids), func(ctx context.Context, i int) error {
		return r.s.declareDirect(ctx, ids[i], r.titles[ids[i]], incident.Critical)
	})
	if err != nil {
		return fmt.Errorf("declaring: %w", err)
	}
	r.incidents = append(r.incidents, ids...)
	// The burst is under way once its first Slack call is made.
	for seen := len(r.s.calls.Calls()); ; time.Sleep(5 * time.Millisecond) {
		if n := len(r.s.calls.Calls()); n > seen || ctx.Err() != nil {
			break
		}
	}
	time.Sleep(rand.N(killWindow))

	kill := recoveryKill{victim: k % 2}
	victim := r.workers[kill.victim]
	pid := victim.Pid()
	kill.at = time.Now()
	if err := victim.Kill(); err != nil {
		return err
	}
	r.snapshot(ctx, &kill, pid)

	budget, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_ = forEach(budget, len(ids), len(ids), func(ctx context.Context, i int) error {
		if _, err := r.s.awaitWarRoom(ctx, ids[i]); err == nil {
			r.readyMark(ids[i])
		}
		return nil
	})
	r.retries(ctx, &kill)
	r.kills = append(r.kills, kill)
	if err := victim.Restart(); err != nil {
		return err
	}
	return r.awaitPolling(ctx, kill.victim)
}

// retries finds in the histories when each interrupted activity ran again:
// the started event of the attempt that completed it carries that attempt's
// start time.
func (r *recoveryRun) retries(ctx context.Context, kill *recoveryKill) {
	for i := range kill.interrupted {
		a := &kill.interrupted[i]
		iter := r.s.h.client.GetWorkflowHistory(ctx, wfapi.IncidentWorkflowID(a.incident), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var scheduled int64
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				break
			}
			if s := ev.GetActivityTaskScheduledEventAttributes(); s != nil && s.GetActivityId() == a.activityID {
				scheduled = ev.GetEventId()
			}
			if st := ev.GetActivityTaskStartedEventAttributes(); st != nil && scheduled != 0 && st.GetScheduledEventId() == scheduled {
				a.attempt = st.GetAttempt()
				if a.attempt > 1 {
					a.retried = ev.GetEventTime().AsTime()
				}
				break
			}
		}
	}
}

func (r *recoveryRun) readyMark(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ready[id] = true
}

func (r *recoveryRun) isReady(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready[id]
}

// snapshot records, right after the kill, which incidents had an activity
// running on the killed worker (pid) and which had any work pending. The
// server still shows the dead worker's activities as started: it learns
// of the death only when their heartbeats stop.
func (r *recoveryRun) snapshot(ctx context.Context, kill *recoveryKill, pid int) {
	prefix := strconv.Itoa(pid) + "@"
	for _, id := range r.incidents {
		if r.isReady(id) {
			continue
		}
		desc, err := r.s.h.client.DescribeWorkflowExecution(ctx, wfapi.IncidentWorkflowID(id), "")
		if err != nil {
			continue
		}
		mine := 0
		for _, a := range desc.GetPendingActivities() {
			if a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED && strings.HasPrefix(a.GetLastWorkerIdentity(), prefix) {
				mine++
				kill.interrupted = append(kill.interrupted, interruptedActivity{incident: id, activityID: a.GetActivityId(), kind: a.GetActivityType().GetName()})
			}
		}
		if mine > 0 {
			kill.affected = append(kill.affected, id)
		}
		if len(desc.GetPendingActivities()) > 0 || desc.GetPendingWorkflowTask() != nil {
			kill.open = append(kill.open, id)
		}
	}
}

// judge reads the call log: the time from each kill to each affected
// incident's next Slack call, and the incidents doubled or lost.
func (r *recoveryRun) judge(fig *figure) {
	calls := r.s.calls.Calls()
	perIncident := r.attribute(calls)
	var gaps, retryGaps, incidentGaps, openGaps []time.Duration
	unrecovered, finishedAnyway := 0, 0
	affected, inFlight := 0, 0
	kinds := map[string]int{}
	for _, k := range r.kills {
		affected += len(k.affected)
		inFlight += len(k.interrupted)
		for _, a := range k.interrupted {
			kinds[a.kind]++
			switch {
			case a.attempt == 1:
				// It completed on the killed worker after all (the kill
				// came after its last call, before the server heard).
				finishedAnyway++
			case a.retried.IsZero():
				unrecovered++
			default:
				retryGaps = append(retryGaps, a.retried.Sub(k.at))
				// Its next Slack call: the incident's first call once the
				// retry has started.
				if g, ok := nextCall(perIncident[a.incident], a.retried); ok {
					gaps = append(gaps, a.retried.Sub(k.at)+g)
				}
			}
		}
		for _, id := range k.affected {
			if g, ok := nextCall(perIncident[id], k.at); ok {
				incidentGaps = append(incidentGaps, g)
			}
		}
		for _, id := range k.open {
			if g, ok := nextCall(perIncident[id], k.at); ok {
				openGaps = append(openGaps, g)
			}
		}
	}
	doubled, lost, why := r.doubledAndLost(calls, perIncident)
	if len(r.kills) == 0 {
		if fig.Error == "" {
			fig.Error = "no worker was killed"
		}
		return
	}
	if len(gaps) > 0 {
		fig.add(row{Metric: "kill → next Slack call of the interrupted work, p50", Value: round(percentile(gaps, 50).Seconds(), 2), Unit: "s"}, nil)
		fig.add(row{Metric: "kill → next Slack call of the interrupted work, p99", Value: round(percentile(gaps, 99).Seconds(), 2), Unit: "s",
			Floor: recoveryTarget.Seconds(), FloorName: "s target", Target: "≤ 5 s"}, func(r row) bool { return r.Value <= recoveryTarget.Seconds() })
	}
	if len(incidentGaps) > 0 {
		fig.add(row{Metric: "kill → the affected incidents' next Slack call of any kind, p99", Value: round(percentile(incidentGaps, 99).Seconds(), 2), Unit: "s"}, nil)
	}
	if len(openGaps) > 0 {
		fig.add(row{Metric: "kill → next Slack call of every incident with work pending, p99", Value: round(percentile(openGaps, 99).Seconds(), 2), Unit: "s"}, nil)
	}
	fig.add(row{Metric: "activities interrupted (running on the killed worker)", Value: float64(inFlight),
		Unit: fmt.Sprintf("(%d incidents, %d kills)", affected, len(r.kills))}, nil)
	fig.add(row{Metric: "incidents doubled / lost", Value: float64(doubled + lost + unrecovered), Unit: fmt.Sprintf("(%d / %d)", doubled, lost+unrecovered),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.add(row{Metric: "activities retried that no kill interrupted", Value: float64(r.unexplained),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.Failed = lost + unrecovered
	fig.note("two `incidentflow worker` processes (the real binary) on one task queue, default worker settings; %d bursts of %d declarations (starter, as the CLI declares), each followed after a random 0–%v by kill -9 of one worker (alternating); the killed worker is started again once the burst's war rooms are ready; %v Slack latency, the workers' own limiter at Slack's one-minute tiers, the emulator's limits off",
		r.set.Kills, r.set.Burst, killWindow, r.set.Latency)
	fig.note("interrupted: an activity the server showed as started on the killed worker right after the kill. Measured per interrupted activity: from the kill to the start of its incident's first Slack call once the activity's next attempt started (the attempt's start from the history; the call from the call log). It cannot come sooner than the heartbeat timeout (%v) after the activity's last heartbeat (or its start, for a short call, which sends none) plus the retry's 1 s backoff",
		workflows.HeartbeatTimeout)
	if n := len(retryGaps); n > 0 {
		fig.note("%d interrupted activities ran again: kill → their next attempt's start p50 %v, max %v; the next Slack call of the interrupted work max %v",
			n, percentile(retryGaps, 50).Round(time.Millisecond), maxOf(retryGaps).Round(time.Millisecond), maxOf(gaps).Round(time.Millisecond))
	}
	if finishedAnyway > 0 {
		fig.note("%d interrupted activities had finished on the killed worker after all (their first attempt completed)", finishedAnyway)
	}
	var kindList []string
	for k, n := range kinds {
		kindList = append(kindList, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kindList)
	fig.note("interrupted by kind: %s", strings.Join(kindList, ", "))
	for _, w := range why[:min(len(why), 5)] {
		fig.note("%s", w)
	}
	if unrecovered > 0 {
		fig.note("%d interrupted activities never ran again", unrecovered)
	}
}

// nextCall returns how long after at the first of calls started.
func nextCall(calls []call, at time.Time) (time.Duration, bool) {
	var first time.Time
	for _, c := range calls {
		if c.Start.After(at) && (first.IsZero() || c.Start.Before(first)) {
			first = c.Start
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return first.Sub(at), true
}

// attribute assigns every Worker call to its incident: by its message
// metadata, by its channel (the war room whose purpose names the incident)
// or, for conversations.create, by the name asked for (the title's slug, or
// a provisional name ending in the incident's ID).
func (r *recoveryRun) attribute(calls []call) map[string][]call {
	owner := map[string]string{} // channel ID → incident
	for _, c := range calls {
		if c.Method == "conversations.setPurpose" && c.Error == "" {
			if i := strings.LastIndex(c.Text, purposeMarker); i >= 0 {
				owner[c.Channel] = c.Text[i+len(purposeMarker):]
			}
		}
	}
	slugs := map[string]string{} // slug → incident
	for id, title := range r.titles {
		slugs[slug(title)] = id
	}
	out := map[string][]call{}
	for _, c := range calls {
		if c.Via == "" {
			continue
		}
		id := c.Incident
		if id == "" {
			id = owner[c.Channel]
		}
		if id == "" && c.Name != "" {
			id = bySlug(c.Name, slugs)
		}
		if id != "" {
			out[id] = append(out[id], c)
		}
	}
	return out
}

// slug is the part of a war room's name the title gives: "Recovery k03
// i02" → "recovery-k03-i02".
func slug(title string) string { return strings.ReplaceAll(strings.ToLower(title), " ", "-") }

// bySlug finds the incident whose slug the channel name carries, or whose
// ID ends it after an underscore (the name a war room may be created
// under before it is renamed).
func bySlug(name string, slugs map[string]string) string {
	for s, id := range slugs {
		if strings.Contains(name, s) || strings.HasSuffix(name, "_"+id) {
			return id
		}
	}
	return ""
}

// doubledAndLost counts the incidents with more than one war-room channel,
// kickoff or announcement in the emulator's state, and those whose war room
// never became ready or lacks one of its calls.
func (r *recoveryRun) doubledAndLost(calls []call, perIncident map[string][]call) (doubled, lost int, why []string) {
	slugs := map[string]string{}
	for id, title := range r.titles {
		slugs[slug(title)] = id
	}
	// What Slack holds, from the emulator's state: the channels named
	// after each incident, and the messages each incident posted, by key.
	channels := map[string]int{}
	posted := map[string]map[string]int{} // incident → key → messages
	for _, ch := range r.s.emu.Channels() {
		if id := bySlug(ch.Name, slugs); id != "" {
			channels[id]++
		}
		for _, m := range r.s.emu.Messages(ch.ID) {
			if m.Metadata == nil || m.Metadata.EventType != activities.PostEventType {
				continue
			}
			id, _ := m.Metadata.EventPayload["incident_id"].(string)
			key, _ := m.Metadata.EventPayload["key"].(string)
			if posted[id] == nil {
				posted[id] = map[string]int{}
			}
			posted[id][key]++
		}
	}
	for _, id := range r.incidents {
		posts := posted[id]
		if posts == nil {
			posts = map[string]int{}
		}
		methods := map[string]bool{}
		for _, c := range perIncident[id] {
			if c.Status == 200 && c.Error == "" {
				methods[c.Method] = true
			}
		}
		// Announcements go to one channel here (#incidents).
		switch {
		case channels[id] > 1 || posts[activities.KeyKickoff] > 1 || posts[activities.KeyAnnounce] > 1:
			doubled++
			why = append(why, fmt.Sprintf("doubled: %s has %d war rooms, %d kickoffs, %d announcements; its calls: %s", id, channels[id],
				posts[activities.KeyKickoff], posts[activities.KeyAnnounce], r.describeCalls(perIncident[id], r.killOf(id))))
		case !r.isReady(id):
			lost++
			why = append(why, fmt.Sprintf("lost: %s's war room was not ready within 2 minutes", id))
		default:
			for _, need := range activities.WarRoomCalls() {
				ok := methods[need.Method]
				if need.Key != "" {
					ok = posts[need.Key] > 0
				}
				if !ok {
					lost++
					why = append(why, fmt.Sprintf("lost: %s's war room lacks %s", id, callName(need)))
					break
				}
			}
		}
	}
	return doubled, lost, why
}

// killOf is when the worker was killed in the burst of incident id.
func (r *recoveryRun) killOf(id string) time.Time {
	for k, kill := range r.kills {
		if strings.HasPrefix(id, fmt.Sprintf("rec%02d", k)) {
			return kill.at
		}
	}
	return time.Time{}
}

// describeCalls lists calls briefly, by time after kill (negative before
// it): "w1 chat.postMessage:kickoff -0.120s→-0.020s ok".
func (r *recoveryRun) describeCalls(calls []call, kill time.Time) string {
	var parts []string
	for _, c := range calls {
		what := c.Method
		if c.Key != "" {
			what += ":" + c.Key
		}
		res := "ok"
		if c.Error != "" || c.Status != 200 {
			res = fmt.Sprintf("%d %s", c.Status, c.Error)
		}
		parts = append(parts, fmt.Sprintf("%s %s %+.3fs→%+.3fs %s", c.Via, what, c.Start.Sub(kill).Seconds(), c.End.Sub(kill).Seconds(), res))
	}
	return strings.Join(parts, "; ")
}
