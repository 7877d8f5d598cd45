package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/proctest"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// insightsSettings configure the insights figure.
type insightsSettings struct {
	Incidents       int // closed incidents in visibility when the verb is timed
	Real            int // of those, closed through the real incident workflow
	Concurrency     int // real incidents in flight at once while generating
	CopyConcurrency int // copies started and terminated at once
	Runs            int // timed runs of the verb
}

// insightsTarget is the target for `insights --json` over 10,000
// closed incidents.
const insightsTarget = 2 * time.Second

// copiesTaskQueue is where the copies' workflows are started: no worker
// polls it, so they never run before they are terminated.
const copiesTaskQueue = "bench-insights-copies"

// runInsights fills visibility with set.Incidents closed incidents, then
// times `incidentflow insights --since 365d --json` (the real binary, as a
// person runs it) over them.
//
// set.Real of them are closed through the real incident workflow as fast
// as the stack takes them: Slack without latency or rate limits, no
// retrospective, each incident declared (waiting for its war room), half
// of them mitigated by a status update, and resolved at once. That is 6
// to 25 a second on 2 cores, up to half an hour for 10,000, so the rest
// are copies of their visibility footprint (see startCopy): the verb
// reads only visibility, and what it reads of a copy is what a real
// incident left there, its times shifted over the last year and its ID
// renamed. A copy's workflow is terminated, not completed: the reader
// takes a recorded incident's state from its record, not from how its
// workflow closed.
func runInsights(ctx context.Context, h *harness, set insightsSettings) *figure {
	noRetro := func(p *incident.Process) { p.Retrospective.Enabled = false }
	fig, s, end := h.startFigure(ctx, "insights", 0, noRetro, stackOptions{name: "insights"})
	defer end()
	if s == nil {
		return fig
	}
	run := fmt.Sprintf("ins%d", time.Now().Unix()%100000)
	start := time.Now()
	err := forEach(ctx, set.Real, set.Concurrency, func(ctx context.Context, i int) error {
		id := fmt.Sprintf("%s-%d", run, i)
		if err := s.closeIncident(ctx, id, i); err != nil {
			fig.Failed++
			return fmt.Errorf("incident %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		fig.Error = "generating the incidents: " + err.Error()
		return fig
	}
	if err := s.awaitCount(ctx, s.taskQueue, "Completed", set.Real, 2*time.Minute); err != nil {
		fig.Error = err.Error()
		return fig
	}
	generated := time.Since(start)
	fig.add(row{Metric: "incidents closed through the workflow, per second", Value: float64(set.Real) / generated.Seconds(), Unit: "/s"}, nil)

	copies := set.Incidents - set.Real
	var copied time.Duration
	if copies > 0 {
		templates, err := s.footprints(ctx, set.Real)
		if err != nil {
			fig.Error = "reading the real incidents' footprints: " + err.Error()
			return fig
		}
		start := time.Now()
		// The copies' declarations are spread evenly over the last 360
		// days, the latest an hour ago.
		first, span := start.Add(-360*24*time.Hour), 360*24*time.Hour-time.Hour
		err = forEach(ctx, copies, set.CopyConcurrency, func(ctx context.Context, i int) error {
			declared := first.Add(span / time.Duration(copies) * time.Duration(i))
			return s.startCopy(ctx, templates[i%len(templates)], fmt.Sprintf("%s-copy%d", run, i), declared)
		})
		if err != nil {
			fig.Error = "copying the incidents: " + err.Error()
			return fig
		}
		if err := s.awaitCount(ctx, copiesTaskQueue, "Terminated", copies, 2*time.Minute); err != nil {
			fig.Error = err.Error()
			return fig
		}
		copied = time.Since(start)
		fig.add(row{Metric: "copies started and terminated, per second", Value: float64(copies) / copied.Seconds(), Unit: "/s"}, nil)
	}

	dir, err := os.MkdirTemp("", "incidentflow-bench-insights-")
	if err != nil {
		fig.Error = err.Error()
		return fig
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin, err := proctest.Build(dir)
	if err != nil {
		fig.Error = err.Error()
		return fig
	}
	env := proctest.Env(map[string]string{
		"INCIDENTFLOW_TEMPORAL_ADDRESS":   h.srv.FrontendAddress(),
		"INCIDENTFLOW_TEMPORAL_NAMESPACE": h.srv.Namespace(),
		"HOME":                            dir,
	})
	floor, err := s.listIncidents(ctx)
	if err != nil {
		fig.Error = "listing the incidents: " + err.Error()
		return fig
	}
	var times []time.Duration
	for range set.Runs {
		took, rep, err := timeInsights(ctx, bin, dir, env)
		if err != nil {
			fig.Error = err.Error()
			return fig
		}
		if rep.Resolved < set.Incidents {
			fig.Error = fmt.Sprintf("insights --json counted %d resolved incidents, want at least the %d generated", rep.Resolved, set.Incidents)
			return fig
		}
		times = append(times, took)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	median := times[len(times)/2]
	fig.add(row{
		Metric: fmt.Sprintf("insights --since 365d --json over %d closed incidents (median of %d)", set.Incidents, set.Runs),
		Value:  median.Seconds(), Unit: "s",
		Floor: floor.Seconds(), FloorName: "listing them from visibility, nothing decoded",
		Target: "< " + insightsTarget.String(),
	}, func(r row) bool { return r.Value < insightsTarget.Seconds() })
	fig.add(row{Metric: "slowest run", Value: times[len(times)-1].Seconds(), Unit: "s"}, nil)
	fig.note("%d incidents closed through the real workflow (declared, war room ready, half mitigated, all resolved), %d at a time, in %s; no Slack latency or rate limits, no retrospective",
		set.Real, set.Concurrency, generated.Round(time.Second))
	if copies > 0 {
		fig.note("%d more are copies of their visibility footprint, %d at a time, in %s: each real incident's memo (title, security flag, insights record) and search attributes, ID renamed and times shifted so the copies' declarations spread over the last 360 days, on a workflow started on a task queue no worker polls and terminated at once (the reader takes a recorded incident's state from its record, not from how its workflow closed)",
			copies, set.CopyConcurrency, copied.Round(time.Second))
		fig.note("copies, because the verb reads only visibility (one listing, the memos decoded; no query, no history), and what it reads of a copy is what a real incident leaves there, encoded alike; closing all %d through the workflow at this run's rate would take %s (about half an hour on a busy machine, 6 a second)",
			set.Incidents, (time.Duration(set.Incidents) * generated / time.Duration(set.Real)).Round(time.Second))
	}
	fig.note("the verb is the real binary run as a process (start, connect, list, decode the memos, compute, print); the other figures' incidents on the server are read too")
	return fig
}

// footprint is what a closed incident leaves in visibility: its memo and
// search attributes, and the insights record its memo holds.
type footprint struct {
	record insights.Record
	memo   map[string]*commonpb.Payload
	search map[string]*commonpb.Payload
}

// footprints lists the footprints of n incidents the stack closed through
// the real workflow, each with a resolved insights record.
func (s *stack) footprints(ctx context.Context, n int) ([]footprint, error) {
	resp, err := s.h.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: s.h.srv.Namespace(), PageSize: int32(min(n, 1000)),
		Query: fmt.Sprintf("TaskQueue = '%s' AND WorkflowType = '%s' AND ExecutionStatus = 'Completed'", s.taskQueue, wfapi.IncidentWorkflowName),
	})
	if err != nil {
		return nil, err
	}
	var fps []footprint
	for _, ex := range resp.GetExecutions() {
		fp := footprint{memo: ex.GetMemo().GetFields(), search: ex.GetSearchAttributes().GetIndexedFields()}
		id := ex.GetExecution().GetWorkflowId()
		p, ok := fp.memo[wfapi.MemoInsights]
		if !ok {
			return nil, fmt.Errorf("%s has no %q memo", id, wfapi.MemoInsights)
		}
		if err := benchDataConverter.FromPayload(p, &fp.record); err != nil {
			return nil, fmt.Errorf("%s: decoding its insights record: %w", id, err)
		}
		if fp.record.ResolvedAt.IsZero() || fp.record.ID == "" {
			return nil, fmt.Errorf("%s: its insights record has no ID or isn't resolved", id)
		}
		for _, name := range []string{wfapi.SearchDeclaredAt.GetName(), wfapi.SearchResolvedAt.GetName()} {
			if fp.search[name] == nil {
				return nil, fmt.Errorf("%s has no %s search attribute", id, name)
			}
		}
		fps = append(fps, fp)
	}
	if len(fps) == 0 {
		return nil, fmt.Errorf("visibility lists none of the incidents closed")
	}
	return fps, nil
}

// benchDataConverter is the data converter of the stack's client and
// worker (the SDK's default: the bench configures no codec), which wrote
// the real incidents' memos and encodes the copies'.
var benchDataConverter = converter.GetDefaultDataConverter()

// startCopy starts incident id's workflow with fp's memo and search
// attributes, the record's ID, workflow ID and title renamed to id's and
// every time shifted so that it was declared at declared, on a task queue
// no worker polls, and terminates it.
func (s *stack) startCopy(ctx context.Context, fp footprint, id string, declared time.Time) error {
	delta := declared.Sub(fp.record.DeclaredAt)
	rename := func(v string) string { return strings.ReplaceAll(v, fp.record.ID, id) }
	rec := shiftRecord(fp.record, delta)
	rec.ID, rec.WorkflowID = id, wfapi.IncidentWorkflowID(id)
	rec.Title, rec.Channel = rename(rec.Title), rename(rec.Channel)

	memo := maps.Clone(fp.memo)
	var err error
	if memo[wfapi.MemoInsights], err = benchDataConverter.ToPayload(rec); err != nil {
		return err
	}
	if p, ok := memo[wfapi.MemoTitle]; ok {
		var title string
		if err := benchDataConverter.FromPayload(p, &title); err != nil {
			return fmt.Errorf("decoding a title: %w", err)
		}
		if memo[wfapi.MemoTitle], err = benchDataConverter.ToPayload(rename(title)); err != nil {
			return err
		}
	}
	search := maps.Clone(fp.search)
	for name, t := range map[string]time.Time{wfapi.SearchDeclaredAt.GetName(): rec.DeclaredAt, wfapi.SearchResolvedAt.GetName(): rec.ResolvedAt} {
		// Search attributes are always encoded by the default converter;
		// the metadata (encoding, type) stays the original's.
		p, err := converter.GetDefaultDataConverter().ToPayload(t.UTC())
		if err != nil {
			return err
		}
		search[name] = &commonpb.Payload{Metadata: fp.search[name].GetMetadata(), Data: p.GetData()}
	}

	wid := wfapi.IncidentWorkflowID(id)
	_, err = s.h.client.WorkflowService().StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: s.h.srv.Namespace(), WorkflowId: wid, RequestId: wid, Identity: "bench-insights-copies",
		WorkflowType:     &commonpb.WorkflowType{Name: wfapi.IncidentWorkflowName},
		TaskQueue:        &taskqueuepb.TaskQueue{Name: copiesTaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Memo:             &commonpb.Memo{Fields: memo},
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: search},
	})
	if err != nil {
		return fmt.Errorf("starting copy %s: %w", id, err)
	}
	if err := s.h.client.TerminateWorkflow(ctx, wid, "", "bench: a copy of a closed incident's visibility footprint"); err != nil {
		return fmt.Errorf("terminating copy %s: %w", id, err)
	}
	return nil
}

// shiftRecord is rec with every time it holds moved by delta.
func shiftRecord(rec insights.Record, delta time.Duration) insights.Record {
	shift := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.Add(delta).UTC()
		}
	}
	for _, t := range []*time.Time{&rec.DeclaredAt, &rec.AcknowledgedAt, &rec.MitigatedAt, &rec.ResolvedAt, &rec.CommanderAt, &rec.CommsAt} {
		shift(t)
	}
	if rec.Retrospective != nil {
		retro := *rec.Retrospective
		shift(&retro.MeetingEnd)
		retro.ActionItems = slices.Clone(retro.ActionItems)
		for i := range retro.ActionItems {
			shift(&retro.ActionItems[i].OpenedAt)
			shift(&retro.ActionItems[i].Due)
		}
		rec.Retrospective = &retro
	}
	return rec
}

