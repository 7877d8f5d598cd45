package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// AlertGroupWorkflow turns the notifications about one alert group into at
// most one open incident. Every notification about the group reaches this
// one workflow (the front doors signal it with signal-with-start), so
// retries, repeats, replicas and clustered senders can't declare twice.
// The first firing notification declares the incident (a declare route) or
// posts a "Declare incident?" prompt in the triage channel (a triage
// route); each later change of the group becomes a timeline entry of the
// incident and, at most once per PostEvery, a war-room message; the whole
// group resolving is told at once. Once the incident is resolved the group
// stays for ReopenWithin: firing again then is told in the same war room.
// Register it under AlertGroupWorkflowName.
func AlertGroupWorkflow(ctx workflow.Context, in wfapi.AlertGroupInput) (wfapi.AlertGroupState, error) {
	w := newAlertGroupWorkflow(ctx, in)
	w.oneTimer = workflow.GetVersion(ctx, versionOneDeadlineTimer, workflow.DefaultVersion, 1) >= 1
	if err := w.setup(ctx); err != nil {
		return w.st, err
	}
	proc, _, err := runProcess(ctx, in.Process)
	if err != nil {
		return w.st, err
	}
	w.proc, w.loc = proc, proc.Location()
	return w.run(ctx)
}

// alertGroupWorkflow is the state of one run of AlertGroupWorkflow.
type alertGroupWorkflow struct {
	in wfapi.AlertGroupInput
	st wfapi.AlertGroupState
	// proc is the process this run follows (runProcess), loc its time
	// zone: the input's until the worker's answer is in.
	proc incident.Process
	loc  *time.Location
	// notifications and resolved are the signal channels.
	notifications workflow.ReceiveChannel
	resolved      workflow.ReceiveChannel
	// queued is the change waiting to be handed to the incident.
	queued *wfapi.RecordAlertRequest
	// prompting is set while a Slack call about the triage prompt is in
	// flight (see lockPrompt).
	prompting bool
	// oneTimer is set in runs started since versionOneDeadlineTimer: wait
	// keeps one timer per deadline in timer.
	oneTimer bool
	timer    deadlineTimer
	// batching is asked once (versionBatchedTimeline) when the group first
	// hands a change to its incident: set, the changes that come within
	// wfapi.AlertRecordEvery of the last hand-over wait and go together.
	batching keptVersion
	// closing is set while the run reads its last signals (readAll):
	// every change goes to the incident at once.
	closing bool
}

// versionOneDeadlineTimer is the change that made the group keep one timer
// per deadline across waits. Before it, every wait that a signal ended
// started a timer of its own for the same deadline, and none was
// cancelled: a group signalled every few seconds while a throttled post
// was pending left dozens of timers, each a write then and a workflow task
// when it fired.
const versionOneDeadlineTimer = "one-deadline-timer"

// versionBatchedTimeline is the change that hands the changes of a busy
// group to its incident at most once per wfapi.AlertRecordEvery. Before it,
// every notification that changed the group was an update of the
// incident (a workflow task there, and five events of its history): a
// group changing every second of an hour-long storm filled the incident's
// history with them. The first change after a quiet spell still goes at
// once; a change told in the war room (the throttled post, every alert
// resolved) too, with the ones waiting before it.
const versionBatchedTimeline = "batched-alert-timeline"

// deadlineTimer is the timer of the group's next deadline.
type deadlineTimer struct {
	at     time.Time
	fired  workflow.Future
	cancel workflow.CancelFunc
}

func newAlertGroupWorkflow(ctx workflow.Context, in wfapi.AlertGroupInput) *alertGroupWorkflow {
	w := &alertGroupWorkflow{in: in, proc: in.Process, loc: in.Process.Location()}
	if in.State != nil {
		w.st = *in.State
	} else {
		w.st = wfapi.AlertGroupState{GroupID: in.GroupID, Phase: wfapi.AlertWaiting}
	}
	if w.in.Settings.SnoozeFor <= 0 {
		w.in.Settings.SnoozeFor = wfapi.DefaultSnooze
	}
	w.notifications = workflow.GetSignalChannel(ctx, wfapi.SignalAlertNotification)
	w.resolved = workflow.GetSignalChannel(ctx, wfapi.SignalAlertIncidentResolved)
	return w
}

