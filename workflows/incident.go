package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// IncidentWorkflow runs one incident from declaration to resolution: it
// opens and equips the war room, announces the incident, reminds the
// responders when a status update is due and escalates when reminders go
// unanswered, applies the updates its Update handlers accept, and on
// resolution announces it and starts the retrospective. Register it under
// IncidentWorkflowName, with the activities.Slack activities.
func IncidentWorkflow(ctx workflow.Context, in wfapi.IncidentInput) (incident.Incident, error) {
	w := newIncidentWorkflow(in)
	if err := w.setup(ctx); err != nil {
		return w.inc, err
	}
	return w.run(ctx)
}

// incidentWorkflow is the state of one run of IncidentWorkflow.
type incidentWorkflow struct {
	in wfapi.IncidentInput
	// proc is the process this run follows (begin), loc its time zone:
	// the input's until the worker's answer is in.
	proc incident.Process
	loc  *time.Location
	inc  incident.Incident

	// ready is set once the war room is open and equipped; warRoomErr when
	// the run ends without one (the declaration refused, or the war room
	// couldn't be opened): what every update is answered.
	ready      bool
	warRoomErr error
	// resets counts the events (updates, severity changes) that restarted
	// the wait for the next status update.
	resets int
	// resolving is set as soon as a resolve is accepted.
	resolving bool
	// searched holds the search attribute values last published.
	searched []string
	// reactions lets one ✅ reaction call run at a time (acknowledgeMark).
	reactions workflow.Mutex
	// liveKickoff is set in runs since versionLiveKickoff, which keep the
	// kickoff message current (keepKickoffCurrent); kickoffShown is the
	// text it was last given (its buttons go with it: they are gone once
	// the text says resolved), kickoffBusy is set while it is being
	// rewritten.
	liveKickoff  bool
	kickoffShown string
	kickoffBusy  bool
	// pg is the run's paging (incident_paging.go).
	pg pagingState
	// public is the run's sender of status-page posts (incident_statuspage.go).
	public publicSender
	// insights is the run's keeping of its insights (incident_insights.go);
	// resolvedAtSet says it set IncidentResolvedAt.
	insights      keptMemo[insights.Record]
	resolvedAtSet bool
	// dr is the run's playing of its drill (incident_drill.go).
	dr drillState
}

func newIncidentWorkflow(in wfapi.IncidentInput) *incidentWorkflow {
	w := &incidentWorkflow{in: in, proc: in.Process, loc: in.Process.Location(), dr: newDrillState(in.Drill)}
	w.insights.last = in.Insights
	if in.State != nil {
		w.inc = *in.State
		w.ready = w.inc.ChannelID != ""
	} else {
		w.inc = incident.New(in.Declaration)
	}
	return w
}

// run takes the process this run follows and checks the declaration
// against it (begin), opens the war room (unless an earlier run did), then
// waits for status updates, reminding when one is due, until the incident
// is resolved or this run's history is long enough to continue as new.
// All along it keeps the kickoff message current (keepKickoffCurrent).
func (w *incidentWorkflow) run(ctx workflow.Context) (incident.Incident, error) {
	if err := w.begin(ctx); err != nil {
		refusal := temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("incident %s was not declared: %s", w.inc.Declaration.ID, err), "", nil)
		return w.endWithoutWarRoom(ctx, refusal, refusal)
	}
	w.publish(ctx)
	w.keepKickoffCurrent(ctx)
	w.startPaging(ctx)
	w.sendPublicPosts(ctx) // the posts a run continued from left to send
	if !w.ready {
		if err := w.openWarRoom(ctx); err != nil {
			return w.endWithoutWarRoom(ctx, fmt.Errorf("the war room of incident %s could not be opened: %s",
				w.inc.Declaration.ID, errorMessage(err)), err)
		}
	}
	w.playDrill(ctx)
	for !w.inc.IsResolved() {
		if w.continueAsNewDue(ctx) {
			if err := workflow.Await(ctx, func() bool {
				return workflow.AllHandlersFinished(ctx) && w.kickoffSettled(ctx) && w.drillSettled()
			}); err != nil {
				return w.inc, err
			}
			if !w.inc.IsResolved() {
				return w.continueAsNew(ctx)
			}
			break
		}
		if err := w.waitForUpdate(ctx); err != nil {
			return w.inc, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && w.drillSettled() }); err != nil {
		return w.inc, err
	}
	w.debriefDrill(ctx)
	w.startRetrospective(ctx)
	if err := workflow.Await(ctx, func() bool { return w.kickoffSettled(ctx) && w.pagingSettled() && w.statusPageSettled() }); err != nil {
		return w.inc, err
	}
	return w.payload(), nil
}