// closeIncident declares incident id, waits for its war room, mitigates
// every second one and resolves it.
func (s *stack) closeIncident(ctx context.Context, id string, i int) error {
	sev := []incident.Severity{incident.Critical, incident.Major, incident.Minor}[i%3]
	d := incident.Declaration{
		ID: id, Title: "Insights bench " + id, Severity: sev, Source: incident.SourceCLI,
		Declarer: slackemu.UserAlice, Commander: slackemu.UserAlice,
	}
	if _, err := s.incidents.Declare(ctx, d, true); err != nil {
		return err
	}
	if i%2 == 0 {
		if err := s.incidents.PostStatus(ctx, id, wfapi.PostStatusRequest{
			Author: slackemu.UserAlice, Status: incident.Mitigated, Text: "Rolled back",
		}); err != nil {
			return err
		}
	}
	return s.incidents.Resolve(ctx, id, wfapi.ResolveRequest{By: slackemu.UserAlice, Summary: "Fixed", Operator: true})
}

// awaitCount waits until visibility shows n incident workflows of
// taskQueue in status (Completed, Terminated).
func (s *stack) awaitCount(ctx context.Context, taskQueue, status string, n int, within time.Duration) error {
	query := fmt.Sprintf("TaskQueue = '%s' AND WorkflowType = '%s' AND ExecutionStatus = '%s'", taskQueue, wfapi.IncidentWorkflowName, status)
	deadline := time.Now().Add(within)
	for {
		resp, err := s.h.client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: s.h.srv.Namespace(), Query: query})
		if err == nil && resp.GetCount() >= int64(n) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("visibility shows %d of the %d incident workflows on %s %s after %s (%v)", resp.GetCount(), n, taskQueue, status, within, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// listIncidents times listing every incident workflow from visibility,
// page by page, decoding nothing: the floor of the verb.
func (s *stack) listIncidents(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	var token []byte
	for {
		resp, err := s.h.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: s.h.srv.Namespace(), PageSize: 1000, NextPageToken: token,
			Query: fmt.Sprintf("WorkflowType = '%s'", wfapi.IncidentWorkflowName),
		})
		if err != nil {
			return 0, err
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return time.Since(start), nil
		}
	}
}

// insightsCounts is the part of `insights --json` the figure checks.
type insightsCounts struct {
	Declared int `json:"declared"`
	Resolved int `json:"resolved"`
}

// timeInsights runs `incidentflow insights --since 365d --json` once.
func timeInsights(ctx context.Context, bin, dir string, env []string) (time.Duration, insightsCounts, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "insights", "--since", "365d", "--json")
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var rep insightsCounts
	if err != nil {
		return took, rep, fmt.Errorf("incidentflow insights: %v: %s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return took, rep, fmt.Errorf("incidentflow insights --json printed no JSON object (%v): %.200s", err, stdout.String())
	}
	return took, rep, nil
}