// setup registers the query and the triage updates.
func (w *alertGroupWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, wfapi.QueryAlertGroup, func() (wfapi.AlertGroupState, error) {
		return w.st, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, wfapi.UpdateAlertDeclare, w.declareFromTriage,
		workflow.UpdateHandlerOptions{Validator: w.validateDeclare}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, wfapi.UpdateAlertTriage, w.triage,
		workflow.UpdateHandlerOptions{Validator: w.validateTriage})
}

// run applies notifications as they come until the group is done, waking
// for the throttled war-room post, the end of a snooze and the end of the
// reopen window. A run never ends with a notification unread: one that
// came while the group was ending (its last Slack call in flight) starts
// the group over, as the signal-with-start it would have sent a moment
// later would have.
func (w *alertGroupWorkflow) run(ctx workflow.Context) (wfapi.AlertGroupState, error) {
	for {
		for w.st.Phase != wfapi.AlertDone {
			if w.continueAsNewDue(ctx) {
				if err := w.readAll(ctx); err != nil {
					return w.st, err
				}
				if w.st.Phase == wfapi.AlertDone {
					break
				}
				return w.st, w.continueAsNew(ctx)
			}
			w.wait(ctx)
			w.applyInbox(ctx)
			w.tick(ctx)
			w.publish(ctx)
		}
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return w.st, err
		}
		// Nothing yields between this check and the return.
		if w.notifications.Len() == 0 {
			return w.st, nil
		}
		w.st = wfapi.AlertGroupState{GroupID: w.st.GroupID, Phase: wfapi.AlertWaiting, Attempts: w.st.Attempts}
	}
}

// applyInbox applies the notifications received so far.
func (w *alertGroupWorkflow) applyInbox(ctx workflow.Context) {
	for _, n := range w.drain() {
		w.apply(ctx, n)
	}
	w.flushDue(ctx)
}

// flushDue hands the queued changes to the incident if they are due:
// always in runs from before versionBatchedTimeline, while the run is
// ending or the group no longer has an open incident, and otherwise once
// wfapi.AlertRecordEvery has passed since the last hand-over.
func (w *alertGroupWorkflow) flushDue(ctx workflow.Context) {
	batched := w.queued != nil && w.batching.on && !w.closing && w.st.Phase == wfapi.AlertDeclared
	if batched && !(alert.Throttle{Every: wfapi.AlertRecordEvery}).Due(w.st.LastRecord, workflow.Now(ctx)) {
		return
	}
	w.flush(ctx)
}

// readAll applies every signal received, until none came while the
// last ones were applied (applying one may wait for an activity) and no
// update is in flight, so that the run can end or continue as new
// without leaving one unread.
func (w *alertGroupWorkflow) readAll(ctx workflow.Context) error {
	w.closing = true
	defer func() { w.closing = false }()
	w.flush(ctx)
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if w.notifications.Len() == 0 && w.resolved.Len() == 0 {
			return nil
		}
		w.applyInbox(ctx)
	}
}

