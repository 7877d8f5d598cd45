package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// longSettings configure the long-incident figure.
type longSettings struct {
	Days      int           // simulated days
	MissEvery time.Duration // simulated time between missed updates (a reminder fires)
	Cadence   time.Duration // what the 15-minute cadence is compressed to
}

// canThreshold is where Temporal suggests continuing as new.
const canThreshold = 4096

// payloadLimit is Temporal's default limit on one payload (blob).
const payloadLimit = 2 << 20

// criticalCadence is the default critical cadence the long incident runs.
const criticalCadence = 15 * time.Minute

// runLong plays a month of a critical incident on the embedded server and
// reports the events of each run of its workflow. Each 15-minute slot of
// the month gets a status update from the responders, except that every
// --long-miss-every they miss one and the reminder fires instead (and
// escalates when two are missed in a row: here they never are).
//
// Why not Temporal's time-skipping test environment: it keeps no history
// (GetCurrentHistoryLength is whatever a test sets), so it can't count
// events or trigger the workflow's continue-as-new. Why not simply a
// shorter cadence: the embedded server fires no timer sooner than about a
// second after it starts, so a month of reminders would take 48 minutes.
// Updates need no timer: they are sent as fast as the incident takes them,
// and only the missed slots wait (--long-cadence, at least a second, stands
// for the 15 minutes). The workflow sees the same sequence of updates and
// reminders a real month would bring, so its runs hold the same events;
// only the waits are shorter.
func runLong(ctx context.Context, h *harness, set longSettings) *figure {
	critical := func(proc *incident.Process) {
		for i := range proc.Severities {
			if proc.Severities[i].Name == incident.Critical {
				proc.Severities[i].UpdateEvery = set.Cadence
			}
		}
	}
	fig, s, end := h.startFigure(ctx, "long incident", 0, critical, stackOptions{name: "long"})
	defer end()
	if s == nil {
		return fig
	}

	id := fmt.Sprintf("long%d", time.Now().Unix()%100000)
	if err := s.declareDirect(ctx, id, "Database replication lag", incident.Critical); err != nil {
		fig.Error = err.Error()
		return fig
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	_, err := s.awaitWarRoom(wctx, id)
	cancel()
	if err != nil {
		fig.Error = "opening the war room: " + err.Error()
		return fig
	}

	slots := set.Days * int(24*time.Hour/criticalCadence)
	missEvery := 0
	if set.MissEvery > 0 {
		missEvery = max(int(set.MissEvery/criticalCadence), 1)
	}
	statuses := []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring, incident.Mitigated}
	updates, missed, failures := 0, 0, 0
	var firstErr error
	for slot := 1; slot <= slots && ctx.Err() == nil; slot++ {
		if missEvery > 0 && slot%missEvery == 0 {
			// The responders miss this one: wait for the reminder.
			if err := s.awaitReminder(ctx, id, missed+1, set.Cadence+10*time.Second); err != nil {
				failures++
				firstErr = cmpOr(firstErr, err)
			}
			missed++
			continue
		}
		uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.incidents.PostStatus(uctx, id, wfapi.PostStatusRequest{
			Author: slackemu.UserAlice, Status: statuses[(updates/8)%len(statuses)],
			Text: fmt.Sprintf("Update %d: replicas are %d%% caught up; next step is to fail over the read pool.", updates+1, slot*100/slots),
		})
		cancel()
		if err != nil {
			failures++
			firstErr = cmpOr(firstErr, err)
		}
		updates++
	}
	inc, err := s.incidents.Get(ctx, id)
	if err != nil {
		fig.Error = "reading the incident: " + err.Error()
		return fig
	}
	_ = h.client.TerminateWorkflow(ctx, wfapi.IncidentWorkflowID(id), "", "bench: the simulated month is over")

	runs, err := historyRuns(ctx, h.client, wfapi.IncidentWorkflowID(id))
	if err != nil {
		fig.Error = "reading the histories: " + err.Error()
		return fig
	}
	var maxEvents, total, maxInput int
	for _, r := range runs {
		maxEvents = max(maxEvents, r.events)
		maxInput = max(maxInput, r.inputBytes)
		total += r.events
	}
	last := runs[len(runs)-1]
	fig.add(row{Metric: "max events in one run", Value: float64(maxEvents), Unit: "events", Floor: canThreshold, FloorName: "suggested continue-as-new",
		Target: "< 4,096"}, func(r row) bool { return r.Value < canThreshold })
	fig.add(row{Metric: "runs (continue-as-new chain)", Value: float64(len(runs)), Unit: "runs"}, nil)
	fig.add(row{Metric: "events in all runs", Value: float64(total), Unit: "events"}, nil)
	fig.add(row{Metric: "largest carried state (run input), bounded by compaction", Value: float64(maxInput), Unit: "bytes",
		Floor: payloadLimit, FloorName: "bytes payload limit", Target: "< 2 MiB"}, func(r row) bool { return r.Value < payloadLimit })
	fig.Failed = failures

	fig.note("a critical incident over %d simulated days (%d slots of 15 min): %d status updates, %d reminders (one missed update every %v); it took %s",
		set.Days, slots, len(inc.Updates)+inc.OmittedUpdates, inc.EntryCount(incident.EntryReminder), set.MissEvery, time.Since(fig.start).Round(time.Second))
	fig.note("runs hold %s events; the workflow continues as new at %d events (wfapi.DefaultHistoryLimit) or when Temporal suggests it",
		runEvents(runs), wfapi.DefaultHistoryLimit)
	l := incident.DefaultLimits
	dropped := "nothing dropped yet"
	if last.omittedTimeline > 0 || last.omittedUpdates > 0 {
		dropped = fmt.Sprintf("%d older entries and %d older updates dropped", last.omittedTimeline, last.omittedUpdates)
	}
	fig.note("the carried state is bounded: before continuing as new the workflow compacts the incident to incident.DefaultLimits, the most recent %d updates within %d KiB and %d timeline entries within %d KiB (plus the first update of each status, the declaration and the war room; severity history and action items are all kept), so it stops growing once it reaches them; the last run started with %.0f KiB (%d timeline entries and %d updates; %s)",
		l.Updates, l.UpdateBytes>>10, l.Timeline, l.TimelineBytes>>10, float64(last.inputBytes)/1024,
		last.timelineAtStart, last.updatesAtStart, dropped)
	if failures > 0 {
		fig.note("%d updates or reminders failed; the first: %v", failures, firstErr)
	}
	return fig
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// awaitReminder waits until incident id's n-th reminder reaches Slack.
func (s *stack) awaitReminder(ctx context.Context, id string, n int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		got := 0
		for _, c := range s.calls.Calls() {
			if c.Method == "chat.postMessage" && c.Incident == id && strings.HasPrefix(c.Key, incident.EntryReminder+"-") {
				got++
			}
		}
		if got >= n {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("reminder %d of incident %s didn't come within %v", n, id, within)
}

// runInfo is one run of a workflow: its events and what its input carried.
type runInfo struct {
	events          int
	inputBytes      int
	timelineAtStart int
	updatesAtStart  int
	omittedTimeline int
	omittedUpdates  int
}

// runEvents lists the runs' event counts.
func runEvents(runs []runInfo) string {
	parts := make([]string, len(runs))
	for i, r := range runs {
		parts[i] = fmt.Sprint(r.events)
	}
	if len(parts) > 8 {
		parts = append(parts[:4], append([]string{"…"}, parts[len(parts)-3:]...)...)
	}
	return strings.Join(parts, ", ")
}

// historyRuns walks a workflow's continue-as-new chain back from its latest
// run and counts each run's events.
func historyRuns(ctx context.Context, c client.Client, workflowID string) ([]runInfo, error) {
	var runs []runInfo
	runID := ""
	for {
		var r runInfo
		prev := ""
		it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				var nf *serviceerror.NotFound
				if len(runs) > 0 && errors.As(err, &nf) {
					return runs, nil
				}
				return runs, err
			}
			r.events++
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				prev = a.GetContinuedExecutionRunId()
				for _, p := range a.GetInput().GetPayloads() {
					r.inputBytes += len(p.GetData())
					var in wfapi.IncidentInput
					if json.Unmarshal(p.GetData(), &in) == nil && in.State != nil {
						r.timelineAtStart, r.updatesAtStart = len(in.State.Timeline), len(in.State.Updates)
						r.omittedTimeline, r.omittedUpdates = in.State.OmittedTimeline, in.State.OmittedUpdates
					}
				}
			}
		}
		runs = append([]runInfo{r}, runs...)
		if prev == "" {
			return runs, nil
		}
		runID = prev
	}
}
