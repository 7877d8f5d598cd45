package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// ackSettings configure the acknowledgement figure.
type ackSettings struct {
	Rate     float64       // requests per second in all
	Duration time.Duration // how long the load runs
	Latency  time.Duration // per Slack call
}

// slackDeadline is how long Slack waits for an acknowledgement.
const slackDeadline = 3 * time.Second

// ackTarget is the p99 the front door aims for.
const ackTarget = 50 * time.Millisecond

// runAck sends signed slash commands and view submissions to the front
// door (the real slackdoor.FrontDoor handler on a real listener, backed by
// the real Temporal server and a worker opening every war room) at a
// steady rate, and measures how long each took to be answered, as the
// emulator — playing Slack — timed it. Each declaration is a slash command
// ("/incident declare …", answered by opening the modal) then the modal's
// submission (answered once Temporal accepted the declaration); they are
// started on a fixed schedule whatever the answers take, so a slow answer
// can't slow the load down and hide itself.
func runAck(ctx context.Context, h *harness, set ackSettings) *figure {
	fig, s, end := h.startFigure(ctx, "ack latency", 0, nil, stackOptions{name: "ack", latency: set.Latency})
	defer end()
	if s == nil {
		return fig
	}

	var (
		mu       sync.Mutex
		results  []ackResult
		errs     []error
		declared int
		wg       sync.WaitGroup
	)
	record := func(r ackResult, err error) {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r)
		if err != nil && len(errs) < 5 {
			errs = append(errs, err)
		}
	}
	// A declaration is two requests: pace declarations at half the rate.
	every := time.Duration(float64(time.Second) * 2 / set.Rate)
	n := int(set.Duration / every)
	tick := time.NewTicker(every)
	defer tick.Stop()
	loadStart := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			title := fmt.Sprintf("Payments latency %05d", i)
			viewID, res, err := s.openDeclare(rctx, title, slackemu.UserAlice)
			record(res, err)
			if err != nil {
				return
			}
			res, err = s.submitDeclare(rctx, viewID, title, incident.Critical)
			record(res, err)
			if err == nil {
				mu.Lock()
				declared++
				mu.Unlock()
			}
		}(i)
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	loadTime := time.Since(loadStart)
	wg.Wait()

	var all, commands, submissions []time.Duration
	late, failed := 0, 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
		if r.Late {
			late++
		}
		if r.Elapsed == 0 {
			continue
		}
		all = append(all, r.Elapsed)
		if r.Kind == "command" {
			commands = append(commands, r.Elapsed)
		} else {
			submissions = append(submissions, r.Elapsed)
		}
	}
	if len(all) == 0 {
		fig.Error = "no request was answered"
		if len(errs) > 0 {
			fig.Error += ": " + errs[0].Error()
		}
		return fig
	}
	deadline := ms(slackDeadline)
	under := func(limit time.Duration) func(row) bool {
		return func(r row) bool { return r.Value <= ms(limit) }
	}
	fig.add(row{Metric: "p50, all requests", Value: ms(percentile(all, 50)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline"}, nil)
	fig.add(row{Metric: "p99, all requests", Value: ms(percentile(all, 99)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline",
		Target: "≤ 50 ms"}, under(ackTarget))
	fig.add(row{Metric: "max, all requests", Value: ms(maxOf(all)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline",
		Target: "< 3,000 ms"}, under(slackDeadline))
	fig.add(row{Metric: "view submissions p50", Value: ms(percentile(submissions, 50)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline"}, nil)
	fig.add(row{Metric: "view submissions p99", Value: ms(percentile(submissions, 99)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline",
		Target: "≤ 50 ms"}, under(ackTarget))
	fig.add(row{Metric: "slash commands p50", Value: ms(percentile(commands, 50)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline"}, nil)
	fig.add(row{Metric: "slash commands p99", Value: ms(percentile(commands, 99)), Unit: "ms", Floor: deadline, FloorName: "ms Slack deadline",
		Target: "≤ 50 ms"}, under(ackTarget))
	// Submissions that finish in the background tell their failures later.
	time.Sleep(2 * time.Second)
	told := notices(s.calls.Calls())
	fig.add(row{Metric: "requests refused or failed, and failures told later", Value: float64(failed + len(told)), Unit: fmt.Sprintf("(%d + %d)", failed, len(told)),
		Target: "0"}, func(r row) bool { return r.Value == 0 })
	fig.quoteNotices(told)
	fig.note("%d requests in %s (%.1f/s: %d slash commands, %d view submissions), %d incidents declared, their war rooms opened meanwhile; %v Slack latency, rate limits off (%.0f declarations a second would overrun views.open's Tier 4, 100 a minute)",
		len(results), loadTime.Round(100*time.Millisecond), float64(len(results))/loadTime.Seconds(), len(commands), len(submissions), declared, set.Latency, set.Rate/2)
	fig.note("a view submission's answer waits for Temporal to accept the declaration (Update-With-Start, stage Accepted) or for the front door's SubmitWait, after which the declaration finishes in the background and a failure is told to the user (counted above)")
	fig.note("answered after Slack's 3 s: %d", late)
	for _, err := range errs {
		fig.note("error: %v", err)
	}
	fig.Failed = failed + len(told)
	return fig
}
