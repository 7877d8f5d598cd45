package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionDrill is the change that plays drills (IncidentInput.Drill). Only
// a drill asks it, as its run begins: no history recorded before it has a
// drill to replay.
const versionDrill = "drill"

// DrillPrefix starts every message a drill posts, so that nobody mistakes
// a rehearsal for an incident.
const DrillPrefix = "DRILL · "

// drillState is a run's playing of its drill: the scenario at the drill's
// speed and how far it has got. busy counts the injects being played and
// the time limit's resolution, which the run waits for before it ends or
// continues as new.
type drillState struct {
	on       bool
	scenario drill.Scenario
	prog     drill.Progress
	busy     int
	score    *drill.Score
}

// newDrillState is the drill of input room (nil for an incident).
func newDrillState(room *wfapi.DrillRoom) drillState {
	if room == nil {
		return drillState{}
	}
	speed := drill.NormalSpeed(room.Speed)
	st := drillState{scenario: room.Scenario.Scaled(speed), prog: drill.Progress{Speed: speed}}
	if room.Progress != nil {
		st.prog = *room.Progress
	}
	return st
}

// drillProcess is the process a drill follows, made from the worker's p:
// its war room is named drill-…; it is announced only in the drills
// channel and broadcast nowhere; no lead, escalation group or on-call is
// called and nothing is paged; its update cadence runs at the drill's
// speed. The status page stays "set up" so the responders can practise
// drafting a post: the workflow keeps the draft and publishes nothing.
func drillProcess(p incident.Process, room *wfapi.DrillRoom) incident.Process {
	out := p
	out.AnnounceChannels, out.BroadcastChannels = nil, nil
	if room.Channel != "" {
		out.AnnounceChannels = []string{room.Channel}
	}
	out.ChannelName = "drill-" + p.ChannelName
	out.EscalationGroup = ""
	out.Paging, out.OnCallLookup, out.StatusPage = false, false, true
	speed := drill.NormalSpeed(room.Speed)
	out.Severities = make([]incident.SeverityPolicy, len(p.Severities))
	for i, sp := range p.Severities {
		sp.Leads, sp.Page = nil, false
		sp.UpdateEvery = drill.ScaleCadence(p.UpdateEvery(sp.Name), speed)
		out.Severities[i] = sp
	}
	out.Services = make(map[string]incident.Service, len(p.Services))
	for _, name := range incident.SortedKeys(p.Services) {
		svc := p.Services[name]
		svc.Leads, svc.Paged, svc.OnCall, svc.StatusPageComponents = nil, false, false, nil
		out.Services[name] = svc
	}
	return out
}

// isDrill reports whether this run plays a drill.
func (w *incidentWorkflow) isDrill() bool { return w.in.Drill != nil }

// drillText marks text as a drill's when this run plays one.
func (w *incidentWorkflow) drillText(text string) string {
	if !w.isDrill() || text == "" || strings.HasPrefix(text, DrillPrefix) {
		return text
	}
	return DrillPrefix + text
}

// beginDrill asks, for a drill, whether this run plays it.
func (w *incidentWorkflow) beginDrill(ctx workflow.Context) {
	if w.isDrill() {
		w.dr.on = workflow.GetVersion(ctx, versionDrill, workflow.DefaultVersion, 1) >= 1
	}
}

// drillOver reports whether the drill has ended (resolved, by the
// responders or the time limit).
func (w *incidentWorkflow) drillOver() bool { return w.resolving || w.inc.IsResolved() }

// drillSettled reports whether no inject is being played.
func (w *incidentWorkflow) drillSettled() bool { return w.dr.busy == 0 }

// playDrill starts, once the drill room is ready, a coroutine per inject
// not played yet, each waiting for its trigger (drill.Scenario.Due), and
// one that ends the drill at the scenario's time limit. A run continued
// from another picks up where it left off.
func (w *incidentWorkflow) playDrill(ctx workflow.Context) {
	if !w.dr.on {
		return
	}
	if w.dr.prog.StartedAt.IsZero() {
		w.dr.prog.StartedAt = workflow.Now(ctx)
	}
	for _, inj := range w.dr.scenario.Injects {
		if _, played := w.dr.prog.Played[inj.ID]; played {
			continue
		}
		workflow.Go(ctx, func(ctx workflow.Context) { w.awaitInject(ctx, inj) })
	}
	workflow.Go(ctx, w.enforceTimeLimit)
}

// awaitInject plays inj when its trigger comes, unless the drill ends first.
func (w *incidentWorkflow) awaitInject(ctx workflow.Context, inj drill.Inject) {
	var due time.Time
	var ok bool
	if err := workflow.Await(ctx, func() bool {
		due, ok = w.dr.scenario.Due(inj, &w.inc, &w.dr.prog)
		return ok || w.drillOver()
	}); err != nil || w.drillOver() {
		return
	}
	if wait := due.Sub(workflow.Now(ctx)); wait > 0 {
		over, err := awaitOrTimeout(ctx, wait, "drill: "+inj.ID+" due", w.drillOver)
		if err != nil || over {
			return
		}
	}
	w.playInject(ctx, inj)
}

