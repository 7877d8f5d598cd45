package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
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
	fig := &figure{Name: "scale"}
	start := time.Now()
	defer func() { fig.Elapsed = seconds(time.Since(start)) }()
	s := h.startFigure(ctx, fig, set.Cadence, nil, stackOptions{name: "scale", latency: set.Latency, workerInChild: !set.InlineWorker})
	if s == nil {
		return fig
	}
	defer s.close()

	// The floor of memory: the same processes with no incident open.
	childPID := 0
	if s.worker.child != nil {
		childPID = s.worker.child.pid()
	}
	baseRSS, _ := procMem("self")
	baseChild, _ := procMem(strconv.Itoa(childPID))
	baseHeap := goHeap()

	n := set.Incidents
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "scale" + strconv.Itoa(100000 + i)[1:]
	}
	err := forEach(ctx, n, 20, func(ctx context.Context, i int) error {
		return s.declareDirect(ctx, ids[i], fmt.Sprintf("Queue backlog %05d", i), benchSeverity)
	})
	if err == nil {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		err = forEach(wctx, n, 100, func(ctx context.Context, i int) error {
			_, err := s.awaitWarRoom(ctx, ids[i])
			return err
		})
		cancel()
	}
	if err != nil {
		fig.Error = "opening the incidents: " + err.Error()
		return fig
	}
	ready := time.Now()
	openTook := ready.Sub(start)
	sample := ids[:min(n, historySample)]
	before := historyLengths(ctx, h.client, sample)
	cpu0, childCPU0 := cpuTime(), procCPU(childPID)

	// Measure; keep the peaks of memory.
	var peakRSS, peakChild, peakHeap int64
	sampleMem := func() {
		rss, _ := procMem("self")
		peakRSS = max(peakRSS, rss)
		peakHeap = max(peakHeap, goHeap())
		if childPID != 0 {
			c, _ := procMem(strconv.Itoa(childPID))
			peakChild = max(peakChild, c)
		}
	}
	end := ready.Add(set.Duration)
	for time.Now().Before(end) && ctx.Err() == nil {
		sampleMem()
		select {
		case <-time.After(min(2*time.Second, time.Until(end))):
		case <-ctx.Done():
		}
	}
	sampleMem()
	cpu1, childCPU1 := cpuTime(), procCPU(childPID)
	elapsed := time.Since(ready)

	// Give the reminders due at the end a moment to land, then read when
	// each was due from the incidents' timelines.
	time.Sleep(min(set.Cadence/2, 3*time.Second))
	timelines := make([]incident.Incident, n)
	asked := make([]time.Time, n)
	_ = forEach(ctx, n, 20, func(ctx context.Context, i int) error {
		timelines[i], _ = s.incidents.Get(ctx, ids[i])
		asked[i] = time.Now()
		return nil
	})
	after := historyLengths(ctx, h.client, sample)
	calls := s.calls.Calls()
	snap := time.Now()

	posted := map[string]time.Time{} // incident/key → when the post reached Slack
	var inWindow int
	for _, c := range calls {
		if c.Method == "chat.postMessage" && c.Error == "" && len(c.Key) > 9 && c.Key[:9] == "reminder-" {
			posted[c.Incident+"/"+c.Key] = c.Start
			if !c.Start.Before(ready) && c.Start.Before(end) {
				inWindow++
			}
		}
	}
	var late []time.Duration
	unposted, missing := 0, 0
	for i, inc := range timelines {
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
				due := restart.Add(set.Cadence)
				restart = e.At
				if due.Before(ready) || due.After(end) {
					continue
				}
				at, ok := posted[ids[i]+"/"+incident.EntryReminder+"-"+strconv.Itoa(inc.OmittedTimeline+k)]
				if !ok {
					unposted++
					at = snap
				}
				late = append(late, at.Sub(due))
			}
		}
		// A reminder due in the window that hadn't fired when asked.
		if due := restart.Add(set.Cadence); !restart.IsZero() && !due.Before(ready) && !due.After(end) && due.Before(asked[i]) {
			unposted++
			late = append(late, asked[i].Sub(due))
		}
	}
	fig.Failed = missing
	if len(late) == 0 {
		fig.Error = "no reminder was due in the measured stretch"
		return fig
	}
	p50, p99 := percentile(late, 50), percentile(late, 99)
	fig.add(row{Metric: "reminder lateness p50", Value: ms(p50), Unit: "ms", Floor: ms(set.Cadence), FloorName: "ms cadence (reference)"}, nil)
	fig.add(row{Metric: "reminder lateness p99", Value: ms(p99), Unit: "ms", Floor: ms(set.Cadence), FloorName: "ms cadence (reference)",
		Target: "≤ 1 s"}, func(r row) bool { return p99 <= lateTarget })
	fig.add(row{Metric: fmt.Sprintf("reminders due in the stretch (%d not posted)", unposted), Value: float64(len(late)), Unit: "",
		Floor: float64(n) * set.Duration.Seconds() / set.Cadence.Seconds(), FloorName: "due by the cadence"}, nil)

	cpuSelf, cpuChild := cpu1-cpu0, childCPU1-childCPU0
	if inWindow > 0 {
		fig.add(row{Metric: "CPU per reminder (all processes)", Value: ms((cpuSelf + cpuChild) / time.Duration(inWindow)), Unit: "ms",
			Floor: ms(elapsed) * float64(thisMachine().CPUs) / float64(inWindow), FloorName: "ms CPU the machine had per reminder"}, nil)
	}
	rss, _ := procMem("self")
	if childPID != 0 {
		c, _ := procMem(strconv.Itoa(childPID))
		fig.add(row{Metric: "worker RSS (child process), peak", Value: mib(peakChild), Unit: "MiB", Floor: mib(baseChild), FloorName: "MiB idle"}, nil)
		fig.add(row{Metric: "server + emulators RSS, peak", Value: mib(peakRSS), Unit: "MiB", Floor: mib(baseRSS), FloorName: "MiB idle"}, nil)
		fig.note("RSS at the end: worker %.0f MiB, server + emulators %.0f MiB; idle means the same processes before the first incident (the server then already holds the earlier figures' closed-out work)", mib(c), mib(rss))
	} else {
		fig.add(row{Metric: "process RSS (server + worker + emulators), peak", Value: mib(peakRSS), Unit: "MiB", Floor: mib(baseRSS), FloorName: "MiB idle"}, nil)
	}
	fig.add(row{Metric: "Go heap in use (bench process), peak", Value: mib(peakHeap), Unit: "MiB", Floor: mib(baseHeap), FloorName: "MiB idle"}, nil)

	var dEvents, dReminders int
	for i, id := range sample {
		dEvents += after[id].length - before[id].length
		for _, e := range timelines[i].Timeline {
			if e.Kind == incident.EntryReminder && !e.At.Before(ready) && e.At.Before(snap) {
				dReminders++
			}
		}
	}
	if len(sample) > 0 && dReminders > 0 {
		perReminder := float64(dEvents) / float64(dReminders)
		measuredRate := float64(dEvents) / float64(len(sample)) / snap.Sub(ready).Hours()
		fig.add(row{Metric: fmt.Sprintf("history events per incident-hour (at %v)", set.Cadence), Value: measuredRate, Unit: ""}, nil)
		fig.add(row{Metric: "history events per reminder", Value: perReminder, Unit: ""}, nil)
		critical := perReminder * float64(time.Hour/s.incidents.Process.UpdateEvery(incident.Critical))
		fig.add(row{Metric: "→ events per incident-hour at the 15 min critical cadence", Value: critical, Unit: "",
			Floor: 4096, FloorName: "continue-as-new threshold"}, nil)
	}

	fig.note("%d incidents declared through the starter (as the CLI does) with a severity reminding every %v; all open after %s; measured for %s; %v Slack latency, rate limits off",
		n, set.Cadence, openTook.Round(time.Second), elapsed.Round(time.Second), set.Latency)
	fig.note("lateness: when the reminder post reached Slack (the emulator's call log) minus when it was due (the previous reminder's time in the workflow's timeline + the cadence, as the workflow computes it); a reminder due but not posted by the end counts as late until then")
	fig.note("%d reminders reached Slack in the stretch (%.1f/s; the cadence asks %.1f/s); each one is a chat.postMessage, run as a local activity within the workflow task its timer wakes",
		inWindow, float64(inWindow)/elapsed.Seconds(), float64(n)/set.Cadence.Seconds())
	if due := float64(n) / set.Cadence.Seconds(); float64(inWindow)/elapsed.Seconds() < 0.9*due {
		fig.note("the machine can't keep up: %.0f reminders/s reached Slack against %.0f/s due, so lateness grows through the stretch; a reminder already overdue when its wait begins skips its timer, which lowers the events per reminder",
			float64(inWindow)/elapsed.Seconds(), due)
	}
	fig.note("CPU in the stretch: %s in the bench process (server, emulators, harness), %s in the worker%s",
		cpuSelf.Round(10*time.Millisecond), cpuChild.Round(10*time.Millisecond), map[bool]string{true: " (child process)", false: " (same process)"}[childPID != 0])
	fig.note("at Slack's real limits reminders are bound only by chat.postMessage's pace per channel (one a second), one post per incident per cadence: %d incidents at the 15-minute cadence make %.0f posts a minute in as many channels",
		n, float64(n)/15)
	return fig
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
		d, err := c.DescribeWorkflowExecution(ctx, workflows.IncidentWorkflowID(ids[i]), "")
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
