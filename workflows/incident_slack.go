package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
)

// slackRetryPolicy retries a Slack call until Slack answers or says no for
// good. The first retry comes half a second after a failure, so an attempt
// lost with a killed worker (noticed after HeartbeatTimeout) runs again
// well within five seconds of the kill.
var slackRetryPolicy = &temporal.RetryPolicy{
	InitialInterval:    500 * time.Millisecond,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
}

// slackActivityOptions bound one Slack call. An attempt may wait its turn
// in the worker's rate limiter for as long as a burst of incidents takes
// (200 war rooms' bookmarks: 19 minutes at Slack's limits), heartbeating
// meanwhile and during the call; a worker that dies is noticed within the
// heartbeat timeout (HeartbeatTimeout, seconds).
var slackActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	HeartbeatTimeout:    HeartbeatTimeout,
	RetryPolicy:         slackRetryPolicy,
}

// slackCall returns ctx for a Slack activity whose summary, shown in the Web
// UI's event history, reads like an entry of the incident log.
func slackCall(ctx workflow.Context, summary string) workflow.Context {
	opts := slackActivityOptions
	opts.Summary = summary
	return workflow.WithActivityOptions(ctx, opts)
}

// post posts a message about the incident (idempotent per key).
func (w *incidentWorkflow) post(ctx workflow.Context, summary string, req activities.PostRequest) workflow.Future {
	req.IncidentID, req.Text = w.inc.Declaration.ID, w.drillText(req.Text)
	return workflow.ExecuteActivity(slackCall(ctx, summary), slackActivities.PostMessage, req)
}

// slackLocalOptions bound a Slack call run as a local activity: a post
// that waits for nothing but its channel's pace.
var slackLocalOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         slackRetryPolicy,
}

// postLocal posts a message about the incident (idempotent per key) as a
// local activity: one marker in the history instead of an activity's
// three events and the workflow task that follows its completion.
func (w *incidentWorkflow) postLocal(ctx workflow.Context, req activities.PostRequest) workflow.Future {
	req.IncidentID, req.Text = w.inc.Declaration.ID, w.drillText(req.Text)
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, slackLocalOptions), slackActivities.PostMessage, req)
}

// notify tells one user something privately.
func (w *incidentWorkflow) notify(ctx workflow.Context, summary string, req activities.NotifyRequest) workflow.Future {
	req.IncidentID, req.Text = w.inc.Declaration.ID, w.drillText(req.Text)
	return workflow.ExecuteActivity(slackCall(ctx, summary), slackActivities.Notify, req)
}

// setTopic sets the war room's topic to where the incident stands.
func (w *incidentWorkflow) setTopic(ctx workflow.Context) workflow.Future {
	topic := w.drillText(incident.Topic(&w.inc, w.loc))
	return workflow.ExecuteActivity(slackCall(ctx, "Set the topic: "+topic), slackActivities.SetTopic,
		activities.TopicRequest{Channel: w.inc.ChannelID, Topic: topic})
}

// invite invites users to the war room.
func (w *incidentWorkflow) invite(ctx workflow.Context, summary string, users []string) workflow.Future {
	return workflow.ExecuteActivity(slackCall(ctx, summary), slackActivities.Invite,
		activities.InviteRequest{Channel: w.inc.ChannelID, Users: users})
}

// batch waits for Slack calls started together. A call that fails for good
// becomes a timeline note: a missing bookmark must not stop an incident.
type batch struct {
	w     *incidentWorkflow
	steps []batchStep
}

type batchStep struct {
	what   string
	future workflow.Future
	result any
}

func (w *incidentWorkflow) newBatch() *batch { return &batch{w: w} }

// add adds a call; what completes "could not …" in the note of a failure,
// and result (may be nil) receives the call's result.
func (b *batch) add(what string, f workflow.Future, result any) {
	b.steps = append(b.steps, batchStep{what: what, future: f, result: result})
}

// wait waits for every call, noting each failure in the timeline.
func (b *batch) wait(ctx workflow.Context) {
	for _, s := range b.steps {
		if err := s.future.Get(ctx, s.result); err != nil {
			b.w.note(ctx, "could not "+s.what+": "+errorMessage(err))
		}
	}
}

// errorMessage is the message of the application error behind err (what
// the activity said), or err's own message.
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}
