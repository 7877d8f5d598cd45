package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentflow/incidentflow/activities"
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
	fig, s, end := h.startFigure(ctx, "burst", 0, nil, stackOptions{name: "burst", latency: set.Latency, rateLimits: true, rateWindow: set.Window})
	defer end()
	if s == nil {
		return fig
	}

	b := &burstRun{s: s, set: set}
	if err := b.setup(ctx); err != nil {
		fig.Error = "opening the declare modals: " + err.Error()
		return fig
	}
	if err := b.drive(ctx); err != nil {
		fig.Error = "waiting for the war rooms: " + err.Error()
	}
	b.judge(ctx, fig)
	return fig
}

// burstRun is one run of the burst figure.
type burstRun struct {
	s      *stack
	set    burstSettings
	titles []string    // of each incident
	views  []string    // the declare modal opened for each
	acks   []ackResult // how each submission was answered
	ids    []string    // the incidents declared; "" where none was found
	t0     time.Time   // when every modal was submitted
}

// setup opens a declare modal per incident with the rate limits off, then
// turns them on and forgets the calls made so far.
func (b *burstRun) setup(ctx context.Context) error {
	n := b.set.Incidents
	b.views, b.titles = make([]string, n), make([]string, n)
	b.s.emu.SetRateLimits(false)
	err := forEach(ctx, n, 8, func(ctx context.Context, i int) error {
		b.titles[i] = fmt.Sprintf("Search outage %04d", i)
		var err error
		b.views[i], _, err = b.s.openDeclare(ctx, b.titles[i], slackemu.UserAlice)
		return err
	})
	b.s.emu.SetRateLimits(true)
	if err != nil {
		return err
	}
	b.s.calls.Reset()
	return nil
}

// drive submits every modal at the same moment, then waits for every
// incident to be declared, within a budget the floor allows for.
func (b *burstRun) drive(ctx context.Context) error {
	n := b.set.Incidents
	b.ids, b.acks = make([]string, n), make([]ackResult, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			b.acks[i], _ = b.s.submitDeclare(ctx, b.views[i], b.titles[i], incident.Critical)
		}(i)
	}
	b.t0 = time.Now()
	close(gate)
	wg.Wait()

	budget := time.Duration((n/20)+2)*b.set.Window*3 + 2*time.Minute
	wctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	return forEach(wctx, n, 100, func(ctx context.Context, i int) error {
		if b.acks[i].Err != nil {
			// The declarer saw an error, but the incident may have been
			// declared all the same (the error says so): look for it.
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			b.ids[i], _ = b.s.awaitDeclared(ctx, b.titles[i])
			return nil
		}
		var err error
		b.ids[i], err = b.s.awaitDeclared(ctx, b.titles[i])
		return err
	})
}