// wait blocks until a signal arrives, an update changed the phase, or the
// next deadline (throttled post, snooze, reopen window) passes.
func (w *alertGroupWorkflow) wait(ctx workflow.Context) {
	phase := w.st.Phase
	ready := func() bool {
		return w.st.Phase != phase || w.notifications.Len() > 0 || w.resolved.Len() > 0
	}
	next, ok := w.deadline()
	if !w.oneTimer {
		if ok {
			if d := next.Sub(workflow.Now(ctx)); d > 0 {
				_, _ = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: d, TimerOptions: w.timerOptions(next)}, ready)
			}
			return
		}
		_ = workflow.Await(ctx, ready)
		return
	}
	if w.timer.fired != nil && (!ok || !w.timer.at.Equal(next)) {
		w.timer.cancel() // superseded: the deadline moved or went away
		w.timer = deadlineTimer{}
	}
	if !ok {
		_ = workflow.Await(ctx, ready)
		return
	}
	if w.timer.fired == nil {
		d := next.Sub(workflow.Now(ctx))
		if d <= 0 {
			return
		}
		timerCtx, cancel := workflow.WithCancel(ctx)
		w.timer = deadlineTimer{at: next, fired: workflow.NewTimerWithOptions(timerCtx, d, w.timerOptions(next)), cancel: cancel}
	}
	_ = workflow.Await(ctx, func() bool { return ready() || w.timer.fired.IsReady() })
	if w.timer.fired.IsReady() {
		w.timer = deadlineTimer{}
	}
}

// timerOptions name the timer of the deadline next in the Web UI.
func (w *alertGroupWorkflow) timerOptions(next time.Time) workflow.TimerOptions {
	return workflow.TimerOptions{Summary: "alert group: next deadline " + incident.Clock(next, w.loc)}
}

// deadline is the next time the group must act without a notification.
func (w *alertGroupWorkflow) deadline() (time.Time, bool) {
	switch {
	case w.st.Phase == wfapi.AlertDeclared && (w.st.Pending || w.queued != nil):
		return w.declaredDeadline(), true
	case w.st.Phase == wfapi.AlertSnoozed:
		return w.st.SnoozedUntil, true
	case w.st.Phase == wfapi.AlertReopenable:
		return w.st.ResolvedAt.Add(w.in.Settings.ReopenWithin), true
	}
	return time.Time{}, false
}

