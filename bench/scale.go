package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// scaleSettings configure the scale figure.
type scaleSettings struct {
	Incidents    int           // open at once
	Cadence      time.Duration // reminder cadence
	Duration     time.Duration // measured
	InlineWorker bool          // the worker in this process, not a child
	Latency      time.Duration // per Slack call
}

// lateTarget is how late a reminder may be at the 99th percentile.
const lateTarget = time.Second

// historySample is how many incidents' histories are described for the
// events-per-hour figure.
const historySample = 200

// runScale opens many incidents whose severity reminds every few seconds
// and measures, over a stretch once they are all open, how late the
// reminders reach Slack, what the processes weigh and how much CPU and
// history a reminder costs. Rate limits are off: the reminders' posts go
// to 2,000 channels, each far under its one post a second.
func runScale(ctx context.Context, h *harness, set scaleSettings) *figure {
	fig, s, end := h.startFigure(ctx, "scale", set.Cadence, nil, stackOptions{name: "scale", latency: set.Latency, workerInChild: !set.InlineWorker})
	defer end()
	if s == nil {
		return fig
	}

	r := &scaleRun{h: h, s: s, set: set, start: fig.start}
	if err := r.setup(ctx); err != nil {
		fig.Error = "opening the incidents: " + err.Error()
		return fig
	}
	r.drive(ctx)
	r.judge(fig)
	return fig
}

// scaleRun is one run of the scale figure.
type scaleRun struct {
	h   *harness
	s   *stack
	set scaleSettings
	ids []string

	childPID                     int   // the worker's process; 0 when inline
	baseRSS, baseChild, baseHeap int64 // before the first incident
	peakRSS, peakChild, peakHeap int64 // in the stretch

	start   time.Time     // the figure's
	ready   time.Time     // every war room open: the stretch begins
	end     time.Time     // the stretch's planned end
	snap    time.Time     // when the call log was read
	elapsed time.Duration // the stretch as it ran

	cpuSelf, cpuChild time.Duration // CPU in the stretch
	sample            []string      // incidents whose histories are described
	before, after     map[string]historyInfo
	timelines         []incident.Incident
	asked             []time.Time // when each timeline was read
	calls             []call
}

// setup weighs the processes with no incident open (the floor of memory),
// then declares every incident and waits until each war room is open.
func (r *scaleRun) setup(ctx context.Context) error {
	if r.s.worker.child != nil {
		r.childPID = r.s.worker.child.pid()
	}
	r.baseRSS, _ = procMem("self")
	r.baseChild, _ = procMem(strconv.Itoa(r.childPID))
	r.baseHeap = goHeap()

	n := r.set.Incidents
	r.ids = make([]string, n)
	for i := range r.ids {
		r.ids[i] = "scale" + strconv.Itoa(100000 + i)[1:]
	}
	err := forEach(ctx, n, 20, func(ctx context.Context, i int) error {
		return r.s.declareDirect(ctx, r.ids[i], fmt.Sprintf("Queue backlog %05d", i), benchSeverity)
	})
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	return forEach(wctx, n, 100, func(ctx context.Context, i int) error {
		_, err := r.s.awaitWarRoom(ctx, r.ids[i])
		return err
	})
}

// drive lets the reminders run for the stretch, keeping the peaks of
// memory and the CPU spent, then reads the timelines, the sample's
// history lengths and the call log.
func (r *scaleRun) drive(ctx context.Context) {
	r.ready = time.Now()
	r.sample = r.ids[:min(len(r.ids), historySample)]
	r.before = historyLengths(ctx, r.h.client, r.sample)
	cpu0, childCPU0 := cpuTime(), procCPU(r.childPID)

	r.end = r.ready.Add(r.set.Duration)
	for time.Now().Before(r.end) && ctx.Err() == nil {
		r.sampleMem()
		select {
		case <-time.After(min(2*time.Second, time.Until(r.end))):
		case <-ctx.Done():
		}
	}
	r.sampleMem()
	r.cpuSelf, r.cpuChild = cpuTime()-cpu0, procCPU(r.childPID)-childCPU0
	r.elapsed = time.Since(r.ready)

	// Give the reminders due at the end a moment to land, then read when
	// each was due from the incidents' timelines.
	time.Sleep(min(r.set.Cadence/2, 3*time.Second))
	r.timelines = make([]incident.Incident, len(r.ids))
	r.asked = make([]time.Time, len(r.ids))
	_ = forEach(ctx, len(r.ids), 20, func(ctx context.Context, i int) error {
		r.timelines[i], _ = r.s.incidents.Get(ctx, r.ids[i])
		r.asked[i] = time.Now()
		return nil
	})
	r.after = historyLengths(ctx, r.h.client, r.sample)
	r.calls = r.s.calls.Calls()
	r.snap = time.Now()
}