// playInject plays inj: a simulated person's message in the drill room, or
// a simulated alert recorded as the alert group's changes are.
func (w *incidentWorkflow) playInject(ctx workflow.Context, inj drill.Inject) {
	w.dr.busy++
	defer func() { w.dr.busy-- }()
	now := workflow.Now(ctx)
	if w.dr.prog.Played == nil {
		w.dr.prog.Played = map[string]time.Time{}
	}
	w.dr.prog.Played[inj.ID] = now
	if inj.Kind == drill.InjectAlert && inj.Alert != nil {
		if err := w.recordAlert(ctx, drillAlert(inj, now)); err != nil {
			w.note(ctx, "could not play the drill's alert "+inj.ID+": "+errorMessage(err))
		}
		return
	}
	text := inj.Text
	if text == "" && inj.Kind == drill.InjectStatusPageStale {
		text = drill.StaleStatusPageText
	}
	key := w.record(ctx, "", incident.EntryDrill, fmt.Sprintf("%s (simulated): %s", inj.Sender(), text))
	icon := ":speech_balloon:"
	if inj.Kind == drill.InjectStatusPageStale {
		icon = ":newspaper:"
	}
	w.postInWarRoom(ctx, "Play the drill's "+inj.ID, key,
		fmt.Sprintf("%s *%s* (simulated): %s", icon, incident.Escape(inj.Sender()), incident.Escape(text)))
}

// drillAlert is the record of a simulated alert: the timeline entry and
// the war-room post a real alert group's change makes.
func drillAlert(inj drill.Inject, at time.Time) wfapi.RecordAlertRequest {
	ai := inj.Alert
	labels := map[string]string{"alertname": ai.Name}
	for _, k := range incident.SortedKeys(ai.Labels) {
		if k != "alertname" {
			labels[k] = ai.Labels[k]
		}
	}
	a := alert.Alert{
		Fingerprint: alert.LabelsFingerprint(labels), Status: alert.Firing, Labels: labels,
		StartsAt: at, GeneratorURL: ai.URL,
	}
	if ai.Summary != "" {
		a.Annotations = map[string]string{"summary": ai.Summary}
	}
	var c alert.Change
	if ai.Status == string(alert.Resolved) {
		a.Status, a.EndsAt = alert.Resolved, at
		c.Resolved = []alert.Alert{a}
	} else {
		c.Firing = []alert.Alert{a}
	}
	n := alert.Notification{Source: alert.Source("drill"), Status: a.Status, Alerts: []alert.Alert{a}}
	return wfapi.RecordAlertRequest{
		Key:      "drill-" + inj.ID,
		Timeline: "simulated alert · " + alert.TimelineText(n, c),
		Post:     ":rotating_light: Simulated alert (" + incident.Escape(inj.Sender()) + ")\n" + alert.ChangeText(c),
	}
}

// enforceTimeLimit ends the drill when the scenario's time limit passes
// before the responders resolve it.
func (w *incidentWorkflow) enforceTimeLimit(ctx workflow.Context) {
	limit := w.dr.prog.StartedAt.Add(w.dr.scenario.TimeLimit)
	if wait := limit.Sub(workflow.Now(ctx)); wait > 0 {
		over, err := awaitOrTimeout(ctx, wait, "drill: time limit", w.drillOver)
		if err != nil || over {
			return
		}
	}
	if w.drillOver() {
		return
	}
	w.dr.busy++
	defer func() { w.dr.busy-- }()
	w.dr.prog.TimedOut = true
	err := w.resolve(ctx, wfapi.ResolveRequest{Operator: true,
		Summary: "Drill over: the scenario's time limit (" + incident.FormatDuration(w.dr.scenario.TimeLimit) + ") passed before the drill was resolved."})
	if err != nil {
		w.dr.prog.TimedOut = false
		w.note(ctx, "could not end the drill at its time limit: "+errorMessage(err))
	}
}

func (w *incidentWorkflow) validateDrillHint(_ workflow.Context, req wfapi.HintRequest) error {
	if !w.dr.on {
		return fmt.Errorf("incident %s isn't a drill: hints come only in drill rooms", w.inc.Declaration.ID)
	}
	if err := w.checkOpen(); err != nil {
		return errors.New("the drill is over: read its debrief in the drill room")
	}
	if !incident.IsUserID(req.By) && req.By != "" {
		return fmt.Errorf("%q isn't a Slack user ID", req.By)
	}
	if _, ok := w.dr.scenario.Hint(w.dr.prog.Hints); !ok {
		return fmt.Errorf("no hints left: all %d of this scenario's facts are out", len(w.dr.scenario.Facts))
	}
	return nil
}