// declaredDeadline is the earlier of the throttled post's time (if a
// change waits for it) and the queued changes' hand-over (if any wait).
func (w *alertGroupWorkflow) declaredDeadline() time.Time {
	var next time.Time
	if w.st.Pending {
		next = alert.Throttle{Every: w.in.Settings.PostEvery}.Next(w.st.LastPost)
	}
	if w.queued != nil {
		if at := (alert.Throttle{Every: wfapi.AlertRecordEvery}).Next(w.st.LastRecord); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// drain takes the signals received: it returns the notifications, in
// order, and applies the resolutions to the state.
func (w *alertGroupWorkflow) drain() []wfapi.AlertNotification {
	var inbox []wfapi.AlertNotification
	for {
		var n wfapi.AlertNotification
		if !w.notifications.ReceiveAsync(&n) {
			break
		}
		inbox = append(inbox, n)
	}
	for {
		var r wfapi.AlertIncidentResolved
		if !w.resolved.ReceiveAsync(&r) {
			break
		}
		if r.IncidentID == w.st.IncidentID && w.st.Phase == wfapi.AlertDeclared {
			w.st.Phase, w.st.ChannelID, w.st.ResolvedAt, w.st.Pending = wfapi.AlertReopenable, r.ChannelID, r.ResolvedAt, false
		}
	}
	return inbox
}

// apply records one notification and acts on what it changed.
func (w *alertGroupWorkflow) apply(ctx workflow.Context, n wfapi.AlertNotification) {
	w.st.Notifications++
	change := w.st.Group.Apply(n.Notification)
	if w.st.Phase == wfapi.AlertWaiting && len(w.st.Group.FiringAlerts()) == 0 {
		// Resolved before it was ever seen firing (a resolution sent again
		// after the group's last run ended): nothing to wait for.
		w.st.Phase = wfapi.AlertDone
		return
	}
	if change.Empty() {
		return // a retry or a repeat: nothing new
	}
	w.st.Changes++
	switch w.st.Phase {
	case wfapi.AlertWaiting:
		w.st.Decision = n.Decision
		w.markPosted(workflow.Now(ctx))
		if n.Decision.Mode == alert.ModeDeclare {
			w.declare(ctx, w.declaration(ctx, incident.Declaration{}))
			return
		}
		w.postTriage(ctx)
	case wfapi.AlertTriage, wfapi.AlertSnoozed:
		if change.AllResolved {
			w.st.Phase = wfapi.AlertDone
			w.updateTriage(ctx, alert.TriageResolvedText(w.st.Group, w.loc), nil)
			return
		}
		if w.st.Phase == wfapi.AlertTriage {
			w.updateTriage(ctx, alert.TriageText(w.st.Group, w.st.Decision), w.triageButtons())
		}
	case wfapi.AlertIgnored:
		if change.AllResolved {
			w.st.Phase = wfapi.AlertDone
		}
	case wfapi.AlertDeclared:
		w.tellIncident(ctx, n.Notification, change)
	case wfapi.AlertReopenable:
		if len(change.Firing) > 0 {
			w.postWarRoom(ctx, "alert-"+w.changeKey(), alert.FiringAgainText(change, w.st.IncidentID))
		}
	}
}

// tick does what is due without a notification: the throttled war-room
// post, the end of a snooze, the end of the reopen window.
func (w *alertGroupWorkflow) tick(ctx workflow.Context) {
	now := workflow.Now(ctx)
	next, ok := w.deadline()
	if !ok || now.Before(next) {
		return
	}
	switch w.st.Phase {
	case wfapi.AlertDeclared:
		w.flushDue(ctx)
		if !w.st.Pending || !(alert.Throttle{Every: w.in.Settings.PostEvery}).Due(w.st.LastPost, now) {
			return
		}
		change := w.st.Group.SincePost()
		w.st.Pending = false
		if !change.Empty() {
			w.recordAlert(ctx, wfapi.RecordAlertRequest{Key: w.changeKey() + "-post", Post: alert.ChangeText(change)})
		}
		w.markPosted(now)
	case wfapi.AlertSnoozed:
		if len(w.st.Group.FiringAlerts()) == 0 {
			w.st.Phase = wfapi.AlertDone
			return
		}
		w.st.Phase, w.st.DecidedBy = wfapi.AlertTriage, ""
		w.updateTriage(ctx, alert.TriageText(w.st.Group, w.st.Decision), w.triageButtons())
	case wfapi.AlertReopenable:
		w.st.Phase = wfapi.AlertDone
	}
}

// tellIncident records a change in the incident's timeline, and tells the
// war room now if the group resolved or the throttle allows, or later.
func (w *alertGroupWorkflow) tellIncident(ctx workflow.Context, n alert.Notification, change alert.Change) {
	now := workflow.Now(ctx)
	req := wfapi.RecordAlertRequest{Key: w.changeKey(), Timeline: alert.TimelineText(n, change)}
	switch {
	case change.AllResolved:
		req.Post = alert.AllResolvedText(len(w.st.Group.Alerts), w.st.Group.ResolvedAt(), w.loc)
		req.AllResolved, req.AutoResolve = true, w.st.Decision.AutoResolve
	case alert.Throttle{Every: w.in.Settings.PostEvery}.Due(w.st.LastPost, now):
		req.Post = alert.ChangeText(w.st.Group.SincePost())
	default:
		w.st.Pending = true
	}
	if req.Post != "" {
		w.st.Pending = false
		w.markPosted(now)
	}
	w.queue(ctx, req)
}

// queue holds a change for the incident until the notifications that
// arrived together are applied (flush), so that a burst of one group's
// notifications is one update of the incident. A change told in the war
// room goes at once, with the changes queued before it.
func (w *alertGroupWorkflow) queue(ctx workflow.Context, req wfapi.RecordAlertRequest) {
	w.batching.is(ctx, versionBatchedTimeline)
	if q := w.queued; q != nil {
		req.Earlier = append(append(q.Earlier, q.Timeline), req.Earlier...)
	}
	w.queued = &req
	if len(req.Earlier) >= wfapi.MaxAlertBatch-1 || req.Post != "" {
		w.flush(ctx)
	}
}

// flush hands the queued change to the incident.
func (w *alertGroupWorkflow) flush(ctx workflow.Context) {
	if w.queued == nil {
		return
	}
	req := *w.queued
	w.queued = nil
	w.st.LastRecord = workflow.Now(ctx)
	w.recordAlert(ctx, req)
}

// changeKey names the latest change, unique within the group's incident.
func (w *alertGroupWorkflow) changeKey() string {
	return fmt.Sprintf("%s-%d", w.st.IncidentID, w.st.Changes)
}

// recordLocalOptions bound the hand-over of one change to the incident. It
// runs as a local activity, inside the workflow task that applied the
// notification: under an alert storm that spares an activity task and a
// workflow task per change. A war room still opening makes it wait, and a
// retry after a timeout is recorded once (the change's key).
var recordLocalOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         incidentActivityOptions.RetryPolicy,
}

// recordAlert sends a change to the incident. An incident that is resolved
// already refuses it; the group then waits for the resolution's signal.
func (w *alertGroupWorkflow) recordAlert(ctx workflow.Context, req wfapi.RecordAlertRequest) {
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, recordLocalOptions), incidentActivities.RecordAlert,
		activities.RecordAlertRequest{IncidentID: w.st.IncidentID, Record: req}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("the incident did not take the alert change", "incident", w.st.IncidentID, "err", err)
	}
}

