package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// retroHistoryLimit is the history length past which a retrospective
// continues as new even if the server doesn't suggest it yet. Ninety days
// of daily checks and weekly digests stay well under it.
var retroHistoryLimit = 4000

// RetrospectiveWorkflow turns a resolved incident into learning. It books
// the review meeting (BusinessDaysAfter business days after the resolution,
// inside the workday), drafts the postmortem as a GitHub issue, opens an
// issue per action item (those recorded during the incident and those added
// afterwards with UpdateAddRetroActionItems), announces all of it in the war
// room, reminds the war room before the meeting, asks after it until the
// retrospective is marked done (UpdateRetroDone), then follows the
// action-item issues (a check every CheckEvery, a digest of the open ones
// every DigestEvery) until they are all closed or FollowUpFor has passed,
// and finally archives the war room if configured. A security incident's
// issues go to SecurityRepo, never to the public tracker; without one they
// stay off GitHub and the retrospective ends once it is marked done.
// QueryRetrospective returns its RetroState. Register it under
// RetrospectiveWorkflowName.
func RetrospectiveWorkflow(ctx workflow.Context, in wfapi.RetrospectiveInput) error {
	r := newRetrospectiveWorkflow(ctx, in)
	if err := r.registerHandlers(); err != nil {
		return err
	}
	if err := r.begin(); err != nil {
		return err
	}
	if r.st.Phase == incident.RetroPreparing {
		r.prepare()
	}
	for r.st.Phase != incident.RetroFinished {
		if r.continueAsNewDue() {
			return r.continueAsNew()
		}
		r.advance()
	}
	if len(r.st.Pending) > 0 {
		r.openPending() // accepted just before the end
	}
	r.finish()
	return nil
}

// retrospectiveWorkflow is the state of one run of RetrospectiveWorkflow.
type retrospectiveWorkflow struct {
	ctx workflow.Context
	in  wfapi.RetrospectiveInput
	inc *incident.Incident
	// cfg are the retrospective settings of the process this run follows
	// (begin; the input's until the worker's answer is in), with defaults
	// filled in; loc is their time zone.
	cfg incident.Retrospective
	loc *time.Location
	st  *incident.RetroState
	// insights is the run's keeping of the follow-through in its memo.
	insights keptMemo[insights.Retrospective]
}

// versionSecurityOffGitHub is the change that stopped publishing a
// security incident's postmortem and action items in github.repo: they go
// to the security repository, or stay off GitHub (RetroState.OffGitHub). A
// retrospective begun before it keeps publishing them in github.repo on
// replay.
const versionSecurityOffGitHub = "security-off-github"

func newRetrospectiveWorkflow(ctx workflow.Context, in wfapi.RetrospectiveInput) *retrospectiveWorkflow {
	r := &retrospectiveWorkflow{ctx: ctx, in: in}
	r.inc = &r.in.Incident
	r.follow(in.Process)
	if in.State != nil {
		r.st = in.State
	} else {
		r.st = &incident.RetroState{IncidentID: in.Incident.Declaration.ID, Phase: incident.RetroPreparing}
		for _, it := range in.Incident.ActionItems {
			r.st.Items = append(r.st.Items, incident.RetroActionItem{ActionItem: it})
		}
	}
	if r.st.Steps == nil {
		r.st.Steps = map[string]bool{}
	}
	return r
}

// begin takes the process this run follows (runProcess: the worker's) and
// with its settings decides where a security incident's issues go
// (chooseRepo).
func (r *retrospectiveWorkflow) begin() error {
	p, _, err := runProcess(r.ctx, r.in.Process)
	if err != nil {
		return err
	}
	r.follow(p)
	r.chooseRepo()
	return nil
}

// follow makes p the process this run follows: the one a continued run
// hands on.
func (r *retrospectiveWorkflow) follow(p incident.Process) {
	r.in.Process, r.cfg, r.loc = p, retroSettings(p.Retrospective), time.UTC
	if l, err := time.LoadLocation(r.cfg.TimeZone); err == nil {
		r.loc = l
	}
}

