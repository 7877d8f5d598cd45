package starter

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Maintenance schedules planned maintenance windows, each as a Temporal
// schedule that starts a MaintenanceWorkflow run ahead of every window, and
// drives those runs. The CLI and the Slack front door use it; it is the
// front door's MaintenanceActions.
type Maintenance struct {
	Client    client.Client
	TaskQueue string
	// Process is the caller's configured process: Schedule fills a
	// window's defaults from it and checks its services and severity
	// against it, and gives its times in its time zone, in which the
	// schedule then fires. The runs follow the worker's process (a window
	// whose severity the worker doesn't know opens its war room at the
	// worker's mildest).
	Process incident.Process
	Policy  incident.MaintenancePolicy
	// DataConverter reads what Temporal hands back still encoded (a
	// schedule's arguments): the one Client encodes payloads with. Nil
	// means the SDK's default.
	DataConverter converter.DataConverter
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ErrNoWindow means no maintenance window has the given ID.
var ErrNoWindow = errors.New("no such maintenance window")

func (m *Maintenance) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Maintenance) loc() *time.Location { return m.Process.Location() }

// ScheduledWindow is what Schedule did.
type ScheduledWindow struct {
	ID         string                   `json:"id"`
	ScheduleID string                   `json:"schedule_id"`
	Window     incident.Window          `json:"window"`
	Plan       incident.MaintenancePlan `json:"plan"`
	// Updated is set when an existing schedule was changed (rescheduled);
	// Unchanged when the same window was submitted again.
	Updated   bool `json:"updated"`
	Unchanged bool `json:"unchanged,omitempty"`
	// CalledOff are the runs that were waiting for the old time (their
	// channels hear of the new one); InProgress the runs already under way,
	// which carry on.
	CalledOff  []string `json:"called_off,omitempty"`
	InProgress []string `json:"in_progress,omitempty"`
	// Notified are the channels told of the new time: those that had a
	// heads-up for the old one.
	Notified []string `json:"notified,omitempty"`
}

// Schedule validates window w and schedules it: a new schedule, or, when a
// window with w's ID exists, the same schedule updated (never a second
// one). A window without an ID gets one from its title. Invalid windows
// return incident.FieldErrors.
func (m *Maintenance) Schedule(ctx context.Context, w incident.Window) (ScheduledWindow, error) {
	now := m.now()
	w = incident.PrepareWindow(w, &m.Process)
	if w.ID == "" {
		w.ID = newWindowID(w.Title)
	}
	if errs := incident.ValidateWindow(&w, &m.Process, m.Policy, m.loc(), now); errs != nil {
		return ScheduledWindow{ID: w.ID, Window: w}, errs
	}
	plan, err := incident.PlanMaintenance(&w, m.Policy, m.loc(), now)
	if err != nil {
		return ScheduledWindow{ID: w.ID, Window: w}, incident.FieldErrors{{Field: incident.WindowFieldRecurrence, Message: err.Error()}}
	}
	res := ScheduledWindow{ID: w.ID, ScheduleID: wfapi.MaintenanceWorkflowID(w.ID), Window: w, Plan: plan}
	opts := m.scheduleOptions(w, plan)
	_, err = m.Client.ScheduleClient().Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return m.reschedule(ctx, res, opts)
	}
	if err != nil {
		return res, explainWindow(err, w.ID)
	}
	return res, nil
}

// listedWithin bounds how long AwaitListed waits.
const listedWithin = 5 * time.Second