// judge adds the figure's rows and notes: how long until the last war room
// was complete against the rate-limit floor, the 429s, and what went wrong
// for declarers and war rooms.
func (b *burstRun) judge(ctx context.Context, fig *figure) {
	calls := b.s.calls.Calls()
	rooms := b.warRooms(calls)
	notes := b.timelineNotes(ctx)
	answers := countAnswers(calls)
	floors := rateFloors(calls, b.set.Window)
	if len(floors) == 0 || rooms.done.IsZero() {
		if fig.Error == "" {
			fig.Error = "no war room completed"
		}
		return
	}
	n := b.set.Incidents
	chainFloor := time.Duration(dependentCalls) * b.set.Latency
	floor := floors[0].Floor + chainFloor
	took := rooms.done.Sub(b.t0)
	fig.add(row{Metric: fmt.Sprintf("%d war rooms complete", n-rooms.incomplete), Value: took.Seconds(), Unit: "s",
		Floor: floor.Seconds(), FloorName: "s rate-limit floor", Target: "≤ 1.15 × floor"}, func(r row) bool { return r.Ratio <= 1.15 })
	fig.add(row{Metric: "HTTP 429 answers", Value: float64(answers.limited), Unit: "", Floor: float64(answers.total), FloorName: "calls",
		Target: "< 1% of calls"}, func(r row) bool { return r.Value < 0.01*float64(answers.total) })
	told := notices(calls)
	fig.add(row{Metric: "declarers shown an error (in the modal + told later)", Value: float64(rooms.refused + len(told)), Unit: fmt.Sprintf("(%d + %d)", rooms.refused, len(told)),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.quoteNotices(told)
	fig.add(row{Metric: "incidents without a complete war room / timeline notes", Value: float64(rooms.incomplete + notes), Unit: fmt.Sprintf("(%d / %d)", rooms.incomplete, notes),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.Failed = rooms.refused + len(told) + rooms.incomplete
	b.explain(fig, floors, chainFloor, answers, rooms)
}

// explain notes how the burst ran, how its floor was found, and the first
// of what went wrong.
func (b *burstRun) explain(fig *figure, floors []limitFloor, chainFloor time.Duration, answers slackAnswers, rooms burstWarRooms) {
	set := b.set
	fig.note("%d incidents submitted at once through the front door; rate limits on, window %v (Slack's minute scaled by %.0f×: the floor and the measurement scale together); %v Slack latency",
		set.Incidents, set.Window, float64(time.Minute)/float64(set.Window), set.Latency)
	fig.note("floor = the slowest method's rate-limit floor + the dependent chain (%d × %v); per method, from the calls Slack accepted:", dependentCalls, set.Latency)
	for i, f := range floors {
		if i == 4 || f.Floor == 0 {
			break
		}
		fig.note("  %s: %d calls → %s = %v", f.Key, f.Calls, f.Rule, f.Floor.Round(time.Millisecond))
	}
	bind := floors[0]
	fig.note("at Slack's real one-minute window the binding floor (%s) would be %v", bind.Key,
		(time.Duration(float64(bind.Floor)*float64(time.Minute)/float64(set.Window)) + chainFloor).Round(time.Second))
	if answers.limited > 0 {
		var parts []string
		for m, c := range answers.perMethod429 {
			parts = append(parts, fmt.Sprintf("%s %d", m, c))
		}
		sort.Strings(parts)
		fig.note("429s by method: %s", strings.Join(parts, ", "))
	}
	for _, m := range rooms.missing {
		fig.note("incomplete: %s", m)
	}
	for i := range b.acks {
		if b.acks[i].Err != nil {
			fig.note("refused: %v", b.acks[i].Err)
			break
		}
	}
}

// burstWarRooms is what the call log says of the burst's war rooms.
type burstWarRooms struct {
	refused    int       // submissions answered with an error
	incomplete int       // incidents not found, or whose war room lacks a call
	missing    []string  // what the first few incomplete war rooms lack
	done       time.Time // when the last call of the last complete war room ended
}

// warRooms checks, from the call log, which incidents got a complete war
// room and when the last of them was done.
func (b *burstRun) warRooms(calls []call) burstWarRooms {
	perIncident := byIncident(calls, warRoomKeys)
	var rooms burstWarRooms
	for i, id := range b.ids {
		if b.acks[i].Err != nil {
			rooms.refused++
		}
		if id == "" {
			rooms.incomplete++
			continue
		}
		if lacks := b.lacks(perIncident[id]); len(lacks) > 0 {
			rooms.incomplete++
			if len(rooms.missing) < 3 {
				rooms.missing = append(rooms.missing, id+" lacks "+strings.Join(lacks, ", "))
			}
			continue
		}
		if t := lastEnd(perIncident[id]); t.After(rooms.done) {
			rooms.done = t
		}
	}
	return rooms
}

// lacks names the calls of a complete war room (activities.WarRoomCalls,
// and a bookmark for each document and the Web UI page) missing from one
// incident's calls.
func (b *burstRun) lacks(calls []call) []string {
	got := map[activities.SlackCall]int{}
	for _, c := range calls {
		k := activities.SlackCall{Method: c.Method}
		if c.Method == "chat.postMessage" {
			k.Key = c.Key
		}
		got[k]++
	}
	var lacks []string
	for _, need := range activities.WarRoomCalls() {
		if got[need] == 0 {
			lacks = append(lacks, callName(need))
		}
	}
	want := len(b.s.incidents.Process.Docs) + 1 // the documents and the Web UI page
	if marks := got[activities.SlackCall{Method: activities.BookmarkMethod}]; marks < want {
		lacks = append(lacks, fmt.Sprintf("%s (%d of %d)", activities.BookmarkMethod, marks, want))
	}
	return lacks
}

// callName writes c as method or method:key.
func callName(c activities.SlackCall) string {
	if c.Key == "" {
		return c.Method
	}
	return c.Method + ":" + c.Key
}

// timelineNotes counts the notes in the declared incidents' timelines:
// each is something that went wrong.
func (b *burstRun) timelineNotes(ctx context.Context) int {
	var noted atomic.Int64
	_ = forEach(ctx, len(b.ids), 20, func(ctx context.Context, i int) error {
		if b.ids[i] == "" {
			return nil
		}
		inc, err := b.s.incidents.Get(ctx, b.ids[i])
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
	return int(noted.Load())
}

// slackAnswers counts the Slack calls (response_url posts aside) and the
// 429s among them.
type slackAnswers struct {
	total, limited int
	perMethod429   map[string]int
}

func countAnswers(calls []call) slackAnswers {
	a := slackAnswers{perMethod429: map[string]int{}}
	for _, c := range calls {
		if c.Method == "response_url" {
			continue
		}
		a.total++
		if c.Status == 429 {
			a.limited++
			a.perMethod429[c.Method]++
		}
	}
	return a
}