// chooseRepo decides, once per retrospective, where a security incident's
// issues go: to the security repository, or nowhere (OffGitHub). A run
// continued from another keeps the choice its state carries, and one that
// already opened issues in github.repo, begun before the change, keeps
// following them there.
func (r *retrospectiveWorkflow) chooseRepo() {
	decided := r.st.Repo != "" || r.st.OffGitHub
	inGitHubRepo := r.st.Postmortem.Number > 0 || len(r.itemsWithoutIssue()) < len(r.st.Items)
	if !r.inc.Declaration.Security || decided || inGitHubRepo {
		return
	}
	if workflow.GetVersion(r.ctx, versionSecurityOffGitHub, workflow.DefaultVersion, 1) >= 1 {
		r.st.Repo = r.cfg.SecurityRepo
		r.st.OffGitHub = r.st.Repo == ""
	}
}

// retroSettings fills the zero follow-through settings with defaults.
func retroSettings(c incident.Retrospective) incident.Retrospective {
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&c.DoneRemindEvery, incident.DefaultDoneRemindEvery}, {&c.CheckEvery, incident.DefaultCheckEvery},
		{&c.DigestEvery, incident.DefaultDigestEvery}, {&c.FollowUpFor, incident.DefaultFollowUpFor},
	} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	return c
}

// now is the workflow's clock.
func (r *retrospectiveWorkflow) now() time.Time { return workflow.Now(r.ctx) }

// once runs f unless step name already ran (in this run or one continued
// from), then marks it done.
func (r *retrospectiveWorkflow) once(name string, f func()) {
	if r.st.Steps[name] {
		return
	}
	f()
	r.st.Steps[name] = true
}

// setPhase moves to phase p and says so in the Web UI.
func (r *retrospectiveWorkflow) setPhase(p incident.RetroPhase) {
	r.st.Phase = p
	r.publish()
}

// publish shows where the retrospective stands in the Web UI (the current
// details) and in visibility (its insights.Retrospective in the memo, when
// it changed).
func (r *retrospectiveWorkflow) publish() {
	workflow.SetCurrentDetails(r.ctx, incident.RetroDetails(r.st, r.loc))
	if !r.insights.keeps(r.ctx) {
		return
	}
	if rec := insights.FromRetrospective(*r.st); r.insights.last == nil || !r.insights.last.Equal(rec) {
		r.insights.upsert(r.ctx, rec)
	}
}

// deadline is a time the retrospective sleeps until, and what comes then
// in words, for the Web UI's name of the timer.
type deadline struct {
	at   time.Time
	what string
}

// soonest is the first of the deadlines given.
func soonest(d deadline, more ...deadline) deadline {
	for _, e := range more {
		if e.at.Before(d.at) {
			d = e
		}
	}
	return d
}

// sleepUntil waits until d, opening the issues of action items added
// meanwhile. It returns true once d is reached, false as soon as the
// retrospective is marked done (news the caller acknowledges).
func (r *retrospectiveWorkflow) sleepUntil(d deadline) bool {
	summary := "retrospective: " + d.what + " at " + d.at.In(r.loc).Format("Mon 2 Jan 15:04 MST")
	for {
		if len(r.st.Pending) > 0 {
			r.openPending()
		}
		if r.doneNews() {
			return false
		}
		wait := d.at.Sub(r.now())
		if wait <= 0 {
			return true
		}
		_, _ = awaitOrTimeout(r.ctx, wait, summary, func() bool { return len(r.st.Pending) > 0 || r.doneNews() })
	}
}

// doneNews reports whether the retrospective was marked done and the war
// room not yet told.
func (r *retrospectiveWorkflow) doneNews() bool { return r.st.Done && !r.st.Steps[stepDoneAck] }

// continueAsNewDue reports whether the history is long enough to start
// afresh.
func (r *retrospectiveWorkflow) continueAsNewDue() bool {
	return historyFull(r.ctx, retroHistoryLimit)
}

// continueAsNew carries the state into a new run once no update is half
// handled; items accepted but not yet opened travel in State.Pending. The
// new run takes the process from the worker afresh (this run's goes along,
// for the updates it handles before the worker answers).
func (r *retrospectiveWorkflow) continueAsNew() error {
	_ = workflow.Await(r.ctx, func() bool { return workflow.AllHandlersFinished(r.ctx) })
	return workflow.NewContinueAsNewError(r.ctx, wfapi.RetrospectiveWorkflowName,
		wfapi.RetrospectiveInput{Incident: r.in.Incident, Process: r.in.Process, State: r.st})
}