// declaration is the incident the group declares: d as a person filled it
// in (from the triage prompt) or empty, completed from the route's
// decision and the group's alerts, with the group's incident ID.
func (w *alertGroupWorkflow) declaration(ctx workflow.Context, d incident.Declaration) incident.Declaration {
	dec := w.st.Decision
	if d.Title == "" {
		d.Title = dec.Title
	}
	if d.Severity == "" {
		d.Severity = dec.Severity
	}
	if d.Severity == "" {
		d.Severity = w.proc.MildestSeverity() // a person can raise it
	}
	if d.Service == "" {
		d.Service = dec.Service
	}
	d.Kind, d.Source, d.AlertGroup = incident.KindIncident, incident.SourceAlert, w.st.GroupID
	firing := w.st.Group.FiringAlerts()
	d.AlertsText = alert.AlertsText(firing, w.st.Group.Truncated)
	d.AlertsMarkdown = alert.AlertsMarkdown(firing, w.st.Group.Truncated)
	d.DeclaredAt = workflow.Now(ctx)
	return d
}

// declare starts the group's incident as a child that outlives this
// workflow. Its ID is the group's; when an earlier run of the group holds
// that ID (an incident resolved long ago), the next free "-2", "-3", … .
func (w *alertGroupWorkflow) declare(ctx workflow.Context, d incident.Declaration) {
	w.st.Phase = wfapi.AlertDeclared
	for {
		w.st.Attempts++
		d.ID = w.st.GroupID
		if w.st.Attempts > 1 {
			d.ID = fmt.Sprintf("%s-%d", w.st.GroupID, w.st.Attempts)
		}
		w.st.IncidentID = d.ID
		opts := incidentChild(d)
		opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
		opts.TypedSearchAttributes = wfapi.StartSearchAttributes(d)
		cctx := workflow.WithChildOptions(ctx, opts)
		child := workflow.ExecuteChildWorkflow(cctx, wfapi.IncidentWorkflowName, wfapi.IncidentInput{Declaration: d, Process: w.proc})
		err := child.GetChildWorkflowExecution().Get(ctx, nil)
		if err == nil {
			return
		}
		if !temporal.IsWorkflowExecutionAlreadyStartedError(err) || w.st.Attempts >= 20 {
			workflow.GetLogger(ctx).Error("could not declare the alert group's incident", "group", w.st.GroupID, "err", err)
			w.st.Phase = wfapi.AlertDone
			return
		}
	}
}