// sampleMem keeps the peaks of memory.
func (r *scaleRun) sampleMem() {
	rss, _ := procMem("self")
	r.peakRSS = max(r.peakRSS, rss)
	r.peakHeap = max(r.peakHeap, goHeap())
	if r.childPID != 0 {
		c, _ := procMem(strconv.Itoa(r.childPID))
		r.peakChild = max(r.peakChild, c)
	}
}

// judge adds the figure's rows and notes: the reminders' lateness, the CPU
// and memory they cost, and the history they grow.
func (r *scaleRun) judge(fig *figure) {
	posted, inWindow := r.reminderPosts()
	late, unposted, missing := r.lateness(posted)
	fig.Failed = missing
	if len(late) == 0 {
		fig.Error = "no reminder was due in the measured stretch"
		return
	}
	set := r.set
	p50, p99 := percentile(late, 50), percentile(late, 99)
	fig.add(row{Metric: "reminder lateness p50", Value: ms(p50), Unit: "ms", Floor: ms(set.Cadence), FloorName: "ms cadence (reference)"}, nil)
	fig.add(row{Metric: "reminder lateness p99", Value: ms(p99), Unit: "ms", Floor: ms(set.Cadence), FloorName: "ms cadence (reference)",
		Target: "≤ 1 s"}, func(row) bool { return p99 <= lateTarget })
	fig.add(row{Metric: fmt.Sprintf("reminders due in the stretch (%d not posted)", unposted), Value: float64(len(late)), Unit: "",
		Floor: float64(set.Incidents) * set.Duration.Seconds() / set.Cadence.Seconds(), FloorName: "due by the cadence"}, nil)
	if inWindow > 0 {
		fig.add(row{Metric: "CPU per reminder (all processes)", Value: ms((r.cpuSelf + r.cpuChild) / time.Duration(inWindow)), Unit: "ms",
			Floor: ms(r.elapsed) * float64(thisMachine().CPUs) / float64(inWindow), FloorName: "ms CPU the machine had per reminder"}, nil)
	}
	r.addMemory(fig)
	r.addHistory(fig)
	r.explain(fig, inWindow)
}

// reminderPosts returns when each reminder post reached Slack, keyed by
// incident/key, and how many did within the stretch.
func (r *scaleRun) reminderPosts() (posted map[string]time.Time, inWindow int) {
	posted = map[string]time.Time{}
	for _, c := range r.calls {
		if c.Method == "chat.postMessage" && c.Error == "" && len(c.Key) > 9 && c.Key[:9] == "reminder-" {
			posted[c.Incident+"/"+c.Key] = c.Start
			if !c.Start.Before(r.ready) && c.Start.Before(r.end) {
				inWindow++
			}
		}
	}
	return posted, inWindow
}

// lateness returns how late each reminder due in the stretch reached Slack
// (a reminder not posted counts as late until it was looked for), how many
// were not posted, and how many incidents have no war room.
func (r *scaleRun) lateness(posted map[string]time.Time) (late []time.Duration, unposted, missing int) {
	cadence := r.set.Cadence
	for i, inc := range r.timelines {
		if inc.ChannelID == "" {
			missing++
			continue
		}
		var restart time.Time
		for k, e := range inc.Timeline {
			switch e.Kind {
			case incident.EntryWarRoom:
				restart = e.At
			case incident.EntryReminder:
				due := restart.Add(cadence)
				restart = e.At
				if due.Before(r.ready) || due.After(r.end) {
					continue
				}
				at, ok := posted[r.ids[i]+"/"+incident.EntryReminder+"-"+strconv.Itoa(inc.OmittedTimeline+k)]
				if !ok {
					unposted++
					at = r.snap
				}
				late = append(late, at.Sub(due))
			}
		}
		// A reminder due in the window that hadn't fired when asked.
		if due := restart.Add(cadence); !restart.IsZero() && !due.Before(r.ready) && !due.After(r.end) && due.Before(r.asked[i]) {
			unposted++
			late = append(late, r.asked[i].Sub(due))
		}
	}
	return late, unposted, missing
}

