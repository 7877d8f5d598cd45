package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// burstSettings configure the burst figure.
type burstSettings struct {
	Incidents int           // declared at once
	Window    time.Duration // rate-limit window (Slack: a minute)
	Latency   time.Duration // per Slack call
}

// tierLimits are the calls per window of Slack's tiers, as
// internal/slackemu enforces them (Tier 2 20, Tier 3 50, Tier 4 100 a
// minute); chat.postMessage takes a burst of postBurst per channel, then one
// every window/60.
var tierLimits = map[int]int{slackemu.Tier1: 1, slackemu.Tier2: 20, slackemu.Tier3: 50, slackemu.Tier4: 100}

// postBurst is the emulator's default chat.postMessage burst per channel.
const postBurst = 3

// limitFloor is the earliest the calls of one method (or of one channel, for
// chat.postMessage) can all have been let through by Slack's limiter.
type limitFloor struct {
	Key   string
	Calls int
	Floor time.Duration
	Rule  string
}

// rateFloors computes, from the calls Slack accepted, how long each
// method's rate limit alone forces the run to last. A Tier method's limit
// is a sliding window of L calls: C calls need ⌈C/L⌉ windows, the last of
// which opens (⌈C/L⌉−1)·W after the first. chat.postMessage's bucket lets
// a channel take a burst of B posts, then one every W/60: C posts need
// (C−B)·W/60.
func rateFloors(calls []call, window time.Duration) []limitFloor {
	counts := map[string]int{}
	for _, c := range calls {
		if c.Status != 200 || c.Error != "" {
			continue
		}
		switch tier := slackemu.MethodTier(c.Method); tier {
		case slackemu.TierNone:
		case slackemu.TierPostMessage:
			counts[c.Method+" in "+c.Channel]++
		default:
			counts[c.Method]++
		}
	}
	var out []limitFloor
	for key, n := range counts {
		method, _, perChannel := strings.Cut(key, " in ")
		if perChannel {
			f := time.Duration(max(n-postBurst, 0)) * window / 60
			out = append(out, limitFloor{key, n, f, fmt.Sprintf("(%d − %d) × %v/60", n, postBurst, window)})
			continue
		}
		limit := tierLimits[slackemu.MethodTier(method)]
		windows := (n + limit - 1) / limit
		out = append(out, limitFloor{key, n, time.Duration(windows-1) * window,
			fmt.Sprintf("(⌈%d/%d⌉ − 1) × %v", n, limit, window)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Floor > out[j].Floor })
	return out
}

// runBurst declares many incidents at once with the emulator's rate limits
// on and measures how long until every war room is complete, against the
// floor the rate limits set. The declare modals are opened first with the
// limits off (people open them one by one; a burst of views.open is not
// what is measured), then every modal is submitted at the same moment.
// The emulator's window is scaled down (--rate-window) to keep the run
// short; the worker's client-side limiter is given the same window, so
// measurement and floor scale together.
func runBurst(ctx context.Context, h *harness, set burstSettings) *figure {
	fig := &figure{Name: "burst"}
	start := time.Now()
	defer func() { fig.Elapsed = seconds(time.Since(start)) }()
	s := h.startFigure(ctx, fig, 0, nil, stackOptions{name: "burst", latency: set.Latency, rateLimits: true, rateWindow: set.Window})
	if s == nil {
		return fig
	}
	defer s.close()

	n := set.Incidents
	views := make([]string, n)
	titles := make([]string, n)
	s.emu.SetRateLimits(false)
	err := forEach(ctx, n, 8, func(ctx context.Context, i int) error {
		titles[i] = fmt.Sprintf("Search outage %04d", i)
		var err error
		views[i], _, err = s.openDeclare(ctx, titles[i], slackemu.UserAlice)
		return err
	})
	s.emu.SetRateLimits(true)
	if err != nil {
		fig.Error = "opening the declare modals: " + err.Error()
		return fig
	}
	s.calls.Reset()

	// Every submission at once.
	ids := make([]string, n)
	acks := make([]ackResult, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			acks[i], _ = s.submitDeclare(ctx, views[i], titles[i], incident.Critical)
		}(i)
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()

	// Wait for every war room; the floor says how long that can take.
	budget := time.Duration((n/20)+2)*set.Window*3 + 2*time.Minute
	wctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	waitErr := forEach(wctx, n, 100, func(ctx context.Context, i int) error {
		if acks[i].Err != nil {
			// The declarer saw an error, but the incident may have been
			// declared all the same (the error says so): look for it.
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			ids[i], _ = s.awaitDeclared(ctx, titles[i])
			return nil
		}
		var err error
		ids[i], err = s.awaitDeclared(ctx, titles[i])
		return err
	})
	if waitErr != nil {
		fig.Error = "waiting for the war rooms: " + waitErr.Error()
	}

	calls := s.calls.Calls()
	perIncident := byIncident(calls, warRoomKeys)
	want := len(s.incidents.Process.Docs) + 1 // the documents and the Web UI page
	var done time.Time
	refused, incomplete := 0, 0
	var missing []string
	for i, id := range ids {
		if acks[i].Err != nil {
			refused++
		}
		if id == "" {
			incomplete++
			continue
		}
		got := map[string]int{}
		for _, c := range perIncident[id] {
			key := c.Method
			if c.Method == "chat.postMessage" {
				key += ":" + c.Key
			}
			got[key]++
		}
		var lacks []string
		for _, need := range []string{"conversations.create", "conversations.invite", "conversations.setTopic",
			"chat.postMessage:kickoff", "pins.add", "chat.postMessage:announce"} {
			if got[need] == 0 {
				lacks = append(lacks, need)
			}
		}
		if got["bookmarks.add"] < want {
			lacks = append(lacks, fmt.Sprintf("bookmarks.add (%d of %d)", got["bookmarks.add"], want))
		}
		if len(lacks) > 0 {
			incomplete++
			if len(missing) < 3 {
				missing = append(missing, id+" lacks "+strings.Join(lacks, ", "))
			}
			continue
		}
		if t := lastEnd(perIncident[id]); t.After(done) {
			done = t
		}
	}
	var noted atomic.Int64
	_ = forEach(ctx, n, 20, func(ctx context.Context, i int) error {
		if ids[i] == "" {
			return nil
		}
		inc, err := s.incidents.Get(ctx, ids[i])
		if err != nil {
			return nil
		}
		for _, e := range inc.Timeline {
			if e.Kind == incident.EntryNote {
				noted.Add(1)
			}
		}
		return nil
	})

	notes := int(noted.Load())
	var total, limited int
	perMethod429 := map[string]int{}
	for _, c := range calls {
		if c.Method == "response_url" {
			continue
		}
		total++
		if c.Status == 429 {
			limited++
			perMethod429[c.Method]++
		}
	}
	floors := rateFloors(calls, set.Window)
	if len(floors) == 0 || done.IsZero() {
		if fig.Error == "" {
			fig.Error = "no war room completed"
		}
		return fig
	}
	bind := floors[0]
	chainFloor := time.Duration(dependentCalls) * set.Latency
	floor := bind.Floor + chainFloor
	took := done.Sub(t0)
	fig.add(row{Metric: fmt.Sprintf("%d war rooms complete", n-incomplete), Value: took.Seconds(), Unit: "s",
		Floor: floor.Seconds(), FloorName: "s rate-limit floor", Target: "≤ 1.15 × floor"}, func(r row) bool { return r.Ratio <= 1.15 })
	fig.add(row{Metric: "HTTP 429 answers", Value: float64(limited), Unit: "", Floor: float64(total), FloorName: "calls",
		Target: "< 1% of calls"}, func(r row) bool { return r.Value < 0.01*float64(total) })
	told := notices(calls)
	fig.add(row{Metric: "declarers shown an error (in the modal + told later)", Value: float64(refused + len(told)), Unit: fmt.Sprintf("(%d + %d)", refused, len(told)),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.quoteNotices(told)
	fig.add(row{Metric: "incidents without a complete war room / timeline notes", Value: float64(incomplete + notes), Unit: fmt.Sprintf("(%d / %d)", incomplete, notes),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.Failed = refused + len(told) + incomplete

	fig.note("%d incidents submitted at once through the front door; rate limits on, window %v (Slack's minute scaled by %.0f×: the floor and the measurement scale together); %v Slack latency",
		n, set.Window, float64(time.Minute)/float64(set.Window), set.Latency)
	fig.note("floor = the slowest method's rate-limit floor + the dependent chain (%d × %v); per method, from the calls Slack accepted:", dependentCalls, set.Latency)
	for i, f := range floors {
		if i == 4 || f.Floor == 0 {
			break
		}
		fig.note("  %s: %d calls → %s = %v", f.Key, f.Calls, f.Rule, f.Floor.Round(time.Millisecond))
	}
	fig.note("at Slack's real one-minute window the binding floor (%s) would be %v", bind.Key,
		(time.Duration(float64(bind.Floor)*float64(time.Minute)/float64(set.Window)) + chainFloor).Round(time.Second))
	if limited > 0 {
		var parts []string
		for m, c := range perMethod429 {
			parts = append(parts, fmt.Sprintf("%s %d", m, c))
		}
		sort.Strings(parts)
		fig.note("429s by method: %s", strings.Join(parts, ", "))
	}
	for _, m := range missing {
		fig.note("incomplete: %s", m)
	}
	for i := range acks {
		if acks[i].Err != nil {
			fig.note("refused: %v", acks[i].Err)
			break
		}
	}
	return fig
}