// postTriage posts the "Declare incident?" prompt.
func (w *alertGroupWorkflow) postTriage(ctx workflow.Context) {
	w.st.Phase = wfapi.AlertTriage
	defer w.lockPrompt(ctx)()
	var ref incident.MessageRef
	err := workflow.ExecuteActivity(slackCall(ctx, "Ask the triage channel about the alerts"), slackActivities.PostMessage, activities.PostRequest{
		Channel: w.in.Settings.TriageChannel, IncidentID: w.st.GroupID, Key: "triage",
		Text: alert.TriageText(w.st.Group, w.st.Decision), Buttons: w.triageButtons(),
	}).Get(ctx, &ref)
	if err != nil {
		workflow.GetLogger(ctx).Error("could not post the triage prompt", "group", w.st.GroupID, "err", err)
	}
	w.st.TriageMessage = ref
}

// triageButtons are the prompt's Declare, Ignore and Snooze buttons.
func (w *alertGroupWorkflow) triageButtons() []activities.Button {
	return []activities.Button{
		{ActionID: wfapi.ActionAlertDeclare, Text: "Declare", Value: w.st.GroupID, Style: "primary"},
		{ActionID: wfapi.ActionAlertIgnore, Text: "Ignore", Value: w.st.GroupID},
		{ActionID: wfapi.ActionAlertSnooze, Text: "Snooze " + incident.FormatDuration(w.in.Settings.SnoozeFor), Value: w.st.GroupID},
	}
}

// lockPrompt waits until no other Slack call about the triage prompt is in
// flight and returns the unlock. The main loop (posting and refreshing the
// prompt) and the update handlers (answering it) both write the prompt:
// one at a time, each reaches Slack in the order the group made it, so an
// answer given while a refresh is in flight is what the prompt shows last,
// and an answer given while the prompt is being posted updates it once it
// is posted.
func (w *alertGroupWorkflow) lockPrompt(ctx workflow.Context) func() {
	_ = workflow.Await(ctx, func() bool { return !w.prompting })
	w.prompting = true
	return func() { w.prompting = false }
}

// updateTriage rewrites the prompt.
func (w *alertGroupWorkflow) updateTriage(ctx workflow.Context, text string, buttons []activities.Button) {
	defer w.lockPrompt(ctx)()
	if w.st.TriageMessage.TS == "" {
		return
	}
	err := workflow.ExecuteActivity(slackCall(ctx, "Update the triage prompt"), slackActivities.UpdateMessage, activities.UpdateRequest{
		Message: w.st.TriageMessage, Text: text, Buttons: buttons,
	}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not update the triage prompt", "group", w.st.GroupID, "err", err)
	}
}

// postWarRoom posts in the war room of the group's resolved incident.
func (w *alertGroupWorkflow) postWarRoom(ctx workflow.Context, key, text string) {
	if w.st.ChannelID == "" {
		return
	}
	err := workflow.ExecuteActivity(slackCall(ctx, "Tell the war room the alerts fire again"), slackActivities.PostMessage, activities.PostRequest{
		Channel: w.st.ChannelID, IncidentID: w.st.IncidentID, Key: key, Text: text,
	}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not tell the war room", "incident", w.st.IncidentID, "err", err)
	}
}

func (w *alertGroupWorkflow) validateDeclare(_ workflow.Context, req wfapi.AlertDeclareRequest) error {
	if err := w.checkUndecided(); err != nil {
		return err
	}
	return w.proc.CheckSeverity(req.Declaration.Severity)
}