// begin takes the process this run follows: the worker's (runProcess),
// under incident.MaintenanceProcess for a maintenance window's war room.
// Until it is in, the input's serves: an update delivered in the run's
// first workflow task is validated before the worker answers. The run that
// opens the incident checks its declaration against the worker's process
// (checkAgainstProcess); later runs carry on under whatever the process
// has become.
func (w *incidentWorkflow) begin(ctx workflow.Context) error {
	if err := w.refuseUnboundedDeclaration(ctx); err != nil {
		return err
	}
	w.beginDrill(ctx)
	p, fromWorker, err := runProcess(ctx, w.in.Process)
	if err != nil {
		return err
	}
	if room := w.in.Maintenance; room != nil {
		p = incident.MaintenanceProcess(p, &room.Window, room.Policy)
	}
	if room := w.in.Drill; room != nil {
		p = drillProcess(p, room)
	}
	w.proc, w.loc = p, p.Location()
	if !fromWorker || w.in.State != nil {
		return nil // declared before versionProcessFromWorker: the starter checked it
	}
	return checkAgainstProcess(&w.proc, w.inc.Declaration)
}

// checkAgainstProcess refuses a declaration the process can't carry out: an
// unknown severity, or, from a person (the Slack form, the CLI), a service
// the process doesn't list. Alerts and maintenance windows may name a
// service the configuration doesn't list; it then adds no leads.
func checkAgainstProcess(p *incident.Process, d incident.Declaration) error {
	if err := p.CheckSeverity(d.Severity); err != nil {
		return err
	}
	if d.Service != "" && (d.Source == incident.SourceSlack || d.Source == incident.SourceCLI) {
		return p.CheckService(d.Service)
	}
	return nil
}

// endWithoutWarRoom ends a run that opens no war room: the updates (the
// declaration's war-room-ready first) are answered answer, and once every
// handler has finished the run fails with err.
func (w *incidentWorkflow) endWithoutWarRoom(ctx workflow.Context, answer, err error) (incident.Incident, error) {
	w.warRoomErr = answer
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return w.inc, err
}

// waitForUpdate waits until the next status update is due and reminds
// then, unless an update or a severity change restarts the wait first, or
// the incident is resolved, or the run should continue as new; the timer
// of a wait cut short is cancelled (versionCancelMootTimers), so one
// "next status update due" timer at most is pending.
func (w *incidentWorkflow) waitForUpdate(ctx workflow.Context) error {
	resets := w.resets
	if wait := w.inc.NextUpdateBy.Sub(workflow.Now(ctx)); wait > 0 {
		interrupted, err := awaitOrTimeout(ctx, wait, "next status update due by "+incident.Clock(w.inc.NextUpdateBy, w.loc), func() bool {
			return w.resets != resets || w.inc.IsResolved() || w.continueAsNewDue(ctx)
		})
		if err != nil || interrupted {
			return err
		}
	}
	w.remind(ctx)
	return nil
}

// record adds an entry to the timeline and returns a key naming it, unique
// within the incident (the entry's number counts the entries compaction
// dropped), for the Slack posts and the action-item issue about it.
func (w *incidentWorkflow) record(ctx workflow.Context, actor, kind, text string) string {
	n := w.inc.Record(workflow.Now(ctx), actor, kind, text)
	return fmt.Sprintf("%s-%d", kind, n)
}

// note records something that went wrong but didn't stop the incident.
func (w *incidentWorkflow) note(ctx workflow.Context, text string) {
	workflow.GetLogger(ctx).Warn(text, "incident", w.inc.Declaration.ID)
	w.record(ctx, "", incident.EntryNote, text)
}