// drillHint reveals the scenario's next fact in the drill room.
func (w *incidentWorkflow) drillHint(ctx workflow.Context, req wfapi.HintRequest) (wfapi.HintOutcome, error) {
	if err := w.openForChange(ctx); err != nil {
		return wfapi.HintOutcome{}, err
	}
	fact, ok := w.dr.scenario.Hint(w.dr.prog.Hints)
	if !ok {
		return wfapi.HintOutcome{}, errors.New("no hints left")
	}
	w.dr.prog.Hints++
	out := wfapi.HintOutcome{Hint: fact, N: w.dr.prog.Hints, Of: len(w.dr.scenario.Facts)}
	key := w.record(ctx, req.By, incident.EntryDrill, fmt.Sprintf("hint %d of %d: %s", out.N, out.Of, fact))
	asked := ""
	if req.By != "" {
		asked = " (asked by <@" + req.By + ">)"
	}
	w.postInWarRoom(ctx, "Give the drill's hint", key, fmt.Sprintf(":bulb: Hint %d of %d%s: %s", out.N, out.Of, asked, incident.Escape(fact)))
	return out, nil
}

// draftStatusPage keeps a drill's status-page post as a draft: on the
// timeline and in the drill room, published nowhere.
func (w *incidentWorkflow) draftStatusPage(ctx workflow.Context, req wfapi.PublishStatusPageRequest) wfapi.PublishStatusPageOutcome {
	if w.dr.prog.DraftedAt.IsZero() {
		w.dr.prog.DraftedAt = workflow.Now(ctx)
	}
	key := w.record(ctx, req.By, incident.EntryDrill, "status page post drafted (a drill publishes nothing): "+req.Name+": "+req.Body)
	w.postInWarRoom(ctx, "Show the drill's status page draft", key, fmt.Sprintf(
		":memo: Status page draft by <@%s> (a drill publishes nothing; in a real incident this goes to customers):\n*%s*\n%s",
		req.By, incident.Escape(req.Name), incident.Escape(req.Body)))
	return wfapi.PublishStatusPageOutcome{Drafted: true}
}

// debriefActivityOptions: keeping the debrief retries GitHub for half an
// hour at most; the drill room has the debrief anyway.
var debriefActivityOptions = func() workflow.ActivityOptions {
	o := githubActivityOptions
	o.ScheduleToCloseTimeout = 30 * time.Minute
	o.Summary = "Keep the drill's debrief"
	return o
}()

// debriefDrill grades the drill once it is over and posts the debrief in
// the drill room, keeps it in the memo and the insights, and keeps it as
// a GitHub issue labelled drill (or a Markdown file without GitHub).
func (w *incidentWorkflow) debriefDrill(ctx workflow.Context) {
	if !w.dr.on {
		return
	}
	if w.dr.prog.EndedAt.IsZero() {
		w.dr.prog.EndedAt = w.inc.ResolvedAt
		if w.dr.prog.EndedAt.IsZero() {
			w.dr.prog.EndedAt = workflow.Now(ctx)
		}
	}
	score := drill.Grade(w.dr.scenario, &w.inc, w.dr.prog, w.proc.UpdateEvery(w.inc.Declaration.Severity))
	w.dr.score = &score
	slackText, markdown := drill.Debrief(w.dr.scenario, score, &w.inc, w.dr.prog, w.loc)
	key := w.record(ctx, "", incident.EntryDrill, fmt.Sprintf("debrief: %d of %d points", score.Points, score.MaxPoints))
	if err := workflow.UpsertMemo(ctx, map[string]any{wfapi.MemoDrillScore: score}); err != nil {
		workflow.GetLogger(ctx).Warn("could not keep the drill's score in the memo", "error", err)
	}
	repo := "" // the configured repository
	if w.inc.Declaration.Security {
		repo = w.proc.Retrospective.SecurityRepo // as a security postmortem
	}
	b := w.newBatch()
	b.add("post the drill's debrief", w.post(ctx, "Post the drill's debrief", activities.PostRequest{
		Channel: w.inc.ChannelID, Key: key, Text: slackText, Pin: true,
	}), nil)
	var kept activities.DebriefResult
	b.add("keep the drill's debrief", workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, debriefActivityOptions), debriefActivities.KeepDrillDebrief,
		activities.DebriefRequest{
			IncidentID: w.inc.Declaration.ID, Title: "Drill debrief: " + w.dr.scenario.Title + fmt.Sprintf(" (%d/%d)", score.Points, score.MaxPoints),
			Body: markdown, NotBefore: w.dr.prog.StartedAt,
			Repo: repo, OffGitHub: w.inc.Declaration.Security && repo == "",
		}), &kept)
	b.wait(ctx)
	if where := kept.Where(); where != "" {
		w.postInWarRoom(ctx, "Say where the debrief is kept", key+"-kept", ":bookmark_tabs: The debrief is kept at "+where)
	}
	w.publish(ctx)
}
