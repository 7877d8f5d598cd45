package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// warRoomSettings configure the time-to-war-room figure.
type warRoomSettings struct {
	Incidents   int           // incidents declared
	Concurrency int           // declared at a time
	Latency     time.Duration // per Slack call
}

// dependentCalls is the floor's chain: the war room's channel must exist
// before the kickoff message is posted in it, and the message before it is
// pinned. Every other call needs only the channel, so it can run beside
// the post.
const dependentCalls = 3

// runWarRoom declares incidents through Slack (slash command, then the
// declare modal submitted) and measures, from the submission, how long
// until the last war-room call of each incident ended in the emulator's
// call log. Rate limits are off: this figure is about latency, not
// throughput (the burst figure covers the limits).
func runWarRoom(ctx context.Context, h *harness, set warRoomSettings) *figure {
	fig, s, end := h.startFigure(ctx, "time to war room", 0, nil, stackOptions{name: "warroom", latency: set.Latency})
	defer end()
	if s == nil {
		return fig
	}

	submitted := make([]time.Time, set.Incidents)
	ids := make([]string, set.Incidents)
	err := forEach(ctx, set.Incidents, set.Concurrency, func(ctx context.Context, i int) error {
		title := fmt.Sprintf("Checkout errors %04d", i)
		viewID, _, err := s.openDeclare(ctx, title, slackemu.UserAlice)
		if err != nil {
			return err
		}
		submitted[i] = time.Now()
		if _, err := s.submitDeclare(ctx, viewID, title, incident.Critical); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		ids[i], err = s.awaitDeclared(wctx, title)
		return err
	})
	if err != nil {
		fig.Error = err.Error()
	}

	perIncident := byIncident(s.calls.Calls(), warRoomKeys)
	var times, sums, own []time.Duration
	depths := map[string]int{}
	for i, id := range ids {
		calls := perIncident[id]
		if id == "" || len(calls) == 0 {
			fig.Failed++
			continue
		}
		took := lastEnd(calls).Sub(submitted[i])
		times = append(times, took)
		sums = append(sums, busy(calls))
		path := criticalPath(calls)
		depths[methods(path)]++
		own = append(own, took-busy(path))
	}
	if len(times) == 0 {
		if fig.Error == "" {
			fig.Error = "no war room was opened"
		}
		return fig
	}
	floor := time.Duration(dependentCalls) * set.Latency
	p50, p99 := percentile(times, 50), percentile(times, 99)
	fig.add(row{Metric: "p50", Value: ms(p50), Unit: "ms", Floor: ms(floor), FloorName: "ms chain",
		Target: "≤ 1.3 × floor"}, func(r row) bool { return r.Ratio <= 1.3 })
	fig.add(row{Metric: "p99", Value: ms(p99), Unit: "ms", Floor: ms(floor), FloorName: "ms chain"}, nil)
	sum := percentile(sums, 50)
	fig.add(row{Metric: "one call at a time (sum of the calls), p50", Value: ms(sum), Unit: "ms",
		Floor: ms(floor), FloorName: "ms chain"}, nil)
	fig.add(row{Metric: "incidentflow's own time on the critical path, p50", Value: ms(percentile(own, 50)), Unit: "ms"}, nil)

	fig.note("p50 is %.0f%% of what the same calls take one at a time", 100*float64(p50)/float64(sum))
	fig.note("%d incidents declared through the front door (slash command, then the declare modal submitted), %d at a time; %v Slack latency per call, rate limits off",
		len(times), set.Concurrency, set.Latency)
	fig.note("measured from sending the view submission to the end of the incident's last war-room call in the call log: create (+ name, purpose), invite, topic, bookmarks, kickoff post + pin, announcement")
	fig.note("incidentflow's own time: the time to war room minus the Slack calls on its critical path (the chain of calls, each the last to end before the next started, back from the last call): Temporal round trips, workflow tasks, activity dispatch")
	fig.note("floor: the dependent chain conversations.create → chat.postMessage (kickoff) → pins.add = %d × %v; every other call needs only the channel", dependentCalls, set.Latency)
	type depth struct {
		chain string
		n     int
	}
	var ds []depth
	for c, n := range depths {
		ds = append(ds, depth{c, n})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].n > ds[j].n })
	for i, d := range ds {
		if i == 3 {
			break
		}
		fig.note("critical path (%d of %d incidents): submission → %s", d.n, len(times), d.chain)
	}
	return fig
}