// declareFromTriage declares the incident a person filled in from the
// triage prompt, and says so in the prompt.
func (w *alertGroupWorkflow) declareFromTriage(ctx workflow.Context, req wfapi.AlertDeclareRequest) (wfapi.AlertDeclareResult, error) {
	if err := w.checkUndecided(); err != nil {
		return wfapi.AlertDeclareResult{}, err
	}
	w.st.DecidedBy = req.By
	d := req.Declaration
	d.Declarer = req.By
	if d.Commander == "" {
		d.Commander = req.By
	}
	d = w.declaration(ctx, d)
	// The kickoff lists the alerts firing now: the war room's first post
	// about a change tells what changed since, as on a declare route.
	w.markPosted(d.DeclaredAt)
	w.declare(ctx, d)
	if w.st.Phase != wfapi.AlertDeclared {
		return wfapi.AlertDeclareResult{}, errors.New("the incident could not be started; declare it with /incident declare")
	}
	w.updateTriage(ctx, alert.TriageDecidedText(w.st.Group, "declared incident `"+w.st.IncidentID+"`", req.By), nil)
	return wfapi.AlertDeclareResult{IncidentID: w.st.IncidentID}, nil
}

func (w *alertGroupWorkflow) validateTriage(_ workflow.Context, req wfapi.AlertTriageRequest) error {
	if req.Action != wfapi.TriageIgnore && req.Action != wfapi.TriageSnooze {
		return fmt.Errorf("unknown triage answer %q: ignore or snooze", req.Action)
	}
	return w.checkUndecided()
}

// triage ignores or snoozes the group, and says so in the prompt.
func (w *alertGroupWorkflow) triage(ctx workflow.Context, req wfapi.AlertTriageRequest) error {
	if err := w.checkUndecided(); err != nil {
		return err
	}
	w.st.DecidedBy = req.By
	what := "ignored it until it resolves"
	w.st.Phase = wfapi.AlertIgnored
	if req.Action == wfapi.TriageSnooze {
		w.st.Phase, w.st.SnoozedUntil = wfapi.AlertSnoozed, workflow.Now(ctx).Add(w.in.Settings.SnoozeFor)
		what = "snoozed it until " + incident.Clock(w.st.SnoozedUntil, w.loc)
	}
	w.updateTriage(ctx, alert.TriageDecidedText(w.st.Group, what, req.By), nil)
	return nil
}

// checkUndecided refuses a triage answer once someone has answered.
func (w *alertGroupWorkflow) checkUndecided() error {
	if w.st.Phase == wfapi.AlertTriage {
		return nil
	}
	if w.st.DecidedBy != "" {
		return fmt.Errorf("%s already answered this alert (%s)", incident.MentionOr(w.st.DecidedBy, "someone"), w.st.Phase)
	}
	return fmt.Errorf("this alert group is not waiting for an answer (%s)", w.st.Phase)
}

// continueAsNewDue reports whether this run's history is long enough to
// continue as new.
func (w *alertGroupWorkflow) continueAsNewDue(ctx workflow.Context) bool {
	return historyFull(ctx, w.in.HistoryLimit)
}

// continueAsNew carries the group to a new run, which takes the process
// from the worker afresh (this run's goes along, for the updates it
// validates before the worker answers). Call it after readAll, with
// nothing yielding between: no update in flight, no signal unread.
func (w *alertGroupWorkflow) continueAsNew(ctx workflow.Context) error {
	next := w.in
	st := w.st
	next.State, next.Process = &st, w.proc
	return workflow.NewContinueAsNewError(ctx, wfapi.AlertGroupWorkflowName, next)
}

// publish shows where the group stands in the Temporal Web UI.
func (w *alertGroupWorkflow) publish(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, alert.GroupDetails(w.st.Group, string(w.st.Phase), w.st.IncidentID, w.st.Notifications))
}

// markPosted records that the war room was told the group as it stands at
// t: the throttle counts from t, and the next post tells what changed since.
func (w *alertGroupWorkflow) markPosted(t time.Time) {
	w.st.LastPost = t
	w.st.Group.MarkPosted()
}
