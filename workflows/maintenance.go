package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// MaintenanceWorkflow runs one planned maintenance window; the window's
// Temporal schedule starts one run per window, ahead of its start. The run
// posts the heads-ups in the announce channels, opens the war room at the
// start (an IncidentWorkflow of kind maintenance, started as a child, so
// the war room, its reminders at the maintenance cadence and its buttons
// are the incident's own), announces the maintenance, asks the lead to
// confirm completion at the planned end, and after the grace period
// reports an overrun and escalates. Its updates complete the window,
// promote it to an incident, or cancel it before the start. Register it
// under MaintenanceWorkflowName, with IncidentWorkflow, the
// activities.Slack and activities.Incidents activities.
func MaintenanceWorkflow(ctx workflow.Context, in wfapi.MaintenanceInput) (wfapi.MaintenanceState, error) {
	m := newMaintenanceWorkflow(ctx, in)
	if err := m.setup(ctx); err != nil {
		return m.st, err
	}
	if err := m.begin(ctx); err != nil {
		return m.st, err
	}
	return m.run(ctx)
}

// maintenanceWorkflow is the state of one run of MaintenanceWorkflow.
type maintenanceWorkflow struct {
	in  wfapi.MaintenanceInput
	win incident.Window
	// base is the process this run follows (begin; the input's until the
	// worker's answer is in), loc its time zone, in which the texts give
	// times; proc is the war room's (incident.MaintenanceProcess of base).
	base, proc incident.Process
	loc        *time.Location
	st         wfapi.MaintenanceState
	// warRoom is the war room's IncidentWorkflow, once started.
	warRoom workflow.ChildWorkflowFuture
	// closing is set as soon as a complete, promote or cancel is accepted.
	closing bool
	// searched holds the search attribute values last published.
	searched []string
	// sp is the window's scheduled maintenance on the status page.
	sp maintStatusPageRun
}

func newMaintenanceWorkflow(ctx workflow.Context, in wfapi.MaintenanceInput) *maintenanceWorkflow {
	m := &maintenanceWorkflow{in: in, win: in.Window, base: in.Process, loc: in.WindowZone()}
	m.proc = incident.MaintenanceProcess(in.Process, &m.win, in.Policy)
	m.st = wfapi.MaintenanceState{Window: in.Window, Phase: wfapi.PhaseScheduled}
	start, err := m.win.StartFor(firedAt(ctx), in.WindowZone())
	if err != nil || start.IsZero() {
		start = m.win.Start
		m.st.Notes = append(m.st.Notes, "could not work out this window's start from its recurrence; using the first start")
	}
	m.st.Start, m.st.End = start, m.win.End(start)
	return m
}

// begin takes the process this run follows (runProcess: the worker's) and
// the war room's. A window whose severity the worker's process doesn't
// list (the configuration changed since it was scheduled, or it was
// scheduled from another machine's) opens its war room at the mildest
// severity there is, and says so.
func (m *maintenanceWorkflow) begin(ctx workflow.Context) error {
	p, fromWorker, err := runProcess(ctx, m.in.Process)
	if err != nil {
		return err
	}
	m.base = p
	if fromWorker {
		m.loc = p.Location()
		if _, ok := p.Policy(m.win.Severity); !ok && len(p.Severities) > 0 {
			m.note(ctx, fmt.Sprintf("severity %q isn't in the worker's configuration (severities); the war room opens at %s",
				m.win.Severity, p.MildestSeverity()))
			m.win.Severity = p.MildestSeverity()
		}
	}
	m.proc = incident.MaintenanceProcess(p, &m.win, m.in.Policy)
	return nil
}

// firedAt is when the schedule meant to start this run, or when it started
// if no schedule did.
func firedAt(ctx workflow.Context) time.Time {
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(wfapi.SearchScheduledStart); ok && !t.IsZero() {
		return t
	}
	return workflow.GetInfo(ctx).WorkflowStartTime
}

// grace is how long the lead has to confirm completion after the end.
func (m *maintenanceWorkflow) grace() time.Duration {
	if m.in.Policy.Grace > 0 {
		return m.in.Policy.Grace
	}
	return incident.DefaultMaintenancePolicy().Grace
}

func (m *maintenanceWorkflow) headsUpOffsets() []time.Duration {
	if m.in.HeadsUp != nil {
		return m.in.HeadsUp
	}
	return m.in.Policy.HeadsUp
}

// run sends the heads-ups, opens the war room at the start, and watches
// the end, until the window is completed, promoted or cancelled.
func (m *maintenanceWorkflow) run(ctx workflow.Context) (wfapi.MaintenanceState, error) {
	m.publish(ctx)
	m.startStatusPage(ctx)
	if m.beforeStart(ctx) {
		m.statusPageStarted()
		m.open(ctx)
		m.watchEnd(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return m.st, err
	}
	m.drainStatusPage(ctx)
	m.publish(ctx)
	return m.st, nil
}

// beforeStart posts the heads-ups still ahead and waits for the start. It
// returns false when the window was cancelled first.
func (m *maintenanceWorkflow) beforeStart(ctx workflow.Context) bool {
	due := incident.HeadsUpsFor(m.st.Start, workflow.Now(ctx), m.headsUpOffsets())
	for _, off := range m.headsUpOffsets() {
		if !sentOffset(due, off) {
			m.st.Skipped = append(m.st.Skipped, off)
		}
	}
	for _, h := range due {
		if m.sleepUntil(ctx, h.At, "heads-up "+incident.FormatDuration(h.Before)+" before the start") {
			return false
		}
		m.headsUp(ctx, h)
	}
	if m.sleepUntil(ctx, m.st.Start, "maintenance starts at "+incident.Clock(m.st.Start, m.loc)) {
		return false
	}
	m.st.Phase = wfapi.PhaseInProgress
	return true
}

func sentOffset(due []incident.HeadsUp, off time.Duration) bool {
	for _, h := range due {
		if h.Before == off {
			return true
		}
	}
	return off <= 0
}

// watchEnd waits for the planned end, asks the lead to confirm completion,
// reports an overrun after the grace period, and then waits until the
// window is completed or promoted (or its war room resolved directly).
func (m *maintenanceWorkflow) watchEnd(ctx workflow.Context) {
	if m.sleepUntil(ctx, m.st.End, "planned end at "+incident.Clock(m.st.End, m.loc)) {
		return
	}
	m.askToConfirm(ctx)
	if m.sleepUntil(ctx, m.st.End.Add(m.grace()), "grace period ends") {
		return
	}
	m.overrun(ctx)
	for !m.closing {
		_ = workflow.Await(ctx, m.interrupted)
		m.closeIfResolved(ctx)
	}
}

// sleepUntil waits until t and reports false, unless the window is closed
// first (completed, promoted, cancelled, or its war room resolved), which
// it reports as true.
func (m *maintenanceWorkflow) sleepUntil(ctx workflow.Context, t time.Time, summary string) bool {
	for !m.closing {
		wait := t.Sub(workflow.Now(ctx))
		if wait <= 0 {
			return false
		}
		_, _ = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      wait,
			TimerOptions: workflow.TimerOptions{Summary: summary},
		}, m.interrupted)
		m.closeIfResolved(ctx)
	}
	return true
}

// interrupted reports whether the window is closing or its war room's
// workflow has ended.
func (m *maintenanceWorkflow) interrupted() bool {
	return m.closing || (m.warRoom != nil && m.warRoom.IsReady())
}