// AwaitListed waits, at most five seconds, until Temporal's visibility
// lists window id's schedule, so that a window just scheduled is in the
// next List (visibility catches up a moment after a schedule is created).
// Past the bound the window is scheduled all the same and shows a little
// later. Doors with a deadline of their own (Slack's 3 s) don't call it.
func (m *Maintenance) AwaitListed(ctx context.Context, windowID string) {
	id := wfapi.MaintenanceWorkflowID(windowID)
	ctx, cancel := context.WithTimeout(ctx, listedWithin)
	defer cancel()
	for {
		iter, err := m.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 200})
		for err == nil && iter.HasNext() {
			var e *client.ScheduleListEntry
			if e, err = iter.Next(); err == nil && e.ID == id {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// reschedule points the existing schedule of res's window at the new plan.
// Runs still waiting for the old time are called off first; a run already
// in progress carries on.
func (m *Maintenance) reschedule(ctx context.Context, res ScheduledWindow, opts client.ScheduleOptions) (ScheduledWindow, error) {
	res.Updated = true
	handle := m.Client.ScheduleClient().GetHandle(ctx, res.ScheduleID)
	desc, err := handle.Describe(ctx)
	if err != nil {
		return res, explainWindow(err, res.ID)
	}
	if old, ok := scheduledInput(desc.Schedule.Action, m.DataConverter); ok && sameWindow(old.Window, res.Window) {
		res.Unchanged = true
		return res, nil
	}
	for _, run := range m.runStates(ctx, m.runIDs(ctx, res.ScheduleID, desc)) {
		if run.State.Phase.Started() {
			res.InProgress = append(res.InProgress, run.WorkflowID)
			continue
		}
		var st wfapi.MaintenanceState
		err := m.updateRun(ctx, run.WorkflowID, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{
			By: res.Window.ScheduledBy, Reason: "rescheduled", MovedTo: res.Plan.FirstStart,
		}, &st)
		if err == nil {
			// Its end frees the workflow ID a run triggered now may reuse.
			err = m.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, nil)
		}
		if err != nil {
			return res, fmt.Errorf("maintenance %s: calling off the window waiting for the old time: %w; nothing was rescheduled", res.ID, err)
		}
		res.CalledOff = append(res.CalledOff, run.WorkflowID)
		res.Notified = appendUnique(res.Notified, st.HeadsUpChannels()...)
	}
	err = handle.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &opts.Spec, opts.Action
		if s.State == nil {
			s.State = &client.ScheduleState{}
		}
		s.State.Note = opts.Note
		s.State.LimitedActions, s.State.RemainingActions = opts.RemainingActions > 0, opts.RemainingActions
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.Overlap, s.Policy.CatchupWindow = opts.Overlap, opts.CatchupWindow
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return res, explainWindow(err, res.ID)
	}
	if res.Plan.TriggerNow {
		if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
			return res, explainWindow(err, res.ID)
		}
	}
	return res, nil
}

// sameWindow reports whether two windows are the same once serialized (a
// repeated submission).
func sameWindow(a, b incident.Window) bool {
	a.Start, b.Start = a.Start.UTC(), b.Start.UTC()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// scheduledInput decodes, with dc, the input a schedule's action passes to
// its runs.
func scheduledInput(action client.ScheduleAction, dc converter.DataConverter) (wfapi.MaintenanceInput, bool) {
	var in wfapi.MaintenanceInput
	wa, ok := action.(*client.ScheduleWorkflowAction)
	if !ok || len(wa.Args) == 0 {
		return in, false
	}
	switch arg := wa.Args[0].(type) {
	case wfapi.MaintenanceInput:
		return arg, true
	case *commonpb.Payload:
		return in, orDefault(dc).FromPayload(arg, &in) == nil
	}
	return in, false
}

// WindowIDFromKey names a new window from its title and an idempotency
// key (a form's view ID, a CLI's --idempotency-key): the title's slug, cut
// short, and five characters derived from the key, e.g. "db-upgrade-k3f9q".
// The same key gives the same ID, so a repeated request schedules one
// window.
func WindowIDFromKey(title, key string) string {
	slug := incident.Slug(title)
	if len(slug) > 24 {
		slug = strings.TrimRight(slug[:24], "-")
	}
	suffix := incident.IDFromKey("maintenance:" + key)[:5]
	if slug == "" {
		return "mw-" + suffix
	}
	return slug + "-" + suffix
}

// newWindowID names a window asked for without an ID or a key.
func newWindowID(title string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return WindowIDFromKey(title, string(b))
}

// explainWindow turns Temporal errors into sentences about window id.
func explainWindow(err error, id string) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("maintenance %s: %w (check the ID with `incidentflow maintenance list`)", id, ErrNoWindow)
	}
	return explain(err, "")
}