// addMemory adds the peaks of memory against the idle processes.
func (r *scaleRun) addMemory(fig *figure) {
	rss, _ := procMem("self")
	if r.childPID != 0 {
		c, _ := procMem(strconv.Itoa(r.childPID))
		fig.add(row{Metric: "worker RSS (child process), peak", Value: mib(r.peakChild), Unit: "MiB", Floor: mib(r.baseChild), FloorName: "MiB idle"}, nil)
		fig.add(row{Metric: "server + emulators RSS, peak", Value: mib(r.peakRSS), Unit: "MiB", Floor: mib(r.baseRSS), FloorName: "MiB idle"}, nil)
		fig.note("RSS at the end: worker %.0f MiB, server + emulators %.0f MiB; idle means the same processes before the first incident (the server then already holds the earlier figures' closed-out work)", mib(c), mib(rss))
	} else {
		fig.add(row{Metric: "process RSS (server + worker + emulators), peak", Value: mib(r.peakRSS), Unit: "MiB", Floor: mib(r.baseRSS), FloorName: "MiB idle"}, nil)
	}
	fig.add(row{Metric: "Go heap in use (bench process), peak", Value: mib(r.peakHeap), Unit: "MiB", Floor: mib(r.baseHeap), FloorName: "MiB idle"}, nil)
}

// addHistory adds the history events the sample's reminders cost, and
// what that comes to at the critical cadence.
func (r *scaleRun) addHistory(fig *figure) {
	var dEvents, dReminders int
	for i, id := range r.sample {
		dEvents += r.after[id].length - r.before[id].length
		for _, e := range r.timelines[i].Timeline {
			if e.Kind == incident.EntryReminder && !e.At.Before(r.ready) && e.At.Before(r.snap) {
				dReminders++
			}
		}
	}
	if len(r.sample) == 0 || dReminders == 0 {
		return
	}
	perReminder := float64(dEvents) / float64(dReminders)
	measuredRate := float64(dEvents) / float64(len(r.sample)) / r.snap.Sub(r.ready).Hours()
	fig.add(row{Metric: fmt.Sprintf("history events per incident-hour (at %v)", r.set.Cadence), Value: measuredRate, Unit: ""}, nil)
	fig.add(row{Metric: "history events per reminder", Value: perReminder, Unit: ""}, nil)
	critical := perReminder * float64(time.Hour/r.s.incidents.Process.UpdateEvery(incident.Critical))
	fig.add(row{Metric: "→ events per incident-hour at the 15 min critical cadence", Value: critical, Unit: "",
		Floor: 4096, FloorName: "continue-as-new threshold"}, nil)
}

// explain notes how the figure ran and how to read it.
func (r *scaleRun) explain(fig *figure, inWindow int) {
	n, set := r.set.Incidents, r.set
	fig.note("%d incidents declared through the starter (as the CLI does) with a severity reminding every %v; all open after %s; measured for %s; %v Slack latency, rate limits off",
		n, set.Cadence, r.ready.Sub(r.start).Round(time.Second), r.elapsed.Round(time.Second), set.Latency)
	fig.note("lateness: when the reminder post reached Slack (the emulator's call log) minus when it was due (the previous reminder's time in the workflow's timeline + the cadence, as the workflow computes it); a reminder due but not posted by the end counts as late until then")
	fig.note("%d reminders reached Slack in the stretch (%.1f/s; the cadence asks %.1f/s); each one is a chat.postMessage, run as a local activity within the workflow task its timer wakes",
		inWindow, float64(inWindow)/r.elapsed.Seconds(), float64(n)/set.Cadence.Seconds())
	if due := float64(n) / set.Cadence.Seconds(); float64(inWindow)/r.elapsed.Seconds() < 0.9*due {
		fig.note("the machine can't keep up: %.0f reminders/s reached Slack against %.0f/s due, so lateness grows through the stretch; a reminder already overdue when its wait begins skips its timer, which lowers the events per reminder",
			float64(inWindow)/r.elapsed.Seconds(), due)
	}
	fig.note("CPU in the stretch: %s in the bench process (server, emulators, harness), %s in the worker%s",
		r.cpuSelf.Round(10*time.Millisecond), r.cpuChild.Round(10*time.Millisecond), map[bool]string{true: " (child process)", false: " (same process)"}[r.childPID != 0])
	fig.note("at Slack's real limits reminders are bound only by chat.postMessage's pace per channel (one a second), one post per incident per cadence: %d incidents at the 15-minute cadence make %.0f posts a minute in as many channels",
		n, float64(n)/15)
}

// historyInfo is a workflow's history length.
type historyInfo struct {
	length int
}

// historyLengths describes the incidents' workflows.
func historyLengths(ctx context.Context, c client.Client, ids []string) map[string]historyInfo {
	var mu sync.Mutex
	out := map[string]historyInfo{}
	_ = forEach(ctx, len(ids), 20, func(ctx context.Context, i int) error {
		d, err := c.DescribeWorkflowExecution(ctx, wfapi.IncidentWorkflowID(ids[i]), "")
		if err != nil {
			return nil
		}
		info := d.GetWorkflowExecutionInfo()
		mu.Lock()
		out[ids[i]] = historyInfo{length: int(info.GetHistoryLength())}
		mu.Unlock()
		return nil
	})
	return out
}
